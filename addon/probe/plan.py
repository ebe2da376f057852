"""What a browser sends for one fetch() (pure): whether the Fetch standard calls for a preflight, the
preflight itself, and the call. `cors-addon probe` sends exactly these."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from addon.core.patterns import TOKEN
from addon.core.rule import SIMPLE_CONTENT_TYPES, SIMPLE_METHODS

Credentials = Literal["omit", "include"]
# Set by the browser, never by a page's script: not part of Access-Control-Request-Headers.
SET_BY_THE_BROWSER = frozenset({"cookie", "origin", "host", "content-length", "connection", "user-agent", "referer"})
UNSAFE_BYTES = set('"():<>?@[\\]{}\x7f') | {chr(c) for c in range(0x20) if c != 0x09}
BODY_METHODS = frozenset({"POST", "PUT"})  # Chromium sends Content-Length: 0 when they have no body
LANGUAGE = re.compile(r"^[0-9A-Za-z *,\-.;=]*$")
RANGE = re.compile(r"^bytes=\d+-\d*$")


@dataclass(frozen=True)
class FetchCall:
    """fetch(url, {method, headers, credentials}) from a page on `origin`."""

    url: str
    origin: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    private_network: bool = False  # from a public page to a private address: asked in the preflight

    def without(self, names: frozenset[str]) -> tuple[tuple[str, str], ...]:
        return tuple((n, v) for n, v in self.headers if n.lower() not in names)


def safelisted(name: str, value: str) -> bool:
    """A CORS-safelisted request header (Fetch standard): it needs no preflight."""
    name = name.lower()
    if len(value.encode()) > 128:
        return False
    if name == "accept":
        return not any(c in UNSAFE_BYTES for c in value)
    if name in ("accept-language", "content-language"):
        return bool(LANGUAGE.match(value))
    if name == "content-type":
        essence = value.split(";")[0].strip().lower()
        return essence in SIMPLE_CONTENT_TYPES and not any(c in UNSAFE_BYTES for c in value)
    if name == "range":
        return bool(RANGE.match(value))
    return False


def requested_headers(call: FetchCall) -> list[str]:
    """The names a preflight asks for: lowercase, sorted, without the safelisted ones and those the browser
    sets itself (as Chromium sends Access-Control-Request-Headers)."""
    names = {
        name.lower()
        for name, value in call.headers
        if name.lower() not in SET_BY_THE_BROWSER and not safelisted(name, value)
    }
    safelisted_bytes = sum(len(n) + len(v) for n, v in call.headers if safelisted(n, v))
    if safelisted_bytes > 1024:  # together they may not pass 1024 bytes: then they are asked for too
        names |= {n.lower() for n, v in call.headers if safelisted(n, v)}
    return sorted(names)


def why_preflight(call: FetchCall) -> str:
    """Why this call is preflighted ("" when it is not)."""
    if call.private_network:
        return "it goes from a public page to a private network"
    if call.method.upper() not in SIMPLE_METHODS:
        return f"the method {call.method} is not GET, HEAD or POST"
    names = requested_headers(call)
    if len(names) == 1:
        return f"the header {names[0]} is not safelisted"
    return f"the headers {', '.join(names)} are not safelisted" if names else ""


def preflight_fields(call: FetchCall) -> list[tuple[str, str]]:
    """The preflight's header fields: no credentials, no script-set headers."""
    fields = [("Origin", call.origin), ("Access-Control-Request-Method", call.method)]
    names = requested_headers(call)
    if names:
        fields.append(("Access-Control-Request-Headers", ",".join(names)))
    if call.private_network:
        fields.append(("Access-Control-Request-Private-Network", "true"))
    return [*fields, ("Accept", "*/*"), ("Sec-Fetch-Mode", "cors")]


def call_fields(call: FetchCall) -> list[tuple[str, str]]:
    """The call's own fields: Origin and the given headers (a Cookie only if the user gave one), and the
    Content-Length: 0 Chromium sends with a bodiless POST or PUT (WEBrick answers 411 without it)."""
    fields = [("Origin", call.origin), *call.without(frozenset({"origin", "host"})), ("Sec-Fetch-Mode", "cors")]
    has_length = any(name.lower() == "content-length" for name, _ in call.headers)
    return fields + ([("Content-Length", "0")] if call.method in BODY_METHODS and not has_length else [])


def valid_method(method: str) -> bool:
    return bool(TOKEN.match(method))
