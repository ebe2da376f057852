"""Which server stack answered, as far as its response says, and the export that fits it (pure)."""

from __future__ import annotations

from collections.abc import Sequence

# (response header, what its value contains, lowercase; the exports that fit). First match wins.
SIGNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("x-powered-by", "express", ("express",)),
    ("x-powered-by", "phusion passenger", ("rack",)),
    ("server", "nginx", ("nginx",)),
    ("server", "openresty", ("nginx",)),
    ("server", "caddy", ("caddy",)),
    ("server", "apache", ("apache",)),
    ("server", "werkzeug", ("flask",)),
    ("server", "uvicorn", ("fastapi", "starlette")),
    ("server", "hypercorn", ("fastapi", "starlette")),
    ("server", "daphne", ("django",)),
    ("server", "webrick", ("rack",)),
    ("server", "puma", ("rack",)),
    ("server", "passenger", ("rack",)),
    ("x-runtime", "", ("rack",)),  # Rails and other Rack apps time each request
)


def fitting_exports(headers: Sequence[tuple[str, str]]) -> tuple[tuple[str, ...], str] | None:
    """The exports that fit the server that sent these headers, and the header that says so."""
    lowered = [(name.lower(), value) for name, value in headers]
    for header, sign, targets in SIGNS:
        for name, value in lowered:
            if name == header and sign in value.lower():
                return targets, f"{name.title()}: {value}"
    return None


def permanent_fix(headers: Sequence[tuple[str, str]], rules: str = "rules.yaml") -> str | None:
    """'the permanent fix: cors-addon export nginx rules.yaml (the response says Server: nginx/1.22)'."""
    found = fitting_exports(headers)
    if found is None:
        return None
    targets, evidence = found
    commands = " or ".join(f"`cors-addon export {target} {rules}`" for target in targets)
    return f"the permanent fix, on the server: {commands} (the response says {evidence})"
