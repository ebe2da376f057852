"""WebSocket handshakes to covered hosts, in the shell (a sub-addon of CorsAddon): the Origin rewritten
where the rule says websocket_origin: rewrite, and the server's answer logged, marked and commented."""

from __future__ import annotations

import logging
import time
import weakref
from dataclasses import replace
from typing import Any

from mitmproxy import http

from addon.answer.outcome import Mode
from addon.core.websocket import Handshake, decide_handshake
from addon.doctor.websocket import QUICK_CLOSE, REFUSED_MARK, HandshakeOutcome, handshake_outcome
from addon.mitm import flows

logger = logging.getLogger(__name__)
LEVELS = {"info": logging.INFO, "warning": logging.WARNING}


def is_handshake(f: http.HTTPFlow) -> bool:
    return f.request.headers.get("upgrade", "").lower() == "websocket"


class WebSocketHandshakes:
    def __init__(self, owner: Any) -> None:
        self.owner = owner  # the CorsAddon: its rules in force and its mode
        # Per flow, from `request` on: the handshake decided, and when its 101 came (None before).
        self.handshakes: weakref.WeakKeyDictionary[http.HTTPFlow, tuple[Handshake, float | None]] = (
            weakref.WeakKeyDictionary()
        )

    def request(self, f: http.HTTPFlow) -> None:
        rules, mode = self.owner.rules, self.owner.mode
        if rules is None or mode is Mode.OFF or not f.live or f.response or not is_handshake(f):
            return
        request = f.request
        handshake = decide_handshake(
            rules,
            request.scheme,
            request.host,
            request.port,
            request.path,
            request.headers.get("origin"),
            flows.own_origins(f),
            lambda rule: flows.passes_filter(rule, f),
        )
        if handshake is None:
            return
        if handshake.rewrite and mode is Mode.FIX:
            request.headers["Origin"] = handshake.server_origin
        elif handshake.rewrite:  # audit: nothing changes
            handshake = replace(handshake, rewrite=False)
        self.handshakes[f] = (handshake, None)

    def response(self, f: http.HTTPFlow) -> None:
        entry = self.handshakes.get(f)
        if entry is None or f.response is None:
            return
        status = f.response.status_code
        self.handshakes[f] = (entry[0], time.monotonic() if status == 101 else None)
        self._show(f, entry[0], handshake_outcome(entry[0], status), status)

    def websocket_end(self, f: http.HTTPFlow) -> None:
        handshake, opened = self.handshakes.pop(f, (None, None))
        if handshake is None or opened is None or f.websocket is None:
            return
        if f.websocket.closed_by_client or time.monotonic() - opened > QUICK_CLOSE:
            return
        close = (f.websocket.close_code, f.websocket.close_reason or "")
        self._show(f, handshake, handshake_outcome(handshake, 101, close), 101)

    def _show(self, f: http.HTTPFlow, handshake: Handshake, outcome: HandshakeOutcome, status: int) -> None:
        logger.log(LEVELS[outcome.level], outcome.line)
        f.comment = outcome.comment
        f.marked = outcome.mark
        shown = {"rule": handshake.rule, "origin": handshake.origin, "sent_origin": handshake.sent_origin}
        f.metadata["cors"] = {
            "websocket_handshake": {**shown, "status": status, "refused": outcome.mark == REFUSED_MARK},
            "log_line": outcome.line,
            "explanation": outcome.comment,  # what cors.explain says about this flow
        }
