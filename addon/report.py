"""How a decision is shown: the log line, the flow comment, the mark, flow.metadata."""
from __future__ import annotations

from .policy import CorsRequest, Decision

MARKS = {
    "answered": ":white_check_mark:",
    "forwarded": ":white_check_mark:",
    "allowed": ":white_check_mark:",
    "refused": ":no_entry:",
    "untouched": ":heavy_minus_sign:",
}


def summary(decision: Decision, status: int | None = None) -> str:
    """`answered 204 by rule 'api' (methods PUT; headers -)`: the part after the request."""
    by = f" by rule '{decision.rule}'" if decision.rule else ""
    if decision.outcome == "answered":
        text = f"answered 204{by}"
    elif decision.outcome == "forwarded":
        text = f"forwarded{by}, server's reply repaired"
        if status is not None and not 200 <= status < 300:
            text += f" (its {status} turned into 204)"
    elif decision.outcome == "allowed":
        text = f"allowed{by}"
    elif decision.outcome == "refused":
        text = f"refused{by}: {decision.reason}; passed on untouched, the browser will block it"
    else:
        text = f"untouched: {decision.reason}"
    details = [str(status)] if decision.outcome == "allowed" and status is not None else []
    if decision.detail and decision.outcome != "refused":
        details.append(decision.detail)
    if details:
        text += f" ({'; '.join(details)})"
    if decision.reason and decision.outcome in ("allowed", "answered", "forwarded"):
        text += f"; note: {decision.reason}"
    return text


def log_line(request: CorsRequest, decision: Decision, status: int | None = None) -> str:
    what = f"preflight {request.request_method}" if decision.kind == "preflight" else request.method
    return f"CORS {what} {request.url} from {decision.origin[:200]}: {summary(decision, status)}"


def comment_with(existing: str, decision: Decision, status: int | None = None) -> str:
    line = f"CORS: {summary(decision, status)}"
    return f"{existing}\n{line}" if existing else line


def metadata(request: CorsRequest, decision: Decision, headers_set: list[tuple[str, str]],
             status: int | None = None) -> dict:
    return {
        "kind": decision.kind,
        "outcome": decision.outcome,
        "rule": decision.rule,
        "origin": decision.origin,
        "reason": decision.reason,
        "summary": summary(decision, status),
        "requested_method": request.request_method,
        "requested_headers": request.request_headers,
        "headers_set": {name: value for name, value in headers_set},
    }
