"""make demo starts: the page is served, the API has no CORS, mitmweb with the addon fixes it."""

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest
from support.browser import launch, require_chromium
from support.http_client import send
from support.net import free_port, wait_port
from support.proxy import ROOT


@contextmanager
def demo(tmp_path):
    """`make demo` on free ports; yields the ports and the list of lines it prints, filled as they come."""
    ports = {name: free_port() for name in ("API", "PAGE", "PROXY", "WEB")}
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f'rules:\n  - name: demo-api\n    hosts: ["127.0.0.1:{ports["API"]}"]\n'
        f"    allow_origins: [http://localhost:{ports['PAGE']}]\n"
    )
    env = {**os.environ, **{f"DEMO_{name}_PORT": str(port) for name, port in ports.items()}, "DEMO_RULES": str(rules)}
    command = [sys.executable, str(ROOT / "demo" / "demo.py"), "--set", f"confdir={tmp_path}"]
    process = subprocess.Popen(
        [*command, "--set", "web_open_browser=false"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True).start()
    try:
        for port in ports.values():
            wait_port(port, 30)
        yield ports, lines
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)


def wait_for(lines, test, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = next((line for line in list(lines) if test(line)), None)
        if found is not None:
            return found
        time.sleep(0.05)
    raise AssertionError("not printed:\n" + "".join(lines))


def test_demo_runs(tmp_path):
    with demo(tmp_path) as (ports, lines):
        page = send("GET", "/", port=ports["PAGE"])
        assert page.status == 200 and b"cors-addon demo" in page.body
        origin = f"http://localhost:{ports['PAGE']}"
        direct = send(
            "OPTIONS", "/items", {"Origin": origin, "Access-Control-Request-Method": "PUT"}, port=ports["API"]
        )
        assert direct.status == 405 and direct.cors() == {}
        fixed = send(
            "OPTIONS", "/items", {"Origin": origin, "Access-Control-Request-Method": "PUT"}, port=ports["PROXY"]
        )
        assert fixed.status == 204 and fixed.get("Access-Control-Allow-Origin") == origin
        from mitmproxy.version import VERSION

        web_url = wait_for(lines, lambda line: line.startswith("mitmweb ")).split()[1]
        assert web_url.startswith(f"http://127.0.0.1:{ports['WEB']}")
        if tuple(int(part) for part in VERSION.split(".")[:2]) >= (11, 1):
            assert "?token=" in web_url
        path = web_url.split(str(ports["WEB"]), 1)[1]
        assert send("GET", path or "/", port=ports["WEB"]).status == 200  # the printed URL opens mitmweb


@pytest.mark.browser
def test_the_credentials_button_is_explained_as_chromium_blocks_it(tmp_path):
    """The demo's rule allows no credentials: its 'credentials: include' button is blocked by Chromium, and
    the addon says so in Chromium's words (never 'fixed it')."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with demo(tmp_path) as (ports, lines), sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            page = chromium.new_page()
            console = []
            page.on("console", lambda message: console.append(message.text))
            page.goto(f"http://localhost:{ports['PAGE']}/?api=http://127.0.0.1:{ports['PROXY']}")
            page.click("button[data-call=creds]")
            page.wait_for_function("document.getElementById('out').textContent.includes('Blocked')")
            blocked = wait_for(console, lambda text: "has been blocked by CORS policy" in text)
        finally:
            chromium.close()
        url = f"http://127.0.0.1:{ports['API']}/items"
        line = wait_for(lines, lambda line: f"CORS GET {url} from http://localhost:{ports['PAGE']}: " in line)
        # In reverse mode the log names the API's own URL where Chromium names the proxy's.
        expected = blocked.replace(f"127.0.0.1:{ports['PROXY']}", f"127.0.0.1:{ports['API']}")
        assert f"browser will block: {expected} (Firefox: CORSMissingAllowCredentials)" in line
        assert "fixed it" not in line
