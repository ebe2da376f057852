"""What mitmproxy's options say: where it listens, which servers it stands in for, what its outputs show."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from mitmproxy.proxy.mode_specs import ProxyMode, ReverseMode

from addon.core.patterns import is_loopback


def exposure_warning(modes: Sequence[str], listen_host: str) -> str | None:
    """What to say when other machines can reach the proxy; None when only this one can."""
    exposed = exposed_listen_hosts(modes, listen_host)
    if not exposed:
        return None
    return (
        f"CORS: mitmproxy listens on {', '.join(exposed)}: anyone on this network can use this proxy "
        "to reach the APIs the rules open. Add --listen-host 127.0.0.1 unless other machines must use it."
    )


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


VERBOSITY_OPTIONS = ("termlog_verbosity", "console_eventlog_verbosity")  # mitmdump's terminal, the console's log


def shown_level(options: Any) -> int:
    """The most verbose level one of this mitmproxy's outputs shows. The addon makes no log line below it:
    every record costs a dispatch through all addons (mitmproxy's add_log), shown or not."""
    if "web_port" in options:  # mitmweb: its event log filters in the browser
        return logging.DEBUG
    verbosities = [str(getattr(options, name)) for name in VERBOSITY_OPTIONS if name in options]
    levels = [logging.getLevelName(verbosity.upper()) for verbosity in verbosities]
    return min((level for level in levels if isinstance(level, int)), default=logging.DEBUG)
