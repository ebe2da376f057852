"""rules.yaml as Starlette's CORSMiddleware: arguments for Starlette, app code for FastAPI."""

from __future__ import annotations

from addon.core.patterns import split_origins
from addon.core.ruleset import RuleSet
from addon.export.common import origin_regex, star_without_origin_note
from addon.export.websocket import websocket_origin_note


def export_starlette(rules: RuleSet) -> str:
    """Arguments for Starlette's (and FastAPI's) CORSMiddleware, from the first rule."""
    out = [
        f"# CORSMiddleware arguments exported by cors-addon from {rules.source}.",
        "# Starlette:",
        "#     from starlette.middleware.cors import CORSMiddleware",
        "#     app.add_middleware(CORSMiddleware, **cors_args)",
    ]
    if not rules.rules:
        return "\n".join(out + ["cors_args = {}", ""])
    notes, args = _middleware_args(rules)
    out += [f"# {note}" for note in notes]
    rule = rules.rules[0]
    out += [f"# rule '{rule.name}' (rules.yaml line {rule.line})", "cors_args = {"]
    out += [f'    "{name}": {value},' for name, value in args]
    return "\n".join([*out, "}", ""])


def export_fastapi(rules: RuleSet) -> str:
    """FastAPI app code: CORSMiddleware added to `app`, from the first rule."""
    out = [
        f"# FastAPI CORS exported by cors-addon from {rules.source}: paste it after `app = FastAPI()`.",
        "from fastapi.middleware.cors import CORSMiddleware",
        "",
    ]
    if not rules.rules:
        return "\n".join(out + ["# no rules: nothing to add", ""])
    notes, args = _middleware_args(rules)
    out += [f"# {note}" for note in notes]
    rule = rules.rules[0]
    out += [f"# rule '{rule.name}' (rules.yaml line {rule.line})", "app.add_middleware(", "    CORSMiddleware,"]
    out += [f"    {name}={value}," for name, value in args]
    return "\n".join([*out, ")", ""])


def _middleware_args(rules: RuleSet) -> tuple[list[str], list[tuple[str, str]]]:
    """What CORSMiddleware cannot express, and its keyword arguments (as Python source) for the first rule."""
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
    notes += star_without_origin_note(rule, "CORSMiddleware") + websocket_origin_note(rule, "CORSMiddleware")
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
    args = [("allow_origins", repr(["*"] if star else exact))]
    if patterns:
        args.append(("allow_origin_regex", 'r"' + "|".join(f"(?:{p})" for p in patterns) + '"'))
    args.append(("allow_credentials", repr(rule.allow_credentials)))
    args.append(("allow_methods", repr(["*"] if rule.allow_methods is None else sorted(rule.allow_methods))))
    args.append(("allow_headers", repr(["*"] if rule.allow_headers is None else sorted(rule.allow_headers))))
    args.append(("expose_headers", repr(["*"] if rule.expose_headers is None else list(rule.exposed_header_names))))
    args.append(("max_age", str(rule.max_age)))
    return notes, args
