"""End to end: headless Chromium enforces CORS, the addon runs in a real mitmdump.

A page on http://localhost:PAGE calls an API without CORS support on 127.0.0.1 (OPTIONS
answers 405) through the proxy. Each case asserts what the page's fetch() sees, and for
each blocked case that Chromium's console message is the one the addon's log predicted.
"""

import pytest
from support.browser import Page, PageServer, launch, require_chromium
from support.proxy import Mitmdump
from support.tls import self_signed
from support.upstream import Upstream

pytestmark = pytest.mark.browser

RULES = """
rules:
  - name: open
    hosts: ["127.0.0.1:{api}", "localhost:{api}"]
    paths: ["/open/**"]
  - name: custom-methods
    hosts: ["127.0.0.1:{api}"]
    paths: ["/custom-methods/**"]
    allow_methods: [bar, method1]
  - name: only-get
    hosts: ["127.0.0.1:{api}"]
    paths: ["/only-get/**"]
    allow_methods: [GET]
  - name: only-x-allowed
    hosts: ["127.0.0.1:{api}"]
    paths: ["/only-x-allowed/**"]
    allow_headers: [x-allowed]
  - name: creds
    hosts: ["localhost:{api}"]
    paths: ["/creds/**"]
    allow_credentials: true
  - name: star
    hosts: ["localhost:{api}", "127.0.0.1:{api}"]
    paths: ["/star/**"]
    allow_origins: "*"
  - name: expose-list
    hosts: ["127.0.0.1:{api}"]
    paths: ["/expose/**"]
    expose_headers: [x-custom]
  - name: cache600
    hosts: ["127.0.0.1:{api}"]
    paths: ["/cache600/**"]
    max_age: 600
  - name: cache0
    hosts: ["127.0.0.1:{api}"]
    paths: ["/cache0/**"]
    max_age: 0
  - name: other-origin
    hosts: ["127.0.0.1:{api}"]
    paths: ["/other-origin/**"]
    allow_origins: [http://localhost:1]
  - name: https-api
    hosts: ["127.0.0.1:{tls_api}"]
"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    require_chromium()
    folder = tmp_path_factory.mktemp("browser")
    with Upstream() as api, Upstream() as uncovered, Upstream(tls=self_signed(folder)) as tls_api:
        page = PageServer()
        yield {"api": api, "uncovered": uncovered, "tls_api": tls_api, "page": page, "folder": folder}
        page.close()


@pytest.fixture(scope="module")
def proxy(servers):
    rules = servers["folder"] / "rules.yaml"
    rules.write_text(RULES.format(api=servers["api"].port, tls_api=servers["tls_api"].port))
    with Mitmdump(servers["folder"], "--set", f"cors_rules={rules}", "--set", "ssl_insecure=true") as running:
        yield running


@pytest.fixture(scope="module")
def playwright(servers):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright, proxy):
    chromium = launch(playwright, proxy.port, "--ignore-certificate-errors")
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser, servers):
    opened = Page(browser, servers["page"].origin)
    yield opened
    opened.close()


_counter = iter(range(10**6))


def api_url(servers, path, host="127.0.0.1", which="api"):
    """A fresh URL per call, so no preflight cache entry is shared between cases."""
    separator = "&" if "?" in path else "?"
    scheme = "https" if which == "tls_api" else "http"
    return f"{scheme}://{host}:{servers[which].port}{path}{separator}n={next(_counter)}"


def preflights_for(proxy, url, method, calls=1):
    """How many preflights the proxy logged for `url`, counted once the `calls` calls themselves are logged
    (a call's line comes after its preflight's)."""
    proxy.wait_for_lines(f"CORS {method} {url} from ", calls)
    return sum(
        1 for line in proxy.lines if line.startswith("[") and "CORS preflight " in line and f" {url} from " in line
    )


def predicted(proxy, url, timeout=5):
    """The Chromium message the addon's log line predicted for this URL."""
    line = proxy.wait_for(f"browser will block: Access to fetch at '{url}'", timeout=timeout)
    return line.split("browser will block: ", 1)[1].split("; a rule that would fix it: ", 1)[0].split(" (Firefox: ")[0]


