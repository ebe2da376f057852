"""Local Network Access (Chromium 142+), which is not CORS (pure): a page on a public origin that calls a
loopback or private address is stopped before the request is sent, whatever the server would answer.
Chromium's console words for it, and the doctor's sentence for a call a file shows failed that way.
What Chromium 156 does in each setup is measured in tests/e2e/test_local_network_access.py and
written up in docs/local-network-access.md."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from addon.core.patterns import parse_origin

LOOPBACK, LOCAL, PUBLIC = "loopback", "local", "public"
PRIVACY = {PUBLIC: 0, LOCAL: 1, LOOPBACK: 2}
LOCAL_NAMES = (".local", ".lan", ".internal", ".home.arpa")
LOCAL_NETWORKS = [
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7", "fe80::/10")
]

# Chromium 156's console, after "Access to fetch at '...' from origin '...' has been blocked by CORS policy: "
DENIED = "Permission was denied for this request to access the `{space}` address space."
NOT_SECURE = "The request client is not a secure context and the resource is in more-private address space `{space}`."
WRONG_TARGET = "Request had a target IP address space of `{asked}` yet the resource is in address space `{space}`."
GUIDE = "docs/local-network-access.md"


def address_space(host: str, page: bool = False) -> str | None:
    """The address space a host's name or address says it is in; None for a name that could resolve anywhere
    (a page's name counts as public: a deployed page is the case Local Network Access is about)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return LOOPBACK
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return LOCAL if host.endswith(LOCAL_NAMES) else (PUBLIC if page else None)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return LOOPBACK
    return LOCAL if any(address in network for network in LOCAL_NETWORKS) else PUBLIC


def chromium_reason(page_space: str, page_secure: bool, target_space: str) -> str | None:
    """Chromium's reason when a page in `page_space` calls `target_space` without the permission; None when
    Local Network Access lets the call through."""
    if PRIVACY[target_space] <= PRIVACY[page_space]:
        return None
    return DENIED.format(space=target_space) if page_secure else NOT_SECURE.format(space=target_space)


def candidate(origin: str, url: str) -> str | None:
    """The doctor's sentence for a call from `origin` to `url` that failed without an answer, when Local
    Network Access could be why; None when it cannot be."""
    page = parse_origin(origin)
    target = address_space(urlsplit(url).hostname or "")
    if page is None or page.scheme not in ("http", "https") or target is None:
        return None
    page_space = address_space(page.host, page=True) or PUBLIC
    secure = page.scheme == "https" or page_space == LOOPBACK
    reason = chromium_reason(page_space, secure, target)
    if reason is None:
        return None
    if secure:
        todo = (
            "let the page use the local network (Chromium's prompt or site settings; Playwright: "
            "grant_permissions(['local-network-access'])), or serve the page from localhost while developing"
        )
    else:
        todo = "serve the page over https (then grant the permission) or from localhost while developing"
    return (
        f"Local Network Access, not CORS, if Chromium's console says: '{reason}' A {page_space} page "
        f"calling a {target} address is stopped before the request is sent, and no response header changes "
        f"that. What to do: {todo}; see {GUIDE}."
    )
