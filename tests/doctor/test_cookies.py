"""Which Set-Cookie a browser drops on a cross-site response, and the rewrite into one it keeps (pure)."""

import pytest

from addon.core.request import CorsRequest
from addon.doctor.cookies import dropped, examine, parse_set_cookie, rewritten, site


def request(origin="http://localhost:3000", host="127.0.0.1", scheme="http", fetch_site=None):
    return CorsRequest("GET", scheme, host, 8000, "/login", (origin,), (), fetch_site=fetch_site)


@pytest.mark.parametrize(
    "set_cookie, reason",
    [
        ("s=1; Path=/", "UserPreferences"),
        ("s=1; SameSite=Lax", "UserPreferences"),
        ("s=1; SameSite=None", "UserPreferences"),
        ("s=1; SameSite=None; Secure", "UserPreferences"),
        ("s=1; Domain=example.com; SameSite=None; Secure; Partitioned", "InvalidDomain"),
        ("s=1; SameSite=None; Partitioned", "PartitionedWithoutSecure"),
        ("s=1; SameSite=None; Secure; Partitioned", None),
    ],
)
def test_cross_site(set_cookie, reason):
    found = dropped(parse_set_cookie(set_cookie), "127.0.0.1", cross_site=True)
    assert (found.reason if found else None) == reason


def test_the_reason_with_third_party_cookies_allowed_is_named_too():
    assert "SchemefulSameSiteUnspecifiedTreatedAsLax" in dropped(parse_set_cookie("s=1"), "h", True).words
    assert "SchemefulSameSiteStrict" in dropped(parse_set_cookie("s=1; SameSite=Strict"), "h", True).words
    assert "SameSiteNoneInsecure" in dropped(parse_set_cookie("s=1; SameSite=None"), "h", True).words


def test_same_site_keeps_ordinary_cookies_but_not_a_foreign_domain():
    assert dropped(parse_set_cookie("s=1; Path=/"), "localhost", cross_site=False) is None
    assert (
        dropped(parse_set_cookie("s=1; Domain=evil.example"), "localhost", cross_site=False).reason == "InvalidDomain"
    )


def test_same_site_none_without_secure_is_dropped_on_any_site():
    insecure = dropped(parse_set_cookie("s=1; SameSite=None"), "localhost", cross_site=False)
    assert insecure.reason == "SameSiteNoneInsecure" and "add Secure" in insecure.fix
    assert dropped(parse_set_cookie("s=1; SameSite=None; Secure"), "localhost", cross_site=False) is None


def test_site_is_decided_by_sec_fetch_site_else_origin_and_host():
    assert site(request(fetch_site="cross-site"), "cross-site") == (True, "Sec-Fetch-Site: cross-site")
    assert site(request(host="localhost"), None) == (False, "origin http://localhost:3000 against host localhost")
    assert site(request(), None)[0] is True  # localhost -> 127.0.0.1
    assert site(request(origin="https://app.example.com", host="api.example.com", scheme="https"), None)[0] is False
    assert site(request(origin="http://app.example.com", host="api.example.com", scheme="https"), None)[0] is True


def test_rewrite_keeps_value_and_attributes():
    assert rewritten("s=a b=c; Domain=other.example; Path=/app; HttpOnly; Max-Age=60; SameSite=Lax") == (
        "s=a b=c; Path=/app; HttpOnly; Max-Age=60; SameSite=None; Secure; Partitioned"
    )
    assert rewritten("s=1; Expires=Wed, 09 Jun 2027 10:18:14 GMT") == (
        "s=1; Expires=Wed, 09 Jun 2027 10:18:14 GMT; SameSite=None; Secure; Partitioned"
    )


def test_examine_rewrites_only_the_dropped_ones_in_their_order():
    headers = [("Set-Cookie", "a=1"), ("X", "y"), ("Set-Cookie", "b=2; SameSite=None; Secure; Partitioned")]
    report, fields = examine(request(), headers, rewrite=True)
    assert report.rewritten == ("a",) and report.dropped == ()
    assert fields == (
        ("Set-Cookie", "a=1; SameSite=None; Secure; Partitioned"),
        ("Set-Cookie", "b=2; SameSite=None; Secure; Partitioned"),
    )
    report, fields = examine(request(), headers, rewrite=False)
    assert [d.name for d in report.dropped] == ["a"] and fields == ()
    same_site, fields = examine(request(host="localhost"), headers, rewrite=True)
    assert same_site.dropped == () and fields == ()
