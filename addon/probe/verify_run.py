"""`cors-addon verify` over a whole rules file: the plan (every case and the most requests it may send,
known before anything is sent), then each rule's cases run, a rule at a time."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from addon.core.paths import example_path
from addon.core.rule import Rule
from addon.core.ruleset import RuleSet
from addon.probe.cases import Case, cases, target
from addon.probe.client import CannotAsk
from addon.probe.plan import why_preflight
from addon.probe.probe import Send
from addon.probe.verify import CaseResult, run_case


@dataclass(frozen=True)
class RulePlan:
    rule: Rule
    rule_url: str  # the cases' URL on the rule's own host (what the rule is asked about)
    server_url: str  # where they are sent ("" when the rule names no single server and no --against is given)
    cases: tuple[Case, ...]
    notes: tuple[str, ...]

    @property
    def most_requests(self) -> int:
        return sum(2 if case.call is not None and why_preflight(case.call) else 1 for case in self.cases)


@dataclass(frozen=True)
class RuleReport:
    plan: RulePlan
    results: tuple[CaseResult, ...]
    cannot_ask: str = ""  # why the server could not be asked; then `results` holds what ran before

    @property
    def requests(self) -> int:
        return sum(result.requests for result in self.results)

    def differences(self, *kinds: str) -> list[tuple[Case, str, str]]:
        return [
            (result.case, found.kind, found.text)
            for result in self.results
            for found in result.differences
            if not kinds or found.kind in kinds
        ]

    @property
    def retirable(self) -> bool:
        return not self.cannot_ask and not self.differences() and bool(self.results)


def plan(rules: RuleSet, against: str = "", only: str = "") -> list[RulePlan]:
    """One RulePlan per rule (only the rule named `only`, when given); ValueError for a name no rule has."""
    chosen = [rule for rule in rules.rules if not only or rule.name == only]
    if only and not chosen:
        names = ", ".join(rule.name for rule in rules.rules) or "none"
        raise ValueError(f"no rule named {only!r} in {rules.source} (its rules: {names})")
    plans = []
    for rule in chosen:
        base, names_a_server = target(rule)
        path = example_path(rule.paths[0]) if rule.paths else "/"
        found, notes = cases(rule, rules, base, path)
        if against:
            server_url = _against(against, path)
        else:
            server_url = base + path if names_a_server else ""
        if rule.filter_text:
            notes.append(f"filter {rule.filter_text!r}: verify takes it to match every case")
        plans.append(RulePlan(rule, base + path, server_url, tuple(found), tuple(notes)))
    return plans


def _against(against: str, path: str) -> str:
    """--against's scheme, host and port with the rule's path, or --against whole when it has a path."""
    parts = urlsplit(against)
    if parts.path not in ("", "/") or parts.query:
        return against
    return f"{parts.scheme}://{parts.netloc}{path}"


def run(rules: RuleSet, plans: list[RulePlan], send: Send) -> list[RuleReport]:
    """Each plan's cases in order; a rule whose server cannot be asked stops there (the next rule is tried)."""
    reports = []
    for each in plans:
        if not each.server_url:
            host = each.rule_url.split("://", 1)[1].split("/", 1)[0]
            why = f"rule '{each.rule.name}' covers more than one server (as {host}): give --against URL"
            reports.append(RuleReport(each, (), why))
            continue
        results: list[CaseResult] = []
        try:
            for case in each.cases:
                results.append(run_case(case, rules, each.rule_url, each.server_url, send))
        except CannotAsk as e:
            reports.append(RuleReport(each, tuple(results), str(e)))
            continue
        reports.append(RuleReport(each, tuple(results)))
    return reports
