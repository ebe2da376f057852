"""WebSocket handshakes to a covered host through a real mitmdump (reverse mode) to a real WebSocket
server on 127.0.0.1 (the `websockets` package) that checks Origin itself: the refusal logged as what it
is, not CORS; websocket_origin: rewrite hands the server its own origin for allowed origins only."""

import asyncio
import json
import subprocess
import sys
import threading

import pytest
from mitmproxy import io
from support.net import free_port
from support.proxy import ROOT, Mitmdump
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from addon.mitm.commands import explain_flows

PAGE = "http://localhost:3000"


def read_flows(path):
    with open(path, "rb") as file:
        return list(io.FlowReader(file).stream())


class Server:
    """A WebSocket echo server on 127.0.0.1 that accepts only its own origin (or closes at once)."""

    def __init__(self, close_at_once=False, any_origin=False):
        self.close_at_once, self.any_origin = close_at_once, any_origin
        self.started = threading.Event()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_until_complete, args=(self._run(),), daemon=True).start()
        assert self.started.wait(10)

    async def _echo(self, socket):
        if self.close_at_once:
            await socket.close(1008, "origin not allowed")
            return
        async for message in socket:
            await socket.send(message)

    async def _run(self):
        self.stop = asyncio.Event()
        self.port = free_port()
        origins = None if self.close_at_once or self.any_origin else [f"http://127.0.0.1:{self.port}"]
        async with serve(self._echo, "127.0.0.1", self.port, origins=origins):
            self.started.set()
            await self.stop.wait()

    def close(self):
        self.loop.call_soon_threadsafe(self.stop.set)


@pytest.fixture
def server():
    running = Server()
    yield running
    running.close()


def explain(path, *options):
    done = subprocess.run(
        [sys.executable, "-m", "addon", "explain", str(path), *options], capture_output=True, text=True, cwd=ROOT
    )
    assert "Traceback" not in done.stderr
    return done


def proxy_for(tmp_path, port, websocket_origin, *args):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f'rules:\n  - name: ws\n    hosts: ["127.0.0.1:{port}"]\n    allow_origins: [{PAGE}]\n'
        f"    websocket_origin: {websocket_origin}\n"
    )
    return Mitmdump(tmp_path, "--mode", f"reverse:http://127.0.0.1:{port}", "--set", f"cors_rules={rules}", *args)


def test_the_server_s_origin_check_is_logged_as_not_cors(tmp_path, server):
    saved = tmp_path / "flows"
    with proxy_for(tmp_path, server.port, "keep", "-w", str(saved)) as proxy:
        with pytest.raises(InvalidStatus) as refused:
            connect(f"ws://127.0.0.1:{proxy.port}/socket", origin=PAGE, open_timeout=5)
        assert refused.value.response.status_code == 403
        line = proxy.wait_for(f"WebSocket ws://127.0.0.1:{server.port}/socket from {PAGE}: ⛔ refused by the server")
    assert (
        f"⛔ refused by the server (403): the server checks Origin itself; CORS headers cannot change that; fix: "
        f"allow {PAGE} in the server's WebSocket origin check, or through this proxy websocket_origin: rewrite in "
        "rule 'ws'"
    ) in line
    (flow,) = read_flows(saved)  # the mark, comment and plain metadata are saved with the flow
    assert flow.marked == ":no_entry:" and "Origin: http://localhost:3000 and the server decides" in flow.comment
    assert flow.metadata["cors"]["websocket_handshake"] == {
        "rule": "ws", "origin": PAGE, "sent_origin": PAGE, "status": 403, "refused": True
    }  # fmt: skip
    explained = explain_flows([flow])  # what cors.explain says about the saved flow
    assert explained.startswith(line[line.index("WebSocket ") :]) and "the server decides" in explained
    offline = explain(saved)  # cors-addon explain FILE, without the rules
    assert offline.returncode == 1
    assert (
        f"WebSocket ws://127.0.0.1:{server.port}/socket from {PAGE}\n"
        "  refused by the server (403): the server checks Origin itself; CORS headers cannot change that\n"
        f"  fix: allow {PAGE} in the server's WebSocket origin check, or through the proxy a rule for "
        f"127.0.0.1:{server.port} with websocket_origin: rewrite (below)\n"
    ) in offline.stdout
    assert "    websocket_origin: rewrite" in offline.stdout.split("A rules.yaml that would unblock")[1]


def test_rewrite_hands_the_server_its_own_origin_for_allowed_origins_only(tmp_path, server):
    with proxy_for(tmp_path, server.port, "rewrite") as proxy:
        with connect(f"ws://127.0.0.1:{proxy.port}/socket", origin=PAGE, open_timeout=5) as socket:
            socket.send("hello")
            assert socket.recv(timeout=5) == "hello"
        proxy.wait_for(
            f"WebSocket ws://127.0.0.1:{server.port}/socket from {PAGE}: ✅ accepted by the server (101), Origin "
            f"rewritten to http://127.0.0.1:{server.port} by rule 'ws'"
        )
        with pytest.raises(InvalidStatus):
            connect(f"ws://127.0.0.1:{proxy.port}/socket", origin="https://evil.example", open_timeout=5)
        line = proxy.wait_for("from https://evil.example: ⛔ refused by the server (403)")
    assert "rule 'ws' does not rewrite it: origin https://evil.example is not in allow_origins" in line


