"""What a WebSocket handshake to a covered host came to, in one log line, a mark and a comment (pure):
accepted, or refused by the server (a status, or a close right after 101), and what that means."""

from __future__ import annotations

from dataclasses import dataclass

from addon.core.websocket import Handshake

ACCEPTED_MARK, REFUSED_MARK = ":white_check_mark:", ":no_entry:"
NOT_CORS = "the server checks Origin itself; CORS headers cannot change that"


@dataclass(frozen=True)
class HandshakeOutcome:
    level: str  # "info" or "warning"
    line: str
    comment: str
    mark: str


def handshake_outcome(h: Handshake, status: int, close: tuple[int | None, str] | None = None) -> HandshakeOutcome:
    """`status`: the server's answer to the handshake; `close`: its close code and reason when it closed
    the socket right after 101."""
    head = f"WebSocket {h.url} from {h.origin}"
    rewritten = f", Origin rewritten to {h.server_origin} by rule '{h.rule}'" if h.rewrite else f" (rule '{h.rule}')"
    if status == 101 and close is None:
        line = f"{head}: \u2705 accepted by the server (101){rewritten}"
        return HandshakeOutcome("info", line, line, ACCEPTED_MARK)
    if status == 101:
        code, reason = close or (None, "")
        how = f"closed by the server right after the handshake ({code or 'no code'}{' ' + reason if reason else ''})"
    else:
        how = f"refused by the server ({status})"
    line = f"{head}: \u26d4 {how}: {NOT_CORS}; {_fix(h)}"
    comment = "\n".join(
        [
            line,
            "No preflight and no Access-Control-* header take part in a WebSocket handshake: the browser sends",
            f"Origin: {h.sent_origin} and the server decides. The page sees only that the connection failed.",
        ]
    )
    return HandshakeOutcome("warning", line, comment, REFUSED_MARK)


def _fix(h: Handshake) -> str:
    if h.rewrite:
        return f"it refused its own origin {h.server_origin} too (rule '{h.rule}' rewrote it): not an origin check"
    if h.refusal:
        return f"rule '{h.rule}' does not rewrite it: {h.refusal}"
    return (
        f"fix: allow {h.origin} in the server's WebSocket origin check, or through this proxy "
        f"websocket_origin: rewrite in rule '{h.rule}'"
    )
