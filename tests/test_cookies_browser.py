"""Credentials end to end in a real Chromium: the session cookie survives the cross-site trip with
rewrite_cookies, and without it every dropped cookie is named with Chromium's own reason (read through CDP)."""

import json
import time
from urllib.parse import quote

import pytest
from browser import Page, PageServer, launch, require_chromium
from proxy import Mitmdump
from upstream import Upstream

pytestmark = pytest.mark.browser

RULES = """
rules:
  - name: plain
    hosts: ["127.0.0.1:{api}"]
    paths: ["/plain/**"]
    allow_credentials: true
  - name: rewriting
    hosts: ["127.0.0.1:{api}"]
    paths: ["/rewrite/**"]
    allow_credentials: true
    rewrite_cookies: true
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    require_chromium()
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("cookies")
    with Upstream() as api, sync_playwright() as playwright:
        rules = folder / "rules.yaml"
        rules.write_text(RULES.format(api=api.port))
        page_server = PageServer()
        with Mitmdump(folder, "--set", f"cors_rules={rules}") as proxy:
            chromium = launch(playwright, proxy.port)
            try:
                yield {"api": api, "proxy": proxy, "chromium": chromium, "origin": page_server.origin}
            finally:
                chromium.close()
                page_server.close()


@pytest.fixture
def page(setup):
    opened = Page(setup["chromium"], setup["origin"])
    cdp = opened.context.new_cdp_session(opened.page)
    cdp.send("Network.enable")
    opened.blocked = {}  # cookie name -> Chromium's reasons

    def extra_info(event):
        for entry in event.get("blockedCookies", []):
            name = entry.get("cookie", {}).get("name") or entry.get("cookieLine", "").split("=", 1)[0]
            opened.blocked[name] = entry.get("blockedReasons", [])

    cdp.on("Network.responseReceivedExtraInfo", extra_info)
    yield opened
    opened.close()


def setting(setup, path, *cookies):
    query = "&".join(f"h={quote('Set-Cookie:' + cookie)}" for cookie in cookies)
    return f"http://127.0.0.1:{setup['api'].port}{path}/configured?{query}"


def sent_back(page, setup, path):
    """The Cookie header of the next credentialed call, as the API saw it."""
    result = page.fetch(f"http://127.0.0.1:{setup['api'].port}{path}/echo", credentials="include")
    assert result["ok"], result
    return json.loads(result["body"])["headers"].get("cookie")


VARIANTS = [
    "nosite=1; Path=/",
    "lax=1; Path=/; SameSite=Lax",
    "strict=1; Path=/; SameSite=Strict",
    "noneinsecure=1; Path=/; SameSite=None",
    "foreign=1; Path=/; Domain=example.com",
]


def test_dropped_cookies_are_named_with_chromiums_reason_and_left_unchanged(page, setup):
    url = setting(setup, "/plain", *VARIANTS)
    result = page.fetch(url, credentials="include", method="POST", body="login")
    assert result["ok"], result
    line = setup["proxy"].wait_for(f"CORS POST {url} from ")
    time.sleep(0.3)  # CDP's extra info arrives after the response
    for variant in VARIANTS:
        name = variant.split("=", 1)[0]
        addon_reason = line.split(f"{name} (", 1)[1].split(":", 1)[0]
        assert addon_reason in page.blocked[name], (name, page.blocked, line)
    assert sent_back(page, setup, "/plain") is None
    seen = [headers for method, path, headers in setup["api"].seen if method == "POST" and "/plain/" in path]
    assert seen, "the login reached the API"


def test_partitioned_without_secure_is_dropped_silently_and_named(page, setup):
    url = setting(setup, "/plain", "quiet=1; Path=/; SameSite=None; Partitioned")
    assert page.fetch(url, credentials="include")["ok"]
    assert "quiet (PartitionedWithoutSecure" in setup["proxy"].wait_for(f"CORS GET {url} from ")
    assert sent_back(page, setup, "/plain") is None


def test_with_rewrite_cookies_the_session_comes_back(page, setup):
    url = setting(setup, "/rewrite", "session=abc; Path=/; HttpOnly; Max-Age=600", "theme=dark; Path=/; SameSite=Lax")
    result = page.fetch(url, credentials="include", method="POST", body="login")
    assert result["ok"], result
    line = setup["proxy"].wait_for(f"CORS POST {url} from ")
    assert (
        "cookies rewritten so the browser keeps them (host-only, SameSite=None; Secure; Partitioned): session, "
        "theme" in line
    )
    time.sleep(0.3)
    assert "session" not in page.blocked and "theme" not in page.blocked, page.blocked
    cookie = sent_back(page, setup, "/rewrite")
    assert cookie is not None and "session=abc" in cookie and "theme=dark" in cookie


def test_a_cookie_the_browser_keeps_is_left_byte_for_byte(page, setup):
    kept = "keeper=1; Path=/; SameSite=None; Secure; Partitioned"
    url = setting(setup, "/rewrite", kept)
    assert page.fetch(url, credentials="include")["ok"]
    line = setup["proxy"].wait_for(f"CORS GET {url} from ")
    assert "keeper" not in line.split(f"CORS GET {url} from ", 1)[1]  # neither dropped nor rewritten
    time.sleep(0.3)
    assert "keeper" not in page.blocked
    assert "keeper=1" in (sent_back(page, setup, "/rewrite") or "")
