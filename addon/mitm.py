"""The mitmproxy addon: translates flows to and from the pure core (policy, verdict, report)."""
from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import Sequence

from mitmproxy import command, ctx, exceptions, flow, flowfilter, http
from mitmproxy.proxy.mode_specs import ProxyMode

from . import commands, report
from .decisionlog import DecisionLog
from .export import EXPORTERS
from .flows import is_loopback, make_headers, read_request, replace_fields, request_key, vary_fields
from .plans import Planner
from .policy import repaired_status
from .rules import RuleSet, RulesError, load_rules

DEFAULT_RULES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules.yaml")
MODES = ("fix", "audit", "off")
RELOAD_INTERVAL = 0.5
IN_FLIGHT_KEPT = 10_000  # past this many, flows that ended without `response` or `error` are let go


def compile_filter(expression: str):
    return flowfilter.parse(expression)


def _file_stamp(path: str):
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def freeze_start_up_heap() -> None:
    """Once per process, when mitmproxy is up: what exists now (mitmproxy's own start-up objects,
    the rules) lives as long as the process, so the cyclic collector need not scan it again.

    Every full collection scans every tracked object: mitmdump starts with ~85,000, and 10,000
    rules add ~71,000 (bench/README.md). gc.freeze is CPython's remedy; objects it holds are
    still freed by reference counting, only cycles among them are never collected.
    Not repeated on reloads: that would freeze the flows in flight, and their cycles would leak."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


_heap_frozen = False


class CorsAddon:
    def __init__(self) -> None:
        self.rules: RuleSet | None = None  # the last good rules
        self.planner: Planner | None = None  # decisions and plans for those rules
        self.mode = "fix"
        self.path = ""
        self._stamp = None
        self._started = False
        self._watcher: asyncio.Task | None = None
        # flow -> (call, decision, audit, answered) from `request` until `response` or `error` (mitmproxy ends
        # every flow with one of them). A plain dict: a WeakKeyDictionary's set and get took
        # ~2.3 us per flow under load, the dict's about half that (bench/README.md).
        self._in_flight: dict[http.HTTPFlow, tuple] = {}
        self._trim_at = IN_FLIGHT_KEPT
        self.tally = report.Tally()
        self._log = DecisionLog()

    def load(self, loader) -> None:
        loader.add_option("cors_rules", str, DEFAULT_RULES,
                          "Path of the CORS rules file (rules.yaml); edits apply without restarting.")
        loader.add_option("cors_mode", str, "fix",
                          "fix: answer preflights and rewrite responses per rules.yaml; "
                          "audit: change nothing, explain every cross-origin call; off: do nothing.")

    def _reject(self, message: str) -> None:
        # At start-up an OptionsError prints a traceback; logging.error ends mitmproxy with
        # status 1 and only this message. Later (a --set in the console) OptionsError is right:
        # mitmproxy refuses the change and keeps the old value.
        if self._started:
            raise exceptions.OptionsError(message)
        logging.error(message)

    def configure(self, updated) -> None:
        if "cors_mode" in updated:
            mode = ctx.options.cors_mode
            if mode not in MODES:
                self._reject(f"cors_mode: {mode!r} is not one of {', '.join(MODES)}")
            else:
                self.mode = mode
        if "cors_rules" in updated:
            path = os.path.abspath(os.path.expanduser(ctx.options.cors_rules))
            stamp = _file_stamp(path)
            try:
                rules = load_rules(path, compile_filter)
            except RulesError as e:
                self._reject(f"cors_rules: cannot use {path}:\n{e}")
                return
            self.path, self._stamp = path, stamp
            self._install(rules)

    def running(self) -> None:
        self._started = True
        self._warn_if_exposed()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        freeze_start_up_heap()
        if self._watcher is None:
            self._watcher = loop.create_task(self._watch_rules())

    def done(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        for line in self.tally.lines():
            logging.info(line)

    def _warn_if_exposed(self) -> None:
        exposed = set()
        for spec in ctx.options.mode:
            try:
                host = ProxyMode.parse(spec).listen_host(ctx.options.listen_host)
            except ValueError:
                continue
            if not is_loopback(host):
                exposed.add(host or "every interface")
        if exposed:
            logging.warning(
                f"CORS: mitmproxy listens on {', '.join(sorted(exposed))}: anyone on this network can "
                "use this proxy to reach the APIs rules.yaml opens. Add --listen-host 127.0.0.1 "
                "unless other machines must use it."
            )

    def _install(self, rules: RuleSet, reloaded: bool = False) -> None:
        self.rules, self.planner = rules, Planner(rules)
        for warning in rules.warnings:
            logging.warning(f"CORS rules: {warning}")
        count = len(rules.rules)
        names = ", ".join(f"'{rule.name}'" for rule in rules.rules[:10])
        more = f" and {count - 10} more" if count > 10 else ""
        verb = "reloaded" if reloaded else "loaded"
        logging.info(f"CORS: {count} rule{'' if count == 1 else 's'} {verb} from {rules.source}: {names}{more}")

    async def _watch_rules(self) -> None:
        while True:
            await asyncio.sleep(RELOAD_INTERVAL)
            await self.reload_if_changed()

    async def reload_if_changed(self) -> None:
        stamp = _file_stamp(self.path)
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            rules = await asyncio.to_thread(load_rules, self.path, compile_filter)
        except RulesError as e:
            logging.error(f"CORS rules not reloaded, the last good rules stay in force:\n{e}")
            return
        self._install(rules, reloaded=True)

    # Hooks: decide in `request`, show and rewrite in `responseheaders`.

    def request(self, f: http.HTTPFlow) -> None:
        if self.mode == "off" or self.planner is None or f.response or f.error or not f.live:
            return
        key = request_key(f)
        call = self.planner.call(key, read_request) if key else None
        if call is None:
            return
        decision = self.planner.decide(call, f)
        if decision is None:
            return
        if len(self._in_flight) >= self._trim_at:
            self._trim_in_flight()
        answered = decision.outcome == "answered" and self.mode == "fix"
        self._in_flight[f] = (call, decision, self.mode == "audit", answered)
        if answered:
            f.response = http.Response.make(204, b"", make_headers([*decision.headers, *vary_fields(decision.vary)]))
            f.metadata["cors_answered"] = True

    def _trim_in_flight(self) -> None:
        for ended in [g for g in self._in_flight if not g.live]:
            del self._in_flight[ended]
        self._trim_at = max(IN_FLIGHT_KEPT, 2 * len(self._in_flight))

    def responseheaders(self, f: http.HTTPFlow) -> None:
        entry = self._in_flight.get(f)
        if entry is None or f.response is None:
            return
        call, decision, audit, answered = entry
        response = f.response.data
        headers = response.headers
        plan = self.planner.plan(call, decision, response.status_code, headers.fields, audit, answered)
        if plan.rewrite:
            replace_fields(headers, plan.replaced, plan.added)
        if self._log.wants(plan.level):
            self._log.log(plan.level, plan.line)
        f.comment = f"{f.comment}\n{plan.comment}" if f.comment else plan.comment
        f.marked = plan.shown.mark
        f.metadata["cors"] = dict(plan.metadata)
        self.tally.add(plan.tally_item)

    def response(self, f: http.HTTPFlow) -> None:
        entry = self._in_flight.pop(f, None)
        if entry is None or f.request.data.method != b"OPTIONS":  # only forwarded preflights are repaired here
            return
        _, decision, audit, _ = entry
        if audit or decision.outcome != "forwarded" or f.response is None:
            return
        status = f.response.status_code
        if repaired_status(decision, status) == status:
            return
        if f.response.stream:
            logging.warning(f"CORS: cannot turn the streamed {status} preflight reply into 204")
            return
        f.response.status_code = 204
        f.response.reason = "No Content"
        f.response.content = b""
        f.response.headers.pop("content-length", None)

    def error(self, f: http.HTTPFlow) -> None:
        entry = self._in_flight.pop(f, None)
        if entry is None:
            return
        call, decision, _, _ = entry
        if decision.outcome not in ("forwarded", "allowed"):
            return
        request = call.request
        status = f.response.status_code if f.response else None
        self.tally.count_failure(request, decision.origin, status)
        error = f.error.msg if f.error else "no response"
        text = report.failure_text(error, status, bool(f.response and f.response.stream))
        logging.warning(f"CORS {request.method} {request.url} from {decision.origin}: {text}")

    # Commands (names: a-z and dots, so mitmweb can call them).

    @command.command("cors.explain")
    def explain_flows(self, flows: Sequence[flow.Flow]) -> str:
        """Explain, step by step, what the browser decides about each cross-origin flow and why."""
        return commands.explain_flows(flows)

    @command.command("cors.export")
    def export_rules(self, target: str) -> str:
        """The rules in force as server configuration: nginx, starlette, express or django (see README)."""
        if target not in EXPORTERS:
            raise exceptions.CommandError(f"cors.export: unknown target {target!r}; use {', '.join(EXPORTERS)}")
        if self.rules is None:
            raise exceptions.CommandError("cors.export: no rules loaded")
        return EXPORTERS[target](self.rules)

    @command.command("cors.rule")
    def rule_for_flows(self, flows: Sequence[flow.Flow]) -> str:
        """A rules.yaml snippet that would unblock exactly these cross-origin flows."""
        return commands.rule_for_flows(flows)
