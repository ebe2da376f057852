"""rules.yaml as an options delegator for the Fastify @fastify/cors plugin."""

from __future__ import annotations

from addon.core.ruleset import RuleSet
from addon.export.express import js_rules


def export_fastify(rules: RuleSet) -> str:
    """A @fastify/cors delegator: every rule, first path match decides, as in the addon."""
    out = [
        f"// @fastify/cors options exported by cors-addon from {rules.source}: the first rule whose path"
        " matches decides, as in the addon.",
        '// Fastify:  await fastify.register(require("@fastify/cors"),',
        '//             { delegator: require("./cors-rules.js").corsDelegator });',
        "// A request no rule covers gets no CORS headers.",
        *js_rules(rules, "@fastify/cors"),
        "",
        "function corsDelegator(req, callback) {",
        '  const path = req.url.split("?")[0];',
        "  const rule = rules.find((r) => r.paths === null || r.paths.some((p) => p.test(path)));",
        "  if (!rule) return callback(null, { origin: false });",
        "  callback(null, {",
        "    origin: rule.origin, credentials: rule.credentials, maxAge: rule.maxAge,",
        '    // "*" in rules.yaml: answer what the preflight asks for, as the addon does.',
        '    methods: rule.methods ?? (req.headers["access-control-request-method"] || ""),',
        "    allowedHeaders: rule.allowedHeaders, exposedHeaders: rule.exposedHeaders,",
        "    optionsSuccessStatus: rule.preflightStatus,",
        "  });",
        "}",
        "",
        "module.exports = { corsDelegator };",
        "",
    ]
    return "\n".join(out)
