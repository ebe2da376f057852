"""The memo layer: a repeated shape of exchange reuses its plan; anything CORS reads makes a new one."""
import textwrap

from addon import plans
from addon.plans import Planner, plan_response, response_shape
from addon.policy import CorsRequest
from addon.rules import parse_rules

ORIGIN = "http://localhost:3000"
RULES = parse_rules(textwrap.dedent("""
    rules:
      - name: api
        hosts: [api.example.com]
        allow_origins: [http://localhost:3000]
        allow_credentials: true
"""))


def request(path="/items", origin=ORIGIN, **kwargs):
    return CorsRequest("GET", "https", "api.example.com", 443, path, (origin,), ("https://api.example.com",), **kwargs)


def fields(date=b"Thu, 26 Nov 2026 10:00:00 GMT", allow_origin=None, extra=()):
    raw = [(b"Date", date), (b"Content-Type", b"application/json"), (b"Content-Length", b"2"), *extra]
    if allow_origin is not None:
        raw.append((b"Access-Control-Allow-Origin", allow_origin))
    return tuple(raw)


def call(planner, req):
    return planner.call(req, lambda key: key)  # the request itself serves as its shape key here


def plan(planner, req, raw, status=200, audit=False, answered=False):
    c = call(planner, req)
    return planner.plan(c, planner.decide(c), status, raw, audit, answered)


def test_the_shape_keeps_every_name_but_only_cors_values():
    shape = response_shape(fields(allow_origin=b"*", extra=[(b"Vary", b"Accept"), (b"Location", b"/x"),
                                                            (b"ACCESS-CONTROL-MAX-AGE", b"5")]))
    assert shape == (b"Date", b"Content-Type", b"Content-Length", (b"Vary", b"Accept"), (b"Location", b"/x"),
                     (b"ACCESS-CONTROL-MAX-AGE", b"5"), (b"Access-Control-Allow-Origin", b"*"))


def test_calls_that_differ_only_in_what_cors_ignores_share_one_plan():
    planner = Planner(RULES)
    first = plan(planner, request(), fields(date=b"Thu, 26 Nov 2026 10:00:00 GMT"))
    again = plan(planner, request(), fields(date=b"Thu, 26 Nov 2026 10:00:01 GMT"))
    assert again is first
    assert first.rewrite and (b"Access-Control-Allow-Origin", ORIGIN.encode()) in first.added


def test_anything_cors_reads_gets_its_own_plan():
    planner = Planner(RULES)
    base = plan(planner, request(), fields())
    assert plan(planner, request(), fields(allow_origin=b"*")) is not base  # the server's own CORS header
    assert plan(planner, request(), fields(extra=[(b"X-Total", b"1")])) is not base  # exposed names
    assert plan(planner, request(), fields(), status=500) is not base
    assert plan(planner, request(), fields(), audit=True) is not base
    assert plan(planner, request(origin="http://localhost:4000"), fields()) is not base
    assert plan(planner, request(carries_credentials=True), fields()) is not base


def test_a_plan_says_what_an_unmemoized_plan_says():
    planner = Planner(RULES)
    req = request(path="/items?page=2")
    memoized = plan(planner, req, fields(extra=[(b"X-Total", b"1")]))
    fresh = plan_response(req, planner.decide(call(planner, req)), 200,
                          response_shape(fields(extra=[(b"X-Total", b"1")])), False, False)
    assert (memoized.added, memoized.summary, memoized.line, memoized.metadata) == \
        (fresh.added, fresh.summary, fresh.line, fresh.metadata)
    assert "https://api.example.com/items?page=2" in memoized.line
    assert dict(memoized.set_headers)["Access-Control-Expose-Headers"] == "date, x-total"  # safelisted ones need no exposing


def test_fields_are_only_dropped_from_responses_that_have_them():
    planner = Planner(RULES)
    plain = plan(planner, request(), fields())
    assert plain.rewrite and plain.replaced == ()  # the CORS fields are appended to the response's own
    own = plan(planner, request(), fields(extra=[(b"vary", b"Accept")]))
    assert own.replaced == (b"access-control-", b"vary")
    assert (b"Vary", b"Accept, Origin") in own.added


def test_decisions_of_rules_with_a_filter_are_taken_per_flow():
    seen = []

    def only_marked(subject):
        seen.append(subject)
        return subject == "marked"
    rules = parse_rules("rules:\n  - hosts: api.example.com\n    filter: '~marked'\n", compile_filter=lambda text: only_marked)
    planner = Planner(rules)
    assert planner.decide(call(planner, request()), "marked").outcome == "allowed"
    assert planner.decide(call(planner, request()), "other").outcome == "untouched"
    assert seen == ["marked", "other"]


def test_decisions_without_a_filter_are_taken_once():
    planner = Planner(RULES)
    assert call(planner, request()) is call(planner, request())
    assert planner.decide(call(planner, request())) is planner.decide(call(planner, request()))


def test_the_memo_stays_bounded(monkeypatch):
    monkeypatch.setattr(plans, "PLANS_KEPT", 8)
    planner = Planner(RULES)
    for i in range(30):
        plan(planner, request(path=f"/items/{i}"), fields())
    assert 0 < len(planner._plans) <= 8 and 0 < len(planner._calls) <= 8


def test_the_url_is_the_one_the_browser_prints():
    assert request().url == "https://api.example.com/items"
    assert CorsRequest("GET", "http", "::1", 8080, "/x?y", (ORIGIN,)).url == "http://[::1]:8080/x?y"
    assert CorsRequest("GET", "http", "api.example.com", 443, "/", (ORIGIN,)).url == "http://api.example.com:443/"
