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


@pytest.fixture(scope="module")
def fronts(tmp_path_factory):
    """The API, a page origin and a Chromium without a proxy, shared by the equivalence suites."""
    from support.browser import PageServer, launch, require_chromium
    from support.upstream import Upstream

    require_chromium()
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("equivalence")
    with Upstream() as api, sync_playwright() as playwright:
        page_server = PageServer()
        chromium = launch(playwright)
        yield {"api": api, "folder": folder, "chromium": chromium, "page_origin": page_server.origin}
        chromium.close()
        page_server.close()
