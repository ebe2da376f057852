"""One entry of the rules list, read field by field through the table in addon/config/fields.py:
`parse_rule` gathers every problem with its line, then builds the Rule."""

from __future__ import annotations

from typing import Any

from addon.config.fields import CHECKS, FIELD_TABLE, FIELDS, FieldErrors, FilterCompiler, Values, Warned
from addon.config.problems import Problems, suggest, type_name
from addon.config.yamlsource import LineDict
from addon.core.rule import Rule, normalize_method


def parse_rule(
    item: object, line: int, number: int, problems: Problems, compile_filter: FilterCompiler | None
) -> Rule | None:
    label = f"rule {number}"
    if not isinstance(item, LineDict):
        problems.error(line, label, None, f"must be a mapping of fields, got {type_name(item)}")
        return None
    name = item.get("name", label)
    if not isinstance(name, str) or not name.strip():
        problems.error(item.key_lines["name"], label, "name", f"must be a non-empty string, got {type_name(name)}")
        name = label
    label = f"rule '{name}'" if "name" in item else label
    errors_before = len(problems.errors)

    def at(field: str) -> int:
        return int(item.key_lines.get(field, item.line))

    for key in item:
        if key not in FIELDS:
            problems.error(at(key), label, key, "unknown field" + suggest(key, FIELDS))
    values: Values = {}
    for field in FIELD_TABLE:
        if field.name == "name":
            continue  # read above: it names the rule in every other message
        values[field.name] = field.default
        if field.name not in item:
            if field.missing:
                problems.error(at(field.name), label, field.name, field.missing)
            continue
        try:
            value = field.parse(item[field.name], compile_filter)
        except FieldErrors as e:
            for message in e.messages:
                problems.error(at(field.name), label, field.name, message)
            continue
        except ValueError as e:
            problems.error(at(field.name), label, field.name, str(e))
            continue
        if isinstance(value, Warned):
            value, warnings = value
            for warning in warnings:
                problems.warn(at(field.name), label, field.name, warning)
        values[field.name] = value
    given = {key for key in item if key in FIELDS}
    for field_name, check in CHECKS:
        for warning in check(values, given):
            problems.warn(at(field_name), label, field_name, warning)
    if len(problems.errors) > errors_before:
        return None
    return to_rule(name, line, values, given)


def to_rule(name: str, line: int, values: Values, given: set[str]) -> Rule:
    """The Rule of a valid entry: each value goes to the Rule attribute of its field's name; the few
    that the core wants in another shape are converted here."""
    fields: dict[str, Any] = dict(values)
    fields["filter"], fields["filter_text"] = values["filter"]
    methods = values["allow_methods"]
    fields["allow_methods"] = frozenset(normalize_method(m) for m in methods) if methods is not None else None
    fields["allow_methods_value"] = ", ".join(dict.fromkeys(normalize_method(m) for m in methods or ()))
    if "allow_origin_regex" in given and "allow_origins" not in given:
        fields["allow_origins"] = ()  # the regexes alone say which origins are allowed
    return Rule(name=name, line=line, **fields)
