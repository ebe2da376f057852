"""Host, path and origin patterns of rules.yaml, parsed once, matched cheaply.

Every parse function raises ValueError with a message a user can act on.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
ANY_PORT = -1
REGEX_HOST_TOKEN = re.compile(r"(?:[a-z0-9-]+\\\.)+[a-z0-9-]+", re.IGNORECASE)  # example\.com as a regex writes it
TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP token: a method or a header name

_HOST_RE = re.compile(r"^(?:\[(?P<ipv6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9_.*-]+))(?::(?P<port>\d{1,5}|\*))?$")
_ORIGIN_RE = re.compile(
    r"^(?P<scheme>[a-z][a-z0-9+.-]*)://"
    r"(?P<host>\[[0-9a-f:.]+\]|[a-z0-9_.*-]+)"
    r"(?::(?P<port>\d{1,5}|\*))?$"
)


def format_host(host: str, scheme: str = "", port: int | None = None) -> str:
    """`host[:port]` as a URL writes it: IPv6 in brackets, the scheme's default port left out."""
    text = f"[{host}]" if ":" in host else host
    return text if port is None or DEFAULT_PORTS.get(scheme) == port else f"{text}:{port}"


def _ascii_host(host: str) -> str:
    host = host.strip().lower()
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise ValueError(f"'{host}' is not a valid host name") from None


def _port(text: str | None, default: int) -> int:
    if text is None:
        return default
    if text == "*":
        return ANY_PORT
    port = int(text)
    if not 0 < port < 65536:
        raise ValueError(f"port {port} is out of range 1-65535")
    return port


@dataclass(frozen=True)
class HostPattern:
    """`api.example.com`, `api.example.com:8443`, `*.example.com`, `127.0.0.1:*`, `[::1]:8000`."""

    host: str  # without brackets, lowercase; for a wildcard the parent domain
    port: int  # ANY_PORT when not given
    subdomains: bool  # True for `*.parent`: any subdomain, not the apex

    def matches(self, host: str, port: int) -> bool:
        if self.port != ANY_PORT and self.port != port:
            return False
        if self.subdomains:
            return host.endswith("." + self.host)
        return host == self.host


def parse_host(text: str) -> HostPattern:
    raw = text.strip()
    if "://" in raw:
        bare = raw.split("://", 1)[1].split("/", 1)[0]
        raise ValueError(f"'{raw}' has a scheme; hosts name only host[:port], write '{bare}'")
    if "/" in raw:
        raise ValueError(f"'{raw}' has a path; put paths under 'paths:', write '{raw.split('/', 1)[0]}'")
    match = _HOST_RE.match(_ascii_host(raw))
    if not match:
        raise ValueError(
            f"'{raw}' is not a host pattern; use api.example.com, api.example.com:8443, "
            "*.example.com, 127.0.0.1:* or [::1]:8000"
        )
    port = _port(match["port"], ANY_PORT)
    if match["ipv6"]:
        return HostPattern(match["ipv6"], port, False)
    name = match["name"]
    if name.startswith("*."):
        parent = name[2:]
        if not parent or "*" in parent:
            raise ValueError(f"'{raw}' is not a host pattern; a wildcard is only allowed as '*.domain'")
        return HostPattern(parent, port, True)
    if "*" in name:
        raise ValueError(f"'{raw}' is not a host pattern; a wildcard is only allowed as '*.domain'")
    if name.startswith(".") or name.endswith(".") or ".." in name:
        raise ValueError(f"'{raw}' is not a host name (empty label between dots)")
    return HostPattern(name, port, False)


@dataclass(frozen=True)
class Origin:
    """A serialized origin split for comparison: lowercase, default port filled in."""

    scheme: str
    host: str
    port: int

    def serialize(self) -> str:
        """The form a browser sends: lowercase, default port left out."""
        if self.scheme == "null":
            return "null"
        default = DEFAULT_PORTS.get(self.scheme, 0) == self.port
        return f"{self.scheme}://{self.host}" + ("" if default else f":{self.port}")


