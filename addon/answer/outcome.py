"""What the shell applies and shows for one flow: the Outcome (plain, frozen data)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, Literal

from addon.doctor import report
from addon.doctor.decision_line import decision_line
from addon.doctor.session_summary import SummaryEntry

Level = Literal["debug", "info", "warning"]
ServerResponse = tuple[int, tuple[tuple[str, str], ...]]  # status, header fields


class Mode(str, Enum):
    FIX = "fix"  # answer preflights and rewrite responses per rules.yaml
    AUDIT = "audit"  # change nothing, explain every cross-origin call
    OFF = "off"  # do nothing


@dataclass(frozen=True, kw_only=True)
class Outcome:
    facts: report.Facts | None  # what every text below is made of; None: not a CORS exchange, not shown
    status: int  # the status the browser gets
    remove: tuple[str, ...] = ()  # lowercase names of the server's fields to drop
    add: tuple[tuple[str, str], ...] = ()  # fields to append (the whole response when the proxy answers)
    empty_body: bool = False  # the status was repaired into one that has no body
    headers_set: tuple[tuple[str, str], ...] = ()  # the CORS headers the addon wrote (without Vary)
    level: Level = "debug"
    summary: str = ""
    line: str = ""  # the one-line log form
    long_line: str = ""  # the log line with every verdict in full (cors_verbose)
    comment: str = ""
    mark: str = ""
    summary_entry: SummaryEntry = ()

    def metadata(self, server_response: ServerResponse | None) -> dict[str, object]:
        """flow.metadata["cors"] for a flow whose server sent `server_response` (None: not asked): plain data,
        a new dict each call, nothing in it shared with another flow's."""
        if self.facts is None:
            return {}
        template = self._metadata_without_server_response
        metadata = dict(template)
        for flat in ("headers_set", "server_verdict", "browser_verdict"):  # dicts of str, bool and None
            if template[flat] is not None:
                metadata[flat] = dict(template[flat])
        if self.facts.cookies is not None:  # nested lists: built again
            metadata["cookies"] = self.facts.cookies.as_dict()
        if server_response is not None:
            status, fields = server_response
            metadata["server_response"] = {"status": status, "headers": [list(field) for field in fields]}
        return metadata

    @cached_property
    def _metadata_without_server_response(self) -> dict[str, Any]:
        """Worked out once per Outcome (the memo hands one Outcome to many flows), copied for each."""
        assert self.facts is not None
        return report.metadata(self.facts, self.summary, self.headers_set, None)


def shown_outcome(
    facts: report.Facts,
    *,
    remove: tuple[str, ...] = (),
    add: tuple[tuple[str, str], ...] = (),
    empty_body: bool = False,
    headers_set: tuple[tuple[str, str], ...] = (),
) -> Outcome:
    """The Outcome of a CORS exchange: what is sent, with every text about it rendered from `facts`."""
    summary = report.summary(facts)
    return Outcome(
        facts=facts,
        status=facts.status,
        remove=remove,
        add=add,
        empty_body=empty_body,
        headers_set=headers_set,
        level=facts.level,
        summary=summary,
        line=decision_line(facts),
        long_line=report.log_line(facts, summary),
        comment=f"CORS: {summary}",
        mark=facts.mark,
        summary_entry=report.summary_entry(facts),
    )
