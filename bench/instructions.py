"""make bench-instructions: CPU instructions per CORS GET inside mitmdump, counted by valgrind.

Throughput on a shared machine moves by a few % from run to run, as much as the addon costs.
Instruction counts do not: each configuration runs once under callgrind (about 5 minutes),
serves 1,000 CORS GETs one after another after a warm-up, and the instructions executed
between them are counted. Work done on timers (mitmproxy's script watcher, the addon's rules
watcher) is measured while idle and taken off: under valgrind each request takes ~50x longer,
so timers would weigh 50x more per request than in a real run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.net import free_port, wait_port  # noqa: E402

from bench import ALONE, CONFIGURATIONS, ORIGIN, Nginx, mitmdump_command, rules_text  # noqa: E402


def get(port: int, count: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for _ in range(count):
        connection.request("GET", "/items", headers={"Origin": ORIGIN})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"proxy answered {response.status}")
    connection.close()


def counted(folder: Path, pid: int, part: int) -> int:
    """Instructions in callgrind's dump number `part` (the counter is zeroed before each)."""
    text = (folder / f"callgrind.{pid}.{part}").read_text(errors="replace")
    return int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))


def measure(folder: Path, upstream_port: int, name: str, requests: int, idle: float) -> dict:
    count, script = CONFIGURATIONS[name]
    port = free_port()
    args = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={folder}/callgrind.%p",
        sys.executable,
        *mitmdump_command(folder, upstream_port, port, script, rules_text(upstream_port, count) if count else None),
    ]
    with open(folder / f"valgrind-{port}.log", "w") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONHASHSEED="0"))
    control = ["callgrind_control", str(process.pid)]
    try:
        wait_port(port, 900)
        get(port, 300)  # warm-up: imports, memos, first collections
        subprocess.run([*control, "-z"], check=True, capture_output=True)
        started = time.monotonic()
        get(port, requests)
        loaded_seconds = time.monotonic() - started
        subprocess.run([*control, "-d"], check=True, capture_output=True)
        subprocess.run([*control, "-z"], check=True, capture_output=True)
        time.sleep(idle)
        subprocess.run([*control, "-d"], check=True, capture_output=True)
        loaded, idling = counted(folder, process.pid, 1), counted(folder, process.pid, 2)
    finally:
        process.terminate()
        process.wait()
    timers = idling / idle * loaded_seconds
    return {"per_request": (loaded - timers) / requests, "timers_share": timers / loaded}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--idle", type=float, default=30, help="seconds idle to measure timers")
    args = parser.parse_args()
    for tool in ("valgrind", "callgrind_control", "nginx"):
        if not shutil.which(tool):
            print(f"{tool} is missing: apt-get install valgrind nginx", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        nginx = Nginx(folder)
        try:
            with ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 1))) as pool:
                jobs = {
                    name: pool.submit(measure, folder, nginx.port, name, args.requests, args.idle)
                    for name in CONFIGURATIONS
                }
                results = {name: job.result() for name, job in jobs.items()}
        finally:
            nginx.stop()
    alone = results[ALONE]["per_request"]
    print(f"\nInstructions per CORS GET in mitmdump (callgrind, {args.requests} sequential requests, timers taken off)")
    print(f"{'configuration':22} {'instructions':>13} {'over alone':>11} {'alone / this':>13} {'timers':>7}")
    for name, r in results.items():
        print(
            f"{name:22} {r['per_request']:>13,.0f} {r['per_request'] - alone:>+11,.0f} "
            f"{alone / r['per_request']:>13.3f} {r['timers_share']:>6.1%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
