"""What every exporter needs: origins and paths as regexes, quoting."""

from __future__ import annotations

import re

from ..patterns import ANY_PORT, DEFAULT_PORTS, OriginPattern
from ..rule import Rule

ACCESS_CONTROL_RESPONSE_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Allow-Private-Network",
)


def origin_regex(pattern: OriginPattern) -> str:
    """An anchored regex for one allow_origins entry (browsers send origins lowercase)."""
    if pattern.scheme == "null":
        return "^null$"
    host = re.escape(pattern.host)
    if pattern.subdomains:
        host = r"([a-z0-9-]+\.)+" + host
    if pattern.port == ANY_PORT:
        port = "(:[0-9]+)?"
    elif DEFAULT_PORTS.get(pattern.scheme, 0) == pattern.port:
        port = ""
    else:
        port = f":{pattern.port}"
    return f"^{re.escape(pattern.scheme)}://{host}{port}$"


def origin_regexes(rule: Rule) -> list[str]:
    """allow_origin_regex, each anchored: the addon matches them whole."""
    return [f"^(?:{pattern.pattern})$" for pattern in rule.allow_origin_regex]


def path_regex(rule: Rule) -> str:
    if rule.paths is None:
        return "^/"
    return "^(?:" + "|".join(p.pattern.replace(r"\Z", "") for p in rule.paths) + r")(?:\?.*)?$"


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def names_regex(names: list[str]) -> str:
    alternatives = "|".join(re.escape(n) for n in names)
    return rf"^\s*(?:{alternatives})(?:\s*,\s*(?:{alternatives}))*\s*$"
