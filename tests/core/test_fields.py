"""The field table of rules.yaml (addon/config/fields.py) is the whole story of a field's parsing."""

import dataclasses

import pytest

from addon.config import fields
from addon.config.fields import FIELD_TABLE, FIELDS, Field
from addon.config.load import RulesError, parse_rules
from addon.core.rule import Rule

# Rule attributes that are not a field of their own: where the rule is, and shapes the core wants.
DERIVED = {"line", "filter_text", "allow_methods_value"}


def test_every_field_is_a_rule_attribute_and_every_attribute_a_field():
    attributes = {f.name for f in dataclasses.fields(Rule)}
    assert set(FIELDS) <= attributes
    assert attributes - set(FIELDS) == DERIVED


def test_an_absent_field_takes_the_default_of_its_table_entry():
    rule = parse_rules("rules:\n  - hosts: [api.example.com]\n").rules[0]
    for field in FIELD_TABLE:
        if field.name in ("name", "hosts", "filter", "allow_methods"):
            continue  # the name defaults to "rule N"; hosts is required; these two are reshaped (DERIVED)
        assert getattr(rule, field.name) == field.default, field.name


def test_unknown_fields_are_told_the_closest_name_in_the_table():
    with pytest.raises(RulesError) as e:
        parse_rules("rules:\n  - hosts: [a.example]\n    max_agee: 5\n")
    assert e.value.problems == ["rules.yaml:3: rule 1, field 'max_agee': unknown field; did you mean max_age?"]


def test_a_new_simple_field_is_one_table_entry(monkeypatch):
    """What adding a field takes, done here: an entry (and the Rule attribute it fills)."""

    def parse_retries(value, _):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3:
            raise ValueError(f"must be 0 to 3, got {value!r}")
        return value

    WithRetries = dataclasses.make_dataclass("WithRetries", [("retries", int, 0)], bases=(Rule,), frozen=True)
    entry = Field("retries", "0 to 3", 0, parse_retries)
    monkeypatch.setattr(fields, "FIELD_TABLE", (*FIELD_TABLE, entry))
    monkeypatch.setattr("addon.config.rule_entry.FIELD_TABLE", (*FIELD_TABLE, entry))
    monkeypatch.setattr("addon.config.rule_entry.FIELDS", (*FIELDS, "retries"))
    monkeypatch.setattr("addon.config.rule_entry.Rule", WithRetries)
    assert parse_rules("rules:\n  - hosts: [a.example]\n    retries: 2\n").rules[0].retries == 2
    assert parse_rules("rules:\n  - hosts: [a.example]\n").rules[0].retries == 0
    with pytest.raises(RulesError) as e:
        parse_rules("rules:\n  - hosts: [a.example]\n    retries: 9\n")
    assert e.value.problems == ["rules.yaml:3: rule 1, field 'retries': must be 0 to 3, got 9"]


def test_every_problem_of_a_rule_is_reported_each_with_its_line():
    text = "rules:\n  - hosts: [a.example]\n    max_age: -1\n    allow_credentials: yes please\n    preflight: skip\n"
    with pytest.raises(RulesError) as e:
        parse_rules(text)
    assert e.value.problems == [
        "rules.yaml:4: rule 1, field 'allow_credentials': must be true or false, got 'yes please'",
        "rules.yaml:3: rule 1, field 'max_age': must be a whole number of seconds, 0 or more, got -1",
        "rules.yaml:5: rule 1, field 'preflight': must be 'answer' or 'forward', got 'skip'",
    ]