def assert_blocked_as_predicted(result, proxy, url):
    assert not result["ok"], result
    assert result["error"] == "TypeError: Failed to fetch"
    assert result["console"] is not None, "Chromium printed no CORS message"
    assert result["console"] == predicted(proxy, url)


# Requests that need no preflight.


@pytest.mark.parametrize(
    "init",
    [
        {"method": "GET"},
        {"method": "HEAD"},
        {"method": "POST", "body": "hello", "headers": {"Content-Type": "text/plain"}},
        {"method": "GET", "headers": {"Accept-Language": "de", "Content-Language": "de"}},
    ],
)
def test_simple_requests_succeed_without_preflight(page, proxy, servers, init):
    url = api_url(servers, "/open/items")
    result = page.fetch(url, **init)
    assert result["ok"] and result["status"] == 200, result
    proxy.wait_for_decision(f"CORS {init['method']} {url} from {page.origin}", "allowed by rule 'open'")
    assert preflights_for(proxy, url, init["method"]) == 0


# Preflighted requests: allowed under a permissive rule, refused under a narrow one.

PREFLIGHTED = [
    ("PUT", {"method": "PUT", "body": "x"}, "only-get"),
    ("DELETE", {"method": "DELETE"}, "only-get"),
    ("PATCH", {"method": "PATCH", "body": "x"}, "only-get"),
    ("custom method", {"method": "FROB"}, "only-get"),
    ("JSON POST", {"method": "POST", "body": "{}", "headers": {"Content-Type": "application/json"}}, "only-get"),
    ("custom header", {"method": "GET", "headers": {"X-Custom-Thing": "1"}}, "only-x-allowed"),
    ("Authorization", {"method": "GET", "headers": {"Authorization": "Bearer t"}}, "only-x-allowed"),
]


@pytest.mark.parametrize("name, init, narrow_rule", PREFLIGHTED, ids=[case[0] for case in PREFLIGHTED])
def test_preflighted_requests(page, proxy, servers, name, init, narrow_rule):
    url = api_url(servers, "/open/items")
    result = page.fetch(url, **init)
    assert result["ok"] and result["status"] == 200, result
    assert preflights_for(proxy, url, init["method"]) == 1
    proxy.wait_for_decision(f"CORS preflight {init['method']} {url} from {page.origin}", "answered 204 by rule 'open'")

    url = api_url(servers, f"/{narrow_rule}/items")
    result = page.fetch(url, **init)
    assert_blocked_as_predicted(result, proxy, url)
    proxy.wait_for(f"{url} from {page.origin}: \u26d4 refused by rule '{narrow_rule}'")


def test_narrow_rule_allows_what_it_lists(page, servers):
    result = page.fetch(api_url(servers, "/only-x-allowed/items"), headers={"X-Allowed": "1"})
    assert result["ok"], result
    result = page.fetch(api_url(servers, "/only-get/items"), headers={"X-Anything": "1"})
    assert result["ok"], result


# Credentials.


@pytest.fixture
def cookie_page(page, servers):
    """A page whose browser holds a cookie for the API host (same site as the page: localhost)."""
    page.context.add_cookies([{"name": "session", "value": "s1", "domain": "localhost", "path": "/"}])
    return page


def test_credentials_include_succeeds_where_the_rule_allows_it(cookie_page, servers):
    url = api_url(servers, "/creds/me", host="localhost")
    result = cookie_page.fetch(url, credentials="include", method="PUT")
    assert result["ok"] and result["status"] == 200, result
    assert '"cookie": "session=s1"' in result["body"]


def test_credentials_include_fails_without_allow_credentials(cookie_page, proxy, servers):
    url = api_url(servers, "/open/me", host="localhost")
    assert_blocked_as_predicted(cookie_page.fetch(url, credentials="include"), proxy, url)


