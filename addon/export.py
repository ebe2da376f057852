"""From workaround to fix: rules.yaml as server-side CORS configuration (pure functions).

Each exporter states in comments what its target cannot express; nothing is dropped silently.
"""
from __future__ import annotations

import json
import re

from .patterns import ANY_PORT, DEFAULT_PORTS, Origin, OriginPattern
from .policy import SAFELISTED_REQUEST_HEADERS
from .rules import Rule, RuleSet

ACCESS_CONTROL_RESPONSE_HEADERS = (
    "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age",
    "Access-Control-Allow-Private-Network",
)


def origin_regex(pattern: OriginPattern) -> str:
    """An anchored regex for one allow_origins entry (browsers send origins lowercase)."""
    if pattern.scheme == "null":
        return "^null$"
    host = re.escape(pattern.host)
    if pattern.subdomains:
        host = r"([a-z0-9-]+\.)+" + host
    if pattern.port == ANY_PORT:
        port = "(:[0-9]+)?"
    elif DEFAULT_PORTS.get(pattern.scheme) == pattern.port:
        port = ""
    else:
        port = f":{pattern.port}"
    return f"^{re.escape(pattern.scheme)}://{host}{port}$"


def path_regex(rule: Rule) -> str:
    if rule.paths is None:
        return "^/"
    return "^(?:" + "|".join(p.pattern.replace(r"\Z", "") for p in rule.paths) + r")(?:\?.*)?$"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _names_regex(names: list[str]) -> str:
    alternatives = "|".join(re.escape(n) for n in names)
    return rf"^\s*(?:{alternatives})(?:\s*,\s*(?:{alternatives}))*\s*$"


def export_nginx(rules: RuleSet, listen: str = "127.0.0.1:8080", upstream: str = "http://127.0.0.1:8000") -> str:
    out = [f"# CORS policy exported by cors-addon from {rules.source}: the addon's decisions, rule by rule.",
           "# Include this file in nginx's http {} context. The server block stands in front of the API",
           f"# (proxy_pass {upstream}); change listen/proxy_pass, or copy the location blocks into yours.",
           "# The first rule whose path matches decides, as in the addon (regex locations, in order).", ""]
    locations = []
    for n, rule in enumerate(rules.rules):
        out += _nginx_maps(rule, n)
        locations += _nginx_location(rule, n, upstream)
    hosts = sorted({f"{h.host}" for rule in rules.rules for h in rule.hosts})
    out += ["server {", f"    listen {listen};",
            f"    # rules.yaml hosts: {', '.join(hosts)} (set server_name if this server serves several hosts)"]
    out += ["    " + line if line else "" for line in locations]
    out += ["}", ""]
    return "\n".join(out)


def _nginx_maps(rule: Rule, n: int) -> list[str]:
    lines = [f"# rule '{rule.name}' (rules.yaml line {rule.line})"]
    if rule.filter_text is not None:
        lines.append(f"# NOT EXPORTED: the mitmproxy filter {rule.filter_text!r} has no nginx equivalent;"
                     " the policy below applies to every request on its paths.")
    star = rule.allow_origins is None
    lines.append(f"map $http_origin $cors_origin_ok_{n} {{")
    if star:
        lines.append('    "~^.+$" 1;')
    else:
        lines += [f"    {_quote('~' + origin_regex(p))} 1;" for p in rule.allow_origins]
    lines += ["    default 0;", "}"]
    lines.append(f"map $http_access_control_request_method $cors_method_ok_{n} {{")
    if rule.allow_methods is None:
        lines.append('    "~^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$" 1;')
    else:
        lines.append(f"    {_quote('~*^(?:' + '|'.join(re.escape(m) for m in sorted(rule.allow_methods)) + ')$')} 1;")
    lines += ["    default 0;", "}"]
    lines.append(f"map $http_access_control_request_headers $cors_headers_ok_{n} {{")
    lines.append('    "" 1;')
    if rule.allow_headers is None:
        token = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
        any_names = "~^\\s*" + token + "(?:\\s*,\\s*" + token + ")*\\s*$"
        lines.append(f"    {_quote(any_names)} 1;")
    else:
        allowed = sorted(set(rule.allow_headers) | set(SAFELISTED_REQUEST_HEADERS))
        lines.append(f"    {_quote('~*' + _names_regex(allowed))} 1;")
    lines += ["    default 0;", "}"]
    pna = "1" if rule.allow_private_network else "0"
    lines.append(f"map $http_access_control_request_private_network $cors_pna_ok_{n} {{")
    lines += ['    "~*^true$" ' + pna + ";", "    default 1;", "}"]
    # One key per request: origin ok | preflight? | method ok | headers ok | private network ok.
    lines.append(f'map "$cors_origin_ok_{n}|$request_method|$http_access_control_request_method|'
                 f'$cors_method_ok_{n}|$cors_headers_ok_{n}|$cors_pna_ok_{n}" $cors_action_{n} {{')
    lines += ['    "~^1\\|OPTIONS\\|.+\\|1\\|1\\|1$" preflight;',
              '    "~^1\\|OPTIONS\\|.+\\|" refused;',
              '    "~^1\\|" actual;',
              "    default \"\";", "}"]
    acao = '"*"' if star and not rule.allow_credentials else "$http_origin"
    lines.append(f"map $cors_action_{n} $cors_allow_origin_{n} {{")
    lines += [f"    actual {acao};", "    default \"\";", "}"]
    if rule.allow_credentials:
        lines.append(f"map $cors_action_{n} $cors_allow_credentials_{n} {{")
        lines += ["    actual true;", "    default \"\";", "}"]
    expose = _nginx_expose(rule)
    if expose:
        lines.append(f"map $cors_action_{n} $cors_expose_{n} {{")
        lines += [f"    actual {_quote(expose)};", "    default \"\";", "}"]
    vary = "" if star and not rule.allow_credentials else "Origin"
    if vary:
        lines.append(f"map $cors_action_{n} $cors_vary_{n} {{")
        lines += ["    actual Origin;", "    default \"\";", "}"]
    lines.append("")
    return lines


