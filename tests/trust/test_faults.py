"""Nothing lost under faults: real server processes, real sockets, bounded in time.

1. The server process (gevent, SQLite file) is SIGKILLed five times while six judge
   clients (python-socketio) submit the knowledge-quiz marks of eight 2019 finalists
   (48 marks) with idempotency keys, resending what was not acknowledged; after each
   restart every acknowledged mark is in the database, none twice; at the end each of
   those teams has its published knowledge score. (The whole final, 216 marks, is the
   same loop longer; this size keeps the test under a minute on a busy two-core machine.)
2. A judge client's connection drops (first the replies are lost, then the link); the
   marks it queued arrive once each when it reconnects and resends them.
3. Two server processes share PostgreSQL and a private Redis; Redis stops: marks are
   still stored and acknowledged; when it returns, a board on the other process sees
   the gap in sequence numbers and catches up from a snapshot.

Every process started here is stopped here (and stops itself after two minutes anyway).
The figures printed (``FAULTS: ...``) are those quoted in docs/reliability.md.
"""
from __future__ import annotations

import gc
import os
import queue
import random
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
import socketio as sio_client
from sqlalchemy import select as sql_select

from contest_app.extensions import db
from tests.conftest import PG_URL, build_app

# python-socketio's client leaves a socket behind on each failed connection attempt while a
# server is down; that is the client library's, not the app's, and is collected at the end.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-test-secret-key-not-for-production"
CALL_TIMEOUT = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# ----------------------------------------------------------------------------- server processes


class ServerProcess:
    """One fault_server process; its output is drained so it can never block on a full pipe."""

    def __init__(self, port: int, env_extra: dict[str, str], *, standby: bool) -> None:
        env = dict(os.environ)
        env.pop("CONTEST_MESSAGE_QUEUE", None)
        env.update({"CONTEST_SECRET_KEY": SECRET, "CONTEST_TEST_LIFETIME": "120", "PYTHONPATH": str(ROOT)})
        if standby:
            env["CONTEST_TEST_STANDBY"] = "1"
        env.update(env_extra)
        self.port = port
        self.output: list[str] = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.trust.fault_server", str(port)],
            cwd=str(ROOT), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            self.output.append(line)
            if line == "ready":
                self.ready.set()

    def go(self, timeout: float = 30.0) -> None:
        """Bind the port (a standby) and wait until it accepts connections."""
        assert self.ready.wait(timeout), f"standby never got ready: {self.output[-20:]}"
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()
        self.wait_port(timeout)

    def wait_port(self, timeout: float = 30.0) -> None:
        ok = wait_until(lambda: port_open(self.port) or self.proc.poll() is not None, timeout)
        assert ok and self.proc.poll() is None, f"server did not start: {self.output[-20:]}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass


# ----------------------------------------------------------------------------- judge clients


