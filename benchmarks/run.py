"""Benchmark the live path against the bare broadcast: ``python -m benchmarks.run [--quick]``.

For every scenario (N board clients on one server process, or N across two processes sharing
Redis) and every repeat, the bare python-socketio server and contest_app run back to back in
the same repeat, so that their ratio is measured under the same load of the shared cores:

1. start the server process(es) on free 127.0.0.1 ports (contest_app: gevent, as ``python
   run.py`` runs it; see benchmarks/app_server.py);
2. connect six judge clients and N board clients (lean websocket clients spread over several
   load-generator processes, benchmarks/loadgen.py);
3. for each of M marks, one at a time: arm the boards, send the mark through the judge
   protocol (``submit_mark`` with an acknowledgement), and wait until every board has the
   resulting ``board_updated`` (bounded); latency = receive time − send time (one monotonic
   clock for all processes);
4. read the server's RSS before and after the boards connected (memory per client) and its
   user + system CPU time over the M marks (CPU per mark), from /proc;
5. stop everything.

A burst scenario (``--burst N``) sends six judges' marks within 50 ms instead of one mark and
times each board's last update. The load average is recorded around every run.

It prints the load, the table (mode × N → p50 / p99 / last-client p50 / last-client p99 / ratio
to bare / memory per client / CPU per mark / load, medians of the repeats), the micro-benchmarks
(benchmarks/micro.py) and the goals of issue 17 (point 4) with PASS / FAIL / not measured, and
writes everything as JSON to benchmarks/results/.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.leanclient import LeanClient, connect
from benchmarks.loadgen import BoardPool
from benchmarks.procs import ROOT, ServerProcess, free_port, raise_fd_limit

RESULTS_DIR = ROOT / "benchmarks" / "results"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
JUDGES = 6
DEFAULT_SIZE = 600


# ----- statistics -------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(send_times: dict[int, float], received: dict[int, list], keys: dict[int, list], n: int) -> dict[str, Any]:
    """Latency figures (ms) of one run from the send time and every client's receive time per mark."""
    pooled: list[float] = []
    last: list[float] = []
    per_client: list[list[float]] = [[] for _ in range(n)]
    missing = 0
    inconsistent = 0
    for mark, sent in send_times.items():
        times = received.get(mark, [])
        lat = [(t - sent) * 1000 for t in times if t is not None]
        missing += n - len(lat)
        pooled.extend(lat)
        if lat:
            last.append(max(lat))
        for i, t in enumerate(times):
            if t is not None and i < n:
                per_client[i].append((t - sent) * 1000)
        seen = {k for k in keys.get(mark, []) if k is not None}
        if len(seen) > 1:
            inconsistent += 1
    client_p50 = [percentile(c, 50) for c in per_client if c]
    client_p99 = [percentile(c, 99) for c in per_client if c]
    return {
        "marks": len(send_times),
        "deliveries": len(pooled),
        "missing": missing,
        "inconsistent_marks": inconsistent,
        "p50_ms": percentile(pooled, 50),
        "p99_ms": percentile(pooled, 99),
        "last_p50_ms": percentile(last, 50),
        "last_p99_ms": percentile(last, 99),
        "last_max_ms": max(last) if last else None,
        "last_ms": [round(v, 2) for v in last],  # every mark's last-client latency, in send order
        "per_client_p50_ms": {"min": min(client_p50, default=None), "median": percentile(client_p50, 50), "max": max(client_p50, default=None)},
        "per_client_p99_ms": {"min": min(client_p99, default=None), "median": percentile(client_p99, 50), "max": max(client_p99, default=None)},
    }


