"""make demo: an API without CORS, a page calling it, and mitmweb with the addon in between.

API without CORS   http://127.0.0.1:5000   (OPTIONS answers 405, no Access-Control-* headers)
the page           http://localhost:3000   (open it in your browser)
mitmweb            http://127.0.0.1:8081   (reverse proxy to the API on 127.0.0.1:8080)
"""

from __future__ import annotations

import functools
import os
import secrets
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.net import LOOPBACK_ONLY  # noqa: E402
from support.upstream import Upstream  # noqa: E402

API_PORT, PAGE_PORT, PROXY_PORT, WEB_PORT = (
    int(os.environ.get(f"DEMO_{name}_PORT", default))
    for name, default in (("API", 5000), ("PAGE", 3000), ("PROXY", 8080), ("WEB", 8081))
)


def mitmweb_wants_a_token() -> bool:
    """mitmweb 11.1 and later answer 403 without ?token= in the URL."""
    from mitmproxy.version import VERSION

    return tuple(int(part) for part in VERSION.split(".")[:2]) >= (11, 1)


def main() -> int:
    mitmweb = Path(sys.executable).parent / "mitmweb"
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(HERE))
    page = ThreadingHTTPServer(("127.0.0.1", PAGE_PORT), handler)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    token = secrets.token_urlsafe(12) if mitmweb_wants_a_token() else ""
    with Upstream(port=API_PORT):
        print(
            __doc__.replace(":5000", f":{API_PORT}")
            .replace(":3000", f":{PAGE_PORT}")
            .replace(":8080", f":{PROXY_PORT}")
            .replace(":8081 ", f":{WEB_PORT}/?token={token} " if token else f":{WEB_PORT} "),
            flush=True,
        )
        print(f"Open http://localhost:{PAGE_PORT}/ and click the buttons; Ctrl-C stops everything.\n", flush=True)
        command = [
            str(mitmweb),
            "-s",
            str(ROOT / "cors_addon.py"),
            "--listen-host",
            "127.0.0.1",
            "-p",
            str(PROXY_PORT),
            "--mode",
            f"reverse:http://127.0.0.1:{API_PORT}",
            "--web-host",
            "127.0.0.1",
            "--web-port",
            str(WEB_PORT),
            "--set",
            f"cors_rules={os.environ.get('DEMO_RULES', HERE / 'rules.yaml')}",
            *LOOPBACK_ONLY,
            *(["--set", f"web_password={token}"] if token else []),
            *sys.argv[1:],
        ]
        for column in ("icon", "method", "path", "status", "size", "time", "comment"):
            command += ["--set", f"web_columns={column}"]
        try:
            return subprocess.call(command)
        except KeyboardInterrupt:
            return 0
        finally:
            page.shutdown()


if __name__ == "__main__":
    sys.exit(main())