class JudgeClient:
    """A scripted tablet: keeps every unacknowledged mark and resends it until acknowledged."""

    def __init__(self, url_of, token: str) -> None:
        self.url_of = url_of
        self.token = token
        self.sio: sio_client.Client | None = None
        self.queue: list[dict] = []
        self.attempts = 0
        self.reconnects = 0

    def _drop(self) -> None:
        if self.sio is not None:
            try:
                self.sio.disconnect()
            except Exception:  # noqa: BLE001 - a dead connection may refuse a clean goodbye
                pass
            self.sio = None

    def _connect(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            client = sio_client.Client(reconnection=False, request_timeout=3)
            try:
                client.connect(self.url_of(), namespaces=["/judge"], auth={"token": self.token},
                               transports=["websocket"], wait_timeout=3)
                self.sio = client
                self.reconnects += 1
                return
            except Exception:  # noqa: BLE001 - the server is down or restarting: try again
                try:
                    client.disconnect()
                except Exception:  # noqa: BLE001
                    pass
                time.sleep(0.1)
        raise TimeoutError("judge could not reconnect in time")

    def flush(self, deadline: float) -> list[dict]:
        """Send every queued mark, in order, until each is acknowledged; return the acknowledgements."""
        acks = []
        while self.queue:
            if time.monotonic() > deadline:
                raise TimeoutError("marks still unacknowledged at the deadline")
            if self.sio is None or not self.sio.connected:
                self._drop()
                self._connect(deadline)
            self.attempts += 1
            try:
                ack = self.sio.call("submit_mark", self.queue[0], namespace="/judge", timeout=CALL_TIMEOUT)
            except Exception:  # noqa: BLE001 - no acknowledgement: keep the mark, reconnect, resend
                self._drop()
                continue
            if ack is None:
                self._drop()
                continue
            acks.append({**ack, "sent": self.queue.pop(0)})
        return acks

    def close(self) -> None:
        self._drop()


# ----------------------------------------------------------------------------- the demo


def prepare_demo(app):
    """The 2019 demo without marks; returns (edition id, tokens, windows).

    ``windows`` lists, in order of appearance, (entry id, segment key, {seat: value})
    with the six published-reproducing marks of each team and segment.
    """
    from contest_app import demo_data as data
    from contest_app.models import Entry
    from contest_app.services.demo import demo_marks, load_demo
    from contest_app.services.final.judge_access import edition_credentials

    with app.app_context():
        db.create_all()
        edition = load_demo(with_marks=False)
        creds = edition_credentials(edition)
        db.session.commit()
        segments = {s.key: s for s in edition.segments}
        entries = {e.final_order: e.id for e in db.session.scalars(sql_select(Entry).where(Entry.edition_id == edition.id))}
        windows = []
        for t, (_u, _team, _title, _g, k, s, p, _total) in enumerate(data.FINALISTS_2019):
            for j, (key, published) in enumerate((("knowledge", k), ("situation", s), ("presentation", p))):
                seg = segments[key]
                values = demo_marks(Decimal(published), seg.max_score, seg.mark_step, rotation=t + j)
                windows.append((entries[t + 1], key, {seat: str(v) for seat, v in enumerate(values, start=1)}))
        result = edition.id, [c.token for c in creds], [c.judge.id for c in creds], windows
        db.session.remove()
    return result


def open_window(app, edition_id: int, entry_id: int, key: str) -> None:
    """What the desk's open_segment does, done directly on the database."""
    from contest_app.models import Edition, Entry
    from contest_app.services.final import live_state

    with app.app_context():
        edition = db.session.get(Edition, edition_id)
        entry = db.session.get(Entry, entry_id)
        live_state.open_segment(edition=edition, entry=entry, segment=live_state.get_segment(edition, key), actor="test")
        live_state.refresh_board(edition, publish=True)
        db.session.commit()
        db.session.remove()


def stored_submissions(app) -> dict[str, tuple]:
    """Every stored submission by idempotency key, and the marks table as (judge, entry, segment) → value."""
    from contest_app.models import Mark, MarkSubmission, Segment

    with app.app_context():
        keys = {}
        for sub in db.session.scalars(sql_select(MarkSubmission)):
            assert sub.idempotency_key not in keys, f"key {sub.idempotency_key} stored twice"
            keys[sub.idempotency_key] = (sub.judge_id, sub.entry_id, sub.segment_id, sub.value)
        marks = {}
        for mark, seg_key in db.session.execute(sql_select(Mark, Segment.key).join(Segment, Segment.id == Mark.segment_id)):
            marks[(mark.judge_id, mark.entry_id, seg_key)] = mark.value
        db.session.remove()
    return keys, marks


# ----------------------------------------------------------------------------- 1. SIGKILL


KILL_CYCLES = 5
#: Marks between two kills, roughly: the moment within is random.
KILL_EVERY = 8
#: Teams whose knowledge quiz is marked: 8 × 6 judges = 48 marks.
WINDOWS = 8


def test_faults_sigkill_again_and_again_loses_no_acknowledged_mark(tmp_path):
    started = time.monotonic()
    uri = f"sqlite:///{tmp_path / 'faults.sqlite'}"
    port = free_port()
    env = {"CONTEST_DATABASE_URL": uri}
    # One process per life of the server, all importing the app while the test builds the
    # database (they touch it only on "go"): a restart after SIGKILL then takes milliseconds.
    current = ServerProcess(port, env, standby=True)
    standbys = [ServerProcess(port, env, standby=True) for _ in range(KILL_CYCLES)]
    processes = [current, *standbys]
    app = build_app(uri, SECRET_KEY=SECRET)
    try:
        edition_id, tokens, judge_ids, windows = prepare_demo(app)
    except BaseException:
        for proc in processes:
            proc.stop()
        raise
    windows = [w for w in windows if w[1] == "knowledge"][:WINDOWS]
    url = f"http://127.0.0.1:{port}"
    judges = [JudgeClient(lambda: url, token) for token in tokens]
    acked: dict[str, tuple] = {}
    acked_lock = threading.Lock()
    kills: list[dict] = []
    errors: list[str] = []
    replays = 0
    done = threading.Event()
    deadline = started + 55
    try:
        current.go()

        def killer() -> None:
            # Kill after roughly every KILL_EVERY acknowledged marks, at a random moment.
            nonlocal current
            rng = random.Random(7)
            for cycle in range(KILL_CYCLES):
                threshold = (cycle + 1) * KILL_EVERY + rng.randint(-2, 2)
                if not wait_until(lambda: len(acked) >= threshold or done.is_set(), deadline - time.monotonic()):
                    errors.append(f"cycle {cycle}: too slow")
                    return
                if done.is_set():
                    return
                time.sleep(rng.uniform(0, 0.05))
                current.kill()
                with acked_lock:
                    before_kill = dict(acked)
                t0 = time.monotonic()
                current = standbys.pop(0)
                current.go()
                keys, marks = stored_submissions(app)
                lost = [k for k in before_kill if k not in keys]
                wrong = [k for k, (jid, eid, skey, value) in before_kill.items()
                         if k in keys and (keys[k][0], keys[k][1], keys[k][3]) != (jid, eid, Decimal(value))]
                kills.append({"acked": len(before_kill), "lost": len(lost), "wrong": len(wrong),
                              "restart_s": round(time.monotonic() - t0, 2)})
                if os.environ.get("FAULTS_DEBUG"):
                    print(f"kill {cycle}: {kills[-1]} at {time.monotonic() - started:.1f}s", flush=True)

        killer_thread = threading.Thread(target=killer, daemon=True)
        killer_thread.start()

        def mark(seat: int, entry_id: int, key: str, value: str) -> list[dict]:
            judge = judges[seat - 1]
            idem = f"kill-{seat}-{entry_id}-{key}-{uuid.uuid4().hex[:8]}"
            judge.queue.append({"entry_id": entry_id, "segment_key": key, "value": value, "idempotency_key": idem})
            result = judge.flush(deadline)
            with acked_lock:
                for ack in result:
                    if ack.get("ok"):
                        sent = ack["sent"]
                        acked[sent["idempotency_key"]] = (judge_ids[seat - 1], sent["entry_id"], sent["segment_key"],
                                                          sent["value"])
            return result

        with ThreadPoolExecutor(max_workers=6) as pool:
            for n, (entry_id, key, values) in enumerate(windows):
                if os.environ.get("FAULTS_DEBUG") and n % 3 == 0:
                    print(f"window {n}: acked {len(acked)} at {time.monotonic() - started:.1f}s", flush=True)
                open_window(app, edition_id, entry_id, key)
                results = list(pool.map(lambda sv: mark(sv[0], entry_id, key, sv[1]), values.items()))
                for result in results:
                    for ack in result:
                        if not ack.get("ok"):
                            errors.append(f"refused: {ack}")
                        replays += bool(ack.get("replayed"))
        done.set()
        killer_thread.join(timeout=30)
    finally:
        done.set()
        for judge in judges:
            judge.close()
        for proc in processes:
            proc.stop()

    keys, marks = stored_submissions(app)
    assert errors == []
    assert len(kills) == KILL_CYCLES
    assert [k["lost"] for k in kills] == [0] * KILL_CYCLES
    assert [k["wrong"] for k in kills] == [0] * KILL_CYCLES
    assert len(acked) == 6 * WINDOWS and len(keys) == 6 * WINDOWS and len(marks) == 6 * WINDOWS
    assert all(k in keys for k in acked)
    for key, (judge_id, entry_id, seg_key, value) in acked.items():
        assert marks[(judge_id, entry_id, seg_key)] == Decimal(value)
    from contest_app.models import Edition
    from contest_app.services.final.results import compute_results
    from tests.published_2019 import PHU_LUC_I

    with app.app_context():
        data = compute_results(db.session.get(Edition, edition_id)).to_dict()
        by_team = {row["team"]: row["scores"]["knowledge"] for row in data["rows"]}
        published = {team: knowledge for team, knowledge, *_ in PHU_LUC_I[:WINDOWS]}
        assert {team: by_team[team] for team in published} == published
        db.session.remove()
        db.engine.dispose()
    elapsed = time.monotonic() - started
    attempts = sum(j.attempts for j in judges)
    print(f"FAULTS sigkill: cycles={len(kills)} marks_acknowledged={len(acked)} sends={attempts} "
          f"replayed={replays} lost=0 duplicated=0 restarts={[k['restart_s'] for k in kills]} elapsed={elapsed:.1f}s")
    gc.collect()  # let the client library's leftover sockets go while the filter above applies


# ----------------------------------------------------------------------------- 2. lost connection


class FlakyProxy:
    """A TCP proxy between the judges and the server that can lose replies or cut the link."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.mode = "pass"
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(32)
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            ready, _, _ = select.select([self.listener], [], [], 0.2)
            if not ready:
                continue
            try:
                down, _ = self.listener.accept()
            except OSError:
                return
            if self.mode == "cut":
                down.close()
                continue
            up = socket.create_connection(("127.0.0.1", self.upstream))
            with self.lock:
                self.conns += [down, up]
            threading.Thread(target=self._pump, args=(down, up, "up"), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, down, "down"), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, direction: str) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data or self.mode == "cut":
                    break
                if direction == "down" and self.mode == "drop_replies":
                    continue  # the server's answers vanish on the way back
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def cut(self) -> None:
        self.mode = "cut"
        with self.lock:
            conns, self.conns = self.conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self.running = False
        self.cut()
        self.listener.close()


def test_faults_judge_loses_connection_with_marks_queued(tmp_path):
    started = time.monotonic()
    uri = f"sqlite:///{tmp_path / 'flaky.sqlite'}"
    port = free_port()
    server = ServerProcess(port, {"CONTEST_DATABASE_URL": uri}, standby=True)
    app = build_app(uri, SECRET_KEY=SECRET)
    try:
        edition_id, tokens, judge_ids, windows = prepare_demo(app)
    except BaseException:
        server.stop()
        raise
    entry_id, key, _values = windows[0]
    proxy = None
    judges = []
    try:
        server.go()
        open_window(app, edition_id, entry_id, key)
        proxy = FlakyProxy(port)
        judges = [JudgeClient(lambda: f"http://127.0.0.1:{proxy.port}", token) for token in tokens[:3]]
        deadline = started + 50
        for judge in judges:
            judge._connect(deadline)
        # 1. the replies are lost: the server stores the first marks, the tablets never hear back
        proxy.mode = "drop_replies"
        first = {}
        for seat, judge in enumerate(judges, start=1):
            payload = {"entry_id": entry_id, "segment_key": key, "value": "7", "idempotency_key": f"queued-{seat}-first"}
            judge.queue.append(payload)
            first[seat] = payload
            try:
                judge.sio.call("submit_mark", payload, namespace="/judge", timeout=1.0)
                pytest.fail("an acknowledgement crossed a proxy that drops replies")
            except sio_client.exceptions.TimeoutError:
                pass
        # 2. the link is cut; each judge corrects the mark while offline: two marks queued
        proxy.cut()
        for seat, judge in enumerate(judges, start=1):
            judge._drop()
            judge.queue.append({"entry_id": entry_id, "segment_key": key, "value": "8.5",
                                "idempotency_key": f"queued-{seat}-second"})
        keys_offline, _ = stored_submissions(app)
        assert sorted(keys_offline) == ["queued-1-first", "queued-2-first", "queued-3-first"]
        # 3. the link returns: each tablet resends its queue in order, then (having lost its
        #    own bookkeeping) resends everything once more
        proxy.mode = "pass"
        outcomes = []
        for judge in judges:
            queued = list(judge.queue)
            outcomes.append([(a["ok"], a["replayed"]) for a in judge.flush(deadline)])
            judge.queue = queued
            outcomes.append([(a["ok"], a["replayed"]) for a in judge.flush(deadline)])
    finally:
        for judge in judges:
            judge.close()
        if proxy is not None:
            proxy.close()
        server.stop()
    assert outcomes == [[(True, True), (True, False)], [(True, True), (True, True)]] * 3
    keys, marks = stored_submissions(app)
    assert sorted(keys) == sorted(f"queued-{s}-{w}" for s in (1, 2, 3) for w in ("first", "second"))
    assert [marks[(judge_ids[s], entry_id, key)] for s in range(3)] == [Decimal("8.50")] * 3
    assert len(marks) == 3
    with app.app_context():
        db.engine.dispose()
    elapsed = time.monotonic() - started
    print(f"FAULTS connection: judges=3 queued=6 resent=12 stored=6 duplicated=0 elapsed={elapsed:.1f}s")
    gc.collect()  # let the client library's leftover sockets go while the filter above applies


# ----------------------------------------------------------------------------- 3. Redis stops


class PrivateRedis:
    """A throw-away redis-server on its own port (never the shared 6379), no persistence."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert wait_until(lambda: port_open(self.port), 10), "private redis-server did not start"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def test_faults_redis_stops_marks_still_stored_boards_catch_up(pg_schema):
    from tests.conftest import require_postgres

    require_postgres()
    started = time.monotonic()
    options = {"connect_args": {"options": f"-csearch_path={pg_schema}"}}
    app = build_app(PG_URL, options, SECRET_KEY=SECRET)
    edition_id, tokens, judge_ids, windows = prepare_demo(app)
    entry_id, key, values = windows[0]
    open_window(app, edition_id, entry_id, key)
    redis = PrivateRedis()
    env = {
        "CONTEST_DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{pg_schema}",
        "CONTEST_MESSAGE_QUEUE": f"redis://127.0.0.1:{redis.port}/0",
        "CONTEST_TEST_CHANNEL": f"contest-fault-{uuid.uuid4().hex[:10]}",
    }
    port_a, port_b = free_port(), free_port()
    servers = [ServerProcess(port_a, env, standby=False), ServerProcess(port_b, env, standby=False)]
    judges: list[JudgeClient] = []
    board = sio_client.Client(reconnection=False)
    events: queue.Queue = queue.Queue()
    board.on("board_snapshot", lambda msg: events.put(("snapshot", msg)), namespace="/board")
    board.on("board_updated", lambda msg: events.put(("update", msg)), namespace="/board")
    state = {"seq": None, "count": None, "snapshots": 0, "updates": 0, "gaps": 0}

    def apply(kind: str, msg: dict) -> None:
        """The board's rule from docs/live-protocol.md: apply seq+1, ignore older, fetch a snapshot on a gap."""
        if kind == "snapshot":
            state.update(seq=msg["seq"], count=(msg["snapshot"].get("open") or {}).get("count"))
            state["snapshots"] += 1
            return
        if msg["seq"] <= state["seq"]:
            return
        if msg["seq"] == state["seq"] + 1:
            state["seq"] = msg["seq"]
            opened = msg["changes"].get("open")
            if opened is not None:
                state["count"] = opened.get("count")
            state["updates"] += 1
            return
        state["gaps"] += 1
        reply = board.call("get_snapshot", {"edition": 2019}, namespace="/board", timeout=5)
        apply("snapshot", reply)

    def pump(timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                kind, msg = events.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                return
            apply(kind, msg)

    def submit(seat: int, value: str, tag: str) -> dict:
        judge = judges[seat - 1]
        judge.queue.append({"entry_id": entry_id, "segment_key": key, "value": value,
                            "idempotency_key": f"redis-{seat}-{tag}"})
        return judge.flush(started + 58)[-1]

    try:
        for server in servers:
            server.wait_port()
        judges = [JudgeClient(lambda: f"http://127.0.0.1:{port_a}", token) for token in tokens]
        board.connect(f"http://127.0.0.1:{port_b}", namespaces=["/board"], auth={"edition": 2019},
                      transports=["websocket"], wait_timeout=10)
        pump(3)
        assert state["snapshots"] == 1 and state["count"] == 0
        # Redis up: a mark on A reaches the board on B
        assert submit(1, values[1], "a")["ok"] is True
        assert wait_until(lambda: (pump(0.1), state["count"] == 1)[1], 10), "board on B got no update"
        # Redis down: marks are stored and acknowledged all the same
        redis.stop()
        down_acks = [submit(seat, values[seat], "down") for seat in (2, 3, 4)]
        assert [(a["ok"], a["replayed"]) for a in down_acks] == [(True, False)] * 3
        pump(1)
        assert state["count"] == 1, "the board cannot have heard of marks while Redis was down"
        keys, _ = stored_submissions(app)
        assert {"redis-2-down", "redis-3-down", "redis-4-down"} <= set(keys)
        # Redis returns (same port): the next changes reach B, which sees the gap and takes a snapshot
        redis = PrivateRedis(redis.port)
        assert submit(5, values[5], "back")["ok"] is True
        assert submit(6, values[6], "back")["ok"] is True
        n = 0
        while state["count"] != 6 and time.monotonic() < started + 55:
            # B's Redis listener reconnects with a backoff; a judge re-sending a (new) mark keeps changes coming
            n += 1
            submit(1 + n % 6, values[1 + n % 6], f"again{n}")
            pump(1.0)
            # A resend that changes nothing public sends no update: the board's periodic
            # get_seq (docs/live-protocol.md) finds it is behind and takes a snapshot.
            behind = board.call("get_seq", {"edition": 2019}, namespace="/board", timeout=5)
            if behind["seq"] > state["seq"]:
                state["gaps"] += 1
                apply("snapshot", board.call("get_snapshot", {"edition": 2019}, namespace="/board", timeout=5))
        with app.app_context():
            from contest_app.models import Edition
            from contest_app.services.final import live_state

            truth = live_state.board_snapshot(db.session.get(Edition, edition_id))
            db.session.remove()
    finally:
        try:
            board.disconnect()
        except Exception:  # noqa: BLE001
            pass
        for judge in judges:
            judge.close()
        for server in servers:
            server.stop()
        redis.stop()
    assert state["count"] == 6 and state["gaps"] >= 1
    assert state["seq"] <= truth["seq"] and (truth.get("open") or {}).get("count") == 6
    keys, marks = stored_submissions(app)
    assert len(marks) == 6 and all(k in keys for k in ("redis-2-down", "redis-3-down", "redis-4-down"))
    with app.app_context():
        db.engine.dispose()
    elapsed = time.monotonic() - started
    print(f"FAULTS redis: acknowledged_while_down=3 stored=3 lost=0 board_gaps={state['gaps']} "
          f"snapshots={state['snapshots']} resends_to_catch_up={n} elapsed={elapsed:.1f}s")
    gc.collect()  # let the client library's leftover sockets go while the filter above applies
