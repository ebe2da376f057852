"""`cors-addon verify`: one case sent to the server and judged beside what the rule answers (pure but for
`send`). The rule's answer is the addon's own (`decide`, `respond`) in front of the server's answer with
its Access-Control-* and Vary removed, so both sides are judged on the same response by the same verdict."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from addon.answer.respond import respond
from addon.core.policy import Action, decide
from addon.core.request import CorsRequest
from addon.core.rule import CHROMIUM_MAX_AGE
from addon.core.ruleset import RuleSet
from addon.doctor.exchange import Credentials, Verdict
from addon.doctor.judge import exchange_of
from addon.doctor.verdict import readable_names, verdict
from addon.probe.cases import Case
from addon.probe.client import Answer
from addon.probe.plan import call_fields, preflight_fields, why_preflight
from addon.probe.probe import Send, as_request

Kind = Literal["opens more", "stricter", "cache"]  # "opens more" is always an error, the others with --strict
MODES: tuple[Credentials, ...] = ("omit", "include")


@dataclass(frozen=True)
class Difference:
    kind: Kind
    text: str


@dataclass(frozen=True)
class Side:
    """One step as one side answered it: the server, or the rule in front of the server."""

    request: CorsRequest
    answer: Answer

    def verdict(self, mode: Credentials) -> Verdict:
        return verdict(exchange_of(self.request, self.answer.status, self.answer.headers, mode == "include"))

    def field(self, name: str) -> str:
        return ", ".join(v.strip() for k, v in self.answer.headers if k.lower() == name)

    def varies_on_origin(self) -> bool:
        return (
            "origin" in {v.strip().lower() for v in self.field("vary").split(",")}
            or self.field("access-control-allow-origin") == "*"
        )


@dataclass(frozen=True)
class CaseResult:
    case: Case
    requests: int
    differences: tuple[Difference, ...]
    decided_by: str | None  # the rule that decides the case; another rule's name means it was not compared


def rule_answer(rules: RuleSet, request: CorsRequest, server: Answer) -> Answer:
    """What the browser gets from the addon with these rules in front of a server that answered `server`."""
    bare = tuple(
        (n, v) for n, v in server.headers if not n.lower().startswith("access-control-") and n.lower() != "vary"
    )
    decision = decide(request, rules, lambda _: True)
    if decision is None:
        return replace(server, headers=bare)
    if decision.action is Action.ANSWER:
        outcome = respond(decision, None)
        return Answer(outcome.status, outcome.add)
    outcome = respond(decision, server.status, bare)
    kept = tuple((n, v) for n, v in bare if n.lower() not in outcome.remove)
    return Answer(outcome.status, kept + outcome.add)


def run_case(case: Case, rules: RuleSet, rule_url: str, server_url: str, send: Send) -> CaseResult:
    """`rule_url`: the case's URL on the rule's own host; `server_url`: where it is sent."""
    if case.call is None:
        return _without_origin(case, rules, rule_url, server_url, send)
    steps = [("OPTIONS", preflight_fields(case.call))] if why_preflight(case.call) else []
    steps.append((case.call.method, call_fields(case.call)))
    blocked: dict[tuple[str, Credentials], Verdict] = {}
    pairs: list[tuple[Side, Side]] = []
    for method, fields in steps:
        if len(blocked) == 2 * len(MODES):
            break  # both sides stop at the preflight in every mode: the browser sends no call
        pairs.append(_ask(rules, method, fields, rule_url, server_url, send))
        for mode in MODES:
            for name, side in zip(("server", "rule"), pairs[-1], strict=True):
                found = side.verdict(mode)
                if found.blocked:
                    blocked.setdefault((name, mode), found)
    decided_by = decide(pairs[0][1].request, rules, lambda _: True)
    differences = _differences(blocked, pairs)
    return CaseResult(case, len(pairs), differences, decided_by.rule if decided_by else None)


def _ask(
    rules: RuleSet, method: str, fields: list[tuple[str, str]], rule_url: str, server_url: str, send: Send
) -> tuple[Side, Side]:
    """One request sent to the server, and the same request as the rule answers it in front of that server."""
    server = Side(as_request(method, server_url, fields), send(method, server_url, fields))
    own = as_request(method, rule_url, fields)
    return server, Side(own, rule_answer(rules, own, server.answer))


def _differences(
    blocked: dict[tuple[str, Credentials], Verdict], pairs: list[tuple[Side, Side]]
) -> tuple[Difference, ...]:
    """Each mode's differences; one that both modes share is said once, "with and without credentials"."""
    per_mode: dict[tuple[Kind, str], list[Credentials]] = {}
    found: list[Difference] = []
    for mode in MODES:
        server, rule = blocked.get(("server", mode)), blocked.get(("rule", mode))
        if server is None and rule is not None:
            per_mode.setdefault(
                (
                    "opens more",
                    f"the server allows it {{how}}, which the rule refuses (the rule's answer: {rule.reason})",
                ),
                [],
            ).append(mode)
        elif server is not None and rule is None:
            per_mode.setdefault(
                ("stricter", f"the server refuses it {{how}}, which the rule allows (Chromium: {server.reason})"), []
            ).append(mode)
        elif server is None:
            found += _both_allow(mode, pairs)
    for (kind, text), modes in per_mode.items():
        how = (
            "with and without credentials"
            if len(modes) == 2
            else f"{'with' if modes[0] == 'include' else 'without'} credentials"
        )
        found.insert(0, Difference(kind, text.format(how=how)))
    return tuple(dict.fromkeys(found))


