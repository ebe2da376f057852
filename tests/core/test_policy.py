import textwrap

import pytest

from addon.answer.respond import cors_headers, merge_vary
from addon.config.load import parse_rules
from addon.core.policy import decide
from addon.core.request import CorsRequest

ORIGIN = "http://localhost:3000"


def rules(text):
    return parse_rules(textwrap.dedent(text))


API = rules("""
    rules:
      - name: api
        hosts: [api.example.com]
        allow_origins: [http://localhost:3000]
""")


def request(method="GET", url="https://api.example.com/items", origins=(ORIGIN,), **kwargs):
    scheme, rest = url.split("://")
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    port = int(port) if port else {"http": 80, "https": 443}[scheme]
    own = kwargs.pop("own_origins", (f"{scheme}://{hostport}",))
    return CorsRequest(method, scheme, host, port, "/" + path, tuple(origins), own, **kwargs)


def preflight(method="PUT", headers=None, **kwargs):
    return request("OPTIONS", request_method=method, request_headers=headers, **kwargs)


def test_no_origin_and_same_origin_are_not_cors():
    for origins in ((), ("https://api.example.com",)):
        decision = decide(request(origins=origins), API)
        assert decision.action == "not cors" and decision.headers == ()


def test_uncovered_host_is_untouched():
    decision = decide(request(url="https://other.example.com/x"), API)
    assert decision.action == "untouched" and decision.headers == ()


def test_preflight_answered_with_reflection():
    decision = decide(preflight("PUT", "authorization,content-type"), API)
    assert decision.action == "answered"
    assert dict(decision.headers) == {
        "Access-Control-Allow-Origin": ORIGIN,
        "Access-Control-Allow-Methods": "PUT",
        "Access-Control-Allow-Headers": "authorization, content-type",
        "Access-Control-Max-Age": "5",
    }
    assert decision.vary == ("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")
    assert decision.detail == "methods PUT; headers authorization, content-type"


def test_preflight_with_listed_methods_and_headers():
    listed = rules("""
        rules:
          - hosts: api.example.com
            allow_methods: [GET, PUT]
            allow_headers: [X-Token]
            allow_credentials: true
            max_age: 600
    """)
    decision = decide(preflight("PUT", "content-type,x-token"), listed)
    assert decision.action == "answered"
    headers = dict(decision.headers)
    assert headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert headers["Access-Control-Allow-Headers"] == "x-token, accept, accept-language, content-language, content-type"
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["Access-Control-Max-Age"] == "600"
    assert decision.vary == ("Origin",)


@pytest.mark.parametrize(
    "method, headers, origin, expected",
    [
        ("DELETE", None, ORIGIN, "method DELETE is not in allow_methods [GET, PUT]"),
        ("PUT", "x-other,x-token", ORIGIN, "header x-other not in allow_headers [x-token]"),
        ("PUT", None, "http://evil.example", "origin http://evil.example is not in allow_origins"),
        ("PUT", "x-a b", ORIGIN, "Access-Control-Request-Headers is not a list of header names"),
        ("PU T", None, ORIGIN, "is not a method name"),
    ],
)
def test_preflight_refusals_name_the_part(method, headers, origin, expected):
    listed = rules("""
        rules:
          - name: strict
            hosts: api.example.com
            allow_origins: [http://localhost:3000]
            allow_methods: [GET, PUT]
            allow_headers: [X-Token]
    """)
    decision = decide(preflight(method, headers, origins=(origin,)), listed)
    assert decision.action == "refused"
    assert decision.rule == "strict"
    assert expected in decision.reason
    assert decision.headers == ()


def test_private_network_only_when_allowed():
    refused = decide(preflight(private_network=True), API)
    assert refused.action == "refused" and "allow_private_network is false" in refused.reason
    allowing = rules("rules:\n  - hosts: api.example.com\n    allow_private_network: true\n")
    answered = decide(preflight(private_network=True), allowing)
    assert dict(answered.headers)["Access-Control-Allow-Private-Network"] == "true"
    assert "Access-Control-Allow-Private-Network" not in dict(decide(preflight(), allowing).headers)