# ----- drivers: how to start a server and how a judge sends a mark --------------------------------
class BareDriver:
    """The bare python-socketio broadcast (benchmarks/bare_server.py), one or several processes."""

    kind = "bare"
    board_namespace = "/board"
    board_auth: dict | None = None
    board_query = ""
    snapshot_event: str | None = None

    def __init__(self, processes: int, size: int, workdir: Path) -> None:
        self.processes, self.size, self.workdir = processes, size, workdir
        self.servers: list[ServerProcess] = []
        self.judges: list[LeanClient] = []

    def start(self) -> None:
        channel = f"bench-bare-{uuid.uuid4().hex[:8]}"
        for i in range(self.processes):
            port = free_port()
            args = ["-m", "benchmarks.bare_server", "--port", str(port), "--size", str(self.size)]
            if self.processes > 1:
                args += ["--queue", REDIS_URL, "--channel", channel]
            self.servers.append(ServerProcess(args, port, log=self.workdir / f"bare-{i}.log"))
        for server in self.servers:
            server.wait_ready()

    async def connect_judges(self) -> None:
        port = self.servers[0].port
        self.judges = [await connect("127.0.0.1", port, "/judge") for _ in range(JUDGES)]

    async def submit(self, mark: int) -> Any:
        return await self.judges[mark % JUDGES].call("submit_mark", {"seq": mark})

    def stop(self) -> None:
        for judge in self.judges:
            judge.close()
        for server in self.servers:
            server.stop()


def app_driver(processes: int, workdir: Path) -> Any:
    """contest_app's live path (benchmarks/app_driver.py)."""
    from benchmarks.app_driver import AppDriver

    return AppDriver(processes=processes, workdir=workdir, redis_url=REDIS_URL, pg_url=PG_URL)


