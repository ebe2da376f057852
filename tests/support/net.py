"""Ports on 127.0.0.1 for the servers the tests (and bench/) start."""

from __future__ import annotations

import socket
import threading
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20) -> None:
    """Return once something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


# Every mitmdump the tests, the demo and the bench start talks to loopback only: browsers make
# background requests of their own (accounts.google.com, update services), and those are killed
# before any lookup. Lazy connections let the block list act before mitmproxy connects upstream.
LOOPBACK_ONLY = (
    "--set",
    "connection_strategy=lazy",
    "--set",
    r"block_list=/!(~d ^127\.\d+\.\d+\.\d+$ | ~d ^localhost$ | ~d ^::1$)/444",
)
# A browser that runs without the proxy resolves nothing but loopback.
NO_OUTSIDE_LOOKUPS = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"


def raw_server(reply: bytes | None):
    """A TCP server on 127.0.0.1 that answers every connection with `reply` (None: never answers)."""
    server = socket.create_server(("127.0.0.1", 0))
    held = []

    def run():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connection.recv(65536)
            if reply is None:
                held.append(connection)
            else:
                connection.sendall(reply)
                connection.close()

    threading.Thread(target=run, daemon=True).start()
    return server
