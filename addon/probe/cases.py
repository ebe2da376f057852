"""The calls `cors-addon verify` sends for one rule (pure): each allowed origin and refused lookalikes, each
allowed method and header and one that is not, a call without Origin, private network where allowed.
Every case is judged in both credentials modes, so credentials on and off need no cases of their own."""

from __future__ import annotations

from dataclasses import dataclass

from addon.core.patterns import ANY_PORT, DEFAULT_PORTS, REGEX_HOST_TOKEN, HostPattern, format_host, parse_origin
from addon.core.policy import Action, decide
from addon.core.rule import SAFELISTED_REQUEST_HEADERS, SIMPLE_METHODS, Rule
from addon.core.ruleset import RuleSet
from addon.probe.plan import FetchCall
from addon.probe.probe import as_request

SAMPLE_ORIGIN = "http://localhost:5173"  # for a rule that allows any origin
SAMPLE_PORT = 5173  # for an origin pattern with any port
LOOKALIKE = "{scheme}://{host}.evil.example{port}"
FOREIGN_ORIGIN = "https://evil.example"
NOT_ALLOWED_METHODS = ("PATCH", "DELETE", "PUT")
UNLISTED_HEADER = "x-verify-unlisted"


@dataclass(frozen=True)
class Case:
    name: str
    call: FetchCall | None  # None: a GET without Origin (what a cache may later hand to a CORS request)


def target(rule: Rule) -> tuple[str, bool]:
    """The rule's own base URL, and whether it names one server (a `*.domain` host needs --against): https
    unless the host names a port other than 443."""
    host: HostPattern = rule.hosts[0]
    name = f"verify.{host.host}" if host.subdomains else host.host
    scheme = "https" if host.port in (443, ANY_PORT) else "http"
    port = DEFAULT_PORTS[scheme] if host.port == ANY_PORT else host.port
    return f"{scheme}://{format_host(name, scheme, port)}", not host.subdomains


def allowed_origins(rule: Rule) -> tuple[list[str], list[str]]:
    """Example origins the rule allows, and notes on the patterns no example could be found for."""
    if rule.allow_origins is None:
        return [SAMPLE_ORIGIN], []
    found: list[str] = []
    for pattern in rule.allow_origins:
        if pattern.scheme == "null":
            found.append("null")
        elif pattern.scheme != "file":
            host = f"verify.{pattern.host}" if pattern.subdomains else pattern.host
            port = SAMPLE_PORT if pattern.port == ANY_PORT else pattern.port
            found.append(f"{pattern.scheme}://{format_host(host, pattern.scheme, port)}")
    notes = []
    for regex in rule.allow_origin_regex:
        example = next((o for o in _regex_candidates(regex.pattern) if regex.fullmatch(o)), None)
        if example is None:
            notes.append(f"allow_origin_regex {regex.pattern!r}: no example origin found; not tried")
        else:
            found.append(example)
    return list(dict.fromkeys(found)), notes


def _regex_candidates(text: str) -> list[str]:
    hosts = [token.replace("\\.", ".") for token in REGEX_HOST_TOKEN.findall(text)] + ["localhost", "127.0.0.1"]
    return [
        f"{scheme}://{prefix}{host}{port}"
        for host in hosts
        for prefix in ("", "verify.", "app.")
        for scheme in ("https", "http")
        for port in ("", f":{SAMPLE_PORT}")
    ]


def refused_origins(rule: Rule, rules: RuleSet, url: str, allowed: list[str]) -> list[str]:
    """A lookalike of the first allowed origin, a foreign site and null, where the rule refuses them."""
    if rule.allow_origins is None:
        return []  # '*': every origin may read (null too, for a server that sends '*')
    candidates = [FOREIGN_ORIGIN, "null"]
    first = next((parse_origin(o) for o in allowed if o != "null"), None)
    if first is not None:
        port = "" if DEFAULT_PORTS.get(first.scheme) == first.port else f":{first.port}"
        candidates.insert(0, LOOKALIKE.format(scheme=first.scheme, host=first.host, port=port))
    return [origin for origin in candidates if _refuses(rule, rules, url, origin)]


def _refuses(rule: Rule, rules: RuleSet, url: str, origin: str) -> bool:
    decision = decide(as_request("GET", url, [("Origin", origin)]), rules, lambda _: True)
    return decision is not None and decision.action is Action.REFUSE and decision.rule == rule.name


def cases(rule: Rule, rules: RuleSet, url: str, path: str) -> tuple[list[Case], list[str]]:
    """The cases for `rule` at `url` + `path` (the rule's own base URL), and notes on what was not tried."""
    allowed, notes = allowed_origins(rule)
    main = next((origin for origin in allowed if origin != "null"), allowed[0] if allowed else SAMPLE_ORIGIN)
    full = url + path

    def call(name: str, method: str = "GET", headers: tuple[tuple[str, str], ...] = (), origin: str = main) -> Case:
        return Case(name, FetchCall(full, origin, method, headers))

    found = [call(f"GET from {origin}", origin=origin) for origin in allowed]
    found += [
        call(f"GET from {origin} (refused)", origin=origin) for origin in refused_origins(rule, rules, full, allowed)
    ]
    methods = sorted(rule.allow_methods - SIMPLE_METHODS) if rule.allow_methods is not None else ["PUT", "DELETE"]
    found += [call(method, method) for method in methods]
    if rule.allow_methods is not None:
        refused = next((m for m in NOT_ALLOWED_METHODS if m not in rule.allow_methods), None)
        found += [call(f"{refused} (not allowed)", refused)] if refused else []
    headers = [h for h in rule.allow_headers or ("x-verify",) if h not in SAFELISTED_REQUEST_HEADERS]
    found += [call(f"header {name}", headers=((name, "1"),)) for name in headers]
    if rule.allow_headers is not None and UNLISTED_HEADER not in rule.allow_headers:
        found.append(call(f"header {UNLISTED_HEADER} (not allowed)", headers=((UNLISTED_HEADER, "1"),)))
    if rule.allow_private_network:
        found.append(Case("private network", FetchCall(full, main, private_network=True)))
    found.append(Case("GET without Origin", None))
    return found, notes
