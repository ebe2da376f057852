"""A real API server without CORS support, for the tests (run as a module or imported).

Routes match the end of the path, so /any/prefix/status/401 works like /status/401:
  /status/N          answers N with a JSON body
  /redirect?to=PATH  answers 302 to PATH
  /acao/star         sends its own Access-Control-Allow-Origin: *
  /acao/other        sends Access-Control-Allow-Origin: https://other.example
  /acao/two          sends two Access-Control-Allow-Origin headers
  /custom            sends X-Custom: 1, X-Total: 7 and Set-Cookie
  /truncated         announces a longer body than it sends, then hangs up
  /cacheable.png     a 1x1 PNG any cache may keep for 10 minutes (Cache-Control: max-age=600, no Vary)
  /configured?status=N&h=Name:Value&pstatus=N&ph=Name:Value
                     answers with the given status and headers (p* for OPTIONS)
  anything else      200 with a JSON echo of method, path and request headers
OPTIONS always answers 405, like many real APIs.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "NoCorsAPI/1"

    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError):
            pass  # a client (the browser) hung up: not the server's problem

    def _send(self, status: int, body: dict, extra: list[tuple[str, str]] = ()):
        data = b"" if status in (204, 304) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _handle(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self.server.seen.append((self.command, self.path, dict(self.headers.items())))
        url = urlsplit(self.path)
        echo = {
            "method": self.command,
            "path": url.path,
            "body": body,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }
        route = url.path.rstrip("/")
        status_match = re.search(r"/status/(\d{3})$", route)
        if route.endswith("/configured"):
            query = parse_qs(url.query)
            prefix = "p" if self.command == "OPTIONS" else ""
            status = int(query.get(prefix + "status", ["200"])[0])
            headers = [tuple(h.split(":", 1)) for h in query.get(prefix + "h", [])]
            return self._send(status, echo, headers)
        if self.command == "OPTIONS":
            return self._send(405, {"error": "method not allowed"}, [("Allow", "GET, POST")])
        if status_match:
            status = int(status_match.group(1))
            return self._send(status, {"status": status})
        if route.endswith("/redirect"):
            target = parse_qs(url.query).get("to", ["/"])[0]
            return self._send(302, {"redirect": target}, [("Location", target)])
        if route.endswith("/acao/star"):
            return self._send(200, echo, [("Access-Control-Allow-Origin", "*")])
        if route.endswith("/acao/other"):
            return self._send(200, echo, [("Access-Control-Allow-Origin", "https://other.example")])
        if route.endswith("/acao/two"):
            return self._send(
                200, echo, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Origin", "http://localhost:1")]
            )
        if route.endswith("/truncated"):
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"partial": ')
            self.close_connection = True
            return
        if route.endswith("/cacheable.png"):
            self.send_response(200)
            for name, value in (("Content-Type", "image/png"), ("Content-Length", str(len(PNG))),
                                ("Cache-Control", "max-age=600")):  # fmt: skip
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(PNG)
            return
        if route.endswith("/custom"):
            return self._send(200, echo, [("X-Custom", "1"), ("X-Total", "7"), ("Set-Cookie", "session=abc; Path=/")])
        return self._send(200, echo)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _handle

    def __getattr__(self, name):
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)


class Upstream:
    """Serve Handler on 127.0.0.1 in a thread; `seen` lists (method, path, headers) received."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, tls: tuple[str, str] | None = None):
        self.server = ThreadingHTTPServer((host, port), Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        self.server.seen = []
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def seen(self):
        return self.server.seen

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with Upstream(port=port) as upstream:
        print(f"API without CORS at http://127.0.0.1:{upstream.port}", flush=True)
        threading.Event().wait()
