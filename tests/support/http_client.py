"""A small HTTP client that keeps repeated headers, for talking through the proxy."""

from __future__ import annotations

import http.client
from dataclasses import dataclass


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def get(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    def cors(self) -> dict[str, str]:
        return {k: v for k, v in self.headers if k.lower().startswith("access-control-")}


def send(
    method: str,
    url: str,
    headers: dict | list = (),
    proxy_port: int | None = None,
    port: int | None = None,
    body: bytes | None = None,
    timeout: float = 10,
) -> Reply:
    """Through the proxy (absolute-form) when proxy_port is given, else straight to `port`."""
    if proxy_port:
        connection = http.client.HTTPConnection("127.0.0.1", proxy_port, timeout=timeout)
        target = url
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        target = url
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        items = headers.items() if isinstance(headers, dict) else headers
        for name, value in items:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return Reply(response.status, response.getheaders(), response.read())
    finally:
        connection.close()
