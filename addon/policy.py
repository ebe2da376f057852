"""The CORS decisions: plain functions over plain data, no mitmproxy.

`decide` says what to do with a request; `response_headers` says which
Access-Control-* headers an actual response gets once its header names are known.
"""
from __future__ import annotations

from dataclasses import dataclass

from .patterns import DEFAULT_PORTS, parse_origin
from .rules import TOKEN, Rule, RuleSet
from .verdict import ALWAYS_READABLE, NEVER_READABLE, Exchange

SAFELISTED_REQUEST_HEADERS = ("accept", "accept-language", "content-language", "content-type")
MAX_REQUESTED_HEADERS = 200


@dataclass(frozen=True)
class CorsRequest:
    """What the decision needs from a request, already taken out of the flow."""

    method: str
    scheme: str
    host: str
    port: int
    path: str
    origins: tuple[str, ...]  # every Origin header value
    own_origins: tuple[str, ...] = ()  # origins the browser itself gives this URL (same-origin test)
    request_method: str | None = None  # Access-Control-Request-Method
    request_headers: str | None = None  # Access-Control-Request-Headers, raw
    private_network: bool = False  # Access-Control-Request-Private-Network: true
    carries_credentials: bool = False  # a Cookie was sent: the page used credentials "include"

    @property
    def url(self) -> str:
        """The URL as the browser prints it (computed only when a message needs it)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = DEFAULT_PORTS.get(self.scheme) == self.port
        return f"{self.scheme}://{host}{'' if default else f':{self.port}'}{self.path}"


@dataclass(frozen=True)
class Decision:
    kind: str  # "preflight" or "actual"
    outcome: str  # "answered", "forwarded", "allowed", "refused", "untouched"
    origin: str
    rule: str | None = None
    reason: str = ""  # what was refused, or a note on what was allowed
    headers: tuple[tuple[str, str], ...] = ()  # Access-Control-* to set
    vary: tuple[str, ...] = ()
    detail: str = ""  # the short summary shown in brackets in the log line
    expose_all_names: bool = False  # expose "*" with credentials: list the response's header names

def is_preflight(request: CorsRequest) -> bool:
    return request.method == "OPTIONS" and request.request_method is not None


def cross_origin(request: CorsRequest) -> bool:
    """True when the request carries an Origin other than its own: the only ones we touch."""
    if not request.origins:
        return False
    return not (len(request.origins) == 1 and request.origins[0].lower() in request.own_origins)


def decide(request: CorsRequest, rules: RuleSet, subject=None) -> Decision | None:
    """None for a request that is not cross-origin; `subject` is what rule filters see."""
    if not cross_origin(request):
        return None
    kind = "preflight" if is_preflight(request) else "actual"
    origin = request.origins[0]
    rule = rules.index.lookup(request.host, request.port, request.path, subject)
    if rule is None:
        return Decision(kind, "untouched", origin, reason="no rule covers this host and path")
    problems = _origin_problems(rule, request)
    if not problems and kind == "preflight":
        return _decide_preflight(rule, request)
    if not problems:
        return _decide_actual(rule, request)
    return Decision(kind, "refused", origin, rule.name, reason="; ".join(problems))


def _origin_problems(rule: Rule, request: CorsRequest) -> list[str]:
    if len(request.origins) > 1:
        return [f"{len(request.origins)} Origin headers; a browser sends exactly one"]
    origin = request.origins[0]
    parsed = parse_origin(origin)
    if parsed is None:
        return [f"Origin {origin[:80]!r} is not a valid origin"]
    if parsed.serialize() != origin:
        return [f"Origin {origin[:80]!r} is not in the form browsers send ({parsed.serialize()}): not a browser"]
    if rule.allow_origins is None:
        return []
    if not any(pattern.matches(parsed) for pattern in rule.allow_origins):
        return [f"origin {origin} is not in allow_origins"]
    return []


def _allow_origin_headers(rule: Rule, origin: str) -> tuple[list[tuple[str, str]], list[str]]:
    if rule.allow_origins is None and not rule.allow_credentials:
        return [("Access-Control-Allow-Origin", "*")], []
    headers = [("Access-Control-Allow-Origin", origin)]
    if rule.allow_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    return headers, ["Origin"]


def requested_header_names(raw: str | None) -> list[str] | None:
    """The names a preflight asks for, lowercased; None when the list is not valid."""
    if raw is None or not raw.strip():
        return []
    names = [name.strip().lower() for name in raw.split(",") if name.strip()]
    if len(names) > MAX_REQUESTED_HEADERS or not all(TOKEN.match(name) for name in names):
        return None
    return list(dict.fromkeys(names))


def _decide_preflight(rule: Rule, request: CorsRequest) -> Decision:
    method = request.request_method or ""
    names = requested_header_names(request.request_headers)
    problems = []
    if not TOKEN.match(method):
        problems.append(f"Access-Control-Request-Method {method[:40]!r} is not a method name")
    elif rule.allow_methods is not None and method.upper() not in rule.allow_methods:
        problems.append(f"method {method} is not in allow_methods [{rule.allow_methods_value}]")
    if names is None:
        count = (request.request_headers or "").count(",") + 1
        problems.append(f"Access-Control-Request-Headers asks for {count} headers, more than {MAX_REQUESTED_HEADERS}"
                        if count > MAX_REQUESTED_HEADERS else
                        "Access-Control-Request-Headers is not a list of header names")
    elif rule.allow_headers is not None:
        refused = [n for n in names if n not in rule.allow_headers and n not in SAFELISTED_REQUEST_HEADERS]
        if refused:
            problems.append(f"header {', '.join(refused)} not in allow_headers [{rule.allow_headers_value}]")
    if request.private_network and not rule.allow_private_network:
        problems.append("private network access asked for, but allow_private_network is false")
    if problems:
        return Decision("preflight", "refused", request.origins[0], rule.name, reason="; ".join(problems))

    headers, vary = _allow_origin_headers(rule, request.origins[0])
    if rule.allow_methods is None:
        headers.append(("Access-Control-Allow-Methods", method))
        vary.append("Access-Control-Request-Method")
    else:
        headers.append(("Access-Control-Allow-Methods", rule.allow_methods_value))
    if rule.allow_headers is None:
        if names:
            headers.append(("Access-Control-Allow-Headers", ", ".join(names)))
        vary.append("Access-Control-Request-Headers")
    else:
        listed = ", ".join(dict.fromkeys([*filter(None, rule.allow_headers_value.split(", ")),
                                          *SAFELISTED_REQUEST_HEADERS]))
        headers.append(("Access-Control-Allow-Headers", listed))
    headers.append(("Access-Control-Max-Age", str(rule.max_age)))
    if request.private_network:
        headers.append(("Access-Control-Allow-Private-Network", "true"))
    detail = f"methods {method}; headers {', '.join(names) if names else '-'}"
    if request.private_network:
        detail += "; private network"
    outcome = "answered" if rule.preflight == "answer" else "forwarded"
    return Decision("preflight", outcome, request.origins[0], rule.name,
                    headers=tuple(headers), vary=tuple(vary), detail=detail)


def _decide_actual(rule: Rule, request: CorsRequest) -> Decision:
    headers, vary = _allow_origin_headers(rule, request.origins[0])
    expose_all_names = False
    if rule.expose_headers is None and rule.allow_credentials:
        expose_all_names = True
    elif rule.expose_headers is None:
        headers.append(("Access-Control-Expose-Headers", "*"))
    elif rule.expose_headers_value:
        headers.append(("Access-Control-Expose-Headers", rule.expose_headers_value))
    notes = ["credentials" if rule.allow_credentials else "no credentials"]
    reason = ""
    if rule.allow_origins is None and not rule.allow_credentials and request.carries_credentials:
        reason = ("answered with Access-Control-Allow-Origin '*': the browser blocks this if the page "
                  "sends credentials (credentials: 'include' / withCredentials); set allow_credentials: "
                  "true and list the origins")
    return Decision("actual", "allowed", request.origins[0], rule.name, reason=reason,
                    headers=tuple(headers), vary=tuple(vary), detail="; ".join(notes),
                    expose_all_names=expose_all_names)


def response_headers(decision: Decision, response_header_names: list[str]) -> list[tuple[str, str]]:
    """The Access-Control-* headers for the response, given the names it already carries."""
    if not decision.expose_all_names:
        return list(decision.headers)
    names = [
        name.lower() for name in response_header_names
        if name.lower() not in ALWAYS_READABLE | NEVER_READABLE
        and not name.lower().startswith("access-control-")
    ]
    exposed = ", ".join(dict.fromkeys(names))
    return [*decision.headers, *([("Access-Control-Expose-Headers", exposed)] if exposed else [])]


def repaired_status(decision: Decision, status: int) -> int:
    """A forwarded preflight's non-2xx status becomes 204; every other status stays."""
    return 204 if decision.outcome == "forwarded" and not 200 <= status < 300 else status


