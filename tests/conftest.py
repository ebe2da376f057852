import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def pytest_report_header(config):
    try:
        from mitmproxy.version import VERSION
    except ImportError:
        VERSION = "not installed"
    return f"mitmproxy {VERSION}"


def require_tool(name: str) -> str:
    """The tool's path; under CI=true a missing tool fails the run instead of skipping."""
    import os
    import shutil

    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing: .ci/run (make test) must install it")
        pytest.skip(f"{name} not installed (make test installs it)")
    return path


@pytest.fixture
def write_rules(tmp_path):
    """Write a rules file and return its path."""

    def write(text: str, name: str = "rules.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write