def test_a_page_with_five_working_calls_and_one_blocked_reads_five_checks_and_one_stop(page, proxy, servers):
    """Cross-site (localhost -> 127.0.0.1) without credentials: Chromium sends no Sec-Fetch-Storage-Access, so
    the proxy knows the mode and each working call is a one-sided check mark; the blocked one carries
    Chromium's exact sentence on its one line."""
    working = [api_url(servers, f"/open/items/{n}") for n in range(5)]
    assert all(page.fetch(url)["ok"] for url in working)
    blocked = api_url(servers, "/other-origin/items")
    result = page.fetch(blocked)
    assert not result["ok"] and result["console"], result
    for url in working:
        line = proxy.wait_for(f"CORS GET {url} from {page.origin}: ")
        assert line.endswith(f"CORS GET {url} from {page.origin}: \u2705 allowed by rule 'open' (200)")
    line = proxy.wait_for(f"CORS GET {blocked} from {page.origin}: ")
    assert f"from {page.origin}: \u26d4 refused by rule 'other-origin': origin {page.origin} is not in" in line
    assert line.endswith(f"; browser will block: {result['console']} (Firefox: CORSMissingAllowOrigin)")


def test_credentials_the_proxy_cannot_see_are_judged_both_ways(playwright, servers, page, proxy, tmp_path):
    """credentials: 'include' before any cookie exists, same site (localhost -> localhost): no Cookie and no
    Sec-Fetch-Storage-Access tell the proxy. The log line says it in a clause with the fix; with cors_verbose,
    the line says it in Chromium's words."""
    url = api_url(servers, "/open/me", host="localhost")
    assert not page.fetch(url, credentials="include")["ok"]
    line = proxy.wait_for_decision(f"CORS GET {url} from {page.origin}", "allowed by rule 'open'")
    assert line.endswith(": \U0001f536 allowed by rule 'open' (200); with credentials: needs allow_credentials: true")
    rules = servers["folder"] / "rules.yaml"
    with Mitmdump(tmp_path, "--set", f"cors_rules={rules}", "--set", "cors_verbose=true") as verbose:
        chromium = launch(playwright, verbose.port)
        try:
            verbose_page = Page(chromium, servers["page"].origin)
            url = api_url(servers, "/open/me", host="localhost")
            result = verbose_page.fetch(url, credentials="include")
            assert not result["ok"] and result["console"], result
            line = verbose.wait_for(f"CORS GET {url} from {page.origin}: allowed by rule 'open'")
        finally:
            chromium.close()
    assert f"if the page sends credentials: 'include', the browser will block: {result['console']} (Firefox: " in line


def test_a_cross_site_credentialed_call_is_seen_by_its_storage_access_header(page, proxy, servers):
    """Chromium marks a cross-site credentials: 'include' call (localhost -> 127.0.0.1) with
    Sec-Fetch-Storage-Access: the verdict is one-sided, and never a check mark."""
    url = api_url(servers, "/open/me")
    assert_blocked_as_predicted(page.fetch(url, credentials="include"), proxy, url)
    assert "rule 'open' fixed it" not in proxy.wait_for(f"CORS GET {url} from {page.origin}")


def test_a_preflight_whose_call_never_comes_is_reported(page, proxy, servers):
    """The preflight is answered for the page, but with credentials: 'include' the browser stops there."""
    url = api_url(servers, "/open/me")
    result = page.fetch(url, method="PUT", body="x", credentials="include")
    assert not result["ok"], result
    line = proxy.wait_for(f"CORS preflight PUT {url} from {page.origin}: the PUT itself never came", timeout=8)
    assert "Most likely the page sends credentials: 'include', and then: " in line
    assert result["console"] in line


def test_star_origin_with_credentials_fails_and_the_log_says_why(cookie_page, proxy, servers):
    url = api_url(servers, "/star/me", host="localhost")
    result = cookie_page.fetch(url, credentials="include")
    assert_blocked_as_predicted(result, proxy, url)
    assert "must not be the wildcard '*' when the request's credentials mode is 'include'" in result["console"]
    proxy.wait_for(
        f"{url} from {cookie_page.origin}: \u26a0\ufe0f allowed by rule 'star' (200); note: "
        "answered with Access-Control-Allow-Origin '*': the browser blocks this if the page sends "
        "credentials"
    )


def test_star_origin_without_credentials_succeeds(page, servers):
    assert page.fetch(api_url(servers, "/star/items"), method="DELETE")["ok"]


# Status codes reach the page.


@pytest.mark.parametrize("status", [401, 404, 500])
def test_error_statuses_reach_the_page(page, servers, status):
    result = page.fetch(api_url(servers, f"/open/status/{status}"))
    assert result["ok"] and result["status"] == status, result
    assert result["body"] == f'{{"status": {status}}}'


