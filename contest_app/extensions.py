"""Flask extensions, created unbound and initialised in create_app."""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import orjson

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.attributes import set_committed_value


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
socketio = SocketIO()
csrf = CSRFProtect()
login_manager = LoginManager()


def sync_loaded(model: type, ident: int, **values) -> object | None:
    """After a core statement wrote a row: the session's copy of it, if it holds one, told the new values.

    Neither a query nor a flush: a hot path writes rows without the unit of work, and an object of
    the same row loaded earlier in the transaction must not show the old values. None when not loaded.
    """
    loaded = db.session.identity_map.get(db.session.identity_key(model, ident))
    if loaded is not None:
        for name, value in values.items():
            set_committed_value(loaded, name, value)
    return loaded


MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


#: How long a SQLite writer waits for another writer before "database is locked".
SQLITE_BUSY_MS = int(os.environ.get("CONTEST_SQLITE_BUSY_MS") or 10_000)


def _gevent_patched() -> bool:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    return monkey.is_module_patched("time")


class CooperativeCursor(sqlite3.Cursor):
    """A cursor that waits for another writer by sleeping (a gevent yield), not inside SQLite.

    SQLite's own busy timeout waits inside the C call: under gevent that blocks the one
    thread of the server, and every board, tablet and page freezes until the other
    writer is done. Here SQLite gives up at once and the wait happens in Python, so the
    other greenlets (reads never wait for a writer in WAL mode) keep being served.
    """

    def execute(self, *args, **kwargs):
        return _retry(super().execute, args, kwargs)

    def executemany(self, *args, **kwargs):
        return _retry(super().executemany, args, kwargs)


class CooperativeConnection(sqlite3.Connection):
    """A SQLite connection whose cursors wait cooperatively (see ``CooperativeCursor``)."""

    def cursor(self, factory=CooperativeCursor):  # noqa: D401 - sqlite3's signature
        return super().cursor(factory)

    def execute(self, *args, **kwargs):
        return self.cursor().execute(*args, **kwargs)

    def commit(self):
        return _retry(super().commit, (), {})


def _retry(call, args, kwargs):
    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    pause = 0.005
    while True:
        try:
            return call(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)  # gevent-patched: other greenlets run meanwhile
        pause = min(pause * 2, 0.05)


def sqlite_connect_args(uri: str) -> dict:
    """Extra connect arguments for a SQLite URI: the cooperative connection under gevent."""
    if uri.startswith("sqlite") and _gevent_patched():
        return {"factory": CooperativeConnection}
    return {}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
    """Use WAL and a busy timeout on SQLite so concurrent writers wait instead of failing."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3") and not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Under gevent the wait happens in CooperativeConnection, outside SQLite (see there).
    busy = 0 if isinstance(dbapi_connection, CooperativeConnection) else SQLITE_BUSY_MS
    cursor.execute(f"PRAGMA busy_timeout={busy}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def json_column_dumps(value: object) -> str:
    """How JSON columns are written: orjson (the stored board is read and written again on every mark,
    and the standard library's json cost a sixth of the mark's work before its broadcast)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def init_extensions(app: Flask) -> None:
    """Bind every extension to ``app``."""
    uri = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("json_serializer", json_column_dumps)
    options.setdefault("json_deserializer", orjson.loads)
    extra = sqlite_connect_args(uri)
    if extra:
        options["connect_args"] = {**options.get("connect_args", {}), **extra}
    if uri.startswith("sqlite"):
        # A file opened in this process cannot have been dropped by a server: no ping per checkout.
        options.pop("pool_pre_ping", None)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "warning"
    # SocketIO keeps options between init_app calls: a Redis manager set up for one
    # app must not leak into the next app built in the same process.
    if not app.config.get("CONTEST_MESSAGE_QUEUE"):
        socketio.server_options.pop("client_manager", None)
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE") or "threading",
        message_queue=app.config.get("CONTEST_MESSAGE_QUEUE"),
        channel=app.config.get("CONTEST_SOCKETIO_CHANNEL") or "contest-app",
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),
    )
