"""What `cors-addon verify` prints (pure): the plan first, then the summary, then each rule: retired, or
each difference with its case; the same as JSON (fields in README.md, "Is my server's CORS right?") and
as JUnit XML (one testcase per rule and case)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from addon.probe.verify_run import RulePlan, RuleReport

MARKS = {"opens more": "⛔", "stricter": "🔶", "cache": "🔶"}


def is_error(kind: str, strict: bool) -> bool:
    return kind == "opens more" or strict


def exit_status(reports: list[RuleReport], strict: bool) -> int:
    if any(report.cannot_ask for report in reports):
        return 2
    return 1 if any(is_error(kind, strict) for r in reports for _, kind, _ in r.differences()) else 0


def plan_line(source: str, plans: list[RulePlan]) -> str:
    cases = sum(len(each.cases) for each in plans)
    most = sum(each.most_requests for each in plans)
    rules = f"{len(plans)} rule{'' if len(plans) == 1 else 's'}"
    return f"cors-addon verify {source}: {rules}, {cases} cases, at most {most} requests, no cookies"


def summary_line(reports: list[RuleReport], strict: bool) -> str:
    retired = sum(report.retirable for report in reports)
    counts = {kind: sum(len(r.differences(kind)) for r in reports) for kind in ("opens more", "stricter", "cache")}
    found = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "no differences"
    unasked = sum(bool(report.cannot_ask) for report in reports)
    tail = f"; {unasked} could not be asked" if unasked else ""
    lenient = counts["stricter"] + counts["cache"]
    if strict and lenient:
        tail += "; with --strict each is an error"
    elif lenient:
        tail += "; stricter and cache are errors only with --strict"
    return f"verify: {retired} of {len(reports)} rules can be retired; {found}{tail}"


def lines(reports: list[RuleReport], strict: bool) -> list[str]:
    out = [summary_line(reports, strict)]
    for report in reports:
        each = report.plan
        head = f"rule '{each.rule.name}' (line {each.rule.line}) at {each.server_url or each.rule_url}"
        if report.cannot_ask:
            out.append(f"{head}: could not ask: {report.cannot_ask}")
        elif report.retirable:
            out.append(
                f"{head}: ✅ the server now does what this rule does ({len(report.results)} cases); it can be retired"
            )
        else:
            out.append(f"{head}: differs from the rule")
        for case, kind, text in report.differences():
            out.append(f"  {MARKS[kind]} {case.name}: {kind}: {text}")
        out += [f"  note: {note}" for note in each.notes]
        out += [
            f"  note: {result.case.name}: decided by rule '{result.decided_by}', not this one"
            for result in report.results
            if result.decided_by not in (None, each.rule.name)
        ]
    return out


def as_json(source: str, reports: list[RuleReport], strict: bool) -> dict[str, Any]:
    return {
        "rules_file": source,
        "strict": strict,
        "exit": exit_status(reports, strict),
        "summary": summary_line(reports, strict),
        "requests_planned": sum(r.plan.most_requests for r in reports),
        "requests_sent": sum(r.requests for r in reports),
        "rules": [_rule_json(report, strict) for report in reports],
    }


def _rule_json(report: RuleReport, strict: bool) -> dict[str, Any]:
    return {
        "name": report.plan.rule.name,
        "line": report.plan.rule.line,
        "url": report.plan.server_url,
        "retirable": report.retirable,
        "could_not_ask": report.cannot_ask or None,
        "notes": list(report.plan.notes),
        "cases": [
            {
                "name": result.case.name,
                "method": result.case.call.method if result.case.call else "GET",
                "origin": result.case.call.origin if result.case.call else None,
                "requests": result.requests,
                "decided_by": result.decided_by,
                "differences": [
                    {"kind": d.kind, "text": d.text, "error": is_error(d.kind, strict)} for d in result.differences
                ],
            }
            for result in report.results
        ],
    }


def junit(reports: list[RuleReport], strict: bool) -> bytes:
    suite = ET.Element("testsuite", name="cors-addon verify")
    failures = errors = 0
    for report in reports:
        classname = f"rule {report.plan.rule.name}"
        if report.cannot_ask:
            errors += 1
            case = ET.SubElement(suite, "testcase", classname=classname, name="could not ask")
            ET.SubElement(case, "error", message=report.cannot_ask)
        for result in report.results:
            case = ET.SubElement(suite, "testcase", classname=classname, name=result.case.name)
            failing = [d for d in result.differences if is_error(d.kind, strict)]
            if failing:
                failures += 1
                body = "\n".join(f"{d.kind}: {d.text}" for d in failing)
                ET.SubElement(case, "failure", message=f"{failing[0].kind}: {failing[0].text}").text = body
            reported = [d for d in result.differences if not is_error(d.kind, strict)]
            if reported:
                ET.SubElement(case, "system-out").text = "\n".join(f"{d.kind}: {d.text}" for d in reported)
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    return bytes(ET.tostring(suite, encoding="utf-8", xml_declaration=True))
