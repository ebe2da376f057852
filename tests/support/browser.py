"""Headless Chromium (Debian's package) driven by Playwright, and the page it runs in."""

from __future__ import annotations

import os
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support.net import NO_OUTSIDE_LOOKUPS

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
BLOCKED = "has been blocked by CORS policy"

FETCH = """async ([url, init, read]) => {
  try {
    const r = await fetch(url, init);
    const headers = {};
    for (const name of read) headers[name] = r.headers.get(name);
    return {ok: true, status: r.status, body: await r.text(), headers};
  } catch (e) {
    return {ok: false, error: String(e)};
  }
}"""


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """Chromium's path; under CI=true a missing browser fails the run instead of skipping."""
    path = chromium_path()
    try:
        import playwright  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium or playwright is missing: .ci/run must install them")
        pytest.skip("Chromium or playwright not installed (make test installs them)")
    return path


class PageServer:
    """Serves a page (empty unless given `html`) at every path; its origin is http://localhost:PORT."""

    def __init__(self, html: str = "<!doctype html><title>page</title><p>page</p>"):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                body = html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.origin = f"http://localhost:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def launch(playwright, proxy_port: int | None = None, *extra: str):
    args = list(CHROMIUM_FLAGS)
    if proxy_port:
        # Chromium sends loopback requests past the proxy unless told not to.
        args += [f"--proxy-server=http://127.0.0.1:{proxy_port}", "--proxy-bypass-list=<-loopback>"]
    else:
        args.append(NO_OUTSIDE_LOOKUPS)
    return playwright.chromium.launch(executable_path=require_chromium(), args=args + list(extra))


LOAD_IMAGE = "url => new Promise(done => { const img = new Image(); img.onload = img.onerror = done; img.src = url; })"


class Page:
    """One browser page at a page origin; `fetch` reports what the page sees and the console said."""

    def __init__(self, browser, origin: str):
        self.context = browser.new_context(ignore_https_errors=True)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.goto(origin + "/")
        self.origin = origin

    def fetch(self, url: str, read: tuple[str, ...] = (), **init) -> dict:
        start = len(self.console)
        result = self.page.evaluate(FETCH, [url, init, list(read)])
        result["console"] = None
        if not result["ok"]:
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and result["console"] is None:
                for text in self.console[start:]:
                    if text.startswith(f"Access to fetch at '{url}'") and BLOCKED in text:
                        result["console"] = text
                        break
                else:
                    time.sleep(0.05)
        return result

    def load_image(self, url: str) -> None:
        """An <img> of `url`: a request without Origin whose response Chromium's HTTP cache keeps."""
        self.page.evaluate(LOAD_IMAGE, url)

    def close(self):
        self.context.close()
