"""One rule of rules.yaml, field by field: `parse_rule` checks each and reports every problem with its line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from addon.config.originregex import compile_origin_regex
from addon.config.problems import Problems, suggest, type_name, yaml_text
from addon.config.yamlsource import LineDict
from addon.core.patterns import LOCAL_DEVELOPMENT_ORIGINS, TOKEN, compile_path, parse_host, parse_origin_pattern
from addon.core.rule import Preflight, Rule, normalize_method

ANY = "*"
CHROMIUM_MAX_AGE = 7200
FIELDS = (
    "name",
    "hosts",
    "paths",
    "filter",
    "allow_origins",
    "allow_credentials",
    "allow_methods",
    "allow_headers",
    "expose_headers",
    "max_age",
    "preflight",
    "allow_private_network",
    "allow_origin_regex",
    "preflight_status",
    "rewrite_cookies",
)
PREFLIGHT_STATUSES = (204, 200)
# Lowercase spellings of these are almost always a typo: browsers send them upper-case.
UPPER_CASE_METHODS = frozenset({"PATCH", "CONNECT", "TRACE"})
PREFLIGHT_MODES = tuple(mode.value for mode in Preflight)


def parse_rule(
    item: object, line: int, number: int, problems: Problems, compile_filter: Callable[[str], Any] | None
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

    def at(field):
        return item.key_lines.get(field, item.line)

    def fail(field, message):
        problems.error(at(field), label, field, message)

    for key in item:
        if key not in FIELDS:
            fail(key, "unknown field" + suggest(key, FIELDS))

    def strings(field, allow_any, default, lower=False):
        value = item.get(field, default)
        if allow_any and isinstance(value, str) and value.strip() == ANY:
            return ANY
        if isinstance(value, str):
            value = [value]
        kind = "'*' or a list of strings" if allow_any else "a string or a list of strings"
        if not isinstance(value, list):
            fail(field, f"must be {kind}, got {type_name(value)}")
            return None
        wrong = [v for v in value if not isinstance(v, str)]
        if wrong:
            text = yaml_text(wrong[0])
            fail(field, f'must be {kind}; {text} is {type_name(wrong[0])}, quote it: "{text}"')
            return None
        return [v.strip().lower() if lower else v.strip() for v in value]

    def parsed(field, values, parse):
        result = []
        for value in values or ():
            try:
                result.append(parse(value))
            except ValueError as e:
                fail(field, str(e))
        return tuple(result)

    def flag(field):
        value = item.get(field, False)
        if not isinstance(value, bool):
            fail(field, f"must be true or false, got {value!r}")
            return False
        return value

    if "hosts" not in item:
        fail("hosts", "missing; name the API host(s) this rule opens, e.g. hosts: [api.example.com]")
    host_values = strings("hosts", False, [])
    if host_values == [] and "hosts" in item:
        fail("hosts", "is empty; name at least one host")
    hosts = parsed("hosts", host_values, parse_host)

    paths = None
    if "paths" in item:
        paths = parsed("paths", strings("paths", False, []), compile_path)

    rule_filter = None
    if "filter" in item:
        expression = item["filter"]
        if not isinstance(expression, str):
            fail("filter", f"must be a mitmproxy filter expression string, got {type_name(expression)}")
        elif compile_filter is not None:
            try:
                rule_filter = compile_filter(expression)
            except ValueError as e:
                fail("filter", f"{e}; see mitmproxy's filter expressions (~m, ~u, ~h ...)")

    origin_values = strings("allow_origins", True, None) if "allow_origins" in item else None
    if origin_values == ANY:
        allow_origins = None
    elif origin_values is None:
        allow_origins = LOCAL_DEVELOPMENT_ORIGINS
    else:
        allow_origins = parsed("allow_origins", origin_values, parse_origin_pattern)
        if "*" in origin_values:
            fail("allow_origins", "'*' must stand alone: write allow_origins: \"*\"")

    origin_regexes = []
    if "allow_origin_regex" in item:
        for text in strings("allow_origin_regex", False, []) or ():
            try:
                pattern, warnings = compile_origin_regex(text)
            except ValueError as e:
                fail("allow_origin_regex", str(e))
                continue
            origin_regexes.append(pattern)
            for warning in warnings:
                problems.warn(at("allow_origin_regex"), label, "allow_origin_regex", warning)
        if origin_values is None:
            allow_origins = ()  # the regexes alone say which origins are allowed
        elif allow_origins is None:
            problems.warn(at("allow_origin_regex"), label, "allow_origin_regex", "has no effect: allow_origins is '*'")

    credentials = flag("allow_credentials")
    private_network = flag("allow_private_network")
    rewrite_cookies = flag("rewrite_cookies")
    if rewrite_cookies and not credentials:
        problems.warn(
            at("rewrite_cookies"),
            label,
            "rewrite_cookies",
            "without allow_credentials: true the browser sends no cookie with a call, so a kept cookie is never "
            "sent back; add allow_credentials: true",
        )

    def tokens(field, lower):
        values = strings(field, True, ANY, lower=lower)
        if values == ANY or values is None:
            return None
        for value in values:
            if not TOKEN.match(value):
                fail(field, f"'{value}' is not a valid {'header name' if lower else 'method'}")
        return values

    methods = tokens("allow_methods", False)
    for method in methods or ():
        if method != method.upper() and method.upper() in UPPER_CASE_METHODS:
            problems.warn(
                at("allow_methods"),
                label,
                "allow_methods",
                f"'{method}' is compared byte for byte, as browsers do: fetch(url, {{method: '{method.upper()}'}}) "
                f"sends {method.upper()}, which '{method}' does not allow; write {method.upper()}",
            )
    allow_headers = tokens("allow_headers", True)
    expose = tokens("expose_headers", True)

    max_age = item.get("max_age", 5)
    if not isinstance(max_age, int) or isinstance(max_age, bool) or max_age < 0:
        fail("max_age", f"must be a whole number of seconds, 0 or more, got {max_age!r}")
        max_age = 5
    elif max_age > CHROMIUM_MAX_AGE:
        problems.warn(
            at("max_age"),
            label,
            "max_age",
            f"{max_age} is above Chromium's cap of {CHROMIUM_MAX_AGE} seconds; Chromium uses {CHROMIUM_MAX_AGE}",
        )

    preflight = item.get("preflight", "answer")
    if preflight not in PREFLIGHT_MODES:
        fail("preflight", f"must be 'answer' or 'forward', got {preflight!r}")
    preflight_status = item.get("preflight_status", 204)
    if isinstance(preflight_status, bool) or preflight_status not in PREFLIGHT_STATUSES:
        fail(
            "preflight_status",
            f"must be 204 or 200 (for old clients that choke on 204), got {yaml_text(preflight_status)}",
        )

    if allow_origins is None and credentials:
        problems.warn(
            at("allow_origins"),
            label,
            "allow_origins",
            "'*' with allow_credentials: true reflects every origin with credentials: any site "
            "the browser visits can then read this API as the user; list the origins you need",
        )
    if expose and "set-cookie" in expose:
        problems.warn(
            at("expose_headers"),
            label,
            "expose_headers",
            "Set-Cookie is never readable by script, exposing it has no effect",
        )

    if len(problems.errors) > errors_before:
        return None
    return Rule(
        name=name,
        line=line,
        hosts=hosts,
        paths=paths,
        filter=rule_filter,
        filter_text=item.get("filter") if isinstance(item.get("filter"), str) else None,
        allow_origins=allow_origins,
        allow_credentials=credentials,
        allow_methods=frozenset(normalize_method(m) for m in methods) if methods is not None else None,
        allow_headers=tuple(dict.fromkeys(allow_headers)) if allow_headers is not None else None,
        expose_headers=tuple(dict.fromkeys(expose)) if expose is not None else None,
        max_age=max_age,
        preflight=Preflight(preflight),
        allow_private_network=private_network,
        allow_methods_value=", ".join(dict.fromkeys(normalize_method(m) for m in methods or ())),
        allow_origin_regex=tuple(origin_regexes),
        preflight_status=preflight_status,
        rewrite_cookies=rewrite_cookies,
    )
