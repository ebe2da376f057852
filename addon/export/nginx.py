"""rules.yaml as an nginx configuration: maps per rule, one regex location per rule."""

from __future__ import annotations

from addon.core.policy import preflight_answer
from addon.core.rule import Preflight, Rule
from addon.core.ruleset import RuleSet
from addon.export.common import (
    ACCESS_CONTROL_RESPONSE_HEADERS,
    methods_regex,
    origin_regex,
    origin_regexes,
    path_regex,
    quote,
    requested_headers_regex,
)
from addon.export.websocket import websocket_origin_note


def export_nginx(rules: RuleSet, listen: str = "127.0.0.1:8080", upstream: str = "http://127.0.0.1:8000") -> str:
    out = [
        f"# CORS policy exported by cors-addon from {rules.source}: the addon's decisions, rule by rule.",
        "# Include this file in nginx's http {} context. The server block stands in front of the API",
        f"# (proxy_pass {upstream}); change listen/proxy_pass, or copy the location blocks into yours.",
        "# The first rule whose path matches decides, as in the addon (regex locations, in order).",
        "",
    ]
    locations = []
    for n, rule in enumerate(rules.rules):
        out += _nginx_maps(rule, n)
        locations += _nginx_location(rule, n, upstream)
    hosts = sorted({f"{h.host}" for rule in rules.rules for h in rule.hosts})
    out += [
        "server {",
        f"    listen {listen};",
        f"    # rules.yaml hosts: {', '.join(hosts)} (set server_name if this server serves several hosts)",
    ]
    out += ["    " + line if line else "" for line in locations]
    out += ["}", ""]
    return "\n".join(out)


def _nginx_maps(rule: Rule, n: int) -> list[str]:
    lines = [f"# rule '{rule.name}' (rules.yaml line {rule.line})"]
    if rule.filter_text is not None:
        lines.append(
            f"# NOT EXPORTED: the mitmproxy filter {rule.filter_text!r} has no nginx equivalent;"
            " the policy below applies to every request on its paths."
        )
    lines += [f"# {note}" for note in websocket_origin_note(rule, "nginx")]
    star = rule.allow_origins is None
    lines.append(f"map $http_origin $cors_origin_ok_{n} {{")
    if star:
        lines.append('    "~^.+$" 1;')
        if not rule.allow_credentials:  # without Origin too: a cached copy must serve a CORS request
            lines.append('    "" 2;')
    else:
        lines += [f"    {quote('~' + origin_regex(p))} 1;" for p in rule.allow_origins or ()]
        lines += [f"    {quote('~' + regex)} 1;" for regex in origin_regexes(rule)]
    lines += ["    default 0;", "}"]
    # Methods are compared byte for byte, as the addon and browsers do; header names without case.
    lines.append(f"map $http_access_control_request_method $cors_method_ok_{n} {{")
    lines += [f"    {quote('~' + methods_regex(rule))} 1;", "    default 0;", "}"]
    lines.append(f"map $http_access_control_request_headers $cors_headers_ok_{n} {{")
    lines += ['    "" 1;', f"    {quote('~*' + requested_headers_regex(rule))} 1;", "    default 0;", "}"]
    pna = "1" if rule.allow_private_network else "0"
    lines.append(f"map $http_access_control_request_private_network $cors_pna_ok_{n} {{")
    lines += ['    "~*^true$" ' + pna + ";", "    default 1;", "}"]
    # One key per request: origin ok | preflight? | method ok | headers ok | private network ok.
    lines.append(
        f'map "$cors_origin_ok_{n}|$request_method|$http_access_control_request_method|'
        f'$cors_method_ok_{n}|$cors_headers_ok_{n}|$cors_pna_ok_{n}" $cors_action_{n} {{'
    )
    lines += [
        '    "~^1\\|OPTIONS\\|.+\\|1\\|1\\|1$" preflight;',
        '    "~^1\\|OPTIONS\\|.+\\|" refused;',
        '    "~^1\\|" actual;',
        '    "~^2\\|" actual;',
        '    default "";',
        "}",
    ]
    acao = '"*"' if star and not rule.allow_credentials else "$http_origin"
    lines.append(f"map $cors_action_{n} $cors_allow_origin_{n} {{")
    lines += [f"    actual {acao};", '    default "";', "}"]
    if rule.allow_credentials:
        lines.append(f"map $cors_action_{n} $cors_allow_credentials_{n} {{")
        lines += ["    actual true;", '    default "";', "}"]
    expose = rule.expose_value
    if expose:
        lines.append(f"map $cors_action_{n} $cors_expose_{n} {{")
        lines += [f"    actual {quote(expose)};", '    default "";', "}"]
    lines.append("")
    return lines


def _nginx_location(rule: Rule, n: int, upstream: str) -> list[str]:
    lines = [f"# rule '{rule.name}'"]
    if rule.expose_headers is None and rule.allow_credentials:
        lines.append(
            "# NOT EXPORTED: expose_headers '*' with credentials: the addon lists each response's header"
            " names, nginx cannot; list the headers to expose in rules.yaml and export again."
        )
    if rule.preflight is Preflight.FORWARD:
        lines.append("# preflight: forward is exported as answer: nginx answers the preflight itself.")
    lines.append(f"location ~ {quote(path_regex(rule))} {{")
    body = [f"proxy_hide_header {name};" for name in ACCESS_CONTROL_RESPONSE_HEADERS]
    body.append(f"if ($cors_action_{n} = preflight) {{")
    fields, vary = preflight_answer(
        rule, "$http_origin", "$http_access_control_request_method", "$http_access_control_request_headers", False
    )  # an empty value leaves the header out: no Allow-Headers when none were asked for
    if vary:
        fields.append(("Vary", ", ".join(vary)))
    pre = [f"add_header {name} {quote(value)} always;" for name, value in fields]
    if rule.allow_private_network:  # only when asked for, as the addon
        pre.append(
            "add_header Access-Control-Allow-Private-Network $http_access_control_request_private_network always;"
        )
    pre.append(f"return {rule.preflight_status};")
    body += ["    " + line for line in pre] + ["}"]
    body.append(f"add_header Access-Control-Allow-Origin $cors_allow_origin_{n} always;")
    if rule.allow_credentials:
        body.append(f"add_header Access-Control-Allow-Credentials $cors_allow_credentials_{n} always;")
    if rule.expose_value:
        body.append(f"add_header Access-Control-Expose-Headers $cors_expose_{n} always;")
    if rule.reflects_origin:  # on every response of its paths: a cache must not hand one origin's answer to another
        body.append("add_header Vary Origin always;")
    body.append(f"proxy_pass {upstream};")
    return lines + ["    " + line for line in body] + ["}"]
