"""Drive contest_app's live path for the benchmark: servers, judges' tokens, marks.

One process: SQLite file in the run's temporary folder (the embedded default). Several
processes: PostgreSQL on 127.0.0.1 in a private schema (dropped afterwards) and a Redis
message queue on a private channel. The database is prepared once per run by
``python -m benchmarks.app_server --prepare`` (2019 demo edition, six judges' tokens, the
first finalist's presentation window open and revealed).

Each mark is sent as docs/live-protocol.md says a tablet sends it: ``submit_mark`` on
``/judge`` (authenticated by the judge's token in the connect ``auth``) with entry, segment,
value and a fresh idempotency key, acknowledged by the server. Judges take turns; before a
judge would mark a window a second time, the desk's own handlers open (and reveal) the next
window, untimed (benchmarks/app_server.py's ``/bench`` namespace), so every mark is a judge's
first in its window and every board receives a real ``board_updated`` delta whatever the
publication rule.
"""
from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.leanclient import LeanClient, connect
from benchmarks.procs import ROOT, ServerProcess, free_port

JUDGES = 6


class AppDriver:
    """contest_app on one process (SQLite) or several (PostgreSQL + Redis)."""

    kind = "app"
    board_namespace = "/board"
    board_query = ""
    snapshot_event = "board_snapshot"

    def __init__(self, *, processes: int, workdir: Path, redis_url: str, pg_url: str) -> None:
        self.processes, self.workdir = processes, workdir
        self.redis_url, self.pg_url = redis_url, pg_url
        self.servers: list[ServerProcess] = []
        self.judges: list[LeanClient] = []
        self.run_id = uuid.uuid4().hex[:10]
        self.schema: str | None = None
        self.info: dict[str, Any] = {}
        self.env: dict[str, str] = {}

    @property
    def board_auth(self) -> dict[str, Any]:
        return {"edition": self.info.get("edition_id")}

    # ----- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        env = {
            "CONTEST_SECRET_KEY": secrets.token_urlsafe(32),
            # the audit chain's and the judges' own keys, shared by the preparing process and every server
            "CONTEST_AUDIT_KEY": secrets.token_urlsafe(32),
            "CONTEST_JUDGE_KEY": secrets.token_urlsafe(32),
            "CONTEST_ASYNC_MODE": "gevent",
            "PYTHONWARNINGS": "ignore",
        }
        if self.processes == 1:
            env["CONTEST_DATABASE_URL"] = f"sqlite:///{self.workdir / f'app-{self.run_id}.sqlite'}"
        else:
            self.schema = f"bench_{self.run_id}"
            self._pg("CREATE SCHEMA \"{}\"")
            env["CONTEST_DATABASE_URL"] = f"{self.pg_url}?options=-csearch_path%3D{self.schema}"
            env["CONTEST_MESSAGE_QUEUE"] = self.redis_url
            env["BENCH_SOCKETIO_CHANNEL"] = f"bench-app-{self.run_id}"
        self.env = env
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.app_server", "--prepare"],
            cwd=ROOT, env={**__import__("os").environ, **env}, capture_output=True, text=True, timeout=180,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"preparing contest_app failed:\n{proc.stderr[-3000:]}")
        self.info = json.loads(proc.stdout.strip().splitlines()[-1])
        for i in range(self.processes):
            port = free_port()
            self.servers.append(
                ServerProcess(["-m", "benchmarks.app_server", "--port", str(port)], port, env=env,
                              log=self.workdir / f"app-{self.run_id}-{i}.log")
            )
        for server in self.servers:
            server.wait_ready()

    async def connect_judges(self) -> None:
        port = self.servers[0].port
        self.judges = []
        for token in self.info["tokens"][:JUDGES]:
            self.judges.append(await connect("127.0.0.1", port, "/judge", {"token": token}))
        self.values = [None] * len(self.judges)
        self.bench = await connect("127.0.0.1", port, "/bench")
        self.window = 0  # index in info["windows"]; the prepared window is the first
        self.window_judges: set[int] = set()

    async def before_marks(self, marks: list[int]) -> bool:
        """Open the next window first (as the desk does) if one of these judges already marked in
        this one, so that each mark is a judge's first in its window; True when it did."""
        judges = {m % len(self.judges) for m in marks}
        changed = False
        if judges & self.window_judges:
            self.window = (self.window + 1) % len(self.info["windows"])
            where = self.info["windows"][self.window]
            ack = await asyncio.wait_for(self.bench.call(
                "next_window",
                {"user_id": self.info["desk_user_id"], "edition_id": self.info["edition_id"],
                 "entry_id": where["entry_id"], "segment_key": where["segment_key"]},
            ), 15)
            reply = ack[0] if ack else None
            if not isinstance(reply, dict) or not (reply.get("opened") or {}).get("ok"):
                raise RuntimeError(f"opening the next window was refused: {reply}")
            self.info.update(entry_id=where["entry_id"], segment_key=where["segment_key"],
                             max=where["max"], step=where["step"])
            self.window_judges = set()
            changed = True
        self.window_judges |= judges
        return changed

    async def submit(self, mark: int) -> Any:
        judge = mark % len(self.judges)
        maximum, step = Decimal(self.info["max"]), Decimal(self.info["step"])
        # a value on the grid, in the upper part of the range, different from this judge's last
        value = maximum - step * ((mark * 37) % 97 + 1)
        ack = await self.judges[judge].call(
            "submit_mark",
            {
                "entry_id": self.info["entry_id"],
                "segment_key": self.info["segment_key"],
                "value": str(value),
                "idempotency_key": f"bench-{self.run_id}-{mark}",
            },
        )
        reply = ack[0] if ack else None
        if not isinstance(reply, dict) or not reply.get("ok"):
            raise RuntimeError(f"submit_mark refused: {reply}")
        return reply

    def stop(self) -> None:
        for judge in self.judges:
            judge.close()
        if getattr(self, "bench", None) is not None:
            self.bench.close()
        for server in self.servers:
            server.stop()
        if self.schema:
            try:
                self._pg("DROP SCHEMA \"{}\" CASCADE")
            except Exception:  # noqa: BLE001 - a leftover schema is harmless, and named bench_*
                pass

    def _pg(self, statement: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.pg_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(statement.format(self.schema)))
        finally:
            engine.dispose()
