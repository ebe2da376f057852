"""A recorded file's calls as plain records (pure): a HAR's entries (read one at a time, addon/doctor/harstream.py)
with the fields mitmproxy's HAR reader drops (_error, _failureText). Flow files are read in addon/mitm/flowfile.py."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from addon.doctor.harstream import har_entries

Fields = list[tuple[str, str]]


class UnreadableFile(Exception):
    """The file is neither a HAR nor a mitmproxy flow file."""


@dataclass(frozen=True)
class Recorded:
    """One request and what the file says came back."""

    method: str
    url: str
    request_headers: Fields
    status: int  # 0 or less: no response recorded (Playwright: -1 for a blocked call)
    response_headers: Fields
    error: str = ""  # the browser's network error: DevTools' _error, Playwright's _failureText (net::ERR_FAILED)
    websocket_close: tuple[int | None, str] | None = None  # a server close right after a handshake's 101

    @property
    def is_handshake(self) -> bool:
        """A WebSocket handshake (DevTools records it with its ws:// URL, a flow file with its http:// one)."""
        upgrade = next((v for k, v in self.request_headers if k.lower() == "upgrade"), "")
        return upgrade.lower() == "websocket" or self.url.startswith(("ws://", "wss://"))


def har_records(stream: IO[str]) -> Iterator[Recorded]:
    """The entries of a HAR, one at a time. Raises UnreadableFile, with what is wrong, when it is not one."""
    try:
        for entry in har_entries(stream):
            yield _record(entry)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise UnreadableFile(f"not a HAR file ({type(e).__name__}: {e})") from None


def read_har(text: str) -> list[Recorded]:
    return list(har_records(io.StringIO(text)))


def _websocket_error(entry: dict[str, Any]) -> str:
    """DevTools keeps a failed handshake's reason among its messages, as Chromium's console words."""
    messages = entry.get("_webSocketMessages") or []
    return next((str(m.get("data", "")) for m in messages if isinstance(m, dict) and m.get("type") == "error"), "")


def _record(entry: dict[str, Any]) -> Recorded:
    request, response = entry["request"], entry.get("response") or {}
    return Recorded(
        request["method"],
        request["url"],
        [(h["name"], h["value"]) for h in request.get("headers", [])],
        int(response.get("status", 0) or 0),
        [(h["name"], h["value"]) for h in response.get("headers", [])],
        str(entry.get("_error") or response.get("_error") or response.get("_failureText") or _websocket_error(entry)),
    )
