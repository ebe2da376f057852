"""rules.yaml as flask-cors resources: a path regex per rule with that rule's options."""

from __future__ import annotations

from addon.core.ruleset import RuleSet
from addon.export.common import lost_in, origin_regex, origin_regexes, path_regex

STANDARD_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _flask_cors_order(patterns: list[str]) -> list[str]:
    """The order flask-cors tries regex resources in: more slashes first, then longer."""
    return sorted(patterns, key=lambda p: (-p.count("/"), -len(p)))


def export_flask(rules: RuleSet) -> str:
    out = [
        f"# flask-cors resources exported by cors-addon from {rules.source}.",
        "# Flask:  from flask_cors import CORS",
        "#         CORS(app, resources=cors_resources)",
        "# A request no resource matches gets no CORS headers.",
    ]
    patterns = list(dict.fromkeys(path_regex(rule) for rule in rules.rules))
    if _flask_cors_order(patterns) != patterns:
        out.append(
            "# Order: flask-cors tries the resources with more slashes and longer patterns first, the addon the"
            " first rule in rules.yaml; check that no request matches two of them."
        )
    entries = []
    first_for: dict[str, str] = {}  # path regex -> the rule that decides it
    for rule in rules.rules:
        if path_regex(rule) in first_for:
            entries.append(
                f"    # NOT EXPORTED: rule '{rule.name}' (rules.yaml line {rule.line}): the same paths as rule"
                f" '{first_for[path_regex(rule)]}', which decides them, as in the addon (an app serves one host)."
            )
            continue
        first_for[path_regex(rule)] = rule.name
        notes = lost_in(rule, "flask-cors", reflects_methods=False, private_network=True, varies_without_origin=False)
        options = []
        if rule.allow_origins is None:
            options.append('"origins": "*",')
            options.append(f'"send_wildcard": {not rule.allow_credentials!r},')
        else:
            # Every origin as an anchored regex: flask-cors takes a string with [ or ] for a regex itself.
            regexes = [origin_regex(pattern) for pattern in rule.allow_origins] + origin_regexes(rule)
            options.append('"origins": [' + ", ".join(f're.compile(r"{r}")' for r in regexes) + "],")
        options.append(f'"supports_credentials": {rule.allow_credentials!r},')
        methods = list(STANDARD_METHODS) if rule.allow_methods is None else sorted(rule.allow_methods)
        options.append(f'"methods": {methods!r},')
        headers = "*" if rule.allow_headers is None else list(rule.allowed_header_names)
        options.append(f'"allow_headers": {headers!r},')
        if rule.expose_headers is not None:
            options.append(f'"expose_headers": {list(rule.exposed_header_names)!r},')
        elif not rule.allow_credentials:
            options.append('"expose_headers": "*",')
        options.append(f'"max_age": {rule.max_age},')
        options.append(f'"allow_private_network": {rule.allow_private_network!r},')
        entries += [f"    # rule '{rule.name}' (rules.yaml line {rule.line})", *[f"    # {note}" for note in notes]]
        entries += [f'    r"{path_regex(rule)}": {{', *[f"        {line}" for line in options], "    },"]
    out += ["import re", "", "cors_resources = {", *entries, "}", ""]
    return "\n".join(out)
