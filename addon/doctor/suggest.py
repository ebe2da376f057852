"""rules.yaml snippets that would unblock observed cross-origin calls (cors.rule)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from addon.core.patterns import format_host
from addon.core.request import CorsRequest, requested_header_names


@dataclass(frozen=True)
class Observed:
    """One cross-origin call as seen by the proxy."""

    scheme: str
    host: str
    port: int
    origin: str
    method: str  # the actual method, or a preflight's requested method
    headers: tuple[str, ...] = ()  # a preflight's requested header names
    credentials: bool = False  # cookies were sent
    websocket: bool = False  # a WebSocket handshake the server refused for its Origin


def host_pattern(observed: Observed) -> str:
    return format_host(observed.host, observed.scheme, observed.port)


def _flow_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def suggest_rules(calls: list[Observed]) -> str:
    """A `rules:` document with one rule per host, allowing exactly what was asked."""
    by_host: dict[str, list[Observed]] = {}
    for call in calls:
        by_host.setdefault(host_pattern(call), []).append(call)
    lines = ["rules:"]
    for host, group in by_host.items():
        origins = list(dict.fromkeys(c.origin for c in group))
        methods = list(dict.fromkeys(c.method for c in group))
        headers = list(dict.fromkeys(h for c in group for h in c.headers))
        lines += [
            f"  - name: {json.dumps(host)}",
            f"    hosts: {_flow_list([host])}",
            f"    allow_origins: {_flow_list(origins)}",
        ]
        lines.append(f"    allow_methods: {_flow_list(methods)}")
        if headers:
            lines.append(f"    allow_headers: {_flow_list(headers)}")
        if any(c.websocket for c in group):
            lines.append(
                "    websocket_origin: rewrite   # the server's own origin check is then off for these origins"
            )
        if any(c.credentials for c in group):
            lines.append("    allow_credentials: true")
        else:
            lines.append(
                "    # allow_credentials: true   # only if the page sends credentials: 'include' (cookies), which the"
                " proxy cannot see; then exactly the origins above can read this API as the user"
            )
    return "\n".join(lines) + "\n"


def inline_rule(call: Observed) -> str:
    """The one-line form used in log lines."""
    credentials = ", allow_credentials: true" if call.credentials else ""
    return f"{{hosts: {_flow_list([host_pattern(call)])}, allow_origins: {_flow_list([call.origin])}{credentials}}}"


def observed_call(request: CorsRequest) -> Observed:
    """The call a request stands for: a preflight stands for the method and headers it asks about."""
    preflight = request.is_preflight
    names = (requested_header_names(request.request_headers) or []) if preflight else []
    method = request.request_method if preflight and request.request_method is not None else request.method
    return Observed(
        request.scheme,
        request.host,
        request.port,
        request.origins[0],
        method,
        tuple(names),
        request.carries_credentials or request.storage_access,
    )