def test_forward_mode_preflight():
    forward = rules("rules:\n  - hosts: api.example.com\n    preflight: forward\n")
    assert decide(preflight(), forward).action == "forwarded"


def test_star_origin_without_credentials_answers_star():
    star = rules("rules:\n  - hosts: api.example.com\n    allow_origins: '*'\n")
    decision = decide(request(origins=("https://anything.example",)), star)
    assert dict(decision.headers)["Access-Control-Allow-Origin"] == "*"
    assert "Origin" not in decision.vary


def test_star_origin_with_credentials_reflects_the_origin():
    star = rules("rules:\n  - hosts: api.example.com\n    allow_origins: '*'\n    allow_credentials: true\n")
    decision = decide(request(origins=("https://anything.example",)), star)
    headers = dict(decision.headers)
    assert headers["Access-Control-Allow-Origin"] == "https://anything.example"
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert decision.vary == ("Origin",)


def test_star_without_credentials_warns_when_the_request_carries_credentials():
    star = rules("rules:\n  - hosts: api.example.com\n    allow_origins: '*'\n")
    decision = decide(request(carries_credentials=True), star)
    assert decision.action == "allowed"
    assert "the browser blocks this if the page sends credentials" in decision.reason


def test_actual_response_expose_star_without_credentials():
    decision = decide(request(), API)
    assert response_headers(decision, ["X-Total"]) == [
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Expose-Headers", "*"),
    ]


def test_actual_response_expose_star_with_credentials_lists_real_names():
    creds = rules("rules:\n  - hosts: api.example.com\n    allow_credentials: true\n")
    decision = decide(request(), creds)
    headers = response_headers(
        decision, ["Content-Type", "X-Total", "Set-Cookie", "x-total", "Access-Control-Allow-Origin", "ETag"]
    )
    assert headers == [
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "x-total, etag"),
    ]


def test_actual_response_expose_list():
    listed = rules("rules:\n  - hosts: api.example.com\n    expose_headers: [X-Total]\n")
    assert ("Access-Control-Expose-Headers", "x-total") in response_headers(decide(request(), listed), [])


def test_actual_request_from_refused_origin():
    decision = decide(request(origins=("http://localhost.evil.net:3000",)), API)
    assert decision.action == "refused" and decision.headers == ()


@pytest.mark.parametrize(
    "origins, expected",
    [
        ((ORIGIN, ORIGIN), "2 Origin headers"),
        (("http://local\u00e9host",), "is not a valid origin"),
        (("http://localhost:3000\r\nX-Injected: 1",), "is not a valid origin"),
        (("",), "is not a valid origin"),
    ],
)
def test_hostile_origins_are_refused(origins, expected):
    star = rules("rules:\n  - hosts: api.example.com\n    allow_origins: '*'\n")
    decision = decide(request(origins=origins), star)
    assert decision.action == "refused" and expected in decision.reason


def test_null_origin_only_when_listed():
    assert decide(request(origins=("null",)), API).action == "refused"
    listed = rules("rules:\n  - hosts: api.example.com\n    allow_origins: ['null']\n")
    assert dict(decide(request(origins=("null",)), listed).headers)["Access-Control-Allow-Origin"] == "null"


def test_first_matching_rule_decides_with_paths():
    ordered = rules("""
        rules:
          - name: v1
            hosts: api.example.com
            paths: ["/v1/**"]
            allow_credentials: true
          - name: rest
            hosts: ["*.example.com"]
    """)
    assert decide(request(url="https://api.example.com/v1/x"), ordered).rule == "v1"
    assert decide(request(url="https://api.example.com/v2/x"), ordered).rule == "rest"
    assert decide(request(url="https://example.com/v1/x"), ordered).action == "untouched"


