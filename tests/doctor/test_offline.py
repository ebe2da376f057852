"""The offline doctor: HAR and flow files, recorded at test time by a real Chromium and a real mitmdump."""

import json
import os
import subprocess
import sys

import pytest
from support.browser import BLOCKED, PageServer, launch, require_chromium
from support.devtools import devtools_recording
from support.http_client import send
from support.net import free_port, wait_port
from support.proxy import ROOT, Mitmdump, run_to_exit
from support.tools import require_tool
from support.upstream import Upstream

from addon.doctor.offline import explain_file
from addon.doctor.recorded import Recorded, read_har

ORIGIN = "http://localhost:3000"


def explain(path, *options):
    return subprocess.run(
        [sys.executable, "-m", "addon", "explain", str(path), *options], capture_output=True, text=True, cwd=ROOT
    )


def details(lines):
    """What follows the summary: the lines from the first call on."""
    return lines[lines.index("") + 1 :]


def test_a_devtools_style_har_is_explained_with_both_browsers_words():
    """DevTools' export keeps blocked simple calls with their real status and wire headers, and _error."""
    har = {
        "log": {
            "entries": [
                {
                    "request": {
                        "method": "GET",
                        "url": "http://127.0.0.1:5000/items",
                        "headers": [{"name": "Origin", "value": ORIGIN}, {"name": "Cookie", "value": "s=1"}],
                    },
                    "response": {
                        "status": 200,
                        "headers": [
                            {"name": "Access-Control-Allow-Origin", "value": "*"},
                            {"name": "Set-Cookie", "value": "s=2; SameSite=Lax"},
                        ],
                    },
                    "_error": "net::ERR_FAILED",
                },
                {
                    "request": {"method": "GET", "url": "http://localhost:3000/app.js", "headers": []},
                    "response": {"status": 200, "headers": []},
                },
            ]
        }
    }
    lines = list(explain_file(read_har(json.dumps(har))))
    assert lines[:2] == [
        "Summary: 1 cross-origin call: 1 blocked",
        f"  {ORIGIN} -> 127.0.0.1:5000: 1 blocked",
    ]
    assert details(lines)[:5] == [
        f"GET http://127.0.0.1:5000/items from {ORIGIN}",
        "  answered 200 (net::ERR_FAILED)",
        f"  blocked: Access to fetch at 'http://127.0.0.1:5000/items' from origin '{ORIGIN}' has been blocked by CORS "
        "policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' "
        "when the request's credentials mode is 'include'.",
        "    Firefox: CORSNotSupportingCredentials",
        "    fix on the server: send the exact origin (Access-Control-Allow-Origin: http://localhost:3000) and "
        "Access-Control-Allow-Credentials: true instead of '*'",
    ]
    assert any(line.startswith("  cookie s: the browser drops it (UserPreferences: ") for line in lines)
    assert "A rules.yaml that would unblock the blocked calls:" in lines
    assert "    allow_credentials: true" in lines


def test_a_call_without_its_response_is_not_given_a_verdict():
    call = Recorded("GET", "http://127.0.0.1:5000/x", [("Referer", "http://localhost:3000/")], -1, [])
    lines = details(list(explain_file([call])))
    assert lines[0] == (
        "GET http://127.0.0.1:5000/x from http://localhost:3000 (the file has no Origin header: taken from the Referer)"
    )
    assert lines[1].startswith("  the file has no response headers for it (status -1)")
    assert not any("blocked:" in line or "passes" in line for line in lines)


def test_an_unsent_call_is_told_by_its_preflight_in_the_file():
    url, page = "http://127.0.0.1:5000/x", [("Origin", ORIGIN)]
    asking = [*page, ("Access-Control-Request-Method", "PUT")]

    def after(answer):
        preflight = Recorded("OPTIONS", url, asking, 200 if answer else 405, answer or [("Allow", "GET")])
        lines = list(explain_file([preflight, Recorded("PUT", url, page, 0, [], "net::ERR_FAILED")]))
        return lines[lines.index(f"PUT {url} from {ORIGIN}") + 1]

    assert after(None).startswith("  not sent (status 0 (net::ERR_FAILED)): its preflight was refused")
    star = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "PUT")]
    assert "its preflight is refused with credentials: 'include'" in after(star)
    exact = [("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Credentials", "true"), star[1]]
    assert "although its preflight passes" in after(exact)


def test_an_unreadable_file_is_one_line_and_exit_2(tmp_path):
    for content in (b"{not json", b"\x00\x01 not flows"):
        path = tmp_path / "broken.har"
        path.write_bytes(content)
        result = explain(path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"{path}: cannot explain: ")
    missing = explain(tmp_path / "missing.har")
    assert missing.returncode == 2 and missing.stderr.startswith(f"{tmp_path / 'missing.har'}: cannot explain: ")


