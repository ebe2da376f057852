"""The evidence behind the credentials inference (README "Which credentials mode?"). Chromium sends
Sec-Fetch-Storage-Access on every cross-site call with credentials: 'include', whatever its third-party cookie
setting, and never on "omit" or "same-origin" calls; same-site calls carry it in no mode. Firefox ESR sends it
the same way only under its default cookie behaviour (5, partitioned); accepting all cookies (0) or blocking
third-party ones (1), it sends it on no call: its absence proves nothing in Firefox.

Each browser calls the API (http://127.0.0.1:API, cross-site to the page on http://localhost:PAGE, and
http://localhost:API, same site) in each mode, first with no cookie stored, then after the API set one
(SameSite=None; Secure); the API records what arrived."""

from __future__ import annotations

import json
import re

import pytest
from support.browser import CHROMIUM_FLAGS, PageServer, require_chromium
from support.firefox import Firefox, firefox_path
from support.net import NO_OUTSIDE_LOOKUPS
from support.proxy import Mitmdump
from support.upstream import Upstream

pytestmark = pytest.mark.browser

MODES = ("include", "omit", "same-origin")
SET_COOKIE = "Set-Cookie:sid=1; SameSite=None; Secure; Path=/"
CALLS = """async ([base, modes, origin, setCookie]) => {
  const allow = 'h=' + encodeURIComponent('Access-Control-Allow-Origin:' + origin)
              + '&h=' + encodeURIComponent('Access-Control-Allow-Credentials:true');
  const call = (url, mode) => fetch(url, {credentials: mode}).then(r => r.status, e => String(e));
  for (const round of ['before', 'after']) {
    for (const mode of modes) await call(`${base}/configured?${allow}&round=${round}&mode=${mode}`, mode);
    if (round === 'before')
      await call(`${base}/configured?${allow}&h=${encodeURIComponent(setCookie)}&round=set&mode=include`, 'include');
  }
  return navigator.userAgent;
}"""


def observed(api: Upstream) -> dict[tuple[str, str], tuple[str | None, str | None, bool]]:
    """(round, mode) -> (Sec-Fetch-Site, Sec-Fetch-Storage-Access, a Cookie was sent), from what the API saw."""
    seen = {}
    for method, path, headers in api.seen:
        found = re.search(r"round=(\w+)&mode=([\w-]+)", path)
        if method != "GET" or not found:
            continue
        lowered = {k.lower(): v for k, v in headers.items()}
        seen[found.groups()] = (
            lowered.get("sec-fetch-site"),
            lowered.get("sec-fetch-storage-access"),
            "cookie" in lowered,
        )
    return seen


def assert_the_header_tells_the_mode(seen, cross_site: bool):
    for round_ in ("before", "after"):
        for mode in MODES:
            site, storage_access, _ = seen[(round_, mode)]
            assert site == ("cross-site" if cross_site else "same-site"), (round_, mode, seen)
            assert (storage_access is not None) is (cross_site and mode == "include"), (round_, mode, seen)


def chromium_calls(tmp_path, base: str, third_party_cookies: bool) -> str:
    from playwright.sync_api import sync_playwright

    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    if third_party_cookies:  # as desktop Chrome's default: allowed (headless blocks them by default)
        preferences = {"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}}
        (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    page_server = PageServer()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=require_chromium(), args=[*CHROMIUM_FLAGS, NO_OUTSIDE_LOOKUPS]
        )
        try:
            page = context.new_page()
            page.goto(page_server.origin + "/")
            return page.evaluate(CALLS, [base, list(MODES), page_server.origin, SET_COOKIE])
        finally:
            context.close()
            page_server.close()


@pytest.mark.parametrize("third_party_cookies", [False, True], ids=["3p-cookies-blocked", "3p-cookies-allowed"])
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"], ids=["cross-site", "same-site"])
def test_chromium_marks_every_cross_site_include_call_and_no_other(tmp_path, third_party_cookies, host):
    with Upstream() as api:
        agent = chromium_calls(tmp_path, f"http://{host}:{api.port}", third_party_cookies)
        seen = observed(api)
    assert re.search(r"Chrome/(\d+)", agent), agent
    assert_the_header_tells_the_mode(seen, cross_site=host == "127.0.0.1")
    if host == "127.0.0.1":  # the cookie comes back only where third-party cookies are allowed
        assert seen[("after", "include")][2] is third_party_cookies, seen
        assert seen[("after", "include")][1] == ("active" if third_party_cookies else "none"), seen


# Firefox: 0 accepts every cookie; 1 blocks third-party cookies; 5 (its default) partitions them.
@pytest.mark.parametrize(
    ("behavior", "marks", "cookie_comes_back"),
    [(0, False, True), (1, False, False), (5, True, True)],
    ids=["accept-all", "block-3p", "partitioned-default"],
)
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"], ids=["cross-site", "same-site"])
def test_firefox_marks_cross_site_include_calls_only_under_its_default_cookie_behaviour(
    tmp_path, behavior, marks, cookie_comes_back, host
):
    firefox_path()
    with Upstream() as api:
        page = PageServer()
        with Mitmdump(tmp_path, "--set", "cors_mode=off") as proxy:
            firefox = Firefox(proxy.port, {"network.cookie.cookieBehavior": behavior})
            try:
                firefox.goto(page.origin + "/")
                agent = firefox.marionette.run(
                    f"const resolve = arguments[arguments.length - 1]; ({CALLS})(arguments[0]).then(resolve);",
                    [f"http://{host}:{api.port}", list(MODES), page.origin, SET_COOKIE],
                )
            finally:
                firefox.close()
                page.close()
        seen = observed(api)
    assert re.search(r"Firefox/(\d+)", agent), agent
    cross_site = host == "127.0.0.1"
    if marks or not cross_site:
        assert_the_header_tells_the_mode(seen, cross_site=cross_site)
    else:
        assert all(storage_access is None for _, storage_access, _ in seen.values()), seen
    if cross_site:
        assert seen[("after", "include")][2] is cookie_comes_back, seen
