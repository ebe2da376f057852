"""Between mitmproxy's flows and the pure core: a request read into a CorsRequest, an Outcome
applied to a response. All the byte-level header work of the addon is here."""

from __future__ import annotations

from collections.abc import Iterable

from mitmproxy import http
from mitmproxy.net.http import status_codes
from mitmproxy.proxy.mode_specs import ReverseMode

from addon.answer.outcome import Outcome
from addon.core.patterns import is_loopback, serialize_origin
from addon.core.request import CorsRequest
from addon.core.request import read_request as core_read_request
from addon.core.rule import Rule


def read_request(f: http.HTTPFlow) -> CorsRequest | None:
    """The request as the core sees it; None for WebSocket handshakes (core.request.read_request)."""
    request = f.request
    return core_read_request(
        request.method, request.scheme, request.host, request.port, request.path, request.headers.fields, own_origins(f)
    )


def own_origins(f: http.HTTPFlow) -> tuple[str, ...]:
    """The origins under which the browser itself sees this URL (same-origin requests are left alone):
    the URL's own, and in reverse mode the proxy's listen address the browser really called."""
    request = f.request
    origins = [serialize_origin(request.scheme, request.host, request.port)]
    client = f.client_conn
    if isinstance(client.proxy_mode, ReverseMode) and client.sockname:
        scheme = "https" if client.tls_established else "http"
        host, port = client.sockname[:2]
        origins.append(serialize_origin(scheme, host, port))
        if is_loopback(host):
            origins.append(serialize_origin(scheme, "localhost", port))
    return tuple(origins)


def _encode(fields: Iterable[tuple[str, str]], lowercase: bool) -> list[tuple[bytes, bytes]]:
    # HTTP/2 forbids uppercase names (mitmproxy would lowercase them and log a warning for each).
    # Values the core writes are validated tokens and origins; a merged Vary may hold the server's own bytes.
    return [
        ((name.lower() if lowercase else name).encode("ascii"), value.encode("utf-8", "surrogateescape"))
        for name, value in fields
    ]


def answer(f: http.HTTPFlow, outcome: Outcome) -> None:
    """Answer the request with the outcome's response, in the request's HTTP version."""
    response = http.Response.make(outcome.status, b"", http.Headers(_encode(outcome.add, f.request.is_http2)))
    response.http_version = f.request.http_version
    f.response = response


def _no_body(chunk: bytes) -> bytes:
    return b""


def apply(outcome: Outcome, response: http.Response) -> None:
    """Rewrite the response's status and header fields as the outcome says; the other fields keep
    their bytes and order. Runs before the headers leave (responseheaders), streamed or not."""
    if outcome.remove or outcome.add:
        removed = {name.encode("ascii") for name in outcome.remove}
        kept = [field for field in response.headers.fields if field[0].lower() not in removed]
        response.headers.fields = (*kept, *_encode(outcome.add, response.is_http2))
    if outcome.status != response.status_code:
        response.status_code = outcome.status
        response.reason = status_codes.RESPONSES.get(outcome.status, "")
    if outcome.empty_body:
        response.stream = _no_body


def passes_filter(rule: Rule, f: http.HTTPFlow) -> bool:
    """Does the rule's mitmproxy filter match the flow (the core asks only for rules that have one)."""
    return rule.filter is not None and bool(rule.filter(f))