def test_a_close_right_after_the_handshake_is_a_refusal_too(tmp_path):
    closing = Server(close_at_once=True)
    saved = tmp_path / "flows"
    try:
        with proxy_for(tmp_path, closing.port, "keep", "-w", str(saved)) as proxy:
            with connect(f"ws://127.0.0.1:{proxy.port}/socket", origin=PAGE, open_timeout=5) as socket:
                with pytest.raises(ConnectionClosed):
                    socket.recv(timeout=5)
            line = proxy.wait_for("closed by the server right after the handshake")
    finally:
        closing.close()
    assert "right after the handshake (1008 origin not allowed): the server checks Origin itself" in line
    offline = json.loads(explain(saved, "--json").stdout)
    assert offline["summary"]["blocked"] == 1
    assert offline["calls"][0]["kind"] == "websocket" and offline["calls"][0]["reason"] == (
        "WebSocket handshake closed by the server right after the handshake (1008 origin not allowed): the server "
        "checks Origin itself; CORS headers cannot change that"
    )


OPEN_SOCKET = """url => new Promise(done => {
  const socket = new WebSocket(url);
  socket.onopen = () => socket.send("hello");
  socket.onmessage = event => { done({ok: true, data: event.data}); socket.close(); };
  socket.onclose = event => done({ok: false, code: event.code});
  setTimeout(() => done({ok: false, timeout: true}), 5000);
})"""


@pytest.mark.browser
def test_in_chromium_the_socket_fails_without_rewrite_and_echoes_with_it(tmp_path, server):
    from playwright.sync_api import sync_playwright
    from support.browser import Page, PageServer, launch

    page_server = PageServer()
    try:
        with sync_playwright() as playwright:
            chromium = launch(playwright)
            results = {}
            for websocket_origin in ("keep", "rewrite"):
                folder = tmp_path / websocket_origin
                folder.mkdir()
                rules = folder / "rules.yaml"
                rules.write_text(
                    f'rules:\n  - name: ws\n    hosts: ["127.0.0.1:{server.port}"]\n'
                    f"    allow_origins: [{page_server.origin}]\n    websocket_origin: {websocket_origin}\n"
                )
                reverse = ("--mode", f"reverse:http://127.0.0.1:{server.port}", "--set", f"cors_rules={rules}")
                with Mitmdump(folder, *reverse) as proxy:
                    page = Page(chromium, page_server.origin)
                    result = page.page.evaluate(OPEN_SOCKET, f"ws://127.0.0.1:{proxy.port}/socket")
                    result["console"] = [text for text in page.console if "WebSocket" in text]
                    result["port"] = proxy.port
                    result["log"] = proxy.wait_for(
                        f"WebSocket ws://127.0.0.1:{server.port}/socket from {page_server.origin}"
                    )
                    page.close()
                results[websocket_origin] = result
            chromium.close()
    finally:
        page_server.close()
    assert results["keep"]["ok"] is False and "⛔ refused by the server (403)" in results["keep"]["log"]
    assert results["keep"]["console"] == [  # Chromium 156's words: nothing about CORS, nothing about Origin
        f"WebSocket connection to 'ws://127.0.0.1:{results['keep']['port']}/socket' failed: Error during WebSocket "
        "handshake: Unexpected response code: 403"
    ]
    assert (results["rewrite"]["ok"], results["rewrite"].get("data")) == (True, "hello"), results["rewrite"]
    assert "✅ accepted by the server (101), Origin rewritten" in results["rewrite"]["log"]


@pytest.mark.browser
def test_cors_addon_explain_tells_handshakes_in_a_devtools_har(tmp_path, server):
    """DevTools' own HAR of a page whose socket one server refuses (status 0 there, the 403 only in Chromium's
    words among the socket's messages) and another accepts (101)."""
    from playwright.sync_api import sync_playwright
    from support.browser import PageServer
    from support.devtools import devtools_recording

    accepting, page_server, har = Server(any_origin=True), PageServer(), tmp_path / "devtools.har"
    try:
        with sync_playwright() as playwright:
            with devtools_recording(playwright, tmp_path / "profile", page_server) as recording:
                for port in (server.port, accepting.port):
                    recording.page.evaluate(OPEN_SOCKET, f"ws://127.0.0.1:{port}/socket")
                har.write_text(recording.har())
    finally:
        accepting.close()
        page_server.close()
    origin = page_server.origin
    entries = [e for e in json.loads(har.read_text())["log"]["entries"] if e.get("_resourceType") == "websocket"]
    assert sorted(e["response"]["status"] for e in entries) == [0, 101]
    result = explain(har)
    assert result.returncode == 1
    assert (
        f"WebSocket ws://127.0.0.1:{server.port}/socket from {origin}\n"
        "  refused by the server (403): the server checks Origin itself; CORS headers cannot change that\n"
    ) in result.stdout
    assert f"WebSocket ws://127.0.0.1:{accepting.port}/socket from {origin}\n  accepted by the server (101)\n" in (
        result.stdout
    )
    assert result.stdout.startswith("Summary: 2 cross-origin calls: 1 pass, 1 blocked\n")
