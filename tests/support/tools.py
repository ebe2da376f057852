"""The system tools the suites drive (browsers, servers, checkers): found, or why not."""

import os
import shutil

import pytest


def require_tool(name: str) -> str:
    """The tool's path; under CI=true a missing tool fails the run instead of skipping."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing: .ci/run (make test) must install it")
        pytest.skip(f"{name} not installed (make test installs it)")
    return path
