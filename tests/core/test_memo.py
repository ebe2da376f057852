"""The memo hands out frozen Outcomes per shape of exchange; what differs between flows stays per flow."""

from dataclasses import replace

import pytest

from addon.answer.memo import KEPT, READ_VALUES, Memo, response_shape
from addon.answer.outcome import Mode
from addon.answer.respond import respond
from addon.config.load import parse_rules
from addon.core.request import CorsRequest
from addon.doctor import report

RULES = parse_rules(
    'rules:\n  - name: api\n    hosts: ["api.example.com"]\n    allow_origins: [http://localhost:3000]\n'
)
FILTERED = parse_rules("rules:\n  - hosts: api.example.com\n    filter: '~m POST'\n", compile_filter=lambda e: e)


def request(path="/items", origin="http://localhost:3000"):
    return CorsRequest("GET", "https", "api.example.com", 443, path, (origin,), ("https://api.example.com",))


def test_same_shape_same_outcome_other_shapes_their_own():
    memo = Memo(RULES)
    decision = memo.decide(request(), lambda rule: True)
    assert memo.decide(request(), lambda rule: True) is decision
    first = memo.respond(decision, 200, [("Date", "one"), ("Content-Type", "text/plain")], Mode.FIX)
    assert memo.respond(decision, 200, [("Date", "two"), ("Content-Type", "text/html")], Mode.FIX) is first
    assert memo.respond(decision, 200, [("Access-Control-Allow-Origin", "*")], Mode.FIX) is not first
    assert memo.respond(decision, 200, [("Vary", "Accept")], Mode.FIX) is not first
    assert memo.respond(decision, 500, [("Date", "one")], Mode.FIX) is not first
    assert memo.respond(decision, 200, [("Date", "one")], Mode.AUDIT) is not first
    other = memo.decide(request(origin="http://localhost:4000"), lambda rule: True)
    assert memo.respond(other, 200, [("Date", "one")], Mode.FIX) is not first


def test_metadata_is_built_for_each_flow():
    memo = Memo(RULES)
    outcome = memo.respond(memo.decide(request(), lambda rule: True), 200, [("Date", "one")], Mode.FIX)
    one, two = outcome.metadata((200, (("Date", "one"),))), outcome.metadata((200, (("Date", "two"),)))
    assert one["server_response"]["headers"] == [["Date", "one"]] and two["server_response"]["headers"] == [
        ["Date", "two"]
    ]
    one["headers_set"]["Access-Control-Allow-Origin"] = "edited"
    one["browser_verdict"]["blocked"] = "edited"
    one["server_verdict"]["reason"] = "edited"
    assert two["headers_set"]["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert two["browser_verdict"]["blocked"] is False and two["server_verdict"]["reason"] != "edited"
    assert outcome.metadata(None) == report.metadata(outcome.facts, outcome.summary, outcome.headers_set, None)
    assert two == report.metadata(outcome.facts, outcome.summary, outcome.headers_set, (200, (("Date", "two"),)))


def test_metadata_with_cookies_is_built_for_each_flow():
    memo = Memo(RULES)
    cookie = [("Set-Cookie", "sid=1; SameSite=Lax")]
    outcome = memo.respond(memo.decide(request(), lambda rule: True), 200, cookie, Mode.FIX)
    one, two = outcome.metadata(None), outcome.metadata(None)
    assert one["cookies"]["dropped"] and one["cookies"] == two["cookies"]
    one["cookies"]["dropped"][0]["name"] = "edited"
    assert two["cookies"]["dropped"][0]["name"] == "sid"


def test_a_rule_with_a_filter_is_decided_for_each_flow():
    memo = Memo(FILTERED)
    assert memo.decide(request(), lambda rule: True).action == "allowed"
    assert memo.decide(request(), lambda rule: False).action == "untouched"


def test_the_memo_stays_bounded():
    memo = Memo(RULES)
    for n in range(KEPT * 3):
        decision = memo.decide(request(path=f"/items/{n}"), lambda rule: True)
        memo.respond(decision, 200, [], Mode.FIX)
    assert 0 < len(memo) <= 2 * KEPT


CREDENTIALED_STAR_EXPOSE = parse_rules(
    "rules:\n  - hosts: [api.example.com]\n    allow_origins: [http://localhost:3000]\n    allow_credentials: true\n"
)
SERVER_RESPONSES = [
    [("Content-Type", "application/json"), ("Content-Length", "2"), ("Server", "nginx"), ("X-Runtime", "0.1")],
    [("Access-Control-Allow-Origin", "*"), ("Vary", "Accept"), ("ETag", '"x"'), ("Cache-Control", "max-age=60")],
    [("Location", "https://elsewhere.example/"), ("Set-Cookie", "sid=1; SameSite=Lax"), ("Date", "today")],
    [("Transfer-Encoding", "chunked"), ("Set-Cookie", "a=b; SameSite=None; Secure"), ("X-Powered-By", "Express")],
]


def blanked(headers):
    """The response with every value outside READ_VALUES changed: what respond must not depend on."""
    return [(name, value if name.lower().startswith(READ_VALUES) else "changed") for name, value in headers]


def decide_for(rules, cors_request):
    return Memo(rules).decide(cors_request, lambda rule: True)


@pytest.mark.parametrize("rules", [RULES, CREDENTIALED_STAR_EXPOSE], ids=["listed", "expose-all-names"])
@pytest.mark.parametrize("status", [200, 302, 403])
@pytest.mark.parametrize("headers", SERVER_RESPONSES)
@pytest.mark.parametrize("mode", list(Mode.__members__.values())[:2])
def test_respond_reads_no_response_value_outside_the_memo_shape(rules, status, headers, mode):
    """If respond (or a verdict, or the cookie check) read a field's value outside READ_VALUES, two responses
    with one shape would share one Outcome: the same respond on the full and on the changed values differs."""
    decision = decide_for(rules, request())
    assert respond(decision, status, headers, mode) == respond(decision, status, blanked(headers), mode)
    assert respond(decision, status, headers, mode) == respond(
        decision, status, response_shape(headers, decision), mode
    )


def test_the_shape_test_catches_a_reader_outside_the_declaration(monkeypatch):
    """The test above can fail: a verdict that reads Content-Type makes the full and the shaped answer differ."""
    from addon.doctor import verdict as verdict_module

    real = verdict_module.verdict

    def reads_content_type(ex):
        result = real(ex)
        return replace(result, fix=result.fix + (ex.header("content-type") or ""))

    monkeypatch.setattr("addon.doctor.judge.verdict", reads_content_type)
    decision = decide_for(RULES, request())
    headers = [("Content-Type", "text/html")]
    assert respond(decision, 200, headers) != respond(decision, 200, response_shape(headers, decision))
