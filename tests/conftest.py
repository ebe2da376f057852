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


@pytest.fixture
def write_rules(tmp_path):
    """Write a rules file and return its path."""
    def write(text: str, name: str = "rules.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path
    return write
