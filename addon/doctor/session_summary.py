"""The session summary (printed at shutdown and by cors.summary): per (origin, host), how many calls were
fixed, refused or left blocked, and why."""

from __future__ import annotations

from collections import Counter, defaultdict

from addon.doctor.verdict import NO_ALLOW_ORIGIN

SummaryEntry = tuple[str, ...]  # (origin, host:port, what one flow adds to its counts...)
WHY = "blocked: "  # entries that carry a reason, listed after the counts


def summary_key(host: str, port: int, origin: str) -> tuple[str, str]:
    return origin[:200], f"{host}:{port}"


class SessionSummary:
    def __init__(self) -> None:
        self.seen: Counter[SummaryEntry] = Counter()

    def add(self, item: SummaryEntry) -> None:
        self.seen[item] += 1

    def move(self, old: SummaryEntry, new: SummaryEntry) -> None:
        """One flow counted under `old` now counts under `new` (a preflight that took its call's mode)."""
        if self.seen[old] > 1:
            self.seen[old] -= 1
        else:
            self.seen.pop(old, None)
        self.add(new)

    def count_failure(self, host: str, port: int, origin: str, status: int | None) -> None:
        self.add((*summary_key(host, port, origin), "server down" if status is None else "response broke off"))

    def lines(self) -> list[str]:
        per_key: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for (origin, host, *entries), n in self.seen.items():
            for entry in entries:
                per_key[origin, host][entry] += n
        lines = []
        for (origin, host), counts in sorted(per_key.items()):
            totals = [f"{n} {what}" for what, n in counts.items() if not what.startswith(WHY)]
            reasons = [f"{what[len(WHY) :]} (x{n})" for what, n in counts.items() if what.startswith(WHY)]
            lines.append(
                f"CORS summary: {origin} -> {host}: {', '.join(totals)}"
                + (f"; why: {' | '.join(reasons)}" if reasons else "")
            )
        return lines


def failure_text(error: str, status: int | None, streamed: bool) -> str:
    """Why a CORS call the rules allow still fails when the exchange with the server breaks:
    `status` is the server's when its response headers arrived, None when none did."""
    if status is None:
        return (
            f"the server could not be reached ({error}). mitmproxy answers 502 without CORS headers, "
            f'so the browser reports a CORS error ("{NO_ALLOW_ORIGIN}") although the server is down.'
        )
    broke_off = f"the server's {status} response broke off after its headers ({error})."
    if streamed:
        return (
            f"{broke_off} The headers, with the CORS headers, had already gone to the browser, which "
            "reports a network error (such as net::ERR_CONTENT_LENGTH_MISMATCH), not a CORS error."
        )
    return (
        f"{broke_off} mitmproxy answers 502 without CORS headers instead, so the browser reports a CORS "
        f'error ("{NO_ALLOW_ORIGIN}") although the server answered.'
    )
