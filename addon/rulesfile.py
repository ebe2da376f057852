"""The rules file in force: loaded, watched, reloaded when it changes (the last good rules stay)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

from mitmproxy import flowfilter

from .rules import RuleSet, load_rules

DEFAULT_RULES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules.yaml")
RELOAD_INTERVAL = 0.5  # seconds between checks of the file


def compile_filter(expression: str) -> Callable[[Any], bool]:
    return flowfilter.parse(expression)


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


class RulesFile:
    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(os.path.expanduser(path))
        self._stamp: tuple[int, int, int] | None = None

    def load(self) -> RuleSet:
        """Raises RulesError."""
        self._stamp = _stamp(self.path)
        return load_rules(self.path, compile_filter)

    async def reload_if_changed(self) -> RuleSet | None:
        """The new rules when the file changed; None when it did not. Raises RulesError."""
        stamp = _stamp(self.path)
        if stamp == self._stamp:
            return None
        self._stamp = stamp
        return await asyncio.to_thread(load_rules, self.path, compile_filter)
