"""The decisions in mitmproxy's console UI: the mark in the flow list, the event log line.

Runs the real `mitmproxy` in tmux and reads the screen.
"""

import shlex
import shutil
import subprocess
import time

import pytest
from support.http_client import send
from support.net import LOOPBACK_ONLY, free_port, wait_port
from support.proxy import ROOT, mitm_binary
from support.upstream import Upstream

pytestmark = pytest.mark.console


@pytest.fixture
def console(tmp_path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is missing: make test installs it")
    session = f"cors-test-{free_port()}"
    port = free_port()
    with Upstream() as api:
        rules = tmp_path / "rules.yaml"
        rules.write_text(
            f'rules:\n  - name: console-api\n    hosts: ["127.0.0.1:{api.port}"]\n    allow_credentials: true\n'
        )
        command = (
            f"TERM=xterm-256color {mitm_binary('mitmproxy')} -s {ROOT / 'cors_addon.py'} "
            f"--listen-host 127.0.0.1 -p {port} --set confdir={tmp_path} --set cors_rules={rules} "
            f"--set console_eventlog_verbosity=info {shlex.join(LOOPBACK_ONLY)} 2>>{tmp_path / 'stderr.txt'}"
        )
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "220", "-y", "50", command], check=True)
        # Keep the pane once mitmproxy exits: what it prints after the console closes stays readable.
        subprocess.run(["tmux", "set-option", "-t", session, "remain-on-exit", "on"], check=True)

        def screen() -> str:
            return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout

        def keys(*names):
            subprocess.run(["tmux", "send-keys", "-t", session, *names], check=True)
            time.sleep(0.5)

        try:
            wait_port(port)
            yield api, port, screen, keys
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def wait_for(screen, text, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = screen()
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not on screen:\n{screen()}")


def test_marks_and_event_log_in_the_console(console):
    api, port, screen, keys = console
    reply = send(
        "OPTIONS",
        f"http://127.0.0.1:{api.port}/items",
        {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "PUT"},
        proxy_port=port,
    )
    assert reply.status == 204
    # The console may draw the row before the flow's mark is set: wait for the redraw.
    flow_list = wait_for(screen, "\u2705")
    assert "/items" in flow_list
    keys("E")
    wait_for(screen, "answered 204 by rule 'console-api'")


def test_commands_in_the_console(console):
    api, port, screen, keys = console
    send("GET", f"http://127.0.0.1:{api.port}/status/401", {"Origin": "http://localhost:3000"}, proxy_port=port)
    wait_for(screen, "/status/401")
    keys(":")
    keys("cors.explain @all", "Enter")
    shown = wait_for(screen, "server answered 401 without Access-Control-* headers")
    assert "Firefox: CORSMissingAllowOrigin" in shown
    keys("q")
    keys(":")
    keys('cors.rule "~u status"', "Enter")
    wait_for(screen, f'hosts: ["127.0.0.1:{api.port}"]')


def test_the_summary_is_left_on_the_terminal_when_the_console_closes(console, tmp_path):
    """The console's event log closes with it: the summary is printed to the terminal (stderr) after it."""
    api, port, screen, keys = console
    send("GET", f"http://127.0.0.1:{api.port}/items", {"Origin": "http://localhost:3000"}, proxy_port=port)
    wait_for(screen, "/items")
    keys(":")
    keys("console.exit", "Enter")
    expected = f"CORS summary: http://localhost:3000 -> 127.0.0.1:{api.port}: 1 fixed"
    printed = ""
    deadline = time.monotonic() + 30  # mitmproxy takes its time to shut down on a loaded machine
    while expected not in printed and time.monotonic() < deadline:
        time.sleep(0.2)
        printed = (tmp_path / "stderr.txt").read_text()
    assert expected in printed, (printed, screen())
