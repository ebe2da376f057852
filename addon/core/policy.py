"""What a rule says about one request: `decide` (pure, no mitmproxy).

The Decision names the rule, the action and the Access-Control-* headers it calls for;
`respond` (addon/respond.py) then works out the whole answer once the response is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from addon.core.patterns import NULL_ORIGIN, TOKEN, parse_origin
from addon.core.request import MAX_REQUESTED_HEADERS, CorsRequest, Kind, requested_header_names
from addon.core.rule import SAFELISTED_REQUEST_HEADERS, Preflight, Rule
from addon.core.ruleset import FilterCheck, RuleSet


class Action(str, Enum):
    NOT_CORS = "not cors"  # not a CORS request: only what keeps a cache from handing it to one is added
    ANSWER = "answered"  # the proxy answers the preflight itself
    REPAIR = "forwarded"  # the preflight goes to the server; its reply is repaired
    ALLOW = "allowed"  # the actual response gets the CORS headers
    REFUSE = "refused"  # a rule covers it but does not allow it: passed on untouched
    UNTOUCHED = "untouched"  # no rule covers it


@dataclass(frozen=True)
class Decision:
    request: CorsRequest
    action: Action
    rule: str | None = None
    reason: str = ""  # what was refused, or a note on what was allowed
    headers: tuple[tuple[str, str], ...] = ()  # Access-Control-* to set
    vary: tuple[str, ...] = ()  # request headers the answer depends on
    detail: str = ""  # the short summary shown in brackets in the log line
    expose_all_names: bool = False  # expose "*" with credentials: list the response's header names
    preflight_status: int = 204
    rewrite_cookies: bool = False  # the rule rewrites Set-Cookie the browser would drop cross-site

    @property
    def kind(self) -> Kind:
        return self.request.kind

    @property
    def origin(self) -> str:
        return self.request.origin


def decide(request: CorsRequest, rules: RuleSet, passes_filter: FilterCheck | None = None) -> Decision | None:
    """None when there is nothing to do: a request that is not cross-origin on a host no rule covers.
    `passes_filter(rule)`: does that rule's filter match."""
    rule = rules.index.lookup(request.host, request.port, request.path, passes_filter)
    if not request.cross_origin:
        return None if rule is None else _decide_not_cors(rule, request)
    if rule is None:
        return Decision(request, Action.UNTOUCHED, reason="no rule covers this host and path")
    problems = _origin_problems(rule, request)
    if problems:
        return Decision(request, Action.REFUSE, rule.name, reason="; ".join(problems), vary=("Origin",))
    return _decide_preflight(rule, request) if request.is_preflight else _decide_actual(rule, request)


def _decide_not_cors(rule: Rule, request: CorsRequest) -> Decision:
    """A cache (the browser's, a CDN, a service worker) may hand this response to a later CORS request
    ("CORS protocol and HTTP caches"): a rule that names the origin says the answer varies on it; a '*'
    rule without credentials gives it the same '*' (and Expose-Headers) a CORS request gets, as
    expressjs/cors and flask-cors do."""
    if rule.reflects_origin:
        return Decision(request, Action.NOT_CORS, rule.name, vary=("Origin",))
    headers, _ = actual_answer(rule, "*")
    return Decision(request, Action.NOT_CORS, rule.name, headers=tuple(headers))


def _origin_problems(rule: Rule, request: CorsRequest) -> list[str]:
    if len(request.origins) > 1:
        return [f"{len(request.origins)} Origin headers; a browser sends exactly one"]
    refusal = origin_refusal(rule, request.origin)
    return [refusal] if refusal else []


def origin_refusal(rule: Rule, origin: str) -> str:
    """Why the rule refuses this Origin value ("" when it allows it)."""
    parsed = parse_origin(origin)
    if parsed is None:
        return f"Origin {origin[:80]!r} is not a valid origin"
    if parsed.serialize() != origin:
        return f"Origin {origin[:80]!r} is not in the form browsers send ({parsed.serialize()}): not a browser"
    if parsed is NULL_ORIGIN and not rule.lists_null:
        return (
            "Origin 'null' (a sandboxed iframe, a file: page, a redirect across origins) is allowed only "
            'where allow_origins lists "null"'
        )
    if rule.allow_origins is None or any(pattern.matches(parsed) for pattern in rule.allow_origins):
        return ""
    if any(pattern.fullmatch(origin) for pattern in rule.allow_origin_regex):
        return ""
    return f"origin {origin} is not in allow_origins" + (
        " nor matches allow_origin_regex" if rule.allow_origin_regex else ""
    )


