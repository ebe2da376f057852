"""The mitmproxy addon: translates flows to and from the pure core (policy, verdict, report)."""
from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import os
import weakref
from collections import Counter, defaultdict
from collections.abc import Sequence

from mitmproxy import command, ctx, exceptions, flow, flowfilter, http
from mitmproxy.proxy.mode_specs import ProxyMode, ReverseMode

from . import report
from .explain import explain
from .export import EXPORTERS
from .patterns import DEFAULT_PORTS
from .policy import CorsRequest, cross_origin, decide, is_preflight, rewrite, to_exchange
from .rules import RuleSet, RulesError, load_rules
from .suggest import Observed, inline_rule, suggest_rules
from .verdict import verdict

DEFAULT_RULES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules.yaml")
MODES = ("fix", "audit", "off")
RELOAD_INTERVAL = 0.5
KEPT_HEADERS = ("access-control-", "location", "vary")


def compile_filter(expression: str):
    return flowfilter.parse(expression)


def _origin(scheme: str, host: str, port: int) -> str:
    host = f"[{host}]" if ":" in host else host
    suffix = "" if DEFAULT_PORTS.get(scheme) == port else f":{port}"
    return f"{scheme}://{host.lower()}{suffix}"


def own_origins(f: http.HTTPFlow) -> tuple[str, ...]:
    """The origins under which the browser itself sees this URL (same-origin requests are left alone)."""
    request = f.request
    origins = [_origin(request.scheme, request.host, request.port)]
    if isinstance(f.client_conn.proxy_mode, ReverseMode) and f.client_conn.sockname:
        host, port = f.client_conn.sockname[:2]
        scheme = "https" if f.client_conn.tls_established else "http"
        origins.append(_origin(scheme, host, port))
        if _is_loopback(host):
            origins.append(_origin(scheme, "localhost", port))
    return tuple(origins)


_WANTED = frozenset({b"origin", b"access-control-request-method", b"access-control-request-headers",
                     b"access-control-request-private-network", b"cookie"})


def to_cors_request(f: http.HTTPFlow) -> CorsRequest | None:
    """The request as the core sees it; None without an Origin header (not CORS: the common case)."""
    found: dict[bytes, list[str]] = {}
    for name, value in f.request.headers.fields:  # one pass over the raw fields
        key = name.lower()
        if key in _WANTED:
            found.setdefault(key, []).append(value.decode("utf-8", "surrogateescape"))
    if b"origin" not in found:
        return None
    request = f.request
    requested_method = found.get(b"access-control-request-method")
    requested_headers = found.get(b"access-control-request-headers")
    return CorsRequest(
        method=request.method,
        url=request.url,
        scheme=request.scheme,
        host=request.host,
        port=request.port,
        path=request.path,
        origins=tuple(found[b"origin"]),
        own_origins=own_origins(f),
        request_method=requested_method[0] if requested_method else None,
        request_headers=",".join(requested_headers) if requested_headers else None,
        private_network=found.get(b"access-control-request-private-network", [""])[0].strip().lower() == "true",
        carries_credentials=b"cookie" in found,
    )


@functools.lru_cache(maxsize=256)
def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DecisionLog:
    """Where the per-flow decision lines go: mitmproxy's outputs (terminal, event log), minus one.

    mitmproxy turns every log record into a deprecated `add_log` hook call on every addon;
    for one line per flow that dispatch cost more throughput than the whole CORS decision
    (bench/README.md). This logger writes to the root logger's handlers except that one.
    """

    def __init__(self) -> None:
        self.logger = logging.getLogger("cors_addon.decisions")
        self.logger.propagate = False
        self._seen: list[logging.Handler] = []

    def log(self, level: int, line: str) -> None:
        handlers = logging.getLogger().handlers
        if handlers != self._seen:  # handlers come and go (mitmweb's event store, pytest's caplog)
            self._seen = list(handlers)
            self.logger.handlers = [h for h in handlers if type(h).__name__ != "LegacyLogEvents"]
        self.logger.log(level, line)


def _file_stamp(path: str):
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def _kept_headers(fields: list[tuple[str, str]]) -> list[list[str]]:
    """The server's headers worth keeping for cors.explain: CORS ones with values, others by name."""
    return [[k, v if k.lower().startswith(KEPT_HEADERS) else ""] for k, v in fields]


