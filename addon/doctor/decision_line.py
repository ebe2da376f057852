"""One decision, one log line (pure): what was asked, what was decided and by which rule, the mark, and,
when the browser will block, Chromium's sentence and Firefox's codes. The other credentials mode, when it
differs, is a short clause with its fix (on the call's line, not its preflight's); the full text stays in
the comment, metadata and cors.explain."""

from __future__ import annotations

from addon.core.policy import Action
from addon.doctor.cookies import SHORT_FIX
from addon.doctor.report import BLOCKED_MARK, DEPENDS_MARK, MARKS, Facts, outcome_text

# mitmproxy's marks are emoji shortcodes; the log shows the emoji itself.
EMOJI = {
    MARKS[Action.ALLOW]: "\u2705",
    MARKS[Action.REFUSE]: "\u26d4",
    MARKS[Action.UNTOUCHED]: "\u2796",
    BLOCKED_MARK: "\u26a0\ufe0f",
    DEPENDS_MARK: "\U0001f536",
}
MAX_URL = 100  # longer URLs (a long query) are cut on the line; the flow has them whole


def decision_line(facts: Facts) -> str:
    request = facts.decision.request
    what = f"preflight {request.request_method}" if request.is_preflight else request.method
    url = request.url if len(request.url) <= MAX_URL else request.url[: MAX_URL - 1] + "\u2026"
    parts = [f"{EMOJI[facts.mark]} {outcome_text(facts, brief=True)}", *_verdict_clauses(facts)]
    return f"CORS {what} {url} from {request.origin[:200]}: {'; '.join(parts)}"


def _verdict_clauses(facts: Facts) -> list[str]:
    browser, rule = facts.browser, facts.decision.rule
    blocking = browser.blocking
    clauses = []
    if blocking is not None and browser.blocked:
        clauses.append(f"browser will block: {blocking.chromium} (Firefox: {blocking.firefox})")
    elif blocking is not None and not facts.decision.request.is_preflight:
        # A preflight never shows its call's mode: the call's own line does, and a call that never comes is
        # reported with the likely reason (addon/doctor/pending.py).
        rule_decides = rule and not facts.audit and facts.decision.action is not Action.REFUSE
        if rule_decides:
            clauses.append("with credentials: needs allow_credentials: true")
        else:
            clauses.append(f"with credentials: blocked; fix: {blocking.fix}")
    if facts.suggestion and browser.blocked:
        clauses.append(f"a rule that would fix it: {facts.suggestion}")
    cookies = facts.cookies
    if cookies is not None and cookies.dropped:
        dropped = ", ".join(f"{d.name} ({d.reason})" for d in cookies.dropped)
        fix = cookies.dropped[0].fix
        clauses.append(f"the browser drops cookie {dropped}: {SHORT_FIX.get(fix, fix)}")
    if cookies is not None and cookies.rewritten:
        clauses.append(f"cookie {', '.join(cookies.rewritten)} rewritten so the browser keeps it")
    return clauses
