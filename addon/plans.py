"""What the addon does with a flow, worked out once per shape of exchange and then reused.

A page repeats the same calls. The decision, both verdicts and every text shown about a
response depend only on the request (its URL, origin, method, preflight and credential
headers), the response's status and its CORS-relevant headers, and the mode; so they are
computed the first time, and a repeated call costs two dict probes (bench/README.md).
"""
from __future__ import annotations

from dataclasses import dataclass

from . import report
from .policy import CorsRequest, Decision, decide, repaired_status, rewrite, to_exchange
from .rules import RuleSet
from .suggest import inline_rule, observed_call
from .verdict import verdict

PLANS_KEPT = 1024  # shapes remembered per memo; all are forgotten when full (a flood of new shapes stays bounded)
CORS_FIELDS = (b"access-control-", b"location", b"vary")  # the fields whose values CORS reads
_UNKNOWN = object()

RawFields = tuple[tuple[bytes, bytes], ...]


@dataclass(frozen=True, eq=False)
class ResponsePlan:
    rewrite: bool  # replace the response's fields named by `replaced` with `added`
    replaced: tuple[bytes, ...]  # lowercase name prefixes
    added: RawFields
    set_headers: tuple[tuple[str, str], ...]  # the CORS headers the browser gets from the addon
    shown: report.Shown
    summary: str
    level: str  # "warning", "info" or "debug"
    line: str
    metadata: dict  # read-only: each flow gets a shallow copy
    tally_key: tuple[str, str]
    tally_entries: tuple[str, ...]


def response_shape(fields: RawFields) -> RawFields:
    """The response's fields as far as CORS reads them: every name, values only of CORS_FIELDS
    (Date, ETag, Content-Length... differ per call and would defeat the memo)."""
    return tuple([(name, value if name.lower().startswith(CORS_FIELDS) else b"") for name, value in fields])


def _text(fields: RawFields) -> list[tuple[str, str]]:
    return [(name.decode("utf-8", "surrogateescape"), value.decode("utf-8", "surrogateescape"))
            for name, value in fields]


def plan_response(request: CorsRequest, decision: Decision, status: int, shape: RawFields,
                  audit: bool, answered: bool) -> ResponsePlan:
    """`shape`: see response_shape. `answered`: the proxy answered this preflight itself."""
    fields = _text(shape)
    as_received = verdict(to_exchange(request, status, fields))
    set_headers: tuple[tuple[str, str], ...] = ()
    changed, vary = False, None
    if answered:  # the server was not asked
        server, server_response, browser = None, None, as_received
        set_headers = decision.headers
    else:
        server_response = {"status": status, "headers": [list(field) for field in fields]}
        server = browser = as_received
        if not audit and decision.outcome in ("forwarded", "allowed"):
            final, written, vary = rewrite(fields, decision)
            changed, set_headers = True, tuple(written)
            browser = verdict(to_exchange(request, repaired_status(decision, status), final))
    suggestion = ""
    if decision.outcome == "untouched" and browser.blocked:
        suggestion = inline_rule(observed_call(request))
    shown = report.Shown(request, decision, status, server, browser, audit, suggestion)
    summary = report.summary(shown)
    level = "warning" if shown.noteworthy else "debug" if decision.outcome == "untouched" else "info"
    added = [*set_headers, *([("Vary", vary)] if vary is not None else [])]
    return ResponsePlan(
        rewrite=changed,
        replaced=(b"access-control-", b"vary") if vary is not None else (b"access-control-",),
        # The core only writes values it validated (tokens, origins), but a server's Vary may be anything.
        added=tuple((name.encode("ascii"), value.encode("utf-8", "surrogateescape")) for name, value in added),
        set_headers=set_headers, shown=shown, summary=summary, level=level,
        line=report.log_line(shown, summary),
        metadata=report.metadata(shown, summary, list(set_headers), server_response),
        tally_key=report.Tally.key(request, decision.origin), tally_entries=report.Tally.entries(shown),
    )


class Planner:
    """Decisions and response plans for one set of rules, each computed once per shape."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self._decisions: dict = {}
        self._plans: dict = {}

    def decide(self, request: CorsRequest, subject=None) -> Decision | None:
        decision = self._decisions.get(request, _UNKNOWN)
        if decision is _UNKNOWN:
            decision = decide(request, self.rules, subject)
            if not self.rules.index.depends_on_flow(request.host):  # a rule's filter looks at the flow itself
                remember(self._decisions, request, decision)
        return decision

    def plan(self, request: CorsRequest, decision: Decision, status: int, shape: RawFields,
             audit: bool, answered: bool) -> ResponsePlan:
        key = (request, decision, status, shape, audit, answered)
        plan = self._plans.get(key)
        if plan is None:
            plan = remember(self._plans, key, plan_response(request, decision, status, shape, audit, answered))
        return plan


def remember(memo: dict, key, value):
    """Store in a memo of at most PLANS_KEPT entries; return the value."""
    if len(memo) >= PLANS_KEPT:
        memo.clear()
    memo[key] = value
    return value
