"""`cors-addon probe` against real servers on 127.0.0.1: what it sends, what it says, its exit status,
and every way of not being able to ask said as such, never as a CORS verdict."""

import json
import subprocess
import sys

import pytest
from support.net import free_port, raw_server
from support.proxy import ROOT, Mitmdump
from support.tls import self_signed
from support.upstream import Upstream

ORIGIN = "http://localhost:3000"


def probe(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "addon", "probe", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


@pytest.fixture(scope="module")
def api():
    with Upstream() as running:
        yield running


def test_an_allowed_call_exits_0_and_says_what_the_cache_will_do(api):
    url = f"http://127.0.0.1:{api.port}/configured?h=Access-Control-Allow-Origin:{ORIGIN}"
    result = probe(url, "--origin", ORIGIN)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"probe: GET {url} from {ORIGIN}, credentials omit: allowed"
    assert "    passes" in lines
    assert any("without Vary: Origin: a shared cache may hand this answer to another origin's page" in x for x in lines)


def test_a_blocked_call_exits_1_with_both_browsers_words_the_fix_and_the_rule(api):
    url = f"http://127.0.0.1:{api.port}/items"
    result = probe(url, "--origin", ORIGIN)
    assert result.returncode == 1, result.stderr
    assert (
        f"    blocked: Access to fetch at '{url}' from origin '{ORIGIN}' has been blocked by CORS policy: No "
        "'Access-Control-Allow-Origin' header is present on the requested resource.\n"
        "      Firefox: CORSMissingAllowOrigin\n"
        f"      fix on the server: send Access-Control-Allow-Origin: {ORIGIN}\n"
    ) in result.stdout
    assert (
        f'  through the proxy, this rule in rules.yaml unblocks it: {{hosts: ["127.0.0.1:{api.port}"], '
        f'allow_origins: ["{ORIGIN}"]}}'
    ) in result.stdout


def test_a_preflighted_call_sends_the_preflight_as_the_browser_does_and_stops_there(api):
    url = f"http://127.0.0.1:{api.port}/put-only-preflight"
    before = len(api.seen)
    headers = ["--header", "X-Token:abc", "--header", "Content-Type:application/json", "--header", "Cookie:s=1"]
    result = probe(url, "--origin", ORIGIN, "--method", "put", *headers)
    assert result.returncode == 1, result.stderr
    assert "  preflight OPTIONS (the method PUT is not GET, HEAD or POST): 405" in result.stdout
    assert "  the call itself is not sent: the browser stops at the failed preflight" in result.stdout
    sent = api.seen[before:]
    assert [(method, path) for method, path, _ in sent] == [("OPTIONS", "/put-only-preflight")]
    headers = {k.lower(): v for k, v in sent[0][2].items()}
    assert headers["origin"] == ORIGIN and headers["access-control-request-method"] == "PUT"
    assert headers["access-control-request-headers"] == "content-type,x-token"
    assert "cookie" not in headers  # a preflight never carries credentials


def test_both_credentials_modes_as_json(api):
    url = f"http://127.0.0.1:{api.port}/acao/star"
    result = probe(url, "--origin", ORIGIN, "--credentials", "both", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert (report["allowed"], report["credentials"], report["preflight"]) == (False, ["omit", "include"], "")
    [step] = report["steps"]
    assert step["kind"] == "call" and step["status"] == 200
    assert step["verdicts"]["omit"]["blocked"] is False
    assert step["verdicts"]["include"]["firefox"] == "CORSNotSupportingCredentials"
    assert report["rule"].endswith("allow_credentials: true}")


def test_through_the_addon_the_call_is_allowed(api, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(f'rules:\n  - name: api\n    hosts: ["127.0.0.1:{api.port}"]\n    allow_origins: ["{ORIGIN}"]\n')
    with Mitmdump(tmp_path, "--set", f"cors_rules={rules}") as proxy:
        url = f"http://127.0.0.1:{api.port}/items"
        result = probe(url, "--origin", ORIGIN, "--method", "DELETE", "--proxy", f"http://127.0.0.1:{proxy.port}")
        proxy.wait_for_decision(f"CORS DELETE {url} from {ORIGIN}", "allowed by rule 'api'")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  preflight OPTIONS (the method DELETE is not GET, HEAD or POST): 204" in result.stdout


def test_a_self_signed_server_needs_insecure(tmp_path):
    with Upstream(tls=self_signed(tmp_path)) as tls_api:
        url = f"https://127.0.0.1:{tls_api.port}/acao/star"
        refused = probe(url, "--origin", ORIGIN)
        accepted = probe(url, "--origin", ORIGIN, "--insecure")
    assert refused.returncode == 2 and "TLS with 127.0.0.1:" in refused.stderr and "--insecure" in refused.stderr
    assert accepted.returncode == 0, accepted.stderr


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("refused", "refused the connection: is the server running?"),
        ("no scheme", "is not an http:// or https:// URL (give the scheme: http://127.0.0.1"),
        ("hangs", "did not answer within 0.5 s"),
        ("garbage", "BadStatusLine"),
        ("tls to plain http", "TLS with 127.0.0.1:"),
        ("bad origin", "is not an origin"),
    ],
)
def test_what_cannot_be_asked_is_said_so_with_exit_2(api, target, said):
    servers = {"hangs": raw_server(None), "garbage": raw_server(b"hello there\r\n\r\n")}
    try:
        port = {"refused": free_port(), "hangs": servers["hangs"].getsockname()[1],
                "garbage": servers["garbage"].getsockname()[1]}.get(target, api.port)  # fmt: skip
        url = {"no scheme": f"127.0.0.1:{port}/x", "tls to plain http": f"https://127.0.0.1:{port}/x"}.get(
            target, f"http://127.0.0.1:{port}/x"
        )
        origin = "localhost:3000" if target == "bad origin" else ORIGIN
        result = probe(url, "--origin", origin, "--timeout", "0.5")
    finally:
        for server in servers.values():
            server.close()
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("cors-addon probe: could not ask: ") and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
