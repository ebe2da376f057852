"""`cors-addon verify` from its command line against real servers on 127.0.0.1: the plan before anything is
sent, the summary, the exit status with and without --strict, JSON and JUnit, and every way of not being
able to run said as such (exit 2, no traceback). The runs against every export: tests/equivalence."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from support.net import free_port, raw_server
from support.proxy import ROOT
from support.upstream import Upstream

RULES = """rules:
  - name: api
    hosts: ["127.0.0.1:{port}"]
    allow_origins: [http://localhost:3000]
    allow_credentials: true
"""


def verify(*args):
    return subprocess.run(
        [sys.executable, "-m", "addon", "verify", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def api():
    with Upstream() as running:
        yield running


@pytest.fixture
def rules(tmp_path, api):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES.format(port=api.port))
    return path


def test_the_plan_comes_first_then_the_summary_and_a_stricter_server_fails_only_with_strict(rules, api):
    result = verify(rules)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[0] == f"cors-addon verify {rules}: 1 rule, 8 cases, at most 11 requests, no cookies"
    assert (
        lines[1]
        == "verify: 0 of 1 rules can be retired; 4 stricter, 1 cache; stricter and cache are errors only with --strict"
    )
    assert lines[2] == f"rule 'api' (line 2) at http://127.0.0.1:{api.port}/: differs from the rule"
    assert lines[3].startswith(
        "  🔶 GET from http://localhost:3000: stricter: the server refuses it with and without credentials, which the "
        "rule allows (Chromium: No 'Access-Control-Allow-Origin' header is present on the requested resource.)"
    )
    strict = verify(rules, "--strict")
    assert strict.returncode == 1 and "; with --strict each is an error" in strict.stdout


def test_a_server_that_opens_more_fails_without_strict_naming_the_case(rules, api):
    lax = f"http://127.0.0.1:{api.port}/configured?h=Access-Control-Allow-Origin:*"
    result = verify(rules, "--against", lax)
    assert result.returncode == 1, result.stdout
    assert (
        "  ⛔ GET from http://localhost.evil.example:3000 (refused): opens more: the server allows it without "
        "credentials, which the rule refuses (the rule's answer: No 'Access-Control-Allow-Origin' header"
    ) in result.stdout


def test_json_and_junit_name_every_case(rules, api, tmp_path):
    junit = tmp_path / "verify.xml"
    result = verify(rules, "--json", "--junit", junit, "--strict")
    assert result.returncode == 1
    assert result.stderr.startswith(f"cors-addon verify {rules}: 1 rule, 8 cases")  # the plan: not in the JSON
    report = json.loads(result.stdout)
    assert set(report) == {"rules_file", "strict", "exit", "summary", "requests_planned", "requests_sent", "rules"}
    assert report["exit"] == 1 and report["requests_planned"] == report["requests_sent"] == 11
    (rule,) = report["rules"]
    assert rule["name"] == "api" and rule["retirable"] is False and rule["could_not_ask"] is None
    first = rule["cases"][0]
    assert set(first) == {"name", "method", "origin", "requests", "decided_by", "differences"}
    assert first["differences"][0]["kind"] == "stricter" and first["differences"][0]["error"] is True
    suite = ET.parse(junit).getroot()
    assert suite.get("name") == "cors-addon verify" and suite.get("tests") == "8" and suite.get("failures") == "5"
    failed = [case.get("name") for case in suite if case.find("failure") is not None]
    assert failed == ["GET from http://localhost:3000", "PUT", "DELETE", "header x-verify", "GET without Origin"]
    assert {case.get("classname") for case in suite} == {"rule api"}


def test_what_cannot_be_run_is_said_so_with_exit_2(rules, api, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules:\n  - name: x\n    hosts: 5\n")
    wildcard = tmp_path / "wildcard.yaml"
    wildcard.write_text('rules:\n  - name: all\n    hosts: ["*.example.com"]\n')
    hanging = raw_server(None)
    try:
        cases = {
            "refused": (verify(rules, "--against", f"http://127.0.0.1:{free_port()}"), "refused the connection"),
            "no scheme": (verify(rules, "--against", "127.0.0.1:1"), "is not an http:// or https:// URL"),
            "tls to plain http": (verify(rules, "--against", f"https://127.0.0.1:{api.port}"), "TLS with 127.0.0.1:"),
            "hangs": (
                verify(rules, "--against", f"http://127.0.0.1:{hanging.getsockname()[1]}", "--timeout", "0.5"),
                "did not answer within 0.5 s",
            ),
            "rules error": (verify(broken), f"{broken}:3: rule 'x', field 'hosts': must be a string or a list"),
            "unknown rule": (verify(rules, "--rule", "nope"), "no rule named 'nope'"),
            "wildcard": (
                verify(wildcard),
                "rule 'all' covers more than one server (as verify.example.com): give --against URL",
            ),
            "junit": (verify(rules, "--junit", tmp_path / "missing" / "x.xml"), "cannot write"),
        }
    finally:
        hanging.close()
    for name, (result, said) in cases.items():
        assert result.returncode == 2, (name, result.stdout, result.stderr)
        assert said in result.stdout + result.stderr, (name, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, name