def test_a_filter_is_asked_about_through_the_shells_predicate():
    filtered = parse_rules(
        "rules:\n  - hosts: api.example.com\n    filter: yes-please\n",
        compile_filter=lambda expression: lambda subject: subject == expression,
    )
    assert decide(request(), filtered, lambda rule: rule.filter("yes-please")).action == "allowed"
    assert decide(request(), filtered, lambda rule: rule.filter("no")).action == "untouched"
    assert decide(request(), filtered).action == "untouched"  # no predicate: a filtered rule never matches


@pytest.mark.parametrize(
    "existing, additions, expected",
    [
        ([], ("Origin",), "Origin"),
        (["Accept-Encoding"], ("Origin",), "Accept-Encoding, Origin"),
        (["accept-encoding, origin"], ("Origin",), None),
        (["*"], ("Origin",), None),
        (
            ["Accept", "Cookie"],
            ("Origin", "Access-Control-Request-Method"),
            "Accept, Cookie, Origin, Access-Control-Request-Method",
        ),
        ([], (), None),
    ],
)
def test_merge_vary(existing, additions, expected):
    assert merge_vary(existing, additions) == expected


def response_headers(decision, names):
    return list(cors_headers(decision, [(name, "") for name in names]))


def test_null_is_not_allowed_by_star():
    """Starlette's test_cors_null_origin_rejection: '*' does not open the API to sandboxed iframes."""
    star = rules("rules:\n  - hosts: api.example.com\n    allow_origins: '*'\n")
    decision = decide(request(origins=("null",)), star)
    assert decision.action == "refused" and "allowed only where allow_origins lists" in decision.reason


def test_custom_methods_are_answered_byte_for_byte():
    listed = rules("rules:\n  - hosts: api.example.com\n    allow_methods: [bar, method1]\n")
    decision = decide(preflight("bar"), listed)
    assert decision.action == "answered"
    assert dict(decision.headers)["Access-Control-Allow-Methods"] == "bar, method1"
    assert decide(preflight("BAR"), listed).action == "refused"


def test_covered_requests_without_cors_still_vary_on_origin():
    no_origin = decide(request(origins=()), API)
    assert no_origin.action == "not cors" and no_origin.vary == ("Origin",) and no_origin.headers == ()
    same_origin = decide(request(origins=("https://api.example.com",)), API)
    assert same_origin.action == "not cors"
    assert decide(request(url="https://other.example.com/x", origins=()), API) is None  # not covered


def test_refusals_vary_on_origin():
    refused = decide(request(origins=("https://evil.example",)), API)
    assert refused.action == "refused" and refused.vary == ("Origin",) and refused.headers == ()


def test_origin_regex_is_matched_whole():
    regex = rules("""
        rules:
          - hosts: api.example.com
            allow_origin_regex: ['https://.*\\.example\\.org']
    """)
    assert decide(request(origins=("https://a.example.org",)), regex).action == "allowed"
    assert decide(request(origins=("https://a.example.org.hacker.com",)), regex).action == "refused"
    assert decide(request(origins=("null",)), regex).action == "refused"


def test_paths_are_matched_after_resolving_dot_segments():
    public = rules("rules:\n  - hosts: api.example.com\n    paths: ['/public/**']\n")
    assert decide(request(url="https://api.example.com/public/a/..%2F..%2Fprivate/x"), public).action == "untouched"
    assert decide(request(url="https://api.example.com/public/a/../b"), public).action == "allowed"


def test_a_star_rule_answers_requests_without_origin_with_star_too():
    """A cached copy of a response to an <img> or a navigation is handed to a later fetch(): it must carry
    what the fetch needs (shown in Chromium: tests/e2e/test_browser.py)."""
    star = rules("rules:\n  - hosts: api.example.com\n    allow_origins: '*'\n    expose_headers: [x-total]\n")
    for origins in ((), ("https://api.example.com",)):
        decision = decide(request(origins=origins), star)
        assert decision.action == "not cors" and decision.vary == ()
        assert decision.headers == (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "x-total"))
    with_credentials = rules(
        "rules:\n  - hosts: api.example.com\n    allow_origins: '*'\n    allow_credentials: true\n"
    )
    assert decide(request(origins=()), with_credentials).headers == ()  # it reflects: Vary: Origin instead
