"""SQLite never freezes the hall: a writer held by another process does not stop the server,
and every backup format is one consistent snapshot.

No timing assertions: the holder releases its lock only AFTER the board answered, so a
server whose waiting writer blocked the event loop could not answer first (its writer
would fail with "database is locked" instead of succeeding after the release).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
import zipfile
from pathlib import Path

from sqlalchemy import select

from contest_app.extensions import db
from tests.conftest import build_app
from tests.e2e.conftest import free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE live_state SET board_seq = board_seq")
print("held", flush=True)
sys.stdin.readline()  # the test says when (or dies, closing the pipe)
conn.execute("ROLLBACK")
print("released", flush=True)
"""


def _prepared_database(tmp_path):
    """The 2019 demo with marks, its board built once, the judges' credentials issued."""
    from contest_app.services.final import live_state
    from contest_app.services.demo import load_demo
    from contest_app.services.final.judge_access import edition_credentials

    path = tmp_path / "hall.sqlite"
    app = build_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        edition = load_demo(with_marks=True)
        db.session.flush()
        live_state.board_snapshot(edition)
        token = edition_credentials(edition)[0].token
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return app, path, token


def test_a_write_held_by_another_process_does_not_freeze_the_board(tmp_path):
    import socketio as sio_client

    app, path, token = _prepared_database(tmp_path)
    port = free_port()
    server = start_server(port, {"CONTEST_DATABASE_URL": f"sqlite:///{path}", "CONTEST_SQLITE_BUSY_MS": "30000"})
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    judge = sio_client.Client(reconnection=False)
    outcome: dict = {}
    try:
        assert holder.stdout.readline().strip() == "held"

        def connect_judge():
            # connecting writes the tablet's presence: this greenlet must wait for the holder
            try:
                judge.connect(f"http://127.0.0.1:{port}", namespaces=["/judge"], auth={"token": token},
                              transports=["websocket"], wait_timeout=60)
                outcome["connected"] = judge.connected
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                outcome["error"] = repr(exc)

        writer = threading.Thread(target=connect_judge)
        writer.start()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/board/2019/snapshot.json", timeout=60) as response:
            board = json.loads(response.read().decode("utf-8"))
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/board/2019", timeout=60)
        assert page.status == 200 and "2019" in page.read().decode("utf-8")
        assert board["ok"] is True and len(board["snapshot"]["rows"]) == 12
        assert writer.is_alive() or "error" not in outcome, outcome  # the writer is still waiting, not failed
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
        writer.join(timeout=60)
        assert outcome == {"connected": True}
    finally:
        if judge.connected:
            judge.disconnect()
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=10)
        holder.stdin.close()
        holder.stdout.close()
        stop_server(server)
    from contest_app.models import JudgeAccess

    with app.app_context():
        seen = list(db.session.scalars(select(JudgeAccess).where(JudgeAccess.last_seen_at.is_not(None))))
        assert len(seen) == 1  # the waiting write went through after the release
        db.session.remove()
        db.engine.dispose()


def test_jsonl_backup_of_sqlite_is_one_snapshot(app, tmp_path, monkeypatch):
    """A commit made by another connection while the backup is being read is not in the backup."""
    import sqlite3

    from contest_app.services.trust import backup
    from contest_app.services.demo import load_demo

    load_demo(with_marks=True)
    db.session.commit()
    source = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    before = {"unit": db.session.execute(db.text("SELECT COUNT(*) FROM unit")).scalar(),
              "audit_event": db.session.execute(db.text("SELECT COUNT(*) FROM audit_event")).scalar()}
    encode = backup._encode
    state = {"done": False}

    def encode_and_write_meanwhile(value):
        if not state["done"]:  # the backup has read its first row: now another connection commits
            state["done"] = True
            other = sqlite3.connect(source, timeout=30)
            other.execute("INSERT INTO unit (name, block) VALUES ('Đơn vị viết chen', 'department')")
            other.execute("INSERT INTO audit_event (at, actor, action, object_type, object_id, reason, prev_hash, hash)"
                          " VALUES ('2026-01-01', 'x', 'x', '', '', '', '', '')")
            other.commit()
            other.close()
        return encode(value)

    monkeypatch.setattr(backup, "_encode", encode_and_write_meanwhile)
    out = tmp_path / "snap.zip"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(out), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert state["done"] is True
    with zipfile.ZipFile(out) as archive:
        counts = {name: len(archive.read(f"tables/{name}.jsonl").decode("utf-8").splitlines()) for name in before}
    assert counts == before
    assert db.session.execute(db.text("SELECT COUNT(*) FROM unit")).scalar() == before["unit"] + 1
    assert os.path.getsize(out) > 0
