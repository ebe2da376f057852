"""The whole answer to one cross-origin exchange: `respond` (pure, no mitmproxy).

Given a Decision and the server's response (or none, when the proxy answers a preflight
itself), it works out everything at once: the status and header fields the browser gets,
the browser's verdict before and after, and every text shown about it. The shell applies
exactly that, so what is reported is what is sent. One function per kind of answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from addon.answer.outcome import Mode, Outcome, shown_outcome
from addon.core.policy import Action, Decision
from addon.core.rule import NEVER_READABLE
from addon.doctor.cookies import examine
from addon.doctor.exchange import ALWAYS_READABLE, Judgement
from addon.doctor.judge import judge
from addon.doctor.report import Facts
from addon.doctor.suggest import inline_rule, observed_call

Fields = Sequence[tuple[str, str]]
BODY_FRAMING = frozenset({"content-length", "transfer-encoding"})


def respond(decision: Decision, status: int | None, headers: Fields = (), mode: Mode = Mode.FIX) -> Outcome:
    """`status` and `headers`: the server's response; status None: the proxy answers the preflight itself."""
    if status is None:
        if decision.action is not Action.ANSWER or mode is not Mode.FIX:
            raise ValueError("only a preflight the rules answer, in fix mode, is answered by the proxy")
        return _answered(decision)
    if decision.action is Action.NOT_CORS:
        return _not_cors(decision, status, headers, mode)
    if mode is Mode.FIX and decision.action is Action.REFUSE:
        return _refused(decision, status, headers)
    if mode is Mode.FIX and decision.action in (Action.REPAIR, Action.ALLOW):
        return _fixed(decision, status, headers)
    return _observed(decision, status, headers, mode)


def _answered(decision: Decision) -> Outcome:
    """The proxy's own answer to a preflight the rules allow."""
    answer = (*decision.headers, *_vary_field(", ".join(decision.vary)))
    verdicts = judge(decision.request, decision.preflight_status, answer)
    facts = Facts(
        decision=decision, status=decision.preflight_status, server_status=None, server=None, browser=verdicts
    )
    return shown_outcome(facts, add=answer, headers_set=decision.headers)


def _not_cors(decision: Decision, status: int, headers: Fields, mode: Mode) -> Outcome:
    """Not a CORS request (nothing is shown): Vary: Origin where the rule's answer depends on Origin, or a
    '*' rule's own Access-Control-* instead of the server's, so a cached copy serves a CORS request too."""
    if mode is not Mode.FIX:
        return Outcome(facts=None, status=status)
    vary = _merged_vary(headers, decision)
    removed = {"vary"} if vary else set()
    if decision.headers:
        removed |= _access_control_names(headers)
    added = (*decision.headers, *_vary_field(vary))
    return Outcome(facts=None, status=status, remove=tuple(sorted(removed)), add=added)


def _refused(decision: Decision, status: int, headers: Fields) -> Outcome:
    """A covered call the rule does not allow: passed on untouched, but for Vary: Origin."""
    server = judge(decision.request, status, headers)
    cookies, _ = examine(decision.request, list(headers), False)
    vary = _merged_vary(headers, decision)
    facts = Facts(
        decision=decision,
        status=status,
        server_status=status,
        server=server,
        browser=server,
        vary_added=vary is not None,
        cookies=cookies,
    )
    return shown_outcome(facts, remove=("vary",) if vary else (), add=_vary_field(vary))


def _fixed(decision: Decision, status: int, headers: Fields) -> Outcome:
    """The server's response with the rule's Access-Control-* headers instead of its own, Vary merged, the
    cookies the browser would drop rewritten, and a forwarded preflight's status repaired."""
    server = judge(decision.request, status, headers)
    cookies, cookie_fields = examine(decision.request, list(headers), decision.rewrite_cookies)
    written = cors_headers(decision, headers)
    vary = _merged_vary(headers, decision)
    dropped = _access_control_names(headers)
    if vary is not None:
        dropped.add("vary")
    added = (*written, *_vary_field(vary))
    if cookie_fields:  # all of them again, in their order, the dropped ones rewritten
        dropped.add("set-cookie")
        added = (*added, *cookie_fields)
    final = _repaired_status(decision, status)
    if final != status:  # the repaired answer has no body: the server's body framing goes too
        dropped |= {name.lower() for name, _ in headers if name.lower() in BODY_FRAMING}
        if final != 204:  # a 204 must not carry Content-Length; any other status needs it to end
            added = (*added, ("Content-Length", "0"))
    kept = [(name, value) for name, value in headers if name.lower() not in dropped]
    browser = judge(decision.request, final, [*kept, *added])
    facts = Facts(
        decision=decision,
        status=final,
        server_status=status,
        server=server,
        browser=browser,
        suggestion=_suggestion(decision, browser),
        cookies=cookies,
    )
    return shown_outcome(
        facts, remove=tuple(sorted(dropped)), add=added, empty_body=final != status, headers_set=written
    )


def _observed(decision: Decision, status: int, headers: Fields, mode: Mode) -> Outcome:
    """Nothing changed (no rule covers it, or audit mode): only what the browser will make of it."""
    server = judge(decision.request, status, headers)
    cookies = examine(decision.request, list(headers), False)[0] if decision.action is not Action.UNTOUCHED else None
    facts = Facts(
        decision=decision,
        status=status,
        server_status=status,
        server=server,
        browser=server,
        audit=mode is Mode.AUDIT,
        suggestion=_suggestion(decision, server),
        cookies=cookies,
    )
    return shown_outcome(facts)


def _suggestion(decision: Decision, browser: Judgement) -> str:
    """A rule for an uncovered call the browser blocks; with credentials when only credentials block it."""
    if decision.action is not Action.UNTOUCHED or browser.blocking is None:
        return ""
    call = observed_call(decision.request)
    return inline_rule(replace(call, credentials=True) if browser.depends_on_credentials else call)


def _repaired_status(decision: Decision, status: int) -> int:
    """A forwarded preflight's non-2xx status becomes the rule's preflight status; every other status stays."""
    return decision.preflight_status if decision.action is Action.REPAIR and not 200 <= status < 300 else status


def cors_headers(decision: Decision, headers: Fields) -> tuple[tuple[str, str], ...]:
    """The decision's headers; with expose "*" and credentials, the response's own header names listed."""
    if not decision.expose_all_names:
        return decision.headers
    names = [
        name.lower()
        for name, _ in headers
        if name.lower() not in ALWAYS_READABLE | NEVER_READABLE and not name.lower().startswith("access-control-")
    ]
    exposed = ", ".join(dict.fromkeys(names))
    return (*decision.headers, *([("Access-Control-Expose-Headers", exposed)] if exposed else []))


def _access_control_names(headers: Fields) -> set[str]:
    """The lowercase names of the server's own Access-Control-* fields: a rule's answer replaces them."""
    return {name.lower() for name, _ in headers if name.lower().startswith("access-control-")}


def _merged_vary(headers: Fields, decision: Decision) -> str | None:
    return merge_vary([value for name, value in headers if name.lower() == "vary"], decision.vary)


def merge_vary(existing: list[str], additions: tuple[str, ...]) -> str | None:
    """One Vary value with `additions` merged in, or None when nothing changes."""
    present = [v.strip() for value in existing for v in value.split(",") if v.strip()]
    lowered = {v.lower() for v in present}
    if "*" in lowered:
        return None
    missing = [a for a in additions if a.lower() not in lowered]
    if not missing:
        return None
    return ", ".join(present + missing)


def _vary_field(value: str | None) -> tuple[tuple[str, str], ...]:
    return (("Vary", value),) if value else ()
