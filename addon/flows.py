"""Flows to the core's plain data and back: the only place that reads or writes mitmproxy's headers."""
from __future__ import annotations

import functools
import ipaddress

from mitmproxy import http
from mitmproxy.proxy.mode_specs import ReverseMode

from .patterns import Origin
from .policy import CorsRequest

KEPT_HEADERS = ("access-control-", "location", "vary")


def _origin(scheme: str, host: str, port: int) -> str:
    return Origin(scheme, f"[{host}]" if ":" in host else host.lower(), port).serialize()


def own_origins(f: http.HTTPFlow) -> tuple[str, ...]:
    """The origins under which the browser itself sees this URL (same-origin requests are left alone)."""
    request = f.request
    origins = [_origin(request.scheme, request.host, request.port)]
    if isinstance(f.client_conn.proxy_mode, ReverseMode) and f.client_conn.sockname:
        host, port = f.client_conn.sockname[:2]
        scheme = "https" if f.client_conn.tls_established else "http"
        origins.append(_origin(scheme, host, port))
        if is_loopback(host):
            origins.append(_origin(scheme, "localhost", port))
    return tuple(origins)


_WANTED = frozenset({b"origin", b"access-control-request-method", b"access-control-request-headers",
                     b"access-control-request-private-network", b"cookie", b"upgrade"})


def to_cors_request(f: http.HTTPFlow) -> CorsRequest | None:
    """The request as the core sees it; None when it is not CORS (no Origin: the common case)."""
    found: dict[bytes, list[str]] = {}
    for name, value in f.request.headers.fields:  # one pass over the raw fields
        key = name.lower()
        if key in _WANTED:
            found.setdefault(key, []).append(value.decode("utf-8", "surrogateescape"))
    if b"origin" not in found or b"upgrade" in found:
        return None  # WebSocket handshakes carry an Origin too, but CORS does not apply to them
    request = f.request
    requested_method = found.get(b"access-control-request-method")
    requested_headers = found.get(b"access-control-request-headers")
    return CorsRequest(
        method=request.method,
        url=request.url,
        scheme=request.scheme,
        host=request.host,
        port=request.port,
        path=request.path,
        origins=tuple(found[b"origin"]),
        own_origins=own_origins(f),
        request_method=requested_method[0] if requested_method else None,
        request_headers=",".join(requested_headers) if requested_headers else None,
        private_network=found.get(b"access-control-request-private-network", [""])[0].strip().lower() == "true",
        carries_credentials=b"cookie" in found,
    )


@functools.lru_cache(maxsize=256)
def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def kept_headers(fields: list[tuple[str, str]]) -> list[list[str]]:
    """The server's headers worth keeping for cors.explain: CORS ones with values, others by name."""
    return [[k, v if k.lower().startswith(KEPT_HEADERS) else ""] for k, v in fields]


def apply_headers(headers: http.Headers, set_headers: list[tuple[str, str]], vary: str | None) -> None:
    """Replace the Access-Control-* fields (and Vary when merged) in one assignment; other fields keep their bytes."""
    replaced = (b"access-control-", b"vary") if vary is not None else (b"access-control-",)
    kept = [(name, value) for name, value in headers.fields if not name.lower().startswith(replaced)]
    added = [*set_headers, *([("Vary", vary)] if vary is not None else [])]
    headers.fields = (*kept, *((name.encode("ascii"), value.encode("utf-8", "surrogateescape")) for name, value in added))


def vary_fields(names: tuple[str, ...]) -> list[tuple[str, str]]:
    return [("Vary", ", ".join(names))] if names else []


def make_headers(fields: list[tuple[str, str]]) -> http.Headers:
    # The core only emits values it validated as ASCII tokens or origins.
    return http.Headers([(name.encode("ascii"), value.encode("ascii")) for name, value in fields])
