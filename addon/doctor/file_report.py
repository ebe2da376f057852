"""A whole recorded file at a glance (`cors-addon explain FILE`): each cross-origin call's outcome, a
summary per origin and host grouped by the browser's reason, and the same as JSON for a CI job (pure).

The JSON fields are documented in README.md ("CORS in CI"); their names are kept stable.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from addon.core.request import CorsRequest
from addon.core.rule import SIMPLE_CONTENT_TYPES, SIMPLE_METHODS
from addon.doctor.exchange import Judgement, Verdict
from addon.doctor.websocket import RecordedHandshake

Outcome = Literal["passes", "blocked", "blocked with credentials", "failed"]
OUTCOMES: tuple[Outcome, ...] = ("passes", "blocked", "blocked with credentials", "failed")
FINDINGS: tuple[Outcome, ...] = ("blocked",)  # what makes the exit status 1
# Chromium's network error for a call it blocked for CORS (DevTools' _error, Playwright's _failureText);
# a refused connection or an unknown host has codes of its own.
CORS_FAILURE = "net::ERR_FAILED"


@dataclass(frozen=True)
class Judged:
    """One cross-origin call of the file, as far as the file lets it be judged."""

    method: str
    url: str
    status: int
    error: str  # the browser's network error, where the file records one
    request: CorsRequest
    note: str  # where the origin came from, when not from an Origin header
    judgement: Judgement | None  # None: the file has no response headers for it
    preflight: Judgement | None  # the verdict on its preflight, where the file holds one
    needs_preflight: str  # why its own request needed a preflight ("" when it did not)
    handshake: RecordedHandshake | None = None  # a WebSocket handshake: not CORS, the server decides

    @property
    def outcome(self) -> Outcome:
        if self.handshake is not None:
            return "passes" if self.handshake.accepted else "blocked" if self.handshake.fix else "failed"
        verdicts = self.judgement or self.preflight
        if verdicts is not None and verdicts.blocked:
            return "blocked"
        if verdicts is not None and verdicts.depends_on_credentials:
            return "blocked with credentials"
        if self.judgement is not None:
            return "passes"
        return "blocked" if self.error == CORS_FAILURE else "failed"

    @property
    def blocking(self) -> Verdict | None:
        verdicts = self.judgement or self.preflight
        return verdicts.blocking if verdicts is not None else None

    @property
    def fix(self) -> str:
        return self.blocking.fix if self.blocking else self.handshake.fix if self.handshake else ""

    @property
    def reason(self) -> str:
        """Chromium's reason, or what the file allows one to say instead."""
        if self.handshake is not None:
            return "" if self.handshake.accepted else f"WebSocket handshake {self.handshake.what}"
        if self.blocking is not None:
            return self.blocking.reason
        if self.outcome == "passes":
            return ""
        if self.needs_preflight and self.preflight is None:
            return f"needed a preflight ({self.needs_preflight}), and the file holds none"
        if self.outcome == "blocked":
            return f"the browser blocked it ({self.error}); the file does not show which check failed"
        if self.error:
            return f"the request failed on the network ({self.error}): not a CORS block"
        return "no response and no error in the file: it does not show why"


def needs_preflight(method: str, headers: list[tuple[str, str]]) -> str:
    """Why a call like this one is preflighted, from its own request ("" when it is not)."""
    if method.upper() not in SIMPLE_METHODS:
        return f"its method {method}"
    for name, value in headers:
        lowered = name.lower()
        if lowered == "content-type" and value.split(";")[0].strip().lower() not in SIMPLE_CONTENT_TYPES:
            return f"Content-Type: {value}"
        if lowered == "authorization" or lowered.startswith("x-"):
            return f"its {name} header"
    return ""


class FileSummary:
    """The counts of a whole file, taken one call at a time: its size is that of the summary (origins,
    hosts, reasons), never that of the file."""

    def __init__(self) -> None:
        self.calls = 0
        self.counts: Counter[Outcome] = Counter()
        self.groups: dict[tuple[str, str], Counter[Outcome]] = {}
        self.reasons: dict[tuple[str, str], Counter[tuple[Outcome, str, str]]] = {}

    def add(self, call: Judged) -> None:
        self.calls += 1
        outcome = call.outcome
        self.counts[outcome] += 1
        group = (call.request.origin, f"{call.request.host}:{call.request.port}")
        self.groups.setdefault(group, Counter())[outcome] += 1
        if outcome != "passes":
            self.reasons.setdefault(group, Counter())[(outcome, call.reason, call.fix)] += 1

    @property
    def has_findings(self) -> bool:
        return any(self.counts.get(outcome) for outcome in FINDINGS)

    def lines(self) -> list[str]:
        lines = [f"Summary: {self.calls} cross-origin call{'' if self.calls == 1 else 's'}: " + _counts(self.counts)]
        for group, counts in self.groups.items():
            lines.append(f"  {group[0]} -> {group[1]}: {_counts(counts)}")
            for (outcome, reason, fix), n in self.reasons.get(group, Counter()).items():
                lines.append(f"    {outcome} (x{n}): {reason}" + (f"; fix: {fix}" if fix else ""))
        return lines

    def as_json(self) -> dict[str, object]:
        return {
            "calls": self.calls,
            **_json_counts(self.counts),
            "groups": [
                {"origin": origin, "host": host, **_json_counts(counts)}
                for (origin, host), counts in self.groups.items()
            ],
        }


def json_calls(summary: FileSummary, calls: Iterable[Judged]) -> Iterator[str]:
    """The "calls" of the JSON, one line each, adding every call to `summary` as it goes."""
    for n, call in enumerate(calls):
        summary.add(call)
        yield ("," if n else "") + json.dumps(call_json(call))


def json_head(summary: FileSummary) -> str:
    """What comes before the calls: {"summary": ..., "calls": [ (json_calls, then "]}", close it)."""
    return '{"summary": ' + json.dumps(summary.as_json(), indent=2) + ',\n"calls": ['


def call_json(call: Judged) -> dict[str, object]:
    blocking = call.blocking
    return {
        "method": call.method,
        "url": call.url,
        "origin": call.request.origin,
        "kind": "websocket" if call.handshake else call.request.kind,
        "status": call.status,
        "error": call.error,
        "outcome": call.outcome,
        "reason": call.reason,
        "chromium": blocking.chromium if blocking else "",
        "firefox": blocking.firefox if blocking else "",
        "fix": call.fix,
        "needs_preflight": call.needs_preflight,
    }


def _json_counts(counts: Counter[Outcome]) -> dict[str, int]:
    return {key.replace(" ", "_"): counts.get(key, 0) for key in OUTCOMES}


def _counts(counts: Counter[Outcome]) -> str:
    shown = [f"{counts[key]} {'pass' if key == 'passes' else key}" for key in OUTCOMES if counts.get(key)]
    return ", ".join(shown) or "none"