def _both_allow(mode: Credentials, pairs: list[tuple[Side, Side]]) -> list[Difference]:
    found = []
    if len(pairs) == 2:
        server, rule = pairs[0]
        if _max_age(server) < _max_age(rule):
            found.append(
                Difference(
                    "stricter",
                    f"the preflight is cached {_max_age(server)} s, the rule's {_max_age(rule)} s: more preflights",
                )
            )
        if rule.field("access-control-allow-private-network") and not server.field(
            "access-control-allow-private-network"
        ):
            found.append(Difference("stricter", "no Access-Control-Allow-Private-Network: true, which the rule sends"))
    server, rule = pairs[-1]
    served = set(readable_names(exchange_of(server.request, 200, server.answer.headers, mode == "include"))[0])
    ruled = set(readable_names(exchange_of(rule.request, 200, rule.answer.headers, mode == "include"))[0])
    served.discard("vary")  # the rule's side has only the rule's own Vary (Vary is compared on its own below)
    ruled.discard("vary")
    how = " with credentials" if mode == "include" else ""
    if served - ruled:
        found.append(
            Difference("opens more", f"scripts{how} may read {', '.join(sorted(served - ruled))}, which the rule hides")
        )
    if ruled - served:
        found.append(
            Difference(
                "stricter", f"scripts{how} may not read {', '.join(sorted(ruled - served))}, which the rule exposes"
            )
        )
    if rule.varies_on_origin() and not server.varies_on_origin():
        found.append(Difference("cache", "no Vary: Origin: a cache may serve one origin's answer to another"))
    return found


def _max_age(side: Side) -> int:
    value = side.field("access-control-max-age")
    return min(int(value), CHROMIUM_MAX_AGE) if value.isdigit() else 5


def _without_origin(case: Case, rules: RuleSet, rule_url: str, server_url: str, send: Send) -> CaseResult:
    server, ruled = _ask(rules, "GET", [("Accept", "*/*")], rule_url, server_url, send)
    found = []
    if ruled.varies_on_origin() and not server.varies_on_origin():
        if ruled.field("access-control-allow-origin") == "*":
            said = "no Access-Control-Allow-Origin: * without an Origin header: a cached copy fails a later fetch()"
        else:
            said = "no Vary: Origin without an Origin header: a cache may serve one origin's answer to another"
        found.append(Difference("cache", said))
    decided_by = decide(ruled.request, rules, lambda _: True)
    return CaseResult(case, 1, tuple(found), decided_by.rule if decided_by else None)
