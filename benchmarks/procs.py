"""Server subprocesses for the benchmarks: start on a free loopback port, wait, measure, stop.

Memory and CPU are read from /proc (Linux): VmRSS from /proc/<pid>/status, utime + stime
from /proc/<pid>/stat. Every wait is bounded; every process started here is stopped by
``ServerProcess.stop`` (terminate, then kill), also at interpreter exit.
"""
from __future__ import annotations

import atexit
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_RUNNING: list["ServerProcess"] = []


def raise_fd_limit() -> int:
    """Lift the soft limit on open files to the hard limit; return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time consumed so far by ``pid``."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class ServerProcess:
    """A server started as ``python -m <module> --port P ...`` from the repository root."""

    def __init__(self, args: list[str], port: int, env: dict[str, str] | None = None, log: Path | None = None) -> None:
        self.port = port
        self.log_path = log
        self._log = open(log, "wb") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _RUNNING.append(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the Engine.IO endpoint answers a polling handshake."""
        url = f"http://127.0.0.1:{self.port}/socket.io/?EIO=4&transport=polling"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server on port {self.port} not ready after {timeout:.0f} s; see {self.log_path}")

    def rss(self) -> int:
        return rss_bytes(self.pid)

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self._log is not subprocess.DEVNULL:
            self._log.close()
            self._log = subprocess.DEVNULL
        if self in _RUNNING:
            _RUNNING.remove(self)


@atexit.register
def _stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()
