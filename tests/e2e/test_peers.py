"""What the CORS middlewares backend developers trust test, translated into rules.yaml and run
against a real mitmdump with the addon in front of a real API without CORS (tests/support/upstream.py).

Each test names the peer's test it translates: Starlette (tests/middleware/test_cors.py),
expressjs/cors (test/test.js), rack-cors (test/unit/cors_test.rb), django-cors-headers
(tests/test_middleware.py), flask-cors (tests/decorator/, tests/extension/). Where the addon
deliberately differs, the test asserts the addon's behaviour and says why. The main difference
everywhere: a middleware answers a preflight it refuses itself (Starlette with 400); the addon
passes it on to the server unchanged (but for Vary) and says in its log which part was refused,
since the browser blocks either way and the server's own answer is the more useful thing to see.
"""

import pytest
from support.http_client import send
from support.proxy import Mitmdump
from support.upstream import Upstream

RULES = """
rules:
  - name: allow-all
    hosts: ["127.0.0.1:{port}"]
    paths: ["/allow-all/**"]
    allow_origins: "*"
    allow_credentials: true
    expose_headers: [X-Status]
  - name: allow-all-no-credentials
    hosts: ["127.0.0.1:{port}"]
    paths: ["/star/**"]
    allow_origins: "*"
    expose_headers: [X-Status]
  - name: specific
    hosts: ["127.0.0.1:{port}"]
    paths: ["/specific/**"]
    allow_origins: [https://example.org]
    allow_headers: [X-Example, Content-Type]
  - name: regex-credentials
    hosts: ["127.0.0.1:{port}"]
    paths: ["/regex/**"]
    allow_origin_regex: ["https://.*"]
    allow_headers: [X-Example, Content-Type]
    allow_credentials: true
  - name: regex-fullmatch
    hosts: ["127.0.0.1:{port}"]
    paths: ["/regex-fullmatch/**"]
    allow_origin_regex: ['https://.*\\.example\\.org']
  - name: list-and-regex
    hosts: ["127.0.0.1:{port}"]
    paths: ["/list-and-regex/**"]
    allow_origins: [https://example.org]
    allow_origin_regex: ['https://.*\\.trusted\\.com']
  - name: none
    hosts: ["127.0.0.1:{port}"]
    paths: ["/none/**"]
    allow_origins: []
  - name: post-only
    hosts: ["127.0.0.1:{port}"]
    paths: ["/post-only/**"]
    allow_origins: [https://example.org]
    allow_methods: [POST]
  - name: custom-methods
    hosts: ["127.0.0.1:{port}"]
    paths: ["/custom/**"]
    allow_origins: [https://example.org]
    allow_methods: [FOO, bar, method1]
    allow_headers: [FIZZ, buzz]
    allow_credentials: true
    max_age: 123
  - name: options-200
    hosts: ["127.0.0.1:{port}"]
    paths: ["/options-200/**"]
    allow_origins: [https://example.org]
    preflight_status: 200
  - name: public
    hosts: ["127.0.0.1:{port}"]
    paths: ["/public/**"]
    allow_origins: [https://example.org]
  - name: null-listed
    hosts: ["127.0.0.1:{port}"]
    paths: ["/null/**"]
    allow_origins: ["null", https://example.org]
  - name: apps
    hosts: ["127.0.0.1:{port}"]
    paths: ["/apps/**"]
    allow_origins: ["capacitor://localhost", "ionic://localhost", "tauri://localhost", "app://my-app", "file://",
                    "content://com.company.app"]
  - name: pna
    hosts: ["127.0.0.1:{port}"]
    paths: ["/pna/**"]
    allow_origins: "*"
    allow_private_network: true
  - name: no-pna
    hosts: ["127.0.0.1:{port}"]
    paths: ["/no-pna/**"]
    allow_origins: "*"
  - name: with-port
    hosts: ["127.0.0.1:{port}"]
    paths: ["/with-port/**"]
    allow_origins: ["https://localhost:9000"]
  - name: anchored-regexes
    hosts: ["127.0.0.1:{port}"]
    paths: ["/anchored/**"]
    allow_origin_regex: ['^https://\\w+\\.example\\.org$', '^https://\\w+\\.example\\.com$']
  - name: auth-forward
    hosts: ["127.0.0.1:{port}"]
    paths: ["/auth/**"]
    allow_origins: "*"
    allow_credentials: true
    preflight: forward
    preflight_status: 200
  - name: single-origin
    hosts: ["127.0.0.1:{port}"]
    paths: ["/single/**"]
    allow_origins: [http://foo.com]
  - name: two-origins
    hosts: ["127.0.0.1:{port}"]
    paths: ["/two/**"]
    allow_origins: [http://foo.com, http://bar.com]
  - name: header-case
    hosts: ["127.0.0.1:{port}"]
    paths: ["/header-case/**"]
    allow_origins: "*"
    allow_headers: [X-Custom-Header]
"""

