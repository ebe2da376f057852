"""The whole answer to one cross-origin exchange: `respond` (pure, no mitmproxy).

Given a Decision and the server's response (or none, when the proxy answers a preflight
itself), it works out everything at once: the status and header fields the browser gets,
the browser's verdict before and after, and every text shown about it. The shell applies
exactly that, so what is reported is what is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Literal

from . import report
from .cookies import CookieReport, examine
from .policy import Action, CorsRequest, Decision, requested_header_names
from .rule import NEVER_EXPOSED
from .suggest import inline_rule, observed_call
from .tally import TallyItem
from .verdict import ALWAYS_READABLE, Credentials, Exchange, Judgement, verdict

Fields = Sequence[tuple[str, str]]
Level = Literal["debug", "info", "warning"]
ServerResponse = tuple[int, tuple[tuple[str, str], ...]]  # status, header fields
BODY_FRAMING = frozenset({"content-length", "transfer-encoding"})


class Mode(str, Enum):
    FIX = "fix"  # answer preflights and rewrite responses per rules.yaml
    AUDIT = "audit"  # change nothing, explain every cross-origin call
    OFF = "off"  # do nothing


@dataclass(frozen=True)
class Outcome:
    shown: report.Shown | None  # the facts every text below is made of; None: not a CORS exchange, not shown
    status: int  # the status the browser gets
    remove: tuple[str, ...]  # lowercase names of the server's fields to drop
    add: tuple[tuple[str, str], ...]  # fields to append (the whole response when the proxy answers)
    empty_body: bool  # the status was repaired into one that has no body
    headers_set: tuple[tuple[str, str], ...]  # the CORS headers the addon wrote (without Vary)
    level: Level
    summary: str
    line: str
    comment: str
    mark: str
    tally: TallyItem

    def metadata(self, server_response: ServerResponse | None) -> dict[str, object]:
        """flow.metadata["cors"] for a flow whose server sent `server_response` (None: not asked): plain data,
        a new dict each call."""
        if self.shown is None:
            return {}
        return report.metadata(self.shown, self.summary, self.headers_set, server_response)


def credentials_modes(request: CorsRequest) -> tuple[Credentials, ...]:
    """The credentials modes the request may have been sent with. A Cookie proves "include", and so does
    Sec-Fetch-Storage-Access (Chromium 156 and Firefox ESR 153 send it on a cross-site "include" call);
    their absence proves nothing (no cookie yet, a same-site call, an older browser), and a preflight
    never shows the mode of the call it asks for."""
    if not request.is_preflight and (request.carries_credentials or request.storage_access):
        return ("include",)
    return ("omit", "include")


def exchange(request: CorsRequest, status: int, headers: Fields, credentials: bool | None = None) -> Exchange:
    """The request with a response, as the verdict sees it; `credentials` None: as the request shows."""
    preflight = request.is_preflight
    names = tuple(requested_header_names(request.request_headers) or ()) if preflight else ()
    return Exchange(
        request.url,
        request.origin,
        request.method,
        status,
        tuple(headers),
        request.carries_credentials if credentials is None else credentials,
        request.request_method if preflight else None,
        names,
    )


def judge(request: CorsRequest, status: int, headers: Fields) -> Judgement:
    return Judgement(
        tuple(
            (mode, verdict(exchange(request, status, headers, mode == "include")))
            for mode in credentials_modes(request)
        )
    )


def respond(decision: Decision, status: int | None, headers: Fields = (), mode: Mode = Mode.FIX) -> Outcome:
    """`status` and `headers`: the server's response; status None: the proxy answers the preflight itself."""
    if status is None:
        if decision.action is not Action.ANSWER or mode is not Mode.FIX:
            raise ValueError("only a preflight the rules answer, in fix mode, is answered by the proxy")
        return _answered(decision)
    if decision.action is Action.VARY_ONLY:
        vary = _merged_vary(headers, decision) if mode is Mode.FIX else None
        return Outcome(
            None, status, ("vary",) if vary else (), _vary_field(vary), False, (), "debug", "", "", "", "", ()
        )
    server = judge(decision.request, status, headers)
    fixes = mode is Mode.FIX and decision.action in (Action.REPAIR, Action.ALLOW)
    cookies, cookie_fields = (
        examine(decision.request, list(headers), fixes and decision.rewrite_cookies)
        if decision.action is not Action.UNTOUCHED
        else (None, ())
    )
    if mode is Mode.FIX and decision.action is Action.REFUSE:
        vary = _merged_vary(headers, decision)
        shown = report.Shown(decision, status, status, server, server, False, "", vary is not None, cookies)
        return _outcome(shown, ("vary",) if vary else (), _vary_field(vary), False, ())
    if fixes:
        return _fixed(decision, status, headers, server, cookies, cookie_fields)
    shown = report.Shown(
        decision, status, status, server, server, mode is Mode.AUDIT, _suggestion(decision, server), cookies=cookies
    )
    return _outcome(shown, (), (), False, ())


def _answered(decision: Decision) -> Outcome:
    """The proxy's own answer to a preflight the rules allow."""
    answer = (*decision.headers, *_vary_field(", ".join(decision.vary)))
    verdicts = judge(decision.request, decision.preflight_status, answer)
    shown = report.Shown(decision, decision.preflight_status, None, None, verdicts)
    return _outcome(shown, (), answer, False, decision.headers)


def _fixed(
    decision: Decision,
    status: int,
    headers: Fields,
    server: Judgement,
    cookies: CookieReport | None,
    cookie_fields: tuple[tuple[str, str], ...],
) -> Outcome:
    """The server's response with the rule's Access-Control-* headers instead of its own, Vary merged, the
    cookies the browser would drop rewritten, and a forwarded preflight's status repaired."""
    written = cors_headers(decision, headers)
    vary = _merged_vary(headers, decision)
    dropped = {name.lower() for name, _ in headers if name.lower().startswith("access-control-")}
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
    shown = report.Shown(
        decision, final, status, server, browser, False, _suggestion(decision, browser), cookies=cookies
    )
    return _outcome(shown, tuple(sorted(dropped)), added, final != status, written)


def _outcome(
    shown: report.Shown,
    remove: tuple[str, ...],
    add: tuple[tuple[str, str], ...],
    empty_body: bool,
    headers_set: tuple[tuple[str, str], ...],
) -> Outcome:
    summary = report.summary(shown)
    level: Level = "warning" if shown.noteworthy else "debug" if shown.decision.action is Action.UNTOUCHED else "info"
    return Outcome(
        shown,
        shown.status,
        remove,
        add,
        empty_body,
        headers_set,
        level,
        summary,
        report.log_line(shown, summary),
        f"CORS: {summary}",
        shown.mark,
        report.tally_item(shown),
    )


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
        if name.lower() not in ALWAYS_READABLE | NEVER_EXPOSED and not name.lower().startswith("access-control-")
    ]
    exposed = ", ".join(dict.fromkeys(names))
    return (*decision.headers, *([("Access-Control-Expose-Headers", exposed)] if exposed else []))


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
