"""What the addon does with a flow, worked out once per shape of exchange and then reused.

A page repeats the same calls. The decision, both verdicts and every text shown about a
response depend only on the request (its URL, origin, method, preflight and credential
headers), the response's status and its CORS-relevant headers, and the mode; so they are
computed the first time. A repeated call then costs a few dict probes on keys whose hashes
are cached or by identity, never a hash of the core's dataclasses (bench/README.md).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
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
Shape = tuple  # see response_shape


@dataclass(frozen=True, eq=False)
class ResponsePlan:
    rewrite: bool  # replace the response's fields named by `replaced` with `added`
    replaced: tuple[bytes, ...]  # lowercase name prefixes; () when the response has none of them
    added: RawFields
    set_headers: tuple[tuple[str, str], ...]  # the CORS headers the browser gets from the addon
    shown: report.Shown
    summary: str
    level: int  # logging.WARNING, INFO or DEBUG
    line: str
    comment: str
    metadata: dict  # read-only: each flow gets a shallow copy
    tally_item: report.TallyItem


def response_shape(fields: RawFields) -> Shape:
    """The response's fields as far as CORS reads them: every name, the value only of CORS_FIELDS
    (Date, ETag, Content-Length... differ per call and would defeat the memo). A field CORS
    reads stays the (name, value) pair; of any other only the name is kept."""
    try:
        return tuple([field if _CORS_NAMES[field[0]] else field[0] for field in fields])
    except KeyError:
        return tuple([field if _learn_name(field[0]) else field[0] for field in fields])


_CORS_NAMES: dict[bytes, bool] = {}  # raw field name -> whether CORS reads its value


def _learn_name(name: bytes) -> bool:
    return remember(_CORS_NAMES, name, name.lower().startswith(CORS_FIELDS))


def _text(shape: Shape) -> list[tuple[str, str]]:
    return [(name.decode("utf-8", "surrogateescape"), value.decode("utf-8", "surrogateescape"))
            for name, value in (field if isinstance(field, tuple) else (field, b"") for field in shape)]


def plan_response(request: CorsRequest, decision: Decision, status: int, shape: Shape,
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
    level = logging.WARNING if shown.noteworthy else logging.DEBUG if decision.outcome == "untouched" else logging.INFO
    added = [*set_headers, *([("Vary", vary)] if vary is not None else [])]
    replaced = ("access-control-", "vary") if vary is not None else ("access-control-",)
    return ResponsePlan(
        rewrite=changed,
        replaced=tuple(prefix.encode() for prefix in replaced)
        if any(name.lower().startswith(replaced) for name, _ in fields) else (),
        # The core only writes values it validated (tokens, origins), but a server's Vary may be anything.
        added=tuple((name.encode("ascii"), value.encode("utf-8", "surrogateescape")) for name, value in added),
        set_headers=set_headers, shown=shown, summary=summary, level=level,
        line=report.log_line(shown, summary), comment=f"CORS: {summary}",
        metadata=report.metadata(shown, summary, list(set_headers), server_response),
        tally_item=report.Tally.item(shown),
    )


@dataclass(eq=False)  # compared and hashed by identity: the memos' keys hold it
class Call:
    """One shape of request under one set of rules."""

    request: CorsRequest
    decision: Decision | None  # None: a rule's filter looks at each flow, so each flow is decided


class Planner:
    """Calls, decisions and response plans for one set of rules, each worked out once per shape."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self._calls: dict = {}
        self._plans: dict = {}

    def call(self, key: Hashable, read: Callable[[Hashable], CorsRequest | None]) -> Call | None:
        """The call for a request shape `key` (the shell's); `read(key)` gives its request the first
        time. None when the request is not cross-origin: nothing to do."""
        call = self._calls.get(key, _UNKNOWN)
        if call is _UNKNOWN:
            call = remember(self._calls, key, self._new_call(read(key)))
        return call

    def _new_call(self, request: CorsRequest | None) -> Call | None:
        if request is None:
            return None
        if self.rules.index.depends_on_flow(request.host):  # a rule's filter looks at the flow itself
            return Call(request, None)
        decision = decide(request, self.rules)
        return None if decision is None else Call(request, decision)

    def decide(self, call: Call, subject=None) -> Decision | None:
        """`subject`: what a rule's filter sees (the flow)."""
        return call.decision if call.decision is not None else decide(call.request, self.rules, subject)

    def plan(self, call: Call, decision: Decision, status: int, fields: RawFields,
             audit: bool, answered: bool) -> ResponsePlan:
        """`fields`: the response's raw header fields."""
        shape = response_shape(fields)
        key = (call, None if decision is call.decision else decision, status, shape, audit, answered)
        plan = self._plans.get(key)
        if plan is None:
            plan = remember(self._plans, key, plan_response(call.request, decision, status, shape, audit, answered))
        return plan


def remember(memo: dict, key, value):
    """Store in a memo of at most PLANS_KEPT entries; return the value."""
    if len(memo) >= PLANS_KEPT:
        memo.clear()
    memo[key] = value
    return value