class CorsAddon:
    def __init__(self) -> None:
        self.rules: RuleSet | None = None  # the last good rules
        self.mode = "fix"
        self.path = ""
        self._stamp = None
        self._started = False
        self._watcher: asyncio.Task | None = None
        self._decisions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._tally: dict[tuple[str, str], Counter] = defaultdict(Counter)
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
        if self._watcher is None:
            self._watcher = loop.create_task(self._watch_rules())

    def done(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        for line in self.summary_lines():
            logging.info(line)

    def _warn_if_exposed(self) -> None:
        exposed = set()
        for spec in ctx.options.mode:
            try:
                host = ProxyMode.parse(spec).listen_host(ctx.options.listen_host)
            except ValueError:
                continue
            if not _is_loopback(host):
                exposed.add(host or "every interface")
        if exposed:
            logging.warning(
                f"CORS: mitmproxy listens on {', '.join(sorted(exposed))}: anyone on this network can "
                "use this proxy to reach the APIs rules.yaml opens. Add --listen-host 127.0.0.1 "
                "unless other machines must use it."
            )

    def _install(self, rules: RuleSet, reloaded: bool = False) -> None:
        self.rules = rules
        for warning in rules.warnings:
            logging.warning(f"CORS rules: {warning}")
        names = ", ".join(f"'{rule.name}'" for rule in rules.rules[:10])
        more = f" and {len(rules.rules) - 10} more" if len(rules.rules) > 10 else ""
        verb = "reloaded" if reloaded else "loaded"
        logging.info(f"CORS: {len(rules.rules)} rules {verb} from {rules.source}: {names}{more}")

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
        if self.mode == "off" or self.rules is None or f.response or f.error or not f.live:
            return
        request = to_cors_request(f)
        decision = decide(request, self.rules, f) if request else None
        if decision is None:
            return
        self._decisions[f] = (request, decision, self.mode == "audit")
        if decision.outcome == "answered" and self.mode == "fix":
            f.response = http.Response.make(204, b"", _headers([*decision.headers, *_vary(decision.vary)]))
            f.metadata["cors_answered"] = True

    def responseheaders(self, f: http.HTTPFlow) -> None:
        entry = self._decisions.get(f)
        if entry is None or f.response is None:
            return
        request, decision, audit = entry
        status = f.response.status_code
        fields = list(f.response.headers.items(multi=True))
        if f.metadata.get("cors_answered"):
            server, server_response = None, None
            set_headers = list(decision.headers)
            browser = verdict(to_exchange(request, status, fields))
        else:
            server_response = {"status": status, "headers": _kept_headers(fields)}
            server = browser = verdict(to_exchange(request, status, fields))
            set_headers = []
            if not audit and decision.outcome in ("forwarded", "allowed"):
                final, set_headers, vary = rewrite(fields, decision)
                _apply(f.response.headers, set_headers, vary)
                final_status = 204 if decision.outcome == "forwarded" and not 200 <= status < 300 else status
                browser = verdict(to_exchange(request, final_status, final))
        suggestion = ""
        if decision.outcome == "untouched" and browser.blocked:
            suggestion = inline_rule(_observed(request))
        shown = report.Shown(request, decision, status, server, browser, audit, suggestion)
        self._show(f, shown, set_headers, server_response)

    def response(self, f: http.HTTPFlow) -> None:
        entry = self._decisions.get(f)
        if entry is None or entry[2] or entry[1].outcome != "forwarded" or f.response is None:
            return
        status = f.response.status_code
        if 200 <= status < 300:
            return
        if f.response.stream:
            logging.warning(f"CORS: cannot turn the streamed {status} preflight reply into 204")
            return
        f.response.status_code = 204
        f.response.reason = "No Content"
        f.response.content = b""
        f.response.headers.pop("content-length", None)

    def error(self, f: http.HTTPFlow) -> None:
        entry = self._decisions.pop(f, None)
        if entry is None or entry[1].outcome not in ("forwarded", "allowed"):
            return
        request, decision, _ = entry
        message = f.error.msg if f.error else "no response"
        self._tally[_pair(request, decision.origin)]["server down"] += 1
        logging.warning(
            f"CORS {request.method} {request.url} from {decision.origin}: the server could not be "
            f"reached ({message}). mitmproxy answers 502 without CORS headers, so the browser reports "
            "a CORS error (\"No 'Access-Control-Allow-Origin' header is present on the requested "
            "resource.\") although the server is down."
        )

    def _show(self, f: http.HTTPFlow, shown: report.Shown, headers_set, server_response) -> None:
        summary = report.summary(shown)
        line = report.log_line(shown, summary)
        if shown.noteworthy:
            self._log.log(logging.WARNING, line)
        elif shown.decision.outcome == "untouched":
            self._log.log(logging.DEBUG, line)
        else:
            self._log.log(logging.INFO, line)
        f.comment = f"{f.comment}\nCORS: {summary}" if f.comment else f"CORS: {summary}"
        f.marked = shown.mark
        f.metadata["cors"] = report.metadata(shown, summary, headers_set, server_response)
        self._count(shown)

    def _count(self, shown: report.Shown) -> None:
        d = shown.decision
        key = _pair(shown.request, d.origin)
        if shown.browser is not None and shown.browser.blocked:
            self._tally[key]["left blocked"] += 1
            self._tally[key][f"blocked: {shown.browser.reason}"] += 1
        elif d.outcome == "refused":
            self._tally[key]["refused"] += 1
        elif d.outcome == "untouched" or shown.audit:
            self._tally[key]["passed untouched"] += 1
        else:
            self._tally[key]["fixed"] += 1

    def summary_lines(self) -> list[str]:
        lines = []
        for (origin, host), counts in sorted(self._tally.items()):
            totals = [f"{n} {what}" for what, n in counts.items() if not what.startswith("blocked: ")]
            reasons = [f"{what[9:]} (x{n})" for what, n in counts.items() if what.startswith("blocked: ")]
            lines.append(f"CORS summary: {origin} -> {host}: {', '.join(totals)}"
                         + (f"; why: {' | '.join(reasons)}" if reasons else ""))
        return lines

    # Commands (names: a-z and dots, so mitmweb can call them).

    @command.command("cors.explain")
    def explain_flows(self, flows: Sequence[flow.Flow]) -> str:
        """Explain, step by step, what the browser decides about each cross-origin flow and why."""
        blocks = []
        for f in flows:
            if not isinstance(f, http.HTTPFlow) or f.response is None:
                continue
            request = to_cors_request(f)
            if request is None or not cross_origin(request):
                continue
            meta = f.metadata.get("cors") or {}
            response = f.response
            final = to_exchange(request, response.status_code, list(response.headers.items(multi=True)))
            saved = meta.get("server_response")
            server = to_exchange(request, saved["status"], [tuple(h) for h in saved["headers"]]) if saved else final
            changed = bool(saved and meta.get("headers_set"))
            blocks.append(explain(server, final if changed else None, meta.get("summary"),
                                  answered_by_proxy=f.metadata.get("cors_answered", False)))
        if not blocks:
            return "No cross-origin flows with a response among these."
        return "\n\n".join("\n".join(block) for block in blocks)

    @command.command("cors.export")
    def export_rules(self, target: str) -> str:
        """The rules in force as server configuration: nginx or starlette (see README)."""
        if target not in EXPORTERS:
            raise exceptions.CommandError(f"cors.export: unknown target {target!r}; use {', '.join(EXPORTERS)}")
        if self.rules is None:
            raise exceptions.CommandError("cors.export: no rules loaded")
        return EXPORTERS[target](self.rules)

    @command.command("cors.rule")
    def rule_for_flows(self, flows: Sequence[flow.Flow]) -> str:
        """A rules.yaml snippet that would unblock exactly these cross-origin flows."""
        calls = []
        for f in flows:
            if isinstance(f, http.HTTPFlow):
                request = to_cors_request(f)
                if request is not None and cross_origin(request) and len(request.origins) == 1:
                    calls.append(_observed(request))
        if not calls:
            return "# No cross-origin flows among these."
        return suggest_rules(calls)


def _observed(request: CorsRequest) -> Observed:
    preflight = is_preflight(request)
    names = []
    if preflight and request.request_headers:
        names = [n.strip().lower() for n in request.request_headers.split(",") if n.strip()]
    return Observed(request.scheme, request.host, request.port, request.origins[0],
                    request.request_method if preflight else request.method, tuple(names),
                    request.carries_credentials)


def _apply(headers: http.Headers, set_headers: list[tuple[str, str]], vary: str | None) -> None:
    """Replace the Access-Control-* fields (and Vary when merged) in one assignment; other fields keep their bytes."""
    replaced = (b"access-control-", b"vary") if vary is not None else (b"access-control-",)
    kept = [(name, value) for name, value in headers.fields if not name.lower().startswith(replaced)]
    added = [*set_headers, *([("Vary", vary)] if vary is not None else [])]
    headers.fields = (*kept, *((name.encode("ascii"), value.encode("utf-8", "surrogateescape")) for name, value in added))


def _pair(request: CorsRequest, origin: str) -> tuple[str, str]:
    return origin[:200], f"{request.host}:{request.port}"


def _vary(names: tuple[str, ...]) -> list[tuple[str, str]]:
    return [("Vary", ", ".join(names))] if names else []


def _headers(fields: list[tuple[str, str]]) -> http.Headers:
    # The core only emits values it validated as ASCII tokens or origins.
    return http.Headers([(name.encode("ascii"), value.encode("ascii")) for name, value in fields])
