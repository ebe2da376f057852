"""The browser's silence: a preflight it could pass whose call never comes means it blocked the call; a call
that does come hands its preflight back, so the preflight can take the call's credentials mode (pure)."""

from __future__ import annotations

from typing import Generic, TypeVar

from addon.core.policy import Action
from addon.core.request import CorsRequest
from addon.doctor.report import Facts, unanswered_preflight_line

WAIT = 3.0  # seconds a browser takes at most from the preflight's answer to the call, in practice
KEPT = 1000  # preflights remembered at most; the oldest are forgotten first

Key = tuple[str, str, str]  # origin, URL, method
Flow = TypeVar("Flow")  # the shell's own handle on the preflight (its flow)


class PendingPreflights(Generic[Flow]):
    def __init__(self) -> None:
        self._waiting: dict[Key, tuple[float, Facts, Flow | None]] = {}

    def passed(self, facts: Facts | None, now: float, flow: Flow | None = None) -> None:
        """A preflight was answered or repaired; unless the browser blocks it whatever the page does, the
        call it asked about should follow."""
        if facts is None or facts.decision.action not in (Action.ANSWER, Action.REPAIR) or facts.audit:
            return
        if facts.browser.blocked:
            return
        request = facts.decision.request
        if len(self._waiting) >= KEPT:
            del self._waiting[next(iter(self._waiting))]
        self._waiting[(request.origin, request.url, request.request_method or "")] = (now, facts, flow)

    def arrived(self, request: CorsRequest) -> tuple[Facts, Flow | None] | None:
        """The call a waiting preflight asked about came: that preflight's facts and flow."""
        if not self._waiting or request.is_preflight or not request.origins:
            return None
        found = self._waiting.pop((request.origin, request.url, request.method), None)
        return None if found is None else (found[1], found[2])

    def unanswered(self, now: float) -> list[str]:
        """The lines for the preflights whose call has not come within WAIT seconds; each is said once."""
        late = [key for key, (when, _, _) in self._waiting.items() if now - when > WAIT]
        return [unanswered_preflight_line(self._waiting.pop(key)[1]) for key in late]
