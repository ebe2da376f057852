"""A real mitmdump with the addon, a real upstream on 127.0.0.1, a real HTTP client."""

import http.client
import time

import pytest
from support.http_client import send
from support.proxy import ROOT, Mitmdump, run_to_exit
from support.upstream import Upstream

ORIGIN = "http://localhost:3000"


def rules_text(port, origin=ORIGIN, extra=""):
    return f"""
rules:
  - name: local-api
    hosts: ["127.0.0.1:{port}"]
    allow_origins: [{origin}]
{extra}"""


@pytest.fixture(scope="module")
def upstream():
    with Upstream() as server:
        yield server


@pytest.fixture(scope="module")
def regular(upstream, tmp_path_factory):
    folder = tmp_path_factory.mktemp("regular")
    rules = folder / "rules.yaml"
    rules.write_text(
        rules_text(upstream.port)
        + f"""
  - name: cookies
    hosts: ["localhost:{upstream.port}"]
    allow_origins: [{ORIGIN}]
    allow_credentials: true
    preflight: forward
"""
    )
    with Mitmdump(folder, "--set", f"cors_rules={rules}") as proxy:
        yield proxy


def via(proxy, method, path, headers=(), host="127.0.0.1", port=None, **kwargs):
    return send(method, f"http://{host}:{port}{path}", headers, proxy_port=proxy.port, **kwargs)


