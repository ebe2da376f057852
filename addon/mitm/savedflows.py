"""Flows read from a file (`mitmdump -nr FILE`, audit mode) that have no response headers: a HAR's
blocked calls. They are said as `cors-addon explain` says them, told by their preflight where the file
had one, and marked; nothing is changed."""

from __future__ import annotations

import logging
from collections import deque

from mitmproxy import http

from addon.doctor.offline import saved_call_line
from addon.doctor.recorded import Recorded
from addon.mitm.flowfile import recorded_flow

logger = logging.getLogger("addon.mitm.addon")


class SavedFlows:
    def __init__(self) -> None:
        self.preflights: deque[Recorded] = deque(maxlen=100)  # the latest saved preflights, to tell calls by

    def explain(self, f: http.HTTPFlow) -> bool:
        """Whether the flow was one of these, logged and marked here."""
        call = recorded_flow(f)
        if call.method == "OPTIONS":
            self.preflights.append(call)
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
