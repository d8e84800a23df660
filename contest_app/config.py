"""Settings, read from the environment with safe defaults.

Nothing here is a secret: the secret key is generated on first run and
kept in the instance folder when CONTEST_SECRET_KEY is not set.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


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
        # The address phones in the hall reach the app at (QR codes and printed links);
        # an edition's own setting overrides it.
        self.CONTEST_PUBLIC_URL = (env.get("CONTEST_PUBLIC_URL") or "").strip() or None


class TestConfig:
    """Settings for the test suite: a throw-away database, CSRF kept on."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SOCKETIO_ASYNC_MODE = "threading"
    CONTEST_MESSAGE_QUEUE = None
    WTF_CSRF_ENABLED = True


def ensure_secret_key(instance: Path) -> str:
    """Return the secret key kept in the instance folder, creating it once."""
    path = instance / "secret_key"
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
