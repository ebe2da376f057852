"""make bench: what the addon costs inside mitmproxy, and what it saves the browser.

Starts its own upstreams (nginx; a 50 ms Python server) and mitmdump proxies on 127.0.0.1,
drives them with wrk, and prints one table; every ratio compares runs of this same process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import timeit
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from support.net import LOOPBACK_ONLY, free_port, wait_port  # noqa: E402

ORIGIN = "http://localhost:3000"
RESUME_SETTLE = 0.05  # seconds a paused mitmdump gets before it is measured


def rules_text(
    upstream_port: int, count: int, preflight: str = "answer", max_age: int = 5, origin: str = ORIGIN
) -> str:
    """`count` rules; only the last one covers the upstream."""
    lines = ["rules:"]
    for i in range(count - 1):
        lines += [f"  - name: other-{i}", f"    hosts: [h{i}.example.com]", f"    allow_origins: [{ORIGIN}]"]
    lines += [
        "  - name: bench",
        f'    hosts: ["127.0.0.1:{upstream_port}"]',
        f"    allow_origins: [{origin}]",
        f"    preflight: {preflight}",
        f"    max_age: {max_age}",
    ]
    return "\n".join(lines) + "\n"


class Nginx:
    """An upstream that answers every request with a tiny 200 in one write."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        (folder / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log stderr error;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {folder};
  server {{
    listen 127.0.0.1:{self.port};
    keepalive_requests 1000000;
    location / {{ return 200 "ok\\n"; }}
  }}
}}
""")
        self.log = open(folder / "nginx.log", "w")
        self.process = subprocess.Popen(
            ["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)], stdout=self.log, stderr=subprocess.STDOUT
        )
        wait_port(self.port)

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.log.close()


class SlowUpstream:
    """Answers every request (OPTIONS with 405, like a real API) after `delay` seconds."""

    def __init__(self, delay: float):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                time.sleep(delay)
                status = 405 if self.command == "OPTIONS" else 200
                self.send_response(status)
                self.send_header("Content-Length", "3")
                self.end_headers()
                self.wfile.write(b"ok\n")

            do_GET = do_PUT = do_POST = do_OPTIONS = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


# name -> (number of rules, script): the configurations measured here and in instructions.py
ALONE = "mitmdump alone"
CONFIGURATIONS = {
    ALONE: (None, None),
    "empty addon (-s)": (None, ROOT / "bench" / "empty_addon.py"),
    "addon, 1 rule": (1, ROOT / "cors_addon.py"),
    "addon, 10,000 rules": (10_000, ROOT / "cors_addon.py"),
}


def rules_file(folder: Path, port: int) -> Path:
    return folder / f"rules-{port}.yaml"


def mitmdump_command(
    folder: Path, upstream_port: int, port: int, script: Path | None, rules: str | None, verbosity: str = "warn"
) -> list[str]:
    """mitmdump in reverse mode to 127.0.0.1:upstream_port; `rules` goes to rules_file(folder, port).
    Each process gets its own confdir: processes started together would race to create one CA there."""
    command = [
        str(Path(sys.executable).parent / "mitmdump"),
        "--mode",
        f"reverse:http://127.0.0.1:{upstream_port}",
        "--listen-host",
        "127.0.0.1",
        "-p",
        str(port),
        "--set",
        f"confdir={folder / f'conf-{port}'}",
        "--set",
        "flow_detail=0",
        "--set",
        f"termlog_verbosity={verbosity}",
        *LOOPBACK_ONLY,
    ]
    if script is not None:
        command += ["-s", str(script)]
    if rules is not None:
        path = rules_file(folder, port)
        path.write_text(rules)
        command += ["--set", f"cors_rules={path}"]
    return command


class Proxy:
    """mitmdump in reverse mode, optionally with a script (the addon by default) and a rules file."""

    def __init__(
        self,
        folder: Path,
        upstream_port: int,
        rules: str | None,
        verbosity: str = "warn",
        script: Path | None = ROOT / "cors_addon.py",
        cpus: set[int] | None = None,
        hash_seed: int = 0,
    ):
        self.port = free_port()
        self.rules_path = rules_file(folder, self.port)
        args = mitmdump_command(folder, upstream_port, self.port, script, rules, verbosity)
        self.output = open(folder / f"mitmdump-{self.port}.log", "w")
        self.process = subprocess.Popen(
            args,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONHASHSEED=str(hash_seed)),
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        )
        wait_port(self.port, 60)

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def pause(self) -> None:
        """Stopped (SIGSTOP) while the others are measured: its timers would preempt them."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        time.sleep(RESUME_SETTLE)  # let the timers that came due while it was stopped run first

    def stop(self):
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        self.process.wait()
        self.output.close()


