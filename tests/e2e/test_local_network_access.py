"""Local Network Access in headless Chromium 156, measured: which calls of a public page to a loopback or
private server it stops, in which setup (direct, through mitmproxy in regular mode, in reverse mode), with
which console words, and what lets them through. `--ip-address-space-overrides` makes a loopback server
play a public (or private) one; headless Chromium denies the permission at once where a headed one asks.
Each test is a row of the table in docs/local-network-access.md; the console words are the doctor's
(addon/doctor/local_network.py), checked here against Chromium's."""

import subprocess
import sys

import pytest
from support.browser import CHROMIUM_FLAGS, FETCH, PageServer, require_chromium
from support.proxy import ROOT, Mitmdump
from support.upstream import Upstream

from addon.doctor.local_network import DENIED, LOCAL, LOOPBACK, PUBLIC, WRONG_TARGET, chromium_reason

pytestmark = pytest.mark.browser
BLOCKED = "Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: {reason}"
PREVIEW = "preview.test"  # a name for a page that is not a secure context (not https, not localhost)
RESOLVE = f"--host-resolver-rules=MAP {PREVIEW} 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"


@pytest.fixture(scope="module")
def servers():
    page = PageServer()
    with Upstream() as api:
        yield page, api
    page.close()


def calls(page_origin, urls, overrides, flags=(), init=None, grant=False, har=None):
    """What a page on `page_origin` sees for fetch(url, init) of each URL (or (URL, its own init)): ok, status,
    and the console's line."""
    from playwright.sync_api import sync_playwright

    spaces = ",".join(f"127.0.0.1:{port}={space}" for port, space in overrides.items())
    args = [*CHROMIUM_FLAGS, f"--ip-address-space-overrides={spaces}", *(flags or [RESOLVE])]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=require_chromium(), args=args)
        context = browser.new_context(record_har_path=har) if har else browser.new_context()
        if grant:
            context.grant_permissions(["local-network-access"], origin=page_origin)
        page = context.new_page()
        console = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(page_origin + "/")
        results = []
        for url in urls:
            url, own_init = url if isinstance(url, tuple) else (url, init or {})
            before = len(console)
            result = page.evaluate(FETCH, [url, own_init, []])
            page.wait_for_timeout(100 if result["ok"] else 300)
            result["console"] = [text for text in console[before:] if text.startswith("Access to fetch")]
            results.append(result)
        context.close()
        browser.close()
    return results


def blocked(url, origin, reason):
    console = [BLOCKED.format(url=url, origin=origin, reason=reason)]
    return {"ok": False, "error": "TypeError: Failed to fetch", "console": console}


def test_a_public_page_calling_loopback_directly_is_stopped_before_anything_is_sent(servers):
    page, api = servers
    url = f"http://127.0.0.1:{api.port}/acao/star"
    before = len(api.seen)
    (result,) = calls(page.origin, [url], {page.port: PUBLIC})  # a secure context (localhost) playing public
    assert result == blocked(url, page.origin, chromium_reason(PUBLIC, True, LOOPBACK))
    assert chromium_reason(PUBLIC, True, LOOPBACK) == DENIED.format(space="loopback")
    assert len(api.seen) == before  # no preflight, no call: the server never hears of it


def test_a_private_address_is_the_local_space(servers):
    page, api = servers
    url = f"http://127.0.0.1:{api.port}/acao/star"
    (result,) = calls(page.origin, [url], {page.port: PUBLIC, api.port: LOCAL})
    assert result == blocked(url, page.origin, chromium_reason(PUBLIC, True, LOCAL))


def test_a_page_that_is_not_a_secure_context_gets_other_words_and_cannot_be_granted(servers):
    page, api = servers
    url, origin = f"http://127.0.0.1:{api.port}/acao/star", f"http://{PREVIEW}:{page.port}"
    (result,) = calls(origin, [url], {page.port: PUBLIC})
    assert result == blocked(url, origin, chromium_reason(PUBLIC, False, LOOPBACK))
    with pytest.raises(Exception, match="Permission can't be granted in current context"):
        calls(origin, [url], {page.port: PUBLIC}, grant=True)


def test_target_address_space_must_name_the_right_space(servers):
    page, api = servers
    url = f"http://127.0.0.1:{api.port}/acao/star"
    (wrong,) = calls(page.origin, [url], {page.port: PUBLIC}, init={"targetAddressSpace": "local"})
    assert wrong == blocked(url, page.origin, WRONG_TARGET.format(asked="local", space="loopback"))
    (right,) = calls(page.origin, [url], {page.port: PUBLIC}, init={"targetAddressSpace": "loopback"})
    assert right == blocked(url, page.origin, DENIED.format(space="loopback"))  # still needs the permission


