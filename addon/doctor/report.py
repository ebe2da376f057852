"""How an outcome is facts: the log line, the flow comment, the mark, flow.metadata (pure)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from addon.core.policy import Action, Decision
from addon.doctor.cookies import CookieReport
from addon.doctor.exchange import Credentials
from addon.doctor.session_summary import SummaryEntry, summary_key
from addon.doctor.verdict import Judgement

MARKS = {
    Action.ANSWER: ":white_check_mark:",
    Action.REPAIR: ":white_check_mark:",
    Action.ALLOW: ":white_check_mark:",
    Action.REFUSE: ":no_entry:",
    Action.UNTOUCHED: ":heavy_minus_sign:",
}
BLOCKED_MARK = ":warning:"
DEPENDS_MARK = ":large_orange_diamond:"  # passes or not depending on the credentials mode, which the proxy cannot see


@dataclass(frozen=True, kw_only=True)
class Facts:
    """Everything said about one flow, computed once and rendered three ways."""

    decision: Decision
    status: int  # the status the browser gets
    server_status: int | None  # the status the server sent; None when the proxy answered
    server: Judgement | None  # on the server's own response; None when the proxy answered
    browser: Judgement  # on the response the browser gets
    audit: bool = False
    suggestion: str = ""  # a rule that would fix an uncovered, blocked call
    vary_added: bool = False  # a refused call: only Vary: Origin was added
    cookies: CookieReport | None = None  # the response's Set-Cookie fields, on a covered host

    @property
    def mark(self) -> str:
        if self.decision.action is Action.REFUSE:
            return MARKS[Action.REFUSE]
        if self.browser.blocked:
            return BLOCKED_MARK
        if self.browser.depends_on_credentials:
            return DEPENDS_MARK
        return MARKS[self.decision.action]

    @property
    def level(self) -> Literal["debug", "info", "warning"]:
        if self.noteworthy:
            return "warning"
        return "debug" if self.decision.action is Action.UNTOUCHED else "info"

    @property
    def noteworthy(self) -> bool:
        """Worth a warning: the browser will block, the rule refused, or the browser drops a cookie."""
        d = self.decision
        if d.action is Action.REFUSE or self.browser.blocked or bool(self.cookies and self.cookies.dropped):
            return True
        return bool(d.reason and d.action is not Action.UNTOUCHED)


def settled(facts: Facts, mode: Credentials) -> Facts:
    """A preflight's facts once its call showed the credentials mode: that side of each verdict only."""

    def side(judgement: Judgement | None) -> Judgement | None:
        if judgement is None:
            return None
        return Judgement(tuple((m, v) for m, v in judgement.sides if m == mode) or judgement.sides)

    browser = side(facts.browser)
    assert browser is not None
    return replace(facts, server=side(facts.server), browser=browser)


def outcome_text(facts: Facts, brief: bool = False) -> str:
    """What was decided; `brief` (the one-line log): a long list of requested headers cut short, and an
    allowed call's detail (the rule's credentials) left to the comment, or to the clause that follows."""
    d = facts.decision
    by = f" by rule '{d.rule}'" if d.rule else ""
    server_status = facts.server_status
    if d.action is Action.UNTOUCHED:
        text = f"untouched: {d.reason}"
    elif facts.audit:
        verb = {
            Action.ANSWER: f"would answer {d.preflight_status}",
            Action.REPAIR: "would repair the server's reply",
            Action.ALLOW: "would allow",
            Action.REFUSE: "would refuse",
        }[d.action]
        text = f"audit: rule '{d.rule}' {verb}"
        if d.action is Action.REFUSE:
            text += f": {d.reason}"
    elif d.action is Action.ANSWER:
        text = f"answered {facts.status}{by}"
    elif d.action is Action.REPAIR:
        text = f"forwarded{by}, server's reply repaired"
        if server_status is not None and server_status != facts.status:
            text += f" (its {server_status} turned into {facts.status})"
    elif d.action is Action.ALLOW:
        text = f"allowed{by}"
    else:
        passed = "without CORS headers (Vary: Origin added)" if facts.vary_added else "untouched"
        text = f"refused{by}: {d.reason}; passed on {passed}"
    details = [str(facts.status)] if d.action is Action.ALLOW else []
    credentials_only = brief and d.action is Action.ALLOW  # an allowed call's detail is the rule's credentials
    if d.detail and d.action is not Action.REFUSE and not credentials_only:
        details.append(_brief(d.detail) if brief else d.detail)
    if details:
        text += f" ({'; '.join(details)})"
    if d.reason and d.action in (Action.ALLOW, Action.ANSWER, Action.REPAIR):
        text += f"; note: {d.reason}"
    return text


def _brief(detail: str, limit: int = 50) -> str:
    if len(detail) <= limit:
        return detail
    return detail[: detail.rfind(", ", 0, limit)] + f", ... ({detail.count(', ') + 1} in all)"


