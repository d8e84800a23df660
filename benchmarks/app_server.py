"""contest_app as production runs it, for the benchmark: ``python run.py`` without the migrations.

    python -m benchmarks.app_server --prepare     # schema, 2019 demo edition, an open window; prints JSON
    python -m benchmarks.app_server --port 5201   # serve (gevent, monkey-patched first thing)

Settings come from the environment exactly as for ``python run.py``: CONTEST_DATABASE_URL,
CONTEST_SECRET_KEY, CONTEST_AUDIT_KEY and CONTEST_JUDGE_KEY (the judges' tokens derive from the
last, so the preparing process and every server share it), CONTEST_MESSAGE_QUEUE for several
processes. Two differences with run.py,
both because the benchmark prepares its own throw-away database: the schema comes from
``db.create_all()`` (not Alembic), and BENCH_SOCKETIO_CHANNEL names the Redis channel, so that
a benchmark never talks to the test suite's servers on the same Redis (pub/sub channels are
shared by every Redis database number).
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import sys  # noqa: E402


def prepare(segment_key: str = "presentation") -> dict:
    """Create the schema and the 2019 edition (no marks), issue the judges' tokens, open one window.

    The window (first finalist × ``segment_key``) is opened. Since issue 12 an open window is
    never public (a judge may still fix a slip), so what a mark changes on the boards is the
    count of marks in (“Đã chấm 3/6”): each judge's first mark in the window sends a delta,
    a judge replacing a mark sends none.
    """
    from contest_app import create_app
    from contest_app.extensions import db
    from contest_app.services.final import judge_access, live_state
    from contest_app.services.demo import load_demo
    from contest_app.services.final.results import finalists
    from contest_app.services.trust import accounts
    from contest_app.enums import Role

    app = create_app()
    with app.app_context():
        db.create_all()
        edition = load_demo(with_marks=False)
        db.session.flush()
        entry = finalists(edition)[0]
        segment = next(s for s in edition.segments if s.key == segment_key)
        live_state.open_segment(edition=edition, entry=entry, segment=segment, actor="benchmark")
        creds = judge_access.edition_credentials(edition)
        live_state.refresh_board(edition, publish=True)
        # the desk that opens the next window every six marks (see serve's /bench namespace)
        desk = accounts.create_user(username="bench-desk", role=Role.CONTROL.value,
                                    password=secrets.token_urlsafe(16), display_name="Benchmark")
        db.session.commit()
        segments = sorted(edition.segments, key=lambda s: (s.key != segment_key, s.order))
        windows = [
            {"entry_id": e.id, "segment_key": s.key, "max": str(s.max_score), "step": str(s.mark_step)}
            for s in segments for e in finalists(edition)
        ]
        info = {
            "desk_user_id": desk.id,
            "windows": windows,
            "edition_id": edition.id,
            "year": edition.year,
            "entry_id": entry.id,
            "segment_key": segment.key,
            "max": str(segment.max_score),
            "step": str(segment.mark_step),
            "tokens": [c.token for c in creds],
            "judge_ids": [c.judge.id for c in creds],
        }
        db.session.remove()
        db.engine.dispose()
    return info


def add_bench_namespace(socketio) -> None:
    """A ``/bench`` namespace, in this benchmark server only: ``next_window`` runs the desk's own
    handlers (close, open, reveal) as the prepared desk user, between marks and untimed.

    So that every measured mark is a judge's first in its window, which sends a board delta
    whatever the publication rule (a revealed score, or the count of marks in).
    """
    from flask import session
    from flask_login import login_user

    from contest_app.extensions import db
    from contest_app.live import control
    from contest_app.models import User

    def on_next_window(data):
        login_user(db.session.get(User, data["user_id"]))
        session[control.SESSION_KEY] = data["edition_id"]
        closed = control.on_close_segment({"confirm_missing": True})
        where = {"entry_id": data["entry_id"], "segment_key": data["segment_key"]}
        opened = control.on_open_segment(dict(where))
        revealed = control.on_reveal_segment({**where, "revealed": True})
        return {"closed": closed, "opened": opened, "revealed": revealed}

    socketio.on_event("connect", lambda auth=None: True, namespace="/bench")
    socketio.on_event("next_window", on_next_window, namespace="/bench")


def _log_gc(path: str) -> None:
    """Diagnosis: write each garbage collection's generation and duration (ms) to ``path``."""
    import gc
    import time

    started: dict[str, float] = {}
    out = open(path, "a", buffering=1)  # noqa: SIM115 - open for the life of the process

    def callback(phase, info):
        if phase == "start":
            started["t"] = time.perf_counter()
        else:
            out.write(f"{time.monotonic():.3f} gen{info['generation']} {(time.perf_counter() - started.get('t', 0)) * 1000:.2f}\n")

    gc.callbacks.append(callback)


