"""The mitmproxy addon, shaped like mitmproxy's own: options, hooks, commands.

Where things happen: `request` reads the flow into a CorsRequest and asks the core to
`decide`; a preflight the rules answer is answered there. `responseheaders` hands the
server's status and headers to `respond` and applies the Outcome exactly (flows.apply),
before the headers leave. Nothing about CORS is decided here.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import sys
import time
import weakref
from collections.abc import Sequence

from mitmproxy import command, ctx, exceptions, flow, hooks, http

from addon.answer.memo import Memo
from addon.answer.outcome import Mode, Outcome, ServerResponse
from addon.answer.respond import respond
from addon.config.defaults import cover_reverse_targets
from addon.config.load import RulesError
from addon.core.patterns import format_host
from addon.core.policy import Action, Decision
from addon.core.ruleset import RuleSet
from addon.doctor import report
from addon.doctor.exchange import Credentials
from addon.doctor.pending import PendingPreflights
from addon.doctor.report import Facts
from addon.doctor.session_summary import SessionSummary, failure_text
from addon.export import EXPORTERS, FRONT_EXPORTERS
from addon.mitm import commands, flows
from addon.mitm.modes import VERBOSITY_OPTIONS, exposure_warning, reverse_targets, shown_level
from addon.mitm.options import add_options
from addon.mitm.rulesfile import RELOAD_INTERVAL, RulesFile, loaded_line
from addon.mitm.savedflows import SavedFlows
from addon.mitm.websocket import WebSocketHandshakes

logger = logging.getLogger(__name__)
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


class CorsAddon:
    def __init__(self) -> None:
        self.rules: RuleSet | None = None  # in force: the last good rules of the file, plus reverse targets
        self.memo = Memo(RuleSet((), (), ""))  # decisions and outcomes of those rules, worked out once per shape
        self.file_rules: RuleSet | None = None  # the last good rules of the file
        self.file: RulesFile | None = None
        self.mode = Mode.FIX
        self.verbose = False  # log each decision with every verdict in full
        self.started = False
        self._watcher: asyncio.Task[None] | None = None
        self.session_summary = SessionSummary()
        # A preflight's flow is held weakly: a flow that ended is let go, whether its call came or not.
        self.preflights: PendingPreflights[weakref.ref[http.HTTPFlow]] = PendingPreflights()
        self.asked_by: weakref.WeakKeyDictionary[http.HTTPFlow, tuple[Facts, weakref.ref[http.HTTPFlow] | None]] = (
            weakref.WeakKeyDictionary()
        )  # a call -> the preflight that asked for it
        self.saved = SavedFlows()
        # From `request` to `responseheaders` (or `error`): what was decided, and in which mode.
        self.decisions: weakref.WeakKeyDictionary[http.HTTPFlow, tuple[Decision, Mode]] = weakref.WeakKeyDictionary()
        self.addons = [WebSocketHandshakes(self)]  # mitmproxy calls a sub-addon's hooks too

    def load(self, loader) -> None:
        add_options(loader)

    def configure(self, updated) -> None:
        if {*VERBOSITY_OPTIONS, "web_port"} & set(updated):
            logger.setLevel(shown_level(ctx.options))
        if "cors_verbose" in updated:
            self.verbose = ctx.options.cors_verbose
        if "cors_mode" in updated:
            try:
                self.mode = Mode(ctx.options.cors_mode)
            except ValueError:
                self._reject(f"cors_mode: {ctx.options.cors_mode!r} is not one of {', '.join(m.value for m in Mode)}")
        if "cors_rules" in updated or ("confdir" in updated and not ctx.options.cors_rules):
            rules_file = RulesFile.chosen(ctx.options.cors_rules, ctx.options.confdir)
            try:
                self.file_rules = rules_file.load()
            except RulesError as e:
                self._reject(f"cors_rules: cannot use {rules_file.path}:\n{e}")
                return
            self.file = rules_file
            self._install("loaded")
        elif self.file_rules is not None and {"mode", "cors_reverse_targets"} & set(updated):
            self._install("in force")

    def _reject(self, message: str) -> None:
        # At start-up an OptionsError prints a traceback; logging.error ends mitmproxy with status 1
        # and only this message. Later (a --set in the console) OptionsError is right: mitmproxy
        # refuses the change and keeps the old value.
        if self.started:
            raise exceptions.OptionsError(message)
        logger.error(f"CORS: not started, mitmproxy exits: {message}")

    def _install(self, verb: str) -> None:
        assert self.file_rules is not None and self.file is not None
        targets = reverse_targets(ctx.options.mode) if ctx.options.cors_reverse_targets else []
        self.rules, covering = cover_reverse_targets(self.file_rules, targets)
        self.memo = Memo(self.rules)
        for warning in self.file_rules.warnings:
            logger.warning(f"CORS rules: {warning}")
        logger.info(loaded_line(self.file_rules, verb, self.file.why))
        for line in covering:
            logger.info(line)

    def running(self) -> None:
        self.started = True
        warning = exposure_warning(ctx.options.mode, ctx.options.listen_host)
        if warning and ctx.options.server:  # with -n (reading flows from a file) nothing listens
            logger.warning(warning)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (taddons tests): no watcher
            return
        if self._watcher is None:
            self._watcher = loop.create_task(self._watch_rules())

    def done(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        lines = self.session_summary.lines()
        for line in lines:
            logger.info(line)
        if lines and "console_eventlog_verbosity" in ctx.options:
            # The console's event log closes with it, and its screen is restored after the addons are done:
            # the summary is printed once the process exits, onto the terminal the user sees.
            atexit.register(print, "\n".join(lines), file=sys.stderr)

    async def _watch_rules(self) -> None:
        while True:
            await asyncio.sleep(RELOAD_INTERVAL)
            await self.reload_if_changed()
            for line in self.preflights.unanswered(time.monotonic()):
                logger.warning(line)

    async def reload_if_changed(self) -> None:
        if self.file is None:
            return
        try:
            rules = await self.file.reload_if_changed()
        except RulesError as e:
            logger.error(f"CORS rules not reloaded, the last good rules stay in force:\n{e}")
            return
        if rules is not None:
            self.file_rules = rules
            self._install("reloaded")

    # Hooks: decide in `request`, apply the outcome in `responseheaders`.

    def request(self, f: http.HTTPFlow) -> None:
        if self.mode is Mode.OFF or self.rules is None or f.error:
            return
        if f.live and f.response:  # another addon answered it
            return
        if not f.live and (self.mode is not Mode.AUDIT or self.saved.explain(f)):  # saved (-r): explained, not changed
            return
        cors_request = flows.read_request(f)
        if cors_request is None:
            return
        preflight = self.preflights.arrived(cors_request)
        if preflight is not None:
            self.asked_by[f] = preflight
        decision = self.memo.decide(cors_request, lambda rule: flows.passes_filter(rule, f))
        if decision is None:
            return
        if decision.action is Action.ANSWER and self.mode is Mode.FIX:
            outcome = respond(decision, None)
            flows.answer(f, outcome)
            self._show(f, outcome, None)
        else:
            self.decisions[f] = (decision, self.mode)

    def responseheaders(self, f: http.HTTPFlow) -> None:
        entry = self.decisions.get(f)  # kept for `error`: a response can still break off after its headers
        if entry is None or f.response is None:
            return
        decision, mode = entry
        response = f.response
        headers = tuple(response.headers.items(multi=True))
        outcome = self.memo.respond(decision, response.status_code, headers, mode)
        flows.apply(outcome, response)
        self._show(f, outcome, (response.status_code, headers))

    def _show(self, f: http.HTTPFlow, outcome: Outcome, server_response: ServerResponse | None) -> None:
        if outcome.facts is None:  # not a CORS exchange: nothing to say about it
            return
        logger.log(LEVELS[outcome.level], outcome.long_line if self.verbose else outcome.line)
        f.comment = f"{f.comment}\n{outcome.comment}" if f.comment else outcome.comment
        f.marked = outcome.mark
        f.metadata["cors"] = outcome.metadata(server_response)
        self.session_summary.add(outcome.summary_entry)
        if outcome.facts.decision.request.is_preflight:
            self.preflights.passed(outcome.facts, time.monotonic(), weakref.ref(f))
            return
        preflight = self.asked_by.pop(f, None) if self.asked_by else None
        if preflight is not None and len(outcome.facts.browser.sides) == 1:
            self._settle(*preflight, outcome.facts.browser.sides[0][0])

    def _settle(self, facts: Facts, flow_ref: weakref.ref[http.HTTPFlow] | None, mode: Credentials) -> None:
        """The call showed its credentials mode: its preflight's mark and summary entry take that mode."""
        if not facts.browser.depends_on_credentials:
            return
        settled = report.settled(facts, mode)
        self.session_summary.move(report.summary_entry(facts), report.summary_entry(settled))
        preflight = flow_ref() if flow_ref is not None else None
        if preflight is not None:
            preflight.marked = settled.mark
            ctx.master.addons.trigger(hooks.UpdateHook([preflight]))

    def error(self, f: http.HTTPFlow) -> None:
        entry = self.decisions.pop(f, None)
        if entry is None or entry[0].action not in (Action.REPAIR, Action.ALLOW):
            return
        request = entry[0].request
        status = f.response.status_code if f.response else None
        self.session_summary.count_failure(request.host, request.port, request.origin, status)
        text = failure_text(f.error.msg if f.error else "no response", status, bool(f.response and f.response.stream))
        logger.warning(f"CORS {request.method} {request.url} from {request.origin}: {text}")

    # Commands (names: a-z and dots, so mitmweb can call them).

    @command.command("cors.explain")
    def explain_flows(self, flows: Sequence[flow.Flow]) -> str:
        """Explain, step by step, what the browser decides about each cross-origin flow and why."""
        return commands.explain_flows(flows)

    @command.command("cors.export")
    def export_rules(self, target: str) -> str:
        """The rules in force as server configuration for a stack (see README for the targets)."""
        if target not in EXPORTERS:
            raise exceptions.CommandError(f"cors.export: unknown target {target!r}; use {', '.join(EXPORTERS)}")
        if self.rules is None:
            raise exceptions.CommandError("cors.export: no rules loaded")
        if target in FRONT_EXPORTERS:
            # In reverse mode the API is the reverse target: the server in front of it proxies there.
            targets = reverse_targets(ctx.options.mode)
            if targets:
                scheme, host, port = targets[0]
                return FRONT_EXPORTERS[target](self.rules, upstream=f"{scheme}://{format_host(host, scheme, port)}")
        return EXPORTERS[target](self.rules)

    @command.command("cors.summary")
    def summary(self) -> str:
        """Per origin and host: how many calls were fixed, refused or left blocked so far, and why."""
        return "\n".join(self.session_summary.lines()) or "No cross-origin calls seen yet."

    @command.command("cors.rule")
    def rule_for_flows(self, flows: Sequence[flow.Flow]) -> str:
        """A rules.yaml snippet that would unblock exactly these cross-origin flows."""
        return commands.rule_for_flows(flows)
