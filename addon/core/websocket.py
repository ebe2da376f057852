"""A WebSocket handshake to a covered host (pure): CORS does not apply to it (no preflight, no
Access-Control-*), but the server may check its Origin itself. What the rule says: which rule covers it,
and whether the proxy hands the server its own origin instead (websocket_origin: rewrite)."""

from __future__ import annotations

from dataclasses import dataclass

from addon.core.patterns import format_host, serialize_origin
from addon.core.policy import origin_refusal
from addon.core.ruleset import FilterCheck, RuleSet

HTTP_SCHEME = {"http": "ws", "https": "wss"}


@dataclass(frozen=True)
class Handshake:
    url: str  # ws:// or wss://, as the page opened it (through the proxy: the server's URL)
    origin: str  # the page's origin, as the browser sent it
    rule: str
    server_origin: str  # the server's own origin (ws -> http, wss -> https, the host and port it sees)
    refusal: str  # why the rule refuses the page's origin ("" when it allows it)
    rewrite: bool  # the server gets server_origin as Origin

    @property
    def sent_origin(self) -> str:
        return self.server_origin if self.rewrite else self.origin


def decide_handshake(
    rules: RuleSet,
    scheme: str,
    host: str,
    port: int,
    path: str,
    origin: str | None,
    own_origins: tuple[str, ...],
    passes_filter: FilterCheck | None = None,
) -> Handshake | None:
    """None when no rule covers the host and path, or the handshake is not cross-origin."""
    if origin is None or origin in own_origins:
        return None
    rule = rules.index.lookup(host, port, path, passes_filter)
    if rule is None:
        return None
    ws_scheme = HTTP_SCHEME.get(scheme, scheme)
    url = f"{ws_scheme}://{format_host(host, scheme, port)}{path}"
    refusal = origin_refusal(rule, origin)
    rewrite = rule.websocket_origin == "rewrite" and not refusal
    return Handshake(url, origin, rule.name, serialize_origin(scheme, host, port), refusal, rewrite)
