"""What mitmproxy's proxy modes say: where it listens, which servers it stands in for (reverse mode)."""

from __future__ import annotations

from collections.abc import Sequence

from mitmproxy.proxy.mode_specs import ProxyMode, ReverseMode

from .patterns import is_loopback


def exposed_listen_hosts(modes: Sequence[str], listen_host: str) -> list[str]:
    """The addresses other machines can reach the proxy on."""
    exposed = set()
    for spec in modes:
        try:
            host = ProxyMode.parse(spec).listen_host(listen_host)
        except ValueError:
            continue
        if not is_loopback(host):
            exposed.add(host or "every interface")
    return sorted(exposed)


def reverse_targets(modes: Sequence[str]) -> list[tuple[str, str, int]]:
    """(scheme, host, port) of each reverse:URL mode."""
    targets: list[tuple[str, str, int]] = []
    for spec in modes:
        try:
            mode = ProxyMode.parse(spec)
        except ValueError:
            continue
        if isinstance(mode, ReverseMode) and mode.scheme in ("http", "https"):
            host, port = mode.address
            targets.append((mode.scheme, host, port))
    return targets
