"""rules.yaml as django-cors-headers settings."""

from __future__ import annotations

from addon.core.patterns import split_origins
from addon.core.ruleset import RuleSet
from addon.export.common import origin_regex, origin_regexes, path_regex
from addon.export.websocket import websocket_origin_note

DJANGO_DEFAULT_HEADERS = ("accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with")
STANDARD_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def export_django(rules: RuleSet) -> str:
    """django-cors-headers settings from the first rule (its paths become CORS_URLS_REGEX)."""
    out = [
        f"# django-cors-headers settings exported by cors-addon from {rules.source}.",
        '# settings.py: INSTALLED_APPS += ["corsheaders"]; put "corsheaders.middleware.CorsMiddleware"',
        "# first in MIDDLEWARE; then these settings.",
    ]
    if not rules.rules:
        return "\n".join(out + ["CORS_ALLOWED_ORIGINS = []", ""])
    rule = rules.rules[0]
    notes = [
        f"NOT EXPORTED: rule '{other.name}': django-cors-headers applies one policy to the whole site."
        for other in rules.rules[1:]
    ]
    if rule.filter_text is not None:
        notes.append(f"NOT EXPORTED: the filter {rule.filter_text!r}.")
    if rule.allow_methods is None:
        notes.append(
            "allow_methods '*': django-cors-headers cannot answer with the requested method; the standard"
            " methods are listed, custom ones are not allowed."
        )
    if rule.allow_headers is None:
        notes.append(
            "allow_headers '*': django-cors-headers cannot answer with the requested headers; its defaults"
            " are listed, any other header is refused. Name the headers you need in rules.yaml."
        )
    if rule.expose_headers is None and rule.allow_credentials:
        notes.append("NOT EXPORTED: expose_headers '*' with credentials; list the headers to expose.")
    if rule.max_age == 0:
        notes.append("max_age 0: django-cors-headers then sends no Max-Age and browsers cache for 5 seconds.")
    notes += websocket_origin_note(rule, "django-cors-headers")
    exact, globs = split_origins(rule.allow_origins or ())
    patterns = [origin_regex(pattern) for pattern in globs] + origin_regexes(rule)
    settings = []
    if rule.allow_origins is None:
        settings.append("CORS_ALLOW_ALL_ORIGINS = True")
    else:
        settings.append(f"CORS_ALLOWED_ORIGINS = {exact!r}")
        if patterns:
            settings.append("CORS_ALLOWED_ORIGIN_REGEXES = [" + ", ".join(f'r"{p}"' for p in patterns) + "]")
    if rule.paths is not None:
        settings.append(f'CORS_URLS_REGEX = r"{path_regex(rule)}"')
    settings.append(f"CORS_ALLOW_CREDENTIALS = {rule.allow_credentials!r}")
    methods = list(STANDARD_METHODS) if rule.allow_methods is None else sorted(rule.allow_methods)
    settings.append(f"CORS_ALLOW_METHODS = {methods!r}")
    headers = list(DJANGO_DEFAULT_HEADERS if rule.allow_headers is None else rule.allowed_header_names)
    settings.append(f"CORS_ALLOW_HEADERS = {headers!r}")
    if rule.expose_headers is None:
        settings.append("CORS_EXPOSE_HEADERS = []" if rule.allow_credentials else 'CORS_EXPOSE_HEADERS = ["*"]')
    else:
        settings.append(f"CORS_EXPOSE_HEADERS = {list(rule.exposed_header_names)!r}")
    settings.append(f"CORS_PREFLIGHT_MAX_AGE = {rule.max_age}")
    settings.append(f"CORS_ALLOW_PRIVATE_NETWORK = {rule.allow_private_network!r}")
    out += [f"# {note}" for note in notes]
    out += [f"# rule '{rule.name}' (rules.yaml line {rule.line})", *settings, ""]
    return "\n".join(out)
