"""rules.yaml as an options delegate for the Express cors() middleware."""

from __future__ import annotations

import json

from addon.core.patterns import split_origins
from addon.core.ruleset import RuleSet
from addon.export.common import lost_in, origin_regex, origin_regexes


def _js_regex(pattern: str) -> str:
    return "/" + pattern.replace("/", "\\/") + "/"


def export_express(rules: RuleSet) -> str:
    """A cors() options delegate for Express: every rule, first path match decides, as in the addon."""
    out = [
        f"// cors() options exported by cors-addon from {rules.source}: the first rule whose path matches"
        " decides, as in the addon.",
        '// Express:  const cors = require("cors");',
        '//           app.use(cors(require("./cors-rules.js").corsOptions));',
        "// A request no rule covers passes on untouched.",
        *js_rules(rules, "cors()"),
        "",
        "function corsOptions(req, callback) {",
        "  const rule = rules.find((r) => r.paths === null || r.paths.some((p) => p.test(req.path)));",
        "  if (!rule) return callback(null, { origin: false });",
        "  callback(null, {",
        "    origin: rule.origin, credentials: rule.credentials, maxAge: rule.maxAge,",
        '    // "*" in rules.yaml: answer what the preflight asks for, as the addon does.',
        '    methods: rule.methods ?? (req.headers["access-control-request-method"] || ""),',
        "    allowedHeaders: rule.allowedHeaders ?? undefined,",
        "    exposedHeaders: rule.exposedHeaders ?? undefined,",
        "    preflightContinue: false, optionsSuccessStatus: rule.preflightStatus,",
        "  });",
        "}",
        "",
        "module.exports = { corsOptions };",
        "",
    ]
    return "\n".join(out)


def js_rules(rules: RuleSet, library: str) -> list[str]:
    """`const rules = [...]`: each rule's paths, origins and options as JavaScript, with what `library`
    (cors(), @fastify/cors) cannot express said in comments."""
    entries = []
    for rule in rules.rules:
        notes = lost_in(rule, library, reflects_methods=True, private_network=False)
        if rule.allow_origins is None:
            origin = "true" if rule.allow_credentials else '"*"'
        else:
            exact, globs = split_origins(rule.allow_origins)
            parts = [*map(json.dumps, exact), *(_js_regex(origin_regex(pattern)) for pattern in globs)]
            parts += [_js_regex(regex) for regex in origin_regexes(rule)]
            origin = "[" + ", ".join(parts) + "]"
        paths = (
            "null"
            if rule.paths is None
            else "[" + ", ".join(_js_regex("^" + p.pattern.replace(r"\Z", "") + "$") for p in rule.paths) + "]"
        )
        allowed_headers = "null" if rule.allow_headers is None else json.dumps(list(rule.allowed_header_names))
        methods = "null" if rule.allow_methods is None else json.dumps(sorted(rule.allow_methods))
        if rule.expose_headers is None:
            exposed = "null" if rule.allow_credentials else '"*"'
        else:
            exposed = json.dumps(list(rule.exposed_header_names))
        entries += [
            f"  // rule '{rule.name}' (rules.yaml line {rule.line})",
            *[f"  // {note}" for note in notes],
            f"  {{ paths: {paths}, origin: {origin}, credentials: {json.dumps(rule.allow_credentials)},",
            f"    methods: {methods}, allowedHeaders: {allowed_headers}, exposedHeaders: {exposed},",
            f"    maxAge: {rule.max_age}, preflightStatus: {rule.preflight_status} }},",
        ]
    return ["const rules = [", *entries, "];"]
