"""The fields of one rule in rules.yaml, as a table: name, what YAML may hold, default, and the parser.

Adding a field to rules.yaml is one entry in FIELD_TABLE (and, if it warns, one entry in CHECKS):
`parse_rule` (addon/config/rule_entry.py) applies the table, and the field's value reaches the
attribute of the same name on `Rule` (addon/core/rule.py, where the field gets its line). A
parser returns the value, or a `Warned` value, or raises ValueError (FieldErrors for several)
with the message the user reads (docs/architecture.md, "Where to add").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from addon.config.originregex import compile_origin_regex
from addon.config.problems import type_name, yaml_text
from addon.core.paths import compile_path
from addon.core.patterns import LOCAL_DEVELOPMENT_ORIGINS, TOKEN, parse_host, parse_origin_pattern
from addon.core.rule import CHROMIUM_MAX_AGE, WEBSOCKET_ORIGIN, Preflight

ANY = "*"
PREFLIGHT_STATUSES = (204, 200)
# Lowercase spellings of these are almost always a typo: browsers send them upper-case.
UPPER_CASE_METHODS = frozenset({"PATCH", "CONNECT", "TRACE"})
FilterCompiler = Callable[[str], Any]  # the shell's: a mitmproxy filter expression -> a flow predicate


class FieldErrors(ValueError):
    """More than one thing is wrong with a field (one message each, e.g. one per bad list item)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class Warned(NamedTuple):
    value: object
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Field:
    name: str  # the YAML key; also the Rule attribute the value goes to
    yaml_type: str  # what the file may hold there, as the README says it
    default: object  # the value when the field is absent
    parse: Callable[[Any, FilterCompiler | None], object]  # (YAML value, filter compiler) -> value; raises
    missing: str = ""  # when set, the field is required and this is the message for its absence


def strings(value: object, allow_any: bool, lower: bool = False) -> list[str] | str:
    """A string or list of strings, trimmed (ANY itself where allowed)."""
    if allow_any and isinstance(value, str) and value.strip() == ANY:
        return ANY
    if isinstance(value, str):
        value = [value]
    kind = "'*' or a list of strings" if allow_any else "a string or a list of strings"
    if not isinstance(value, list):
        raise ValueError(f"must be {kind}, got {type_name(value)}")
    wrong = [v for v in value if not isinstance(v, str)]
    if wrong:
        text = yaml_text(wrong[0])
        raise ValueError(f'must be {kind}; {text} is {type_name(wrong[0])}, quote it: "{text}"')
    return [v.strip().lower() if lower else v.strip() for v in value]


def each(values: Iterable[str], parse: Callable[[str], Any]) -> tuple[Any, ...]:
    """Every value parsed; raises FieldErrors naming each one that is not."""
    errors = []
    result = []
    for value in values:
        try:
            result.append(parse(value))
        except ValueError as e:
            errors.append(str(e))
    if errors:
        raise FieldErrors(errors)
    return tuple(result)


def parse_hosts(value: object, _: FilterCompiler | None) -> tuple[Any, ...]:
    values = strings(value, allow_any=False)
    if not values:
        raise ValueError("is empty; name at least one host")
    return each(values, parse_host)


def parse_paths(value: object, _: FilterCompiler | None) -> tuple[Any, ...]:
    return each(strings(value, allow_any=False), compile_path)


def parse_filter(value: object, compile_filter: FilterCompiler | None) -> tuple[Any, str]:
    """The compiled filter (None where no compiler is given: the doctor, the exports) and its text."""
    if not isinstance(value, str):
        raise ValueError(f"must be a mitmproxy filter expression string, got {type_name(value)}")
    if compile_filter is None:
        return None, value
    try:
        return compile_filter(value), value
    except ValueError as e:
        raise ValueError(f"{e}; see mitmproxy's filter expressions (~m, ~u, ~h ...)") from None


def parse_origins(value: object, _: FilterCompiler | None) -> tuple[Any, ...] | None:
    """None: any origin ('*')."""
    values = strings(value, allow_any=True)
    if values == ANY:
        return None
    alone = ["'*' must stand alone: write allow_origins: \"*\""] if ANY in values else []
    try:
        patterns = each(values, parse_origin_pattern)
    except FieldErrors as e:
        raise FieldErrors(e.messages + alone) from None
    if alone:
        raise FieldErrors(alone)
    return patterns


def parse_origin_regexes(value: object, _: FilterCompiler | None) -> Warned:
    compiled = each(strings(value, allow_any=False), compile_origin_regex)
    return Warned(tuple(pattern for pattern, _ in compiled), tuple(w for _, warnings in compiled for w in warnings))


def parse_flag(value: object, _: FilterCompiler | None) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {value!r}")
    return value


