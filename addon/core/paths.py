"""The `paths:` of rules.yaml: a request path resolved as a server resolves it, a glob compiled once, and
an example path a compiled glob matches (what `cors-addon verify` asks for)."""

from __future__ import annotations

import re
from urllib.parse import unquote


def normalize_path(path: str) -> str | None:
    """The path as a server resolves it: query left out, percent-decoded, dot segments removed (RFC 3986
    5.2.4), so /public/a/..%2F..%2Fprivate is /private. None when it does not decode as UTF-8."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if "%" in path:
        try:
            path = unquote(path, errors="strict")
        except UnicodeDecodeError:
            return None
    if "." not in path:
        return path
    resolved: list[str] = []
    segments = path.split("/")
    for segment in segments:
        if segment == "..":
            if len(resolved) > 1:
                resolved.pop()
        elif segment != ".":
            resolved.append(segment)
    if segments[-1] in (".", ".."):
        resolved.append("")
    return "/".join(resolved) or "/"


def compile_path(glob: str) -> re.Pattern[str]:
    """`*` matches inside one segment, `**` across segments; `/v1/**` also matches `/v1`."""
    if not glob.startswith("/"):
        raise ValueError(f"'{glob}' must start with '/', write '/{glob}'")
    pattern = ""
    for i, part in enumerate(re.split(r"(/\*\*$|\*\*|\*)", glob)):
        if i % 2 == 0:
            pattern += re.escape(part)
        else:
            pattern += {"/**": "(?:/.*)?", "**": ".*", "*": "[^/]*"}[part]
    return re.compile(pattern + r"\Z")


_GLOB_PARTS = (("(?:/.*)?", "/verify"), (".*", "verify"), ("[^/]*", "verify"))


def example_path(pattern: re.Pattern[str]) -> str:
    """A path that a compiled `paths:` glob matches (compile_path backwards): each wildcard is `verify`."""
    text, out, i = pattern.pattern.removesuffix(r"\Z"), "", 0
    while i < len(text):
        if text[i] == "\\":
            out, i = out + text[i + 1], i + 2
            continue
        part = next((p for p in _GLOB_PARTS if text.startswith(p[0], i)), None)
        if part is None:
            out, i = out + text[i], i + 1
        else:
            out, i = out + part[1], i + len(part[0])
    return out or "/"
