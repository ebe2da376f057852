"""allow_origin_regex: regular expressions an Origin must match whole, checked at load.

The classic mistakes are warned about: an unescaped '.' (it matches any character) and a
pattern that also matches a lookalike host such as https://example.com.evil.example.
"""

from __future__ import annotations

import re

from addon.core.patterns import REGEX_HOST_TOKEN

_UNESCAPED_DOT = re.compile(r"(?<=[a-z0-9])(?<!\\)\.(?=[a-z0-9])", re.IGNORECASE)  # api.example: '.' is "any"
_LOOKALIKES = ("{scheme}://{host}.evil.example", "{scheme}://evil-{host}", "{scheme}://{host}evil.example")


def compile_origin_regex(text: str) -> tuple[re.Pattern[str], list[str]]:
    """The compiled pattern and warnings about it. Raises ValueError when it is no regular expression."""
    try:
        pattern = re.compile(text)
    except re.error as e:
        raise ValueError(f"{text!r} is not a regular expression: {e}") from None
    warnings = []
    dot = _UNESCAPED_DOT.search(text)
    if dot is not None:
        example = text[: dot.start()] + "x" + text[dot.end() :]
        warnings.append(
            f"{text!r}: an unescaped '.' matches any character ({example!r} matches too); write '\\.' for a dot"
        )
    for token in REGEX_HOST_TOKEN.findall(text):
        host = token.replace("\\.", ".")
        probes = [form.format(scheme=scheme, host=host) for form in _LOOKALIKES for scheme in ("https", "http")]
        matched = next((probe for probe in probes if pattern.fullmatch(probe)), None)
        if matched is not None:
            warnings.append(
                f"{text!r} also matches {matched!r}, a site that is not {host}; end the pattern with the host, "
                f"e.g. 'https://([a-z0-9-]+\\.)*{token}'"
            )
            break
    return pattern, warnings