def verdict_text(facts: Facts) -> str:
    server, browser, rule = facts.server, facts.browser, facts.decision.rule
    parts = []
    if server is None:
        parts.append("server not asked")
    elif server.blocking is None:
        parts.append("server alone: passes")
    else:
        parts.append(f"server alone: {_blocked_words(server)} - {server.blocking.reason}")
    blocking = browser.blocking
    fixed = rule and not facts.audit and (server is None or server.blocking is not None)
    if blocking is not None and browser.depends_on_credentials and fixed:
        parts.append(
            f"rule '{rule}' fixed it for calls without credentials; if the page sends credentials: "
            f"'include', the browser will block: {blocking.chromium} (Firefox: {blocking.firefox})"
        )
    elif blocking is not None:
        parts.append(f"browser will {_block_words(browser)}: {blocking.chromium} (Firefox: {blocking.firefox})")
    elif fixed:
        parts.append(f"rule '{rule}' fixed it")
    if facts.suggestion:
        parts.append(f"a rule that would fix it: {facts.suggestion}")
    if facts.cookies is not None:
        parts += cookie_text(facts.cookies)
    return "; ".join(parts)


def cookie_text(cookies: CookieReport) -> list[str]:
    parts = []
    if cookies.dropped:
        each = ", ".join(f"{d.name} ({d.reason}: {d.words})" for d in cookies.dropped)
        parts.append(
            f"cookies the browser drops ({'cross-site' if cookies.cross_site else 'same-site'}, by "
            f"{cookies.decided_by}): {each}; fix: {cookies.dropped[0].fix}"
        )
    if cookies.rewritten:
        parts.append(
            f"cookies rewritten so the browser keeps them (host-only, SameSite=None; Secure; Partitioned): "
            f"{', '.join(cookies.rewritten)}"
        )
    return parts


def _blocked_words(judgement: Judgement) -> str:
    return "blocked" if judgement.blocked else "blocked if credentials: 'include'"


def _block_words(judgement: Judgement) -> str:
    return "block" if judgement.blocked else "block if credentials: 'include'"


def summary(facts: Facts) -> str:
    return f"{outcome_text(facts)}; {verdict_text(facts)}"


def log_line(facts: Facts, summary_text: str) -> str:
    request = facts.decision.request
    what = f"preflight {request.request_method}" if request.is_preflight else request.method
    return f"CORS {what} {request.url} from {request.origin[:200]}: {summary_text}"


def metadata(
    facts: Facts,
    summary_text: str,
    headers_set: tuple[tuple[str, str], ...],
    server_response: tuple[int, tuple[tuple[str, str], ...]] | None,
) -> dict[str, object]:
    decision = facts.decision
    request = decision.request
    return {
        "kind": decision.kind,
        "outcome": decision.action.value,
        "audit": facts.audit,
        "rule": decision.rule,
        "origin": decision.origin,
        "reason": decision.reason,
        "summary": summary_text,
        "requested_method": request.request_method,
        "requested_headers": request.request_headers,
        "headers_set": dict(headers_set),
        "server_response": None
        if server_response is None
        else {"status": server_response[0], "headers": [list(field) for field in server_response[1]]},
        "server_verdict": facts.server.as_dict() if facts.server else None,
        "browser_verdict": facts.browser.as_dict(),
        "cookies": facts.cookies.as_dict() if facts.cookies else None,
    }


def summary_entry(facts: Facts) -> SummaryEntry:
    """What this flow adds to the shutdown summary."""
    d = facts.decision
    blocking = facts.browser.blocking
    if blocking is not None and facts.browser.blocked:
        entries: tuple[str, ...] = ("left blocked", f"blocked: {blocking.reason}")
    elif blocking is not None:
        entries = ("pass only without credentials", f"blocked: {blocking.reason} (with credentials: 'include')")
    elif d.action is Action.REFUSE:
        entries = ("refused",)
    elif d.action is Action.UNTOUCHED or facts.audit:
        entries = ("passed untouched",)
    else:
        entries = ("fixed",)
    return (*summary_key(d.request.host, d.request.port, d.origin), *entries)


def unanswered_preflight_line(facts: Facts) -> str:
    """A preflight the browser could pass whose call never came: the browser blocked it after the preflight."""
    request, rule = facts.decision.request, facts.decision.rule
    method = request.request_method
    text = (
        f"CORS preflight {method} {request.url} from {request.origin[:200]}: the {method} itself never came, "
        "so the browser blocked the call after the preflight. "
    )
    blocking = facts.browser.blocking
    if blocking is not None:
        return text + (
            f"Most likely the page sends credentials: 'include', and then: {blocking.chromium} "
            f"(Firefox: {blocking.firefox}); set allow_credentials: true on rule '{rule}' if it should."
        )
    return text + (
        "The preflight's answer passes the browser's checks as the proxy sees them: the page may have "
        "gone (navigation, closed tab) or aborted the call."
    )
