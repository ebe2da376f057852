"""rules.yaml: the whole file, validated into a RuleSet (each rule by addon/config/rule_entry.py).

`parse_rules` checks everything at load and reports every problem at once, each
naming file, line, rule and field, with a fix where one is obvious.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from addon.config.fields import FIELDS
from addon.config.problems import Problems, RulesError, suggest, type_name
from addon.config.rule_entry import parse_rule
from addon.config.yamlsource import MAX_BYTES, LineDict, LineList, YamlError, load_yaml
from addon.core.ruleset import RuleSet

__all__ = ["FIELDS", "RuleSet", "RulesError", "load_rules", "parse_rules"]


def load_rules(path: str, compile_filter: Callable[[str], Any] | None = None) -> RuleSet:
    """Read and validate a rules file. Raises RulesError, never anything else."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read(MAX_BYTES + 1)  # past the bound, load_yaml refuses it: no need to read on
    except FileNotFoundError:
        raise RulesError([f"{path}: file not found; set cors_rules to your rules.yaml"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise RulesError([f"{path}: cannot read: {e}"]) from None
    return parse_rules(text, path, compile_filter)


def parse_rules(text: str, source: str = "rules.yaml", compile_filter: Callable[[str], Any] | None = None) -> RuleSet:
    problems = Problems(source)
    try:
        document = load_yaml(text)
    except YamlError as e:
        raise RulesError([f"{source}:{e.line}: {e}"]) from None
    except RecursionError:
        raise RulesError([f"{source}:1: YAML nested too deeply"]) from None
    if not isinstance(document, LineDict) or "rules" not in document:
        line = getattr(document, "line", 1)
        raise RulesError(
            [
                f"{source}:{line}: expected a mapping with a 'rules:' list at the top, "
                "e.g. 'rules:\\n  - hosts: [api.example.com]'"
            ]
        )
    for key in document:
        if key != "rules":
            problems.error(document.key_lines[key], None, key, "unknown top-level key" + suggest(key, ["rules"]))
    items = document["rules"]
    if items is None:
        items = LineList()
        items.line, items.item_lines = document.key_lines["rules"], []
    if not isinstance(items, LineList):
        problems.error(document.key_lines["rules"], None, "rules", f"must be a list of rules, got {type_name(items)}")
        raise RulesError(problems.errors)
    rules = []
    for number, (item, line) in enumerate(zip(items, items.item_lines, strict=True), start=1):
        rule = parse_rule(item, line, number, problems, compile_filter)
        if rule is not None:
            rules.append(rule)
    if problems.errors:
        raise RulesError(problems.errors)
    if not rules:
        problems.warn(document.key_lines["rules"], None, "rules", "no rules: the addon changes nothing")
    return RuleSet(tuple(rules), tuple(problems.warnings), source)
