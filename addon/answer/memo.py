"""Decisions and Outcomes worked out once per shape of exchange (pure).

A page repeats its calls, and both are frozen values: the same request under the same rules
gets the same Decision, and the same Decision meeting a response of the same shape gets the
same Outcome. The shape is all the memo keys on *and all respond is given*: the Outcome is a
function of its key by construction, so no reader can make two different responses share one.
Nothing mutable is shared between flows: Outcome.metadata() builds a new dict for each.
Bounded: a memo is emptied when full, so a flood of new shapes costs memory once.
Measured in bench/README.md ("Memo").
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from addon.answer.outcome import Mode, Outcome
from addon.answer.respond import BODY_FRAMING, respond
from addon.core.policy import Decision, decide
from addon.core.request import CorsRequest
from addon.core.ruleset import FilterCheck, RuleSet

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
KEPT = 1024  # shapes per memo
# The response fields whose values respond (and the verdicts and cookie checks it runs) may read.
READ_VALUES = ("access-control-", "vary", "location", "set-cookie")


def response_shape(headers: Sequence[tuple[str, str]], decision: Decision) -> tuple[tuple[str, str], ...]:
    """The response as respond may see it: the READ_VALUES fields whole; the body framing fields, and every
    field when the rule exposes "*" with credentials (it lists their names), by name with an empty value;
    nothing else."""
    shape = []
    for name, value in headers:
        lowered = name.lower()
        if lowered.startswith(READ_VALUES):
            shape.append((name, value))
        elif lowered in BODY_FRAMING or decision.expose_all_names:
            shape.append((name, ""))
    return tuple(shape)


class Memo:
    """decide and respond for one set of rules, each worked out once per shape."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._decisions: dict[CorsRequest, Decision | None] = {}
        self._outcomes: dict[tuple[Hashable, ...], Outcome] = {}

    def __len__(self) -> int:
        """Decisions and outcomes held."""
        return len(self._decisions) + len(self._outcomes)

    def decide(self, request: CorsRequest, passes_filter: FilterCheck) -> Decision | None:
        if any(rule.filter is not None for _, rule in self.rules.index.candidates(request.host.lower())):
            return decide(request, self.rules, passes_filter)  # a filter looks at each flow itself
        try:
            return self._decisions[request]
        except KeyError:
            return _remember(self._decisions, request, decide(request, self.rules))

    def respond(self, decision: Decision, status: int, headers: Sequence[tuple[str, str]], mode: Mode) -> Outcome:
        shape = response_shape(headers, decision)
        key = (decision, status, shape, mode)
        try:
            return self._outcomes[key]
        except KeyError:
            return _remember(self._outcomes, key, respond(decision, status, shape, mode))


def _remember(memo: dict[K, V], key: K, value: V) -> V:
    if len(memo) >= KEPT:
        memo.clear()
    memo[key] = value
    return value
