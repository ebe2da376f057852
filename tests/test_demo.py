"""make demo starts: the page is served, the API has no CORS, mitmweb with the addon fixes it."""

import os
import signal
import subprocess
import sys

from http_client import send
from net import free_port, wait_port
from proxy import ROOT


def test_demo_runs(tmp_path):
    ports = {name: free_port() for name in ("API", "PAGE", "PROXY", "WEB")}
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f'rules:\n  - name: demo-api\n    hosts: ["127.0.0.1:{ports["API"]}"]\n'
        f"    allow_origins: [http://localhost:{ports['PAGE']}]\n"
    )
    env = {**os.environ, **{f"DEMO_{name}_PORT": str(port) for name, port in ports.items()}, "DEMO_RULES": str(rules)}
    demo = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "demo" / "demo.py"),
            "--set",
            f"confdir={tmp_path}",
            "--set",
            "web_open_browser=false",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        for port in ports.values():
            wait_port(port, 30)
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

        printed = demo.stdout.readline()
        while not printed.startswith("mitmweb "):
            printed = demo.stdout.readline()
        web_url = printed.split()[1]
        assert web_url.startswith(f"http://127.0.0.1:{ports['WEB']}")
        if tuple(int(part) for part in VERSION.split(".")[:2]) >= (11, 1):
            assert "?token=" in web_url
        path = web_url.split(str(ports["WEB"]), 1)[1]
        assert send("GET", path or "/", port=ports["WEB"]).status == 200  # the printed URL opens mitmweb
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(10)
