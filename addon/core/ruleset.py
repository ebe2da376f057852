"""The rules in force (RuleSet) and how the rule for a request is found without scanning every rule.

Exact host names sit in a dict, `*.domain` patterns in a dict keyed by the parent
domain; a lookup costs one probe per label of the request's host, whatever the
number of rules. The first rule in file order whose host, path and filter match wins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from addon.core.paths import normalize_path
from addon.core.rule import Rule

FilterCheck = Callable[[Rule], bool]  # the shell's answer to "does this rule's filter match this flow?"


class RuleIndex:
    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self._exact: dict[str, list[tuple[int, Rule]]] = defaultdict(list)
        self._subdomains: dict[str, list[tuple[int, Rule]]] = defaultdict(list)
        for position, rule in enumerate(rules):
            for pattern in rule.hosts:
                table = self._subdomains if pattern.subdomains else self._exact
                entries = table[pattern.host]
                if not entries or entries[-1][1] is not rule:
                    entries.append((position, rule))
        self._exact = dict(self._exact)
        self._subdomains = dict(self._subdomains)

    def candidates(self, host: str) -> list[tuple[int, Rule]]:
        """Rules naming `host` (any port), in file order."""
        found = list(self._exact.get(host, ()))
        parent = host
        while "." in parent:
            parent = parent.split(".", 1)[1]
            found.extend(self._subdomains.get(parent, ()))
        if len(found) > 1:
            found.sort(key=lambda entry: entry[0])
        return found

    def lookup(self, host: str, port: int, path: str, passes_filter: FilterCheck | None = None) -> Rule | None:
        """The deciding rule; a rule with a filter is skipped unless `passes_filter(rule)`."""
        host = host.lower()
        resolved = normalize_path(path)  # None (undecodable) matches no rule's paths
        for _, rule in self.candidates(host):
            if not any(pattern.matches(host, port) for pattern in rule.hosts):
                continue
            if rule.paths is not None and (resolved is None or not any(p.match(resolved) for p in rule.paths)):
                continue
            if rule.filter is not None and (passes_filter is None or not passes_filter(rule)):
                continue
            return rule
        return None


@dataclass(frozen=True)
class RuleSet:
    """The validated rules of one file, in file order, with their warnings and lookup index."""

    rules: tuple[Rule, ...]
    warnings: tuple[str, ...]
    source: str
    index: RuleIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", RuleIndex(self.rules))