def wrk(port: int, kind: str, connections: int, seconds: float, folder: Path, stop_after: int = 0) -> dict:
    """Run wrk against the proxy; kind is "get" (CORS GET) or "preflight"."""
    script = folder / f"wrk-{kind}-{stop_after}.lua"
    method = "OPTIONS" if kind == "preflight" else "GET"
    extra = 'wrk.headers["Access-Control-Request-Method"] = "PUT"\n' if kind == "preflight" else ""
    stop = (
        (
            f"local seen = 0\nresponse = function(status, headers, body)\n  seen = seen + 1\n"
            f"  if seen >= {stop_after} then wrk.thread:stop() end\nend\n"
        )
        if stop_after
        else ""
    )
    script.write_text(
        f'wrk.method = "{method}"\nwrk.headers["Origin"] = "{ORIGIN}"\n{extra}{stop}'
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration,'
        " latency:percentile(50), latency:percentile(99), summary.errors.status + summary.errors.connect"
        " + summary.errors.read + summary.errors.write + summary.errors.timeout))\nend\n"
    )
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{round(seconds)}s", "-s", str(script), f"http://127.0.0.1:{port}/items"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests, duration_us, p50, p99, errors = (int(x) for x in re.search(r"RESULT (.*)", out).group(1).split())
    return {
        "rps": requests / (duration_us / 1e6),
        "p50_ms": p50 / 1000,
        "p99_ms": p99 / 1000,
        "requests": requests,
        "errors": errors,
    }


def decision_times() -> dict:
    from addon.answer.memo import Memo
    from addon.answer.outcome import Mode
    from addon.answer.respond import respond
    from addon.config.load import load_rules, parse_rules
    from addon.core.policy import decide
    from addon.core.request import CorsRequest

    request = CorsRequest("GET", "http", "127.0.0.1", 9999, "/items", (ORIGIN,), ("http://127.0.0.1:9999",))
    headers = [("Content-Type", "text/plain"), ("X-Total", "1")]
    result = {}

    def per_call(work) -> float:
        return statistics.median(timeit.repeat(work, number=2000, repeat=7)) / 2000 * 1e6

    for count in (1, 10_000):
        rules = parse_rules(rules_text(9999, count))
        decision = decide(request, rules)
        assert decision.rule == "bench"
        memo = Memo(rules)

        def repeated(memo=memo):  # what the addon does for a call of a shape it has seen
            memo.respond(memo.decide(request, lambda rule: True), 200, headers, Mode.FIX)

        result[count] = {
            "decide": per_call(lambda rules=rules: decide(request, rules)),
            "respond": per_call(lambda decision=decision: respond(decision, 200, headers)),
            "repeated": per_call(repeated),
        }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules.yaml"
        path.write_text(rules_text(9999, 10_000))
        loads = [timeit.timeit(lambda: load_rules(str(path)), number=1) for _ in range(3)]  # as the addon loads
    result["load_10000_s"] = statistics.median(loads)
    return result


def reload_pause(folder: Path, upstream_port: int) -> dict:
    """Longest request latency while a 10,000-rule rules.yaml is reloaded, against a quiet baseline."""
    import http.client

    proxy = Proxy(folder, upstream_port, rules_text(upstream_port, 10_000), verbosity="info")
    latencies: list[tuple[float, float]] = []
    stop = threading.Event()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        while not stop.is_set():
            start = time.perf_counter()
            connection.request("GET", "/items", headers={"Origin": ORIGIN})
            connection.getresponse().read()
            latencies.append((start, time.perf_counter() - start))

    try:
        thread = threading.Thread(target=client)
        thread.start()
        time.sleep(1)  # warm-up, not counted
        baseline_start = time.perf_counter()
        time.sleep(2)
        baseline_end = time.perf_counter()
        text = proxy.rules_path.read_text()
        for round_ in range(3):
            proxy.rules_path.write_text(text.replace("max_age: 5", f"max_age: {6 + round_}"))
            time.sleep(2)
        stop.set()
        thread.join()
    finally:
        proxy.stop()
    reloads = (folder / f"mitmdump-{proxy.port}.log").read_text().count("rules reloaded")
    baseline = [lat for start, lat in latencies if baseline_start <= start < baseline_end]
    during = [lat for start, lat in latencies if start >= baseline_end]
    return {"reloads": reloads, "baseline_max_ms": max(baseline) * 1000, "reload_max_ms": max(during) * 1000}


