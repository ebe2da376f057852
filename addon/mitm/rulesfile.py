"""The rules file in force: loaded, watched, reloaded when it changes (the last good rules stay)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

from mitmproxy import flowfilter

from addon.config.load import load_rules
from addon.core.ruleset import RuleSet

EXAMPLE_RULES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules.example.yaml")
CONFDIR_RULES = "cors-rules.yaml"
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
    def __init__(self, path: str, why: str = "") -> None:
        self.path = os.path.abspath(os.path.expanduser(path))
        self.why = why  # how it was chosen, when cors_rules did not name it
        self._stamp: tuple[int, int, int] | None = None

    @classmethod
    def chosen(cls, option: str, confdir: str) -> RulesFile:
        """The file cors_rules names; when empty, ./rules.yaml, else <confdir>/cors-rules.yaml, else the example."""
        if option:
            return cls(option)
        if os.path.exists("rules.yaml"):
            return cls("rules.yaml", "rules.yaml in the current folder")
        in_confdir = os.path.join(os.path.expanduser(confdir), CONFDIR_RULES)
        if os.path.exists(in_confdir):
            return cls(in_confdir, "mitmproxy's confdir")
        return cls(EXAMPLE_RULES, "the built-in example; `cors-addon init` writes a rules.yaml here to edit")

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


def loaded_line(rules: RuleSet, verb: str, why: str = "") -> str:
    count = len(rules.rules)
    names = ", ".join(f"'{rule.name}'" for rule in rules.rules[:10])
    more = f" and {count - 10} more" if count > 10 else ""
    because = f" ({why})" if why else ""
    return f"CORS: {count} rule{'' if count == 1 else 's'} {verb} from {rules.source}{because}: {names}{more}"
