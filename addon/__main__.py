"""cors-addon (or python -m addon): the -s script's path, a rules.yaml to start from, a check of a rules
file, and the server-side fix, all without mitmproxy running."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from addon.config.load import RulesError, load_rules
from addon.export import EXPORTERS, FRONT_EXPORTERS

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "script.py"
EXAMPLE_RULES = HERE / "rules.example.yaml"


def command_line() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cors-addon", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("script", help='print the path of the -s script: mitmproxy -s "$(cors-addon script)"')
    commands.add_parser("init", help="write a commented rules.yaml into the current folder (never over one)")
    check = commands.add_parser("check", help="validate a rules file: exit 1 on errors, 0 with warnings printed")
    check.add_argument("rules", nargs="?", default="rules.yaml")
    explain_parser = commands.add_parser(
        "explain", help="explain the cross-origin calls of a HAR or mitmproxy flow file"
    )
    explain_parser.add_argument("file")
    explain_parser.add_argument("--blocked", action="store_true", help="list only the calls that do not pass")
    explain_parser.add_argument("--json", action="store_true", help="the summary and every call as JSON")
    from addon.probe.command import add_arguments

    add_arguments(
        commands.add_parser(
            "probe", help="ask URL what a browser on --origin asks (preflight, call) and judge it as the browser does"
        )
    )
    from addon.probe.verify_command import add_arguments as add_verify_arguments

    add_verify_arguments(
        commands.add_parser(
            "verify", help="ask the rules' servers (or --against URL) whether they do what each rule does"
        )
    )
    export = commands.add_parser("export", help="print rules.yaml as server configuration")
    export.add_argument("target", choices=sorted(EXPORTERS))
    export.add_argument("rules", nargs="?", default="rules.yaml")
    export.add_argument(
        "--listen", default="127.0.0.1:8080", help="nginx, caddy, apache: the address the server listens on"
    )
    export.add_argument("--upstream", default="http://127.0.0.1:8000", help="nginx, caddy, apache: where the API runs")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = command_line().parse_args(argv)
    if args.command == "script":
        print(SCRIPT)
        return 0
    if args.command == "init":
        return init(Path("rules.yaml"))
    if args.command == "explain":
        return explain(args.file, args.blocked, args.json)
    if args.command == "probe":
        from addon.probe.command import run_probe

        return run_probe(args)
    try:
        rules = load_rules(args.rules)
    except RulesError as e:
        print(e, file=sys.stderr)
        return 1 if args.command == "check" else 2
    for warning in rules.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.command == "verify":
        from addon.probe.verify_command import run_verify

        return run_verify(args, rules)
    if args.command == "check":
        count = len(rules.rules)
        print(f"{args.rules}: {count} rule{'' if count == 1 else 's'}, {len(rules.warnings)} warning(s)")
    elif args.target in FRONT_EXPORTERS:
        print(FRONT_EXPORTERS[args.target](rules, args.listen, args.upstream), end="")
    else:
        print(EXPORTERS[args.target](rules), end="")
    return 0


def explain(path: str, blocked_only: bool = False, as_json: bool = False) -> int:
    """0: no call is blocked; 1: a call is blocked in every credentials mode the file allows; 2: unreadable.
    Two passes over the file, one call at a time (its preflights, then its calls); the details wait in a
    temporary file so the summary can come first (bench/README.md, "A large HAR")."""
    import tempfile

    from addon.doctor import file_report
    from addon.doctor.offline import FileReport, detail_lines, judged_calls, preflight_verdicts
    from addon.doctor.recorded import UnreadableFile
    from addon.mitm.flowfile import read_calls

    report = FileReport()
    try:
        with tempfile.TemporaryFile("w+", encoding="utf-8") as details:
            calls = judged_calls(read_calls(path), preflight_verdicts(read_calls(path)))
            if as_json:
                lines = file_report.json_calls(report.summary, (judged for _, judged in calls))
            else:
                lines = detail_lines(calls, report, blocked_only)
            details.writelines(line + "\n" for line in lines)
            details.seek(0)
            if as_json:
                print(file_report.json_head(report.summary))
            elif report.summary.calls:
                print("\n".join(report.summary.lines()))
            else:
                print(f"{path}: no cross-origin calls in it")
            shutil.copyfileobj(details, sys.stdout)
            tail = ["]}"] if as_json else report.suggestion_lines()
            if tail:
                print("\n".join(tail))
    except (OSError, UnreadableFile) as e:
        print(f"{path}: cannot explain: {e}", file=sys.stderr)
        return 2
    return 1 if report.summary.has_findings else 0


def init(path: Path) -> int:
    if path.exists():
        print(f"{path.resolve()} exists; cors-addon init never overwrites it", file=sys.stderr)
        return 1
    shutil.copyfile(EXAMPLE_RULES, path)
    print(f'wrote {path.resolve()}: edit its hosts, then mitmproxy -s "$(cors-addon script)"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
