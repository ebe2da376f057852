"""The mitmproxy shell under mitmproxy.test.taddons: flows in, flows out."""

import asyncio
import gc
import logging
import time
import weakref

import pytest
from mitmproxy import exceptions, http
from mitmproxy.test import taddons, tflow, tutils

from addon.mitm.addon import CorsAddon

ORIGIN = "http://localhost:3000"
RULES = """
rules:
  - name: api
    hosts: ["address:22"]
    allow_origins: [http://localhost:3000]
  - name: forward
    hosts: [forward.example]
    preflight: forward
    allow_credentials: true
"""


def caveat(preflight=False, url="http://address:22/path"):
    """What rule 'api' (no credentials) is said to leave open: the page may send credentials."""
    prefix = "Response to preflight request doesn't pass access control check: " if preflight else ""
    firefox = "CORSMissingAllowCredentials, CORSDidNotSucceed" if preflight else "CORSMissingAllowCredentials"
    return (
        "rule 'api' fixed it for calls without credentials; if the page sends credentials: 'include', the browser "
        f"will block: Access to fetch at '{url}' from origin 'http://localhost:3000' has been blocked by CORS policy: "
        f"{prefix}The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be "
        f"'true' when the request's credentials mode is 'include'. (Firefox: {firefox})"
    )


@pytest.fixture
def configured(write_rules):
    addon = CorsAddon()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, cors_rules=str(write_rules(RULES)))
        yield addon, tctx


def cors_flow(method="GET", origin=ORIGIN, host="address", port=22, headers=(), resp=True):
    flow = tflow.tflow(req=tutils.treq(method=method.encode(), host=host, port=port))
    flow.request.headers["Origin"] = origin
    for name, value in headers:
        flow.request.headers.add(name, value)
    return flow


def run(addon, flow, response=None):
    addon.request(flow)
    if flow.response is None:
        flow.response = response or tutils.tresp()
    addon.responseheaders(flow)
    return flow


