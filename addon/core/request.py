"""A request as the core sees it (CorsRequest), read from its header fields by the one reader every
path uses: the live shell, `cors.explain` and the offline doctor (pure, no mitmproxy)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from addon.core.patterns import TOKEN, format_host
from addon.core.rule import normalize_method

MAX_REQUESTED_HEADERS = 200
Kind = Literal["preflight", "actual"]
WANTED = frozenset(
    {
        b"origin",
        b"access-control-request-method",
        b"access-control-request-headers",
        b"access-control-request-private-network",
        b"cookie",
        b"sec-fetch-storage-access",
        b"sec-fetch-site",
        b"upgrade",
        b"user-agent",
    }
)
# Chromium from this version on was seen sending Sec-Fetch-Storage-Access on every cross-site credentials:
# 'include' call and on no other, whatever its third-party cookie setting (tests/e2e/test_storage_access.py).
# Not Firefox: it sends the header only under its default cookie behaviour, so its absence proves nothing.
MARKS_CREDENTIALS_FROM_CHROME = 156
CHROME_VERSION = re.compile(rb"Chrome/(\d+)")  # HeadlessChrome/, and the Chromium-based browsers' Chrome/


@dataclass(frozen=True)
class CorsRequest:
    """What the decision needs from a request, already taken out of the flow (plain str)."""

    method: str
    scheme: str
    host: str
    port: int
    path: str
    origins: tuple[str, ...]  # every Origin header value
    own_origins: tuple[str, ...] = ()  # origins the browser itself gives this URL (same-origin test)
    request_method: str | None = None  # Access-Control-Request-Method
    request_headers: str | None = None  # Access-Control-Request-Headers, raw
    private_network: bool = False  # Access-Control-Request-Private-Network: true
    carries_credentials: bool = False  # a Cookie was sent: the page used credentials "include"
    storage_access: bool = False  # Sec-Fetch-Storage-Access: the browser's mark of a cross-site "include" call
    fetch_site: str | None = None  # Sec-Fetch-Site, where the browser sent it
    marks_credentials: bool = False  # its User-Agent names a browser that marks every cross-site "include" call

    @property
    def url(self) -> str:
        """The URL as the browser prints it."""
        return f"{self.scheme}://{format_host(self.host, self.scheme, self.port)}{self.path}"

    @property
    def is_preflight(self) -> bool:
        return self.method == "OPTIONS" and self.request_method is not None

    @property
    def kind(self) -> Kind:
        return "preflight" if self.is_preflight else "actual"

    @property
    def origin(self) -> str:
        return self.origins[0] if self.origins else ""

    @property
    def cross_origin(self) -> bool:
        """It carries an Origin other than its own: the only requests the addon looks at."""
        if not self.origins:
            return False
        return not (len(self.origins) == 1 and self.origins[0].lower() in self.own_origins)


def read_request(
    method: str,
    scheme: str,
    host: str,
    port: int,
    path: str,
    fields: Iterable[tuple[bytes, bytes]],
    own_origins: tuple[str, ...],
) -> CorsRequest | None:
    """The request with these raw header fields, in one pass over them; None for a WebSocket handshake
    (it carries an Origin, but CORS does not apply to it). Every field of a name counts: each Origin,
    each Access-Control-Request-Headers (joined as the browser's list)."""
    found: dict[bytes, list[bytes]] = {}
    for name, value in fields:
        key = name.lower()
        if key in WANTED:
            found.setdefault(key, []).append(value)
    if b"upgrade" in found:
        return None
    requested_method = found.get(b"access-control-request-method")
    requested_headers = found.get(b"access-control-request-headers")
    private_network = found.get(b"access-control-request-private-network")
    return CorsRequest(
        method=normalize_method(method),
        scheme=scheme,
        host=host,
        port=port,
        path=path,
        origins=tuple(_text(origin) for origin in found.get(b"origin", ())),
        own_origins=own_origins,
        request_method=_text(requested_method[0]) if requested_method else None,
        request_headers=",".join(map(_text, requested_headers)) if requested_headers else None,
        private_network=private_network is not None and private_network[0].strip().lower() == b"true",
        carries_credentials=b"cookie" in found,
        storage_access=b"sec-fetch-storage-access" in found,
        fetch_site=_text(found[b"sec-fetch-site"][0]) if b"sec-fetch-site" in found else None,
        marks_credentials=b"user-agent" in found and marks_credentials(found[b"user-agent"][0]),
    )


def marks_credentials(user_agent: bytes) -> bool:
    """Whether the browser this User-Agent names sends Sec-Fetch-Storage-Access on each cross-site
    credentials: 'include' call (so its absence on a cross-site call means no credentials)."""
    found = CHROME_VERSION.search(user_agent)
    return found is not None and int(found.group(1)) >= MARKS_CREDENTIALS_FROM_CHROME


def _text(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def requested_header_names(raw: str | None) -> list[str] | None:
    """The names a preflight asks for, lowercased; None when the list is not valid."""
    if raw is None or not raw.strip():
        return []
    names = [name.strip().lower() for name in raw.split(",") if name.strip()]
    if len(names) > MAX_REQUESTED_HEADERS or not all(TOKEN.match(name) for name in names):
        return None
    return list(dict.fromkeys(names))
