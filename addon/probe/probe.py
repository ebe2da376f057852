"""`cors-addon probe`: the browser's verdict on one fetch() without a browser. The plan says what the
browser sends; each answer is judged by the same verdict engine as the addon's (doctor/verdict.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from addon.core.patterns import DEFAULT_PORTS, serialize_origin
from addon.core.request import CorsRequest, read_request
from addon.doctor.exchange import Verdict
from addon.doctor.judge import exchange_of
from addon.doctor.suggest import inline_rule, observed_call
from addon.doctor.verdict import verdict
from addon.probe.client import Answer
from addon.probe.plan import Credentials, FetchCall, call_fields, preflight_fields, why_preflight

Send = Callable[[str, str, list[tuple[str, str]]], Answer]  # method, URL, header fields -> the answer


@dataclass(frozen=True)
class Step:
    kind: str  # "preflight" or "call"
    method: str
    fields: tuple[tuple[str, str], ...]
    answer: Answer
    request: CorsRequest
    verdicts: tuple[tuple[Credentials, Verdict], ...]


@dataclass(frozen=True)
class Probe:
    call: FetchCall
    modes: tuple[Credentials, ...]
    why_preflight: str  # "" when the call needs none
    steps: tuple[Step, ...]

    def blocked(self, mode: Credentials) -> Verdict | None:
        """The verdict that stops the call in this mode, None when it passes."""
        for step in self.steps:
            found = dict(step.verdicts).get(mode)
            if found is not None and found.blocked:
                return found
        return None

    @property
    def allowed(self) -> bool:
        return all(self.blocked(mode) is None for mode in self.modes)

    def rule(self) -> str:
        """A rules.yaml rule that would unblock the call through the proxy."""
        request = self.steps[0].request
        observed = observed_call(request)
        return inline_rule(replace(observed, credentials="include" in self.modes))


def probe(call: FetchCall, modes: tuple[Credentials, ...], send: Send) -> Probe:
    """Send what the browser sends, step by step: the preflight when one is needed, then the call when the
    preflight passes in at least one of `modes`."""
    why = why_preflight(call)
    steps: list[Step] = []
    if why:
        steps.append(_step("preflight", "OPTIONS", call, preflight_fields(call), modes, send))
        modes_left = tuple(mode for mode, v in steps[0].verdicts if not v.blocked)
    else:
        modes_left = modes
    if modes_left:
        steps.append(_step("call", call.method, call, call_fields(call), modes_left, send))
    return Probe(call, modes, why, tuple(steps))


def _step(
    kind: str, method: str, call: FetchCall, fields: list[tuple[str, str]], modes: tuple[Credentials, ...], send: Send
) -> Step:
    answer = send(method, call.url, fields)
    request = as_request(method, call.url, fields)
    verdicts = tuple(
        (mode, verdict(exchange_of(request, answer.status, answer.headers, mode == "include"))) for mode in modes
    )
    return Step(kind, method, tuple(fields), answer, request, verdicts)


def as_request(method: str, url: str, fields: list[tuple[str, str]]) -> CorsRequest:
    parts = urlsplit(url)
    scheme, host = parts.scheme, parts.hostname or ""
    port = parts.port or DEFAULT_PORTS.get(scheme, 0)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    raw = [(n.encode(), v.encode("utf-8", "surrogateescape")) for n, v in fields]
    request = read_request(method, scheme, host, port, path, raw, (serialize_origin(scheme, host, port),))
    assert request is not None  # no Upgrade field is ever sent
    return request
