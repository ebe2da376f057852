"""One exchange as the browser sees it, and what it decides about it: the plain data of addon/verdict.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from addon.core.rule import NEVER_READABLE

__all__ = ["ALWAYS_READABLE", "NEVER_READABLE", "Credentials", "Exchange", "Judgement", "Verdict"]

Credentials = Literal["omit", "include"]  # the request's credentials mode, as far as a verdict cares
ALWAYS_READABLE = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)


@dataclass(frozen=True)
class Exchange:
    """One request as the browser made it and the response it got (plain data)."""

    url: str
    origin: str
    method: str
    status: int
    response_headers: tuple[tuple[str, str], ...]
    credentials: bool = False  # the request's credentials mode is "include"
    request_method: str | None = None  # set for a preflight: Access-Control-Request-Method
    request_headers: tuple[str, ...] = ()  # a preflight's Access-Control-Request-Headers names

    @property
    def is_preflight(self) -> bool:
        return self.method == "OPTIONS" and self.request_method is not None

    def header(self, name: str) -> str | None:
        """All values of a header, each trimmed, joined by ", " as Chromium joins them; None if absent."""
        values = [v.strip(" \t") for k, v in self.response_headers if k.lower() == name]
        return ", ".join(values) if values else None

    def count(self, name: str) -> int:
        """How many header fields of that name the response has."""
        return sum(1 for k, _ in self.response_headers if k.lower() == name)


@dataclass(frozen=True)
class Verdict:
    blocked: bool
    reason: str = ""  # Chromium's reason, after "has been blocked by CORS policy: "
    chromium: str = ""  # the whole Chromium console message
    firefox: str = ""  # Firefox's reason codes, in the order its console prints them (MDN has a page for each)
    fix: str = ""  # what the server should send instead
    steps: tuple[str, ...] = ()  # each check and its result, for cors.explain

    def as_dict(self) -> dict[str, object]:
        return {
            "blocked": self.blocked,
            "reason": self.reason,
            "chromium": self.chromium,
            "firefox": self.firefox,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class Judgement:
    """The browser's verdict under each credentials mode the request may have used: one side when
    the request shows its mode, both when it does not (the proxy often cannot see it)."""

    sides: tuple[tuple[Credentials, Verdict], ...]

    @property
    def blocked(self) -> bool:
        """Blocked whichever mode the page used."""
        return all(v.blocked for _, v in self.sides)

    @property
    def depends_on_credentials(self) -> bool:
        return len({v.blocked for _, v in self.sides}) > 1

    @property
    def blocking(self) -> Verdict | None:
        """The verdict to show of a side that blocks, None when no side does: when all block, the default
        mode's ("omit": a fetch() without credentials); else the one that blocks ("include")."""
        blocked = [(mode, v) for mode, v in self.sides if v.blocked]
        if not blocked:
            return None
        return next((v for mode, v in blocked if mode == "omit"), blocked[0][1])

    @property
    def credentials(self) -> Credentials | Literal["unknown"]:
        return self.sides[0][0] if len(self.sides) == 1 else "unknown"

    def as_dict(self) -> dict[str, object]:
        shown = self.blocking or self.sides[0][1]
        return {
            **shown.as_dict(),
            "blocked": self.blocked,
            "credentials": self.credentials,
            "depends_on_credentials": self.depends_on_credentials,
        }