def test_preflight_answered_by_the_proxy(regular, upstream):
    seen_before = len(upstream.seen)
    reply = via(
        regular,
        "OPTIONS",
        "/items",
        {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
        port=upstream.port,
    )
    assert reply.status == 204
    assert reply.cors() == {
        "Access-Control-Allow-Origin": ORIGIN,
        "Access-Control-Allow-Methods": "PUT",
        "Access-Control-Allow-Headers": "authorization, content-type",
        "Access-Control-Max-Age": "5",
    }
    assert len(upstream.seen) == seen_before, "the server must not see an answered preflight"
    regular.wait_for_decision(
        f"CORS preflight PUT http://127.0.0.1:{upstream.port}/items from {ORIGIN}",
        "answered 204 by rule 'local-api' (methods PUT; headers authorization, content-type)",
    )


@pytest.mark.parametrize("status", [200, 302, 401, 404, 500])
def test_every_status_gets_cors_headers_and_keeps_its_status(regular, upstream, status):
    path = "/redirect?to=/x" if status == 302 else f"/status/{status}"
    reply = via(regular, "GET", path, {"Origin": ORIGIN}, port=upstream.port)
    assert reply.status == status
    assert reply.all("Access-Control-Allow-Origin") == [ORIGIN]
    assert reply.get("Vary") == "Origin"


@pytest.mark.parametrize("path", ["/acao/star", "/acao/other", "/acao/two"])
def test_server_cors_headers_are_replaced_not_duplicated(regular, upstream, path):
    reply = via(regular, "GET", path, {"Origin": ORIGIN}, port=upstream.port)
    assert reply.all("Access-Control-Allow-Origin") == [ORIGIN]


def test_forwarded_preflight_is_repaired(regular, upstream):
    seen_before = len(upstream.seen)
    reply = via(
        regular,
        "OPTIONS",
        "/items",
        {"Origin": ORIGIN, "Access-Control-Request-Method": "DELETE"},
        host="localhost",
        port=upstream.port,
    )
    assert reply.status == 204 and reply.body == b""
    assert reply.get("Access-Control-Allow-Credentials") == "true"
    assert reply.get("Access-Control-Allow-Methods") == "DELETE"
    assert upstream.seen[seen_before][0] == "OPTIONS"
    regular.wait_for("forwarded by rule 'cookies', server's reply repaired (its 405 turned into 204)")


def test_credentials_expose_real_header_names(regular, upstream):
    reply = via(regular, "GET", "/custom", {"Origin": ORIGIN, "Cookie": "a=1"}, host="localhost", port=upstream.port)
    assert reply.get("Access-Control-Allow-Credentials") == "true"
    exposed = reply.get("Access-Control-Expose-Headers").split(", ")
    assert "x-custom" in exposed and "x-total" in exposed and "set-cookie" not in exposed


def test_refused_origin_passes_without_cors_headers_and_is_logged(regular, upstream):
    reply = via(
        regular,
        "OPTIONS",
        "/items",
        {"Origin": "http://evil.example", "Access-Control-Request-Method": "PUT"},
        port=upstream.port,
    )
    assert reply.status == 405 and reply.cors() == {}
    regular.wait_for("refused by rule 'local-api': origin http://evil.example is not in allow_origins")


def test_requests_that_are_not_cors_pass_byte_for_byte_but_for_vary(regular, upstream):
    """No Origin or a same-origin Origin on a covered host: the server's response plus Vary: Origin (a cache
    must not hand it to a CORS request); a host no rule names: the response is the server's."""

    def without_date(reply):
        return [(k, v) for k, v in reply.headers if k.lower() != "date"], reply.body

    for headers in ({}, {"Origin": f"http://127.0.0.1:{upstream.port}"}):
        direct = send("GET", "/custom", headers, port=upstream.port)
        proxied = via(regular, "GET", "/custom", headers, port=upstream.port)
        assert without_date(proxied)[0] == [*without_date(direct)[0], ("Vary", "Origin")]
    with Upstream() as uncovered:
        direct = send("GET", "/acao/two", {"Origin": ORIGIN}, port=uncovered.port)
        proxied = via(regular, "GET", "/acao/two", {"Origin": ORIGIN}, port=uncovered.port)
    assert without_date(proxied)[0] == without_date(direct)[0]
    assert proxied.all("Access-Control-Allow-Origin") == ["*", "http://localhost:1"]


def test_reverse_mode(upstream, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_text(upstream.port))
    with Mitmdump(
        tmp_path, "--mode", f"reverse:http://127.0.0.1:{upstream.port}", "--set", f"cors_rules={rules}"
    ) as proxy:
        reply = send("OPTIONS", "/items", {"Origin": ORIGIN, "Access-Control-Request-Method": "PATCH"}, port=proxy.port)
        assert reply.status == 204 and reply.get("Access-Control-Allow-Methods") == "PATCH"
        reply = send("GET", "/status/404", {"Origin": ORIGIN}, port=proxy.port)
        assert reply.status == 404 and reply.get("Access-Control-Allow-Origin") == ORIGIN
        # A page served by the proxy itself calls it same-origin: no CORS headers (only Vary).
        reply = send("GET", "/custom", {"Origin": f"http://localhost:{proxy.port}"}, port=proxy.port)
        assert reply.cors() == {} and reply.all("Vary") == ["Origin"]


def test_live_edit_and_broken_edit(upstream, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_text(upstream.port))
    other = "http://localhost:4000"
    with Mitmdump(tmp_path, "--set", f"cors_rules={rules}") as proxy:
        get = lambda origin: via(proxy, "GET", "/x", {"Origin": origin}, port=upstream.port)  # noqa: E731
        assert get(other).cors() == {}
        mark = len(proxy.lines)
        rules.write_text(rules_text(upstream.port, origin=other))
        proxy.wait_for("CORS: 1 rule reloaded", timeout=5, after=mark)
        assert get(other).get("Access-Control-Allow-Origin") == other
        assert get(ORIGIN).cors() == {}

        mark = len(proxy.lines)
        rules.write_text(rules_text(upstream.port, origin=ORIGIN) + "    allow_origin: [x]\n")
        proxy.wait_for("the last good rules stay in force", timeout=5, after=mark)
        proxy.wait_for(
            f"{rules}:6: rule 'local-api', field 'allow_origin': unknown field; did you mean allow_origins?", after=mark
        )
        assert get(other).get("Access-Control-Allow-Origin") == other
        assert proxy.process.poll() is None


def test_server_down_is_explained(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_text(1))
    with Mitmdump(tmp_path, "--set", f"cors_rules={rules}") as proxy:
        reply = via(proxy, "GET", "/x", {"Origin": ORIGIN}, port=1)
        assert reply.status == 502
        proxy.wait_for("the server could not be reached")
        proxy.wait_for("although the server is down")


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--set", "cors_mode=fixx"], "cors_mode: 'fixx' is not one of fix, audit, off"),
        (["--set", "cors_rules=RULES"], "RULES:4: rule 1, field 'max_age': must be a whole number"),
        (["--set", "cors_rules=MISSING"], "MISSING: file not found"),
    ],
)
def test_startup_errors_exit_1_without_traceback(tmp_path, args, expected):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - hosts: a.com\n\n    max_age: -1\n")
    missing = str(tmp_path / "missing.yaml")
    args = [a.replace("RULES", str(rules)).replace("MISSING", missing) for a in args]
    expected = expected.replace("RULES", str(rules)).replace("MISSING", missing)
    result = run_to_exit(tmp_path, *args)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert expected in output
    assert "CORS: not started, mitmproxy exits: " in output
    assert "Traceback" not in output


