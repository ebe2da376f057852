"""Between mitmproxy's flows and the pure core: a request read into a CorsRequest, an Outcome
applied to a response. All the byte-level header work of the addon is here."""

from __future__ import annotations

from collections.abc import Iterable

from mitmproxy import http
from mitmproxy.net.http import status_codes
from mitmproxy.proxy.mode_specs import ReverseMode

from .patterns import is_loopback, serialize_origin
from .policy import CorsRequest
from .respond import Outcome
from .rule import normalize_method

_WANTED = frozenset(
    {
        b"origin",
        b"access-control-request-method",
        b"access-control-request-headers",
        b"access-control-request-private-network",
        b"cookie",
        b"sec-fetch-storage-access",
        b"sec-fetch-site",
        b"upgrade",
    }
)


def _text(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def read_request(f: http.HTTPFlow) -> CorsRequest | None:
    """The request as the core sees it; None for WebSocket handshakes (they carry an Origin, but CORS
    does not apply to them). One pass over the raw header fields."""
    found: dict[bytes, list[bytes]] = {}
    for name, value in f.request.headers.fields:
        key = name.lower()
        if key in _WANTED:
            found.setdefault(key, []).append(value)
    if b"upgrade" in found:
        return None
    request = f.request
    requested_method = found.get(b"access-control-request-method")
    requested_headers = found.get(b"access-control-request-headers")
    private_network = found.get(b"access-control-request-private-network")
    return CorsRequest(
        method=normalize_method(request.method),
        scheme=request.scheme,
        host=request.host,
        port=request.port,
        path=request.path,
        origins=tuple(_text(origin) for origin in found.get(b"origin", ())),
        own_origins=own_origins(f),
        request_method=_text(requested_method[0]) if requested_method else None,
        request_headers=",".join(map(_text, requested_headers)) if requested_headers else None,
        private_network=private_network is not None and private_network[0].strip().lower() == b"true",
        carries_credentials=b"cookie" in found,
        storage_access=b"sec-fetch-storage-access" in found,
        fetch_site=_text(found[b"sec-fetch-site"][0]) if b"sec-fetch-site" in found else None,
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
