"""`cors-addon verify` from its command line (the CLI loads rules.yaml and hands it over). Exit status:
0 the servers do what the rules do (stricter differences reported), 1 a difference that is an error,
2 could not ask."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from addon.core.ruleset import RuleSet
from addon.probe.client import Answer, CannotAsk, send, split_url
from addon.probe.command import environment_proxy
from addon.probe.verify_run import plan, run
from addon.probe.verify_text import as_json, exit_status, junit, lines, plan_line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rules", nargs="?", default="rules.yaml")
    parser.add_argument("--against", default="", metavar="URL", help="ask this server instead of the rules' hosts")
    parser.add_argument("--rule", default="", metavar="NAME", help="verify only this rule")
    parser.add_argument("--json", action="store_true", help="every case and difference as JSON")
    parser.add_argument("--junit", default="", metavar="FILE", help="also write JUnit XML (a testcase per case)")
    parser.add_argument("--strict", action="store_true", help="stricter and cache differences are errors too")
    parser.add_argument("--proxy", default=None, help="ask through this proxy (default: HTTPS_PROXY/HTTP_PROXY)")
    parser.add_argument("--insecure", action="store_true", help="accept any TLS certificate")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")


def run_verify(args: argparse.Namespace, rules: RuleSet) -> int:
    try:
        if args.against:
            split_url(args.against)
        plans = plan(rules, args.against, args.rule)
    except (CannotAsk, ValueError) as e:  # a bad --against, an unknown --rule
        print(f"cors-addon verify: {e}", file=sys.stderr)
        return 2
    print(plan_line(args.rules, plans), file=sys.stderr if args.json else sys.stdout, flush=True)

    def ask(method: str, url: str, fields: list[tuple[str, str]]) -> Answer:
        proxy = args.proxy if args.proxy is not None else environment_proxy(url)
        return send(method, url, fields, proxy, args.insecure, args.timeout)

    reports = run(rules, plans, ask)
    print(
        json.dumps(as_json(args.rules, reports, args.strict), indent=2)
        if args.json
        else "\n".join(lines(reports, args.strict))
    )
    if args.junit:
        try:
            Path(args.junit).write_bytes(junit(reports, args.strict))
        except OSError as e:
            print(f"cors-addon verify: cannot write {args.junit}: {e.strerror or e}", file=sys.stderr)
            return 2
    return exit_status(reports, args.strict)
