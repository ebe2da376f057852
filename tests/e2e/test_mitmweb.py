"""Decisions in mitmweb: marks and comments through its REST API, commands, and a screenshot."""

import json
import os
import urllib.request
from pathlib import Path

import pytest
from support.browser import Page, PageServer, launch, require_chromium
from support.net import free_port
from support.proxy import Mitmdump
from support.upstream import Upstream

pytestmark = pytest.mark.browser
PASSWORD = "cors-test-secret"


def mitmweb_has_password() -> bool:
    from mitmproxy.version import VERSION

    major, minor, patch = (int(part) for part in VERSION.split(".")[:3])
    return (major, minor, patch) >= (11, 1, 2)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    require_chromium()
    folder = tmp_path_factory.mktemp("web")
    with Upstream() as api, Upstream() as uncovered:
        rules = folder / "rules.yaml"
        rules.write_text(
            f'rules:\n  - name: local-api\n    hosts: ["127.0.0.1:{api.port}"]\n'
            "  - name: only-get\n"
            f'    hosts: ["127.0.0.1:{api.port}"]\n    paths: ["/narrow/**"]\n'
            "    allow_methods: [GET]\n"
        )
        rules.write_text(
            rules.read_text().replace(
                "  - name: local-api",
                "  - name: narrow-first\n"
                f'    hosts: ["127.0.0.1:{api.port}"]\n    paths: ["/narrow/**"]\n'
                "    allow_methods: [GET]\n  - name: local-api",
            )
        )
        web_port = free_port()
        args = [
            "--set",
            f"cors_rules={rules}",
            "--web-host",
            "127.0.0.1",
            "--web-port",
            str(web_port),
            "--set",
            "web_open_browser=false",
        ]
        for column in ("icon", "method", "path", "status", "size", "time", "comment"):
            args += ["--set", f"web_columns={column}"]
        token = ""
        if mitmweb_has_password():
            args += ["--set", f"web_password={PASSWORD}"]
            token = PASSWORD
        with Mitmdump(folder, *args, binary="mitmweb") as proxy:
            page_server = PageServer()
            yield {
                "proxy": proxy,
                "api": api,
                "uncovered": uncovered,
                "web": f"http://127.0.0.1:{web_port}",
                "token": token,
                "page": page_server,
            }
            page_server.close()


def rest(web, path, data=None):
    """Call mitmweb's REST API: token, and for POST tornado's double-submit XSRF cookie + header."""
    separator = "&" if "?" in path else "?"
    token = f"{separator}token={web['token']}" if web["token"] else ""
    request = urllib.request.Request(
        web["web"] + path + token, data=json.dumps(data).encode() if data is not None else None
    )
    if data is not None:
        xsrf = "0123456789abcdef"  # any value works, as long as cookie and header agree
        request.add_header("Content-Type", "application/json")
        request.add_header("Cookie", f"_xsrf={xsrf}; _mitmproxy_xsrf={xsrf}")
        request.add_header("X-XSRFToken", xsrf)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def browsed(web):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright, web["proxy"].port)
        page = Page(chromium, web["page"].origin)
        api, other = web["api"].port, web["uncovered"].port
        results = {
            "put": page.fetch(
                f"http://127.0.0.1:{api}/items", method="PUT", body="{}", headers={"Content-Type": "application/json"}
            ),
            "get401": page.fetch(f"http://127.0.0.1:{api}/status/401"),
            "refused": page.fetch(f"http://127.0.0.1:{api}/narrow/items", method="DELETE"),
            "uncovered": page.fetch(f"http://127.0.0.1:{other}/items"),
        }
        page.close()
        yield results, playwright
        chromium.close()


def cors_flows(web):
    flows = rest(web, "/flows")
    return [
        f
        for f in flows
        if any(k.lower() == "origin" for k, _ in f["request"]["headers"]) and f["request"]["path"] != "/"
    ]


def test_each_cors_flow_carries_its_decision(web, browsed):
    results, _ = browsed
    assert results["put"]["ok"] and results["get401"]["status"] == 401
    assert not results["refused"]["ok"] and not results["uncovered"]["ok"]
    flows = {(f["request"]["method"], f["request"]["path"]): f for f in cors_flows(web)}
    preflight = flows[("OPTIONS", "/items")]
    # A preflight never shows its call's mode; the PUT that followed did (cross-site, no Sec-Fetch-Storage-Access
    # from Chromium: no credentials), and the preflight's mark took it.
    assert preflight["marked"] == "\u2705" and flows[("PUT", "/items")]["marked"] == "\u2705"
    assert preflight["comment"].startswith("CORS: answered 204 by rule 'local-api' (methods PUT; headers content-type)")
    assert (
        "rule 'local-api' fixed it for calls without credentials; if the page sends credentials" in preflight["comment"]
    )
    assert flows[("GET", "/status/401")]["comment"].startswith("CORS: allowed by rule 'local-api' (401")
    refused = flows[("OPTIONS", "/narrow/items")]
    assert refused["marked"] == "\u26d4"
    assert "refused by rule 'narrow-first': method DELETE is not in allow_methods [GET]" in refused["comment"]
    assert "browser will block: Access to fetch at" in refused["comment"]
    uncovered = flows[("GET", "/items")]
    assert uncovered["marked"] == "\u26a0\ufe0f" or uncovered["marked"] == "\u26a0"
    assert "a rule that would fix it" in uncovered["comment"]


def test_commands_work_from_mitmweb(web, browsed):
    explained = rest(web, "/commands/cors.explain", {"arguments": ["~u /narrow/"]})
    assert "Method DELETE is not allowed" not in explained["value"]
    assert "Response to preflight request doesn't pass access control check" in explained["value"]
    snippet = rest(web, "/commands/cors.rule", {"arguments": ["~u /narrow/"]})
    assert snippet["value"].startswith("rules:\n") and 'allow_methods: ["DELETE"]' in snippet["value"]


def test_screenshot_of_the_flow_list_and_detail(web, browsed, tmp_path):
    _, playwright = browsed
    folder = Path(os.environ.get("CORS_SCREENSHOT_DIR") or tmp_path)
    chromium = launch(playwright)
    try:
        page = chromium.new_page(viewport={"width": 1600, "height": 700})
        page.goto(web["web"] + "/" + (f"?token={web['token']}" if web["token"] else ""))
        row = page.locator("tr", has_text="/narrow/items").first
        row.wait_for(timeout=10000)
        row.click()
        # The last "Comment" on the page is the detail pane's tab (the first is the column header).
        page.get_by_text("Comment", exact=True).last.click()
        page.get_by_text("refused by rule 'narrow-first'").last.wait_for(timeout=10000)
        page.wait_for_timeout(500)
        path = folder / "mitmweb.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
    finally:
        chromium.close()