def _nginx_expose(rule: Rule) -> str:
    if rule.expose_headers is None:
        return "" if rule.allow_credentials else "*"
    return rule.expose_headers_value


def _nginx_location(rule: Rule, n: int, upstream: str) -> list[str]:
    star = rule.allow_origins is None
    lines = [f"# rule '{rule.name}'"]
    if rule.expose_headers is None and rule.allow_credentials:
        lines.append("# NOT EXPORTED: expose_headers '*' with credentials: the addon lists each response's header"
                     " names, nginx cannot; list the headers to expose in rules.yaml and export again.")
    if rule.preflight == "forward":
        lines.append("# preflight: forward is exported as answer: nginx answers the preflight itself.")
    lines.append(f"location ~ {_quote(path_regex(rule))} {{")
    body = [f"proxy_hide_header {name};" for name in ACCESS_CONTROL_RESPONSE_HEADERS]
    body.append(f"if ($cors_action_{n} = preflight) {{")
    pre_acao = '"*"' if star and not rule.allow_credentials else "$http_origin"
    pre = [f"add_header Access-Control-Allow-Origin {pre_acao} always;"]
    vary = [] if star and not rule.allow_credentials else ["Origin"]
    if rule.allow_credentials:
        pre.append("add_header Access-Control-Allow-Credentials true always;")
    if rule.allow_methods is None:
        pre.append("add_header Access-Control-Allow-Methods $http_access_control_request_method always;")
        vary.append("Access-Control-Request-Method")
    else:
        pre.append(f"add_header Access-Control-Allow-Methods {_quote(rule.allow_methods_value)} always;")
    if rule.allow_headers is None:
        pre.append("add_header Access-Control-Allow-Headers $http_access_control_request_headers always;")
        vary.append("Access-Control-Request-Headers")
    else:
        listed = ", ".join(dict.fromkeys([*filter(None, rule.allow_headers_value.split(", ")),
                                          *SAFELISTED_REQUEST_HEADERS]))
        pre.append(f"add_header Access-Control-Allow-Headers {_quote(listed)} always;")
    pre.append(f"add_header Access-Control-Max-Age {rule.max_age} always;")
    if rule.allow_private_network:
        pre.append("add_header Access-Control-Allow-Private-Network $http_access_control_request_private_network"
                   " always;")
    if vary:
        pre.append(f"add_header Vary {_quote(', '.join(vary))} always;")
    pre.append("return 204;")
    body += ["    " + line for line in pre] + ["}"]
    body.append(f"add_header Access-Control-Allow-Origin $cors_allow_origin_{n} always;")
    if rule.allow_credentials:
        body.append(f"add_header Access-Control-Allow-Credentials $cors_allow_credentials_{n} always;")
    if _nginx_expose(rule):
        body.append(f"add_header Access-Control-Expose-Headers $cors_expose_{n} always;")
    if not (star and not rule.allow_credentials):
        body.append(f"add_header Vary $cors_vary_{n} always;")
    body.append(f"proxy_pass {upstream};")
    return lines + ["    " + line for line in body] + ["}"]