def rewrite(fields: list[tuple[str, str]], decision: Decision) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str | None]:
    """The response's fields with the decision applied: (all fields, the CORS ones set, new Vary or None)."""
    set_headers = response_headers(decision, [name for name, _ in fields])
    vary = merge_vary([value for name, value in fields if name.lower() == "vary"], decision.vary)
    kept = [(name, value) for name, value in fields
            if not name.lower().startswith("access-control-") and not (vary and name.lower() == "vary")]
    return [*kept, *set_headers, *([("Vary", vary)] if vary else [])], set_headers, vary


def merge_vary(existing: list[str], additions: tuple[str, ...]) -> str | None:
    """One Vary value with `additions` merged in, or None when nothing changes."""
    present = [v.strip() for value in existing for v in value.split(",") if v.strip()]
    lowered = {v.lower() for v in present}
    if "*" in lowered:
        return None
    missing = [a for a in additions if a.lower() not in lowered]
    if not missing:
        return None
    return ", ".join(present + missing)


def to_exchange(request: CorsRequest, status: int, headers: list[tuple[str, str]]) -> Exchange:
    """The request with a response, as the verdict engine sees it."""
    preflight = is_preflight(request)
    names = requested_header_names(request.request_headers) if preflight else ()
    return Exchange(request.url, request.origins[0], request.method, status, tuple(headers),
                    request.carries_credentials, request.request_method if preflight else None,
                    tuple(names or ()))
