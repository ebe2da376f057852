"""One rule of rules.yaml, validated: what it covers and the policy it applies (plain data)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from addon.core.patterns import HostPattern, OriginPattern

# The Fetch standard's CORS-safelisted methods and the Content-Type essences a call may send unpreflighted.
SIMPLE_METHODS = frozenset({"GET", "HEAD", "POST"})
SIMPLE_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
# Always allowed in Access-Control-Allow-Headers when a rule lists its headers, as in Starlette.
SAFELISTED_REQUEST_HEADERS = ("accept", "accept-language", "content-language", "content-type")
CHROMIUM_MAX_AGE = 7200  # seconds Chromium keeps a preflight answer at most (absent or unparsable: 5)
WEBSOCKET_ORIGIN = ("keep", "rewrite")  # what the proxy does with a WebSocket handshake's Origin
NEVER_READABLE = frozenset({"set-cookie", "set-cookie2"})  # no script can read them, whatever is exposed
# The Fetch standard upper-cases only these methods; every other method is compared byte for byte.
NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})


def normalize_method(method: str) -> str:
    upper = method.upper()
    return upper if upper in NORMALIZED_METHODS else method


class Preflight(str, Enum):
    ANSWER = "answer"  # the proxy replies itself; the server never sees the preflight
    FORWARD = "forward"  # the server gets it; its reply is repaired


@dataclass(frozen=True)
class Rule:
    name: str
    line: int
    hosts: tuple[HostPattern, ...]
    paths: tuple[re.Pattern[str], ...] | None  # None: every path
    filter: Callable[[Any], bool] | None  # compiled by the shell (a mitmproxy filter); only the shell applies it
    filter_text: str | None
    allow_origins: tuple[OriginPattern, ...] | None  # None: any origin ("*")
    allow_credentials: bool
    allow_methods: frozenset[str] | None  # None: "*"
    allow_headers: tuple[str, ...] | None  # None: "*"; lowercase, in file order
    expose_headers: tuple[str, ...] | None  # None: "*"; lowercase, in file order
    max_age: int
    preflight: Preflight
    allow_private_network: bool
    allow_methods_value: str = ""  # the Access-Control-Allow-Methods value when methods are listed
    allow_origin_regex: tuple[re.Pattern[str], ...] = ()  # an Origin matching one of them whole is allowed
    preflight_status: int = 204  # the status of an answered or repaired preflight
    rewrite_cookies: bool = False  # Set-Cookie the browser drops cross-site are rewritten into ones it keeps
    websocket_origin: str = "keep"  # "rewrite": an allowed origin's WebSocket handshake gets the server's origin

    @property
    def allowed_header_names(self) -> tuple[str, ...]:
        """Access-Control-Allow-Headers when headers are listed: the rule's names, then the safelisted ones."""
        return tuple(dict.fromkeys([*(self.allow_headers or ()), *SAFELISTED_REQUEST_HEADERS]))

    @property
    def exposed_header_names(self) -> tuple[str, ...]:
        """The listed expose_headers a script can be given (Set-Cookie never)."""
        return tuple(name for name in self.expose_headers or () if name not in NEVER_READABLE)

    @property
    def expose_value(self) -> str:
        """Access-Control-Expose-Headers, or "" for none: '*' is no wildcard with credentials, so then the
        addon lists each response's names instead (Decision.expose_all_names)."""
        if self.expose_headers is None:
            return "" if self.allow_credentials else "*"
        return ", ".join(self.exposed_header_names)

    @property
    def lists_null(self) -> bool:
        """Origin 'null' (sandboxed iframes, file: pages, cross-origin redirects) is allowed only where listed."""
        return any(pattern.scheme == "null" for pattern in self.allow_origins or ())

    @property
    def reflects_origin(self) -> bool:
        """The answer names the request's origin (and so varies on it), rather than '*'."""
        return self.allow_origins is not None or self.allow_credentials