def export_starlette(rules: RuleSet) -> str:
    """Arguments for Starlette's (and FastAPI's) CORSMiddleware, from the first rule."""
    out = [f"# CORSMiddleware arguments exported by cors-addon from {rules.source}.",
           "# Starlette / FastAPI:",
           "#     from starlette.middleware.cors import CORSMiddleware",
           "#     app.add_middleware(CORSMiddleware, **cors_args)"]
    if not rules.rules:
        return "\n".join(out + ["cors_args = {}", ""])
    rule = rules.rules[0]
    notes = []
    for other in rules.rules[1:]:
        notes.append(f"NOT EXPORTED: rule '{other.name}': CORSMiddleware applies one policy to the whole app; "
                     "give that API its own app or middleware.")
    if rule.paths is not None:
        notes.append(f"rule '{rule.name}' applies to some paths only; CORSMiddleware applies it to every path.")
    if rule.filter_text is not None:
        notes.append(f"NOT EXPORTED: the filter {rule.filter_text!r}; CORSMiddleware applies to every request.")
    exact, patterns = [], []
    star = rule.allow_origins is None
    for pattern in rule.allow_origins or ():
        if pattern.subdomains or pattern.port == ANY_PORT:
            patterns.append(origin_regex(pattern)[1:-1])  # CORSMiddleware uses fullmatch
        else:
            exact.append(Origin(pattern.scheme, pattern.host, pattern.port).serialize())
    if star and rule.allow_credentials:
        notes.append("allow_origins '*' with credentials: CORSMiddleware then reflects the origin only for requests"
                     " that carry cookies; the addon reflects it always.")
    if rule.allow_methods is None:
        notes.append("allow_methods '*': CORSMiddleware allows the standard methods only (not custom ones).")
    if rule.expose_headers is None:
        notes.append("expose_headers '*': CORSMiddleware sends a literal '*', which browsers ignore with credentials;"
                     " the addon lists the response's header names then.")
    if rule.allow_private_network:
        notes.append("NOT EXPORTED: allow_private_network: CORSMiddleware does not answer private network requests.")
    args = [f"    \"allow_origins\": {['*'] if star else exact!r},"]
    if patterns:
        args.append(f"    \"allow_origin_regex\": r\"{'|'.join(f'(?:{p})' for p in patterns)}\",")
    args.append(f"    \"allow_credentials\": {rule.allow_credentials!r},")
    args.append(f"    \"allow_methods\": {['*'] if rule.allow_methods is None else sorted(rule.allow_methods)!r},")
    args.append(f"    \"allow_headers\": {['*'] if rule.allow_headers is None else sorted(rule.allow_headers)!r},")
    expose = ["*"] if rule.expose_headers is None else [h for h in rule.expose_headers if h != "set-cookie"]
    args.append(f"    \"expose_headers\": {expose!r},")
    args.append(f"    \"max_age\": {rule.max_age},")
    out += [f"# {note}" for note in notes]
    out += [f"# rule '{rule.name}' (rules.yaml line {rule.line})", "cors_args = {", *args, "}", ""]
    return "\n".join(out)


def _js_regex(pattern: str) -> str:
    return "/" + pattern.replace("/", "\\/") + "/"


def export_express(rules: RuleSet) -> str:
    """A cors() options delegate for Express: every rule, first path match decides, as in the addon."""
    out = [f"// cors() options exported by cors-addon from {rules.source}: the first rule whose path matches"
           " decides, as in the addon.",
           "// Express:  const cors = require(\"cors\");",
           "//           app.use(cors(require(\"./cors-rules.js\").corsOptions));",
           "// A request no rule covers passes on untouched."]
    entries = []
    for rule in rules.rules:
        notes = []
        if rule.filter_text is not None:
            notes.append(f"NOT EXPORTED: the mitmproxy filter {rule.filter_text!r}; this rule applies to every"
                         " request on its paths.")
        if rule.expose_headers is None and rule.allow_credentials:
            notes.append("NOT EXPORTED: expose_headers '*' with credentials (the addon lists each response's header"
                         " names); list the headers to expose.")
        if rule.allow_private_network:
            notes.append("NOT EXPORTED: allow_private_network: cors() does not answer private network requests.")
        if rule.preflight == "forward":
            notes.append("preflight: forward is exported as answer: cors() answers the preflight itself.")
        if rule.allow_origins is None:
            origin = "true" if rule.allow_credentials else '"*"'
        else:
            parts = []
            for pattern in rule.allow_origins:
                if pattern.subdomains or pattern.port == ANY_PORT:
                    parts.append(_js_regex(origin_regex(pattern)))
                else:
                    parts.append(json.dumps(Origin(pattern.scheme, pattern.host, pattern.port).serialize()))
            origin = "[" + ", ".join(parts) + "]"
        paths = "null" if rule.paths is None else \
            "[" + ", ".join(_js_regex("^" + p.pattern.replace(r"\Z", "") + "$") for p in rule.paths) + "]"
        allowed_headers = "null" if rule.allow_headers is None else json.dumps(
            list(dict.fromkeys([*sorted(rule.allow_headers), *SAFELISTED_REQUEST_HEADERS])))
        methods = "null" if rule.allow_methods is None else json.dumps(sorted(rule.allow_methods))
        if rule.expose_headers is None:
            exposed = "null" if rule.allow_credentials else '"*"'
        else:
            exposed = json.dumps([h for h in rule.expose_headers if h != "set-cookie"])
        entries += [f"  // rule '{rule.name}' (rules.yaml line {rule.line})", *[f"  // {note}" for note in notes],
                    f"  {{ paths: {paths}, origin: {origin}, credentials: {json.dumps(rule.allow_credentials)},",
                    f"    methods: {methods}, allowedHeaders: {allowed_headers}, exposedHeaders: {exposed},",
                    f"    maxAge: {rule.max_age} }},"]
    out += ["const rules = [", *entries, "];", "",
            "function corsOptions(req, callback) {",
            "  const rule = rules.find((r) => r.paths === null || r.paths.some((p) => p.test(req.path)));",
            "  if (!rule) return callback(null, { origin: false });",
            "  callback(null, {",
            "    origin: rule.origin, credentials: rule.credentials, maxAge: rule.maxAge,",
            "    // \"*\" in rules.yaml: answer what the preflight asks for, as the addon does.",
            "    methods: rule.methods ?? (req.headers[\"access-control-request-method\"] || \"\"),",
            "    allowedHeaders: rule.allowedHeaders ?? undefined,",
            "    exposedHeaders: rule.exposedHeaders ?? undefined,",
            "    preflightContinue: false, optionsSuccessStatus: 204,",
            "  });",
            "}", "", "module.exports = { corsOptions };", ""]
    return "\n".join(out)


