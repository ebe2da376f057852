"""What the browser sends for a fetch(): the Fetch standard's preflight rule and safelist (pure)."""

import pytest

from addon.probe.plan import FetchCall, call_fields, preflight_fields, requested_headers, safelisted, why_preflight

ORIGIN = "http://localhost:3000"


@pytest.mark.parametrize(
    ("name", "value", "safe"),
    [
        ("Accept", "application/json", True),
        ("Accept", 'text/"html"', False),
        ("Accept-Language", "en-US,en;q=0.9", True),
        ("Content-Language", "de (CH)", False),
        ("Content-Type", "text/plain;charset=UTF-8", True),
        ("Content-Type", "application/json", False),
        ("Content-Type", "text/plain; a=b:c", False),  # ':' is a CORS-unsafe request-header byte
        ("Range", "bytes=0-99", True),
        ("Range", "bytes=0-99,200-299", False),
        ("Accept", "x" * 129, False),
        ("Authorization", "Bearer x", False),
        ("X-Requested-With", "fetch", False),
    ],
)
def test_the_safelist(name, value, safe):
    assert safelisted(name, value) is safe


def test_a_preflight_asks_for_the_unsafe_names_lowercase_and_sorted():
    call = FetchCall(
        "http://api/x",
        ORIGIN,
        "PUT",
        (("X-Zeta", "1"), ("Content-Type", "application/json"), ("Accept", "*/*"), ("Cookie", "s=1")),
    )
    assert requested_headers(call) == ["content-type", "x-zeta"]
    assert preflight_fields(call)[:3] == [
        ("Origin", ORIGIN),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "content-type,x-zeta"),
    ]
    assert ("Cookie", "s=1") in call_fields(call) and ("Cookie", "s=1") not in preflight_fields(call)


def test_safelisted_headers_over_1024_bytes_together_are_asked_for():
    call = FetchCall(
        "http://api/x", ORIGIN, "GET", tuple((f"Accept{'-Language' * (n % 2)}", "a" * 120) for n in range(10))
    )
    assert requested_headers(call) == ["accept", "accept-language"]


@pytest.mark.parametrize(
    ("method", "headers", "why"),
    [
        ("GET", (), ""),
        ("POST", (("Content-Type", "text/plain"),), ""),
        ("PUT", (), "the method PUT is not GET, HEAD or POST"),
        ("get", (), ""),  # normalized to GET, as fetch() does
        ("patch", (), "the method patch is not GET, HEAD or POST"),  # not normalized: sent as written
        ("GET", (("X-A", "1"), ("X-B", "1")), "the headers x-a, x-b are not safelisted"),
    ],
)
def test_why_a_call_is_preflighted(method, headers, why):
    assert why_preflight(FetchCall("http://api/x", ORIGIN, method, headers)) == why
