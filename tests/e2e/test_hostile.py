"""Hostile requests through a real mitmdump, written byte by byte on a raw socket.

Each gets a sane answer, the addon warns where it refuses, every Access-Control-* value it
writes is one it validated, and the proxy keeps serving the next request.
"""

import re
import socket

import pytest
from support.proxy import Mitmdump
from support.upstream import Upstream

ORIGIN = b"http://localhost:3000"
SAFE_VALUES = {
    "access-control-allow-origin": re.compile(
        r"^(\*|null|https?://[a-z0-9.-]+(:\d{1,5})?|https?://\[[0-9a-f:.]+\](:\d{1,5})?)$"
    ),
    "access-control-allow-credentials": re.compile(r"^true$"),
    "access-control-allow-methods": re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+(, [!#$%&'*+.^_`|~0-9A-Za-z-]+)*$"),
    "access-control-allow-headers": re.compile(r"^[!#$%&'*+.^_`|~0-9a-z-]+(, [!#$%&'*+.^_`|~0-9a-z-]+)*$"),
    "access-control-expose-headers": re.compile(r"^(\*|[!#$%&'*+.^_`|~0-9a-z-]+(, [!#$%&'*+.^_`|~0-9a-z-]+)*)$"),
    "access-control-max-age": re.compile(r"^\d+$"),
    "access-control-allow-private-network": re.compile(r"^true$"),
}


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    with Upstream() as api:
        rules = folder / "rules.yaml"
        rules.write_text(f'rules:\n  - name: api\n    hosts: ["127.0.0.1:{api.port}"]\n    allow_credentials: true\n')
        with Mitmdump(folder, "--set", f"cors_rules={rules}") as running:
            running.api = api
            yield running


def raw(proxy, method: bytes, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, list[tuple[str, str]]]:
    """Send one request as raw bytes; return the status and headers (status 0: connection closed)."""
    target = f"http://127.0.0.1:{proxy.api.port}{path}".encode()
    lines = [method + b" " + target + b" HTTP/1.1", f"Host: 127.0.0.1:{proxy.api.port}".encode()]
    lines += [name + b": " + value for name, value in headers]
    data = b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        sock.sendall(data)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    if not reply:
        return 0, []
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    return status, [tuple(part.strip() for part in line.split(":", 1)) for line in head[1:]]


def assert_validated(headers):
    for name, value in headers:
        pattern = SAFE_VALUES.get(name.lower())
        if name.lower().startswith("access-control-"):
            assert pattern is not None, f"unexpected header {name}"
            assert pattern.match(value), f"{name}: {value!r} was not validated"


def assert_still_serving(proxy):
    status, headers = raw(proxy, b"GET", "/after", [(b"Origin", ORIGIN)])
    assert status == 200
    assert ("Access-Control-Allow-Origin", ORIGIN.decode()) in headers


CASES = [
    ("long origin", b"GET", [(b"Origin", b"http://" + b"a" * 6000 + b".example")], "refused"),
    (
        "long requested headers",
        b"OPTIONS",
        [
            (b"Origin", ORIGIN),
            (b"Access-Control-Request-Method", b"PUT"),
            (b"Access-Control-Request-Headers", b",".join(b"x-h%d" % i for i in range(400))),
        ],
        "refused",
    ),
    (
        "hundreds of headers",
        b"GET",
        [(b"Origin", ORIGIN)] + [(b"X-Filler-%d" % i, b"v") for i in range(300)],
        "allowed",
    ),
    (
        "many requested headers",
        b"OPTIONS",
        [
            (b"Origin", ORIGIN),
            (b"Access-Control-Request-Method", b"PUT"),
            (b"Access-Control-Request-Headers", b",".join(b"x-h%d" % i for i in range(150))),
        ],
        "answered",
    ),
    ("non-ASCII origin", b"GET", [(b"Origin", "http://l\u00f6calhost:3000".encode())], "refused"),
    ("control character in origin", b"GET", [(b"Origin", b"http://localhost:3000\x01")], "refused"),
    ("two Origin headers", b"GET", [(b"Origin", ORIGIN), (b"Origin", b"http://evil.example")], "refused"),
    ("null origin", b"GET", [(b"Origin", b"null")], "refused"),
    ("empty origin", b"GET", [(b"Origin", b"")], "refused"),
    ("empty requested method", b"OPTIONS", [(b"Origin", ORIGIN), (b"Access-Control-Request-Method", b"")], "refused"),
    ("OPTIONS without requested method", b"OPTIONS", [(b"Origin", ORIGIN)], "allowed"),
    (
        "control character in requested method",
        b"OPTIONS",
        [(b"Origin", ORIGIN), (b"Access-Control-Request-Method", b"PU\x01T")],
        "refused",
    ),
    (
        "non-ASCII requested header",
        b"OPTIONS",
        [
            (b"Origin", ORIGIN),
            (b"Access-Control-Request-Method", b"PUT"),
            (b"Access-Control-Request-Headers", "x-\u00e9".encode()),
        ],
        "refused",
    ),
    ("CRLF injected into origin", b"GET", [(b"Origin", ORIGIN + b"\r\nAccess-Control-Allow-Origin: *")], None),
    ("bare LF inside origin", b"GET", [(b"Origin", ORIGIN + b"\nX-Injected: 1")], None),
    ("bare CR inside origin", b"GET", [(b"Origin", ORIGIN + b"\rX-Injected: 1")], None),
]


@pytest.mark.parametrize("name, method, headers, outcome", CASES, ids=[case[0] for case in CASES])
def test_hostile_request(proxy, name, method, headers, outcome):
    path = "/hostile/" + re.sub(r"\W+", "-", name)
    mark = len(proxy.lines)
    status, reply = raw(proxy, method, path, headers)
    assert status in (0, 200, 204, 400, 405, 431), (status, reply)
    assert_validated(reply)
    if outcome == "refused":
        line = proxy.wait_for(f"{path} from", after=mark)
        assert ": \u26d4 refused by rule 'api':" in line
        assert all(not n.lower().startswith("access-control-") for n, _ in reply), reply
    elif outcome is not None:
        proxy.wait_for_decision(f"{path} from http://localhost:3000", outcome, after=mark)
    assert_still_serving(proxy)
    assert proxy.process.poll() is None
