"""Soak: 20,000 requests from concurrent clients while rules.yaml changes every second.

The file alternates good versions (exposing x-a, then x-b) with broken ones. No request may
fail, every response must come from exactly one good version, memory must stay flat.
"""

import http.client
import re
import threading
import time
from pathlib import Path

import pytest
from support.proxy import Mitmdump
from support.upstream import Upstream

pytestmark = pytest.mark.slow
TOTAL, CLIENTS = 20_000, 8
ORIGIN = "http://localhost:3000"


def good(port, exposed):
    return f'rules:\n  - name: soak-{exposed}\n    hosts: ["127.0.0.1:{port}"]\n    expose_headers: [{exposed}]\n'


BROKEN = [
    "rules:\n  - hosts: [unclosed\n",
    "rules:\n  - hosts: a.com\n    max_age: -1\n",
    "rules:\n  - hosts: a.com\n    allow_origin: [x]\n",
]


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def test_soak_under_reload(tmp_path):
    with Upstream() as api:
        rules = tmp_path / "rules.yaml"
        rules.write_text(good(api.port, "x-a"))
        with Mitmdump(tmp_path, "--set", f"cors_rules={rules}", "--set", "flow_detail=0", verbosity="info") as proxy:
            stop = threading.Event()
            counter = iter(range(TOTAL))
            lock = threading.Lock()
            failures, seen = [], {"x-a": 0, "x-b": 0}
            memory = []

            def rewrite():
                versions = [
                    good(api.port, "x-a"),
                    BROKEN[0],
                    good(api.port, "x-b"),
                    BROKEN[1],
                    good(api.port, "x-a"),
                    BROKEN[2],
                    good(api.port, "x-b"),
                ]
                i = 0
                while not stop.wait(1.0):
                    i += 1
                    rules.write_text(versions[i % len(versions)])

            def client():
                connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=20)
                while True:
                    with lock:
                        n = next(counter, None)
                    if n is None:
                        return
                    if n == TOTAL // 5:
                        memory.append(rss_mb(proxy.process.pid))
                    try:
                        connection.request("GET", f"http://127.0.0.1:{api.port}/soak/{n}", headers={"Origin": ORIGIN})
                        response = connection.getresponse()
                        response.read()
                        headers = response.getheaders()
                    except (OSError, http.client.HTTPException) as e:
                        failures.append(f"{n}: {e!r}")
                        connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=20)
                        continue
                    acao = [v for k, v in headers if k.lower() == "access-control-allow-origin"]
                    expose = [v for k, v in headers if k.lower() == "access-control-expose-headers"]
                    if response.status != 200 or acao != [ORIGIN] or len(expose) != 1 or expose[0] not in seen:
                        failures.append(f"{n}: {response.status} {acao} {expose}")
                    else:
                        with lock:
                            seen[expose[0]] += 1

            writer = threading.Thread(target=rewrite)
            writer.start()
            started = time.monotonic()
            clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
            for thread in clients:
                thread.start()
            for thread in clients:
                thread.join(timeout=280)
            stop.set()
            writer.join()
            elapsed = time.monotonic() - started
            memory.append(rss_mb(proxy.process.pid))
            log = proxy.log

    assert not any(thread.is_alive() for thread in clients), "soak did not finish within its time bound"
    assert failures == [], failures[:10]
    assert seen["x-a"] + seen["x-b"] == TOTAL
    assert seen["x-a"] > 0 and seen["x-b"] > 0, seen
    reloads, refusals = log.count(" reloaded from "), log.count("the last good rules stay in force")
    assert reloads >= 3 and refusals >= 3, (reloads, refusals, elapsed)
    assert memory[1] - memory[0] < 15, f"memory grew from {memory[0]:.1f} MB to {memory[1]:.1f} MB"
    print(
        f"soak: {TOTAL} requests in {elapsed:.1f} s, {reloads} reloads, {refusals} broken edits refused, "
        f"x-a {seen['x-a']} / x-b {seen['x-b']}, RSS {memory[0]:.1f} -> {memory[1]:.1f} MB"
    )
