"""The offline doctor: `cors-addon explain FILE` for a HAR (DevTools' "Save all as HAR", Playwright's
recorder) or a mitmproxy flow file (`mitmdump -w`). For each cross-origin call: what the browser
decided and why, in Chromium's and Firefox's words, and one rules.yaml snippet that would unblock
the blocked ones. Where the file lacks what a verdict needs, it says so; it never invents one."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from addon.core.patterns import DEFAULT_PORTS, format_host, parse_origin, serialize_origin
from addon.core.request import CorsRequest, read_request
from addon.doctor.cookies import examine
from addon.doctor.exchange import Judgement
from addon.doctor.file_report import FileSummary, Judged, needs_preflight
from addon.doctor.judge import credentials_modes, judge
from addon.doctor.recorded import Fields, Recorded
from addon.doctor.report import BLOCKED_MARK, DEPENDS_MARK
from addon.doctor.stack import permanent_fix
from addon.doctor.suggest import Observed, observed_call, suggest_rules
from addon.doctor.unanswered import local_network_candidate, unanswered
from addon.doctor.websocket import recorded_handshake

PreflightKey = tuple[str, str, str]  # method asked for, URL, origin
KEPT_PREFLIGHTS = 10_000  # a call finds its preflight among the last this many preflights of the file


def _header(fields: Fields, name: str) -> str | None:
    return next((v for k, v in fields if k.lower() == name), None)


def _url_origin(url: str) -> str:
    parts = urlsplit(url)
    return serialize_origin(parts.scheme, parts.hostname or "", parts.port or DEFAULT_PORTS.get(parts.scheme, 0))


def cors_request(call: Recorded) -> tuple[CorsRequest, str] | None:
    """The call as the core sees it (the live shell's reader) and a note on where its origin came from;
    None when not cross-origin."""
    fields = [  # a handshake's Upgrade left out: the core's reader gives no request for it (not CORS)
        (name.encode("utf-8", "surrogateescape"), value.encode("utf-8", "surrogateescape"))
        for name, value in call.request_headers
        if not (call.is_handshake and name.lower() == "upgrade")
    ]
    note = ""
    if _header(call.request_headers, "origin") is None:  # Playwright's recorder keeps no Origin: the Referer has it
        referer = _header(call.request_headers, "referer")
        if not referer or parse_origin(_url_origin(referer)) is None:
            return None
        fields.append((b"origin", _url_origin(referer).encode()))
        note = " (the file has no Origin header: taken from the Referer)"
    parts = urlsplit(http_url(call.url))
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = read_request(
        call.method, parts.scheme, parts.hostname or "", port, path, fields, (_url_origin(http_url(call.url)),)
    )
    if request is None or not request.cross_origin:
        return None
    return request, note


def http_url(url: str) -> str:
    """A ws:// or wss:// URL as the http:// or https:// one its handshake is sent to."""
    scheme, sep, rest = url.partition("://")
    return {"ws": "http", "wss": "https"}.get(scheme, scheme) + sep + rest


def _websocket_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    return {"http": "ws", "https": "wss"}.get(scheme, scheme) + sep + rest


def _answered(call: Recorded) -> bool:
    """Whether the file has the response a verdict needs."""
    return call.status > 0 and bool(call.response_headers)


def preflight_verdicts(calls: Iterable[Recorded]) -> OrderedDict[PreflightKey, Judgement]:
    """The verdict on each answered preflight of the file, the latest KEPT_PREFLIGHTS of them (DevTools' export
    keeps preflights as entries of their own, not always before their call: the whole file is read first)."""
    found: OrderedDict[PreflightKey, Judgement] = OrderedDict()
    for call in calls:
        remember_preflight(found, call, KEPT_PREFLIGHTS)
    return found


def remember_preflight(found: OrderedDict[PreflightKey, Judgement], call: Recorded, kept: int) -> None:
    """Add the call's verdict to `found` when it is an answered preflight, keeping the latest `kept`."""
    if call.method != "OPTIONS" or not _answered(call):
        return
    read = cors_request(call)
    if read is None or not read[0].is_preflight or not read[0].request_method:
        return
    request = read[0]
    key = (request.request_method or "", call.url, request.origin)
    found[key] = judge(request, call.status, call.response_headers)
    found.move_to_end(key)
    if len(found) > kept:
        found.popitem(last=False)


def judged_calls(
    calls: Iterable[Recorded], preflights: OrderedDict[PreflightKey, Judgement]
) -> Iterator[tuple[Recorded, Judged]]:
    """Each cross-origin call once, with its verdicts where the file has its response, and its preflight's."""
    for call in calls:
        read = cors_request(call)
        if read is None:
            continue
        request, note = read
        handshake = None
        if call.is_handshake:
            host = format_host(request.host, request.scheme, request.port)
            handshake = recorded_handshake(request.origin, host, call.status, call.error, call.websocket_close)
        judgement = judge(request, call.status, call.response_headers) if _answered(call) and not handshake else None
        preflight = None if judgement else preflights.get((request.method, call.url, request.origin))
        yield (
            call,
            Judged(
                method=call.method,
                url=call.url,
                status=call.status,
                error=call.error,
                request=request,
                note=note,
                judgement=judgement,
                preflight=preflight,
                needs_preflight=""
                if request.is_preflight or handshake
                else needs_preflight(call.method, call.request_headers),
                handshake=handshake,
            ),
        )


def judge_calls(calls: Sequence[Recorded]) -> list[tuple[Recorded, Judged]]:
    return list(judged_calls(calls, preflight_verdicts(calls)))


class FileReport:
    """What one pass over a file's calls gathers beside their details: the summary and the calls to unblock."""

    def __init__(self) -> None:
        self.summary = FileSummary()
        self.blocked: dict[Observed, None] = {}  # one per kind of call: as many as the rules they make

    def add(self, judged: Judged) -> None:
        self.summary.add(judged)
        if judged.judgement is not None and judged.judgement.blocking is not None:
            self.blocked[observed_call(judged.request)] = None
        elif judged.handshake is not None and judged.handshake.fix:
            self.blocked[replace(observed_call(judged.request), websocket=True)] = None

    def suggestion_lines(self) -> list[str]:
        if not self.blocked:
            return []
        rules = suggest_rules(list(self.blocked)).splitlines()
        return ["", "A rules.yaml that would unblock the blocked calls:", *rules]


def detail_lines(calls: Iterable[tuple[Recorded, Judged]], report: FileReport, blocked_only: bool) -> Iterator[str]:
    """Each call's details (only those not passing, with `blocked_only`), adding every call to `report`."""
    for call, judged in calls:
        report.add(judged)
        if blocked_only and judged.outcome == "passes":
            continue
        yield ""
        yield from _details(call, judged)


def saved_call_line(
    call: Recorded, preflights: OrderedDict[PreflightKey, Judgement] | None = None
) -> tuple[str, str] | None:
    """`mitmdump -nr FILE` in audit mode: the log line and mark for a saved cross-origin call without
    response headers, told by its preflight's verdict in `preflights` where the file had one; None for
    other calls."""
    judged = next(judged_calls([call], preflights or OrderedDict()), None)
    if judged is None or judged[1].judgement is not None or judged[1].handshake is not None:
        return None
    request, found = judged[1].request, judged[1]
    line = f"CORS {request.method} {request.url} from {request.origin}{found.note}: {unanswered(call, found).strip()}"
    return line, DEPENDS_MARK if found.outcome == "blocked with credentials" else BLOCKED_MARK


def explain_file(calls: Sequence[Recorded], blocked_only: bool = False) -> Iterator[str]:
    """The summary, then each call, then a rules.yaml (the CLI does the same in passes over a file)."""
    report = FileReport()
    details = list(detail_lines(judge_calls(calls), report, blocked_only))
    if report.summary.calls:
        yield from [*report.summary.lines(), *details, *report.suggestion_lines()]


def _details(call: Recorded, judged: Judged) -> Iterator[str]:
    request, judgement = judged.request, judged.judgement
    if judged.handshake is not None:
        yield f"WebSocket {_websocket_url(call.url)} from {request.origin}{judged.note}"
        yield f"  {judged.handshake.what}"
        if judged.handshake.fix:
            yield f"  fix: {judged.handshake.fix}"
        return
    what = f"preflight for {request.request_method}" if request.is_preflight else request.method
    yield f"{what} {request.url} from {request.origin}{judged.note}"
    if judgement is None:
        yield unanswered(call, judged)
        maybe_local = local_network_candidate(call, judged)
        if maybe_local:
            yield f"  {maybe_local}"
        return
    sides = dict(judgement.sides)
    yield f"  answered {call.status}" + (f" ({call.error})" if call.error else "")
    for mode, result in sides.items():
        label = "" if len(sides) == 1 else "without credentials: " if mode == "omit" else "credentials 'include': "
        if result.blocked:
            yield f"  {label}blocked: {result.chromium}"
            yield f"    Firefox: {result.firefox}"
            yield f"    fix on the server: {result.fix}"
        else:
            yield f"  {label}passes"
    if credentials_modes(request) != ("include",):
        yield "  (the file does not show the credentials mode: both are judged)"
    fix = permanent_fix(call.response_headers) if judgement.blocking is not None else None
    if fix:
        yield f"  {fix}"
    cookies, _ = examine(request, call.response_headers, rewrite=False)
    for cookie in cookies.dropped if cookies else ():
        yield f"  cookie {cookie.name}: the browser drops it ({cookie.reason}: {cookie.words}); fix: {cookie.fix}"