def preflight_saving(folder: Path) -> dict | None:
    """Median fetch() time of a preflighted PUT in Chromium, preflight answered vs forwarded."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium:
        return None
    slow = SlowUpstream(0.050)
    from browser import PageServer

    page_server = PageServer()
    page_origin = page_server.origin
    proxies = {
        mode: Proxy(folder, slow.port, rules_text(slow.port, 1, mode, max_age=0, origin=page_origin))
        for mode in ("answer", "forward")
    }
    result = {}
    try:
        with sync_playwright() as playwright:
            from browser import launch

            browser = launch(playwright)
            page = browser.new_page()
            page.goto(page_origin + "/")
            for mode, proxy in proxies.items():
                times = page.evaluate(
                    """async (url) => {
                    const times = [];
                    for (let i = 0; i < 21; i++) {
                      const t0 = performance.now();
                      const r = await fetch(url, {method: "PUT", body: "x"});
                      await r.text();
                      if (i > 0) times.push(performance.now() - t0);
                    }
                    return times;
                }""",
                    f"http://127.0.0.1:{proxy.port}/items",
                )
                result[mode] = statistics.median(times)
            browser.close()
    finally:
        for proxy in proxies.values():
            proxy.stop()
        slow.stop()
        page_server.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=1, help="duration of each wrk run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=6,
        help="rounds; each pairs every process once per load with a run of mitmdump alone",
    )
    parser.add_argument("--processes", type=int, default=3, help="mitmdump processes per configuration")
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            print(f"{tool} is missing: apt-get install {tool}", file=sys.stderr)
            return 1
    from mitmproxy.version import VERSION

    results: dict = {
        "machine": f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"mitmproxy {VERSION}",
        "processes": args.processes,
        "rounds": args.rounds,
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        nginx = Nginx(folder)
        try:
            measure_proxies(results, folder, nginx, args)
            results["reload"] = reload_pause(folder, nginx.port)
        finally:
            nginx.stop()
        results["decision_us"] = decision_times()
        results["preflight_ms"] = preflight_saving(folder)
    print_table(results)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    k: (v if k != "load" else {" | ".join(map(str, key)): m for key, m in v.items()})
                    for k, v in results.items()
                },
                indent=2,
            )
        )
    return 0


def split_cpus() -> tuple[set[int] | None, set[int] | None]:
    """mitmdump on one CPU, wrk and nginx on the others: less scheduler noise between them."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return {cpus[-1]}, set(cpus[:-1])


def measure_proxies(results: dict, folder: Path, nginx: Nginx, args) -> None:
    """Several mitmdump processes per configuration (one process can be a few % off another
    for no reason of its own; process i of every configuration gets hash seed i + 1). The machine's
    speed drifts by more than the differences measured, so every run of a configuration is
    paired with a run of mitmdump alone right next to it (which goes first alternates), and a
    row's ratio is the median of its pairs' ratios. mitmdump alone is paired with another
    mitmdump alone: its ratio is what this method reads where there is no difference."""
    proxy_cpus, load_cpus = split_cpus()
    configs = {
        name: (rules_text(nginx.port, count) if count else None, script)
        for name, (count, script) in CONFIGURATIONS.items()
    }
    processes: dict[tuple[str, int], Proxy] = {}
    saved_affinity = os.sched_getaffinity(0)
    shuffle = random.Random(1).shuffle
    try:
        if load_cpus:
            os.sched_setaffinity(0, load_cpus)  # wrk and nginx inherit it
        for index in range(args.processes):
            for name, (rules, script) in configs.items():
                processes[(name, index)] = Proxy(
                    folder, nginx.port, rules, script=script, cpus=proxy_cpus, hash_seed=index + 1
                )
        for proxy in processes.values():  # warm up; then only the process being measured runs
            wrk(proxy.port, "get", 8, 1, folder)
            proxy.pause()
        runs: dict = {}
        for round_ in range(args.rounds):
            for kind in ("get", "preflight"):
                for connections in (1, 8):
                    pairs = list(processes)
                    shuffle(pairs)
                    for i, (name, index) in enumerate(pairs):
                        alone_index = (index + 1) % args.processes if name == ALONE else index
                        measured, reference = processes[(name, index)], processes[(ALONE, alone_index)]
                        order = (measured, reference) if (round_ + i) % 2 == 0 else (reference, measured)
                        done = {proxy: timed_run(proxy, kind, connections, args.seconds, folder) for proxy in order}
                        run, alone = done[measured], done[reference]
                        run["vs_alone"] = run["rps"] / alone["rps"]
                        runs.setdefault((name, kind, connections), []).append(run)
        results["load"] = {
            key: summary(rs) for key, rs in sorted(runs.items(), key=lambda item: list(configs).index(item[0][0]))
        }
        memory = {}
        for name in (ALONE, "addon, 1 rule"):
            proxy = processes[(name, 0)]
            proxy.resume()
            done = wrk(proxy.port, "get", 8, 120, folder, stop_after=20_000)
            memory[name] = {"requests_total": done["requests"], "peak_rss_mb": proxy.peak_rss_mb()}
        results["memory"] = memory
    finally:
        os.sched_setaffinity(0, saved_affinity)
        for proxy in processes.values():
            proxy.stop()


