"""The deployment's one-time steps and guard rails: migrations taken once under a lock, and the
fingerprint of the secret key that tells a command whether it runs with the service's key.

The fingerprint is an HMAC of a fixed label under the key: it identifies the key without
revealing it. Fingerprint functions flush, never commit; ``prepare_database`` runs at process
start (outside any request) and commits its own one-time work.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Flask, current_app
from sqlalchemy import text

from contest_app.extensions import db
from contest_app.models import DeploymentSetting
from contest_app.services.errors import Conflict

FINGERPRINT_SETTING = "secret_key_fingerprint"
FINGERPRINT_LABEL = b"contest_app secret-key fingerprint v1"
#: pg_advisory_lock key of the one-time start-up steps (any constant 64-bit number, ours alone)
MIGRATION_LOCK_ID = 0x636F6E7465737431  # "contest1"

MISSING_KEY = (
    "Thiếu CONTEST_SECRET_KEY hoặc CONTEST_JUDGE_KEY của dịch vụ: lệnh này in hoặc cấp thông tin đăng nhập, nên phải chạy với đúng "
    "các biến môi trường của dịch vụ (ví dụ: set -a; . /etc/contest_app.env; set +a). Không có gì bị thay đổi."
)
DIFFERENT_KEY = (
    "CONTEST_SECRET_KEY hoặc CONTEST_JUDGE_KEY ở đây khác với khóa mà dịch vụ đang dùng cho cơ sở dữ liệu này: mọi đường dẫn "
    "và mã PIN in ra sẽ không dùng được. Hãy chạy lệnh với đúng các biến môi trường của dịch vụ "
    "(ví dụ: set -a; . /etc/contest_app.env; set +a). Không có gì bị thay đổi."
)
SERVER_DIFFERENT_KEY = (
    "CONTEST_SECRET_KEY hoặc CONTEST_JUDGE_KEY của tiến trình này khác với khóa đã dùng cho cơ sở dữ liệu này. Hãy dùng lại "
    "khóa cũ (giống nhau ở mọi tiến trình); nếu cố ý đổi khóa, chạy "
    "“flask --app contest_app secret-key adopt” (mọi đường dẫn, mã PIN của giám khảo và phiên đăng nhập "
    "cũ sẽ mất hiệu lực, phải in lại phiếu mã QR)."
)


def secret_fingerprint(secret: str, judge_key: str | None = None) -> str:
    """The fingerprint of the session key and the judges' key: HMAC-SHA256 of a fixed label under
    both (hex); never the keys themselves."""
    key = str(secret).encode("utf-8") + b"\0" + str(judge_key or "").encode("utf-8")
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def _own_fingerprint() -> str:
    return secret_fingerprint(current_app.config["SECRET_KEY"], current_app.config.get("CONTEST_JUDGE_KEY"))


def stored_fingerprint() -> str | None:
    """The fingerprint kept in the database, or None before the first start."""
    setting = db.session.get(DeploymentSetting, FINGERPRINT_SETTING)
    return setting.value if setting is not None else None


def record_fingerprint() -> str:
    """Keep the fingerprint of this app's key in the database (flushes)."""
    value = _own_fingerprint()
    setting = db.session.get(DeploymentSetting, FINGERPRINT_SETTING)
    if setting is None:
        db.session.add(DeploymentSetting(key=FINGERPRINT_SETTING, value=value))
    else:
        setting.value = value
    db.session.flush()
    return value


def key_is_only_local() -> bool:
    """True when the key was generated in this checkout's instance folder while the database is shared."""
    uri = str(current_app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    local = current_app.config.get("SECRET_KEY_FROM_INSTANCE") or current_app.config.get("JUDGE_KEY_FROM_INSTANCE")
    return bool(local) and not uri.startswith("sqlite")


def require_service_secret() -> None:
    """Refuse unless this process holds the service's secret key.

    Called by every command that issues or prints credentials. A key missing from the environment
    (on a shared database) or different from the stored fingerprint raises Conflict and changes
    nothing; on a database no process has used yet, the key is recorded as the service's.
    """
    stored = stored_fingerprint()
    if stored is None:
        if key_is_only_local():
            raise Conflict(MISSING_KEY, code="secret_key_missing")
        record_fingerprint()
        return
    if not hmac.compare_digest(stored, _own_fingerprint()):
        if key_is_only_local():
            raise Conflict(MISSING_KEY, code="secret_key_missing")
        raise Conflict(DIFFERENT_KEY, code="secret_key_different")


def check_server_secret() -> None:
    """At a server's start: record the key's fingerprint the first time; refuse a different key."""
    stored = stored_fingerprint()
    if stored is None:
        record_fingerprint()
    elif not hmac.compare_digest(stored, _own_fingerprint()):
        raise Conflict(SERVER_DIFFERENT_KEY, code="secret_key_different")


@contextmanager
def one_time_lock(app: Flask) -> Iterator[None]:
    """Hold the deployment-wide lock of the one-time steps (migrations, first records).

    PostgreSQL: a session advisory lock, so processes started together on several machines take
    turns. SQLite: an exclusive file lock beside the instance folder.
    """
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_ID})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_ID})
                conn.commit()
        return
    lock_path = Path(app.instance_path) / "one-time-steps.lock"
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