# The server hangs up in the middle of its body: what the browser reports is what the log says.


def test_response_broken_off_is_a_cors_error_in_the_browser(page, proxy, servers):
    url = api_url(servers, "/open/truncated")
    result = page.fetch(url)
    assert not result["ok"] and result["error"] == "TypeError: Failed to fetch", result
    assert result["console"] == (
        f"Access to fetch at '{url}' from origin '{page.origin}' has been blocked by "
        "CORS policy: No 'Access-Control-Allow-Origin' header is present on the "
        "requested resource."
    )
    proxy.wait_for(f"CORS GET {url} from {page.origin}: the server's 200 response broke off after its headers")
    proxy.wait_for("so the browser reports a CORS error (\"No 'Access-Control-Allow-Origin' header is present")


def test_streamed_response_broken_off_is_a_network_error(playwright, servers, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(f'rules:\n  - name: api\n    hosts: ["127.0.0.1:{servers["api"].port}"]\n')
    with Mitmdump(tmp_path, "--set", f"cors_rules={rules}", "--set", "stream_large_bodies=1") as streaming:
        chromium = launch(playwright, streaming.port)
        page = Page(chromium, servers["page"].origin)
        try:
            url = f"http://127.0.0.1:{servers['api'].port}/truncated"
            result = page.fetch(url)
            assert not result["ok"] and result["error"] == "TypeError: Failed to fetch", result
            assert result["console"] is None, "Chromium reported a CORS error"
            assert "Failed to load resource: net::ERR_CONTENT_LENGTH_MISMATCH" in page.console
            streaming.wait_for("response broke off after its headers")
            streaming.wait_for(
                "had already gone to the browser, which reports a network error (such as "
                "net::ERR_CONTENT_LENGTH_MISMATCH), not a CORS error."
            )
        finally:
            page.close()
            chromium.close()


@pytest.mark.parametrize("method", ["bar", "method1"])
def test_custom_methods_are_allowed_byte_for_byte(page, proxy, servers, method):
    """A rule listing `bar` answers `bar` (the browser does not upper-case it), not `BAR`."""
    url = api_url(servers, "/custom-methods/items")
    result = page.fetch(url, method=method)
    assert result["ok"] and result["status"] == 200, result
    line = proxy.wait_for(f"CORS preflight {method} {url}")
    assert "answered 204 by rule 'custom-methods'" in line


def test_custom_method_in_another_case_is_blocked_as_predicted(page, proxy, servers):
    url = api_url(servers, "/custom-methods/items")
    assert_blocked_as_predicted(page.fetch(url, method="BAR"), proxy, url)


def test_a_response_cached_without_origin_is_not_reused_for_a_cors_call(page, servers):
    """Vary: Origin on every response of a covered host: a no-cors fetch (no Origin, like an <img>) caches
    the response; the CORS call that follows must not get that copy, which has no CORS headers."""
    url = api_url(servers, "/open/configured?h=Cache-Control:max-age=600")
    page.page.evaluate("url => fetch(url, {mode: 'no-cors'}).then(r => r.text())", url)
    result = page.fetch(url)
    assert result["ok"] and result["status"] == 200, result


# Servers that half-support CORS are repaired.


@pytest.mark.parametrize("path", ["/open/acao/star", "/open/acao/other", "/open/acao/two"])
def test_half_cors_servers_are_repaired(page, servers, path):
    result = page.fetch(api_url(servers, path))
    assert result["ok"] and result["status"] == 200, result


def test_half_cors_server_is_blocked_without_the_addon(page, proxy, servers):
    url = api_url(servers, "/acao/two", which="uncovered")
    result = page.fetch(url)
    assert_blocked_as_predicted(result, proxy, url)
    assert "contains multiple values '*, http://localhost:1'" in result["console"]


def test_redirect_is_followed_and_readable(page, servers):
    target = "/open/status/200?hop=2"
    result = page.fetch(api_url(servers, f"/open/redirect?to={target}"))
    assert result["ok"] and result["status"] == 200 and result["body"] == '{"status": 200}', result


# Exposure.


def test_exposed_header_readable_others_hidden(page, servers):
    result = page.fetch(api_url(servers, "/expose/custom"), read=("x-custom", "x-total", "set-cookie"))
    assert result["headers"] == {"x-custom": "1", "x-total": None, "set-cookie": None}
    result = page.fetch(api_url(servers, "/open/custom"), read=("x-custom", "x-total", "set-cookie"))
    assert result["headers"] == {"x-custom": "1", "x-total": "7", "set-cookie": None}


# Preflight cache.


@pytest.mark.parametrize("path, expected", [("/cache600/items", 1), ("/cache0/items", 2)])
def test_preflight_cache_follows_max_age(page, proxy, servers, path, expected):
    url = api_url(servers, path)
    for _ in range(2):
        assert page.fetch(url, method="PUT", body="x")["ok"]
    assert preflights_for(proxy, url, "PUT", calls=2) == expected


# Still blocked, and the page sees it.


def test_uncovered_host_stays_blocked(page, proxy, servers):
    url = api_url(servers, "/items", which="uncovered")
    assert_blocked_as_predicted(page.fetch(url), proxy, url)
    line = proxy.wait_for_decision(f"CORS GET {url} from {page.origin}", "untouched")
    assert f'a rule that would fix it: {{hosts: ["127.0.0.1:{servers["uncovered"].port}"]' in line


def test_uncovered_host_preflight_stays_blocked(page, proxy, servers):
    url = api_url(servers, "/items", which="uncovered")
    result = page.fetch(url, method="PUT")
    assert_blocked_as_predicted(result, proxy, url)
    assert "Response to preflight request doesn't pass access control check" in result["console"]


def test_disallowed_origin_stays_blocked(page, proxy, servers):
    url = api_url(servers, "/other-origin/items")
    assert_blocked_as_predicted(page.fetch(url), proxy, url)
    url = api_url(servers, "/other-origin/items")
    assert_blocked_as_predicted(page.fetch(url, method="PUT"), proxy, url)


# HTTPS API through the proxy.


def test_https_api(page, proxy, servers):
    after = len(proxy.lines)
    url = api_url(servers, "/x", which="tls_api")
    result = page.fetch(url, method="PUT", body="x")
    assert result["ok"] and result["status"] == 200, result
    result = page.fetch(api_url(servers, "/status/401", which="tls_api"))
    assert result["ok"] and result["status"] == 401, result
    # Chromium speaks HTTP/2 to mitmproxy here: the answered preflight goes out as HTTP/2 too, and the
    # addon's header names are lowercase, so mitmproxy has nothing to lowercase (and warn about).
    proxy.wait_for(f"OPTIONS {url} HTTP/2.0", after=after)
    assert proxy.wait_for("<< HTTP/2.0 204", after=after)
    proxy.wait_for(f"CORS PUT {url} from ", after=after)  # the call after the preflight: its warnings came first
    assert not [line for line in proxy.lines[after:] if "Lowercased" in line]


def test_http2_all_the_way(playwright, servers, tmp_path):
    """An HTTP/2 API (a second mitmdump, plain, in reverse mode in front of the API, speaks HTTP/2 to the
    proxy): rewritten responses go out with lowercase names, without mitmproxy's lowercasing warnings."""
    api = servers["api"].port
    with Mitmdump(tmp_path / "h2", "--mode", f"reverse:http://127.0.0.1:{api}") as h2_api:
        rules = tmp_path / "rules.yaml"
        rules.write_text(f'rules:\n  - name: h2\n    hosts: ["127.0.0.1:{h2_api.port}"]\n    preflight: forward\n')
        with Mitmdump(tmp_path, "--set", f"cors_rules={rules}", "--set", "ssl_insecure=true") as front:
            chromium = launch(playwright, front.port, "--ignore-certificate-errors")
            page = Page(chromium, servers["page"].origin)
            try:
                url = f"https://127.0.0.1:{h2_api.port}/items"
                result = page.fetch(url, method="PUT", body="x", read=("x-upstream",))
                assert result["ok"] and result["status"] == 200, result
                front.wait_for_decision(f"CORS PUT {url} from {page.origin}", "allowed by rule 'h2'")
                front.wait_for("<< HTTP/2.0 200")
                assert not [line for line in front.lines if "Lowercased" in line], front.log
            finally:
                page.close()
                chromium.close()


# Reverse mode, no browser proxy at all.


def test_reverse_mode_without_browser_proxy(playwright, servers, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(f'rules:\n  - name: api\n    hosts: ["127.0.0.1:{servers["api"].port}"]\n')
    with Mitmdump(
        tmp_path, "--mode", f"reverse:http://127.0.0.1:{servers['api'].port}", "--set", f"cors_rules={rules}"
    ) as reverse:
        chromium = launch(playwright)
        page = Page(chromium, servers["page"].origin)
        try:
            base = f"http://127.0.0.1:{reverse.port}"
            result = page.fetch(f"{base}/items", method="PATCH", body="x", headers={"Authorization": "Bearer t"})
            assert result["ok"] and result["status"] == 200, result
            assert page.fetch(f"{base}/status/500")["status"] == 500
            reverse.wait_for("answered 204 by rule 'api' (methods PATCH; headers authorization)")
        finally:
            page.close()
            chromium.close()


def test_reverse_mode_covers_its_target_without_a_rules_edit(playwright, servers, tmp_path):
    """The shipped rules.yaml does not name 127.0.0.2: the reverse target is covered by default."""
    with Upstream(host="127.0.0.2") as api, Mitmdump(tmp_path, "--mode", f"reverse:http://127.0.0.2:{api.port}") as rev:
        rev.wait_for(f"CORS: covering http://127.0.0.2:{api.port} (reverse target) with the default policy")
        chromium = launch(playwright)
        page = Page(chromium, servers["page"].origin)
        try:
            result = page.fetch(f"http://127.0.0.1:{rev.port}/items", method="PUT", body="x", headers={"X-Token": "t"})
            assert result["ok"] and result["status"] == 200, result
            rev.wait_for(f"answered 204 by rule 'http://127.0.0.2:{api.port} (reverse target)'")
        finally:
            page.close()
            chromium.close()


# A rules.yaml edit while the browser is open.


def test_rules_edit_applies_while_the_browser_is_open(playwright, servers, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f'rules:\n  - name: api\n    hosts: ["127.0.0.1:{servers["api"].port}"]\n'
        "    allow_origins: [http://localhost:1]\n"
    )
    with Mitmdump(tmp_path, "--set", f"cors_rules={rules}") as proxy:
        chromium = launch(playwright, proxy.port)
        page = Page(chromium, servers["page"].origin)
        try:
            url = f"http://127.0.0.1:{servers['api'].port}/items?n=1"
            assert_blocked_as_predicted(page.fetch(url), proxy, url)
            mark = len(proxy.lines)
            rules.write_text(f'rules:\n  - name: api\n    hosts: ["127.0.0.1:{servers["api"].port}"]\n')
            proxy.wait_for("CORS: 1 rule reloaded", after=mark)
            result = page.fetch(f"http://127.0.0.1:{servers['api'].port}/items?n=2")
            assert result["ok"] and result["status"] == 200, result
        finally:
            page.close()
            chromium.close()


# A response cached from a request without Origin, then read by fetch().


@pytest.mark.parametrize(
    "path, fixed", [("/star/cacheable.png", True), ("/no-rule/cacheable.png", False)], ids=["star rule", "no rule"]
)
def test_a_response_cached_without_origin_serves_a_later_fetch_under_a_star_rule(page, proxy, servers, path, fixed):
    """An <img> (no Origin) puts the response in Chromium's HTTP cache, and fetch() of the same URL is served
    from that copy: without the rule's '*' on it, Chromium blocks the fetch although the API was never asked."""
    api = servers["api"]
    url = api_url(servers, path)
    before = len(api.seen)
    page.load_image(url)
    result = page.fetch(url)
    asked = [seen for seen in api.seen[before:] if url.endswith(seen[1])]
    assert len(asked) == 1 and "Origin" not in asked[0][2], asked  # only the <img> reached the API
    if fixed:
        assert result["ok"] and result["status"] == 200, result
    else:
        assert not result["ok"] and result["console"] is not None, result
        assert result["console"].endswith(
            "No 'Access-Control-Allow-Origin' header is present on the requested resource."
        )