def timed_run(proxy: Proxy, kind: str, connections: int, seconds: float, folder: Path) -> dict:
    proxy.resume()
    try:
        before = proxy.cpu_seconds()
        run = wrk(proxy.port, kind, connections, seconds, folder)
        run["cpu_us"] = (proxy.cpu_seconds() - before) / max(run["requests"], 1) * 1e6
    finally:
        proxy.pause()
    return run


def summary(runs: list[dict]) -> dict:
    """Medians of a row's runs; its ratio to mitmdump alone as the median of the pairs, with the
    middle half of the pairs' ratios (the quartiles)."""
    ratios = [r["vs_alone"] for r in runs]
    low, _, high = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3  # one run: no spread
    return {metric: statistics.median(r[metric] for r in runs) for metric in ("rps", "p50_ms", "p99_ms", "cpu_us")} | {
        "errors": sum(r["errors"] for r in runs),
        "runs": len(runs),
        "vs_alone": statistics.median(ratios),
        "vs_alone_low": low,
        "vs_alone_high": high,
    }


def print_table(results: dict) -> None:
    print(f"\nMachine: {results['machine']}\n")
    load = results["load"]
    runs = load[(ALONE, "get", 1)]["runs"]
    print(
        f"1. Through mitmdump (reverse mode to nginx), wrk -t1; median of {runs} runs per row "
        f"({results['processes']} processes x {results['rounds']} rounds); vs alone: median of the ratios to a "
        "run of mitmdump alone next to each run (middle half of those ratios); alone's own row: to another "
        "mitmdump alone"
    )
    print(
        f"{'request':10} {'conns':>5} {'configuration':22} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'cpu us/req':>10} {'vs alone':>9}  {'middle half':>11}"
    )
    for kind in ("get", "preflight"):
        for connections in (1, 8):
            for name in dict.fromkeys(name for name, _, _ in load):
                m = load[(name, kind, connections)]
                label = "CORS GET" if kind == "get" else "preflight"
                print(
                    f"{label:10} {connections:>5} {name:22} {m['rps']:>9.0f} {m['p50_ms']:>8.2f} "
                    f"{m['p99_ms']:>8.2f} {m['cpu_us']:>10.0f} {m['vs_alone']:>9.3f}  "
                    f"{m['vs_alone_low']:.3f}-{m['vs_alone_high']:.3f}"
                    + (f"  errors {m['errors']}" if m["errors"] else "")
                )
    d = results["decision_us"]
    print("\n2. Pure core per CORS GET, median per call: decide; respond (a new shape); both via the memo (a repeat)")
    for count, label in ((1, "1 rule"), (10_000, "10,000 rules (match last)")):
        t = d[count]
        print(f"   {label}: decide {t['decide']:.1f} us, respond {t['respond']:.1f} us, repeat {t['repeated']:.1f} us")
    print(f"   10,000-rule rules.yaml load: {d['load_10000_s']:.2f} s")
    r = results["reload"]
    print(
        f"   reload of 10,000 rules while serving: longest request {r['reload_max_ms']:.0f} ms during "
        f"{r['reloads']} reloads (longest before, without reloads: {r['baseline_max_ms']:.0f} ms)"
    )
    p = results["preflight_ms"]
    print("\n3. A preflighted PUT in Chromium, upstream adds 50 ms, max_age 0 (median fetch time)")
    if p:
        print(
            f"   preflight: answer {p['answer']:.1f} ms   forward {p['forward']:.1f} ms   "
            f"saved {p['forward'] - p['answer']:.1f} ms"
        )
    else:
        print("   skipped: Chromium or playwright missing")
    print("\n4. Peak memory (VmHWM) of mitmdump after the load runs plus 20,000 more requests")
    for name, m in results["memory"].items():
        print(f"   {name:22} {m['peak_rss_mb']:.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
