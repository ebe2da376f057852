"""Flows to the core's plain data and back: CorsRequest out of a request, header fields into a response."""
from __future__ import annotations

import functools
import ipaddress

from mitmproxy import http
from mitmproxy.proxy.mode_specs import ReverseMode

from .patterns import Origin
from .plans import remember
from .policy import CorsRequest


def _origin(scheme: str, host: str, port: int) -> str:
    return Origin(scheme, f"[{host}]" if ":" in host else host.lower(), port).serialize()


_WANTED = frozenset({b"origin", b"access-control-request-method", b"access-control-request-headers",
                     b"access-control-request-private-network", b"cookie", b"upgrade"})
_NAMES: dict[bytes, bytes | None] = {}  # raw field name -> its lowercase form when CORS reads it


def _learn_name(name: bytes) -> bytes | None:
    key = name.lower()
    return remember(_NAMES, name, key if key in _WANTED else None)


def request_key(f: http.HTTPFlow) -> tuple | None:
    """The request's shape: everything the core reads from it, in one pass over the raw fields;
    None when it carries none of the CORS fields (no Origin: the common case). Requests of one
    shape get one decision: a page repeats its calls. Cookie values are left out, only whether
    one was sent counts."""
    data = f.request.data
    wanted = []
    names = _NAMES
    for name, value in data.headers.fields:
        try:
            key = names[name]
        except KeyError:
            key = _learn_name(name)
        if key is not None:
            wanted.append((key, b"" if key == b"cookie" else value))
    if not wanted:
        return None
    client = f.client_conn
    listen = None
    if isinstance(client.proxy_mode, ReverseMode) and client.sockname:
        listen = ("https" if client.tls_established else "http", *client.sockname[:2])
    return data.method, data.scheme, data.host, data.port, data.path, listen, *wanted


def read_request(key: tuple) -> CorsRequest | None:
    """The request of a request_key, as the core sees it; None when it is not CORS."""
    method, scheme, host, port, path, listen, *wanted = key
    found: dict[bytes, list[str]] = {}
    for name, value in wanted:
        found.setdefault(name, []).append(value.decode("utf-8", "surrogateescape"))
    if b"origin" not in found or b"upgrade" in found:
        return None  # WebSocket handshakes carry an Origin too, but CORS does not apply to them
    requested_method = found.get(b"access-control-request-method")
    requested_headers = found.get(b"access-control-request-headers")
    scheme = scheme.decode("utf-8", "surrogateescape")
    return CorsRequest(
        method=method.decode("utf-8", "surrogateescape").upper(),
        scheme=scheme,
        host=host,
        port=port,
        path=path.decode("utf-8", "surrogateescape"),
        origins=tuple(found[b"origin"]),
        own_origins=own_origins(scheme, host, port, listen),
        request_method=requested_method[0] if requested_method else None,
        request_headers=",".join(requested_headers) if requested_headers else None,
        private_network=found.get(b"access-control-request-private-network", [""])[0].strip().lower() == "true",
        carries_credentials=b"cookie" in found,
    )


def to_cors_request(f: http.HTTPFlow) -> CorsRequest | None:
    """The request as the core sees it; None when it is not CORS."""
    key = request_key(f)
    return None if key is None else read_request(key)


def own_origins(scheme: str, host: str, port: int, listen: tuple[str, str, int] | None) -> tuple[str, ...]:
    """The origins under which the browser itself sees this URL (same-origin requests are left alone):
    the URL's own, and in reverse mode the proxy's listen address the browser really called."""
    origins = [_origin(scheme, host, port)]
    if listen is not None:
        listen_scheme, listen_host, listen_port = listen
        origins.append(_origin(listen_scheme, listen_host, listen_port))
        if is_loopback(listen_host):
            origins.append(_origin(listen_scheme, "localhost", listen_port))
    return tuple(origins)


@functools.lru_cache(maxsize=256)
def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def replace_fields(headers: http.Headers, replaced: tuple[bytes, ...], added: tuple) -> None:
    """Drop the fields whose lowercase names start with `replaced`, append `added`; in one assignment,
    so the other fields keep their bytes and order."""
    if not replaced:
        headers.fields = (*headers.fields, *added)
    else:
        headers.fields = (*[field for field in headers.fields if not field[0].lower().startswith(replaced)], *added)


def vary_fields(names: tuple[str, ...]) -> list[tuple[str, str]]:
    return [("Vary", ", ".join(names))] if names else []


def make_headers(fields: list[tuple[str, str]]) -> http.Headers:
    # The core only emits values it validated as ASCII tokens or origins.
    return http.Headers([(name.encode("ascii"), value.encode("ascii")) for name, value in fields])
