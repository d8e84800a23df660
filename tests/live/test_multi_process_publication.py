"""The publication rule on two gevent processes sharing PostgreSQL and Redis, in both reveal modes.

The desk and the judges talk to process A; a board and a tablet listen on process B. Bounded
timeouts; both processes are always stopped.
"""
from __future__ import annotations

import re
import threading
import time
import uuid

import pytest
import requests
import socketio as sio_client

from contest_app.extensions import db
from tests.conftest import PG_URL, REDIS_URL, build_app, require_redis
from tests.e2e.conftest import SECRET, free_port, start_server, stop_server

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


class Listener:
    """A Socket.IO client that keeps every message it receives, by event name."""

    def __init__(self, url, namespace, **connect):
        self.client = sio_client.Client(reconnection=False)
        self.namespace = namespace
        self.seen: list[tuple[str, dict]] = []
        self.cond = threading.Condition()

        @self.client.on("*", namespace=namespace)
        def _any(event, data):
            with self.cond:
                self.seen.append((event, data))
                self.cond.notify_all()

        self.client.connect(url, namespaces=[namespace], transports=["websocket"], wait_timeout=10, **connect)

    def mark(self) -> int:
        """Where the messages received from now on start (for ``wait(since=...)``)."""
        with self.cond:
            return len(self.seen)

    def wait(self, predicate, timeout=10.0, since=0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                hit = next((d for e, d in self.seen[since:] if predicate(e, d)), None)
                if hit is not None:
                    return hit
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching message on {self.namespace}: {[e for e, _ in self.seen]}")
                self.cond.wait(left)

    def call(self, event, data):
        return self.client.call(event, data, namespace=self.namespace, timeout=10)

    def close(self):
        if self.client.connected:
            self.client.disconnect()


def desk_cookie(url: str) -> str:
    with requests.Session() as s:
        page = s.get(f"{url}/auth/login", timeout=10).text
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        s.post(f"{url}/auth/login", data={"username": "dieukhien", "password": "mat-khau-123", "csrf_token": token},
               timeout=10)
        return "; ".join(f"{k}={v}" for k, v in s.cookies.items())


def cell_of(update, entry_id):
    row = (update.get("changes") or {}).get("rows", {}).get(str(entry_id))
    return None if row is None else (row["cells"]["knowledge"], row["total"], row["rank"])


def _walk(mode, entry_id, board, tablet, desk, judges):
    """One team's knowledge segment through the rule of ``mode``, read on the other process."""
    since, tablet_since = board.mark(), tablet.mark()
    assert desk.call("open_segment", {"entry_id": entry_id, "segment_key": "knowledge",
                                      "confirm_missing": True})["ok"] is True
    opened = tablet.wait(lambda e, d: e == "segment_opened" and d["state"]["open"]["entry_id"] == entry_id,
                         since=tablet_since)
    assert opened["seq"] == opened["state"]["seq"]
    for i, (judge, value) in enumerate(zip(judges, ["9", "8", "7", "9", "8", "7"], strict=True)):
        reply = judge.call("submit_mark", {"entry_id": entry_id, "segment_key": "knowledge", "value": value,
                                           "idempotency_key": f"mp-{mode}-{i:03d}"})
        assert reply["ok"] is True, reply
    # Six of six, still open: the board on the other process shows no score, total or rank.
    six = board.wait(lambda e, d: e == "board_updated" and (d["changes"].get("open") or {}).get("count") == 6
                     and cell_of(d, entry_id) is not None, since=since)
    since = board.mark()
    assert cell_of(six, entry_id) == ({"score": None, "count": 6, "status": "open"}, None, None)

    assert desk.call("close_segment", {})["ok"] is True
    tablet.wait(lambda e, d: e == "segment_closed" and d["state"]["open"] is None, since=tablet_since)
    closed = board.wait(lambda e, d: e == "board_updated" and cell_of(d, entry_id) is not None
                        and cell_of(d, entry_id)[0]["status"] != "open", since=since)
    since = board.mark()
    if mode == "all_in":
        assert cell_of(closed, entry_id) == ({"score": "8,00", "count": 6, "status": "revealed"}, "8,00", 1)
    else:
        assert cell_of(closed, entry_id) == ({"score": None, "count": 6, "status": "waiting"}, None, None)
        assert desk.call("reveal_segment", {"entry_id": entry_id, "segment_key": "knowledge"})["ok"] is True
        shown = board.wait(lambda e, d: e == "board_updated" and (cell_of(d, entry_id) or ({},))[0].get(
            "status") == "revealed", since=since)
        since = board.mark()
        assert cell_of(shown, entry_id)[0] == {"score": "8,00", "count": 6, "status": "revealed"}
    assert desk.call("reveal_segment", {"entry_id": entry_id, "segment_key": "knowledge",
                                        "revealed": False})["ok"] is True
    hidden = board.wait(lambda e, d: e == "board_updated" and (cell_of(d, entry_id) or ({},))[0].get(
        "status") == "waiting", since=since)
    assert cell_of(hidden, entry_id) == ({"score": None, "count": 6, "status": "waiting"}, None, None)


def test_publication_rule_across_two_processes_in_both_modes(pg_schema):
    require_redis()
    from contest_app.models import Edition
    from contest_app.services.trust.accounts import create_user
    from contest_app.services.demo import load_demo
    from contest_app.services.final.judge_access import edition_credentials
    from contest_app.services.final.results import finalists

    options = {"connect_args": {"options": f"-csearch_path={pg_schema}"}}
    app = build_app(PG_URL, options, SECRET_KEY=SECRET)
    with app.app_context():
        db.create_all()
        edition = load_demo(with_marks=False)
        edition_id = edition.id
        tokens = [c.token for c in edition_credentials(edition)]
        first, second = (e.id for e in finalists(edition)[:2])
        create_user(username="dieukhien", role="control", password="mat-khau-123")
        db.session.commit()
        db.session.remove()

    env = {
        "CONTEST_DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{pg_schema}",
        "CONTEST_MESSAGE_QUEUE": REDIS_URL,
        "CONTEST_TEST_CHANNEL": f"contest-test-{uuid.uuid4().hex[:10]}",
    }
    port_a, port_b = free_port(), free_port()
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    servers = [start_server(port_a, env)]
    clients: list[Listener] = []
    try:
        servers.append(start_server(port_b, env))
        board = Listener(b, "/board", auth={"edition": 2019})
        tablet = Listener(b, "/judge", auth={"token": tokens[0]})
        desk = Listener(a, "/control", auth={"edition": 2019}, headers={"Cookie": desk_cookie(a)})
        judges = [Listener(a, "/judge", auth={"token": t}) for t in tokens]
        clients += [board, tablet, desk, *judges]
        board.wait(lambda e, d: e == "board_snapshot")
        _walk("all_in", first, board, tablet, desk, judges)
        with app.app_context():  # the organiser switches the edition to the desk's reveals
            db.session.get(Edition, edition_id).reveal_mode = "desk"
            db.session.commit()
            db.session.remove()
        _walk("desk", second, board, tablet, desk, judges)
        # The tablet on the other process holds the newest seq: its heartbeat finds nothing missed.
        assert tablet.call("heartbeat", {"unsent": 0})["seq"] == tablet.call("get_state", {})["state"]["seq"]
    finally:
        for client in clients:
            client.close()
        for server in servers:
            stop_server(server)
        with app.app_context():
            db.engine.dispose()
