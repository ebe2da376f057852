"""cors.explain: the step-by-step check for one flow, as text."""

from __future__ import annotations

from .verdict import Exchange, verdict


def explain(
    server: Exchange, final: Exchange | None, decision_summary: str | None, answered_by_proxy: bool = False
) -> list[str]:
    """`server`: what the server sent (or the proxy, when it answered a preflight itself);
    `final`: what the browser got, when the addon changed the server's response."""
    what = f"preflight for {server.request_method}" if server.is_preflight else server.method
    lines = [f"{what} {server.url} from {server.origin}"]
    cors = [f"{k}: {v}" for k, v in server.response_headers if k.lower().startswith("access-control-")]
    who = "the proxy answered (the server was not asked)" if answered_by_proxy else "server answered"
    lines.append(
        f"  {who} {server.status}" + (f" with {'; '.join(cors)}" if cors else " without Access-Control-* headers")
    )
    on_server = verdict(server, explain=True)
    lines += [f"  {i}. {step}" for i, step in enumerate(on_server.steps[1:], start=1)]
    if on_server.blocked:
        lines += [
            f"  Chromium: {on_server.chromium}",
            f"  Firefox: {on_server.firefox}",
            f"  fix on the server: {on_server.fix}",
        ]
    else:
        lines.append(f"  {'this' if answered_by_proxy else 'the server alone'} passes the browser's checks")
    if decision_summary:
        lines.append(f"  addon: {decision_summary}")
    if final is not None:
        after = verdict(final)
        lines.append("  as the browser gets it: " + (f"blocked - {after.chromium}" if after.blocked else "passes"))
    return lines
