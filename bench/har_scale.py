"""`cors-addon explain` on a large HAR: time and peak memory (make bench-har; see bench/README.md).

Writes a DevTools-shaped HAR of N calls (default 100,000, about 125 MB) from a page on
http://localhost:3000 to three APIs on 127.0.0.1 (passing, blocked, preflighted and refused), then
runs `python -m addon explain --json FILE` ROUNDS times in fresh processes and prints each run's wall
time and peak resident memory (ru_maxrss of the child), with the median and spread. Nothing is sent over
the network.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORIGIN = "http://localhost:3000"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
PADDING = [  # what DevTools records beside the CORS headers, so an entry weighs what a real one does
    {"name": "Accept", "value": "*/*"},
    {"name": "Accept-Encoding", "value": "gzip, deflate, br, zstd"},
    {"name": "Accept-Language", "value": "en-US,en;q=0.9"},
    {"name": "Connection", "value": "keep-alive"},
    {"name": "Referer", "value": ORIGIN + "/app/dashboard"},
    {"name": "Sec-Fetch-Dest", "value": "empty"},
    {"name": "Sec-Fetch-Mode", "value": "cors"},
    {"name": "Sec-Fetch-Site", "value": "cross-site"},
    {"name": "User-Agent", "value": AGENT},
]


def entry(n: int) -> dict:
    kind = n % 4
    url = f"http://127.0.0.1:{5000 + kind}/api/items/{n}?page={n % 50}&sort=name"
    request = [{"name": "Origin", "value": ORIGIN}, *PADDING]
    response = [
        {"name": "Content-Type", "value": "application/json"},
        {"name": "Date", "value": "Thu, 03 Dec 2026 12:00:00 GMT"},
        {"name": "Server", "value": "nginx/1.22.1"},
    ]
    method, status, error = "GET", 200, ""
    if kind == 0:
        response.append({"name": "Access-Control-Allow-Origin", "value": ORIGIN})
    elif kind == 1:
        error = "net::ERR_FAILED"  # no Access-Control-Allow-Origin
    elif kind == 2:
        method = "OPTIONS"
        request.append({"name": "Access-Control-Request-Method", "value": "PUT"})
        status, error = 405, "net::ERR_FAILED"
    else:
        response.append({"name": "Access-Control-Allow-Origin", "value": "*"})
    return {
        "startedDateTime": "2026-12-03T12:00:00.000Z",
        "time": 12.5,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": request,
                    "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": response,
                     "cookies": [], "content": {"size": 120, "mimeType": "application/json", "text": "x" * 120},
                     "redirectURL": "", "headersSize": -1, "bodySize": 120},
        "cache": {}, "timings": {"send": 0.1, "wait": 12.0, "receive": 0.4},
        "_error": error or None,
    }  # fmt: skip


def write_har(path: Path, calls: int) -> None:
    with open(path, "w") as f:
        f.write('{"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, "pages": [], "entries": [\n')
        for n in range(calls):
            f.write(("," if n else "") + json.dumps(entry(n)) + "\n")
        f.write("]}}\n")


def run_once(path: Path) -> tuple[float, float, int]:
    """Wall seconds, peak MB of the explaining process, its exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "addon", "explain", "--json", str(path)], cwd=ROOT, stdout=subprocess.DEVNULL
    )
    wall = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far, in KB
    if peak < before:
        raise RuntimeError("ru_maxrss went down")
    return wall, peak / 1024, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        har = Path(folder) / "calls.har"
        write_har(har, args.calls)
        size = har.stat().st_size / 1e6
        runs = []
        for _ in range(args.rounds):
            # ru_maxrss of RUSAGE_CHILDREN is the largest child ever: each run in its own process tree.
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(har)], capture_output=True, text=True, check=True
            )
            runs.append(json.loads(out.stdout))
    walls, peaks = [r["seconds"] for r in runs], [r["peak_mb"] for r in runs]
    print(f"explain --json on {args.calls} calls ({size:.0f} MB), {args.rounds} runs, exit {runs[0]['status']}")
    print(f"  seconds: median {statistics.median(walls):.2f} (min {min(walls):.2f}, max {max(walls):.2f})")
    print(f"  peak MB: median {statistics.median(peaks):.0f} (min {min(peaks):.0f}, max {max(peaks):.0f})")
    if args.json:
        Path(args.json).write_text(json.dumps({"calls": args.calls, "megabytes": size, "runs": runs}, indent=2))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        wall, peak, status = run_once(Path(sys.argv[2]))
        print(json.dumps({"seconds": wall, "peak_mb": peak, "status": status}))
        sys.exit(0)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
