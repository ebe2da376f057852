"""What `cors-addon probe` prints (pure): each step with the browser's verdict in Chromium's and Firefox's
words, the cache facts, the fix on the server and the rule that unblocks it through the proxy; and the
same as JSON (field names documented in README.md, "Is my server's CORS right?")."""

from __future__ import annotations

from addon.core.rule import CHROMIUM_MAX_AGE
from addon.probe.probe import Probe, Step


def lines(result: Probe) -> list[str]:
    call = result.call
    head = f"{call.method} {call.url} from {call.origin}, credentials {' and '.join(result.modes)}"
    verdict_line = "allowed" if result.allowed else "blocked"
    out = [f"probe: {head}: {verdict_line}"]
    if not result.why_preflight:
        out.append("  no preflight: a GET, HEAD or POST with safelisted headers only")
    for step in result.steps:
        out += _step_lines(step, result.why_preflight)
    if len(result.steps) == 1 and result.why_preflight:
        out.append("  the call itself is not sent: the browser stops at the failed preflight")
    if not result.allowed:
        out.append(f"  through the proxy, this rule in rules.yaml unblocks it: {result.rule()}")
    return out


def _step_lines(step: Step, why: str) -> list[str]:
    what = f"preflight OPTIONS ({why})" if step.kind == "preflight" else f"call {step.method}"
    out = [f"  {what}: {step.answer.status}"]
    for mode, found in step.verdicts:
        label = f"{mode}: " if len(step.verdicts) > 1 else ""
        if found.blocked:
            out += [f"    {label}blocked: {found.chromium}", f"      Firefox: {found.firefox}"]
            out.append(f"      fix on the server: {found.fix}")
        else:
            out.append(f"    {label}passes")
    if not any(found.blocked for _, found in step.verdicts):
        out += [f"    cache: {fact}" for fact in cache_facts(step)]
    return out


def cache_facts(step: Step) -> list[str]:
    headers = {name.lower(): value for name, value in step.answer.headers}
    if step.kind == "preflight":
        max_age = headers.get("access-control-max-age")
        if max_age is None:
            return ["no Access-Control-Max-Age: the browser keeps this answer 5 s"]
        seconds = int(max_age) if max_age.strip().isdigit() else None
        if seconds is None:
            return [f"Access-Control-Max-Age {max_age!r} is not a number: the browser keeps this answer 5 s"]
        capped = f" (Chromium keeps it {CHROMIUM_MAX_AGE} s at most)" if seconds > CHROMIUM_MAX_AGE else ""
        return [f"Access-Control-Max-Age {seconds}: the browser keeps this answer {seconds} s{capped}"]
    allow_origin = headers.get("access-control-allow-origin")
    vary = {
        v.strip().lower() for name, value in step.answer.headers if name.lower() == "vary" for v in value.split(",")
    }
    if allow_origin and allow_origin.strip() != "*" and "origin" not in vary and "*" not in vary:
        return [
            f"Access-Control-Allow-Origin {allow_origin} without Vary: Origin: a shared cache may hand this answer "
            "to another origin's page; send Vary: Origin"
        ]
    return []


def as_json(result: Probe) -> dict[str, object]:
    return {
        "url": result.call.url,
        "origin": result.call.origin,
        "method": result.call.method,
        "credentials": list(result.modes),
        "allowed": result.allowed,
        "preflight": result.why_preflight,
        "steps": [
            {
                "kind": step.kind,
                "method": step.method,
                "sent": [list(field) for field in step.fields],
                "status": step.answer.status,
                "headers": [list(field) for field in step.answer.headers],
                "verdicts": {mode: found.as_dict() for mode, found in step.verdicts},
                "cache": cache_facts(step),
            }
            for step in result.steps
        ],
        "rule": "" if result.allowed else result.rule(),
    }
