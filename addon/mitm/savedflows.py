"""Flows read from a file (`mitmdump -nr FILE`, audit mode) that have no response headers: a HAR's
blocked calls. They are said as `cors-addon explain` says them, told by their preflight where the file
had one, and marked; nothing is changed."""

from __future__ import annotations

import logging
from collections import OrderedDict

from mitmproxy import http

from addon.doctor.exchange import Judgement
from addon.doctor.offline import PreflightKey, remember_preflight, saved_call_line
from addon.mitm.flowfile import recorded_flow

logger = logging.getLogger("addon.mitm.addon")
KEPT = 100  # the verdicts of the latest saved preflights


class SavedFlows:
    def __init__(self) -> None:
        self.preflights: OrderedDict[PreflightKey, Judgement] = OrderedDict()  # to tell unanswered calls by

    def explain(self, f: http.HTTPFlow) -> bool:
        """Whether the flow was one of these, logged and marked here."""
        call = recorded_flow(f)
        remember_preflight(self.preflights, call, KEPT)
        if call.status > 0 and call.response_headers:
            return False
        said = saved_call_line(call, self.preflights)
        if said is None:
            return False
        line, mark = said
        logger.warning(line)
        f.comment = f"{f.comment}\n{line}" if f.comment else line
        f.marked = mark
        return True
