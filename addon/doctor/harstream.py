"""A HAR's entries one at a time (pure): a file of any size is read in chunks and each entry decoded on
its own, so memory holds one chunk and one entry, never the whole file (bench/README.md, "A large HAR")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

CHUNK = 1 << 20
WHITESPACE = " \t\n\r"
_decoder = json.JSONDecoder()


class _Reader:
    """JSON values from a text stream, decoded one by one with json's own decoder."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.text = ""
        self.at = 0

    def _more(self) -> bool:
        chunk = self.stream.read(CHUNK)
        if not chunk:
            return False
        self.text = self.text[self.at :] + chunk
        self.at = 0
        return True

    def peek(self) -> str:
        while True:
            while self.at < len(self.text) and self.text[self.at] in WHITESPACE:
                self.at += 1
            if self.at < len(self.text):
                return self.text[self.at]
            if not self._more():
                return ""

    def take(self, expected: str) -> None:
        found = self.peek()
        if found != expected:
            raise ValueError(f"expected {expected!r} at character {self.at}, found {found or 'the end'!r}")
        self.at += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = _decoder.raw_decode(self.text, self.at)
            except json.JSONDecodeError:
                if self._more():
                    continue
                raise
            if end == len(self.text) and self._more():  # a number may go on in the next chunk
                continue
            self.at = end
            return value

    def items(self, opening: str, closing: str) -> Iterator[None]:
        """Once for each item of the object or array that starts here; the caller reads the item."""
        self.take(opening)
        if self.peek() == closing:
            self.at += 1
            return
        while True:
            yield None
            if self.peek() == ",":
                self.at += 1
                continue
            self.take(closing)
            return

    def members(self) -> Iterator[str]:
        """The keys of the object that starts here, each left for the caller to read (or skip) its value."""
        for _ in self.items("{", "}"):
            key = self.value()
            if not isinstance(key, str):
                raise ValueError("an object key is not a string")
            self.take(":")
            yield key


def har_entries(stream: IO[str]) -> Iterator[dict[str, Any]]:
    """log.entries, one dict each; ValueError (or KeyError for a missing log.entries) when it is not a HAR."""
    reader = _Reader(stream)
    found = False
    for key in reader.members():
        if key != "log":
            reader.value()
            continue
        for inner in reader.members():
            if inner != "entries":
                reader.value()
                continue
            found = True
            yield from _array(reader)
    if not found:
        raise KeyError("log.entries")


def _array(reader: _Reader) -> Iterator[dict[str, Any]]:
    for _ in reader.items("[", "]"):
        entry = reader.value()
        if not isinstance(entry, dict):
            raise TypeError("an entry is not an object")
        yield entry
