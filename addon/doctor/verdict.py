"""What the browser will decide about one cross-origin exchange, and why, in its own words.

Pure functions over plain data. The checks follow the Fetch standard's CORS check and
CORS-preflight fetch, in the order Chromium runs them; the messages are Chromium's console
text (as seen in Chromium 150) and Firefox's reason codes.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from addon.core.patterns import TOKEN
from addon.core.rule import SIMPLE_METHODS
from addon.doctor.exchange import ALWAYS_READABLE, NEVER_READABLE, Credentials, Exchange, Judgement, Verdict

__all__ = [
    "ALWAYS_READABLE",
    "NEVER_READABLE",
    "Credentials",
    "Exchange",
    "Judgement",
    "Verdict",
    "verdict",
    "exposure",
]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PREFLIGHT_FAILED_CALL = "CORSDidNotSucceed"
PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
NO_ALLOW_ORIGIN = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
VALID_VALUE = " Have the server send the header with a valid value."
_URL_LIKE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_SPECIAL_SCHEMES = ("http", "https", "ws", "wss", "ftp")


def _parses_as_url(value: str) -> bool:
    """Roughly Chromium's GURL validity: a scheme, and for web schemes a host and a valid port.

    GURL forgives missing slashes: 'http:/host' and 'http:host' are valid (seen in Chromium 150)."""
    if not _URL_LIKE.match(value):
        return False
    scheme, rest = value.split(":", 1)
    if scheme.lower() not in _SPECIAL_SCHEMES:
        return True
    authority = re.split(r"[/?#]", rest.lstrip("/\\"), maxsplit=1)[0]
    parts = urlsplit(f"{scheme}://{authority}")
    try:
        _ = parts.port  # raises ValueError unless the port is a number in range
    except ValueError:
        return False
    return bool(parts.hostname)


class _Blocked(Exception):
    def __init__(self, reason: str, firefox: str, fix: str):
        super().__init__(reason)
        self.reason, self.firefox, self.fix = reason, firefox, fix


def cors_check(
    origin: str,
    credentials: bool,
    allow_origin: str | None,
    allow_credentials: str | None,
    allow_origin_fields: int = 1,
) -> None:
    """The CORS check on one response. Raises _Blocked with Chromium's wording."""
    if allow_origin is None:
        raise _Blocked(NO_ALLOW_ORIGIN, "CORSMissingAllowOrigin", f"send Access-Control-Allow-Origin: {origin}")
    value = allow_origin
    if value == "*":
        if credentials:
            raise _Blocked(
                "The value of the 'Access-Control-Allow-Origin' header in the response must not be the "
                "wildcard '*' when the request's credentials mode is 'include'.",
                "CORSNotSupportingCredentials",
                f"send the exact origin (Access-Control-Allow-Origin: {origin}) and "
                "Access-Control-Allow-Credentials: true instead of '*'",
            )
        return
    if value != origin:
        if " " in value or "," in value:
            raise _Blocked(
                f"The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but only "
                "one is allowed." + VALID_VALUE,
                # Firefox names two header fields so; one field holding two origins is a mismatch to it.
                "CORSMultipleAllowOriginNotAllowed" if allow_origin_fields > 1 else "CORSAllowOriginNotMatchingOrigin",
                f"send exactly one Access-Control-Allow-Origin: {origin} (is a proxy or framework "
                "adding a second one?)",
            )
        if value != "null" and not _parses_as_url(value):
            raise _Blocked(
                f"The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'." + VALID_VALUE,
                "CORSAllowOriginNotMatchingOrigin",
                f"send Access-Control-Allow-Origin: {origin}",
            )
        raise _Blocked(
            f"The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal to the "
            "supplied origin." + VALID_VALUE,
            "CORSAllowOriginNotMatchingOrigin",
            f"send Access-Control-Allow-Origin: {origin} (byte for byte: no trailing slash, lowercase)",
        )
    if credentials and allow_credentials != "true":
        raise _Blocked(
            f"The value of the 'Access-Control-Allow-Credentials' header in the response is "
            f"'{allow_credentials or ''}' which must be 'true' when the request's credentials mode is "
            "'include'.",
            "CORSMissingAllowCredentials",
            "send Access-Control-Allow-Credentials: true",
        )


def _parse_list(value: str | None) -> list[str] | None:
    """A header list value; None when an item is not a token (Chromium then cannot parse it)."""
    if value is None:
        return []
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items if all(TOKEN.match(item) for item in items) else None


def _origin_check(ex: Exchange) -> None:
    cors_check(
        ex.origin,
        ex.credentials,
        ex.header("access-control-allow-origin"),
        ex.header("access-control-allow-credentials"),
        ex.count("access-control-allow-origin"),
    )


