"""Headless Firefox ESR (Debian's firefox-esr) driven through its built-in Marionette, no geckodriver.

A throwaway profile sends everything through the proxy (loopback included) and turns Firefox's
background services off, so it talks to 127.0.0.1 only. Console messages are read in chrome
context from Services.console, with their category: Firefox's CORS reason code.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from support.tools import require_tool

PREFS = {
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.share_proxy_settings": True,
    "network.proxy.allow_hijacking_localhost": True,  # else loopback skips the proxy
    "network.proxy.no_proxies_on": "",
    "marionette.port": 0,  # any free port, written to MarionetteActivePort
    "app.update.enabled": False,
    "app.update.auto": False,
    "app.normandy.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "browser.newtabpage.enabled": False,
    "browser.search.update": False,
    "browser.ping-centre.telemetry": False,
    "browser.topsites.contile.enabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.server": "",
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.blocklist.enabled": False,
    "services.settings.server": "http://127.0.0.1:9/",
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.trr.mode": 5,
    "security.OCSP.enabled": 0,
    "identity.fxaccounts.enabled": False,
    "media.gmp-manager.url": "",
    "devtools.console.stdout.content": True,
}


def firefox_path() -> str:
    return require_tool("firefox-esr")


class Marionette:
    """The few Marionette commands the tests need: navigate, run a script in content or chrome context."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buffer = b""
        self.next_id = 0
        self._read()  # the server's hello
        self.command("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {"acceptInsecureCerts": True}}})

    def _read(self):
        while b":" not in self.buffer:
            self.buffer += self.sock.recv(65536)
        length, _, rest = self.buffer.partition(b":")
        while len(rest) < int(length):
            rest += self.sock.recv(65536)
        message, self.buffer = rest[: int(length)], rest[int(length) :]
        return json.loads(message)

    def command(self, name: str, params: dict):
        self.next_id += 1
        data = json.dumps([0, self.next_id, name, params]).encode()
        self.sock.sendall(b"%d:%s" % (len(data), data))
        while True:
            reply = self._read()
            if reply[0] == 1 and reply[1] == self.next_id:
                if reply[2]:
                    raise RuntimeError(f"{name}: {reply[2]}")
                return reply[3].get("value") if isinstance(reply[3], dict) else reply[3]

    def context(self, which: str) -> None:
        self.command("Marionette:SetContext", {"value": which})

    def run(self, script: str, *args, context: str = "content"):
        """An async script: `resolve` (the last argument) gives its result."""
        self.context(context)
        try:
            return self.command("WebDriver:ExecuteAsyncScript", {"script": script, "args": list(args)})
        finally:
            self.context("content")


class Firefox:
    """firefox-esr --marionette --headless with a throwaway profile that uses the proxy on `proxy_port`
    (and `extra_prefs`, such as network.cookie.cookieBehavior)."""

    def __init__(self, proxy_port: int, extra_prefs: dict | None = None):
        self.profile = Path(tempfile.mkdtemp(prefix="cors-firefox-"))
        prefs = {**PREFS, "network.proxy.http_port": proxy_port, "network.proxy.ssl_port": proxy_port}
        prefs.update(extra_prefs or {})
        (self.profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())
        )
        self.process = subprocess.Popen(
            [
                firefox_path(),
                "--marionette",
                "--remote-allow-system-access",
                "--headless",
                "--no-remote",
                "--profile",
                str(self.profile),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "MOZ_HEADLESS": "1"},
        )
        port_file = self.profile / "MarionetteActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Firefox did not start Marionette")
            time.sleep(0.1)
        self.marionette = Marionette(int(port_file.read_text().strip()))

    def goto(self, url: str) -> None:
        self.marionette.command("WebDriver:Navigate", {"url": url})

    def fetch(self, url: str, **init) -> dict:
        """fetch() from the page; with the CORS console messages Firefox printed for that URL."""
        result = self.marionette.run(
            """const [url, init, resolve] = arguments;
               fetch(url, init).then(async r => resolve({ok: true, status: r.status, body: await r.text()}),
                                     e => resolve({ok: false, error: String(e)}));""",
            url,
            init,
        )
        time.sleep(0.3)  # console messages arrive just after the promise settles
        result["console"] = self.cors_messages(url)
        return result

    def cors_messages(self, url: str) -> list[tuple[str, str]]:
        """(category, text) of each CORS console message about `url`, in order."""
        messages = self.marionette.run(
            """const [resolve] = arguments;
               resolve(Services.console.getMessageArray()
                 .filter(m => m instanceof Ci.nsIScriptError && m.category.startsWith("CORS"))
                 .map(m => [m.category, m.errorMessage]));""",
            context="chrome",
        )
        return [(category, text) for category, text in messages if url in text]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
