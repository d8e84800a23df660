"""create_app reads its settings from the environment with safe defaults."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from contest_app import create_app
from contest_app.config import TestConfig, ensure_secret_key

ROOT = Path(__file__).resolve().parent.parent


def test_database_url_and_queue_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CONTEST_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    monkeypatch.setenv("CONTEST_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("CONTEST_MESSAGE_QUEUE", "redis://127.0.0.1:6379/3")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["CONTEST_MESSAGE_QUEUE"] == "redis://127.0.0.1:6379/3"


def test_defaults_are_sqlite_under_instance_and_one_process(monkeypatch):
    for name in ("CONTEST_DATABASE_URL", "CONTEST_SECRET_KEY", "CONTEST_MESSAGE_QUEUE"):
        monkeypatch.delenv(name, raising=False)
    app = create_app(TestConfig)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{ROOT / 'instance' / 'contest_app.sqlite'}"
    assert app.config["CONTEST_MESSAGE_QUEUE"] is None


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = ensure_secret_key(tmp_path)
    assert len(first) >= 40
    assert (tmp_path / "secret_key").read_text(encoding="utf-8") == first
    assert ensure_secret_key(tmp_path) == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_config_mapping_overrides(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k"})
    assert app.config["TESTING"] is True and app.config["SECRET_KEY"] == "k"


def test_run_py_help_in_vietnamese():
    out = subprocess.run([sys.executable, "run.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for option in ("--host", "--port", "--demo"):
        assert option in out.stdout
    assert "nạp dữ liệu mẫu năm 2019" in out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_py_demo_serves_the_2019_results(tmp_path):
    port = _free_port()
    env = {**os.environ, "CONTEST_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}", "CONTEST_SECRET_KEY": "k"}
    env.pop("CONTEST_MESSAGE_QUEUE", None)
    proc = subprocess.Popen(
        [sys.executable, "run.py", "--demo", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/editions/2019/results", timeout=5) as r:
                    body = r.read().decode("utf-8")
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.3)
        assert body is not None, "server did not answer"
        assert "88,50" in body and "Giải Nhất" in body
    finally:
        proc.kill()
        output = proc.communicate(timeout=10)[0]
    assert "Đã nạp dữ liệu mẫu: cuộc thi lần thứ 4 - năm 2019" in output
    assert "demo / demo-2019" in output
