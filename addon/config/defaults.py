"""Rules nobody wrote: the default policy for each reverse-mode target no rule names (pure).

`mitmproxy -s cors_addon.py --mode reverse:https://api.example.com` then works without a
rules.yaml edit: local development origins, no credentials, whatever the preflight asks for.
"""

from __future__ import annotations

from addon.config.load import parse_rules
from addon.core.patterns import format_host
from addon.core.rule import Rule
from addon.core.ruleset import RuleSet


def cover_reverse_targets(rules: RuleSet, targets: list[tuple[str, str, int]]) -> tuple[RuleSet, list[str]]:
    """`rules` plus a default-policy rule for each (scheme, host, port) target that no rule names, after
    the user's rules; and a line saying so for each."""
    added: list[Rule] = []
    lines: list[str] = []
    for scheme, host, port in dict.fromkeys(targets):
        named = any(
            pattern.matches(host.lower(), port)
            for _, rule in rules.index.candidates(host.lower())
            for pattern in rule.hosts
        )
        if named:
            continue
        pattern = format_host(host, "", port)  # always with its port: the rule covers this target only
        name = f"{scheme}://{format_host(host, scheme, port)}"
        added += parse_rules(f'rules:\n  - name: "{name} (reverse target)"\n    hosts: ["{pattern}"]\n').rules
        lines.append(
            f"CORS: covering {name} (reverse target) with the default policy (local development "
            "origins, no credentials); add a rule to change it"
        )
    if not added:
        return rules, []
    return RuleSet((*rules.rules, *added), rules.warnings, rules.source), lines
