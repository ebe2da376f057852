"""rules.yaml as an Apache httpd virtual host in front of the API: mod_rewrite decides, rule by rule,
and answers preflights; mod_headers writes the answer (`always`, so error responses get it too)."""

from __future__ import annotations

import re

from ..rule import Preflight, Rule
from ..rules import RuleSet
from .caddy import TOKEN, origins_regex
from .common import ACCESS_CONTROL_RESPONSE_HEADERS, names_regex, path_regex


def _q(value: str) -> str:
    return '"' + value.replace('"', '\\"') + '"'


def export_apache(rules: RuleSet, listen: str = "127.0.0.1:8080", upstream: str = "http://127.0.0.1:8000") -> str:
    upstream = upstream.rstrip("/")
    out = [
        f"# CORS policy exported by cors-addon from {rules.source}: the addon's decisions, rule by rule.",
        "# Needs mod_rewrite, mod_headers, mod_proxy and mod_proxy_http (a2enmod rewrite headers proxy_http).",
        f"# A virtual host in front of the API ({upstream}); change Listen and the upstream, or copy the",
        "# rewrite rules and Header lines into yours. The first rule whose path matches decides.",
        "# Check it with: apachectl -t",
        f"Listen {listen}",
        f"<VirtualHost {listen}>",
        "    RewriteEngine On",
    ]
    headers = [f"Header unset {name} env=CORS_RULE" for name in ACCESS_CONTROL_RESPONSE_HEADERS]
    for n, rule in enumerate(rules.rules):
        out += ["    " + line for line in _rewrites(rule, n)]
        headers += _headers(rule, n)
    out += [
        "    # The server's own Access-Control-* headers are replaced on covered paths; `always` puts ours on",
        "    # error responses (401, 500) and on the answered preflight too.",
        *["    " + line for line in headers],
        f"    RewriteRule ^/?(.*)$ {upstream}/$1 [P,L]",
        f"    ProxyPassReverse / {upstream}/",
        "</VirtualHost>",
        "",
    ]
    return "\n".join(out)


def _rewrites(rule: Rule, n: int) -> list[str]:
    lines = [f"# rule '{rule.name}' (rules.yaml line {rule.line})"]
    if rule.filter_text is not None:
        lines.append(
            f"# NOT EXPORTED: the mitmproxy filter {rule.filter_text!r}; this applies to every request on its paths."
        )
    if rule.expose_headers is None and rule.allow_credentials:
        lines.append("# NOT EXPORTED: expose_headers '*' with credentials (the addon lists each response's names).")
    if rule.preflight is Preflight.FORWARD:
        lines.append("# preflight: forward is exported as answer: Apache answers the preflight itself.")
    methods = (
        f"^{TOKEN}$"
        if rule.allow_methods is None
        else "^(?:" + "|".join(re.escape(m) for m in sorted(rule.allow_methods)) + ")$"
    )
    requested = r"^\s*" + TOKEN + r"(?:\s*,\s*" + TOKEN + r")*\s*$"
    if rule.allow_headers is not None:
        requested = names_regex(sorted(rule.allowed_header_names))
    origin = f"RewriteCond %{{HTTP:Origin}} {_q(origins_regex(rule))}"
    lines += [
        "RewriteCond %{ENV:CORS_RULE} ^$",
        f"RewriteRule {_q(path_regex(rule))} - [E=CORS_RULE:{n}]",
        f"RewriteCond %{{ENV:CORS_RULE}} ={n}",
        origin,
        "RewriteCond %{REQUEST_METHOD} =OPTIONS",
        f"RewriteCond %{{HTTP:Access-Control-Request-Method}} {_q(methods)}",
        "RewriteCond %{HTTP:Access-Control-Request-Headers} ^$ [OR]",
        f"RewriteCond %{{HTTP:Access-Control-Request-Headers}} {_q(requested)} [NC]",
    ]
    if not rule.allow_private_network:
        lines.append("RewriteCond %{HTTP:Access-Control-Request-Private-Network} !^true$ [NC]")
    lines += [
        f"RewriteRule ^ - [E=CORS_PREFLIGHT_{n}:1,R={rule.preflight_status},L]",
        f"RewriteCond %{{ENV:CORS_RULE}} ={n}",
        origin,
        "RewriteCond %{REQUEST_METHOD}:%{HTTP:Access-Control-Request-Method} !^OPTIONS:.",
        f"RewriteRule ^ - [E=CORS_ACTUAL_{n}:1]",
    ]
    return lines


def _headers(rule: Rule, n: int) -> list[str]:
    reflect = rule.allow_origins is not None or rule.allow_credentials
    allow_origin = _q("expr=%{req:Origin}" if reflect else "*")
    pre, vary = [f"Access-Control-Allow-Origin {allow_origin}"], ["Origin"] if reflect else []
    if rule.allow_credentials:
        pre.append("Access-Control-Allow-Credentials true")
    if rule.allow_methods is None:
        pre.append('Access-Control-Allow-Methods "expr=%{req:Access-Control-Request-Method}"')
        vary.append("Access-Control-Request-Method")
    else:
        pre.append(f"Access-Control-Allow-Methods {_q(rule.allow_methods_value)}")
    if rule.allow_headers is None:
        pre.append('Access-Control-Allow-Headers "expr=%{req:Access-Control-Request-Headers}"')
        vary.append("Access-Control-Request-Headers")
    else:
        pre.append(f"Access-Control-Allow-Headers {_q(', '.join(rule.allowed_header_names))}")
    pre.append(f"Access-Control-Max-Age {rule.max_age}")
    if rule.allow_private_network:
        pre.append("Access-Control-Allow-Private-Network true")
    if vary:
        pre.append(f"Vary {_q(', '.join(vary))}")
    actual = [f"Access-Control-Allow-Origin {allow_origin}"]
    if rule.allow_credentials:
        actual.append("Access-Control-Allow-Credentials true")
    if rule.expose_headers is not None and rule.exposed_header_names:
        actual.append(f"Access-Control-Expose-Headers {_q(', '.join(rule.exposed_header_names))}")
    elif rule.expose_headers is None and not rule.allow_credentials:
        actual.append('Access-Control-Expose-Headers "*"')
    lines = [f"# rule '{rule.name}'"]
    lines += [f"Header always set {line} env=CORS_PREFLIGHT_{n}" for line in pre]
    lines += [f"Header always set {line} env=CORS_ACTUAL_{n}" for line in actual]
    if reflect:
        lines.append(f"Header always merge Vary Origin env=CORS_ACTUAL_{n}")
    return lines
