"""rules.yaml as an Apache httpd virtual host in front of the API: mod_rewrite decides, rule by rule,
and answers preflights; mod_headers writes the answer (`always`, so error responses get it too)."""

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
        "    # On every response of a path whose answer depends on Origin: a cache must not hand one origin's",
        "    # answer to another.",
        "    Header always merge Vary Origin env=CORS_VARY",
        f"    RewriteRule ^/?(.*)$ {upstream}/$1 [P,L]",
        f"    ProxyPassReverse / {upstream}/",
        "</VirtualHost>",
        "",
    ]
    return "\n".join(out)


def _rewrites(rule: Rule, n: int) -> list[str]:
    """Which rule the path belongs to (CORS_RULE), and whether this is a preflight it answers (then 204
    here, the server never asked) or a request it allows."""
    lines = [f"# rule '{rule.name}' (rules.yaml line {rule.line})"]
    lines += [f"# {note}" for note in lost_in(rule, "Apache", reflects_methods=True, private_network=True)]
    origin = f"RewriteCond %{{HTTP:Origin}} {double_quoted(origins_regex(rule))}"
    vary = ",E=CORS_VARY:1" if rule.reflects_origin else ""
    lines += [
        "RewriteCond %{ENV:CORS_RULE} ^$",
        f"RewriteRule {double_quoted(path_regex(rule))} - [E=CORS_RULE:{n}{vary}]",
        f"RewriteCond %{{ENV:CORS_RULE}} ={n}",
        origin,
        "RewriteCond %{REQUEST_METHOD} =OPTIONS",
        f"RewriteCond %{{HTTP:Access-Control-Request-Method}} {double_quoted(methods_regex(rule))}",
        "RewriteCond %{HTTP:Access-Control-Request-Headers} ^$ [OR]",
        f"RewriteCond %{{HTTP:Access-Control-Request-Headers}} {double_quoted(requested_headers_regex(rule))} [NC]",
    ]
    if not rule.allow_private_network:
        lines.append("RewriteCond %{HTTP:Access-Control-Request-Private-Network} !^true$ [NC]")
    lines += [
        f"RewriteRule ^ - [E=CORS_PREFLIGHT_{n}:1,R={rule.preflight_status},L]",
        f"RewriteCond %{{ENV:CORS_RULE}} ={n}",
    ]
    if rule.reflects_origin:
        lines += [origin, "RewriteCond %{REQUEST_METHOD}:%{HTTP:Access-Control-Request-Method} !^OPTIONS:."]
    else:  # '*' without credentials: also without Origin, so a cached copy serves a CORS request
        lines.append(
            'RewriteCond "%{REQUEST_METHOD}:%{HTTP:Access-Control-Request-Method}:%{HTTP:Origin}" "!^OPTIONS:[^:]+:."'
        )
    lines.append(f"RewriteRule ^ - [E=CORS_ACTUAL_{n}:1]")
    return lines


def _headers(rule: Rule, n: int) -> list[str]:
    # mod_headers' own %{...}i is not a request header; expr= reads one.
    answer = preflight_fields(
        rule,
        "expr=%{req:Origin}",
        "expr=%{req:Access-Control-Request-Method}",
        "expr=%{req:Access-Control-Request-Headers}",
    )
    lines = [f"# rule '{rule.name}'"]
    lines += [f"Header always set {name} {double_quoted(value)} env=CORS_PREFLIGHT_{n}" for name, value in answer]
    lines += [
        f"Header always set {name} {double_quoted(value)} env=CORS_ACTUAL_{n}"
        for name, value in actual_fields(rule, "expr=%{req:Origin}")
    ]
    return lines
