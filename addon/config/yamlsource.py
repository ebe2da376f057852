"""Read YAML keeping the line of every mapping key and list item.

PyYAML is used when importable; mitmproxy's standalone binaries only ship
ruamel.yaml, so that is the fallback. Both expose the same node API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# compose(text) -> node, construct_scalar(node) -> value, the marked error type, the base error type
Backend = tuple[Callable[[str], Any], Callable[[Any], Any], type[Exception], type[Exception]]


class YamlError(ValueError):
    """The text is not valid YAML; `line` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


class LineDict(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]


class LineList(list[Any]):
    """A list that remembers its own line and the line of each item."""

    line: int
    item_lines: list[int]


def _backend() -> Backend:
    try:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 8x faster for 10,000 rules

        def compose(text: str) -> Any:
            return yaml.compose(text, Loader=loader)

        return compose, _scalar_constructor(yaml.SafeLoader("")), yaml.MarkedYAMLError, yaml.YAMLError
    except ImportError:  # pragma: no cover - exercised by the ruamel test
        return _ruamel_backend()


def _ruamel_backend() -> Backend:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    def compose(text: str) -> Any:
        return YAML(typ="safe", pure=True).compose(text)

    return compose, _scalar_constructor(YAML(typ="safe", pure=True).constructor), MarkedYAMLError, YAMLError


def _scalar_constructor(constructor: Any) -> Callable[[Any], Any]:
    """The loader remembers every node it constructed, and sits in reference cycles of its own: for
    10,000 rules that kept ~180,000 objects (21 MB) alive until the next full collection, after
    every load. Forgetting each node at once lets them go with the text."""

    def construct_scalar(node: Any) -> Any:
        try:
            return constructor.construct_object(node, deep=True)
        finally:
            constructor.constructed_objects.clear()

    return construct_scalar


# A rules file is often shared through a team's repository, and hot reload parses it inside the
# running proxy: bounds keep a hostile one (nested aliases, "billion laughs") from stalling it.
MAX_BYTES = 8 * 1024 * 1024  # the 10,000-rule file of bench/ is about 1 MB
MAX_VALUES = 500_000  # values after aliases are expanded; 10,000 rules are about 100,000
MAX_DEPTH = 20  # rules.yaml needs 4: rules -> rule -> field -> list item


def load_yaml(text: str, backend: Backend | None = None) -> Any:
    """Parse `text`; mappings become LineDict, sequences LineList.

    Raises YamlError for a syntax error, a key given twice, or a document beyond the bounds above.
    """
    if len(text) > MAX_BYTES:
        raise YamlError(1, f"the file is larger than {MAX_BYTES:,} bytes, the most a rules file may be")
    compose, construct_scalar, marked_error, any_error = backend or _backend()
    try:
        root = compose(text)
    except marked_error as e:
        mark = e.problem_mark or e.context_mark  # type: ignore[attr-defined]
        line = mark.line + 1 if mark else 1
        column = f" (column {mark.column + 1})" if mark else ""
        raise YamlError(line, f"YAML syntax error: {e.problem or e.context}{column}") from None  # type: ignore[attr-defined]
    except any_error as e:
        raise YamlError(1, f"YAML error: {e}") from None
    if root is None:
        return None
    values = 0

    def convert(node: Any, depth: int = 1) -> Any:
        nonlocal values
        values += 1
        if values > MAX_VALUES:
            raise YamlError(
                node.start_mark.line + 1,
                f"aliases expand to more than {MAX_VALUES:,} values (nested '*' references, a \"billion laughs\" "
                "file?); a rules file needs far fewer",
            )
        if depth > MAX_DEPTH:
            raise YamlError(
                node.start_mark.line + 1,
                f"nested more than {MAX_DEPTH} levels deep (or an alias that contains itself); rules.yaml needs 4",
            )
        if node.id == "mapping":
            result = LineDict()
            result.line = node.start_mark.line + 1
            result.key_lines = {}
            for key_node, value_node in node.value:
                key = convert(key_node, depth + 1)
                key = key if isinstance(key, str) else str(key)
                line = key_node.start_mark.line + 1
                if key in result:
                    raise YamlError(line, f"key '{key}' given twice (first on line {result.key_lines[key]})")
                result[key] = convert(value_node, depth + 1)
                result.key_lines[key] = line
            return result
        if node.id == "sequence":
            items = LineList(convert(item, depth + 1) for item in node.value)
            items.line = node.start_mark.line + 1
            items.item_lines = [item.start_mark.line + 1 for item in node.value]
            return items
        try:
            return construct_scalar(node)
        except any_error as e:
            raise YamlError(node.start_mark.line + 1, f"YAML error: {e}") from None

    return convert(root)