def test_the_permission_lets_it_through_and_a_localhost_page_never_needed_it(servers):
    page, api = servers
    url = f"http://127.0.0.1:{api.port}/acao/star"
    (granted,) = calls(page.origin, [url], {page.port: PUBLIC}, grant=True)
    (loopback_page,) = calls(page.origin, [url], {})
    (to_private,) = calls(page.origin, [url], {api.port: LOCAL})
    assert (granted["ok"], granted["status"], granted["console"]) == (True, 200, [])
    assert (loopback_page["ok"], loopback_page["status"], loopback_page["console"]) == (True, 200, [])
    assert (to_private["ok"], to_private["status"], to_private["console"]) == (True, 200, [])
    assert chromium_reason(LOOPBACK, True, LOOPBACK) is chromium_reason(LOOPBACK, True, LOCAL) is None


def proxied(port, *bypass):
    return [f"--proxy-server=http://127.0.0.1:{port}", "--proxy-bypass-list=" + ";".join(["<-loopback>", *bypass])]


def rules_for(tmp_path, api, page):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f'rules:\n  - name: api\n    hosts: ["127.0.0.1:{api.port}"]\n    allow_origins: ["{page.origin}"]\n'
        "    allow_methods: [PUT]\n"
    )
    return str(rules)


def test_through_the_proxy_in_regular_mode_calls_are_not_stopped(tmp_path, servers):
    """The page is loaded directly (public); its calls go through mitmproxy on loopback: Chromium sends
    them, preflight included, and the addon answers as for any page. A call that bypasses the proxy is
    stopped, which shows the page is public."""
    page, api = servers
    url, bypassed = f"http://127.0.0.1:{api.port}/acao/star", f"http://localhost:{api.port}/acao/star"
    with Mitmdump(tmp_path, "--set", f"cors_rules={rules_for(tmp_path, api, page)}") as proxy:
        flags = proxied(proxy.port, f"localhost:{page.port}", f"localhost:{api.port}")
        get, put, direct = calls(page.origin, [url, (url, {"method": "PUT"}), bypassed], {page.port: PUBLIC}, flags)
        put_line = proxy.wait_for(f"CORS PUT {url} from {page.origin}")
        lines = list(proxy.lines)
    assert (get["ok"], get["console"]) == (True, [])
    assert (put["ok"], put["status"], put["console"]) == (True, 200, [])
    assert "✅ allowed by rule 'api'" in put_line
    assert direct == blocked(bypassed, page.origin, DENIED.format(space="loopback"))
    assert not [line for line in lines if "Local Network" in line]  # nothing claims LNA where Chromium did not


def test_a_page_loaded_through_the_proxy_takes_the_proxy_s_address_space(tmp_path, servers):
    page, api = servers
    bypassed = f"http://localhost:{api.port}/acao/star"
    with Mitmdump(tmp_path, "--set", f"cors_rules={rules_for(tmp_path, api, page)}") as proxy:
        flags = proxied(proxy.port, f"localhost:{api.port}")
        (page_server_public,) = calls(page.origin, [bypassed], {page.port: PUBLIC}, flags)
        (proxy_public,) = calls(page.origin, [bypassed], {proxy.port: PUBLIC}, flags)
    assert (page_server_public["ok"], page_server_public["console"]) == (True, [])  # the page is loopback
    assert proxy_public == blocked(bypassed, page.origin, DENIED.format(space="loopback"))


def test_in_reverse_mode_the_proxy_is_the_target(tmp_path, servers):
    page, api = servers
    rules = rules_for(tmp_path, api, page)
    reverse = ("--mode", f"reverse:http://127.0.0.1:{api.port}", "--set", f"cors_rules={rules}")
    with Mitmdump(tmp_path, *reverse) as proxy:
        url = f"http://127.0.0.1:{proxy.port}/acao/star"
        (loopback_proxy,) = calls(page.origin, [url], {page.port: PUBLIC})
        (public_proxy,) = calls(page.origin, [url], {page.port: PUBLIC, proxy.port: PUBLIC})
        proxy.wait_for(f"CORS GET http://127.0.0.1:{api.port}/acao/star from {page.origin}: ✅")
        decided = [line for line in proxy.lines if "CORS GET" in line]
    assert loopback_proxy == blocked(url, page.origin, DENIED.format(space="loopback"))
    assert len(decided) == 1  # the second call's: the proxy never saw the stopped one
    assert (public_proxy["ok"], public_proxy["status"]) == (True, 200)


def test_the_offline_doctor_names_it_for_a_recorded_file_in_chromium_s_words(tmp_path, servers):
    page, api = servers
    url, origin, har = f"http://127.0.0.1:{api.port}/acao/star", f"http://{PREVIEW}:{page.port}", tmp_path / "a.har"
    (result,) = calls(origin, [url], {page.port: PUBLIC}, har=str(har))
    reason = result["console"][0].split("has been blocked by CORS policy: ")[1]
    explained = subprocess.run(
        [sys.executable, "-m", "addon", "explain", str(har)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert explained.returncode == 1, explained.stderr
    assert f"Local Network Access, not CORS, if Chromium's console says: '{reason}'" in explained.stdout
    assert "serve the page over https (then grant the permission) or from localhost" in explained.stdout
