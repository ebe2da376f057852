"""rules.yaml as Go net/http middleware built on rs/cors: one cors.Cors per rule, chosen by path."""

from __future__ import annotations

import json

from addon.core.rule import Rule
from addon.core.ruleset import RuleSet
from addon.export.common import lost_in, origins_regex, path_regex

STANDARD_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def export_go(rules: RuleSet) -> str:
    out = [
        f"// CORS middleware exported by cors-addon from {rules.source}: the first rule whose path matches",
        "// decides, as in the addon. Go (github.com/rs/cors):",
        "//     http.ListenAndServe(addr, corsHandler(yourHandler))",
        "// rs/cors answers every preflight with 200 itself; a request no rule covers passes on untouched.",
        "// Change the package name to yours.",
        "package main",
        "",
        "import (",
        '\t"net/http"',
        '\t"regexp"',
        "",
        '\t"github.com/rs/cors"',
        ")",
        "",
        "type corsRule struct {",
        "\tpaths *regexp.Regexp",
        "\tcors  *cors.Cors",
        "}",
        "",
        "var corsRules = []corsRule{",
    ]
    for rule in rules.rules:
        notes = lost_in(rule, "rs/cors", reflects_methods=False, private_network=False, star_without_origin=False)
        out += [f"\t// rule '{rule.name}' (rules.yaml line {rule.line})", *[f"\t// {note}" for note in notes]]
        out += [f"\t{{regexp.MustCompile({json.dumps(path_regex(rule))}), cors.New(cors.Options{{"]
        out += [f"\t\t{line}" for line in _options(rule)]
        out.append("\t})},")
    out += [
        "}",
        "",
        "func corsHandler(next http.Handler) http.Handler {",
        "\thandlers := make([]http.Handler, len(corsRules))",
        "\tfor i, rule := range corsRules {",
        "\t\thandlers[i] = rule.cors.Handler(next)",
        "\t}",
        "\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {",
        "\t\tfor i, rule := range corsRules {",
        "\t\t\tif rule.paths.MatchString(r.URL.Path) {",
        "\t\t\t\thandlers[i].ServeHTTP(w, r)",
        "\t\t\t\treturn",
        "\t\t\t}",
        "\t\t}",
        "\t\tnext.ServeHTTP(w, r)",
        "\t})",
        "}",
        "",
    ]
    return "\n".join(out)


def _options(rule: Rule) -> list[str]:
    """The cors.Options fields of one rule."""
    if rule.allow_origins is None and not rule.allow_credentials:
        options = ['AllowedOrigins: []string{"*"},']
    elif rule.allow_origins is None:  # with credentials: the origin is reflected, never '*'
        options = ["AllowOriginFunc: func(string) bool { return true },"]
    else:
        options = [f"AllowOriginFunc: regexp.MustCompile({json.dumps(origins_regex(rule))}).MatchString,"]
    methods = STANDARD_METHODS if rule.allow_methods is None else sorted(rule.allow_methods)
    options += [
        f"AllowedMethods: []string{{{', '.join(json.dumps(m) for m in methods)}}},",
        "AllowedHeaders: []string{"
        + ('"*"' if rule.allow_headers is None else ", ".join(json.dumps(h) for h in rule.allowed_header_names))
        + "},",
    ]
    if rule.expose_headers is not None and rule.exposed_header_names:
        options.append(f"ExposedHeaders: []string{{{', '.join(json.dumps(h) for h in rule.exposed_header_names)}}},")
    elif rule.expose_headers is None and not rule.allow_credentials:
        options.append('ExposedHeaders: []string{"*"},')
    options.append(f"AllowCredentials: {'true' if rule.allow_credentials else 'false'},")
    options.append(f"MaxAge: {rule.max_age},")
    return options
