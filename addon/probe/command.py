"""`cors-addon probe` from its command line: the call checked, the steps sent, the verdict printed.
Exit status: 0 allowed, 1 blocked, 2 could not ask (said as such, never as a CORS verdict)."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from functools import partial

from addon.core.patterns import parse_origin
from addon.core.rule import normalize_method
from addon.probe.client import Answer, CannotAsk, send, split_url
from addon.probe.plan import Credentials, FetchCall, valid_method
from addon.probe.probe import probe
from addon.probe.text import as_json, lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url")
    parser.add_argument("--origin", required=True, help="the page's origin, e.g. http://localhost:3000")
    parser.add_argument("--method", default="GET")
    parser.add_argument(
        "--header", action="append", default=[], metavar="NAME[:VALUE]", help="a header the page sets (value: 1)"
    )
    parser.add_argument("--credentials", choices=("omit", "include", "both"), default="omit")
    parser.add_argument("--json", action="store_true", help="the steps and verdicts as JSON")
    parser.add_argument("--proxy", default=None, help="ask through this proxy (default: HTTPS_PROXY/HTTP_PROXY)")
    parser.add_argument("--insecure", action="store_true", help="accept any TLS certificate")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")


def run_probe(args: argparse.Namespace) -> int:
    try:
        call = fetch_call(args.url, args.origin, args.method, args.header)
        proxy = args.proxy if args.proxy is not None else environment_proxy(args.url)
        modes: tuple[Credentials, ...] = ("omit", "include") if args.credentials == "both" else (args.credentials,)
        result = probe(call, modes, partial(_send, proxy=proxy, insecure=args.insecure, timeout=args.timeout))
    except CannotAsk as e:
        print(f"cors-addon probe: could not ask: {e}", file=sys.stderr)
        return 2
    print(json.dumps(as_json(result), indent=2) if args.json else "\n".join(lines(result)))
    return 0 if result.allowed else 1


def _send(
    method: str, url: str, fields: list[tuple[str, str]], *, proxy: str, insecure: bool, timeout: float
) -> Answer:
    return send(method, url, fields, proxy, insecure, timeout)


def fetch_call(url: str, origin: str, method: str, headers: list[str]) -> FetchCall:
    split_url(url)
    if parse_origin(origin) is None:
        raise CannotAsk(f"--origin {origin!r} is not an origin: scheme://host[:port], no path (http://localhost:3000)")
    if not valid_method(method):
        raise CannotAsk(f"--method {method!r} is not an HTTP method")
    fields = []
    for header in headers:
        name, _, value = header.partition(":")
        if not name.strip() or not valid_method(name.strip()):  # a header name is a token too
            raise CannotAsk(f"--header {header!r} is not NAME[:VALUE]")
        fields.append((name.strip(), value.strip() if _ else "1"))
    return FetchCall(url, origin, normalize_method(method), tuple(fields))


def environment_proxy(url: str) -> str:
    """HTTPS_PROXY / HTTP_PROXY for the URL's scheme, unless NO_PROXY names its host."""
    scheme, host, _, _ = split_url(url)
    if urllib.request.proxy_bypass(host):
        return ""
    return urllib.request.getproxies().get(scheme, "")
