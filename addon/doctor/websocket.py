"""What a WebSocket handshake to a covered host came to, in one log line, a mark and a comment (pure):
accepted, or refused by the server (a status, or a close right after 101), and what that means."""

from __future__ import annotations

import re
from dataclasses import dataclass

from addon.core.websocket import Handshake

ACCEPTED_MARK, REFUSED_MARK = ":white_check_mark:", ":no_entry:"
NOT_CORS = "the server checks Origin itself; CORS headers cannot change that"
QUICK_CLOSE = 2.0  # seconds: a server close sooner than this after 101 is taken as a refusal
Close = tuple[int | None, str]  # the server's close code and reason
# Chromium's words for a handshake the server answered with another status (DevTools' HAR has status 0 then)
UNEXPECTED_STATUS = re.compile(r"Unexpected response code: (\d+)")


@dataclass(frozen=True)
class HandshakeOutcome:
    level: str  # "info" or "warning"
    line: str
    comment: str
    mark: str


def handshake_outcome(h: Handshake, status: int, close: Close | None = None) -> HandshakeOutcome:
    """`status`: the server's answer to the handshake; `close`: its close code and reason when it closed
    the socket right after 101."""
    head = f"WebSocket {h.url} from {h.origin}"
    rewritten = f", Origin rewritten to {h.server_origin} by rule '{h.rule}'" if h.rewrite else f" (rule '{h.rule}')"
    if status == 101 and close is None:
        line = f"{head}: \u2705 accepted by the server (101){rewritten}"
        return HandshakeOutcome("info", line, line, ACCEPTED_MARK)
    line = f"{head}: \u26d4 {_refusal(status, close)}: {NOT_CORS}; {_fix(h)}"
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


def _refusal(status: int, close: Close | None) -> str:
    if status == 101:
        code, reason = close or (None, "")
        return f"closed by the server right after the handshake ({code or 'no code'}{' ' + reason if reason else ''})"
    return f"refused by the server ({status})"


@dataclass(frozen=True)
class RecordedHandshake:
    """A handshake a file recorded (a HAR entry, a saved flow), told without any rule: `cors-addon explain`."""

    accepted: bool
    what: str  # what the server did, and what it means
    fix: str


def recorded_handshake(origin: str, host: str, status: int, error: str, close: Close | None) -> RecordedHandshake:
    """`status` 0 with `error`: DevTools' HAR, where the status is in Chromium's words only; `close`: the
    server closed the socket within QUICK_CLOSE seconds of its 101 (a flow file shows it)."""
    unexpected = UNEXPECTED_STATUS.search(error)
    if status <= 0 and unexpected:
        status = int(unexpected[1])
    if status == 101 and close is None:
        return RecordedHandshake(True, "accepted by the server (101)", "")
    if status <= 0:
        return RecordedHandshake(False, f"failed ({error or 'no answer in the file'}): not an origin check", "")
    fix = (
        f"allow {origin} in the server's WebSocket origin check, or through the proxy a rule for {host} "
        "with websocket_origin: rewrite (below)"
    )
    return RecordedHandshake(False, f"{_refusal(status, close)}: {NOT_CORS}", fix)
