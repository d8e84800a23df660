"""Settings, read from the environment with safe defaults.

Nothing here is a secret. Three keys, each for one purpose, are read from the
environment: CONTEST_SECRET_KEY (sessions), CONTEST_AUDIT_KEY (the keyed audit chain)
and CONTEST_JUDGE_KEY (judges' links and PINs). Outside the demo and the tests
(``CONTEST_ENV`` = ``demo`` / ``test``) the app refuses to start with a missing or short
session or audit key; in the demo and the tests a missing key is generated once in the
instance folder, with a warning. None of them is ever stored in the database.
"""
from __future__ import annotations

import logging

import click
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

#: Fewer characters than ``secrets.token_urlsafe(32)`` cannot hold 32 random bytes.
MIN_KEY_CHARS = 43
MAKE_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


class Config:
    """Production-like defaults; every value can come from the environment."""

    def __init__(self) -> None:
        env = os.environ
        self.SQLALCHEMY_DATABASE_URI = env.get("CONTEST_DATABASE_URL") or None
        self.SECRET_KEY = env.get("CONTEST_SECRET_KEY") or None
        self.CONTEST_MESSAGE_QUEUE = env.get("CONTEST_MESSAGE_QUEUE") or None
        # Redis pub/sub channels ignore the database number: separate deployments
        # (or test runs) sharing one Redis need their own channel.
        self.CONTEST_SOCKETIO_CHANNEL = env.get("CONTEST_SOCKETIO_CHANNEL") or "contest-app"
        self.SOCKETIO_ASYNC_MODE = env.get("CONTEST_ASYNC_MODE") or "threading"
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.MAX_CONTENT_LENGTH = int(env.get("CONTEST_MAX_UPLOAD_MB", "20")) * 1024 * 1024
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = env.get("CONTEST_HTTPS", "") == "1"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.WTF_CSRF_TIME_LIMIT = None
        self.UPLOAD_FOLDER = env.get("CONTEST_UPLOAD_FOLDER") or None
        self.JSON_AS_ASCII = False
        #: production (default), demo (run.py --demo) or test: only the last two accept generated keys.
        self.CONTEST_ENV = env.get("CONTEST_ENV") or "production"
        self.CONTEST_AUDIT_KEY = env.get("CONTEST_AUDIT_KEY") or None
        self.CONTEST_JUDGE_KEY = env.get("CONTEST_JUDGE_KEY") or None
        #: How many reverse proxies (nginx …) stand in front of the app; their X-Forwarded-For is trusted.
        self.CONTEST_TRUSTED_PROXIES = env.get("CONTEST_TRUSTED_PROXIES") or "0"
        # The address phones in the hall reach the app at (QR codes and printed links);
        # an edition's own setting overrides it.
        self.CONTEST_PUBLIC_URL = (env.get("CONTEST_PUBLIC_URL") or "").strip() or None
        #: Check every board patched for a mark against the board built from nothing (the tests do).
        self.CONTEST_CHECK_BOARD_DELTA = env.get("CONTEST_CHECK_BOARD_DELTA", "") == "1"


class TestConfig:
    """Settings for the test suite: a throw-away database, CSRF kept on."""

    TESTING = True
    CONTEST_ENV = "test"
    SECRET_KEY = "test-secret-key-not-for-production"
    SOCKETIO_ASYNC_MODE = "threading"
    CONTEST_MESSAGE_QUEUE = None
    WTF_CSRF_ENABLED = True
    CONTEST_CHECK_BOARD_DELTA = True


class InsecureConfiguration(click.ClickException):
    """A key is missing or too short outside the demo and the tests (message in Vietnamese).

    A ClickException, so ``flask --app contest_app …`` prints the message (no traceback) and exits 1.
    """


def key_is_strong(key: str | None) -> bool:
    """At least 43 characters (32 random bytes in base64) and not a repeated few characters."""
    return bool(key) and len(key) >= MIN_KEY_CHARS and len(set(key)) >= 16


def check_keys(config, instance: Path) -> None:
    """Fill in or refuse the session, audit and judge keys of ``config`` (a Flask config)."""
    mode = "test" if config.get("TESTING") else str(config.get("CONTEST_ENV") or "production")
    relaxed = mode in ("test", "demo")
    for setting, env_name, filename, purpose in (
        ("SECRET_KEY", "CONTEST_SECRET_KEY", "secret_key", "khóa phiên đăng nhập"),
        ("CONTEST_AUDIT_KEY", "CONTEST_AUDIT_KEY", "audit_key", "khóa của chuỗi nhật ký kiểm tra"),
    ):
        key = config.get(setting)
        if relaxed:
            if not key:
                config[setting] = ensure_secret_key(instance, filename)
                if mode == "demo":
                    log.warning("%s: generated in %s (demo only)", env_name, instance / filename)
            continue
        if not key_is_strong(key):
            state = "chưa được đặt" if not key else "quá ngắn hoặc dễ đoán"
            raise InsecureConfiguration(
                f"Không khởi động: {env_name} ({purpose}) {state}. Cần ít nhất 32 byte ngẫu nhiên "
                f"({MIN_KEY_CHARS} ký tự trở lên). Tạo một khóa bằng lệnh: {MAKE_KEY}"
            )
    if not config.get("CONTEST_JUDGE_KEY"):
        # Kept beside the instance, never in the database, never the session secret.
        config["CONTEST_JUDGE_KEY"] = ensure_secret_key(instance, "judge_key")
    if config.get("CONTEST_JUDGE_KEY") in (config.get("SECRET_KEY"), config.get("CONTEST_AUDIT_KEY")) and not relaxed:
        raise InsecureConfiguration("Không khởi động: CONTEST_JUDGE_KEY phải khác CONTEST_SECRET_KEY và CONTEST_AUDIT_KEY.")


def ensure_secret_key(instance: Path, filename: str = "secret_key") -> str:
    """Return the key kept in the instance folder under ``filename``, creating it once."""
    path = instance / filename
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    key = secrets.token_urlsafe(48)
    path.write_text(key, encoding="utf-8")
    try:
        path.chmod(0o600)
    except OSError:  # pragma: no cover - filesystems without modes
        pass
    return key
