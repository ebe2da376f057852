"""DevTools' own "Save all as HAR": Chromium's bundled front end, served on its remote-debugging port, attached
to a page, and its HAR builder asked for the file."""

from __future__ import annotations

import contextlib
from pathlib import Path

from support.browser import CHROMIUM_FLAGS, PageServer, require_chromium
from support.net import NO_OUTSIDE_LOOKUPS

RECORDED = """async (part) => {
  try {
    const Logs = await import('./models/logs/logs.js');
    return Logs.NetworkLog.NetworkLog.instance().requests().some(r => r.url().includes(part));
  } catch (e) {
    return false;
  }
}"""
HAR_FROM_DEVTOOLS = """async (sanitize) => {
  const Logs = await import('./models/logs/logs.js');
  const HAR = await import('./models/har/har.js');
  const requests = Logs.NetworkLog.NetworkLog.instance().requests();
  return JSON.stringify({log: await HAR.Log.Log.build(requests, {sanitize})});
}"""


DEVTOOLS_FROM_ANY = "--remote-allow-origins=*"  # the front end's page connects to the debugging port


class Recording:
    def __init__(self, page, devtools, console: list[str]):
        self.page, self.devtools, self.console = page, devtools, console

    def har(self) -> str:
        """The HAR DevTools would save now (sanitized: without cookies, as the button does by default)."""
        self.page.wait_for_timeout(500)
        return self.devtools.evaluate(HAR_FROM_DEVTOOLS, True)


@contextlib.contextmanager
def devtools_recording(playwright, profile: Path, page_server: PageServer, origin: str | None = None, *flags: str):
    """A page on `origin` (the page server's own by default) whose requests DevTools records from the first."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=require_chromium(),
        args=[*CHROMIUM_FLAGS, *(flags or [NO_OUTSIDE_LOOKUPS]), "--remote-debugging-port=0", DEVTOOLS_FROM_ANY],
    )
    try:
        port = (profile / "DevToolsActivePort").read_text().split()[0]
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        origin = origin or page_server.origin
        page.goto(origin + "/")
        target = context.new_cdp_session(page).send("Target.getTargetInfo")["targetInfo"]["targetId"]
        devtools = context.new_page()
        devtools.goto(f"http://127.0.0.1:{port}/devtools/inspector.html?ws=127.0.0.1:{port}/devtools/page/{target}")
        for _ in range(100):  # until the front end has attached and records the page's requests
            page.evaluate("url => fetch(url).catch(() => null)", f"{origin}/probe")
            if devtools.evaluate(RECORDED, "/probe"):
                break
            page.wait_for_timeout(100)
        yield Recording(page, devtools, console)
    finally:
        context.close()
