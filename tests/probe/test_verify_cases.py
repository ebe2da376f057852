"""The pure half of `cors-addon verify`: which cases a rule gets, and how a case is compared when the
"server" is a plain function of the request (the rule's own answer, or a server that opens more)."""

import pytest

from addon.config.load import parse_rules
from addon.probe.cases import cases, target
from addon.probe.client import Answer
from addon.probe.verify import rule_answer, run_case
from addon.probe.verify_run import plan

RULES = """
rules:
  - name: api
    hosts: ["api.example.com"]
    paths: ["/v1/**"]
    allow_origins: [https://app.example.com, "https://*.preview.example", "http://localhost:*"]
    allow_credentials: true
    allow_methods: [GET, PUT, DELETE]
    allow_headers: [x-token]
    expose_headers: [x-total]
    allow_private_network: true
  - name: open
    hosts: ["127.0.0.1:8000"]
    allow_origins: "*"
  - name: regex
    hosts: ["*.example.net"]
    allow_origin_regex: ['https://([a-z]+\\.)?shop\\.example']
"""


def names(rule_name, rules=None):
    rules = rules or parse_rules(RULES)
    rule = next(r for r in rules.rules if r.name == rule_name)
    base, _ = target(rule)
    found, notes = cases(rule, rules, base, "/v1/verify")
    return [case.name for case in found], notes


def test_a_rule_gets_each_origin_lookalikes_each_method_and_header_and_a_call_without_origin():
    found, notes = names("api")
    assert found == [
        "GET from https://app.example.com",
        "GET from https://verify.preview.example",
        "GET from http://localhost:5173",
        "GET from https://app.example.com.evil.example (refused)",
        "GET from https://evil.example (refused)",
        "GET from null (refused)",
        "DELETE",
        "PUT",
        "PATCH (not allowed)",
        "header x-token",
        "header x-verify-unlisted (not allowed)",
        "private network",
        "GET without Origin",
    ]
    assert notes == []


def test_a_star_rule_gets_sample_methods_and_headers_and_no_refused_origin():
    found, _ = names("open")
    assert found == ["GET from http://localhost:5173", "PUT", "DELETE", "header x-verify", "GET without Origin"]


def test_a_regex_gets_an_example_made_from_its_hosts_or_a_note():
    found, notes = names("regex")
    assert found[0] == "GET from https://shop.example" and notes == []
    rules = parse_rules(RULES.replace("'https://([a-z]+\\.)?shop\\.example'", "'https://x[0-9]{3}'"))
    found, notes = names("regex", rules)
    assert notes == ["allow_origin_regex 'https://x[0-9]{3}': no example origin found; not tried"]


@pytest.mark.parametrize(
    "rule, url, one_server",
    [
        ("api", "https://api.example.com", True),
        ("open", "http://127.0.0.1:8000", True),
        ("regex", "https://verify.example.net", False),
    ],
)
def test_the_rule_s_own_url(rule, url, one_server):
    found = next(r for r in parse_rules(RULES).rules if r.name == rule)
    assert target(found) == (url, one_server)


def test_the_plan_counts_the_most_requests_before_anything_is_sent():
    plans = plan(parse_rules(RULES), only="api")
    assert plans[0].rule_url == "https://api.example.com/v1/verify" and plans[0].server_url == plans[0].rule_url
    # DELETE, PUT, PATCH, the two headers and private network are preflighted: 6 cases of 2 requests, 7 of 1
    assert plans[0].most_requests == 19
    assert plan(parse_rules(RULES), only="regex")[0].server_url == ""  # *.example.net: --against is needed
    assert plan(parse_rules(RULES), "http://127.0.0.1:9/x", "open")[0].server_url == "http://127.0.0.1:9/x"
    with pytest.raises(ValueError, match="no rule named 'nope' in rules.yaml \\(its rules: api, open, regex\\)"):
        plan(parse_rules(RULES), only="nope")


def bare(method, url, fields):
    return Answer(200, (("Content-Type", "application/json"), ("X-Total", "3")))


def as_the_rule(method, url, fields):
    """A server that does what the rules do: the addon's answer in front of a bare one."""
    from addon.probe.probe import as_request

    return rule_answer(parse_rules(RULES), as_request(method, url, fields), bare(method, url, fields))


def star_server(method, url, fields):
    return Answer(200, (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "*"),
                        ("Access-Control-Allow-Headers", "*"), ("Access-Control-Expose-Headers", "*"),
                        ("X-Total", "3")))  # fmt: skip


def run_all(send):
    rules = parse_rules(RULES)
    each = plan(rules, only="api")[0]
    return {c.name: run_case(c, rules, each.rule_url, each.rule_url, send) for c in each.cases}


def test_a_server_that_does_what_the_rule_does_shows_no_difference():
    results = run_all(as_the_rule)
    assert {name: r.differences for name, r in results.items() if r.differences} == {}
    assert results["PUT"].requests == 2 and results["GET without Origin"].requests == 1
    assert {r.decided_by for r in results.values()} == {"api"}


def test_a_server_that_allows_every_origin_opens_more_where_the_rule_refuses():
    results = run_all(star_server)
    lookalike = results["GET from https://app.example.com.evil.example (refused)"].differences
    assert [(d.kind, d.text.split(" (")[0]) for d in lookalike] == [
        ("opens more", "the server allows it without credentials, which the rule refuses")
    ]
    assert results["PATCH (not allowed)"].differences[0].kind == "opens more"
    credentialed = results["GET from https://app.example.com"].differences
    assert any(d.kind == "stricter" and "with credentials" in d.text for d in credentialed)
    assert any(
        d.text == "no Access-Control-Allow-Private-Network: true, which the rule sends"
        for d in results["private network"].differences
    )


def test_a_bare_server_is_stricter_everywhere_and_never_opens_more():
    results = run_all(bare)
    kinds = {d.kind for r in results.values() for d in r.differences}
    assert kinds == {"stricter", "cache"}
    assert (
        results["GET from https://app.example.com"]
        .differences[0]
        .text.startswith(
            "the server refuses it with and without credentials, which the rule allows (Chromium: No "
            "'Access-Control-Allow-Origin' header"
        )
    )
    assert [d.text for d in results["GET without Origin"].differences] == [
        "no Vary: Origin without an Origin header: a cache may serve one origin's answer to another"
    ]
