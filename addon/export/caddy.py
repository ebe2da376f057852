"""rules.yaml as a Caddyfile site in front of the API: a matcher per rule, preflights answered with
`respond`, the other responses' headers set with `header ... defer`."""

from __future__ import annotations

import re

from ..rule import Preflight, Rule
from ..rules import RuleSet
from .common import ACCESS_CONTROL_RESPONSE_HEADERS, names_regex, origin_regex, origin_regexes, path_regex

TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"


def _q(value: str) -> str:
    """A Caddyfile token in double quotes (inside them only \\" is an escape)."""
    return '"' + value.replace('"', '\\"') + '"'


def origins_regex(rule: Rule) -> str:
    """One RE2 regex for the rule's origins (Go's regexp has no lookarounds or backreferences)."""
    if rule.allow_origins is None:
        return "^.+$"
    parts = [origin_regex(p) for p in rule.allow_origins] + origin_regexes(rule)
    return "|".join(parts) if parts else "^$(?:x)"


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
        out += ["\t\t" + line if line else "" for line in _rule_block(rule, n, upstream)]
    out += [f"\t\treverse_proxy {upstream}", "\t}", "}", ""]
    return "\n".join(out)


def _rule_block(rule: Rule, n: int, upstream: str) -> list[str]:
    star = rule.allow_origins is None
    reflect = not star or rule.allow_credentials
    lines = [f"# rule '{rule.name}' (rules.yaml line {rule.line})"]
    if rule.filter_text is not None:
        lines.append(
            f"# NOT EXPORTED: the mitmproxy filter {rule.filter_text!r}; this applies to every request on its paths."
        )
    if rule.expose_headers is None and rule.allow_credentials:
        lines.append("# NOT EXPORTED: expose_headers '*' with credentials (the addon lists each response's names).")
    if rule.preflight is Preflight.FORWARD:
        lines.append("# preflight: forward is exported as answer: Caddy answers the preflight itself.")
    methods = (
        f"^{TOKEN}$"
        if rule.allow_methods is None
        else "^(?:" + "|".join(re.escape(m) for m in sorted(rule.allow_methods)) + ")$"
    )
    headers = r"^\s*" + TOKEN + r"(?:\s*,\s*" + TOKEN + r")*\s*$"
    if rule.allow_headers is not None:
        headers = "(?i)" + names_regex(sorted(rule.allowed_header_names))
    origin_ok = f"header_regexp cors{n}o Origin {_q(origins_regex(rule))}"
    lines += [
        f"@cors{n} path_regexp cors{n}p {_q(path_regex(rule))}",
        f"handle @cors{n} {{",
        f"\t@cors{n}_preflight {{",
        "\t\tmethod OPTIONS",
        f"\t\t{origin_ok}",
        f"\t\theader_regexp cors{n}m Access-Control-Request-Method {_q(methods)}",
        "\t\tnot {",
        "\t\t\theader Access-Control-Request-Headers *",
        f"\t\t\tnot header_regexp cors{n}h Access-Control-Request-Headers {_q(headers)}",
        "\t\t}",
    ]
    if not rule.allow_private_network:
        lines.append("\t\tnot header Access-Control-Request-Private-Network true")
    lines += ["\t}", f"\thandle @cors{n}_preflight {{"]
    pre = [f"Access-Control-Allow-Origin {_q('{header.Origin}' if reflect else '*')}"]
    vary = ["Origin"] if reflect else []
    if rule.allow_credentials:
        pre.append("Access-Control-Allow-Credentials true")
    if rule.allow_methods is None:
        pre.append('Access-Control-Allow-Methods "{header.Access-Control-Request-Method}"')
        vary.append("Access-Control-Request-Method")
    else:
        pre.append(f"Access-Control-Allow-Methods {_q(rule.allow_methods_value)}")
    if rule.allow_headers is None:
        pre.append('Access-Control-Allow-Headers "{header.Access-Control-Request-Headers}"')
        vary.append("Access-Control-Request-Headers")
    else:
        pre.append(f"Access-Control-Allow-Headers {_q(', '.join(rule.allowed_header_names))}")
    pre.append(f"Access-Control-Max-Age {rule.max_age}")
    if rule.allow_private_network:
        pre.append("Access-Control-Allow-Private-Network true")
    if vary:
        pre.append(f"Vary {_q(', '.join(vary))}")
    lines += [
        "\t\theader {",
        *[f"\t\t\t{line}" for line in pre],
        "\t\t}",
        f"\t\trespond {rule.preflight_status}",
        "\t}",
    ]
    actual = [f"Access-Control-Allow-Origin {_q('{header.Origin}' if reflect else '*')}"]
    if rule.allow_credentials:
        actual.append("Access-Control-Allow-Credentials true")
    expose = (
        ""
        if rule.expose_headers is None and rule.allow_credentials
        else ("*" if rule.expose_headers is None else ", ".join(rule.exposed_header_names))
    )
    if expose:
        actual.append(f"Access-Control-Expose-Headers {_q(expose)}")
    if reflect:
        actual.append("+Vary Origin")
    lines += [
        f"\t@cors{n}_actual {{",
        f"\t\t{origin_ok}",
        "\t\tnot {",
        "\t\t\tmethod OPTIONS",
        "\t\t\theader Access-Control-Request-Method *",
        "\t\t}",
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
