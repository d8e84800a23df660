"""Smoke tests of the benchmark code at tiny N: it runs, and every client gets every message.

Counts only, never timings: the figures belong to ``python -m benchmarks.run``.
"""
from __future__ import annotations

import asyncio

from benchmarks.leanclient import encode_frame, read_int_after
from benchmarks.run import BareDriver, RunConfig, measure, percentile, summarise


def test_percentile_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 50) is None


def test_summarise_counts_missing_and_last_client():
    sent = {0: 10.0, 1: 20.0}
    received = {0: [10.001, 10.003, None], 1: [20.002, 20.004, 20.006]}
    keys = {0: [7, 7, None], 1: [8, 9, 8]}
    figures = summarise(sent, received, keys, 3)
    assert figures["deliveries"] == 5
    assert figures["missing"] == 1
    assert figures["inconsistent_marks"] == 1
    assert round(figures["last_p99_ms"], 6) == 6.0
    assert round(figures["last_p50_ms"], 6) == 3.0


def test_lean_client_frame_and_key_parsing():
    assert encode_frame(b"3") == b"\x81\x81\x00\x00\x00\x003"
    assert encode_frame(b"x" * 200)[:4] == b"\x81\xfe\x00\xc8"
    assert read_int_after(b'["board_updated",{"seq":42,"pad":"x"}]', b'"seq":') == 42
    assert read_int_after(b'["board_updated",{"pad":"x"}]', b'"seq":') is None


def test_bare_broadcast_reaches_every_client(tmp_path):
    cfg = RunConfig(n=5, marks=3, processes=1, workers=2, gap=0.01, warmup=1, size=300)
    result = asyncio.run(measure(BareDriver(1, cfg.size, tmp_path), cfg, "bare"))

    assert result.error is None
    figures = result.figures
    assert figures["marks"] == 3
    assert figures["deliveries"] == 15
    assert figures["missing"] == 0
    assert figures["inconsistent_marks"] == 0
    assert figures["packet_bytes"] == 300
    assert figures["boards_open_at_end"] == 5


def test_app_live_path_reaches_every_board(tmp_path):
    from benchmarks.app_driver import AppDriver
    from benchmarks.run import PG_URL, REDIS_URL

    # 1 + 8 marks by six judges in turn: the desk opens a second window before the seventh
    cfg = RunConfig(n=5, marks=8, processes=1, workers=2, gap=0.01, warmup=1)
    driver = AppDriver(processes=1, workdir=tmp_path, redis_url=REDIS_URL, pg_url=PG_URL)
    result = asyncio.run(measure(driver, cfg, "app"))

    assert result.error is None
    assert driver.window == 1
    figures = result.figures
    assert figures["marks"] == 8
    assert figures["deliveries"] == 40
    assert figures["missing"] == 0
    assert figures["inconsistent_marks"] == 0
    assert figures["snapshots"] == 5
    assert figures["boards_open_at_end"] == 5


def test_bare_burst_of_six_judges_reaches_every_client_once_settled(tmp_path):
    cfg = RunConfig(n=4, marks=2, processes=1, workers=2, gap=0.01, warmup=1, size=200, burst=6)
    result = asyncio.run(measure(BareDriver(1, cfg.size, tmp_path), cfg, "bare-burst6"))

    assert result.error is None
    figures = result.figures
    assert figures["marks"] == 2
    assert figures["deliveries"] == 8
    assert figures["missing"] == 0
    # every board ends on the burst's last message (the bare server numbers it with the mark)
    assert figures["inconsistent_marks"] == 0
    assert figures["burst"] == 6
    assert len(figures["load_before"]) == 3 and len(figures["load_after"]) == 3


def test_goals_table_gives_a_verdict_per_goal():
    from benchmarks.run import Goal, goals, goals_table

    outcome = {
        "ratios": {("app", 100): [1.1, 1.4, 1.2], ("app", 1000): [1.5], ("app-burst6", 1000): [1.2]},
        "cpu_ratios": {("app", 100): [2.5, 1.9, 2.2]},
    }
    micro = {"items": [{"goal": "compute_results", "value": 9.5, "cpu_ms": 8.0, "cold_ms": 12.0}]}
    found = goals(outcome, micro)
    assert [(g.value, g.verdict) for g in found] == [
        (1.2, "PASS"),
        (1.5, "FAIL"),
        (None, "not measured"),
        (2.2, "FAIL"),
        (1.2, "PASS"),
        (9.5, "PASS"),
    ]
    assert Goal("x", "≤ 1.3 ×", 1.3, 1.3 + 1e-9, "×").verdict == "PASS"
    text = goals_table(found)
    assert "not measured" in text and text.count("PASS") == 3 and text.count("FAIL") == 2


def test_results_micro_benchmark_checks_itself_against_a_fresh_computation(tmp_path):
    from benchmarks.micro import bench_results

    item = bench_results(tmp_path, 20, 2)
    assert item["goal"] == "compute_results"
    assert item["marks"] == 20 * 3 * 6
    assert item["same_as_cold"] is True
    assert len(item["samples_ms"]) == 2 and len(item["cold_samples_ms"]) == 2


def test_desk_micro_benchmark_builds_the_whole_desk(tmp_path):
    from benchmarks.micro import bench_desk
    from benchmarks.run import micro_table

    item = bench_desk(tmp_path, 2)
    assert item["name"].startswith("desk state (get_desk)")
    assert item["met"] is None and item["target"] == "—"
    assert len(item["samples_ms"]) == 2 and item["min_ms"] <= item["value"]
    row = next(line for line in micro_table({"items": [item]}).splitlines() if line.startswith("desk state"))
    assert row.rstrip().endswith("—")


def test_mark_micro_benchmark_stores_every_timed_mark(tmp_path):
    from benchmarks.micro import bench_mark
    from benchmarks.run import micro_table

    item = bench_mark(tmp_path, 2)
    assert (item["marks"], item["stored_marks"]) == (12, 18)  # 2 timed windows of six, after one warm-up window
    assert len(item["samples_ms"]) == 12 and item["min_ms"] <= item["value"]
    lines = micro_table({"items": [item]}).splitlines()
    assert lines[-1].startswith("    CPU ") and lines[-1].endswith("ms, over 12 marks")


def test_redis_fanout_reaches_every_subscriber():
    from benchmarks.fanout import measure as fanout

    row = fanout(messages=20, subscribers=2, size=50)
    assert row["received"] == [20, 20]
    assert row["subscribers"] == 2
    assert row["to_last_subscriber_p50_ms"] is not None
