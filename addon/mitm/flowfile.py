"""A mitmproxy flow file (`mitmdump -w`) read into the offline doctor's plain records."""

from __future__ import annotations

from mitmproxy import http, io
from mitmproxy.exceptions import FlowReadException

from addon.doctor.offline import Recorded, UnreadableFile, read_har


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


def read_flows(path: str) -> list[Recorded]:
    recorded = []
    try:
        with open(path, "rb") as f:
            for flow in io.FlowReader(f).stream():
                if not isinstance(flow, http.HTTPFlow):
                    continue
                recorded.append(recorded_flow(flow))
    except (FlowReadException, ValueError) as e:
        raise UnreadableFile(f"not a HAR or mitmproxy flow file ({e})") from None
    return recorded


def read_file(path: str) -> list[Recorded]:
    """A HAR or a flow file, told apart by its first byte. Raises UnreadableFile, OSError."""
    with open(path, "rb") as f:
        start = f.read(1).lstrip()
    if start == b"{":
        with open(path, encoding="utf-8", errors="replace") as f:
            return read_har(f.read())
    return read_flows(path)
