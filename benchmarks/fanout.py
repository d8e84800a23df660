"""The cost of one message through Redis pub/sub, as python-socketio's RedisManager sends it.

    python -m benchmarks.fanout [--messages 2000] [--subscribers 3] [--size 739]

A publisher sends ``messages`` emit messages (the JSON python-socketio publishes for an
``emit`` to a room, padded to ``size`` bytes of payload) on a private channel; ``subscribers``
processes listen as every server process does and decode each message. Measured, from /proc
and Redis's own INFO: the publisher's CPU per message, each subscriber's CPU per message
(receive + decode), Redis's CPU per message (INFO used_cpu_*: shared with anything else
using that Redis, so an upper bound) and the time from publish to the last subscriber.
Figures, not assertions; every subprocess is bounded and stopped.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid

import redis

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")


def subscriber(channel: str, count: int) -> None:
    """Receive ``count`` messages, decode each, print CPU seconds and the receive times (JSON)."""
    r = redis.Redis.from_url(REDIS_URL)
    pubsub = r.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel)
    print("ready", flush=True)
    times: list[float] = []
    cpu0 = time.process_time()
    deadline = time.monotonic() + 60
    while len(times) < count and time.monotonic() < deadline:
        msg = pubsub.get_message(timeout=1.0)
        if msg is None:
            continue
        data = json.loads(msg["data"])
        assert data["method"] == "emit"
        times.append(time.monotonic())
    print(json.dumps({"cpu_s": time.process_time() - cpu0, "times": times}), flush=True)


def redis_cpu(r: redis.Redis) -> float:
    info = r.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def measure(messages: int, subscribers: int, size: int) -> dict:
    channel = f"bench-fanout-{uuid.uuid4().hex[:8]}"
    procs = [
        subprocess.Popen([sys.executable, "-m", "benchmarks.fanout", "--listen", channel, "--messages", str(messages)],
                         stdout=subprocess.PIPE, text=True)
        for _ in range(subscribers)
    ]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        r = redis.Redis.from_url(REDIS_URL)
        payload = {"method": "emit", "event": "board_updated", "data": {"seq": 0, "pad": "x" * size},
                   "namespace": "/board", "room": "board-1", "skip_sid": None, "callback": None, "host_id": "bench"}
        sent: list[float] = []
        redis_before = redis_cpu(r)
        cpu0 = time.process_time()
        for i in range(messages):
            payload["data"]["seq"] = i
            sent.append(time.monotonic())
            r.publish(channel, json.dumps(payload))
            if i % 50 == 49:
                time.sleep(0.005)  # marks come one at a time, not as a flood
        publisher_cpu = time.process_time() - cpu0
        outs = []
        for p in procs:
            line, _ = p.communicate(timeout=90)
            outs.append(json.loads(line.strip().splitlines()[-1]))
        redis_after = redis_cpu(r)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(5)
    delays = [max(o["times"][i] for o in outs) - sent[i] for i in range(messages) if all(len(o["times"]) > i for o in outs)]
    return {
        "subscribers": subscribers,
        "messages": messages,
        "payload_bytes": size,
        "publisher_us_per_message": publisher_cpu / messages * 1e6,
        "subscriber_us_per_message": statistics.median(o["cpu_s"] for o in outs) / messages * 1e6,
        "redis_us_per_message": (redis_after - redis_before) / messages * 1e6,
        "to_last_subscriber_p50_ms": statistics.median(delays) * 1000 if delays else None,
        "received": [len(o["times"]) for o in outs],
        "load": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fanout", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--subscribers", type=int, default=3, help="measure with 1 … this many subscribers")
    parser.add_argument("--size", type=int, default=739)
    parser.add_argument("--listen", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", default=None, help="write the figures to this file")
    args = parser.parse_args(argv)
    if args.listen:
        subscriber(args.listen, args.messages)
        return 0
    rows = [measure(args.messages, s, args.size) for s in range(1, args.subscribers + 1)]
    print(f"{'subscribers':>11}{'publish µs':>12}{'receive µs':>12}{'Redis µs':>10}{'to last ms':>12}  load")
    for row in rows:
        print(f"{row['subscribers']:>11}{row['publisher_us_per_message']:>12.1f}{row['subscriber_us_per_message']:>12.1f}"
              f"{row['redis_us_per_message']:>10.1f}{row['to_last_subscriber_p50_ms']:>12.2f}  {row['load'][0]:.1f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