def allow_origin_fields(rule: Rule, origin: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Allow-Origin (and Allow-Credentials) for `origin`, and the Vary names they need."""
    if not rule.reflects_origin:
        return [("Access-Control-Allow-Origin", "*")], []
    headers = [("Access-Control-Allow-Origin", origin)]
    if rule.allow_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    return headers, ["Origin"]


def _preflight_problems(rule: Rule, request: CorsRequest, method: str, names: list[str] | None) -> list[str]:
    problems = []
    if not TOKEN.match(method):
        problems.append(f"Access-Control-Request-Method {method[:40]!r} is not a method name")
    elif rule.allow_methods is not None and method not in rule.allow_methods:
        problems.append(f"method {method} is not in allow_methods [{rule.allow_methods_value}]")
    if names is None:
        count = (request.request_headers or "").count(",") + 1
        problems.append(
            f"Access-Control-Request-Headers asks for {count} headers, more than {MAX_REQUESTED_HEADERS}"
            if count > MAX_REQUESTED_HEADERS
            else "Access-Control-Request-Headers is not a list of header names"
        )
    elif rule.allow_headers is not None:
        refused = [n for n in names if n not in rule.allow_headers and n not in SAFELISTED_REQUEST_HEADERS]
        if refused:
            problems.append(f"header {', '.join(refused)} not in allow_headers [{', '.join(rule.allow_headers)}]")
    if request.private_network and not rule.allow_private_network:
        problems.append("private network access asked for, but allow_private_network is false")
    return problems


def _decide_preflight(rule: Rule, request: CorsRequest) -> Decision:
    method = request.request_method or ""
    names = requested_header_names(request.request_headers)
    problems = _preflight_problems(rule, request, method, names)
    if problems or names is None:
        return Decision(request, Action.REFUSE, rule.name, reason="; ".join(problems), vary=("Origin",))
    requested = ", ".join(names) if names else None
    headers, vary = preflight_answer(rule, request.origin, method, requested, request.private_network)
    detail = f"methods {method}" + (f"; headers {', '.join(names)}" if names else "")
    if request.private_network:
        detail += "; private network"
    action = Action.ANSWER if rule.preflight is Preflight.ANSWER else Action.REPAIR
    return Decision(
        request,
        action,
        rule.name,
        headers=tuple(headers),
        vary=tuple(vary),
        detail=detail,
        preflight_status=rule.preflight_status,
    )


def preflight_answer(
    rule: Rule, origin: str, method: str, requested_headers: str | None, private_network: bool
) -> tuple[list[tuple[str, str]], list[str]]:
    """The fields of an allowed preflight's answer, and the Vary names they need. The arguments are the
    request's Origin, Access-Control-Request-Method and -Headers (None: none asked for) as the answer
    writes them: their values here, a server's placeholders in the exports."""
    headers, vary = allow_origin_fields(rule, origin)
    if rule.allow_methods is None:
        headers.append(("Access-Control-Allow-Methods", method))
        vary.append("Access-Control-Request-Method")
    else:
        headers.append(("Access-Control-Allow-Methods", rule.allow_methods_value))
    if rule.allow_headers is None:
        if requested_headers:
            headers.append(("Access-Control-Allow-Headers", requested_headers))
        vary.append("Access-Control-Request-Headers")
    else:
        headers.append(("Access-Control-Allow-Headers", ", ".join(rule.allowed_header_names)))
    headers.append(("Access-Control-Max-Age", str(rule.max_age)))
    if private_network:
        headers.append(("Access-Control-Allow-Private-Network", "true"))
    return headers, vary


def actual_answer(rule: Rule, origin: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The fields added to the response of an allowed request, and the Vary names they need."""
    headers, vary = allow_origin_fields(rule, origin)
    expose = rule.expose_value
    if expose:
        headers.append(("Access-Control-Expose-Headers", expose))
    return headers, vary


def _decide_actual(rule: Rule, request: CorsRequest) -> Decision:
    headers, vary = actual_answer(rule, request.origin)
    expose_all_names = rule.expose_headers is None and rule.allow_credentials
    reason = ""
    if rule.allow_origins is None and not rule.allow_credentials and request.carries_credentials:
        reason = (
            "answered with Access-Control-Allow-Origin '*': the browser blocks this if the page "
            "sends credentials (credentials: 'include' / withCredentials); set allow_credentials: "
            "true and list the origins"
        )
    detail = "credentials" if rule.allow_credentials else "no credentials"
    return Decision(
        request,
        Action.ALLOW,
        rule.name,
        reason=reason,
        headers=tuple(headers),
        vary=tuple(vary),
        detail=detail,
        expose_all_names=expose_all_names,
        rewrite_cookies=rule.rewrite_cookies,
    )
