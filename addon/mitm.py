"""The mitmproxy addon: translates flows to and from the pure core in addon.policy."""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import weakref

from mitmproxy import ctx, exceptions, flowfilter, http
from mitmproxy.proxy.mode_specs import ProxyMode, ReverseMode

from . import report
from .patterns import DEFAULT_PORTS
from .policy import CorsRequest, Decision, decide, merge_vary, response_headers
from .rules import RuleSet, RulesError, load_rules

DEFAULT_RULES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules.yaml")
MODES = ("fix", "off")
RELOAD_INTERVAL = 0.5


def compile_filter(expression: str):
    return flowfilter.parse(expression)


def _origin(scheme: str, host: str, port: int) -> str:
    host = f"[{host}]" if ":" in host else host
    suffix = "" if DEFAULT_PORTS.get(scheme) == port else f":{port}"
    return f"{scheme}://{host.lower()}{suffix}"


def own_origins(flow: http.HTTPFlow) -> tuple[str, ...]:
    """The origins under which the browser itself sees this URL (same-origin requests are left alone)."""
    request = flow.request
    origins = [_origin(request.scheme, request.host, request.port)]
    if isinstance(flow.client_conn.proxy_mode, ReverseMode) and flow.client_conn.sockname:
        host, port = flow.client_conn.sockname[:2]
        scheme = "https" if flow.client_conn.tls_established else "http"
        origins.append(_origin(scheme, host, port))
        if _is_loopback(host):
            origins.append(_origin(scheme, "localhost", port))
    return tuple(origins)


def to_cors_request(flow: http.HTTPFlow) -> CorsRequest:
    request = flow.request
    headers = request.headers
    return CorsRequest(
        method=request.method,
        url=request.url,
        scheme=request.scheme,
        host=request.host,
        port=request.port,
        path=request.path,
        origins=tuple(headers.get_all("origin")),
        own_origins=own_origins(flow),
        request_method=headers.get("access-control-request-method"),
        request_headers=",".join(headers.get_all("access-control-request-headers")) or None,
        private_network=headers.get("access-control-request-private-network", "").strip().lower() == "true",
        carries_credentials="cookie" in headers or "authorization" in headers,
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _file_stamp(path: str):
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


class CorsAddon:
    def __init__(self) -> None:
        self.rules: RuleSet | None = None  # the last good rules
        self.mode = "fix"
        self.path = ""
        self._stamp = None
        self._started = False
        self._watcher: asyncio.Task | None = None
        self._decisions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def load(self, loader) -> None:
        loader.add_option("cors_rules", str, DEFAULT_RULES,
                          "Path of the CORS rules file (rules.yaml); edits apply without restarting.")
        loader.add_option("cors_mode", str, "fix",
                          "fix: answer preflights and rewrite responses per rules.yaml; off: change nothing.")

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

    def _show(self, flow: http.HTTPFlow, request: CorsRequest, decision: Decision,
              headers_set: list[tuple[str, str]], status: int | None = None) -> None:
        line = report.log_line(request, decision, status)
        if decision.outcome == "untouched":
            logging.debug(line)
        elif decision.outcome == "refused" or decision.reason:
            logging.warning(line)
        else:
            logging.info(line)
        flow.comment = report.comment_with(flow.comment, decision, status)
        flow.marked = report.MARKS[decision.outcome]
        flow.metadata["cors"] = report.metadata(request, decision, headers_set, status)

    def request(self, flow: http.HTTPFlow) -> None:
        if self.mode == "off" or self.rules is None or flow.response or flow.error or not flow.live:
            return
        request = to_cors_request(flow)
        decision = decide(request, self.rules, flow)
        if decision is None:
            return
        self._decisions[flow] = (request, decision)
        if decision.outcome == "answered":
            flow.response = http.Response.make(204, b"", _headers([*decision.headers, *_vary(decision.vary)]))
        if decision.outcome in ("answered", "refused", "untouched"):
            self._show(flow, request, decision, list(decision.headers))

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        entry = self._decisions.get(flow)
        if entry is None or flow.response is None or entry[1].outcome not in ("forwarded", "allowed"):
            return
        request, decision = entry
        headers = flow.response.headers
        set_headers = response_headers(decision, list(headers.keys()))
        for name in [name for name in headers.keys() if name.lower().startswith("access-control-")]:
            headers.pop(name, None)
        for name, value in set_headers:
            headers.add(name, value)
        vary = merge_vary(headers.get_all("vary"), decision.vary)
        if vary is not None:
            headers["Vary"] = vary
        self._show(flow, request, decision, set_headers, flow.response.status_code)

    def response(self, flow: http.HTTPFlow) -> None:
        entry = self._decisions.get(flow)
        if entry is None or entry[1].outcome != "forwarded" or flow.response is None:
            return
        status = flow.response.status_code
        if 200 <= status < 300:
            return
        if flow.response.stream:
            logging.warning(f"CORS: cannot turn the streamed {status} preflight reply into 204")
            return
        flow.response.status_code = 204
        flow.response.reason = "No Content"
        flow.response.content = b""
        flow.response.headers.pop("content-length", None)

    def error(self, flow: http.HTTPFlow) -> None:
        entry = self._decisions.pop(flow, None)
        if entry is None or entry[1].outcome not in ("forwarded", "allowed"):
            return
        request, decision = entry
        message = flow.error.msg if flow.error else "no response"
        logging.warning(
            f"CORS {request.method} {request.url} from {decision.origin}: the server could not be "
            f"reached ({message}). mitmproxy answers 502 without CORS headers, so the browser reports "
            "a CORS error (\"No 'Access-Control-Allow-Origin' header is present on the requested "
            "resource.\") although the server is down."
        )


def _vary(names: tuple[str, ...]) -> list[tuple[str, str]]:
    return [("Vary", ", ".join(names))] if names else []


def _headers(fields: list[tuple[str, str]]) -> http.Headers:
    # The core only emits values it validated as ASCII tokens or origins.
    return http.Headers([(name.encode("ascii"), value.encode("ascii")) for name, value in fields])