@pytest.mark.browser
def test_a_har_recorded_by_playwright_in_chromium(tmp_path):
    """Playwright's recorder keeps no preflights and gives a blocked call status -1, net::ERR_FAILED and no Origin."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    har = tmp_path / "calls.har"
    with Upstream() as api, sync_playwright() as playwright:
        page_server = PageServer()
        chromium = launch(playwright)
        try:
            context = chromium.new_context(record_har_path=str(har))
            page = context.new_page()
            page.goto(page_server.origin + "/")
            outcomes = page.evaluate(
                """async (base) => {
                  const outcome = (p) => p.then(r => r.status, e => String(e));
                  return [
                    await outcome(fetch(base + '/x')),
                    await outcome(fetch(base + '/acao/star')),
                    await outcome(fetch(base + '/put', {method: 'PUT', body: 'x'})),
                    await outcome(fetch(base + '/json', {method: 'POST', body: '{}',
                                                         headers: {'Content-Type': 'application/json'}})),
                  ];
                }""",
                f"http://127.0.0.1:{api.port}",
            )
            context.close()
        finally:
            chromium.close()
            page_server.close()
    assert outcomes == ["TypeError: Failed to fetch", 200, "TypeError: Failed to fetch", "TypeError: Failed to fetch"]
    base, origin = f"http://127.0.0.1:{api.port}", page_server.origin
    result = explain(har)
    assert result.returncode == 1, result.stderr  # the blocked calls: net::ERR_FAILED, Chromium's code for them
    out = result.stdout
    # Chromium's User-Agent, Sec-Fetch-Site: cross-site and no Sec-Fetch-Storage-Access: no credentials.
    assert out.startswith("Summary: 4 cross-origin calls: 1 pass, 3 blocked\n")
    assert "    blocked (x1): needed a preflight (its method PUT), and the file holds none\n" in out
    assert "    blocked (x1): needed a preflight (Content-Type: application/json), and the file holds none\n" in out
    assert f"GET {base}/x from {origin}" in out
    assert "  blocked by the browser (status -1 (net::ERR_FAILED)), and the file has no response headers" in out
    assert (
        f"PUT {base}/put from {origin} (the file has no Origin header: taken from the Referer)\n"
        "  the file has no response headers for it (status -1 (net::ERR_FAILED)): this PUT needed a preflight "
        "(its method PUT), and the file holds none (Playwright does not record preflights). Record with DevTools' "
        "'Save all as HAR', or through the proxy (mitmdump -w), to see why.\n"
    ) in out
    assert f"GET {base}/acao/star from {origin}\n  answered 200\n  passes\n" in out

    only_blocked = explain(har, "--blocked")
    assert only_blocked.returncode == 1 and only_blocked.stdout.startswith("Summary: 4 cross-origin calls: ")
    assert f"POST {base}/json from" in only_blocked.stdout and f"GET {base}/acao/star from" not in only_blocked.stdout

    as_json = explain(har, "--json")
    assert as_json.returncode == 1, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["summary"] == {
        "calls": 4,
        "passes": 1,
        "blocked": 3,
        "blocked_with_credentials": 0,
        "failed": 0,
        "groups": [
            {
                "origin": origin,
                "host": f"127.0.0.1:{api.port}",
                "passes": 1,
                "blocked": 3,
                "blocked_with_credentials": 0,
                "failed": 0,
            }
        ],
    }
    put = next(call for call in report["calls"] if call["method"] == "PUT")
    assert put == {
        "method": "PUT",
        "url": f"{base}/put",
        "origin": origin,
        "kind": "actual",
        "status": -1,
        "error": "net::ERR_FAILED",
        "outcome": "blocked",
        "reason": "needed a preflight (its method PUT), and the file holds none",
        "chromium": "",
        "firefox": "",
        "fix": "",
        "needs_preflight": "its method PUT",
    }

    # mitmdump -nr reads the same HAR (mitmproxy's reader drops _failureText): the addon says what is missing.
    replay = run_to_exit(tmp_path, "-n", "-r", str(har), "--set", "cors_mode=audit", "--set", "termlog_verbosity=info")
    log = replay.stdout + replay.stderr
    assert replay.returncode == 0, log
    assert (
        f"CORS PUT {base}/put from {origin} (the file has no Origin header: taken from the Referer): the file has "
        "no response headers for it (status -1): this PUT needed a preflight (its method PUT), and the file holds "
        "none (Playwright does not record preflights)."
    ) in log


def test_a_flow_file_written_by_mitmdump(tmp_path):
    flows = tmp_path / "flows.mitm"
    with Upstream() as api:
        with Mitmdump(tmp_path, "--set", "cors_mode=off", "-w", str(flows)) as proxy:
            url = f"http://127.0.0.1:{api.port}/items"
            assert send("GET", url, {"Origin": ORIGIN}, proxy_port=proxy.port).status == 200
            send("OPTIONS", url, {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"}, proxy_port=proxy.port)
    result = explain(flows)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("Summary: 2 cross-origin calls: 2 blocked\n")
    assert f"GET {url} from {ORIGIN}" in result.stdout and f"preflight for PUT {url} from {ORIGIN}" in result.stdout
    assert "No 'Access-Control-Allow-Origin' header is present on the requested resource." in result.stdout
    assert "    Firefox: CORSMissingAllowOrigin, CORSDidNotSucceed" in result.stdout
    # The same flows through mitmdump -nr with the addon in audit mode: explained, not changed.
    replay = run_to_exit(
        tmp_path,
        "-n",
        "-r",
        str(flows),
        "--set",
        "cors_mode=audit",
        "--set",
        "cors_rules=" + str(ROOT / "rules.yaml"),
        "--set",
        "termlog_verbosity=info",
    )
    log = replay.stdout + replay.stderr
    assert replay.returncode == 0, log
    warning = "\u26a0\ufe0f"
    assert f"CORS GET {url} from {ORIGIN}: {warning} audit: rule 'local-api' would allow" in log
    assert f"CORS preflight PUT {url} from {ORIGIN}: {warning} audit: rule 'local-api' would answer 204" in log
    assert f"browser will block: Access to fetch at '{url}' from origin '{ORIGIN}' has been blocked" in log


@pytest.mark.browser
def test_a_har_exported_by_chromiums_own_devtools(tmp_path):
    """DevTools' front end (bundled with Chromium, served on its remote-debugging port) attached to the page,
    and its own HAR builder, the one behind "Save all as HAR": preflights are entries of their own."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    har = tmp_path / "devtools.har"
    page_server = PageServer()
    with Upstream() as api, sync_playwright() as playwright:
        try:
            with devtools_recording(playwright, tmp_path / "profile", page_server) as recording:
                base = f"http://127.0.0.1:{api.port}"
                calls = recording.page.evaluate(
                    """async (base) => {
                      const outcome = (p) => p.then(r => r.status, e => String(e));
                      return [
                        await outcome(fetch(base + '/blocked')),
                        await outcome(fetch(base + '/preflighted', {method: 'PUT', body: 'x'})),
                        await outcome(fetch(base + '/acao/star')),
                      ];
                    }""",
                    base,
                )
                assert calls == ["TypeError: Failed to fetch", "TypeError: Failed to fetch", 200]
                har.write_text(recording.har())
                console = recording.console
        finally:
            page_server.close()
    entries = json.loads(har.read_text())["log"]["entries"]
    assert any(e["request"]["method"] == "OPTIONS" and e.get("_resourceType") == "preflight" for e in entries)
    result = explain(har)
    assert result.returncode == 1, result.stderr
    out, origin = result.stdout, page_server.origin
    assert f"GET {base}/blocked from {origin}\n  answered 200 (net::ERR_FAILED)\n" in out
    assert f"preflight for PUT {base}/preflighted from {origin}\n  answered 405\n" in out
    assert "    Firefox: CORSMissingAllowOrigin, CORSDidNotSucceed" in out
    assert f"PUT {base}/preflighted from {origin}" in out
    assert "  not sent (status 0 (net::ERR_FAILED)): its preflight was refused" in out
    assert f"GET {base}/acao/star from {origin}\n  answered 200\n  passes\n" in out
    # The GET is one-sided (Chromium, cross-site, no Sec-Fetch-Storage-Access); a preflight never shows the mode.
    sides = ("  blocked: ", "  without credentials: blocked: ")
    told = [line.split("blocked: ", 1)[1] for line in out.splitlines() if line.startswith(sides)]
    cors_messages = [text for text in console if BLOCKED in text]
    assert len(cors_messages) == 2 and sorted(told) == sorted(cors_messages), (told, console)
    assert 'allow_methods: ["GET", "PUT"]' in out


def test_a_blocked_call_to_a_real_caddy_names_the_caddy_export(tmp_path):
    """Caddy says Server: Caddy; the doctor hands over the export for it."""
    caddy = require_tool("caddy")
    port = free_port()
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    server = subprocess.Popen(
        [caddy, "respond", "--listen", f"127.0.0.1:{port}", "hello"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    flows = tmp_path / "flows.mitm"
    try:
        wait_port(port)
        with Mitmdump(tmp_path, "--set", "cors_mode=off", "-w", str(flows)) as proxy:
            url = f"http://127.0.0.1:{port}/items"
            assert send("GET", url, {"Origin": ORIGIN}, proxy_port=proxy.port).status == 200
    finally:
        server.terminate()
        server.wait()
    result = explain(flows)
    assert result.returncode == 1, result.stderr
    assert (
        "  the permanent fix, on the server: `cors-addon export caddy rules.yaml` (the response says Server: Caddy)"
        in (result.stdout.splitlines())
    )
