"""Start a real mitmdump with the addon and read the port it listens on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from support.net import LOOPBACK_ONLY

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "tests" / "equivalence" / "apps"  # the servers and framework apps the exports are proven on
LISTENING = re.compile(r"listening at (?:\*|[\d.]+|\[[0-9a-f:]+\]):(\d+)")


def mitm_binary(name: str = "mitmdump") -> str:
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.exists() else (shutil.which(name) or name)


def mitmdump_command(confdir: Path, *args: str, binary: str = "mitmdump") -> list[str]:
    """The addon in mitmdump (or mitmweb) on 127.0.0.1, a free port, loopback only."""
    return [
        mitm_binary(binary), "-s", str(ROOT / "cors_addon.py"), "--listen-host", "127.0.0.1", "-p", "0",
        "--set", f"confdir={confdir}", *LOOPBACK_ONLY, *args,
    ]  # fmt: skip


# A decision line of a call the browser lets through: allowed, passing only without credentials, untouched.
PASSING_DECISION = re.compile("CORS (?:preflight )?\\S+ \\S+ from \\S*: (?:\u2705|\U0001f536|\u2796) .*")
MAX_PASSING_LINE = 200  # one line of a normal terminal width, for every passing call the suite makes


def too_long_passing_lines(lines: list[str]) -> list[str]:
    found = (PASSING_DECISION.search(line) for line in lines)
    return [match.group(0) for match in found if match and len(match.group(0)) > MAX_PASSING_LINE]


class Mitmdump:
    """mitmdump -s cors_addon.py on 127.0.0.1, a free port; `log` collects its output lines. On leaving,
    every decision line of a passing call must fit MAX_PASSING_LINE characters."""

    def __init__(self, confdir: Path, *args: str, binary: str = "mitmdump", verbosity: str = "debug"):
        self.command = mitmdump_command(confdir, "--set", f"termlog_verbosity={verbosity}", *args, binary=binary)
        self.lines: list[str] = []
        self.port = None
        self.process = None

    def start(self, timeout: float = 20) -> Mitmdump:
        self.process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                match = LISTENING.search(line)
                if match:
                    self.port = int(match.group(1))
                    return self
            if self.process.poll() is not None:
                time.sleep(0.2)
                raise RuntimeError("mitmdump exited:\n" + self.log)
            time.sleep(0.05)
        raise RuntimeError("mitmdump did not start:\n" + self.log)

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float = 10, after: int = 0) -> str:
        """Wait until a log line (from index `after`) contains `text`; return that line."""
        return self.wait_for_lines(text, 1, timeout, after)[0]

    def wait_for_decision(self, head: str, text: str, timeout: float = 10, after: int = 0) -> str:
        """Wait for the decision line `head` ("CORS GET URL from ORIGIN") whose text after the mark starts with
        `text`; return the line."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines[after:]:
                said = line.partition(f"{head}: ")[2]
                if said and said.partition(" ")[2].startswith(text):
                    return line
            if time.monotonic() > deadline:
                raise AssertionError(f"no decision {head!r}: {text!r} after {timeout} s in:\n{self.log}")
            time.sleep(0.05)

    def wait_for_lines(self, text: str, count: int, timeout: float = 10, after: int = 0) -> list[str]:
        """Wait until `count` log lines (from index `after`) contain `text`; return them all. mitmdump's
        output reaches `lines` through a reader thread, some time after the action that caused it: every
        check of the log waits here instead of reading it at once."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in self.lines[after:] if text in line]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(found)} of {count} log lines with {text!r} after {timeout} s in:\n{self.log}"
                )
            time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        too_long = too_long_passing_lines(self.lines)
        if exc[0] is None and too_long and "cors_verbose=true" not in self.command:
            raise AssertionError(
                f"{len(too_long)} passing decision line(s) over {MAX_PASSING_LINE} characters:\n" + "\n".join(too_long)
            )


def run_to_exit(confdir: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run mitmdump with the addon, expecting it to exit by itself (a start-up error)."""
    command = mitmdump_command(confdir, *args)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
