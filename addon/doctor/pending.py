"""The browser's silence: a preflight it could pass whose call never comes means it blocked the call (pure)."""

from __future__ import annotations

from addon.core.policy import Action
from addon.core.request import CorsRequest
from addon.doctor.report import Facts, unanswered_preflight_line

WAIT = 3.0  # seconds a browser takes at most from the preflight's answer to the call, in practice
KEPT = 1000  # preflights remembered at most; the oldest are forgotten first

Key = tuple[str, str, str]  # origin, URL, method


class PendingPreflights:
    def __init__(self) -> None:
        self._waiting: dict[Key, tuple[float, Facts]] = {}

    def passed(self, facts: Facts | None, now: float) -> None:
        """A preflight was answered or repaired; unless the browser blocks it whatever the page does, the
        call it asked about should follow."""
        if facts is None or facts.decision.action not in (Action.ANSWER, Action.REPAIR) or facts.audit:
            return
        if facts.browser.blocked:
            return
        request = facts.decision.request
        if len(self._waiting) >= KEPT:
            del self._waiting[next(iter(self._waiting))]
        self._waiting[(request.origin, request.url, request.request_method or "")] = (now, facts)

    def arrived(self, request: CorsRequest) -> None:
        if self._waiting and not request.is_preflight and request.origins:
            self._waiting.pop((request.origin, request.url, request.method), None)

    def unanswered(self, now: float) -> list[str]:
        """The lines for the preflights whose call has not come within WAIT seconds; each is said once."""
        late = [key for key, (when, _) in self._waiting.items() if now - when > WAIT]
        return [unanswered_preflight_line(self._waiting.pop(key)[1]) for key in late]