DJANGO_DEFAULT_HEADERS = ("accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with")
STANDARD_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def export_django(rules: RuleSet) -> str:
    """django-cors-headers settings from the first rule (its paths become CORS_URLS_REGEX)."""
    out = [f"# django-cors-headers settings exported by cors-addon from {rules.source}.",
           "# settings.py: INSTALLED_APPS += [\"corsheaders\"]; put \"corsheaders.middleware.CorsMiddleware\"",
           "# first in MIDDLEWARE; then these settings."]
    if not rules.rules:
        return "\n".join(out + ["CORS_ALLOWED_ORIGINS = []", ""])
    rule = rules.rules[0]
    notes = [f"NOT EXPORTED: rule '{other.name}': django-cors-headers applies one policy to the whole site."
             for other in rules.rules[1:]]
    if rule.filter_text is not None:
        notes.append(f"NOT EXPORTED: the filter {rule.filter_text!r}.")
    if rule.allow_methods is None:
        notes.append("allow_methods '*': django-cors-headers cannot answer with the requested method; the standard"
                     " methods are listed, custom ones are not allowed.")
    if rule.allow_headers is None:
        notes.append("allow_headers '*': django-cors-headers cannot answer with the requested headers; its defaults"
                     " are listed, any other header is refused. Name the headers you need in rules.yaml.")
    if rule.expose_headers is None and rule.allow_credentials:
        notes.append("NOT EXPORTED: expose_headers '*' with credentials; list the headers to expose.")
    if rule.max_age == 0:
        notes.append("max_age 0: django-cors-headers then sends no Max-Age and browsers cache for 5 seconds.")
    exact, patterns = [], []
    for pattern in rule.allow_origins or ():
        if pattern.subdomains or pattern.port == ANY_PORT:
            patterns.append(origin_regex(pattern))
        else:
            exact.append(Origin(pattern.scheme, pattern.host, pattern.port).serialize())
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
    headers = list(DJANGO_DEFAULT_HEADERS) if rule.allow_headers is None else \
        list(dict.fromkeys([*sorted(rule.allow_headers), *SAFELISTED_REQUEST_HEADERS]))
    settings.append(f"CORS_ALLOW_HEADERS = {headers!r}")
    if rule.expose_headers is None:
        settings.append("CORS_EXPOSE_HEADERS = []" if rule.allow_credentials else "CORS_EXPOSE_HEADERS = [\"*\"]")
    else:
        settings.append(f"CORS_EXPOSE_HEADERS = {[h for h in rule.expose_headers if h != 'set-cookie']!r}")
    settings.append(f"CORS_PREFLIGHT_MAX_AGE = {rule.max_age}")
    settings.append(f"CORS_ALLOW_PRIVATE_NETWORK = {rule.allow_private_network!r}")
    out += [f"# {note}" for note in notes]
    out += [f"# rule '{rule.name}' (rules.yaml line {rule.line})", *settings, ""]
    return "\n".join(out)


EXPORTERS = {"nginx": export_nginx, "starlette": export_starlette, "express": export_express,
             "django": export_django}
