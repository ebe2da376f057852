"""A mitmproxy flow file (`mitmdump -w`) read into the offline doctor's plain records."""

from __future__ import annotations

from collections.abc import Iterator

from mitmproxy import http, io
from mitmproxy.exceptions import FlowReadException

from addon.doctor.recorded import Recorded, UnreadableFile, har_records
from addon.doctor.websocket import QUICK_CLOSE


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
        _quick_close(flow),
    )


def _quick_close(flow: http.HTTPFlow) -> tuple[int | None, str] | None:
    """The server's close code and reason when it closed the socket right after the handshake."""
    socket, response = flow.websocket, flow.response
    if socket is None or response is None or socket.closed_by_client is not False or socket.timestamp_end is None:
        return None
    if socket.timestamp_end - (response.timestamp_end or response.timestamp_start) > QUICK_CLOSE:
        return None
    return socket.close_code, socket.close_reason or ""


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
