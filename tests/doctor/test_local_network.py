"""Local Network Access in the doctor's words (pure); Chromium's are in tests/e2e/test_local_network_access.py."""

import pytest

from addon.doctor.local_network import (
    DENIED,
    LOCAL,
    LOOPBACK,
    NOT_SECURE,
    PUBLIC,
    address_space,
    candidate,
    chromium_reason,
)


@pytest.mark.parametrize(
    "host, space",
    [
        ("localhost", LOOPBACK), ("api.localhost", LOOPBACK), ("127.0.0.1", LOOPBACK), ("127.3.2.1", LOOPBACK),
        ("[::1]", LOOPBACK), ("::ffff:127.0.0.1", LOOPBACK), ("10.1.2.3", LOCAL), ("172.16.0.1", LOCAL),
        ("172.31.255.255", LOCAL), ("192.168.1.20", LOCAL), ("169.254.1.1", LOCAL), ("fd00::1", LOCAL),
        ("[fe80::1]", LOCAL), ("printer.local", LOCAL), ("nas.lan", LOCAL), ("172.32.0.1", PUBLIC),
        ("8.8.8.8", PUBLIC), ("2001:db8::1", PUBLIC), ("api.example.com", None),
    ],
)  # fmt: skip
def test_address_space_of_a_target(host, space):
    assert address_space(host) == space


def test_a_page_s_name_counts_as_public():
    assert address_space("preview.example.com", page=True) == PUBLIC
    assert address_space("localhost", page=True) == LOOPBACK


def test_chromium_s_reason_only_for_a_more_private_target():
    assert chromium_reason(PUBLIC, True, LOOPBACK) == DENIED.format(space="loopback")
    assert chromium_reason(PUBLIC, False, LOCAL) == NOT_SECURE.format(space="local")
    assert chromium_reason(LOCAL, True, LOOPBACK) == DENIED.format(space="loopback")
    assert chromium_reason(PUBLIC, True, PUBLIC) is None
    assert chromium_reason(LOOPBACK, True, LOCAL) is None
    assert chromium_reason(LOCAL, True, LOCAL) is None


def test_the_candidate_sentence():
    secure = candidate("https://preview.example.com", "http://localhost:8000/api")
    assert secure.startswith(
        "Local Network Access, not CORS, if Chromium's console says: 'Permission was denied for this request to "
        "access the `loopback` address space.' A public page calling a loopback address is stopped before"
    )
    assert "grant_permissions(['local-network-access'])" in secure and "docs/local-network-access.md" in secure
    insecure = candidate("http://preview.example.com", "http://192.168.1.20/api")
    assert f"'{NOT_SECURE.format(space='local')}'" in insecure
    assert "serve the page over https" in insecure


@pytest.mark.parametrize(
    "origin, url",
    [
        ("http://localhost:3000", "http://127.0.0.1:8000/"),  # a loopback page: LNA does not apply
        ("https://app.example.com", "https://api.example.com/"),  # a name: where it resolves is unknown
        ("https://app.example.com", "https://8.8.8.8/"),
        ("null", "http://127.0.0.1/"),
        ("http://192.168.1.2:3000", "http://192.168.1.3/"),
    ],
)
def test_no_candidate_where_local_network_access_cannot_be_why(origin, url):
    assert candidate(origin, url) is None
