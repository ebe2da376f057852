"""What a recorded call without response headers allows the offline doctor to say (pure): its preflight's
verdict where the file has it, that it needed one the file does not hold, or that Local Network Access may
have stopped it."""

from __future__ import annotations

from addon.doctor.file_report import CORS_FAILURE, Judged
from addon.doctor.local_network import candidate
from addon.doctor.recorded import Recorded


def unanswered(call: Recorded, judged: Judged) -> str:
    """What a call without response headers allows one to say: its preflight's verdict, where the file has it,
    or that it needed one the file does not hold."""
    preflight = judged.preflight
    error = f" ({call.error})" if call.error else ""
    if preflight is not None and preflight.blocked:
        return (
            f"  not sent (status {call.status}{error}): its preflight was refused, so the browser stopped "
            "there; fix the preflight"
        )
    if preflight is not None and preflight.depends_on_credentials:
        return (
            f"  the file has no response headers for it (status {call.status}{error}): its preflight "
            "is refused with credentials: 'include', which is likely why the browser stopped there"
        )
    if preflight is not None:
        return (
            f"  the file has no response headers for it (status {call.status}{error}) although its preflight "
            "passes: the browser blocked it for a reason this file does not show"
        )
    if judged.needs_preflight:
        return (
            f"  the file has no response headers for it (status {call.status}{error}): this {call.method} needed "
            f"a preflight ({judged.needs_preflight}), and the file holds none (Playwright does not record "
            "preflights). Record with DevTools' 'Save all as HAR', or through the proxy (mitmdump -w), to see why."
        )
    if call.error == CORS_FAILURE:
        return (
            f"  blocked by the browser (status {call.status}{error}), and the file has no response headers for it: "
            "which check failed cannot be told from it. Record with DevTools' 'Save all as HAR', or through the "
            "proxy (mitmdump -w), to see why."
        )
    if call.error:
        return f"  no answer (status {call.status}{error}): the request failed on the network; not a CORS block"
    return (
        f"  the file has no response headers for it (status {call.status}{error}): the browser did not "
        "hand them over, which happens when it blocks a call. Why cannot be told from this file: record "
        "with DevTools' 'Save all as HAR', or through the proxy (mitmdump -w), to see them."
    )


def local_network_candidate(call: Recorded, judged: Judged) -> str | None:
    """Local Network Access stops a call before its preflight: a call whose preflight was answered went out."""
    if judged.preflight is not None or call.status > 0:
        return None
    return candidate(judged.request.origin, judged.request.url)
