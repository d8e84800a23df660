"""Flask extensions, created unbound and initialised in create_app."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
socketio = SocketIO()
csrf = CSRFProtect()
login_manager = LoginManager()

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
    """Use WAL and a busy timeout on SQLite so concurrent writers wait instead of failing."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_extensions(app: Flask) -> None:
    """Bind every extension to ``app``."""
    db.init_app(app)
    from contest_app.services.inputs import guard_lengths

    guard_lengths()  # every text checked (length, control characters) before each flush
    from contest_app.services.audit import watch_marks

    watch_marks()  # every change of a mark is a chained audit record
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