def start_profiler(pid: int, out: Path) -> subprocess.Popen | None:
    """Sample ``pid`` with py-spy (collapsed stacks) until stop_profiler; None without py-spy."""
    import shutil

    exe = shutil.which("py-spy")
    if exe is None:
        print("py-spy is not installed (pip install py-spy): no profile")
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [exe, "record", "-p", str(pid), "-o", str(out), "--format", "raw", "--rate", "250"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def stop_profiler(proc: subprocess.Popen) -> None:
    import signal

    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


# ----- one run ---------------------------------------------------------------------------------
@dataclass
class RunConfig:
    n: int
    marks: int
    processes: int
    workers: int
    gap: float = 0.05
    wait: float = 10.0
    warmup: int = 2
    size: int = DEFAULT_SIZE
    profile: Path | None = None
    burst: int = 0  # >0: every "mark" is a burst of this many judges' marks within ``spread`` s
    spread: float = 0.05


@dataclass
class RunResult:
    mode: str
    n: int
    processes: int
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def _burst_first(mark: int, burst: int) -> int:
    """The first judge's mark number of burst ``mark`` (warm-up bursts are negative)."""
    return mark * burst if mark >= 0 else mark * burst - 1000


class NothingPublished(RuntimeError):
    """No board received anything for several marks in a row: the server publishes nothing for them."""


async def _one(driver: Any, pool: BoardPool, cfg: RunConfig, mark: int, *, acks: list[float], sends: dict[int, float],
               excluded: dict[str, float]) -> int:
    """Send one mark (or one burst) and wait until every board has it, then ``cfg.gap`` of quiet.

    A burst: ``cfg.burst`` judges send a mark each, spread evenly over ``cfg.spread`` seconds
    from the send time; every board keeps the time of the last update it receives, and the
    burst is over when every board has at least one and none has received anything for 200 ms.
    Latency is then the time from the first send to the board's last update.
    """
    ids = [mark] if not cfg.burst else [_burst_first(mark, cfg.burst) + i for i in range(cfg.burst)]
    before = getattr(driver, "before_marks", None)
    if before is not None:
        cpu = sum(s.cpu() for s in driver.servers)
        if await before(ids):
            # the desk's change reaches the boards before they are armed for the mark
            await asyncio.sleep(0.3 + cfg.n / 5000)
        # the desk's work is not the mark's: its server CPU is left out of CPU per mark
        excluded["cpu"] = excluded.get("cpu", 0.0) + sum(s.cpu() for s in driver.servers) - cpu
    if not cfg.burst:
        await pool.arm(mark)
        sent = time.monotonic()
        await asyncio.wait_for(driver.submit(mark), cfg.wait)
        acks.append((time.monotonic() - sent) * 1000)
        sends[mark] = sent
        got = await pool.wait(mark, cfg.wait)
        await asyncio.sleep(cfg.gap)
        return got
    await pool.arm(mark, last=True)
    step = cfg.spread / max(1, cfg.burst - 1)
    first = ids[0]
    sent = time.monotonic()

    async def judge(i: int) -> None:
        await asyncio.sleep(max(0.0, sent + i * step - time.monotonic()))
        await asyncio.wait_for(driver.submit(first + i), cfg.wait)
        acks.append((time.monotonic() - sent) * 1000)

    await asyncio.gather(*(judge(i) for i in range(cfg.burst)))
    sends[mark] = sent
    got = await pool.wait(mark, cfg.wait)
    if got:
        await pool.settle(0.2, cfg.wait)
    # Stop keeping "the last update": the next burst's ``before`` (the desk closing this window
    # and opening the next) sends board deltas that are not this burst's. Left armed, they were
    # counted as its last update, ~350 ms after the first send (issue 17, i17c).
    await pool.disarm()
    await asyncio.sleep(cfg.gap)
    return got


async def measure(driver: Any, cfg: RunConfig, mode: str) -> RunResult:
    """Start ``driver``'s servers, connect the clients, send the marks, stop; never longer than bounded waits."""
    result = RunResult(mode=mode, n=cfg.n, processes=cfg.processes)
    try:
        await asyncio.get_running_loop().run_in_executor(None, driver.start)
        await driver.connect_judges()
        await asyncio.sleep(0.3)
        rss_before = sum(s.rss() for s in driver.servers)
        async with BoardPool(cfg.workers) as pool:
            ports = [s.port for s in driver.servers]
            conn = await pool.connect(
                host="127.0.0.1", ports=ports, namespace=driver.board_namespace, total=cfg.n,
                event="board_updated", key="seq", auth=driver.board_auth, query=driver.board_query,
                snapshot_event=driver.snapshot_event, timeout=max(30.0, cfg.n / 20),
            )
            if conn["ok"] < cfg.n:
                raise RuntimeError(f"only {conn['ok']} of {cfg.n} boards connected: {conn['errors']}")
            await asyncio.sleep(0.5)
            rss_after = sum(s.rss() for s in driver.servers)
            send_times: dict[int, float] = {}
            acks_ms: list[float] = []
            # warm-up marks (not measured) use negative numbers
            for w in range(cfg.warmup):
                await _one(driver, pool, cfg, -1 - w, acks=[], sends={}, excluded={})
            profiler = start_profiler(driver.servers[0].pid, cfg.profile) if cfg.profile else None
            if profiler:
                await asyncio.sleep(1.0)
            load_before = os.getloadavg()
            cpu_before = sum(s.cpu() for s in driver.servers)
            started = time.monotonic()
            silent = 0
            excluded: dict[str, float] = {}
            for mark in range(cfg.marks):
                got = await _one(driver, pool, cfg, mark, acks=acks_ms, sends=send_times, excluded=excluded)
                silent = 0 if got else silent + 1
                if silent == 3:
                    # bounded: do not wait cfg.wait for every remaining mark
                    raise NothingPublished(f"no board received anything for marks {mark - 2}–{mark}: "
                                           "the server published nothing for them (see the driver's prepared window)")
            elapsed = time.monotonic() - started
            cpu_after = sum(s.cpu() for s in driver.servers)
            load_after = os.getloadavg()
            if profiler:
                stop_profiler(profiler)
            await pool.disarm()
            data = await pool.collect()
            stats = await pool.stats()
        figures = summarise(send_times, data["times"], data["keys"], pool.total)
        figures.update(
            {
                "ack_p50_ms": percentile(acks_ms, 50),
                "mem_per_client_kb": (rss_after - rss_before) / cfg.n / 1024,
                "rss_before_mb": rss_before / 2**20,
                "rss_after_mb": rss_after / 2**20,
                "cpu_per_mark_ms": (cpu_after - cpu_before - excluded.get("cpu", 0.0)) / (cfg.marks * max(1, cfg.burst)) * 1000,
                "desk_cpu_excluded_ms": excluded.get("cpu", 0.0) * 1000,
                "load_before": load_before,
                "load_after": load_after,
                "burst": cfg.burst,
                "elapsed_s": elapsed,
                "packet_bytes": statistics.median(data["sizes"].values()) if data["sizes"] else None,
                "boards_open_at_end": stats["open"],
                "snapshots": stats["snapshots"],
            }
        )
        result.figures = figures
    except Exception as exc:  # noqa: BLE001 - one failed run is reported, the rest go on
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        await asyncio.get_running_loop().run_in_executor(None, driver.stop)
    return result


# ----- the plan --------------------------------------------------------------------------------
@dataclass
class Scenario:
    label: str
    n: int
    processes: int
    burst: int = 0


def build_plan(args: argparse.Namespace) -> list[Scenario]:
    """The scenarios: ``--n``/``--burst`` when given, else the quick or the full plan (every goal)."""
    if args.n or args.burst:
        plan = [Scenario("single" if args.processes == 1 else "redis", n, args.processes) for n in args.n or ()]
        plan += [Scenario("burst", n, args.processes, JUDGES) for n in args.burst or ()]
        return plan
    if args.quick:
        return [Scenario("single", 100, 1), Scenario("single", 1000, 1)]
    return [
        Scenario("single", 100, 1),
        Scenario("single", 1000, 1),
        Scenario("redis", 4000, 2),
        Scenario("burst", 1000, 1, JUDGES),
    ]


def mode_name(kind: str, sc: Scenario) -> str:
    """``app``, ``bare``, ``app-redis×2``, ``bare-burst6`` …"""
    name = kind if sc.processes == 1 else f"{kind}-redis×{sc.processes}"
    return f"{name}-burst{sc.burst}" if sc.burst else name


def workers_for(n: int, requested: int | None) -> int:
    if requested:
        return requested
    return 2 if n <= 1000 else 4


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("python-socketio", "python-engineio", "flask-socketio", "gevent", "gevent-websocket", "greenlet"):
        try:
            info[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return info


def fmt(value: Any, spec: str = ".1f") -> str:
    return "—" if value is None else format(value, spec)


def med(runs: list[RunResult], key: str) -> float | None:
    values = [r.figures[key] for r in runs if not r.error and r.figures.get(key) is not None]
    return statistics.median(values) if values else None


def load_range(runs: list[RunResult]) -> str:
    """The 1-minute load average seen around the runs' marks, lowest–highest."""
    loads = [r.figures[k][0] for r in runs for k in ("load_before", "load_after") if r.figures.get(k)]
    return f"{min(loads):.1f}–{max(loads):.1f}" if loads else "—"


@dataclass(frozen=True)
class Goal:
    """One goal of issue 17 point 4, measured in this run."""

    name: str
    target: str
    value: float | None
    limit: float
    unit: str
    detail: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "not measured"
        return "PASS" if self.value < self.limit else "FAIL"


def goals(outcome: dict[str, Any], micro: dict[str, Any]) -> list[Goal]:
    """The goals, each from medians of the repeats in this run (ratios are medians of per-repeat ratios)."""
    ratios, cpu_ratios = outcome["ratios"], outcome["cpu_ratios"]

    def ratio(table: dict, mode: str, n: int) -> tuple[float | None, str]:
        values = table.get((mode, n))
        if not values:
            return None, "scenario not in this plan (or a run failed)"
        return statistics.median(values), "per repeat: " + ", ".join(f"{v:.2f}" for v in values)

    found: list[Goal] = []
    for label, mode, n in (
        ("last-client p99 ÷ bare, N = 100", "app", 100),
        ("last-client p99 ÷ bare, N = 1,000", "app", 1000),
        ("last-client p99 ÷ bare, N = 4,000, 2 processes + Redis", "app-redis×2", 4000),
    ):
        value, detail = ratio(ratios, mode, n)
        found.append(Goal(label, "≤ 1.3 ×", value, 1.3 + 1e-9, "×", detail))
    value, detail = ratio(cpu_ratios, "app", 100)
    found.append(Goal("server CPU per mark ÷ bare, N = 100", "≤ 2 ×", value, 2.0 + 1e-9, "×", detail))
    value, detail = ratio(ratios, f"app-burst{JUDGES}", 1000)
    found.append(Goal("six judges within 50 ms, 1,000 boards: last p99 ÷ bare burst", "≤ 1.5 ×", value, 1.5 + 1e-9, "×", detail))
    item = next((i for i in micro.get("items", []) if i.get("goal") == "compute_results" and not i.get("skipped")), None)
    found.append(
        Goal(
            "compute_results, 200 × 3 × 6, one mark changed", "< 15 ms",
            item["value"] if item else None, 15.0, "ms",
            (f"CPU {item['cpu_ms']:.1f} ms; cold (nothing cached) {item['cold_ms']:.1f} ms" if item else "micro-benchmarks not run"),
        )
    )
    return found


def goals_table(found: list[Goal]) -> str:
    lines = [f"{'goal (issue 17, point 4)':<64}{'target':>10}{'measured':>11}  verdict"]
    for g in found:
        shown = "—" if g.value is None else f"{g.value:.2f} {g.unit}" if g.unit == "×" else f"{g.value:.1f} {g.unit}"
        lines.append(f"{g.name:<64}{g.target:>10}{shown:>11}  {g.verdict}" + (f"  ({g.detail})" if g.detail else ""))
    return "\n".join(lines)


def table(results: list[RunResult], ratios: dict[tuple[str, int], list[float]]) -> str:
    """The figures, medians of the repeats; the ratio is the median of per-repeat ratios."""
    header = (
        f"{'mode':<14}{'N':>6}{'runs':>6}{'p50 ms':>9}{'p99 ms':>9}{'last p50':>10}{'last p99':>10}"
        f"{'÷ bare':>8}{'KB/client':>11}{'CPU ms/mark':>13}{'missing':>9}{'load (1 min)':>14}"
    )
    lines = [header, "-" * len(header)]
    seen: list[tuple[str, int]] = []
    for r in results:
        if (r.mode, r.n) not in seen:
            seen.append((r.mode, r.n))
    for mode, n in seen:
        runs = [r for r in results if r.mode == mode and r.n == n]
        ok = [r for r in runs if not r.error]
        ratio = ratios.get((mode, n))
        missing = sum(r.figures.get("missing", 0) for r in ok)
        lines.append(
            f"{mode:<14}{n:>6}{len(ok):>4}/{len(runs):<1}{fmt(med(runs, 'p50_ms')):>9}{fmt(med(runs, 'p99_ms')):>9}"
            f"{fmt(med(runs, 'last_p50_ms')):>10}{fmt(med(runs, 'last_p99_ms')):>10}"
            f"{fmt(statistics.median(ratio) if ratio else None, '.2f'):>8}"
            f"{fmt(med(runs, 'mem_per_client_kb')):>11}{fmt(med(runs, 'cpu_per_mark_ms'), '.2f'):>13}{missing:>9}"
            f"{load_range(ok):>14}"
        )
        for r in runs:
            if r.error:
                lines.append(f"    run failed: {r.error}")
    return "\n".join(lines)


async def run_plan(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    plan = build_plan(args)
    modes = args.modes
    results: list[RunResult] = []
    ratios: dict[tuple[str, int], list[float]] = {}
    cpu_ratios: dict[tuple[str, int], list[float]] = {}
    size = args.size
    deadline = time.monotonic() + args.budget
    for repeat in range(args.runs):
        for sc in plan:
            if time.monotonic() > deadline:
                print(f"time budget of {args.budget:.0f} s spent: stopping before repeat {repeat + 1} of {sc.label} N={sc.n}")
                break
            marks = max(3, args.marks // 3) if sc.burst else args.marks
            cfg = RunConfig(n=sc.n, marks=marks, processes=sc.processes, workers=workers_for(sc.n, args.workers),
                            size=size, burst=sc.burst)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            per_repeat: dict[str, RunResult] = {}
            # contest_app first, so that the bare server re-broadcasts a packet of the size it measured
            for kind in sorted(modes, key=lambda k: 0 if k == "app" else 1):
                mode = mode_name(kind, sc)
                driver = app_driver(sc.processes, workdir) if kind == "app" else BareDriver(sc.processes, cfg.size, workdir)
                cfg.profile = (RESULTS_DIR / f"profile-{stamp}-{mode}-{sc.n}.txt") if args.profile and repeat == 0 else None
                t0 = time.monotonic()
                res = await measure(driver, cfg, mode)
                results.append(res)
                per_repeat[kind] = res
                status = res.error or (
                    f"last p99 {fmt(res.figures['last_p99_ms'])} ms, p50 {fmt(res.figures['p50_ms'])} ms, "
                    f"missing {res.figures['missing']}, CPU {fmt(res.figures['cpu_per_mark_ms'])} ms/mark, "
                    f"load {res.figures['load_before'][0]:.1f}→{res.figures['load_after'][0]:.1f}"
                )
                print(f"[{repeat + 1}/{args.runs}] {mode:<14} N={sc.n:<5} {time.monotonic() - t0:5.1f} s  {status}", flush=True)
                if kind == "app" and not res.error and res.figures.get("packet_bytes"):
                    cfg.size = int(res.figures["packet_bytes"])
                    size = cfg.size
            app, bare = per_repeat.get("app"), per_repeat.get("bare")
            if app and bare and not app.error and not bare.error and bare.figures["last_p99_ms"]:
                key = (app.mode, sc.n)
                ratios.setdefault(key, []).append(app.figures["last_p99_ms"] / bare.figures["last_p99_ms"])
                if bare.figures["cpu_per_mark_ms"]:
                    cpu_ratios.setdefault(key, []).append(app.figures["cpu_per_mark_ms"] / bare.figures["cpu_per_mark_ms"])
    return {"results": results, "ratios": ratios, "cpu_ratios": cpu_ratios, "packet_bytes": size}


def run_micro(workdir: Path, quick: bool) -> dict[str, Any]:
    """Run the micro-benchmarks in their own process (bounded); return their JSON."""
    out = workdir / "micro.json"
    cmd = [sys.executable, "-m", "benchmarks.micro", "--json", str(out)] + (["--quick"] if quick else [])
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return {"error": "micro-benchmarks timed out after 300 s"}
    if proc.returncode != 0 or not out.exists():
        return {"error": (proc.stderr or proc.stdout)[-2000:]}
    return json.loads(out.read_text())


def micro_table(micro: dict[str, Any]) -> str:
    if "error" in micro:
        return f"micro-benchmarks failed:\n{micro['error']}"
    lines = [f"{'micro-benchmark':<76}{'median':>12}{'best':>10}{'target':>12}  met"]
    for item in micro.get("items", []):
        if item.get("skipped"):
            lines.append(f"{item['name']:<76}{'skipped':>12}{'':>10}{item['target']:>12}  — {item['skipped']}")
            continue
        met = "—" if item["met"] is None else ("yes" if item["met"] else "NO")
        best = f"{item['min_ms']:.1f}" if "min_ms" in item else ""
        lines.append(f"{item['name']:<76}{item['value']:>10.1f} {item['unit']:<2}{best:>9}{item['target']:>12}  {met}")
        if "cold_ms" in item:
            lines.append(
                f"    CPU {item['cpu_ms']:.1f} ms; nothing cached: {item['cold_ms']:.1f} ms (CPU {item['cold_cpu_ms']:.1f} ms); "
                f"equal to a computation from nothing: {'yes' if item['same_as_cold'] else 'NO'}"
            )
        elif "cpu_ms" in item:
            lines.append(f"    CPU {item['cpu_ms']:.1f} ms, over {item.get('marks', '?')} marks")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 100 and 1,000 on one process, one repeat, 20 marks (< 2 min)")
    parser.add_argument("--runs", type=int, default=None, help="repeats of every scenario (default 3; --quick: 1)")
    parser.add_argument("--marks", type=int, default=None, help="measured marks per run (default 50; --quick: 20)")
    parser.add_argument("--n", type=int, action="append", help="board clients (repeatable); replaces the default plan")
    parser.add_argument("--burst", type=int, action="append",
                        help="board clients for a burst scenario: six judges mark within 50 ms (repeatable)")
    parser.add_argument("--processes", type=int, default=1, help="server processes for --n and --burst (>1: shared Redis)")
    parser.add_argument("--modes", default="app,bare", help="comma-separated: app, bare")
    parser.add_argument("--workers", type=int, default=None, help="load-generator processes (default 2, 4 above 1,000)")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="bare packet bytes until contest_app's is measured")
    parser.add_argument("--budget", type=float, default=None, help="stop starting new runs after this many seconds")
    parser.add_argument("--no-micro", action="store_true", help="skip the micro-benchmarks")
    parser.add_argument("--profile", action="store_true", help="sample the (first) server with py-spy during the first repeat's marks")
    parser.add_argument("--out", default=None, help="JSON file to write (default benchmarks/results/<time>.json)")
    args = parser.parse_args(argv)
    args.runs = args.runs or (1 if args.quick else 3)
    args.marks = args.marks or (20 if args.quick else 50)
    args.budget = args.budget or (100.0 if args.quick else 1500.0)
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    raise_fd_limit()
    started = time.time()
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="contest-bench-") as tmp:
        workdir = Path(tmp)
        outcome = asyncio.run(run_plan(args, workdir))
        micro = {} if args.no_micro else run_micro(workdir, args.quick)
    load_end = os.getloadavg()
    results: list[RunResult] = outcome["results"]
    found = goals(outcome, micro)
    print()
    print(f"load average (1, 5, 15 min): {' / '.join(f'{v:.2f}' for v in load_start)} at the start, "
          f"{' / '.join(f'{v:.2f}' for v in load_end)} at the end; {os.cpu_count()} CPUs")
    print(table(results, outcome["ratios"]))
    if micro:
        print()
        print(micro_table(micro))
    print()
    print(goals_table(found))
    report = {
        "command": "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "duration_s": round(time.time() - started, 1),
        "machine": machine(),
        "settings": {"runs": args.runs, "marks": args.marks, "modes": args.modes, "packet_bytes": outcome["packet_bytes"]},
        "runs": [r.__dict__ for r in results],
        "load_average": {"start": load_start, "end": load_end},
        "ratios_last_p99": {f"{m} N={n}": v for (m, n), v in outcome["ratios"].items()},
        "ratios_cpu_per_mark": {f"{m} N={n}": v for (m, n), v in outcome["cpu_ratios"].items()},
        "goals": [{**g.__dict__, "verdict": g.verdict} for g in found],
        "micro": micro,
    }
    out = Path(args.out) if args.out else RESULTS_DIR / time.strftime("%Y%m%d-%H%M%S.json", time.localtime(started))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nJSON: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    failed = [r for r in results if r.error]
    return 1 if failed and len(failed) == len(results) else 0


if __name__ == "__main__":
    sys.exit(main())