def _preflight_checks(ex: Exchange, steps: list[str]) -> None:
    if ex.status in REDIRECT_STATUSES:
        # Chromium refuses the redirect first; Firefox (ESR 153) runs the origin check on it first, and
        # then reports the failed call twice.
        try:
            _origin_check(ex)
            firefox = "CORSExternalRedirectNotAllowed, CORSPreflightDidNotSucceed"
        except _Blocked as e:
            firefox = f"{e.firefox}, {PREFLIGHT_FAILED_CALL}"
        raise _Blocked(
            PREFLIGHT_PREFIX + "Redirect is not allowed for a preflight request.",
            firefox,
            "answer OPTIONS at this URL itself; a preflight must not redirect",
        )
    try:
        _origin_check(ex)
    except _Blocked as e:
        raise _Blocked(PREFLIGHT_PREFIX + e.reason, e.firefox, e.fix) from None
    steps.append(
        "preflight CORS check (Access-Control-Allow-Origin" + (", -Credentials" if ex.credentials else "") + "): passes"
    )
    if not 200 <= ex.status < 300:
        raise _Blocked(
            PREFLIGHT_PREFIX + "It does not have HTTP ok status.",
            "CORSPreflightDidNotSucceed",
            f"answer OPTIONS with 204 instead of {ex.status} (before authentication or routing)",
        )
    steps.append(f"preflight status {ex.status}: ok")
    _allowed_method_and_headers(ex, steps)


def _allowed_method_and_headers(ex: Exchange, steps: list[str]) -> None:
    """The preflight's Access-Control-Allow-Methods and -Headers against what the call will send."""
    methods = _parse_list(ex.header("access-control-allow-methods"))
    if methods is None:
        raise _Blocked(
            "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
            "CORSInvalidAllowMethod",
            "send a comma-separated list of method names",
        )
    headers = _parse_list(ex.header("access-control-allow-headers"))
    if headers is None:
        raise _Blocked(
            "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
            "CORSInvalidAllowHeader",
            "send a comma-separated list of header names",
        )
    method = ex.request_method or ""
    star = not ex.credentials
    if not (method in SIMPLE_METHODS or method in methods or (star and "*" in methods)):
        raise _Blocked(
            f"Method {method} is not allowed by Access-Control-Allow-Methods in preflight response.",
            "CORSMethodNotFound",
            f"add {method} to Access-Control-Allow-Methods (byte for byte, uppercase)"
            + ("; '*' does not count with credentials" if "*" in methods else ""),
        )
    steps.append(f"method {method}: allowed")
    allowed = {h.lower() for h in headers}
    for name in sorted(h.lower() for h in ex.request_headers):
        if name not in allowed and not (star and "*" in allowed):
            raise _Blocked(
                f"Request header field {name} is not allowed by Access-Control-Allow-Headers in preflight response.",
                "CORSMissingAllowHeaderFromPreflight",
                f"add {name} to Access-Control-Allow-Headers"
                + ("; '*' does not count with credentials" if "*" in allowed else ""),
            )
    if ex.request_headers:
        steps.append(f"headers {', '.join(sorted(ex.request_headers))}: allowed")
        if "authorization" in ex.request_headers and "authorization" not in allowed:
            steps.append("note: only '*' covers authorization; the standard (and Firefox) want it named")


def _actual_checks(ex: Exchange, steps: list[str]) -> None:
    _origin_check(ex)
    steps.append("CORS check (Access-Control-Allow-Origin" + (", -Credentials" if ex.credentials else "") + "): passes")
    location = ex.header("location")
    if ex.status in REDIRECT_STATUSES and location:
        if urlsplit(location).username is not None:
            # Chromium 150 prints the location as '' in this message.
            raise _Blocked(
                "Redirect location '' contains a username and password, which is disallowed for cross-origin requests.",
                "CORSExternalRedirectNotAllowed",
                f"remove user:password from the Location header ({location})",
            )
        steps.append(f"redirect to {location}: followed; that response is checked again")


def verdict(ex: Exchange, explain: bool = False) -> Verdict:
    """Pass, or the first failure the browser reports, with its message.

    `explain` adds what a script may read of a passing response to the steps."""
    steps = [
        f"{'preflight for ' + str(ex.request_method) if ex.is_preflight else ex.method} {ex.url} "
        f"from {ex.origin}, credentials {'include' if ex.credentials else 'not included'}: "
        f"server answered {ex.status}"
    ]
    try:
        (_preflight_checks if ex.is_preflight else _actual_checks)(ex, steps)
    except _Blocked as e:
        chromium = (
            f"Access to fetch at '{ex.url}' from origin '{ex.origin}' has been blocked by CORS policy: {e.reason}"
        )
        steps.append(f"blocked: {e.reason}")
        # Firefox follows every failed preflight with the failure of the call itself (seen in ESR 153).
        firefox = f"{e.firefox}, {PREFLIGHT_FAILED_CALL}" if ex.is_preflight else e.firefox
        return Verdict(True, e.reason, chromium, firefox, e.fix, tuple(steps))
    if explain and not ex.is_preflight:
        steps.append(exposure(ex))
    return Verdict(False, steps=tuple(steps))


def readable_names(ex: Exchange) -> tuple[list[str], list[str]]:
    """The response's header names a script may read and those hidden from it (safelisted ones left out)."""
    exposed = _parse_list(ex.header("access-control-expose-headers")) or []
    everything, listed = "*" in exposed and not ex.credentials, {h.lower() for h in exposed}
    readable: list[str] = []
    hidden: list[str] = []
    for name in dict.fromkeys(k.lower() for k, _ in ex.response_headers):
        if name.startswith("access-control-") or name in ALWAYS_READABLE:
            continue
        (readable if name not in NEVER_READABLE and (everything or name in listed) else hidden).append(name)
    return readable, hidden


def exposure(ex: Exchange) -> str:
    """Which response headers a script may read."""
    readable, hidden = readable_names(ex)
    text = "readable by script: the safelisted headers" + (f", {', '.join(readable)}" if readable else "")
    return text + (f"; hidden: {', '.join(hidden)}" if hidden else "")
