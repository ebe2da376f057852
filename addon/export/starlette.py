"""rules.yaml as CORSMiddleware arguments (Starlette, FastAPI)."""

from __future__ import annotations

from ..patterns import split_origins
from ..rules import RuleSet
from .common import origin_regex


def export_starlette(rules: RuleSet) -> str:
    """Arguments for Starlette's (and FastAPI's) CORSMiddleware, from the first rule."""
    out = [
        f"# CORSMiddleware arguments exported by cors-addon from {rules.source}.",
        "# Starlette / FastAPI:",
        "#     from starlette.middleware.cors import CORSMiddleware",
        "#     app.add_middleware(CORSMiddleware, **cors_args)",
    ]
    if not rules.rules:
        return "\n".join(out + ["cors_args = {}", ""])
    rule = rules.rules[0]
    notes = []
    for other in rules.rules[1:]:
        notes.append(
            f"NOT EXPORTED: rule '{other.name}': CORSMiddleware applies one policy to the whole app; "
            "give that API its own app or middleware."
        )
    if rule.paths is not None:
        notes.append(f"rule '{rule.name}' applies to some paths only; CORSMiddleware applies it to every path.")
    if rule.filter_text is not None:
        notes.append(f"NOT EXPORTED: the filter {rule.filter_text!r}; CORSMiddleware applies to every request.")
    star = rule.allow_origins is None
    exact, globs = split_origins(rule.allow_origins or ())
    patterns = [origin_regex(pattern)[1:-1] for pattern in globs]  # CORSMiddleware uses fullmatch
    patterns += [pattern.pattern for pattern in rule.allow_origin_regex]
    if star and rule.allow_credentials:
        notes.append(
            "allow_origins '*' with credentials: CORSMiddleware then reflects the origin only for requests"
            " that carry cookies; the addon reflects it always."
        )
    if rule.allow_methods is None:
        notes.append("allow_methods '*': CORSMiddleware allows the standard methods only (not custom ones).")
    if rule.expose_headers is None:
        notes.append(
            "expose_headers '*': CORSMiddleware sends a literal '*', which browsers ignore with credentials;"
            " the addon lists the response's header names then."
        )
    if rule.allow_private_network:
        notes.append("NOT EXPORTED: allow_private_network: CORSMiddleware does not answer private network requests.")
    args = [f'    "allow_origins": {["*"] if star else exact!r},']
    if patterns:
        args.append(f'    "allow_origin_regex": r"{"|".join(f"(?:{p})" for p in patterns)}",')
    args.append(f'    "allow_credentials": {rule.allow_credentials!r},')
    args.append(f'    "allow_methods": {["*"] if rule.allow_methods is None else sorted(rule.allow_methods)!r},')
    args.append(f'    "allow_headers": {["*"] if rule.allow_headers is None else sorted(rule.allow_headers)!r},')
    expose = ["*"] if rule.expose_headers is None else list(rule.exposed_header_names)
    args.append(f'    "expose_headers": {expose!r},')
    args.append(f'    "max_age": {rule.max_age},')
    out += [f"# {note}" for note in notes]
    out += [f"# rule '{rule.name}' (rules.yaml line {rule.line})", "cors_args = {", *args, "}", ""]
    return "\n".join(out)
