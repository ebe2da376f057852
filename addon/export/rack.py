"""rules.yaml as rack-cors configuration (Rails, Sinatra, any Rack app): an `allow` block per rule.

rack-cors takes the first block whose origins match and then looks for a path; the addon takes the
first rule whose path matches. Each block's resource therefore carries an `if:` that asks which rule
the path belongs to, so a later block never answers for an earlier rule's paths.
"""

from __future__ import annotations

from addon.core.ruleset import RuleSet
from addon.export.common import lost_in, origin_regex, origin_regexes, path_regex

STANDARD_METHODS = ("delete", "get", "head", "options", "patch", "post", "put")


def _ruby_regex(pattern: str) -> str:
    """A Python regex anchored with ^ (and maybe $) as a Ruby literal anchored with \\A (and \\z): Ruby's ^
    and $ match at every line."""
    body = pattern.removeprefix("^")
    end = "\\z" if body.endswith("$") else ""
    return "%r{\\A" + body.removesuffix("$") + end + "}"  # %r{} takes balanced braces as they are


def export_rack(rules: RuleSet) -> str:
    out = [
        f"# rack-cors configuration exported by cors-addon from {rules.source}: the first rule whose path",
        "# matches decides, as in the addon.",
        "# Rails (config/initializers/cors.rb):",
        "#     Rails.application.config.middleware.insert_before 0, Rack::Cors, &CORS_RULES",
        "# Rack (config.ru):  use Rack::Cors, &CORS_RULES",
        "# rack-cors answers every preflight with 200 itself; a request no rule covers gets no CORS headers.",
        'require "rack/cors"',
        "",
        "CORS_RULE_PATHS = [",
        *[f"  {_ruby_regex(path_regex(rule))},  # rule '{rule.name}'" for rule in rules.rules],
        "].freeze",
        'CORS_RULE_FOR = ->(env) { CORS_RULE_PATHS.index { |pattern| pattern.match?(env["PATH_INFO"].to_s) } }',
        "",
        "CORS_RULES = proc do",
    ]
    for n, rule in enumerate(rules.rules):
        notes = lost_in(rule, "rack-cors", reflects_methods=False, private_network=False, star_without_origin=False)
        if rule.allow_origins is None:
            # rack-cors refuses '*' with credentials; a block that accepts every origin reflects it instead.
            origins = "origins { |_source, _env| true }" if rule.allow_credentials else 'origins "*"'
        else:
            # Every origin as an anchored regex: rack-cors rewrites a string without http(s):// (an app's
            # capacitor://localhost, null) into a pattern of its own.
            regexes = [origin_regex(pattern) for pattern in rule.allow_origins] + origin_regexes(rule)
            listed = [_ruby_regex(r) for r in regexes]
            origins = "origins " + ", ".join(listed) if listed else "origins { |_source, _env| false }"
        options = ["headers: " + (":any" if rule.allow_headers is None else repr(list(rule.allowed_header_names)))]
        methods = STANDARD_METHODS if rule.allow_methods is None else sorted(m.lower() for m in rule.allow_methods)
        options.append("methods: [" + ", ".join(f":{m}" if m.isidentifier() else f'"{m}"' for m in methods) + "]")
        options.append(f"credentials: {'true' if rule.allow_credentials else 'false'}")
        if rule.expose_headers is not None:
            options.append(f"expose: {list(rule.exposed_header_names)!r}")
        elif not rule.allow_credentials:
            options.append('expose: ["*"]')
        options.append(f"max_age: {rule.max_age}")
        options.append(f"if: ->(env) {{ CORS_RULE_FOR.(env) == {n} }}")
        out += [f"  # rule '{rule.name}' (rules.yaml line {rule.line})", *[f"  # {note}" for note in notes]]
        out += ["  allow do", f"    {origins}", f'    resource "*", {", ".join(options)}', "  end"]
    out += ["end", ""]
    return "\n".join(out)
