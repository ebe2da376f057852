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


@pytest.fixture(scope="module")
def fronts(tmp_path_factory):
    """The API, a page origin and a Chromium without a proxy, shared by the equivalence suites."""
    from browser import PageServer, launch, require_chromium
    from upstream import Upstream

    require_chromium()
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("equivalence")
    with Upstream() as api, sync_playwright() as playwright:
        page_server = PageServer()
        chromium = launch(playwright)
        yield {"api": api, "folder": folder, "chromium": chromium, "page_origin": page_server.origin}
        chromium.close()
        page_server.close()
