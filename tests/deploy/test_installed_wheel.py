"""The built wheel, installed into a fresh virtualenv, serves every public page from a directory
outside the checkout: templates, static files, migrations and question banks travel in the package.

The virtualenv sees the system's site-packages (the dependencies, to save installing them) but
PYTHONPATH is unset and the working directory is a temporary one, so contest_app can only come from
the wheel; the test checks that it does.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("contest_app", "templates", "static", "question_banks")
AUDIT_KEY = "deployment-test-audit-key-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210"
JUDGE_KEY = "deployment-test-judge-key-abcdefghijklmnopqrstuvwxyz0123456789"
SECRET = "wheel-test-secret-key-0123456789abcdef0123456789abcdef"


def _run(args, *, cwd, env, timeout=180):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A virtualenv with the wheel built from this checkout installed in it; its clean environment."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "instance", "*.egg-info")
    for name in SHIPPED:
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("CONTEST_")}
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(src)], cwd=base, env=env)
    wheel = next((base / "dist").glob("contest_app-*.whl"))
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], cwd=base, env=env)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
         cwd=base, env=env)
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    env.update({
        "CONTEST_DATABASE_URL": f"sqlite:///{base / 'contest.sqlite'}",
        "CONTEST_SECRET_KEY": SECRET,
        "CONTEST_AUDIT_KEY": AUDIT_KEY,
        "CONTEST_JUDGE_KEY": JUDGE_KEY,
        "CONTEST_INSTANCE_PATH": str(base / "state"),
    })
    return venv, elsewhere, env


def test_wheel_is_imported_from_the_virtualenv_not_the_checkout(installed):
    venv, elsewhere, env = installed
    out = _run([str(venv / "bin" / "python"), "-c",
                "import contest_app, contest_app.paths as p; from contest_app.deploy import render_nginx; "
                "print(contest_app.__file__); print(p.TEMPLATES_DIR); print(p.STATIC_DIR); print(p.QUESTION_BANKS_DIR); "
                "print([l.strip() for l in render_nginx().splitlines() if 'alias' in l])"], cwd=elsewhere, env=env)
    package = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages" / "contest_app"
    assert out.splitlines() == [str(package / "__init__.py"), str(package / "templates"), str(package / "static"),
                                str(package / "question_bank_files"), str([f"alias {package / 'static'}/;"])]
    assert (package / "static" / "errors" / "502.html").is_file()
    assert (package / "static" / "fonts" / "liberation-serif" / "LiberationSerif-Regular.ttf").is_file()
    assert (package / "deploy" / "nginx.conf.template").is_file()
    assert (package / "migrations" / "versions").is_dir()


def test_installed_commands_find_the_question_banks(installed):
    venv, elsewhere, env = installed
    banks = _run([str(venv / "bin" / "python"), "-m", "flask", "--app", "contest_app", "banks", "check"],
                 cwd=elsewhere, env=env)
    assert banks.splitlines()[-1] == "Hợp lệ: 5 bộ đề trắc nghiệm (125 câu), 5 bộ tình huống (20 tình huống)."


def test_installed_server_serves_every_public_page_from_elsewhere(installed):
    import socketio

    venv, elsewhere, env = installed
    package_static = (venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
                      / "contest_app" / "static")
    port = free_port()
    server = subprocess.Popen([str(venv / "bin" / "contest-app"), "--demo", "--port", str(port)], cwd=elsewhere,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, server, timeout=60)
        base = f"http://127.0.0.1:{port}"
        titles = {
            "/": "Các kỳ thi",
            "/editions/2019/results": "Kết quả Lần thứ 4 - năm 2019",
            "/board/2019": "Bảng điểm trực tiếp · Lần thứ 4 - năm 2019",
            "/board/2019/overlay": "Bảng điểm trực tiếp · Lần thứ 4 - năm 2019",
            "/present/2019": "Màn hình trình chiếu · Lần thứ 4 - năm 2019",
            "/draw/2019/public": "Kết quả bốc thăm · Lần thứ 4 - năm 2019",
            "/auth/login": "Đăng nhập",
            "/judge": "Đăng nhập giám khảo",
        }
        for path, title in titles.items():
            response = requests.get(base + path, timeout=10)
            assert (path, response.status_code) == (path, 200)
            assert f"<title>{title}</title>" in response.text, path
        assert "77,67" in requests.get(base + "/editions/2019/results", timeout=10).text
        results = requests.get(base + "/editions/2019/results.json", timeout=10).json()
        assert results["averages"]["total"] == "77.67"
        script = requests.get(base + "/static/js/board.js", timeout=10)
        assert script.status_code == 200 and 'io("/board"' in script.text
        assert requests.get(base + "/board/2019/qr.svg", timeout=10).headers["Content-Type"].startswith("image/svg+xml")
        worker = requests.get(base + "/judge-sw.js", timeout=10)  # read from the installed static/
        assert worker.status_code == 200 and worker.text == (package_static / "js" / "judge-sw.js").read_text("utf-8")

        board = socketio.Client(reconnection=False)
        snapshots = []
        board.on("board_snapshot", snapshots.append, namespace="/board")
        board.connect(base, namespaces=["/board"], auth={"edition": 2019}, transports=["websocket"], wait_timeout=10)
        deadline = time.monotonic() + 10
        while not snapshots and time.monotonic() < deadline:
            time.sleep(0.05)
        board.disconnect()
        assert snapshots and snapshots[0]["snapshot"]["edition"]["year"] == 2019
        assert len(snapshots[0]["snapshot"]["rows"]) == 12
        # The state folder is CONTEST_INSTANCE_PATH (the start-up lock of a SQLite deployment lives there).
        assert (Path(env["CONTEST_INSTANCE_PATH"]) / "one-time-steps.lock").is_file()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
        server.stdout.close()
