"""Shared fixtures: the app on SQLite (default) or on the PostgreSQL server on 127.0.0.1.

PostgreSQL tests never skip silently: when the server is absent they fail with a
message that says what is missing. Each test run works in its own schema, so
parallel runs do not disturb each other.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from contest_app import create_app
from contest_app.config import TestConfig
from contest_app.extensions import db

# The tests (and the servers they start, which inherit the environment) run in test mode:
# short test keys are accepted, and every process shares the same audit and judge keys.
os.environ.setdefault("CONTEST_ENV", "test")
os.environ.setdefault("CONTEST_AUDIT_KEY", "test-audit-key-not-for-production")
os.environ.setdefault("CONTEST_JUDGE_KEY", "test-judge-key-not-for-production")
# Every board patched for a mark is checked against the board built from nothing, servers included.
os.environ.setdefault("CONTEST_CHECK_BOARD_DELTA", "1")

PG_URL = os.environ.get("CONTEST_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CONTEST_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def build_app(uri: str, engine_options: dict | None = None, **extra):
    """Create an app bound to ``uri`` (the factory reads settings, so rebuild with them)."""

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = uri
        SQLALCHEMY_ENGINE_OPTIONS = engine_options or {}

    for key, value in extra.items():
        setattr(Cfg, key, value)
    return create_app(Cfg)


def require_postgres() -> None:
    """Fail (not skip) with a clear message when PostgreSQL is not reachable."""
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means the service is missing
        pytest.fail(
            f"PostgreSQL is required at {PG_URL} (trust auth, database 'test') but is not reachable: {exc}",
            pytrace=False,
        )


def require_redis() -> None:
    """Fail (not skip) with a clear message when Redis is not reachable."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis is required at {REDIS_URL} but is not reachable: {exc}", pytrace=False)


@pytest.fixture
def app(tmp_path):
    """The app on a fresh SQLite file, schema created."""
    app = build_app(f"sqlite:///{tmp_path / 'test.sqlite'}")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@contextmanager
def fresh_pg_schema():
    """Create a PostgreSQL schema of its own for a test; drop it afterwards."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture
def pg_schema():
    """A fresh PostgreSQL schema for one test; dropped afterwards."""
    with fresh_pg_schema() as schema:
        yield schema


@pytest.fixture
def pg_app(pg_schema):
    """The app on PostgreSQL, in its own schema."""
    app = build_app(PG_URL, {"connect_args": {"options": f"-csearch_path={pg_schema}"}})
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_app(request, tmp_path):
    """The app on SQLite, then on PostgreSQL: services tests run on both."""
    if request.param == "sqlite":
        yield request.getfixturevalue("app")
    else:
        yield request.getfixturevalue("pg_app")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The 2019 demo with the six judges' marks, committed."""
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=True)
    db.session.commit()
    return edition


@pytest.fixture
def make_user(app):
    """Factory: create and commit a user; returns it."""
    from contest_app.services.trust.accounts import create_user

    def make(username: str = "organiser1", role: str = "organiser", password: str = "mat-khau-123", **kw):
        user = create_user(username=username, role=role, password=password, **kw)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """Sign a user in through the real login form (CSRF token included)."""
    import re

    def do(username: str, password: str = "mat-khau-123"):
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf_token" value="([^"]+)"', page
        )
        return client.post(
            "/auth/login",
            data={"username": username, "password": password, "csrf_token": token.group(1)},
            follow_redirects=False,
        )

    return do


def csrf_token_from(html: str) -> str:
    """Extract the CSRF token from a rendered page."""
    import re

    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)
