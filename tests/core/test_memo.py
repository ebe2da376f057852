"""The memo hands out frozen Outcomes per shape of exchange; what differs between flows stays per flow."""

from addon.answer.memo import KEPT, Memo
from addon.answer.outcome import Mode
from addon.config.load import parse_rules
from addon.core.request import CorsRequest

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
    assert two["headers_set"]["Access-Control-Allow-Origin"] == "http://localhost:3000"


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
