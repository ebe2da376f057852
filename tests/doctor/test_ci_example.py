"""The "CORS in CI" example of README.md (demo/ci/test_no_cors_blocks.py), run as a team would run it:
pytest on a page that calls an API, with Playwright recording the HAR and `cors-addon explain` judging it."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from support.browser import CHROMIUM_FLAGS, PageServer, require_chromium
from support.net import NO_OUTSIDE_LOOKUPS
from support.proxy import ROOT
from support.upstream import Upstream

EXAMPLE = ROOT / "demo" / "ci" / "test_no_cors_blocks.py"


def page_calling(urls: list[str]) -> str:
    calls = json.dumps(urls)
    return f"<!doctype html><title>app</title><script>for (const url of {calls}) fetch(url).catch(() => null);</script>"


def run_example(tmp_path: Path, urls: list[str]) -> subprocess.CompletedProcess:
    server = PageServer(page_calling(urls))
    env = {
        **os.environ,
        "APP_URL": server.origin + "/",
        "CHROMIUM": require_chromium(),
        "CHROMIUM_ARGS": shlex.join([*CHROMIUM_FLAGS, NO_OUTSIDE_LOOKUPS]),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # cors-addon, as installed
    }
    try:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE)],
            env=env,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
    finally:
        server.close()


@pytest.mark.browser
def test_the_ci_example_fails_the_build_on_a_cors_block_and_passes_without_one(tmp_path):
    with Upstream() as api:
        base = f"http://127.0.0.1:{api.port}"
        failing = run_example(tmp_path, [f"{base}/acao/star", f"{base}/items"])
        passing = run_example(tmp_path, [f"{base}/acao/star"])
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "Summary: 2 cross-origin calls: 1 pass, 1 blocked" in failing.stdout
    assert f"GET {base}/items from http://localhost:" in failing.stdout
    assert "blocked (x1): the browser blocked it (net::ERR_FAILED); the file does not show which" in failing.stdout
    assert passing.returncode == 0, passing.stdout + passing.stderr
