"""A mitmproxy flow file (`mitmdump -w`) read into the offline doctor's plain records."""

from __future__ import annotations

from collections.abc import Iterator

from mitmproxy import http, io
from mitmproxy.exceptions import FlowReadException

from addon.doctor.recorded import Recorded, UnreadableFile, har_records


def recorded_flow(flow: http.HTTPFlow) -> Recorded:
    """One flow as the offline doctor reads a file's entry."""
    response = flow.response
    return Recorded(
        flow.request.method,
        flow.request.pretty_url,
        list(flow.request.headers.items(multi=True)),
        response.status_code if response else 0,
        list(response.headers.items(multi=True)) if response else [],
        flow.error.msg if flow.error else "",
    )


def read_flows(path: str) -> Iterator[Recorded]:
    try:
        with open(path, "rb") as f:
            for flow in io.FlowReader(f).stream():
                if isinstance(flow, http.HTTPFlow):
                    yield recorded_flow(flow)
    except (FlowReadException, ValueError) as e:
        raise UnreadableFile(f"not a HAR or mitmproxy flow file ({e})") from None


def read_calls(path: str) -> Iterator[Recorded]:
    """The calls of a HAR or a flow file, one at a time, told apart by the first byte. Raises
    UnreadableFile, OSError (while it is read)."""
    with open(path, "rb") as f:
        start = f.read(1).lstrip()
    if start == b"{":
        with open(path, encoding="utf-8", errors="replace") as f:
            yield from har_records(f)
    else:
        yield from read_flows(path)
