"""How a decision is shown: the log line, the flow comment, the mark, flow.metadata."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from .policy import CorsRequest, Decision
from .verdict import NO_ALLOW_ORIGIN, Verdict

MARKS = {
    "answered": ":white_check_mark:",
    "forwarded": ":white_check_mark:",
    "allowed": ":white_check_mark:",
    "refused": ":no_entry:",
    "untouched": ":heavy_minus_sign:",
    "blocked": ":warning:",
}


@dataclass(frozen=True)
class Shown:
    """Everything said about one flow, computed once and rendered three ways."""

    request: CorsRequest
    decision: Decision
    status: int | None = None  # the status the browser gets
    server: Verdict | None = None  # the server's own response; None when the proxy answered
    browser: Verdict | None = None  # the response the browser gets
    audit: bool = False
    suggestion: str = ""  # a rule that would fix an uncovered, blocked call

    @property
    def mark(self) -> str:
        if self.decision.outcome == "untouched" and self.browser and self.browser.blocked:
            return MARKS["blocked"]
        return MARKS[self.decision.outcome]

    @property
    def noteworthy(self) -> bool:
        """Worth a warning: the browser will block, or the rule refused."""
        return self.decision.outcome == "refused" or bool(self.browser and self.browser.blocked) \
            or bool(self.decision.reason and self.decision.outcome != "untouched")


def outcome_text(shown: Shown) -> str:
    d = shown.decision
    by = f" by rule '{d.rule}'" if d.rule else ""
    status = shown.status
    if d.outcome == "untouched":
        text = f"untouched: {d.reason}"
    elif shown.audit:
        verb = {"answered": "would answer 204", "forwarded": "would repair the server's reply",
                "allowed": "would allow", "refused": "would refuse"}[d.outcome]
        text = f"audit: rule '{d.rule}' {verb}"
        if d.outcome == "refused":
            text += f": {d.reason}"
    elif d.outcome == "answered":
        text = f"answered 204{by}"
    elif d.outcome == "forwarded":
        text = f"forwarded{by}, server's reply repaired"
        if status is not None and not 200 <= status < 300:
            text += f" (its {status} turned into 204)"
    elif d.outcome == "allowed":
        text = f"allowed{by}"
    else:
        text = f"refused{by}: {d.reason}; passed on untouched"
    details = [str(status)] if d.outcome == "allowed" and status is not None else []
    if d.detail and d.outcome != "refused":
        details.append(d.detail)
    if details:
        text += f" ({'; '.join(details)})"
    if d.reason and d.outcome in ("allowed", "answered", "forwarded"):
        text += f"; note: {d.reason}"
    return text


def verdict_text(shown: Shown) -> str:
    server, browser, rule = shown.server, shown.browser, shown.decision.rule
    parts = []
    if server is None:
        parts.append("server not asked")
    elif server.blocked:
        parts.append(f"server alone: blocked - {server.reason}")
    else:
        parts.append("server alone: passes")
    if browser is not None and browser.blocked:
        parts.append(f"browser will block: {browser.chromium}")
    elif rule and not shown.audit and (server is None or server.blocked):
        parts.append(f"rule '{rule}' fixed it")
    if shown.suggestion:
        parts.append(f"a rule that would fix it: {shown.suggestion}")
    return "; ".join(parts)


def summary(shown: Shown) -> str:
    return f"{outcome_text(shown)}; {verdict_text(shown)}"


def log_line(shown: Shown, summary_text: str) -> str:
    request, decision = shown.request, shown.decision
    what = f"preflight {request.request_method}" if decision.kind == "preflight" else request.method
    return f"CORS {what} {request.url} from {decision.origin[:200]}: {summary_text}"


def metadata(shown: Shown, summary_text: str, headers_set: list[tuple[str, str]],
             server_response: dict | None) -> dict:
    request, decision = shown.request, shown.decision
    return {
        "kind": decision.kind,
        "outcome": decision.outcome,
        "audit": shown.audit,
        "rule": decision.rule,
        "origin": decision.origin,
        "reason": decision.reason,
        "summary": summary_text,
        "requested_method": request.request_method,
        "requested_headers": request.request_headers,
        "headers_set": {name: value for name, value in headers_set},
        "server_response": server_response,
        "server_verdict": shown.server.as_dict() if shown.server else None,
        "browser_verdict": shown.browser.as_dict() if shown.browser else None,
    }


TallyItem = str  # JSON [origin, host:port, what one flow adds to its counts...]: its hash is cached


class Tally:
    """Per (origin, host): how many calls were fixed, refused or left blocked, and why."""

    def __init__(self) -> None:
        self.seen: dict[TallyItem, int] = {}  # counted per item, added up only for the summary

    @staticmethod
    def key(request: CorsRequest, origin: str) -> tuple[str, str]:
        return origin[:200], f"{request.host}:{request.port}"

    @staticmethod
    def item(shown: Shown) -> TallyItem:
        d = shown.decision
        if shown.browser is not None and shown.browser.blocked:
            entries: tuple[str, ...] = ("left blocked", f"blocked: {shown.browser.reason}")
        elif d.outcome == "refused":
            entries = ("refused",)
        elif d.outcome == "untouched" or shown.audit:
            entries = ("passed untouched",)
        else:
            entries = ("fixed",)
        return json.dumps([*Tally.key(shown.request, d.origin), *entries])

    def add(self, item: TallyItem) -> None:
        self.seen[item] = self.seen.get(item, 0) + 1

    def count_failure(self, request: CorsRequest, origin: str, status: int | None) -> None:
        self.add(json.dumps([*self.key(request, origin), "server down" if status is None else "response broke off"]))

    def lines(self) -> list[str]:
        per_key: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for item, n in self.seen.items():
            origin, host, *entries = json.loads(item)
            for entry in entries:
                per_key[origin, host][entry] += n
        lines = []
        for (origin, host), counts in sorted(per_key.items()):
            totals = [f"{n} {what}" for what, n in counts.items() if not what.startswith("blocked: ")]
            reasons = [f"{what[9:]} (x{n})" for what, n in counts.items() if what.startswith("blocked: ")]
            lines.append(f"CORS summary: {origin} -> {host}: {', '.join(totals)}"
                         + (f"; why: {' | '.join(reasons)}" if reasons else ""))
        return lines


def failure_text(error: str, status: int | None, streamed: bool) -> str:
    """Why a CORS call the rules allow still fails when the exchange with the server breaks:
    `status` is the server's when its response headers arrived, None when none did."""
    if status is None:
        return (f"the server could not be reached ({error}). mitmproxy answers 502 without CORS headers, "
                f"so the browser reports a CORS error (\"{NO_ALLOW_ORIGIN}\") although the server is down.")
    broke_off = f"the server's {status} response broke off after its headers ({error})."
    if streamed:
        return (f"{broke_off} The headers, with the CORS headers, had already gone to the browser, which "
                "reports a network error (such as net::ERR_CONTENT_LENGTH_MISMATCH), not a CORS error.")
    return (f"{broke_off} mitmproxy answers 502 without CORS headers instead, so the browser reports a CORS "
            f"error (\"{NO_ALLOW_ORIGIN}\") although the server answered.")
