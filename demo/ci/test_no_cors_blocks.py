"""CORS in CI: record a HAR of the page in Playwright, then fail the build on a CORS block.

Copy this into your own end-to-end tests. APP_URL is the page under test; CHROMIUM and
CHROMIUM_ARGS a browser binary and its flags, for when Playwright's own browser is not installed.
`cors-addon explain` exits 1 when a call is blocked in every credentials mode the file allows, and
prints the summary: per origin and host, each reason with its fix.
"""

import os
import shlex
import subprocess

from playwright.sync_api import sync_playwright

APP_URL = os.environ.get("APP_URL", "http://localhost:3000/")


def test_the_page_makes_no_call_the_browser_blocks_for_cors(tmp_path):
    har = tmp_path / "page.har"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM") or None, args=shlex.split(os.environ.get("CHROMIUM_ARGS", ""))
        )
        context = browser.new_context(record_har_path=str(har))
        page = context.new_page()
        page.goto(APP_URL)
        page.wait_for_load_state("networkidle")
        context.close()  # writes the HAR
        browser.close()
    result = subprocess.run(["cors-addon", "explain", "--blocked", str(har)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
