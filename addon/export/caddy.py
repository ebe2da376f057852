"""rules.yaml as a Caddyfile site in front of the API: a matcher per rule, preflights answered with
`respond`, the other responses' headers set with `header ... defer`."""

from __future__ import annotations

from addon.core.rule import Rule
from addon.core.ruleset import RuleSet
from addon.export.common import (
    ACCESS_CONTROL_RESPONSE_HEADERS,
    actual_fields,
    double_quoted,
    lost_in,
    methods_regex,
    origins_regex,
    path_regex,
    preflight_fields,
    requested_headers_regex,
)


def export_caddy(rules: RuleSet, listen: str = "127.0.0.1:8080", upstream: str = "http://127.0.0.1:8000") -> str:
    out = [
        f"# CORS policy exported by cors-addon from {rules.source}: the addon's decisions, rule by rule.",
        f"# A Caddyfile site in front of the API (reverse_proxy {upstream}); change the address and the",
        "# upstream, or copy the route into your site. The first rule whose path matches decides (route",
        "# keeps the order). Check it with: caddy validate --adapter caddyfile --config Caddyfile",
        "{",
        "\tadmin off",
        "}",
        f"http://{listen} {{",
        "\troute {",
    ]
    for n, rule in enumerate(rules.rules):
        out += ["\t\t" + line for line in _rule_block(rule, n, upstream)]
    out += [f"\t\treverse_proxy {upstream}", "\t}", "}", ""]
    return "\n".join(out)


def _rule_block(rule: Rule, n: int, upstream: str) -> list[str]:
    lines = [f"# rule '{rule.name}' (rules.yaml line {rule.line})"]
    lines += [f"# {note}" for note in lost_in(rule, "Caddy", reflects_methods=True, private_network=True)]
    origin_ok = f"header_regexp cors{n}o Origin {double_quoted(origins_regex(rule))}"
    headers_ok = (
        f"header_regexp cors{n}h Access-Control-Request-Headers {double_quoted('(?i)' + requested_headers_regex(rule))}"
    )
    lines += [
        f"@cors{n} path_regexp cors{n}p {double_quoted(path_regex(rule))}",
        f"handle @cors{n} {{",
        f"\t@cors{n}_preflight {{",
        "\t\tmethod OPTIONS",
        f"\t\t{origin_ok}",
        f"\t\theader_regexp cors{n}m Access-Control-Request-Method {double_quoted(methods_regex(rule))}",
        "\t\tnot {",  # no headers requested, or only allowed ones
        "\t\t\theader Access-Control-Request-Headers *",
        f"\t\t\tnot {headers_ok}",
        "\t\t}",
    ]
    if not rule.allow_private_network:
        lines.append("\t\tnot header Access-Control-Request-Private-Network true")
    answer = preflight_fields(
        rule, "{header.Origin}", "{header.Access-Control-Request-Method}", "{header.Access-Control-Request-Headers}"
    )
    actual = [f"{name} {double_quoted(value)}" for name, value in actual_fields(rule, "{header.Origin}")]
    # On every response of its paths: a cache must not hand one origin's answer to another.
    vary = ["\theader {", "\t\t+Vary Origin", "\t\tdefer", "\t}"] if rule.reflects_origin else []
    lines += [
        "\t}",
        f"\thandle @cors{n}_preflight {{",
        "\t\theader {",
        *[f"\t\t\t{name} {double_quoted(value)}" for name, value in answer],
        "\t\t}",
        f"\t\trespond {rule.preflight_status}",
        "\t}",
        *vary,
        f"\t@cors{n}_actual {{",
        *_actual_matcher(rule, origin_ok),
        "\t}",
        f"\theader @cors{n}_actual {{",
        *[f"\t\t{line}" for line in actual],
        "\t\tdefer",
        "\t}",
        f"\treverse_proxy {upstream} {{",
        *[f"\t\theader_down -{name}" for name in ACCESS_CONTROL_RESPONSE_HEADERS],
        "\t}",
        "}",
    ]
    return lines


def _actual_matcher(rule: Rule, origin_ok: str) -> list[str]:
    """Every request but a preflight, from an allowed origin; for a '*' rule without credentials, also
    without Origin (a cached copy must serve a CORS request)."""
    if not rule.reflects_origin:
        return ["\t\tnot {", "\t\t\tmethod OPTIONS", "\t\t\theader Access-Control-Request-Method *",
                "\t\t\theader Origin *", "\t\t}"]  # fmt: skip
    return [f"\t\t{origin_ok}", "\t\tnot {", "\t\t\tmethod OPTIONS", "\t\t\theader Access-Control-Request-Method *",
            "\t\t}"]  # fmt: skip