def test_answers_a_preflight_without_contacting_the_server(configured):
    addon, _ = configured
    flow = cors_flow(
        "OPTIONS",
        headers=[("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "authorization")],
    )
    addon.request(flow)
    assert flow.response.status_code == 204
    assert flow.response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert flow.response.headers["Access-Control-Allow-Headers"] == "authorization"
    assert flow.response.headers["Vary"] == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    before = flow.response.headers.fields
    addon.responseheaders(flow)
    assert flow.response.headers.fields == before
    assert flow.marked == ":large_orange_diamond:"  # the preflight cannot tell the page's credentials mode
    assert flow.comment == (
        "CORS: answered 204 by rule 'api' (methods PUT; headers authorization); server not asked; " + caveat(True)
    )
    assert flow.metadata["cors"]["outcome"] == "answered"
    assert flow.metadata["cors"]["headers_set"]["Access-Control-Allow-Methods"] == "PUT"
    assert flow.metadata["cors"]["browser_verdict"]["blocked"] is False


def test_rewrites_error_responses_and_replaces_server_headers(configured):
    addon, _ = configured
    response = tutils.tresp(status_code=500)
    response.headers.add("Access-Control-Allow-Origin", "*")
    response.headers.add("access-control-allow-origin", "http://other")
    response.headers["Vary"] = "Accept-Encoding"
    flow = run(addon, cors_flow(), response)
    assert flow.response.status_code == 500
    assert flow.response.headers.get_all("Access-Control-Allow-Origin") == [ORIGIN]
    assert flow.response.headers["Vary"] == "Accept-Encoding, Origin"
    assert flow.metadata["cors"]["summary"] == (
        "allowed by rule 'api' (500; no credentials); server alone: blocked - The 'Access-Control-Allow-Origin' "
        "header contains multiple values '*, http://other', but only one is allowed. Have the server send "
        "the header with a valid value.; " + caveat()
    )


def test_keeps_the_users_comment(configured):
    addon, _ = configured
    flow = cors_flow()
    flow.comment = "mine"
    run(addon, flow)
    assert flow.comment.startswith("mine\nCORS: allowed by rule 'api'")


def test_refused_preflight_passes_untouched(configured, caplog):
    addon, _ = configured
    caplog.set_level(logging.INFO)
    flow = cors_flow("OPTIONS", origin="http://evil.example", headers=[("Access-Control-Request-Method", "PUT")])
    response = tutils.tresp(status_code=405)
    before = response.headers.fields
    run(addon, flow, response)
    assert flow.response.status_code == 405 and flow.response.headers.fields == (*before, (b"Vary", b"Origin"))
    assert flow.marked == ":no_entry:"
    assert (
        "CORS preflight PUT http://address:22/path from http://evil.example: \u26d4 refused by rule 'api': origin "
        "http://evil.example is not in allow_origins; passed on without CORS headers (Vary: Origin added); browser "
        "will block: Access to fetch at 'http://address:22/path' from origin 'http://evil.example' has been blocked "
        "by CORS policy: Response to preflight request doesn't pass access control check: No "
        "'Access-Control-Allow-Origin' header is present on the requested resource. (Firefox: "
        "CORSMissingAllowOrigin, CORSDidNotSucceed)\n"
    ) in caplog.text
    assert "server alone: blocked - Response to preflight request doesn't pass" in flow.comment
    assert any(r.levelno == logging.WARNING and "refused" in r.getMessage() for r in caplog.records)


def test_not_cors_requests_get_only_vary_on_a_covered_host(configured):
    addon, _ = configured
    for flow in (tflow.tflow(req=tutils.treq(host="address", port=22)), cors_flow(origin="http://address:22")):
        response = tutils.tresp(headers=((b"Vary", b"Accept-Encoding"), (b"Content-Length", b"7")))
        run(addon, flow, response)
        assert flow.response.headers.fields == ((b"Content-Length", b"7"), (b"Vary", b"Accept-Encoding, Origin"))
        assert "cors" not in flow.metadata and not flow.marked and not flow.comment


def test_a_star_rule_gives_requests_without_origin_its_star(write_rules):
    """So a cached copy (an <img>, a navigation) serves a later fetch(): the server's own Access-Control-*
    fields go, the rule's '*' and Expose-Headers come, and nothing is shown (it is not a CORS call)."""
    addon = CorsAddon()
    star = "rules:\n  - hosts: ['address:22']\n    allow_origins: '*'\n    expose_headers: [x-total]\n"
    with taddons.context(addon) as tctx:
        tctx.configure(addon, cors_rules=str(write_rules(star)))
        flow = tflow.tflow(req=tutils.treq(host="address", port=22))
        server = ((b"Content-Length", b"7"), (b"access-control-allow-origin", b"https://old.example"))
        run(addon, flow, tutils.tresp(headers=server))
        assert flow.response.headers.fields == (
            (b"Content-Length", b"7"),
            (b"Access-Control-Allow-Origin", b"*"),
            (b"Access-Control-Expose-Headers", b"x-total"),
        )
        assert "cors" not in flow.metadata and not flow.marked and not flow.comment


def test_requests_to_uncovered_hosts_are_left_byte_for_byte(configured):
    addon, _ = configured
    for flow in (tflow.tflow(req=tutils.treq(host="elsewhere", port=22)), cors_flow(host="elsewhere")):
        response = tutils.tresp()
        before = (response.status_code, response.headers.fields, response.content)
        run(addon, flow, response)
        assert (flow.response.status_code, flow.response.headers.fields, flow.response.content) == before
    assert flow.metadata["cors"]["outcome"] == "untouched"  # the cross-origin one is explained, not changed


def test_websocket_handshakes_are_not_cors(configured):
    addon, _ = configured
    flow = cors_flow(headers=[("Upgrade", "websocket"), ("Connection", "Upgrade")])
    response = tutils.tresp(status_code=101)
    before = response.headers.fields
    run(addon, flow, response)
    assert flow.response.headers.fields == before and "cors" not in flow.metadata


def test_uncovered_host_is_unchanged_and_explained(configured, caplog):
    addon, _ = configured
    flow = cors_flow(host="elsewhere.example")
    response = tutils.tresp()
    before = response.headers.fields
    run(addon, flow, response)
    assert flow.response.headers.fields == before
    assert flow.metadata["cors"]["outcome"] == "untouched"
    assert flow.marked == ":warning:"
    assert (
        "CORS GET http://elsewhere.example:22/path from http://localhost:3000: \u26a0\ufe0f untouched: no rule covers "
        "this host and path; browser will block: Access to fetch at "
        "'http://elsewhere.example:22/path' from origin 'http://localhost:3000' has been blocked by CORS "
        "policy: No 'Access-Control-Allow-Origin' header is present on the requested resource. (Firefox: "
        'CORSMissingAllowOrigin); a rule that would fix it: {hosts: ["elsewhere.example:22"], allow_origins: '
        '["http://localhost:3000"]}'
    ) in caplog.text


def test_uncovered_host_that_passes_is_marked_untouched(configured):
    addon, _ = configured
    response = tutils.tresp()
    response.headers["Access-Control-Allow-Origin"] = ORIGIN
    response.headers["Access-Control-Allow-Credentials"] = "true"  # passes with or without credentials
    flow = run(addon, cors_flow(host="elsewhere.example"), response)
    assert flow.marked == ":heavy_minus_sign:"
    assert flow.metadata["cors"]["summary"] == "untouched: no rule covers this host and path; server alone: passes"


def test_forwarded_preflight_gets_204_and_headers(configured, caplog):
    addon, _ = configured
    caplog.set_level(logging.INFO)
    flow = cors_flow("OPTIONS", host="forward.example", port=443, headers=[("Access-Control-Request-Method", "DELETE")])
    addon.request(flow)
    assert flow.response is None
    flow.response = tutils.tresp(status_code=405, content=b"no")
    addon.responseheaders(flow)
    assert flow.response.status_code == 204 and flow.response.stream(b"no") == b""
    assert flow.response.headers["Access-Control-Allow-Credentials"] == "true"
    assert flow.response.headers["Access-Control-Allow-Methods"] == "DELETE"
    assert "forwarded by rule 'forward', server's reply repaired (its 405 turned into 204)" in caplog.text


def test_mode_off_changes_nothing(configured):
    addon, tctx = configured
    tctx.configure(addon, cors_mode="off")
    flow = run(addon, cors_flow())
    assert "Access-Control-Allow-Origin" not in flow.response.headers and "cors" not in flow.metadata


def test_bad_options_at_runtime_raise_options_error(configured, write_rules):
    addon, tctx = configured
    addon.running()
    with pytest.raises(exceptions.OptionsError, match="cors_mode: 'fixx' is not one of fix, audit, off"):
        tctx.configure(addon, cors_mode="fixx")
    broken = write_rules("rules:\n  - hosts: a.com\n    max_age: -5\n", "broken.yaml")
    with pytest.raises(exceptions.OptionsError, match=r"broken.yaml:3: rule 1, field 'max_age'"):
        tctx.configure(addon, cors_rules=str(broken))
    assert addon.rules.rules[0].name == "api"


def test_bad_filter_is_reported_through_mitmproxys_parser(configured, write_rules):
    addon, tctx = configured
    addon.running()
    broken = write_rules("rules:\n  - hosts: a.com\n    filter: '~nosuch x'\n", "broken.yaml")
    with pytest.raises(exceptions.OptionsError, match=r"broken.yaml:3: rule 1, field 'filter': Invalid filter"):
        tctx.configure(addon, cors_rules=str(broken))


def test_filter_selects_flows(configured, write_rules):
    addon, tctx = configured
    tctx.configure(
        addon, cors_rules=str(write_rules("rules:\n  - hosts: address\n    filter: '~m POST'\n", "filtered.yaml"))
    )
    assert run(addon, cors_flow("POST")).metadata["cors"]["outcome"] == "allowed"
    assert run(addon, cors_flow("GET")).metadata["cors"]["outcome"] == "untouched"


def test_reload_keeps_last_good_rules(configured, write_rules, caplog):
    addon, tctx = configured
    path = write_rules(RULES)
    tctx.configure(addon, cors_rules=str(path))
    path.write_text("rules:\n  - hosts: [address\n")
    asyncio.run(addon.reload_if_changed())
    assert "rules.yaml:3: YAML syntax error" in caplog.text
    assert "the last good rules stay in force" in caplog.text
    assert addon.rules.rules[0].name == "api"
    path.write_text("rules:\n  - name: new\n    hosts: address\n")
    asyncio.run(addon.reload_if_changed())
    assert [rule.name for rule in addon.rules.rules] == ["new"]


def test_load_and_reload_lines_count_the_rules(configured, write_rules, caplog):
    addon, tctx = configured
    caplog.set_level(logging.INFO)
    path = write_rules(RULES)
    tctx.configure(addon, cors_rules=str(path))
    assert f"CORS: 2 rules loaded from {path}: 'api', 'forward'" in caplog.text
    path.write_text("rules:\n  - name: new\n    hosts: address\n")
    asyncio.run(addon.reload_if_changed())
    assert f"CORS: 1 rule reloaded from {path}: 'new'" in caplog.text


def test_listen_warning(configured, caplog):
    addon, tctx = configured
    tctx.configure(addon, listen_host="0.0.0.0")
    addon.running()
    assert "mitmproxy listens on 0.0.0.0" in caplog.text
    caplog.clear()
    tctx.configure(addon, listen_host="127.0.0.1")
    addon.running()
    assert "mitmproxy listens on" not in caplog.text


@pytest.mark.parametrize(
    "status, streamed, expected, tallied",
    [
        (
            None,
            False,
            "the server could not be reached (Connection refused). mitmproxy answers 502 without CORS "
            "headers, so the browser reports a CORS error (\"No 'Access-Control-Allow-Origin' header is present on "
            'the requested resource.") although the server is down.',
            "1 server down",
        ),
        (
            200,
            False,
            "the server's 200 response broke off after its headers (Connection refused). mitmproxy "
            "answers 502 without CORS headers instead, so the browser reports a CORS error",
            "1 response broke off",
        ),
        (
            200,
            True,
            "the server's 200 response broke off after its headers (Connection refused). The headers, "
            "with the CORS headers, had already gone to the browser, which reports a network error (such as "
            "net::ERR_CONTENT_LENGTH_MISMATCH), not a CORS error.",
            "1 response broke off",
        ),
    ],
)
def test_error_hook_explains_how_the_exchange_broke(configured, caplog, status, streamed, expected, tallied):
    caplog.set_level(logging.INFO)
    addon, _ = configured
    flow = cors_flow()
    addon.request(flow)
    if status is not None:
        flow.response = tutils.tresp(status_code=status)
        flow.response.stream = streamed
        addon.responseheaders(flow)
    flow.error = tflow.terr("Connection refused")
    addon.error(flow)
    assert f"CORS GET http://address:22/path from {ORIGIN}: {expected}" in caplog.text
    caplog.clear()
    addon.done()
    summary = [r.message for r in caplog.records if r.message.startswith(f"CORS summary: {ORIGIN} -> address:22: ")]
    assert len(summary) == 1 and tallied in summary[0].split("; why: ")[0].split(": ")[-1].split(", ")


def test_flows_are_let_go_when_they_end(configured):
    addon, _ = configured
    flows = [cors_flow("OPTIONS", headers=[("Access-Control-Request-Method", "PUT")]), cors_flow(), cors_flow()]
    run(addon, flows[0])
    run(addon, flows[1])
    addon.request(flows[2])
    flows[2].error = tflow.terr("Connection refused")
    addon.error(flows[2])
    assert flows[0].response.status_code == 204 and "Access-Control-Allow-Origin" in flows[1].response.headers
    gone = [weakref.ref(f) for f in flows]
    del flows
    gc.collect()
    assert [ref() for ref in gone] == [None, None, None]


def test_a_flow_that_never_ends_is_not_kept_alive_by_the_addon(configured):
    addon, _ = configured
    flow = cors_flow()
    addon.request(flow)  # decided; mitmproxy drops it without a response or error hook
    gone = weakref.ref(flow)
    del flow
    gc.collect()
    assert gone() is None


def test_audit_mode_changes_nothing_and_explains(configured, caplog):
    addon, tctx = configured
    tctx.configure(addon, cors_mode="audit")
    preflight = cors_flow("OPTIONS", headers=[("Access-Control-Request-Method", "PUT")])
    response = tutils.tresp(status_code=405)
    before = response.headers.fields
    run(addon, preflight, response)
    assert preflight.response.status_code == 405 and preflight.response.headers.fields == before
    assert preflight.metadata["cors"]["summary"].startswith(
        "audit: rule 'api' would answer 204 (methods PUT); server alone: blocked - Response to "
        "preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header"
    )
    assert "browser will block: Access to fetch at 'http://address:22/path'" in preflight.metadata["cors"]["summary"]


def test_explain_command(configured):
    addon, tctx = configured
    flow = run(addon, cors_flow())
    text = addon.explain_flows([flow])
    assert text.splitlines() == [
        "GET http://address:22/path from http://localhost:3000",
        "  server answered 200 without Access-Control-* headers",
        "  blocked: No 'Access-Control-Allow-Origin' header is present on the requested resource.".replace(
            "  blocked", "  1. blocked"
        ),
        "  Chromium: Access to fetch at 'http://address:22/path' from origin 'http://localhost:3000' has been "
        "blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        "  Firefox: CORSMissingAllowOrigin",
        "  fix on the server: send Access-Control-Allow-Origin: http://localhost:3000",
        "  if the page sends credentials: 'include' (the proxy cannot see whether it does): blocked",
        "    Chromium: Access to fetch at 'http://address:22/path' from origin 'http://localhost:3000' has been "
        "blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        "    Firefox: CORSMissingAllowOrigin",
        "    fix on the server: send Access-Control-Allow-Origin: http://localhost:3000",
        "  addon: allowed by rule 'api' (200; no credentials); server alone: blocked - No "
        "'Access-Control-Allow-Origin' header is present on the requested resource.; " + caveat(),
        "  as the browser gets it: passes",
        "  as the browser gets it if the page sends credentials: 'include': blocked - Access to fetch at "
        "'http://address:22/path' from origin 'http://localhost:3000' has been blocked by CORS policy: The value of "
        "the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the "
        "request's credentials mode is 'include'. (Firefox: CORSMissingAllowCredentials)",
    ]


def test_explain_names_the_export_for_the_server_it_saw(configured):
    addon, _ = configured
    flow = run(addon, cors_flow(), tutils.tresp(headers=http.Headers(server="nginx/1.22.1")))
    lines = addon.explain_flows([flow]).splitlines()
    assert (
        "  the permanent fix, on the server: `cors-addon export nginx rules.yaml` (the response says Server: "
        "nginx/1.22.1)" in lines
    )
    both = http.Headers(server="nginx", access_control_allow_origin=ORIGIN, access_control_allow_credentials="true")
    passing = run(addon, cors_flow(), tutils.tresp(headers=both))
    assert "permanent fix" not in addon.explain_flows([passing])


def test_explain_an_answered_preflight(configured):
    addon, _ = configured
    flow = cors_flow("OPTIONS", headers=[("Access-Control-Request-Method", "PUT")])
    run(addon, flow)
    lines = addon.explain_flows([flow]).splitlines()
    assert lines[0] == "preflight for PUT http://address:22/path from http://localhost:3000"
    assert lines[1].startswith("  the proxy answered (the server was not asked) 204 with Access-Control-Allow-Origin")
    assert "  this passes the browser's checks" in lines


def test_explain_skips_flows_that_are_not_cross_origin(configured):
    addon, tctx = configured
    flow = tflow.tflow(resp=True)
    assert addon.explain_flows([flow]) == "No cross-origin flows with a response among these."


def test_rule_command_builds_a_loadable_snippet(configured):
    from addon.config.load import parse_rules

    addon, tctx = configured
    flows = [
        cors_flow(
            "OPTIONS",
            host="api.other",
            port=443,
            headers=[("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "authorization,x-a")],
        ),
        cors_flow("GET", host="api.other", port=443, headers=[("Cookie", "a=1")]),
        cors_flow("GET", host="api.other", port=443, origin="http://localhost:4000"),
    ]
    flows[0].request.scheme = flows[1].request.scheme = flows[2].request.scheme = "https"
    snippet = addon.rule_for_flows(flows)
    assert snippet == (
        "rules:\n"
        '  - name: "api.other"\n'
        '    hosts: ["api.other"]\n'
        '    allow_origins: ["http://localhost:3000", "http://localhost:4000"]\n'
        '    allow_methods: ["PUT", "GET"]\n'
        '    allow_headers: ["authorization", "x-a"]\n'
        "    allow_credentials: true\n"
    )
    rule = parse_rules(snippet).rules[0]
    assert rule.allow_credentials and rule.allow_methods == {"PUT", "GET"}


def test_summary_at_shutdown(configured, caplog):
    addon, _ = configured
    caplog.set_level(logging.INFO)
    run(addon, cors_flow())
    run(addon, cors_flow(origin="http://evil.example"))
    run(addon, cors_flow(host="elsewhere.example"))
    run(addon, cors_flow(host="forward.example", port=443, headers=[("Cookie", "a=1")]))
    lines = addon.session_summary.lines()
    assert lines == [
        "CORS summary: http://evil.example -> address:22: 1 left blocked; why: No 'Access-Control-Allow-Origin' "
        "header is present on the requested resource. (x1)",
        "CORS summary: http://localhost:3000 -> address:22: 1 pass only without credentials; why: The value of the "
        "'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's "
        "credentials mode is 'include'. (with credentials: 'include') (x1)",
        "CORS summary: http://localhost:3000 -> elsewhere.example:22: 1 left blocked; why: No "
        "'Access-Control-Allow-Origin' header is present on the requested resource. (x1)",
        "CORS summary: http://localhost:3000 -> forward.example:443: 1 fixed",
    ]
    addon.done()
    assert lines[0] in caplog.text


def test_flows_of_one_shape_share_nothing(configured):
    addon, _ = configured
    first = run(
        addon,
        cors_flow(headers=[("Cookie", "a=1")]),
        tutils.tresp(headers=((b"Date", b"one day"), (b"Content-Length", b"7"))),
    )
    second = cors_flow(headers=[("Cookie", "a=2")])
    second.comment = "mine"
    run(addon, second, tutils.tresp(headers=((b"Date", b"another day"), (b"Content-Length", b"9"))))
    assert second.comment == f"mine\n{first.comment}"
    assert second.metadata["cors"]["server_response"]["headers"] == [["Date", "another day"], ["Content-Length", "9"]]
    assert {**second.metadata["cors"], "server_response": None} == {**first.metadata["cors"], "server_response": None}
    first.metadata["cors"]["headers_set"]["Access-Control-Allow-Origin"] = "edited"
    first.metadata["cors"]["browser_verdict"]["reason"] = "edited"
    first.metadata["cors"]["server_response"]["headers"].append(["X-Edited", "1"])
    assert second.metadata["cors"]["headers_set"]["Access-Control-Allow-Origin"] == ORIGIN
    assert second.metadata["cors"]["browser_verdict"]["reason"] != "edited"
    assert ["X-Edited", "1"] not in second.metadata["cors"]["server_response"]["headers"]
    assert second.response.headers["Date"] == "another day"
    assert second.response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_streamed_forwarded_preflight_is_repaired_as_reported(configured):
    addon, _ = configured
    flow = cors_flow("OPTIONS", host="forward.example", port=443, headers=[("Access-Control-Request-Method", "DELETE")])
    addon.request(flow)
    flow.response = tutils.tresp(status_code=401, content=b"login first")
    flow.response.stream = True  # stream_large_bodies: the headers leave right after this hook
    addon.responseheaders(flow)
    assert flow.response.status_code == 204
    assert "content-length" not in flow.response.headers
    assert callable(flow.response.stream) and flow.response.stream(b"login first") == b""
    assert "its 401 turned into 204" in flow.comment
    assert flow.metadata["cors"]["browser_verdict"]["blocked"] is False


def test_http2_responses_get_lowercase_names_and_answers_the_requests_version(configured, caplog):
    addon, _ = configured
    preflight = cors_flow("OPTIONS", headers=[("Access-Control-Request-Method", "PUT")])
    preflight.request.http_version = "HTTP/2.0"
    addon.request(preflight)
    assert preflight.response.http_version == "HTTP/2.0"
    actual = cors_flow()
    actual.request.http_version = "HTTP/2.0"
    response = tutils.tresp()
    response.http_version = "HTTP/2.0"
    run(addon, actual, response)
    for flow in (preflight, actual):
        names = [name for name, _ in flow.response.headers.fields]
        assert b"access-control-allow-origin" in names and names == [name.lower() for name in names]
    assert "Lowercased" not in caplog.text


def test_reverse_targets_no_rule_names_are_covered_by_default(configured, caplog):
    addon, tctx = configured
    caplog.set_level(logging.INFO)
    tctx.configure(addon, mode=["reverse:https://api.example.com", "reverse:http://address:22@8081"])
    assert "CORS: covering https://api.example.com (reverse target) with the default policy" in caplog.text
    assert "covering http://address:22" not in caplog.text  # rule 'api' names it
    flow = run(addon, cors_flow(host="api.example.com", port=443))
    assert flow.metadata["cors"]["rule"] == "https://api.example.com (reverse target)"
    assert flow.response.headers["Access-Control-Allow-Origin"] == ORIGIN
    elsewhere = run(addon, cors_flow(host="api.example.com", port=443, origin="https://evil.example"))
    assert elsewhere.metadata["cors"]["outcome"] == "refused"  # the default policy: local origins only
    tctx.configure(addon, cors_reverse_targets=False)
    assert run(addon, cors_flow(host="api.example.com", port=443)).metadata["cors"]["outcome"] == "untouched"


def test_summary_command(configured):
    addon, _ = configured
    assert addon.summary() == "No cross-origin calls seen yet."
    run(addon, cors_flow(host="forward.example", port=443, headers=[("Cookie", "a=1")]))
    assert addon.summary() == "CORS summary: http://localhost:3000 -> forward.example:443: 1 fixed"


def test_a_call_whose_credentials_mode_is_not_visible_is_judged_both_ways(configured):
    addon, _ = configured
    flow = run(addon, cors_flow())  # no Cookie, no Sec-Fetch-Storage-Access: "include" cannot be ruled out
    summary = flow.metadata["cors"]["summary"]
    assert (
        "rule 'api' fixed it for calls without credentials; if the page sends credentials: 'include', the "
        "browser will block: Access to fetch at 'http://address:22/path' from origin 'http://localhost:3000' "
        "has been blocked by CORS policy: The value of the 'Access-Control-Allow-Credentials' header in the "
        "response is '' which must be 'true' when the request's credentials mode is 'include'. "
        "(Firefox: CORSMissingAllowCredentials)" in summary
    )
    assert flow.marked == ":large_orange_diamond:"
    verdict = flow.metadata["cors"]["browser_verdict"]
    assert verdict["blocked"] is False and verdict["depends_on_credentials"] is True
    assert verdict["credentials"] == "unknown" and verdict["firefox"] == "CORSMissingAllowCredentials"
    assert addon.session_summary.lines() == [
        "CORS summary: http://localhost:3000 -> address:22: 1 pass only without credentials; why: The value of "
        "the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the "
        "request's credentials mode is 'include'. (with credentials: 'include') (x1)"
    ]


@pytest.mark.parametrize("evidence", [("Cookie", "a=1"), ("Sec-Fetch-Storage-Access", "none")])
def test_evidence_of_credentials_makes_the_verdict_one_sided(configured, evidence):
    addon, _ = configured
    flow = run(addon, cors_flow(headers=[evidence]))
    assert flow.marked == ":warning:"  # never a check mark for a call the browser blocks
    assert flow.metadata["cors"]["browser_verdict"]["blocked"] is True
    assert "; browser will block: Access to fetch at" in flow.comment
    assert addon.session_summary.lines()[0].split(": ")[2].startswith("1 left blocked")


def test_the_rule_command_offers_credentials_when_it_cannot_tell(configured):
    addon, _ = configured
    snippet = addon.rule_for_flows([cors_flow(host="api.other", port=443)])
    assert "    # allow_credentials: true   # only if the page sends credentials: 'include'" in snippet
    untouched = run(
        addon, cors_flow(host="elsewhere.example"), tutils.tresp(headers=((b"Access-Control-Allow-Origin", b"*"),))
    )
    assert (
        'a rule that would fix it: {hosts: ["elsewhere.example:22"], allow_origins: '
        '["http://localhost:3000"], allow_credentials: true}' in untouched.comment
    )
    assert (
        "server alone: blocked if credentials: 'include' - The value of the 'Access-Control-Allow-Origin' "
        "header in the response must not be the wildcard '*'" in untouched.comment
    )


def test_explain_says_both_sides(configured):
    addon, _ = configured
    lines = addon.explain_flows([run(addon, cors_flow())]).splitlines()
    assert "  if the page sends credentials: 'include' (the proxy cannot see whether it does): blocked" in lines
    assert "  as the browser gets it: passes" in lines
    assert any(
        line.startswith("  as the browser gets it if the page sends credentials: 'include': blocked - ")
        for line in lines
    )


def test_a_preflight_whose_call_never_comes_is_reported(configured, caplog):
    addon, _ = configured
    put = [("Access-Control-Request-Method", "PUT")]
    came = cors_flow("OPTIONS", headers=put)
    addon.request(came)
    addon.request(cors_flow("PUT"))  # the call followed
    lonely = cors_flow("OPTIONS", headers=put)
    lonely.request.path = "/lonely"
    addon.request(lonely)
    assert addon.preflights.unanswered(time.monotonic()) == []  # not yet: the browser may still call
    lines = addon.preflights.unanswered(time.monotonic() + 10)
    assert lines == [
        "CORS preflight PUT http://address:22/lonely from http://localhost:3000: the PUT itself never came, so the "
        "browser blocked the call after the preflight. Most likely the page sends credentials: 'include', and then: "
        "Access to fetch at 'http://address:22/lonely' from origin 'http://localhost:3000' has been blocked by CORS "
        "policy: Response to preflight request doesn't pass access control check: The value of the "
        "'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's "
        "credentials mode is 'include'. (Firefox: CORSMissingAllowCredentials, CORSDidNotSucceed); set "
        "allow_credentials: true on rule 'api' if it should."
    ]
    assert addon.preflights.unanswered(time.monotonic() + 20) == []  # said once


COOKIE_RULES = """
rules:
  - name: session-api
    hosts: ["address:22"]
    allow_origins: [http://localhost:3000]
    allow_credentials: true
    rewrite_cookies: true
  - name: plain-api
    hosts: ["plain:22"]
    allow_origins: [http://localhost:3000]
    allow_credentials: true
"""


def login(addon, host="address", site="cross-site"):
    flow = cors_flow("POST", host=host, headers=[("Cookie", "old=1"), ("Sec-Fetch-Site", site)])
    response = tutils.tresp(
        headers=(
            (b"Content-Type", b"application/json"),
            (b"Set-Cookie", b"session=abc; Path=/; HttpOnly; Max-Age=3600"),
            (b"Set-Cookie", b"kept=1; SameSite=None; Secure; Partitioned"),
            (b"Set-Cookie", b"theme=dark; Domain=example.com; SameSite=Lax"),
        )
    )
    return run(addon, flow, response)


def test_cookies_the_browser_drops_are_named_and_rewritten_where_the_rule_says(write_rules):
    addon = CorsAddon()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, cors_rules=str(write_rules(COOKIE_RULES)))
        plain = login(addon, host="plain")
        assert plain.response.headers.get_all("Set-Cookie") == [
            "session=abc; Path=/; HttpOnly; Max-Age=3600",
            "kept=1; SameSite=None; Secure; Partitioned",
            "theme=dark; Domain=example.com; SameSite=Lax",
        ]
        meta = plain.metadata["cors"]["cookies"]
        assert meta["cross_site"] is True and meta["decided_by"] == "Sec-Fetch-Site: cross-site"
        assert [(d["name"], d["reason"]) for d in meta["dropped"]] == [
            ("session", "UserPreferences"),
            ("theme", "InvalidDomain"),
        ]
        assert (
            "cookies the browser drops (cross-site, by Sec-Fetch-Site: cross-site): session (UserPreferences:"
            in plain.comment
            and "fix: rewrite_cookies: true" in plain.comment
        )
        explained = addon.explain_flows([plain])
        assert (
            "  cookie session: the browser drops it (UserPreferences: a cross-site response's cookie without "
            "Partitioned: third-party cookies are blocked" in explained
        )
        fixed = login(addon)
        assert fixed.response.headers.get_all("Set-Cookie") == [
            "session=abc; Path=/; HttpOnly; Max-Age=3600; SameSite=None; Secure; Partitioned",
            "kept=1; SameSite=None; Secure; Partitioned",
            "theme=dark; SameSite=None; Secure; Partitioned",
        ]
        assert fixed.metadata["cors"]["cookies"]["rewritten"] == ["session", "theme"]
        assert (
            "cookies rewritten so the browser keeps them (host-only, SameSite=None; Secure; Partitioned): "
            "session, theme" in fixed.comment
        )
        same_site = login(addon, site="same-site")
        assert same_site.response.headers.get_all("Set-Cookie")[0] == "session=abc; Path=/; HttpOnly; Max-Age=3600"
        assert same_site.metadata["cors"]["cookies"]["dropped"] == [
            {
                "name": "theme",
                "reason": "InvalidDomain",
                "why": "Domain=example.com does not match the host address",
                "fix": "rewrite_cookies: true on the rule, or have the server send it host-only with SameSite=None; "
                "Secure; Partitioned",
            }
        ]


def test_rewrite_cookies_without_credentials_is_a_warning():
    from addon.config.load import parse_rules

    result = parse_rules("rules:\n  - hosts: a.com\n    rewrite_cookies: true\n")
    assert (
        len(result.warnings) == 1
        and "without allow_credentials: true the browser sends no cookie" in result.warnings[0]
    )


@pytest.mark.parametrize(
    ("options", "long"),
    [({}, False), ({"cors_verbose": True}, True)],
)
def test_the_log_is_one_short_line_per_decision_unless_asked_for_more(configured, caplog, options, long):
    addon, tctx = configured
    caplog.set_level(logging.DEBUG)
    tctx.configure(addon, **options)
    flow = run(addon, cors_flow())
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("CORS GET")]
    assert len(logged) == 1
    assert ("server alone: blocked" in logged[0]) is long
    assert "server alone: blocked" in flow.comment  # the comment has it in full either way
    assert ("Access to fetch at" in logged[0]) is long


CHROME = (
    "User-Agent",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
)
FIREFOX = ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0")
OLD_CHROME = (
    "User-Agent",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
)
CROSS_SITE = ("Sec-Fetch-Site", "cross-site")


@pytest.mark.parametrize(
    ("headers", "mark", "sides"),
    [
        ([CHROME, CROSS_SITE], ":white_check_mark:", ["omit"]),  # no Sec-Fetch-Storage-Access: no credentials
        ([FIREFOX, CROSS_SITE], ":large_orange_diamond:", ["omit", "include"]),  # Firefox: not whatever the setting
        ([CHROME, CROSS_SITE, ("Sec-Fetch-Storage-Access", "none")], ":warning:", ["include"]),
        ([OLD_CHROME, CROSS_SITE], ":large_orange_diamond:", ["omit", "include"]),  # not measured: both sides
        ([CHROME, ("Sec-Fetch-Site", "same-site")], ":large_orange_diamond:", ["omit", "include"]),
        ([CHROME], ":large_orange_diamond:", ["omit", "include"]),  # plain http to a remote host: no Sec-Fetch-*
        ([CROSS_SITE], ":large_orange_diamond:", ["omit", "include"]),  # no User-Agent
    ],
)
def test_a_cross_site_call_from_a_marking_browser_without_the_header_had_no_credentials(
    configured, headers, mark, sides
):
    addon, _ = configured
    flow = run(addon, cors_flow(headers=headers))
    assert flow.marked == mark
    assert flow.metadata["cors"]["browser_verdict"]["credentials"] == (sides[0] if len(sides) == 1 else "unknown")


def test_a_preflight_takes_the_mode_of_its_call(configured):
    addon, _ = configured
    asking = [("Access-Control-Request-Method", "PUT")]
    preflight = run(addon, cors_flow("OPTIONS", headers=[CHROME, CROSS_SITE, *asking]))
    assert preflight.marked == ":large_orange_diamond:"  # a preflight never shows the mode of its call
    call = run(addon, cors_flow("PUT", headers=[CHROME, CROSS_SITE]))
    assert call.marked == ":white_check_mark:" and preflight.marked == ":white_check_mark:"
    assert addon.session_summary.lines() == ["CORS summary: http://localhost:3000 -> address:22: 2 fixed"]

    credentialed = run(addon, cors_flow("OPTIONS", headers=[CHROME, CROSS_SITE, *asking]))
    run(addon, cors_flow("PUT", headers=[CHROME, CROSS_SITE, ("Sec-Fetch-Storage-Access", "none")]))
    assert credentialed.marked == ":warning:"
    assert addon.session_summary.lines()[0].startswith(
        "CORS summary: http://localhost:3000 -> address:22: 2 fixed, 2 left blocked; why: "
    )


def test_the_documented_filters_pick_the_blocked_and_the_undecided(configured):
    from mitmproxy import flowfilter

    addon, _ = configured
    passing = run(addon, cors_flow(headers=[CHROME, CROSS_SITE]))
    undecided = run(addon, cors_flow())
    blocked = run(addon, cors_flow(host="elsewhere.example"))
    refused = run(addon, cors_flow(origin="http://evil.example"))
    flows = [passing, undecided, blocked, refused]
    assert [bool(flowfilter.parse("~marked")(f)) for f in flows] == [True, True, True, True]
    assert [bool(flowfilter.parse('~marker "no_entry|warning"')(f)) for f in flows] == [False, False, True, True]
    assert [bool(flowfilter.parse("~marker large_orange_diamond")(f)) for f in flows] == [False, True, False, False]
