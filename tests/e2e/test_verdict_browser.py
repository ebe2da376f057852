"""The verdict engine against the real browser: no proxy, a server that sends chosen headers.

Every case of test_verdict.py's tables is replayed in Chromium; the browser's outcome and
console message must equal the verdict's, and `cors-addon probe` asking the same server the same
fetch() (its preflight, then the call) must find the same. Where they differ, the browser is right.
"""

from urllib.parse import quote

import pytest
from support.browser import Page, PageServer, launch, require_chromium
from support.cases import ORIGIN_CASES, PREFLIGHT_MORE, PREFLIGHT_STAR, origin_headers
from support.upstream import Upstream

from addon.doctor.verdict import Exchange, verdict
from addon.probe.client import send
from addon.probe.plan import FetchCall
from addon.probe.probe import probe

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def setup():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with Upstream() as api, sync_playwright() as playwright:
        page_server = PageServer()
        chromium = launch(playwright)
        page = Page(chromium, page_server.origin)
        yield api, page
        page.close()
        chromium.close()
        page_server.close()


_counter = iter(range(10**6))


def configured_url(api, actual=(), preflight=(), preflight_status=None):
    query = [f"n={next(_counter)}"]
    query += [f"h={quote(f'{k}:{v}', safe='')}" for k, v in actual]
    query += [f"ph={quote(f'{k}:{v}', safe='')}" for k, v in preflight]
    if preflight_status:
        query.append(f"pstatus={preflight_status}")
    return f"http://127.0.0.1:{api.port}/configured?" + "&".join(query)


def assert_same(result, expected, probed):
    """Chromium, the verdict engine and `cors-addon probe` (asking the same server the same way) agree."""
    if expected.blocked:
        assert not result["ok"], result
        assert result["console"] == expected.chromium
        assert probed is not None and probed.chromium == result["console"]
    else:
        assert result["ok"], result
        assert probed is None, probed


def probed(url, origin, method="GET", headers=None, credentials=False):
    """What `cors-addon probe` finds for this fetch(): the verdict that blocks it, None when it passes."""
    mode = "include" if credentials else "omit"
    call = FetchCall(url, origin, method, tuple((headers or {}).items()))
    return probe(call, (mode,), send).blocked(mode)


@pytest.mark.parametrize("succeeds, credentials, methods, headers, method, used", PREFLIGHT_STAR + PREFLIGHT_MORE)
def test_preflight_star_table_in_chromium(setup, succeeds, credentials, methods, headers, method, used):
    api, page = setup
    origin = ("Access-Control-Allow-Origin", page.origin)
    preflight = [origin, ("Access-Control-Allow-Methods", methods), ("Access-Control-Allow-Headers", headers)]
    actual = [origin]
    if credentials:
        preflight.append(("Access-Control-Allow-Credentials", "true"))
        actual.append(("Access-Control-Allow-Credentials", "true"))
    url = configured_url(api, actual, preflight, 204)
    result = page.fetch(
        url, method=method, headers={name: "1" for name in used}, credentials="include" if credentials else "omit"
    )
    expected = verdict(Exchange(url, page.origin, "OPTIONS", 204, tuple(preflight), credentials, method, tuple(used)))
    assert expected.blocked is not succeeds
    assert_same(result, expected, probed(url, page.origin, method, {name: "1" for name in used}, credentials))


@pytest.mark.parametrize("value, passes", [case for case in ORIGIN_CASES if "\0" not in str(case[0])])
def test_allow_origin_parsing_in_chromium(setup, value, passes):
    """Values with NUL bytes are left out: they cannot be sent in a header."""
    api, page = setup
    headers = origin_headers(value, page.origin)
    url = configured_url(api, headers)
    result = page.fetch(url)
    expected = verdict(Exchange(url, page.origin, "GET", 200, tuple(headers)))
    assert expected.blocked is not passes
    assert_same(result, expected, probed(url, page.origin))


FAILURES = [
    ("missing", "GET", {}, False, [], None, []),
    ("wildcard with credentials", "GET", {}, True, [("Access-Control-Allow-Origin", "*")], None, []),
    (
        "bad credentials value",
        "GET",
        {},
        True,
        [("Access-Control-Allow-Origin", "ORIGIN"), ("Access-Control-Allow-Credentials", "TRUE")],
        None,
        [],
    ),
    ("invalid value", "GET", {}, False, [("Access-Control-Allow-Origin", "nonsense")], None, []),
    ("preflight without ACAO", "PUT", {}, False, [], 405, []),
    ("preflight not ok", "PUT", {}, False, [], 405, [("Access-Control-Allow-Origin", "ORIGIN")]),
    ("preflight redirect", "PUT", {}, False, [], 302, [("Location", "/x")]),
    (
        "method",
        "PUT",
        {},
        False,
        [],
        204,
        [("Access-Control-Allow-Origin", "ORIGIN"), ("Access-Control-Allow-Methods", "GET")],
    ),
    (
        "header",
        "GET",
        {"X-Foo": "1", "X-Bar": "1"},
        False,
        [],
        204,
        [("Access-Control-Allow-Origin", "ORIGIN"), ("Access-Control-Allow-Headers", "x-bar")],
    ),
    (
        "unparsable methods",
        "PUT",
        {},
        False,
        [],
        204,
        [("Access-Control-Allow-Origin", "ORIGIN"), ("Access-Control-Allow-Methods", "PU T")],
    ),
    ("preflight credentials", "PUT", {}, True, [], 204, [("Access-Control-Allow-Origin", "ORIGIN")]),
    (
        "redirect with user:password",
        "GET",
        {},
        False,
        [("Access-Control-Allow-Origin", "*"), ("Location", "http://u:p@127.0.0.1:1/x")],
        None,
        [],
    ),
]


@pytest.mark.parametrize(
    "name, method, headers, credentials, actual, preflight_status, preflight",
    FAILURES,
    ids=[case[0] for case in FAILURES],
)
def test_each_failure_message_matches_chromium(
    setup, name, method, headers, credentials, actual, preflight_status, preflight
):
    api, page = setup
    fill = lambda pairs: [(k, v.replace("ORIGIN", page.origin)) for k, v in pairs]  # noqa: E731
    actual, preflight = fill(actual), fill(preflight)
    status = 302 if any(k == "Location" for k, _ in actual) else 200
    url = configured_url(api, actual, preflight, preflight_status)
    if status == 302:
        url += "&status=302"
    result = page.fetch(url, method=method, headers=headers, credentials="include" if credentials else "omit")
    if preflight_status:
        exchange = Exchange(
            url,
            page.origin,
            "OPTIONS",
            preflight_status,
            tuple(preflight),
            credentials,
            method,
            tuple(h.lower() for h in headers),
        )
    else:
        exchange = Exchange(url, page.origin, method, status, tuple(actual), credentials)
    expected = verdict(exchange)
    assert expected.blocked
    assert_same(result, expected, probed(url, page.origin, method, headers, credentials))
