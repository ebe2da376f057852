"""cors.explain: the step-by-step check for one flow, as text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from addon.doctor.verdict import Exchange, Verdict, verdict

IF_INCLUDED = "if the page sends credentials: 'include'"


def explain(
    server: Exchange,
    final: Exchange | None,
    decision_summary: str | None,
    answered_by_proxy: bool = False,
    credentials_known: bool = True,
    cookies: Sequence[str] = (),
    permanent_fix: str | None = None,
) -> list[str]:
    """`server`: what the server sent (or the proxy, when it answered a preflight itself);
    `final`: what the browser got, when the addon changed the server's response.
    `credentials_known` False: the exchanges are judged without credentials, and again with them.
    `permanent_fix`: the export that fits the server's stack, said when the server alone is blocked."""
    what = f"preflight for {server.request_method}" if server.is_preflight else server.method
    lines = [f"{what} {server.url} from {server.origin}"]
    cors = [f"{k}: {v}" for k, v in server.response_headers if k.lower().startswith("access-control-")]
    who = "the proxy answered (the server was not asked)" if answered_by_proxy else "server answered"
    lines.append(
        f"  {who} {server.status}" + (f" with {'; '.join(cors)}" if cors else " without Access-Control-* headers")
    )
    on_server = verdict(server, explain=True)
    server_blocks = on_server.blocked
    lines += [f"  {i}. {step}" for i, step in enumerate(on_server.steps[1:], start=1)]
    if on_server.blocked:
        lines += _blocked_lines(on_server, "  ")
    else:
        lines.append(f"  {'this' if answered_by_proxy else 'the server alone'} passes the browser's checks")
    if not credentials_known:
        included = verdict(replace(server, credentials=True))
        lines.append(
            f"  {IF_INCLUDED} (the proxy cannot see whether it does): "
            + ("passes too" if not included.blocked else "blocked")
        )
        if included.blocked:
            lines += _blocked_lines(included, "    ")
            server_blocks = True
    if permanent_fix and server_blocks and not answered_by_proxy:
        lines.append(f"  {permanent_fix}")
    lines += [f"  {line}" for line in cookies]
    if decision_summary:
        lines.append(f"  addon: {decision_summary}")
    if final is not None:
        after = verdict(final)
        lines.append("  as the browser gets it: " + (f"blocked - {after.chromium}" if after.blocked else "passes"))
        if not credentials_known:
            after = verdict(replace(final, credentials=True))
            lines.append(
                f"  as the browser gets it {IF_INCLUDED}: "
                + (f"blocked - {after.chromium} (Firefox: {after.firefox})" if after.blocked else "passes")
            )
    return lines


def _blocked_lines(result: Verdict, indent: str) -> list[str]:
    return [
        f"{indent}Chromium: {result.chromium}",
        f"{indent}Firefox: {result.firefox}",
        f"{indent}fix on the server: {result.fix}",
    ]
