"""Property tests (hypothesis) on the pure core: what any rule and any request may produce."""

import dataclasses
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addon.answer.respond import cors_headers
from addon.config.load import FIELDS, RulesError, parse_rules
from addon.core.policy import decide
from addon.core.request import CorsRequest

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

hosts = st.sampled_from(["api.example.com", "127.0.0.1", "localhost", "a.example.net", "example.com"])
ports = st.sampled_from([80, 443, 3000, 5000, 8443])
schemes = st.sampled_from(["http", "https"])
tokens = st.text(alphabet=string.ascii_lowercase + "-", min_size=1, max_size=12).filter(lambda t: t[0] != "-")
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "FROB", "patch", "OPTIONS"])


@st.composite
def origins(draw):
    kind = draw(st.sampled_from(["plain", "null", "weird", "lookalike"]))
    if kind == "null":
        return "null"
    if kind == "weird":
        return draw(st.text(max_size=40))
    host = draw(
        st.sampled_from(
            [
                "localhost",
                "127.0.0.1",
                "example.com",
                "a.example.com",
                "[::1]",
                "example.com.evil.net",
                "evil-example.com",
                "EXAMPLE.com",
                "example.com.",
                "xn--bcher-kva.de",
            ]
        )
    )
    port = draw(st.sampled_from(["", ":3000", ":443", ":444", ":80"]))
    return f"{draw(schemes)}://{host}{port}"


@st.composite
def rule_yaml(draw):
    host = draw(st.sampled_from(["api.example.com", '"*.example.com"', '"127.0.0.1:*"', "localhost", "example.com"]))
    lines = [f"  - name: r{draw(st.integers(0, 99))}", f"    hosts: [{host}]"]
    origin_choice = draw(st.sampled_from(["default", "star", "list"]))
    if origin_choice == "star":
        lines.append('    allow_origins: "*"')
    elif origin_choice == "list":
        listed = draw(
            st.lists(
                st.sampled_from(
                    [
                        "http://localhost:3000",
                        "https://example.com",
                        "null",
                        "https://*.example.com",
                        "http://localhost:*",
                    ]
                ),
                min_size=1,
                max_size=3,
            )
        )
        lines.append(f"    allow_origins: [{', '.join(repr(o) for o in listed)}]")
    lines.append(f"    allow_credentials: {draw(st.sampled_from(['true', 'false']))}")
    lines.append(f"    allow_private_network: {draw(st.sampled_from(['true', 'false']))}")
    for field in ("allow_methods", "allow_headers", "expose_headers"):
        if draw(st.booleans()):
            lines.append(f"    {field}: [{', '.join(repr(t) for t in draw(st.lists(tokens, min_size=1, max_size=3)))}]")
    lines.append(f"    max_age: {draw(st.integers(0, 9000))}")
    lines.append(f"    preflight: {draw(st.sampled_from(['answer', 'forward']))}")
    return "\n".join(lines)


@st.composite
def requests(draw):
    scheme, host, port = draw(schemes), draw(hosts), draw(ports)
    preflight = draw(st.booleans())
    origin_list = draw(st.lists(origins(), min_size=0, max_size=2))
    return CorsRequest(
        method="OPTIONS" if preflight else draw(methods),
        scheme=scheme,
        host=host,
        port=port,
        path=draw(st.sampled_from(["/", "/v1/a"])),
        origins=tuple(origin_list),
        own_origins=(f"{scheme}://{host}:{port}",),
        request_method=draw(methods) if preflight else None,
        request_headers=draw(st.one_of(st.none(), st.text(max_size=60), st.lists(tokens, max_size=4).map(",".join)))
        if preflight
        else None,
        private_network=draw(st.booleans()),
        carries_credentials=draw(st.booleans()),
    )


def response_headers(decision, names):
    return list(cors_headers(decision, [(name, "") for name in names]))


def all_headers(decision, response_names):
    return [*response_headers(decision, response_names), *(("Vary", v) for v in decision.vary)]


@SETTINGS
@given(st.lists(rule_yaml(), min_size=1, max_size=3), requests(), st.lists(tokens, max_size=5))
def test_any_rule_any_request_writes_only_safe_headers(rule_texts, request, response_names):
    rules = parse_rules("rules:\n" + "\n".join(rule_texts) + "\n")
    decision = decide(request, rules)
    if decision is None or decision.action in ("untouched", "refused"):
        assert decision is None or decision.headers == ()
        return
    if decision.action == "not cors":  # only a '*' rule without credentials writes (its constant '*')
        assert all(value != "true" for _, value in decision.headers)
        assert decision.headers == () or dict(decision.headers)["Access-Control-Allow-Origin"] == "*"
        return
    headers = response_headers(decision, response_names)
    names = [name.lower() for name, _ in headers]
    assert len(names) == len(set(names)), "at most one of each Access-Control-* header"
    values = dict((name.lower(), value) for name, value in headers)
    acao = values.get("access-control-allow-origin")
    assert acao is not None
    assert acao == "*" or acao == request.origins[0]
    assert not (acao == "*" and values.get("access-control-allow-credentials") == "true")
    if acao != "*":
        assert "Origin" in decision.vary
    for name, value in headers:
        assert value.isascii() and "\r" not in value and "\n" not in value
        assert name.startswith("Access-Control-")