def parse_origin(text: str) -> Origin | None:
    """Parse an Origin header value as browsers send it; None when it is not one."""
    if text == "null":
        return NULL_ORIGIN
    if text == FILE_ORIGIN.serialize():
        return FILE_ORIGIN
    match = _ORIGIN_RE.match(text.lower()) if text.isascii() else None
    if not match or "*" in match["host"] or match["port"] == "*":
        return None
    try:
        port = _port(match["port"], DEFAULT_PORTS.get(match["scheme"], 0))
    except ValueError:
        return None
    return Origin(match["scheme"], match["host"], port)


def serialize_origin(scheme: str, host: str, port: int) -> str:
    """The origin of a URL with this scheme, host (without brackets) and port, as a browser writes it."""
    return Origin(scheme, format_host(host.lower()), port).serialize()


NULL_ORIGIN = Origin("null", "", 0)
FILE_ORIGIN = Origin("file", "", 0)  # what some browsers send from a file:// page (others send null)


@dataclass(frozen=True)
class OriginPattern:
    """An allowed origin: exact, `https://*.example.com` (subdomains) or `http://localhost:*`."""

    scheme: str
    host: str  # for a subdomain glob, the parent domain
    port: int  # ANY_PORT for `:*`
    subdomains: bool

    def matches(self, origin: Origin) -> bool:
        if origin.scheme != self.scheme:
            return False
        if self.port != ANY_PORT and origin.port != self.port:
            return False
        if self.subdomains:
            return origin.host.endswith("." + self.host)
        return origin.host == self.host


def parse_origin_pattern(text: str) -> OriginPattern:
    raw = text.strip()
    if raw.lower() == "null":
        return OriginPattern("null", "", 0, False)
    if raw.lower() == "file://":
        return OriginPattern("file", "", 0, False)
    scheme, sep, rest = raw.partition("://")
    if not sep:
        raise ValueError(f"'{raw}' has no scheme; an origin is scheme://host[:port], e.g. 'http://{raw}'")
    if rest.endswith("/") and "/" not in rest[:-1]:
        raise ValueError(f"'{raw}' has a trailing slash; an origin has none, write '{raw[:-1]}'")
    if "/" in rest or "?" in rest or "#" in rest:
        bare = scheme + "://" + re.split(r"[/?#]", rest, maxsplit=1)[0]
        raise ValueError(f"'{raw}' has a path; an origin is scheme://host[:port], write '{bare}'")
    match = _ORIGIN_RE.match(scheme.lower() + "://" + _ascii_host(rest))
    if not match:
        raise ValueError(f"'{raw}' is not an origin; write it as scheme://host[:port]")
    host = match["host"]
    port = _port(match["port"], DEFAULT_PORTS.get(match["scheme"], 0))
    if host.startswith("*."):
        if "*" in host[2:]:
            raise ValueError(f"'{raw}': a wildcard is only allowed as 'scheme://*.domain'")
        return OriginPattern(match["scheme"], host[2:], port, True)
    if "*" in host:
        raise ValueError(f"'{raw}': a wildcard is only allowed as 'scheme://*.domain'")
    return OriginPattern(match["scheme"], host, port, False)


LOCAL_DEVELOPMENT_ORIGINS = tuple(
    parse_origin_pattern(f"{scheme}://{host}:*")
    for scheme in ("http", "https")
    for host in ("localhost", "127.0.0.1", "[::1]")
)


def split_origins(patterns: tuple[OriginPattern, ...]) -> tuple[list[str], list[OriginPattern]]:
    """allow_origins as (exact origins, serialized; glob patterns), the split every export needs."""
    exact, globs = [], []
    for pattern in patterns:
        if pattern.subdomains or pattern.port == ANY_PORT:
            globs.append(pattern)
        else:
            exact.append(Origin(pattern.scheme, pattern.host, pattern.port).serialize())
    return exact, globs


@functools.lru_cache(maxsize=256)
def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
