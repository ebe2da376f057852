"""python -m addon export {nginx,starlette,express,django} [rules.yaml]: the server-side fix, without mitmproxy."""

from __future__ import annotations

import argparse
import sys

from .export import EXPORTERS, export_nginx
from .rules import RulesError, load_rules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m addon", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="print rules.yaml as server configuration")
    export.add_argument("target", choices=sorted(EXPORTERS))
    export.add_argument("rules", nargs="?", default="rules.yaml")
    export.add_argument("--listen", default="127.0.0.1:8080", help="nginx: the server's listen address")
    export.add_argument("--upstream", default="http://127.0.0.1:8000", help="nginx: where the API runs")
    args = parser.parse_args(argv)
    try:
        rules = load_rules(args.rules)
    except RulesError as e:
        print(e, file=sys.stderr)
        return 2
    for warning in rules.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.target == "nginx":
        print(export_nginx(rules, args.listen, args.upstream), end="")
    else:
        print(EXPORTERS[args.target](rules), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
