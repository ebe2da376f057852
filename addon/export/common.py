"""What every exporter needs: origins and paths as regexes, quoting."""

from __future__ import annotations

import re

from addon.core.patterns import ANY_PORT, DEFAULT_PORTS, OriginPattern
from addon.core.policy import actual_answer, preflight_answer
from addon.core.rule import Preflight, Rule
from addon.export.websocket import websocket_origin_note

ACCESS_CONTROL_RESPONSE_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
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
    elif DEFAULT_PORTS.get(pattern.scheme, 0) == pattern.port:
        port = ""
    else:
        port = f":{pattern.port}"
    return f"^{re.escape(pattern.scheme)}://{host}{port}$"


def origin_regexes(rule: Rule) -> list[str]:
    """allow_origin_regex, each anchored: the addon matches them whole."""
    return [f"^(?:{pattern.pattern})$" for pattern in rule.allow_origin_regex]


def path_regex(rule: Rule) -> str:
    if rule.paths is None:
        return "^/"
    return "^(?:" + "|".join(p.pattern.replace(r"\Z", "") for p in rule.paths) + r")(?:\?.*)?$"


def double_quoted(value: str) -> str:
    """A Caddyfile or Apache argument in double quotes: inside them only \\" is an escape."""
    return '"' + value.replace('"', '\\"') + '"'


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def names_regex(names: list[str]) -> str:
    alternatives = "|".join(re.escape(n) for n in names)
    return rf"^\s*(?:{alternatives})(?:\s*,\s*(?:{alternatives}))*\s*$"


TOKEN_CHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"  # an HTTP token (a method or a header name), unanchored


def origins_regex(rule: Rule) -> str:
    """One regex for all the rule's origins, valid in PCRE and RE2 (the addon's allow_origin_regex is Python's
    syntax: lookarounds and backreferences do not carry over to Go's regexp)."""
    if rule.allow_origins is None:
        return "^.+$"
    parts = [origin_regex(p) for p in rule.allow_origins] + origin_regexes(rule)
    return "|".join(parts) if parts else "^$(?:x)"  # no origin at all


def methods_regex(rule: Rule) -> str:
    """The Access-Control-Request-Method values the rule answers."""
    if rule.allow_methods is None:
        return f"^{TOKEN_CHARS}$"
    return "^(?:" + "|".join(re.escape(m) for m in sorted(rule.allow_methods)) + ")$"


def requested_headers_regex(rule: Rule) -> str:
    """The Access-Control-Request-Headers values the rule answers (compare without case)."""
    if rule.allow_headers is None:
        return r"^\s*" + TOKEN_CHARS + r"(?:\s*,\s*" + TOKEN_CHARS + r")*\s*$"
    return names_regex(sorted(rule.allowed_header_names))


def preflight_fields(
    rule: Rule, request_origin: str, request_method: str, request_headers: str
) -> list[tuple[str, str]]:
    """The answer to a preflight the rule allows, as the addon gives it (Vary included); the arguments say
    how the target writes the request's Origin, Access-Control-Request-Method and -Headers."""
    fields, vary = preflight_answer(rule, request_origin, request_method, request_headers, rule.allow_private_network)
    return fields + ([("Vary", ", ".join(vary))] if vary else [])


def actual_fields(rule: Rule, request_origin: str) -> list[tuple[str, str]]:
    """The headers added to the response of a request the rule allows (Vary: Origin is merged apart)."""
    return actual_answer(rule, request_origin)[0]


def star_without_origin_note(rule: Rule, target: str) -> list[str]:
    """For a target that answers only requests with an Origin: what that costs a '*' rule without credentials."""
    if rule.reflects_origin:
        return []
    return [
        f"'*' without credentials: {target} sends no Access-Control-Allow-Origin to a request without Origin, "
        "where the addon sends '*'; a response cached from an <img> or a navigation then fails a later "
        "fetch(). Send Vary: Origin (or Cache-Control: no-store) on these paths."
    ]


def lost_in(
    rule: Rule,
    target: str,
    *,
    reflects_methods: bool,
    private_network: bool,
    star_without_origin: bool = True,
    varies_without_origin: bool = True,
) -> list[str]:
    """What `target` cannot express of the rule, for the export's comments (`cors-addon verify` finds each)."""
    notes = [] if star_without_origin else star_without_origin_note(rule, target)
    if rule.reflects_origin and not varies_without_origin:
        notes.append(
            f"{target} sends no Vary: Origin to a request without Origin, where the addon does; a shared cache may "
            "then hand that response to a fetch() from an allowed origin, which fails. Send Vary: Origin on these "
            "paths (e.g. in an after_request hook)."
        )
    if rule.filter_text is not None:
        notes.append(
            f"NOT EXPORTED: the mitmproxy filter {rule.filter_text!r}; this applies to every request on its paths."
        )
    if rule.allow_methods is None and not reflects_methods:
        notes.append(f"allow_methods '*': {target} allows the listed methods only; the standard ones are listed.")
    if rule.expose_headers is None and rule.allow_credentials:
        notes.append("NOT EXPORTED: expose_headers '*' with credentials (the addon lists each response's names).")
    if rule.allow_private_network and not private_network:
        notes.append(f"NOT EXPORTED: allow_private_network: {target} does not answer private network requests.")
    if rule.preflight is Preflight.FORWARD:
        notes.append(f"preflight: forward is exported as answer: {target} answers the preflight itself.")
    return notes + websocket_origin_note(rule, target)