def _log_marks(path: str):
    """Diagnosis: write a line per ``submit_mark`` to ``path``: the handler's wall and CPU time (ms)
    until the broadcast starts, then in all (the broadcast yields, so every board's send is in
    the second), the time (ms) from the Socket.IO message's arrival to the handler (decoding,
    Flask-SocketIO's request context and session), and the ``time.monotonic()`` of its end (to
    match the lines of ``BENCH_GC_LOG``). Returns the function that starts watching the arrivals,
    to call once the app (and so its Socket.IO server) exists."""
    import time

    from contest_app.extensions import socketio
    from contest_app.live import broadcast, judge

    out = open(path, "a", buffering=1)  # noqa: SIM115 - open for the life of the process
    handler, publish = judge.on_submit_mark, broadcast.results_changed
    started: dict[str, float] = {"received": 0.0}

    def watch_arrivals() -> None:
        receive = socketio.server._handle_eio_message  # Engine.IO's "message" handler

        def arrived(eio_sid, data):
            started["received"] = time.perf_counter()
            return receive(eio_sid, data)

        socketio.server.eio.on("message", arrived)

    def timed(data=None):
        started.update(wall=time.perf_counter(), cpu=time.process_time(), pre_wall=0.0, pre_cpu=0.0)
        try:
            return handler(data)
        finally:
            out.write(f"{started['pre_wall']:.3f} {started['pre_cpu']:.3f} "
                      f"{(time.perf_counter() - started['wall']) * 1000:.3f} "
                      f"{(time.process_time() - started['cpu']) * 1000:.3f} "
                      f"{(started['wall'] - started['received']) * 1000:.3f} {time.monotonic():.3f}\n")

    def timed_publish(*args, **kwargs):
        started.update(pre_wall=(time.perf_counter() - started.get("wall", 0.0)) * 1000,
                       pre_cpu=(time.process_time() - started.get("cpu", 0.0)) * 1000)
        return publish(*args, **kwargs)

    judge.on_submit_mark = timed
    judge.broadcast.results_changed = timed_publish
    return watch_arrivals


def serve(host: str, port: int) -> None:
    """Serve like ``python run.py``: gevent, pywsgi + gevent-websocket, no access log."""
    os.environ.setdefault("CONTEST_ASYNC_MODE", "gevent")
    from contest_app import create_app
    from contest_app.extensions import socketio

    if os.environ.get("BENCH_SOCKETIO_CHANNEL"):
        os.environ["CONTEST_SOCKETIO_CHANNEL"] = os.environ["BENCH_SOCKETIO_CHANNEL"]
    from benchmarks.procs import raise_fd_limit

    raise_fd_limit()
    watch_arrivals = None
    if os.environ.get("BENCH_MARK_LOG"):
        watch_arrivals = _log_marks(os.environ["BENCH_MARK_LOG"] + f".{os.getpid()}")
    app = create_app()
    if watch_arrivals:
        watch_arrivals()
    add_bench_namespace(socketio)
    if os.environ.get("BENCH_GC_LOG"):
        _log_gc(os.environ["BENCH_GC_LOG"] + f".{os.getpid()}")
    from contest_app.server import tune_gc

    tune_gc()  # as contest_app.server.main does before serving
    print(f"contest_app (benchmark) on {host}:{port}", flush=True)
    socketio.run(app, host=host, port=port, log_output=False, backlog=2048)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.app_server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--prepare", action="store_true", help="prepare the database and print JSON")
    parser.add_argument("--segment", default="presentation")
    args = parser.parse_args(argv)
    if args.prepare:
        print(json.dumps(prepare(args.segment)))
        return 0
    if args.port is None:
        parser.error("--port is required to serve")
    serve(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
