"""Where the per-flow decision lines go."""
from __future__ import annotations

import logging


class DecisionLog:
    """Where the per-flow decision lines go: mitmproxy's outputs (terminal, event log), minus one.

    mitmproxy turns every log record into a deprecated `add_log` hook call on every addon;
    for one line per flow that dispatch cost more throughput than the whole CORS decision
    (bench/README.md). This logger writes to the root logger's handlers except that one,
    and says when no handler wants a level (mitmdump --set termlog_verbosity=warn), so the
    caller need not even build the line.
    """

    def __init__(self) -> None:
        self.logger = logging.getLogger("cors_addon.decisions")
        self.logger.propagate = False
        self._seen: list[logging.Handler] = []

    def wants(self, level: int) -> bool:
        handlers = logging.root.handlers
        if handlers != self._seen:  # handlers come and go (mitmweb's event store, pytest's caplog)
            self._seen = list(handlers)
            self.logger.handlers = [h for h in handlers if type(h).__name__ != "LegacyLogEvents"]
        # Handler levels change at run time (termlog_verbosity), so they are read every time.
        for handler in self.logger.handlers:
            if level >= handler.level:
                return self.logger.isEnabledFor(level)
        return False

    def log(self, level: int, line: str) -> None:
        self.logger.log(level, line)
