import pytest

from addon.core.patterns import (
    ANY_PORT,
    parse_host,
    parse_origin,
    parse_origin_pattern,
)


@pytest.mark.parametrize(
    "pattern, host, port, expected",
    [
        ("api.example.com", "api.example.com", 443, True),
        ("api.example.com", "api.example.com", 8443, True),
        ("api.example.com:8443", "api.example.com", 8443, True),
        ("api.example.com:8443", "api.example.com", 443, False),
        ("*.example.com", "a.example.com", 443, True),
        ("*.example.com", "a.b.example.com", 443, True),
        ("*.example.com", "example.com", 443, False),
        ("*.example.com", "evil-example.com", 443, False),
        ("example.com", "evil-example.com", 443, False),
        ("example.com", "example.com.evil.net", 443, False),
        ("127.0.0.1:*", "127.0.0.1", 5000, True),
        ("[::1]:8000", "::1", 8000, True),
        ("[::1]:8000", "::1", 8001, False),
        ("API.Example.COM", "api.example.com", 80, True),
    ],
)
def test_host_patterns(pattern, host, port, expected):
    assert parse_host(pattern).matches(host, port) is expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("https://api.example.com", "has a scheme; hosts name only host[:port], write 'api.example.com'"),
        ("api.example.com/v1", "has a path; put paths under 'paths:'"),
        ("*example.com", "a wildcard is only allowed as '*.domain'"),
        ("a.*.com", "a wildcard is only allowed as '*.domain'"),
        ("api..com", "empty label"),
        ("api.example.com:99999", "out of range"),
        ("", "is not a host pattern"),
    ],
)
def test_bad_host_patterns(text, message):
    with pytest.raises(ValueError, match=None) as e:
        parse_host(text)
    assert message in str(e.value)


def test_host_without_port_matches_any_port():
    assert parse_host("api.example.com").port == ANY_PORT


@pytest.mark.parametrize(
    "pattern, origin, expected",
    [
        ("http://localhost:3000", "http://localhost:3000", True),
        ("HTTP://LocalHost:3000", "http://localhost:3000", True),
        ("https://example.com:443", "https://example.com", True),
        ("https://example.com", "https://example.com:443", True),
        ("https://example.com", "https://example.com:444", False),
        ("https://example.com", "http://example.com", False),
        ("https://example.com", "https://example.com.evil.net", False),
        ("https://example.com", "https://evil-example.com", False),
        ("https://example.com", "https://example.com.", False),
        ("https://*.example.com", "https://a.example.com", True),
        ("https://*.example.com", "https://example.com", False),
        ("https://*.example.com", "https://a.example.com:444", False),
        ("http://localhost:*", "http://localhost:5173", True),
        ("http://localhost:*", "http://localhost", True),
        ("http://localhost:*", "https://localhost:5173", False),
        ("null", "null", True),
        ("http://localhost:3000", "null", False),
        ("https://bücher.de", "https://xn--bcher-kva.de", True),
    ],
)
def test_origin_patterns(pattern, origin, expected):
    assert parse_origin_pattern(pattern).matches(parse_origin(origin)) is expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("http://localhost:3000/", "has a trailing slash; an origin has none, write 'http://localhost:3000'"),
        ("http://localhost:3000/app", "has a path; an origin is scheme://host[:port], write 'http://localhost:3000'"),
        ("localhost:3000", "has no scheme"),
        ("https://*.*.example.com", "a wildcard is only allowed"),
        ("https://a*.example.com", "a wildcard is only allowed"),
    ],
)
def test_bad_origin_patterns(text, message):
    with pytest.raises(ValueError) as e:
        parse_origin_pattern(text)
    assert message in str(e.value)


@pytest.mark.parametrize(
    "value",
    [
        "http://localhost:3000/",
        "http://localhost:3000/x",
        "http://*.a.com",
        "http://a.com:*",
        "https://bücher.de",
        "",
        "http://",
        "http://a.com:70000",
        "http://a b.com",
    ],
)
def test_invalid_origin_headers_are_not_origins(value):
    assert parse_origin(value) is None


@pytest.mark.parametrize(
    "pattern, origin",
    [("capacitor://localhost", "capacitor://localhost"), ("app://my-app", "app://my-app"), ("file://", "file://")],
)
def test_app_and_file_origins(pattern, origin):
    parsed = parse_origin(origin)
    assert parsed is not None and parsed.serialize() == origin
    assert parse_origin_pattern(pattern).matches(parsed)
    assert not parse_origin_pattern("http://localhost").matches(parsed)