ORIGIN = "https://example.org"


@pytest.fixture(scope="module")
def api():
    with Upstream() as server:
        yield server


@pytest.fixture(scope="module")
def proxy(api, tmp_path_factory):
    folder = tmp_path_factory.mktemp("peers")
    rules = folder / "rules.yaml"
    rules.write_text(RULES.format(port=api.port))
    with Mitmdump(folder, "--set", f"cors_rules={rules}") as running:
        yield running


@pytest.fixture
def call(proxy, api):
    def call(method, path, headers=(), **kwargs):
        return send(method, f"http://127.0.0.1:{api.port}{path}", headers, proxy_port=proxy.port, **kwargs)

    return call


def preflight(origin=ORIGIN, method="GET", headers=None, **extra):
    asked = {"Origin": origin, "Access-Control-Request-Method": method, **extra}
    if headers is not None:
        asked["Access-Control-Request-Headers"] = headers
    return asked


def vary(reply):
    values = reply.all("Vary")
    return {v.strip() for value in values for v in value.split(",") if v.strip()} if values else None


def names(value):
    return {v.strip() for v in value.split(",")}


# Starlette


def test_starlette_cors_allow_all(call):
    """test_cors_allow_all: origins "*" with credentials reflect the origin, never "*"."""
    reply = call("OPTIONS", "/allow-all/", preflight(headers="X-Example"))
    # Starlette answers 200; the addon 204 (expressjs/cors's default; preflight_status: 200 changes it).
    assert reply.status == 204
    assert reply.get("Access-Control-Allow-Origin") == ORIGIN
    assert reply.get("Access-Control-Allow-Headers") == "x-example"  # requested names are sent lowercase
    assert reply.get("Access-Control-Allow-Credentials") == "true"
    assert vary(reply) == {"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}
    reply = call("GET", "/allow-all/", {"Origin": ORIGIN})
    assert reply.status == 200
    assert reply.get("Access-Control-Allow-Origin") == ORIGIN
    assert reply.get("Access-Control-Expose-Headers") == "x-status"
    assert reply.get("Access-Control-Allow-Credentials") == "true"
    assert vary(reply) == {"Origin"}
    reply = call("GET", "/allow-all/")  # not CORS: no CORS headers, but the answer varies on Origin
    assert reply.get("Access-Control-Allow-Origin") is None and vary(reply) == {"Origin"}


def test_starlette_cors_allow_all_except_credentials(call):
    """test_cors_allow_all_except_credentials (and test_cors_no_origin_header_no_cors_processing)."""
    reply = call("OPTIONS", "/star/", preflight(headers="X-Example"))
    assert reply.status == 204
    assert reply.get("Access-Control-Allow-Origin") == "*"
    assert reply.get("Access-Control-Allow-Credentials") is None
    assert vary(reply) == {"Access-Control-Request-Method", "Access-Control-Request-Headers"}
    reply = call("GET", "/star/", {"Origin": ORIGIN})
    assert reply.get("Access-Control-Allow-Origin") == "*" and reply.get("Access-Control-Expose-Headers") == "x-status"
    assert vary(reply) is None  # "*" does not depend on the origin
    # Without Origin Starlette sends nothing; the addon sends the same '*' (as expressjs/cors and flask-cors
    # do), so a copy cached from an <img> or a navigation serves a later fetch() (issue 27).
    reply = call("GET", "/star/")
    assert reply.get("Access-Control-Allow-Origin") == "*" and vary(reply) is None
    assert reply.get("Access-Control-Expose-Headers") == "x-status"


def test_starlette_cors_allow_specific_origin(call):
    """test_cors_allow_specific_origin: listed headers plus the safelisted ones; a refused origin gets no
    CORS headers but Vary: Origin (as it does in expressjs/cors since its issue 106)."""
    reply = call("OPTIONS", "/specific/", preflight(headers="X-Example, Content-Type"))
    assert reply.get("Access-Control-Allow-Origin") == ORIGIN
    assert names(reply.get("Access-Control-Allow-Headers")) == {
        "x-example",
        "content-type",
        "accept",
        "accept-language",
        "content-language",
    }
    assert reply.get("Access-Control-Allow-Credentials") is None
    reply = call("GET", "/specific/", {"Origin": ORIGIN})
    assert reply.get("Access-Control-Allow-Origin") == ORIGIN and vary(reply) == {"Origin"}
    reply = call("GET", "/specific/", {"Origin": "https://another.org"})
    assert reply.status == 200 and reply.get("Access-Control-Allow-Origin") is None
    assert vary(reply) == {"Origin"}
    reply = call("GET", "/specific/")
    assert reply.get("Access-Control-Allow-Origin") is None and vary(reply) == {"Origin"}


def test_starlette_cors_disallowed_preflight(call, proxy, api):
    """test_cors_disallowed_preflight: Starlette answers 400; the addon passes it on (the server answers
    405 here) and logs what was refused."""
    reply = call("OPTIONS", "/specific/", preflight("https://another.org", "POST", "X-Nope"))
    assert reply.status == 405 and reply.get("Access-Control-Allow-Origin") is None
    assert vary(reply) == {"Origin"}
    proxy.wait_for_decision(
        f"CORS preflight POST http://127.0.0.1:{api.port}/specific/ from https://another.org", "refused"
    )
    reply = call("OPTIONS", "/specific/?n=2", preflight(headers="X-Nope-1, X-Nope-2"))
    assert reply.status == 405
    proxy.wait_for("header x-nope-1, x-nope-2 not in allow_headers [x-example, content-type]")


def test_starlette_cors_allow_origin_regex(call):
    """test_cors_allow_origin_regex."""
    reply = call("GET", "/regex/", {"Origin": ORIGIN})
    assert reply.get("Access-Control-Allow-Origin") == ORIGIN
    assert reply.get("Access-Control-Allow-Credentials") == "true" and vary(reply) == {"Origin"}
    reply = call("GET", "/regex/", {"Origin": "http://example.org"})
    assert reply.get("Access-Control-Allow-Origin") is None and vary(reply) == {"Origin"}
    reply = call("OPTIONS", "/regex/", preflight("https://another.com", headers="X-Example, content-type"))
    assert reply.status == 204 and reply.get("Access-Control-Allow-Origin") == "https://another.com"
    assert reply.get("Access-Control-Allow-Credentials") == "true"
    reply = call("OPTIONS", "/regex/", preflight("http://another.com", headers="X-Example"))
    assert reply.status == 405 and reply.get("Access-Control-Allow-Origin") is None


def test_starlette_cors_allow_origin_regex_fullmatch(call):
    """test_cors_allow_origin_regex_fullmatch: the pattern must match the whole origin."""
    reply = call("GET", "/regex-fullmatch/", {"Origin": "https://subdomain.example.org"})
    assert reply.get("Access-Control-Allow-Origin") == "https://subdomain.example.org"
    reply = call("GET", "/regex-fullmatch/", {"Origin": "https://subdomain.example.org.hacker.com"})
    assert reply.get("Access-Control-Allow-Origin") is None and vary(reply) == {"Origin"}


def test_starlette_cors_origins_list_and_regex_both_accepted(call):
    """test_cors_origins_list_and_regex_both_accepted."""
    assert call("GET", "/list-and-regex/", {"Origin": ORIGIN}).get("Access-Control-Allow-Origin") == ORIGIN
    trusted = "https://api.trusted.com"
    assert call("GET", "/list-and-regex/", {"Origin": trusted}).get("Access-Control-Allow-Origin") == trusted
    assert call("GET", "/list-and-regex/", {"Origin": "https://evil.com"}).get("Access-Control-Allow-Origin") is None


def test_starlette_cors_vary_header_behavior(call):
    """test_cors_vary_header_behavior: the server's own Vary is kept and extended, never duplicated."""
    own = "/specific/configured?h=Vary:Accept-Encoding"
    assert vary(call("GET", own, {"Origin": ORIGIN})) == {"Accept-Encoding", "Origin"}
    assert vary(call("GET", "/star/configured?h=Vary:Accept-Encoding", {"Origin": ORIGIN})) == {"Accept-Encoding"}
    reply = call("GET", "/allow-all/configured?h=Vary:Accept-Encoding", {"Origin": ORIGIN, "Cookie": "foo=bar"})
    assert reply.get("Access-Control-Allow-Origin") == ORIGIN and vary(reply) == {"Accept-Encoding", "Origin"}
    assert call("GET", "/specific/configured?h=Vary:Origin", {"Origin": ORIGIN}).all("Vary") == ["Origin"]


def test_starlette_cors_allowed_origin_does_not_leak_between_credentialed_requests(call):
    """test_cors_allowed_origin_does_not_leak_between_credentialed_requests."""
    first, second = "https://first.example", "https://second.example"
    assert call("GET", "/allow-all/", {"Origin": first}).get("Access-Control-Allow-Origin") == first
    reply = call("GET", "/allow-all/", {"Origin": second, "Cookie": "foo=bar"})
    assert reply.get("Access-Control-Allow-Origin") == second
    assert call("GET", "/allow-all/", {"Origin": first}).get("Access-Control-Allow-Origin") == first


def test_starlette_cors_private_network_access(call):
    """test_cors_private_network_access_allowed / _disallowed (flask-cors CVE-2024-6221: only when allowed)."""
    reply = call("OPTIONS", "/pna/", preflight(**{"Access-Control-Request-Private-Network": "true"}))
    assert reply.status == 204 and reply.get("Access-Control-Allow-Private-Network") == "true"
    reply = call("OPTIONS", "/pna/", preflight())
    assert reply.status == 204 and reply.get("Access-Control-Allow-Private-Network") is None
    reply = call("GET", "/pna/", {"Origin": ORIGIN, "Access-Control-Request-Private-Network": "true"})
    assert reply.get("Access-Control-Allow-Private-Network") is None and reply.get("Access-Control-Allow-Origin")
    reply = call("OPTIONS", "/no-pna/", preflight())
    assert reply.status == 204 and reply.get("Access-Control-Allow-Private-Network") is None
    reply = call("OPTIONS", "/no-pna/", preflight(**{"Access-Control-Request-Private-Network": "true"}))
    assert reply.status == 405 and reply.get("Access-Control-Allow-Private-Network") is None


def test_starlette_cors_null_origin(call):
    """test_cors_null_origin_rejection / test_cors_null_origin_explicitly_allowed: null only where listed."""
    assert call("GET", "/star/", {"Origin": "null"}).get("Access-Control-Allow-Origin") is None
    assert call("OPTIONS", "/star/", preflight("null")).status == 405
    assert call("GET", "/regex/", {"Origin": "null"}).get("Access-Control-Allow-Origin") is None
    assert call("OPTIONS", "/null/", preflight("null")).get("Access-Control-Allow-Origin") == "null"
    assert call("GET", "/null/", {"Origin": "null"}).get("Access-Control-Allow-Origin") == "null"


def test_starlette_cors_method_case_sensitive(call):
    """test_cors_method_case_sensitive: methods are compared byte for byte."""
    assert call("OPTIONS", "/post-only/", preflight(method="POST")).status == 204
    assert call("OPTIONS", "/post-only/", preflight(method="post")).status == 405


def test_starlette_cors_empty_origins_list(call):
    """test_cors_empty_origins_list."""
    reply = call("OPTIONS", "/none/", preflight())
    assert reply.status == 405 and reply.get("Access-Control-Allow-Origin") is None and vary(reply) == {"Origin"}
    reply = call("GET", "/none/", {"Origin": ORIGIN})
    assert reply.get("Access-Control-Allow-Origin") is None and vary(reply) == {"Origin"}


def test_starlette_cors_max_age_header(call):
    """test_cors_max_age_header: the addon's default is 5 seconds (Starlette's 600): a rule edit then
    reaches the browser within seconds, which is what local development wants."""
    assert call("OPTIONS", "/star/", preflight()).get("Access-Control-Max-Age") == "5"
    assert call("OPTIONS", "/custom/", preflight(method="FOO")).get("Access-Control-Max-Age") == "123"


def test_starlette_cors_header_name_case_insensitive(call):
    """test_cors_header_name_case_insensitive."""
    reply = call("OPTIONS", "/header-case/", preflight(headers="x-custom-header"))
    assert reply.status == 204 and "x-custom-header" in names(reply.get("Access-Control-Allow-Headers"))


# expressjs/cors


def test_express_overrides_defaults(call):
    """'passing static options overrides defaults' and 'can override methods': custom methods are
    answered exactly as listed (only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased)."""
    for method in ("FOO", "bar", "method1"):
        reply = call("OPTIONS", "/custom/", preflight(method=method, headers="fizz,buzz"))
        assert reply.status == 204
        assert reply.get("Access-Control-Allow-Origin") == ORIGIN
        assert reply.get("Access-Control-Allow-Methods") == "FOO, bar, method1"
        assert reply.get("Access-Control-Allow-Credentials") == "true"
        assert reply.get("Access-Control-Max-Age") == "123"
    assert call("OPTIONS", "/custom/", preflight(method="BAR")).status == 405


def test_express_can_configure_preflight_success_status(call):
    """'can configure preflight success response status code' (optionsSuccessStatus: 200), and
    'includes Content-Length response header'."""
    reply = call("OPTIONS", "/options-200/", preflight())
    assert (reply.status, reply.body, reply.get("Content-Length")) == (200, b"", "0")
    assert reply.get("Access-Control-Allow-Origin") == ORIGIN


def test_express_vary_for_refused_origins_and_existing_vary(call):
    """'doesn't match request origin against array of invalid origin checks' (Vary: Origin all the same)
    and 'appends to an existing Vary header'."""
    reply = call("GET", "/specific/", {"Origin": "https://bar.com"})
    assert reply.get("Access-Control-Allow-Origin") is None and reply.all("Vary") == ["Origin"]
    assert call("GET", "/specific/configured?h=Vary:Foo", {"Origin": ORIGIN}).all("Vary") == ["Foo, Origin"]


# rack-cors


def test_rack_cors_paths_are_matched_as_servers_resolve_them(call, proxy, api):
    """rack-cors decodes and resolves a path before matching its resources: a /public/** rule does not cover a
    path that resolves outside /public once percent-decoded and dot segments are removed."""
    reply = call("GET", "/public/a/..%2F..%2Fprivate/stuff", {"Origin": ORIGIN})
    assert reply.get("Access-Control-Allow-Origin") is None
    proxy.wait_for_decision(
        f"CORS GET http://127.0.0.1:{api.port}/public/a/..%2F..%2Fprivate/stuff from {ORIGIN}", "untouched"
    )
    assert call("GET", "/public/a/../b", {"Origin": ORIGIN}).get("Access-Control-Allow-Origin") == ORIGIN
    assert call("GET", "/public/%2e%2e/private", {"Origin": ORIGIN}).get("Access-Control-Allow-Origin") is None
    assert call("GET", "/public/%FF", {"Origin": ORIGIN}).get("Access-Control-Allow-Origin") is None


def test_rack_cors_vary_origin_without_origin(call):
    """test/unit/cors_test.rb: 'should add Vary header if Access-Control-Allow-Origin header was added and if it
    is specific' and "should add Vary header if resource matches even if Origin header isn't present"."""
    assert vary(call("GET", "/public/x")) == {"Origin"}
    assert vary(call("GET", "/public/x", {"Origin": ORIGIN})) == {"Origin"}


# django-cors-headers and flask-cors


def test_django_null_origin_when_listed(call):
    """test_null_in_whitelist (django-cors-headers)."""
    reply = call("GET", "/null/", {"Origin": "null"})
    assert reply.get("Access-Control-Allow-Origin") == "null" and vary(reply) == {"Origin"}
    assert call("GET", "/specific/", {"Origin": "null"}).get("Access-Control-Allow-Origin") is None


@pytest.mark.parametrize(
    "origin",
    [
        "capacitor://localhost",
        "ionic://localhost",
        "tauri://localhost",
        "app://my-app",
        "file://",
        "content://com.company.app",
    ],
)
def test_app_origins_where_listed(call, origin):
    """Mobile and desktop shells (Capacitor, Ionic, Tauri, Electron's app://) and file:// pages; django-cors-headers'
    test_works_with_custom_scheme and flask-cors' origins with custom schemes."""
    reply = call("GET", "/apps/", {"Origin": origin})
    assert reply.get("Access-Control-Allow-Origin") == origin
    assert call("GET", "/specific/", {"Origin": origin}).get("Access-Control-Allow-Origin") is None


def test_django_invalid_origin_and_wrong_scheme(call):
    """test_get_invalid_origin, test_get_not_in_allowed_origins_due_to_wrong_scheme."""
    assert call("GET", "/specific/", {"Origin": "https://example.org]"}).get("Access-Control-Allow-Origin") is None
    assert call("GET", "/specific/", {"Origin": "http://example.org"}).get("Access-Control-Allow-Origin") is None


def test_django_allowed_origin_with_port(call):
    """test_options_allowed_origins_with_port."""
    reply = call("OPTIONS", "/with-port/", preflight("https://localhost:9000"))
    assert reply.get("Access-Control-Allow-Origin") == "https://localhost:9000"
    assert (
        call("OPTIONS", "/with-port/", preflight("https://localhost:9001")).get("Access-Control-Allow-Origin") is None
    )


def test_django_allowed_origin_regexes(call):
    """test_options_adds_origin_when_domain_found_in_allowed_regexes (and _second, and _doesnt_add_...)."""
    assert (
        call("OPTIONS", "/anchored/", preflight("https://foo.example.com")).get("Access-Control-Allow-Origin")
        == "https://foo.example.com"
    )
    assert (
        call("OPTIONS", "/anchored/", preflight("https://foo.example.org")).get("Access-Control-Allow-Origin")
        == "https://foo.example.org"
    )
    assert (
        call("OPTIONS", "/anchored/", preflight("https://foo.example.net")).get("Access-Control-Allow-Origin") is None
    )


def test_django_auth_view_preflight(call, proxy, api):
    """test_auth_view_options: a preflight to a view that demands authentication answers 200, with the
    CORS headers and Content-Length: 0 (here: the server's 401 to the forwarded preflight, repaired)."""
    reply = call("OPTIONS", "/auth/configured?pstatus=401", preflight())
    assert (reply.status, reply.body, reply.get("Content-Length")) == (200, b"", "0")
    assert reply.get("Access-Control-Allow-Origin") == ORIGIN and reply.get("Access-Control-Allow-Credentials")
    line = proxy.wait_for(f"CORS preflight GET http://127.0.0.1:{api.port}/auth/configured?pstatus=401 from ")
    assert "its 401 turned into 200" in line


def test_django_non_200_statuses_keep_their_cors_headers(call):
    """test_non_200_headers_still_set."""
    reply = call("GET", "/auth/status/401", {"Origin": ORIGIN})
    assert reply.status == 401 and reply.get("Access-Control-Allow-Origin") == ORIGIN


def test_django_empty_requested_method(call, proxy, api):
    """test_options_empty_request_method: django-cors-headers answers 200; a browser never sends an empty
    Access-Control-Request-Method, so the addon refuses it (not a method name) and passes it on."""
    reply = call("OPTIONS", "/star/empty", preflight(method=""))
    assert reply.status == 405 and reply.get("Access-Control-Allow-Origin") is None
    proxy.wait_for("Access-Control-Request-Method '' is not a method name")


def test_flask_cors_vary_header(call):
    """tests/decorator/test_vary_header.py: test_varying_origin and test_consistent_origin_concat. In
    test_consistent_origin flask-cors sends no Vary for a single allowed origin; the addon does, since a
    refused origin then gets no Access-Control-Allow-Origin, so the answer depends on Origin all the same."""
    assert call("GET", "/two/", {"Origin": "http://foo.com"}).all("Vary") == ["Origin"]
    reply = call("GET", "/two/configured?h=Vary:Accept-Encoding", {"Origin": "http://foo.com"})
    assert vary(reply) == {"Origin", "Accept-Encoding"}
    single = call("GET", "/single/", {"Origin": "http://foo.com"})
    assert single.get("Access-Control-Allow-Origin") == "http://foo.com" and vary(single) == {"Origin"}


def test_flask_cors_private_network(call):
    """tests/decorator/test_private_network_headers.py. flask-cors answers a plain GET carrying the request
    header; the header only means something on a preflight, where the addon answers it only where the rule
    allows it (CVE-2024-6221) and otherwise refuses the preflight instead of sending 'false'."""
    reply = call("GET", "/pna/", {"Origin": ORIGIN, "Access-Control-Request-Private-Network": "true"})
    assert reply.get("Access-Control-Allow-Private-Network") is None
    reply = call("OPTIONS", "/pna/", preflight(**{"Access-Control-Request-Private-Network": "true"}))
    assert reply.get("Access-Control-Allow-Private-Network") == "true"
    reply = call("OPTIONS", "/no-pna/", preflight(**{"Access-Control-Request-Private-Network": "true"}))
    assert reply.get("Access-Control-Allow-Private-Network") is None


def test_rack_cors_preflights(call):
    """test/unit/cors_test.rb, 'preflight requests': header names match case-insensitively, WebKit and Gecko
    style lists; '*' origins answer '*' without credentials ('should not allow credentials for public
    resources'). 'should add Vary header even if ... it is generic (*)': rack-cors adds Vary: Origin to '*'
    answers too; the addon does not, as Starlette does not: a '*' answer is the same for every origin."""
    for asked in ("X-Custom-Header", "x-custom-header"):
        assert call("OPTIONS", "/header-case/", preflight(headers=asked)).status == 204
    for style in ("X-Example, Content-Type", "x-example,content-type"):
        assert call("OPTIONS", "/specific/", preflight(headers=style)).status == 204
    reply = call("OPTIONS", "/star/", preflight("http://locohost:3000"))
    assert reply.get("Access-Control-Allow-Origin") == "*" and reply.get("Access-Control-Allow-Credentials") is None
    assert vary(call("GET", "/star/", {"Origin": "http://192.168.1.3:8080"})) is None
