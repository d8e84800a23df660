"""Two gevent server processes sharing PostgreSQL and Redis: a mark submitted to one reaches a board
connected to the other. Bounded timeouts; both processes are always stopped."""
from __future__ import annotations

import threading
import uuid

import pytest
import socketio as sio_client

from contest_app.extensions import db
from tests.conftest import PG_URL, REDIS_URL, build_app, require_redis
from tests.e2e.conftest import SECRET, free_port, start_server, stop_server

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_mark_on_one_process_reaches_board_on_the_other(pg_schema):
    require_redis()
    from contest_app.services.final import live_state
    from contest_app.services.demo import load_demo
    from contest_app.services.final.judge_access import edition_credentials
    from contest_app.services.final.results import finalists

    options = {"connect_args": {"options": f"-csearch_path={pg_schema}"}}
    app = build_app(PG_URL, options, SECRET_KEY=SECRET)
    with app.app_context():
        db.create_all()
        edition = load_demo(with_marks=False)
        token = edition_credentials(edition)[0].token
        entry = finalists(edition)[0]
        segment = live_state.get_segment(edition, "knowledge")
        live_state.open_segment(edition=edition, entry=entry, segment=segment, actor="test")
        live_state.refresh_board(edition, publish=True)
        db.session.commit()
        entry_id = entry.id
        db.session.remove()
        db.engine.dispose()

    env = {
        "CONTEST_DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{pg_schema}",
        "CONTEST_MESSAGE_QUEUE": REDIS_URL,
        "CONTEST_TEST_CHANNEL": f"contest-test-{uuid.uuid4().hex[:10]}",
    }
    port_a, port_b = free_port(), free_port()
    server_a = start_server(port_a, env)
    server_b = None
    board = sio_client.Client(reconnection=False)
    judge = sio_client.SimpleClient()
    try:
        server_b = start_server(port_b, env)
        snapshots, updates = [], []
        got_update = threading.Event()
        got_snapshot = threading.Event()

        @board.on("board_snapshot", namespace="/board")
        def _snapshot(msg):
            snapshots.append(msg)
            got_snapshot.set()

        @board.on("board_updated", namespace="/board")
        def _updated(msg):
            updates.append(msg)
            got_update.set()

        board.connect(f"http://127.0.0.1:{port_b}", namespaces=["/board"], auth={"edition": 2019},
                      transports=["websocket"], wait_timeout=10)
        assert got_snapshot.wait(10), "the board got no snapshot on connect"
        first_seq = snapshots[0]["seq"]
        assert snapshots[0]["snapshot"]["open"]["count"] == 0

        judge.connect(f"http://127.0.0.1:{port_a}", namespace="/judge", auth={"token": token},
                      transports=["websocket"], wait_timeout=10)
        reply = judge.call("submit_mark", {"entry_id": entry_id, "segment_key": "knowledge", "value": 9,
                                           "idempotency_key": "multi-process-1"}, timeout=10)
        assert reply["ok"] is True and reply["mark"]["value"] == "9.00"
        assert got_update.wait(10), "the board on the other process got no update"
        delta = updates[0]
        assert delta["seq"] == first_seq + 1
        assert delta["changes"]["open"]["count"] == 1
        row = delta["changes"]["rows"][str(entry_id)]
        assert row["cells"]["knowledge"] == {"score": None, "count": 1, "status": "open"}
    finally:
        if judge.connected:
            judge.disconnect()
        if board.connected:
            board.disconnect()
        stop_server(server_a)
        if server_b is not None:
            stop_server(server_b)
