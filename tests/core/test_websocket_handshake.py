"""A WebSocket handshake to a covered host (pure): which rule covers it, whether its Origin is rewritten,
and the line, mark and comment of what the server answered."""

import pytest

from addon.config.load import parse_rules
from addon.core.websocket import decide_handshake
from addon.doctor.websocket import handshake_outcome

RULES = parse_rules(
    'rules:\n  - name: ws\n    hosts: ["api.example.com"]\n    allow_origins: [http://localhost:3000]\n'
    "    websocket_origin: rewrite\n"
    '  - name: kept\n    hosts: ["127.0.0.1:8000"]\n    allow_origins: [http://localhost:3000]\n'
)


def handshake(origin, host="api.example.com", port=443, scheme="https"):
    return decide_handshake(RULES, scheme, host, port, "/socket", origin, (f"{scheme}://{host}",))


def test_an_allowed_origin_is_rewritten_to_the_server_s_own():
    found = handshake("http://localhost:3000")
    assert (found.url, found.rule, found.rewrite, found.sent_origin) == (
        "wss://api.example.com/socket", "ws", True, "https://api.example.com"
    )  # fmt: skip


def test_a_refused_origin_goes_on_untouched_and_keep_never_rewrites():
    refused = handshake("https://evil.example")
    assert not refused.rewrite and refused.sent_origin == "https://evil.example"
    assert refused.refusal == "origin https://evil.example is not in allow_origins"
    kept = handshake("http://localhost:3000", "127.0.0.1", 8000, "http")
    assert kept.url == "ws://127.0.0.1:8000/socket" and not kept.rewrite


@pytest.mark.parametrize("origin, host", [(None, "api.example.com"), ("https://api.example.com", "api.example.com"),
                                          ("http://localhost:3000", "other.example.com")])  # fmt: skip
def test_no_origin_same_origin_and_uncovered_hosts_are_left_alone(origin, host):
    assert handshake(origin, host) is None


def test_the_outcomes_say_what_the_server_did_and_that_cors_cannot_change_it():
    kept = handshake("http://localhost:3000", "127.0.0.1", 8000, "http")
    accepted = handshake_outcome(handshake("http://localhost:3000"), 101)
    assert accepted.line == (
        "WebSocket wss://api.example.com/socket from http://localhost:3000: ✅ accepted by the server (101), "
        "Origin rewritten to https://api.example.com by rule 'ws'"
    )
    assert accepted.mark == ":white_check_mark:" and accepted.level == "info"
    refused = handshake_outcome(kept, 403)
    assert refused.line == (
        "WebSocket ws://127.0.0.1:8000/socket from http://localhost:3000: ⛔ refused by the server (403): the "
        "server checks Origin itself; CORS headers cannot change that; fix: allow http://localhost:3000 in the "
        "server's WebSocket origin check, or through this proxy websocket_origin: rewrite in rule 'kept'"
    )
    assert refused.mark == ":no_entry:" and refused.level == "warning"
    assert "Origin: http://localhost:3000 and the server decides" in refused.comment
    closed = handshake_outcome(kept, 101, (1008, "origin not allowed"))
    assert "⛔ closed by the server right after the handshake (1008 origin not allowed): the server" in closed.line
    own = handshake_outcome(handshake("http://localhost:3000"), 403)
    assert own.line.endswith(
        "it refused its own origin https://api.example.com too (rule 'ws' rewrote it): not an origin check"
    )
