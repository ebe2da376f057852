"""How rules.yaml problems are worded: file, line, rule and field, then what to do."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from addon.config.yamlsource import LineDict, LineList


class RulesError(ValueError):
    """rules.yaml cannot be used; `problems` holds one message per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class Problems:
    """Every error and warning of one rules file, each naming file, line, rule and field."""

    def __init__(self, source: str):
        self.source = source
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def where(self, line: int, rule: str | None = None, field: str | None = None) -> str:
        text = f"{self.source}:{line}:"
        if rule:
            text += f" {rule}"
        if field:
            text += f", field '{field}'" if rule else f" field '{field}'"
        return text

    def error(self, line: int, rule: str | None, field: str | None, message: str) -> None:
        self.errors.append(f"{self.where(line, rule, field)}: {message}")

    def warn(self, line: int, rule: str | None, field: str | None, message: str) -> None:
        self.warnings.append(f"{self.where(line, rule, field)}: {message}")


def suggest(key: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else f"; known fields: {', '.join(choices)}"


def type_name(value: object) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        LineList: "a list",
        LineDict: "a mapping",
        type(None): "empty",
    }.get(type(value), type(value).__name__)


def yaml_text(value: object) -> str:
    """A scalar as it was written in YAML (true, not Python's True)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)