@SETTINGS
@given(st.lists(rule_yaml(), min_size=1, max_size=3), requests())
def test_uncovered_or_originless_requests_get_no_cors_headers(rule_texts, request):
    rules = parse_rules("rules:\n" + "\n".join(rule_texts) + "\n")
    uncovered = dataclasses.replace(request, host="uncovered.invalid")
    decision = decide(uncovered, rules)
    assert decision is None or (decision.action == "untouched" and decision.headers == () and decision.vary == ())
    originless = decide(dataclasses.replace(request, origins=()), rules)
    # a covered host's answer says what a cache needs: Vary: Origin where it depends on Origin, with no CORS
    # header; else a '*' rule's constant answer, which a CORS request would get too
    assert originless is None or originless.action == "not cors"
    if originless is not None and originless.vary:
        assert originless.headers == () and originless.vary == ("Origin",)
    elif originless is not None:
        call = dataclasses.replace(request, method="GET", request_method=None, origins=("http://localhost:3000",))
        star = dict(decide(call, rules).headers)  # what a CORS call to the same URL gets
        assert dict(originless.headers).items() <= star.items() or star == {}
        assert dict(originless.headers)["Access-Control-Allow-Origin"] == "*"


LOOKALIKES = st.sampled_from(
    [
        "https://example.com.evil.net",
        "https://evil-example.com",
        "https://example.com:444",
        "http://example.com",
        "https://EXAMPLE.COM",
        "https://example.com.",
        "https://xn--exmple-cua.com",
        "https://example.com%2f.evil.net",
        "https://example.comx",
        "https://wwwexample.com",
        "null",
        "https://example.com/",
        "https://example.com:443/",
        "https://example.com@evil.net",
    ]
)


@SETTINGS
@given(LOOKALIKES, st.sampled_from(["https://example.com", "https://example.com:443"]), st.booleans())
def test_lookalike_origins_are_refused(origin, listed, credentials):
    rules = parse_rules(
        f"rules:\n  - hosts: api.example.com\n    allow_origins: ['{listed}']\n"
        f"    allow_credentials: {str(credentials).lower()}\n"
    )
    request = CorsRequest("GET", "https", "api.example.com", 443, "/x", (origin,), ("https://api.example.com",))
    assert decide(request, rules).action == "refused"


@SETTINGS
@given(
    st.sampled_from(
        [
            "https://a.example.com.evil.net",
            "https://example.com",
            "https://a.example.com:444",
            "http://a.example.com",
            "https://aexample.com",
            "https://a.example.co",
        ]
    )
)
def test_subdomain_glob_lookalikes_are_refused(origin):
    rules = parse_rules("rules:\n  - hosts: api.example.com\n    allow_origins: ['https://*.example.com']\n")
    request = CorsRequest("GET", "https", "api.example.com", 443, "/x", (origin,), ("https://api.example.com",))
    assert decide(request, rules).action == "refused"


def test_null_star_and_private_network_only_when_a_rule_says_so():
    generous = parse_rules(
        "rules:\n  - hosts: api.example.com\n    allow_credentials: true\n"
        "    allow_methods: '*'\n    allow_headers: '*'\n    max_age: 600\n"
    )
    null = CorsRequest("GET", "https", "api.example.com", 443, "/x", ("null",), ())
    assert decide(null, generous).action == "refused"
    other = CorsRequest("GET", "https", "api.example.com", 443, "/x", ("https://anywhere.example",), ())
    assert decide(other, generous).action == "refused"
    pna = CorsRequest(
        "OPTIONS",
        "https",
        "api.example.com",
        443,
        "/x",
        ("http://localhost:3000",),
        (),
        "GET",
        None,
        private_network=True,
    )
    assert decide(pna, generous).action == "refused"


yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True), st.text(max_size=30)
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=15), children, max_size=4)
    ),
    max_leaves=12,
)


@SETTINGS
@given(st.text(max_size=300))
def test_loader_never_raises_anything_else_on_arbitrary_text(text):
    try:
        parse_rules(text)
    except RulesError as e:
        assert str(e)


@SETTINGS
@given(st.dictionaries(st.sampled_from([*FIELDS, "bogus"]), yaml_values, max_size=8))
def test_loader_never_raises_anything_else_on_arbitrary_values(rule):
    import json

    text = "rules:\n  - " + json.dumps(rule) + "\n"
    try:
        result = parse_rules(text)
    except RulesError as e:
        assert all(problem.startswith("rules.yaml:") for problem in e.problems)
        return
    assert len(result.rules) == 1
