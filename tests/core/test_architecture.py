"""The plan of the house (docs/architecture.md), checked: which room may import which, mitmproxy only in
the shell, and rooms small enough to read."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parents[2] / "addon"
# Each room imports itself and the rooms listed here; every import points down this table.
MAY_IMPORT = {
    "core": set(),
    "config": {"core"},
    "doctor": {"core"},
    "answer": {"core", "doctor"},
    "export": {"core"},
    "probe": {"core", "doctor", "answer"},
    "mitm": {"core", "config", "doctor", "answer", "export"},
}
SHELL = ("mitm", "script", "__main__")  # may import mitmproxy (the CLI only to read flow files)
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 260


def modules():
    return sorted(ADDON.rglob("*.py"))


def room(path: Path) -> str:
    parts = path.relative_to(ADDON).with_suffix("").parts
    return parts[0]


def imported(path: Path) -> set[str]:
    """Every module name the file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import; the rooms use absolute imports"
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ADDON)))
def test_each_room_imports_only_the_rooms_below_it(path):
    here = room(path)
    if here not in MAY_IMPORT:
        return  # the entry points (script, CLI, package docstring) sit on top of everything
    allowed = MAY_IMPORT[here] | {here}
    wrong = sorted(n for n in imported(path) if n.startswith("addon.") and n.split(".")[1] not in allowed)
    assert not wrong, f"{path.relative_to(ADDON)} ({here}) imports {wrong}; it may import {sorted(allowed)}"


def test_the_table_has_no_cycle():
    seen, order = set(), []

    def visit(name, trail):
        assert name not in trail, f"rooms import each other: {' -> '.join([*trail, name])}"
        if name not in seen:
            for below in MAY_IMPORT[name]:
                visit(below, [*trail, name])
            seen.add(name)
            order.append(name)

    for name in MAY_IMPORT:
        visit(name, [])
    assert set(order) == set(MAY_IMPORT)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ADDON)))
def test_only_the_shell_imports_mitmproxy(path):
    if room(path) in SHELL:
        return
    found = sorted(n for n in imported(path) if n == "mitmproxy" or n.startswith("mitmproxy."))
    assert not found, f"{path.relative_to(ADDON)} imports {found}: only addon/mitm/ may"


def test_importing_every_pure_room_loads_no_mitmproxy():
    pure = [
        ".".join(p.relative_to(ADDON.parent).with_suffix("").parts)
        for p in modules()
        if room(p) in {"core", "config", "doctor", "answer", "export", "probe"} and p.name != "__init__.py"
    ]
    code = f"import sys; import {', '.join(pure)}; print(sorted(m for m in sys.modules if m.startswith('mitmproxy')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ADDON.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    assert len(pure) > 25  # the list is the real one, not an empty glob


def test_the_decision_core_does_not_pull_in_the_yaml_reader():
    code = (
        "import sys, addon.core.policy; print(sorted(m for m in sys.modules if m.startswith(('addon.config', 'yaml'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ADDON.parent)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ADDON)))
def test_rooms_stay_small(path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path.name}: split it"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{path.name}: {long}"
