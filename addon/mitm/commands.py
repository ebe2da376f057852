"""The cors.explain and cors.rule commands: flows in, text out."""

from __future__ import annotations

from collections.abc import Sequence

from mitmproxy import flow, http

from addon.core.request import CorsRequest
from addon.doctor.explain import explain
from addon.doctor.judge import credentials_modes, exchange_of
from addon.doctor.stack import permanent_fix
from addon.doctor.suggest import observed_call, suggest_rules
from addon.mitm.flows import read_request


def _cross_origin_request(f: flow.Flow) -> CorsRequest | None:
    if not isinstance(f, http.HTTPFlow):
        return None
    request = read_request(f)
    return request if request is not None and request.cross_origin else None


def explain_flows(flows: Sequence[flow.Flow]) -> str:
    blocks = []
    for f in flows:
        request = _cross_origin_request(f)
        meta = f.metadata.get("cors") or {}
        if "websocket_handshake" in meta:  # a WebSocket handshake: not CORS, explained when it was seen
            blocks.append(str(meta.get("explanation", "")).splitlines())
        if request is None or not isinstance(f, http.HTTPFlow) or f.response is None:
            continue
        response = f.response
        known = credentials_modes(request) == ("include",)
        final = exchange_of(request, response.status_code, list(response.headers.items(multi=True)), known)
        saved = meta.get("server_response")
        server = exchange_of(request, saved["status"], [tuple(h) for h in saved["headers"]], known) if saved else final
        changed = bool(saved and meta.get("headers_set"))
        answered = meta.get("outcome") == "answered" and not meta.get("audit")
        blocks.append(
            explain(
                server,
                final if changed else None,
                meta.get("summary"),
                answered,
                known,
                _cookie_lines(meta.get("cookies")),
                permanent_fix(server.response_headers),
            )
        )
    if not blocks:
        return "No cross-origin flows with a response among these."
    return "\n\n".join("\n".join(block) for block in blocks)


def rule_for_flows(flows: Sequence[flow.Flow]) -> str:
    calls = []
    for f in flows:
        request = _cross_origin_request(f)
        if request is not None and len(request.origins) == 1:
            calls.append(observed_call(request))
    if not calls:
        return "# No cross-origin flows among these."
    return suggest_rules(calls)


def _cookie_lines(cookies: dict | None) -> list[str]:
    if not cookies:
        return []
    site = "cross-site" if cookies["cross_site"] else "same-site"
    lines = [
        f"cookie {d['name']}: the browser drops it ({d['reason']}: {d['why']}); fix: {d['fix']}"
        for d in cookies["dropped"]
    ]
    lines += [f"cookie {name}: rewritten into one the browser keeps" for name in cookies["rewritten"]]
    return [f"{line} ({site}, by {cookies['decided_by']})" for line in lines]