def tokens(kind: str, lower: bool) -> Callable[[object, FilterCompiler | None], tuple[str, ...] | None]:
    """A parser of '*' (None) or a list of method or header names, each a token, duplicates dropped."""

    def parse(value: object, _: FilterCompiler | None) -> tuple[str, ...] | None:
        values = strings(value, allow_any=True, lower=lower)
        if values == ANY:
            return None
        wrong = [f"'{v}' is not a valid {kind}" for v in values if not TOKEN.match(v)]
        if wrong:
            raise FieldErrors(wrong)
        return tuple(dict.fromkeys(values))

    return parse


def parse_max_age(value: object, _: FilterCompiler | None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"must be a whole number of seconds, 0 or more, got {value!r}")
    return value


def parse_preflight(value: object, _: FilterCompiler | None) -> Preflight:
    if value not in tuple(mode.value for mode in Preflight):
        raise ValueError(f"must be 'answer' or 'forward', got {value!r}")
    return Preflight(value)


def parse_preflight_status(value: object, _: FilterCompiler | None) -> int:
    if isinstance(value, bool) or value not in PREFLIGHT_STATUSES:
        raise ValueError(f"must be 204 or 200 (for old clients that choke on 204), got {yaml_text(value)}")
    return int(value)


def parse_websocket_origin(value: object, _: FilterCompiler | None) -> str:
    if value not in WEBSOCKET_ORIGIN:
        raise ValueError(f"must be 'keep' or 'rewrite', got {yaml_text(value)}")
    return str(value)


FIELD_TABLE = (
    Field("name", "string", None, lambda value, _: value),  # checked first: it names the rule in every message
    Field(
        "hosts",
        "list of host patterns",
        (),
        parse_hosts,
        "missing; name the API host(s) this rule opens, e.g. hosts: [api.example.com]",
    ),  # fmt: skip
    Field("paths", "list of path globs", None, parse_paths),
    Field("filter", "mitmproxy filter expression", (None, None), parse_filter),
    Field("allow_origins", "'*' or list of origin patterns", LOCAL_DEVELOPMENT_ORIGINS, parse_origins),
    Field("allow_credentials", "boolean", False, parse_flag),
    Field("allow_methods", "'*' or list of methods", None, tokens("method", lower=False)),
    Field("allow_headers", "'*' or list of header names", None, tokens("header name", lower=True)),
    Field("expose_headers", "'*' or list of header names", None, tokens("header name", lower=True)),
    Field("max_age", "seconds", 5, parse_max_age),
    Field("preflight", "answer or forward", Preflight.ANSWER, parse_preflight),
    Field("allow_private_network", "boolean", False, parse_flag),
    Field("allow_origin_regex", "list of regular expressions", (), parse_origin_regexes),
    Field("preflight_status", "204 or 200", 204, parse_preflight_status),
    Field("rewrite_cookies", "boolean", False, parse_flag),
    Field("websocket_origin", "keep or rewrite", "keep", parse_websocket_origin),
)
FIELDS = tuple(field.name for field in FIELD_TABLE)


# Warnings about a rule that loads: (the field they name, the messages for the rule's values), in the
# order they are reported. `values` holds every field (defaults for the absent ones), `given` the present.
Values = dict[str, Any]


def _lowercase_methods(values: Values, given: set[str]) -> list[str]:
    return [
        f"'{method}' is compared byte for byte, as browsers do: fetch(url, {{method: '{method.upper()}'}}) "
        f"sends {method.upper()}, which '{method}' does not allow; write {method.upper()}"
        for method in values["allow_methods"] or ()
        if method != method.upper() and method.upper() in UPPER_CASE_METHODS
    ]


CHECKS: tuple[tuple[str, Callable[[Values, set[str]], list[str]]], ...] = (
    ("allow_origin_regex", lambda values, given: ["has no effect: allow_origins is '*'"]
     if "allow_origin_regex" in given and values["allow_origins"] is None else []),
    ("rewrite_cookies", lambda values, given: [
        "without allow_credentials: true the browser sends no cookie with a call, so a kept cookie is never "
        "sent back; add allow_credentials: true"] if values["rewrite_cookies"] and not values["allow_credentials"]
     else []),
    ("allow_methods", _lowercase_methods),
    ("max_age", lambda values, given: [
        f"{values['max_age']} is above Chromium's cap of {CHROMIUM_MAX_AGE} seconds; Chromium uses {CHROMIUM_MAX_AGE}"]
     if values["max_age"] > CHROMIUM_MAX_AGE else []),
    ("allow_origins", lambda values, given: [
        "'*' with allow_credentials: true reflects every origin with credentials: any site "
        "the browser visits can then read this API as the user; list the origins you need"]
     if values["allow_origins"] is None and values["allow_credentials"] else []),
    ("websocket_origin", lambda values, given: [
        "rewrite with allow_origins '*' hands every site's WebSocket to the server as its own: the server's "
        "origin check (its cross-site WebSocket hijacking protection) is off for any page; list the origins"]
     if values["websocket_origin"] == "rewrite" and values["allow_origins"] is None else []),
    ("expose_headers", lambda values, given: ["Set-Cookie is never readable by script, exposing it has no effect"]
     if "set-cookie" in (values["expose_headers"] or ()) else []),
)  # fmt: skip