def test_startup_warnings_do_not_stop_the_proxy(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - hosts: a.com\n    max_age: 86400\n")
    with Mitmdump(tmp_path, "--set", f"cors_rules={rules}") as proxy:
        proxy.wait_for(f"{rules}:3: rule 1, field 'max_age': 86400 is above Chromium's cap")
        time.sleep(0.5)
        assert proxy.process.poll() is None


@pytest.mark.parametrize("url", ["http://accounts.google.com/ListAccounts", "http://update.example.com:8080/x"])
def test_outside_hosts_are_killed_before_any_lookup(regular, url):
    """The suites' mitmdumps (tests/support/net.py LOOPBACK_ONLY) never resolve or connect outside loopback."""
    host = url.split("/")[2].split(":")[0]
    after = len(regular.lines)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        send("GET", url, {"Origin": ORIGIN}, proxy_port=regular.port)
    regular.wait_for(host, after=after)  # mitmdump saw the request...
    time.sleep(0.3)
    seen = "\n".join(regular.lines[after:])
    assert "server connect" not in seen and "getaddrinfo" not in seen.lower(), seen  # ...and never looked it up


def test_a_streamed_forwarded_preflight_is_repaired_on_the_wire(upstream, tmp_path):
    """With stream_large_bodies the headers leave right after the responseheaders hook: the repair
    happens there, and the server's 401 body is dropped, so the 204 is what is sent and reported."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_text(upstream.port, extra="    preflight: forward\n"))
    with Mitmdump(tmp_path, "--set", f"cors_rules={rules}", "--set", "stream_large_bodies=1") as proxy:
        connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        try:
            for n in range(2):  # the second exchange on the same connection proves the 204 was framed right
                connection.request(
                    "OPTIONS",
                    f"http://127.0.0.1:{upstream.port}/configured?pstatus=401&n={n}",
                    headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"},
                )
                response = connection.getresponse()
                assert (response.status, response.read()) == (204, b"")
                assert response.getheader("Access-Control-Allow-Origin") == ORIGIN
        finally:
            connection.close()
        line = proxy.wait_for(f"CORS preflight PUT http://127.0.0.1:{upstream.port}/configured?pstatus=401&n=1")
        assert "forwarded by rule 'local-api', server's reply repaired (its 401 turned into 204)" in line, line


def test_a_hostile_rules_file_is_refused_while_the_proxy_serves(upstream, tmp_path):
    """A "billion laughs" edit of rules.yaml: refused with its line, the last good rules stay in force,
    and requests are answered all the while."""
    from support.cases import BILLION_LAUGHS

    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_text(upstream.port))
    with Mitmdump(tmp_path, "--set", f"cors_rules={rules}") as proxy:
        mark = len(proxy.lines)
        rules.write_text(BILLION_LAUGHS)
        answered = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            reply = via(proxy, "GET", f"/x?n={len(answered)}", {"Origin": ORIGIN}, port=upstream.port, timeout=2)
            answered.append(reply.get("Access-Control-Allow-Origin"))
        line = proxy.wait_for("aliases expand to more than 500,000 values", after=mark)
        assert f"{rules}:" in line
        assert proxy.wait_for("the last good rules stay in force", after=mark)
        assert len(answered) > 10 and set(answered) == {ORIGIN}
        assert proxy.process.poll() is None


def test_reading_flows_from_a_file_warns_about_no_listen_address(tmp_path):
    """`mitmdump -nr FILE`: nothing listens, so no warning that the proxy is reachable from other machines."""
    from mitmproxy import io
    from mitmproxy.test import tflow

    flows = tmp_path / "flows.mitm"
    with open(flows, "wb") as f:
        io.FlowWriter(f).add(tflow.tflow(resp=True))
    result = run_to_exit(tmp_path, "-n", "-r", str(flows), "--listen-host", "0.0.0.0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "listens on" not in result.stdout + result.stderr
    assert "CORS: 1 rule loaded" in result.stdout + result.stderr


def test_the_rules_file_in_force_is_named_with_the_reason(tmp_path):
    with Mitmdump(tmp_path) as proxy:  # cwd is the checkout: its rules.yaml
        proxy.wait_for(f"CORS: 1 rule loaded from {ROOT / 'rules.yaml'} (rules.yaml in the current folder)")
