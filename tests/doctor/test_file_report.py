"""A whole file at a glance: outcomes, the summary, the JSON and the exit status of `cors-addon explain`."""

import json
import subprocess
import sys

import pytest
from support.proxy import ROOT

from addon.doctor.file_report import needs_preflight
from addon.doctor.offline import explain_file, judge_calls
from addon.doctor.recorded import Recorded

ORIGIN, API = "http://localhost:3000", "http://127.0.0.1:5000"
PAGE = [("Origin", ORIGIN)]
PLAIN = [("Content-Type", "text/plain")]  # a response without any Access-Control-* header
STAR = [("Access-Control-Allow-Origin", "*")]
EXACT = [("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Credentials", "true")]


def outcomes(*calls):
    return [judged.outcome for _, judged in judge_calls(list(calls))]


def test_each_call_has_one_outcome_the_file_can_back():
    assert outcomes(
        Recorded("GET", f"{API}/a", [*PAGE, ("Cookie", "s=1")], 200, EXACT),
        Recorded("GET", f"{API}/b", PAGE, 200, PLAIN),
        Recorded("GET", f"{API}/c", PAGE, 200, STAR),
        Recorded("GET", f"{API}/d", PAGE, -1, [], "net::ERR_FAILED"),
        Recorded("GET", f"{API}/e", PAGE, -1, [], "net::ERR_CONNECTION_REFUSED"),
        Recorded("GET", f"{API}/f", PAGE, 0, []),
    ) == ["passes", "blocked", "blocked with credentials", "blocked", "failed", "failed"]


def test_the_summary_comes_first_grouped_by_origin_host_and_reason():
    calls = [
        Recorded("GET", f"{API}/a", PAGE, 200, STAR),
        Recorded("GET", f"{API}/b", PAGE, 200, PLAIN),
        Recorded("GET", f"{API}/c", PAGE, 200, PLAIN),
        Recorded("GET", "http://127.0.0.1:5001/d", PAGE, -1, [], "net::ERR_CONNECTION_REFUSED"),
        Recorded("GET", f"{API}/e", PAGE, 200, EXACT),
    ]
    lines = list(explain_file(calls))
    assert lines[: lines.index("")] == [
        "Summary: 5 cross-origin calls: 1 pass, 2 blocked, 1 blocked with credentials, 1 failed",
        f"  {ORIGIN} -> 127.0.0.1:5000: 1 pass, 2 blocked, 1 blocked with credentials",
        "    blocked with credentials (x1): The value of the 'Access-Control-Allow-Origin' header in the response "
        "must not be the wildcard '*' when the request's credentials mode is 'include'.; fix: send the exact origin "
        f"(Access-Control-Allow-Origin: {ORIGIN}) and Access-Control-Allow-Credentials: true instead of '*'",
        "    blocked (x2): No 'Access-Control-Allow-Origin' header is present on the requested resource.; "
        f"fix: send Access-Control-Allow-Origin: {ORIGIN}",
        f"  {ORIGIN} -> 127.0.0.1:5001: 1 failed",
        "    failed (x1): the request failed on the network (net::ERR_CONNECTION_REFUSED): not a CORS block",
    ]
    assert f"GET {API}/e from {ORIGIN}" in lines
    only_blocked = list(explain_file(calls, blocked_only=True))
    assert f"GET {API}/e from {ORIGIN}" not in only_blocked and f"GET {API}/b from {ORIGIN}" in only_blocked
    refused = "  no answer (status -1 (net::ERR_CONNECTION_REFUSED)): the request failed on the network; not a CORS"
    refused += " block"
    assert refused in only_blocked


@pytest.mark.parametrize(
    ("method", "headers", "why"),
    [
        ("GET", [], ""),
        ("POST", [("Content-Type", "text/plain;charset=UTF-8")], ""),
        ("POST", [("Content-Type", "application/json")], "Content-Type: application/json"),
        ("PUT", [], "its method PUT"),
        ("GET", [("Authorization", "Bearer x")], "its Authorization header"),
        ("GET", [("X-Requested-With", "fetch")], "its X-Requested-With header"),
    ],
)
def test_a_call_shows_by_its_own_request_whether_it_was_preflighted(method, headers, why):
    assert needs_preflight(method, headers) == why


def har(*calls: Recorded) -> str:
    def fields(headers):
        return [{"name": name, "value": value} for name, value in headers]

    entries = [
        {
            "request": {"method": c.method, "url": c.url, "headers": fields(c.request_headers)},
            "response": {"status": c.status, "headers": fields(c.response_headers)},
            "_error": c.error,
        }
        for c in calls
    ]
    return json.dumps({"log": {"entries": entries}})


@pytest.mark.parametrize(
    ("calls", "status"),
    [
        ([Recorded("GET", f"{API}/a", PAGE, 200, STAR)], 0),  # blocked only if the page sent credentials
        ([Recorded("GET", f"{API}/a", PAGE, -1, [], "net::ERR_CONNECTION_REFUSED")], 0),  # not CORS
        ([Recorded("GET", f"{API}/a", PAGE, 200, STAR), Recorded("GET", f"{API}/b", PAGE, 200, PLAIN)], 1),
        ([Recorded("GET", f"{API}/a", PAGE, -1, [], "net::ERR_FAILED")], 1),
        ([Recorded("GET", "http://localhost:3000/app.js", [], 200, [])], 0),  # no cross-origin call
    ],
)
def test_the_exit_status_is_1_only_for_a_call_blocked_in_every_mode_the_file_allows(tmp_path, calls, status):
    path = tmp_path / "calls.har"
    path.write_text(har(*calls))
    for options in ((), ("--blocked",), ("--json",)):
        result = subprocess.run(
            [sys.executable, "-m", "addon", "explain", str(path), *options], capture_output=True, text=True, cwd=ROOT
        )
        assert (result.returncode, result.stderr) == (status, ""), options
