"""Browser tests: a live server (a real gevent process) and a headless Chromium.

``live_server`` starts ``tests/live/serve.py`` on a free port against a SQLite file the
test can read too, with the 2019 demo loaded WITHOUT marks; ``browser`` is Debian's
Chromium driven by Playwright. Both always stop at the end of the test.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from contest_app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SECRET = "e2e-secret-key-not-for-production"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
            raise RuntimeError(f"server exited early ({proc.returncode}): {out[-2000:]}")
        with socket.socket() as s:
            s.settimeout(0.3)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start within {timeout} s")


def start_server(port: int, env_extra: dict[str, str]) -> subprocess.Popen:
    """Start one server process; the caller must stop it (stop_server)."""
    env = dict(os.environ)
    env.update({"CONTEST_SECRET_KEY": SECRET, "CONTEST_TEST_LIFETIME": "300", "PYTHONPATH": str(ROOT)})
    env.pop("CONTEST_MESSAGE_QUEUE", None)
    env.update(env_extra)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.live.serve", str(port)],
        cwd=str(ROOT), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, proc)
    except Exception:
        stop_server(proc)
        raise
    return proc


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    if proc.stdout:
        proc.stdout.close()


@dataclass
class LiveServer:
    url: str
    port: int
    app: object  # a Flask app on the same database, for seeding and asserting
    edition_id: int


@pytest.fixture
def live_server(tmp_path):
    """A gevent server process on a free port, the 2019 demo loaded without marks."""
    from contest_app.services.demo import load_demo
    from tests.conftest import build_app

    uri = f"sqlite:///{tmp_path / 'live.sqlite'}"
    app = build_app(uri, SECRET_KEY=SECRET)
    with app.app_context():
        db.create_all()
        edition = load_demo(with_marks=False)
        db.session.commit()
        edition_id = edition.id
        db.session.remove()
    port = free_port()
    proc = start_server(port, {"CONTEST_DATABASE_URL": uri})
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", port=port, app=app, edition_id=edition_id)
    finally:
        stop_server(proc)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def browser():
    """Debian's Chromium, headless, driven by Playwright (sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
