"""The documented deployment, for real: nginx (Debian's package, configured from the one template) in
front of two gevent processes started by run.py on PostgreSQL with Redis.

Both processes start together on a schema that still needs migrating and both come up. Then through
nginx on a non-standard port: the public pages, an oversized upload refused with nginx's Vietnamese
413 page, sign-in and the desk in Chromium, six scripted judges, 20 scripted boards and a board in
Chromium. One process is killed in the middle of the final and started again: every board receives
every update in order (a reconnection starts again from a fresh snapshot), ends on the same board as
the server, and every acknowledged mark is stored. The other process is then restarted the way
``systemctl restart`` does it (a rolling restart): every board moves and still misses nothing.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy import create_engine, select, text

from contest_app.extensions import db
from tests.conftest import PG_URL, REDIS_URL, build_app, require_redis
from tests.deploy.nginx_harness import Nginx
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, wait_for_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
AUDIT_KEY = "deployment-test-audit-key-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210"
JUDGE_KEY = "deployment-test-judge-key-abcdefghijklmnopqrstuvwxyz0123456789"
SECRET = "deployment-test-secret-key-0123456789abcdef0123456789"
BOARDS = 20
# (finalist index, segment, the six judges' marks): before the kill, while a process is down, after.
PLAN = [
    (0, "knowledge", ["8", "9", "8.5", "9", "7.5", "8"]),
    (0, "situation", ["12", "13", "11.5", "12", "12.5", "13"]),
    (0, "presentation", ["60", "62", "58", "61", "59.5", "63"]),
    (1, "knowledge", ["7", "7.5", "8", "6.5", "7", "7"]),
]
KILL_BEFORE_STEP = 1  # process 1 is killed (SIGKILL) and started again
RESTART_BEFORE_STEP = 3  # then process 2 is restarted as systemctl restart does it (SIGTERM): a rolling restart


class Process:
    """``python run.py`` on a port, output to a file; start() and kill() as often as needed."""

    def __init__(self, port: int, env: dict[str, str], log: Path) -> None:
        self.port, self.env, self.log_path, self.proc = port, env, log, None

    def start(self) -> None:
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "run.py", "--host", "127.0.0.1", "--port", str(self.port)],
                                     cwd=str(ROOT), env=self.env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self) -> None:
        try:
            wait_for_port(self.port, self.proc, timeout=60)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{self.log_path.read_text(errors='replace')[-3000:]}") from None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc is not None:
            self.log.close()


class Board:
    """A scripted board: every snapshot and numbered update it receives, in arrival order."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.events: list[tuple[str, int, dict, float]] = []
        self.high = -1  # the highest sequence number this board holds
        self.catchups = 0
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.3, reconnection_delay_max=1.5)
        self.client.on("board_snapshot", self._snapshot, namespace="/board")
        self.client.on("board_updated", self._updated, namespace="/board")
        self.client.connect(url, namespaces=["/board"], auth={"edition": 2019}, transports=["websocket"],
                            wait_timeout=10)

    def _snapshot(self, message: dict) -> None:
        self.events.append(("snapshot", message["seq"], message["snapshot"], time.monotonic()))
        self.high = max(self.high, message["seq"])

    def _updated(self, message: dict) -> None:
        # As board.js does: an update that skips a number (one broadcast overtook another between two
        # processes, or a process died between its commit and its broadcast) makes the board fetch
        # the whole snapshot; an update it already holds is then ignored.
        if self.high >= 0 and message["seq"] > self.high + 1:
            data = requests.get(self.url + "/board/2019/snapshot.json", timeout=10).json()
            self.catchups += 1
            self._snapshot({"seq": data["seq"], "snapshot": data["snapshot"]})
        self.events.append(("update", message["seq"], message["changes"], time.monotonic()))
        self.high = max(self.high, message["seq"])

    @property
    def seq(self) -> int:
        return self.high

    def replay(self) -> tuple[dict, list[str]]:
        """The board rebuilt exactly as board.js does, and every gap in the sequence seen on the way.

        A snapshot older than the board is ignored (an update overtook it on reconnection), an update
        already included is ignored, the next one is merged; any other number is a gap, i.e. a lost
        update, and is reported.
        """
        board, problems = None, []
        for kind, seq, payload, _at in self.events:
            if kind == "snapshot":
                if board is None or seq >= board["seq"]:
                    board = dict(payload, rows=dict(payload["rows"]))
                continue
            if board is not None and seq <= board["seq"]:
                continue
            if board is None or seq != board["seq"] + 1:
                problems.append(f"update {seq} after {None if board is None else board['seq']}")
                continue
            for key, value in payload.items():
                if key == "rows":
                    board["rows"].update(value)
                elif key == "removed":
                    for entry_id in value:
                        board["rows"].pop(str(entry_id), None)
                else:
                    board[key] = value
            board["seq"] = seq
        return board, problems


class Judge:
    """A scripted tablet: resends a mark under the same idempotency key until it is acknowledged."""

    def __init__(self, url: str, token: str) -> None:
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.3, reconnection_delay_max=1.5)
        self.client.connect(url, namespaces=["/judge"], auth={"token": token}, transports=["websocket"],
                            wait_timeout=10)

    def submit(self, payload: dict, deadline_s: float = 30) -> dict:
        deadline = time.monotonic() + deadline_s
        while True:
            try:
                reply = self.client.call("submit_mark", payload, namespace="/judge", timeout=4)
                if reply is not None:
                    return reply
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"mark {payload} not acknowledged within {deadline_s} s")
            time.sleep(0.2)


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    return match.group(1).strip() if match else ""


# The TLS form is checked with a throw-away self-signed certificate.
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_two_processes_behind_nginx_survive_a_kill(pg_schema, tmp_path):
    require_redis()
    from playwright.sync_api import expect, sync_playwright

    from alembic.script import ScriptDirectory
    from contest_app.extensions import MIGRATIONS_DIR

    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.update({
        "PYTHONPATH": str(ROOT),
        "CONTEST_DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{pg_schema}",
        "CONTEST_MESSAGE_QUEUE": REDIS_URL,
        "CONTEST_SOCKETIO_CHANNEL": f"contest-deploy-{uuid.uuid4().hex[:10]}",
        "CONTEST_SECRET_KEY": SECRET,
        "CONTEST_AUDIT_KEY": AUDIT_KEY,
        "CONTEST_JUDGE_KEY": JUDGE_KEY,
    })
    processes = [Process(free_port(), env, tmp_path / f"server-{i}.log") for i in (1, 2)]
    nginx = None
    boards: list[Board] = []
    judges: list[Judge] = []
    seeder = None
    try:
        # Started together on an unmigrated schema: one migrates under the lock, the other waits.
        for p in processes:
            p.start()
        for p in processes:
            p.wait()
        assert [p.proc.poll() for p in processes] == [None, None]
        engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={pg_schema}"})
        with engine.connect() as conn:
            versions = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
        engine.dispose()
        assert versions == [ScriptDirectory(MIGRATIONS_DIR).get_current_head()]

        # The final about to be judged, and the desk's account (what an organiser does by hand).
        from contest_app.models import Mark, Segment
        from contest_app.services.trust.accounts import create_user
        from contest_app.services.demo import load_demo
        from contest_app.services.trust.deployment import require_service_secret
        from contest_app.services.final.judge_access import edition_credentials
        from contest_app.services.final.finalists import finalists

        seeder = build_app(PG_URL, {"connect_args": {"options": f"-csearch_path={pg_schema}"}}, SECRET_KEY=SECRET,
                           CONTEST_JUDGE_KEY=JUDGE_KEY)
        with seeder.app_context():
            require_service_secret()  # the servers recorded this key's fingerprint
            edition = load_demo(with_marks=False)
            create_user(username="dieukhien", role="control", password="mat-khau-123")
            tokens = [c.token for c in edition_credentials(edition)]
            entries = [e.id for e in finalists(edition)]
            db.session.commit()
            db.session.remove()

        nginx = Nginx(tmp_path / "nginx", [f"127.0.0.1:{p.port}" for p in processes])
        url = nginx.url

        # Pages through nginx on a non-standard port.
        titles = {"/": "Các kỳ thi", "/editions/2019/results": "Kết quả Lần thứ 4 - năm 2019",
                  "/board/2019": "Bảng điểm trực tiếp · Lần thứ 4 - năm 2019",
                  "/present/2019": "Màn hình trình chiếu · Lần thứ 4 - năm 2019", "/auth/login": "Đăng nhập",
                  "/judge": "Đăng nhập giám khảo"}
        assert {path: _title(requests.get(url + path, timeout=10).text) for path in titles} == titles
        script = requests.get(url + "/static/js/board.js", timeout=10)  # served by nginx from static/
        assert script.status_code == 200 and 'io("/board"' in script.text
        assert script.headers["Cache-Control"] == "max-age=3600"
        too_big = requests.post(url + "/auth/login", data=b"x" * (26 * 1024 * 1024),
                                headers={"Content-Type": "application/octet-stream"}, timeout=30)
        assert too_big.status_code == 413
        assert "<h1>Tệp gửi lên quá lớn</h1>" in too_big.content.decode("utf-8")

        # The TLS form too: port 80's stand-in redirects to HTTPS, and a board connects over wss.
        secure = Nginx(tmp_path / "nginx-tls", [f"127.0.0.1:{p.port}" for p in processes], tls=True)
        try:
            moved = requests.get(secure.url + "/board/2019?x=1", allow_redirects=False, timeout=10)
            assert (moved.status_code, moved.headers["Location"]) == (
                301, f"https://127.0.0.1:{secure.https_port}/board/2019?x=1")
            page = requests.get(secure.https_url + "/board/2019", verify=False, timeout=10)
            assert _title(page.text) == titles["/board/2019"]
            tls_board = socketio.Client(reconnection=False, ssl_verify=False)
            tls_snapshots = []
            tls_board.on("board_snapshot", tls_snapshots.append, namespace="/board")
            tls_board.connect(secure.https_url, namespaces=["/board"], auth={"edition": 2019},
                              transports=["websocket"], wait_timeout=10)
            deadline = time.monotonic() + 10
            while not tls_snapshots and time.monotonic() < deadline:
                time.sleep(0.05)
            tls_board.disconnect()
            assert tls_snapshots and len(tls_snapshots[0]["snapshot"]["rows"]) == 12
        finally:
            secure.stop()

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                desk_ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="vi-VN")
                desk = desk_ctx.new_page()
                desk.goto(f"{url}/auth/login")
                desk.fill("#username", "dieukhien")
                desk.fill("#password", "mat-khau-123")
                desk.click("button[type=submit]")
                desk.goto(f"{url}/control?edition=2019")
                expect(desk.locator("#conn")).to_have_text("Đã kết nối", timeout=15_000)
                desk.wait_for_selector("#entry-select option", state="attached", timeout=10_000)

                screen = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
                screen.goto(f"{url}/board/2019")
                screen.wait_for_selector(f"#board-rows tr[data-entry='{entries[0]}']", timeout=15_000)
                expect(screen.locator("#board-status")).to_have_text("", timeout=10_000)

                boards = [Board(url) for _ in range(BOARDS)]
                judges = [Judge(url, token) for token in tokens]
                acknowledged: dict[str, tuple[int, int, str, Decimal]] = {}
                killed_at = restarted_at = None
                for step, (finalist, segment_key, values) in enumerate(PLAN):
                    if step == KILL_BEFORE_STEP:
                        killed_at = time.monotonic()
                        processes[0].kill()
                        processes[0].start()
                    if step == KILL_BEFORE_STEP + 1:
                        processes[0].wait()
                    if step == RESTART_BEFORE_STEP:
                        restarted_at = time.monotonic()
                        processes[1].kill(signal.SIGTERM)
                        processes[1].start()
                    desk.select_option("#entry-select", str(entries[finalist]))
                    desk.select_option("#segment-select", segment_key)
                    desk.click("#btn-open")
                    expect(desk.locator("#desk-message")).to_have_text("Đã mở chấm.", timeout=30_000)
                    desk.evaluate("() => { document.getElementById('desk-message').textContent = ''; }")
                    for seat, (judge, value) in enumerate(zip(judges, values, strict=True), start=1):
                        key = f"deploy-{seat}-{finalist}-{segment_key}"
                        reply = judge.submit({"entry_id": entries[finalist], "segment_key": segment_key,
                                              "value": value, "idempotency_key": key})
                        assert reply["ok"] is True, reply
                        assert reply["mark"]["value"] == f"{Decimal(value):.2f}"
                        acknowledged[key] = (seat, entries[finalist], segment_key, Decimal(value))

                # The Chromium board shows the knowledge score of the first finalist: (8+9+8.5+9+7.5+8)/6.
                cells = screen.locator(f"#board-rows tr[data-entry='{entries[0]}'] td.seg")
                expect(cells.first).to_have_text("8,33", timeout=15_000)
                expect(desk.locator("#conn")).to_have_text("Đã kết nối", timeout=15_000)
                processes[1].wait()
            finally:
                browser.close()

        final = requests.get(url + "/board/2019/snapshot.json", timeout=10).json()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(b.seq != final["seq"] for b in boards):
            time.sleep(0.1)
        for number, board in enumerate(boards, start=1):
            rebuilt, problems = board.replay()
            assert problems == [], f"board {number}: {problems}"
            assert rebuilt == final["snapshot"], f"board {number} ends on another board"

        def back_after(moment: float, until: float) -> list[float]:
            """How long each board cut off at ``moment`` took to get its fresh snapshot."""
            return [next(e[3] for e in b.events if e[0] == "snapshot" and e[3] > moment) - moment for b in boards
                    if any(e[0] == "snapshot" and moment < e[3] < until for e in b.events)]

        # The kill cut off the boards of process 1 (least_conn had spread them over both) and they came back
        # on process 2; restarting process 2 then moved every board back to process 1.
        after_kill = back_after(killed_at, restarted_at)
        after_restart = back_after(restarted_at, float("inf"))
        assert 0 < len(after_kill) < BOARDS
        assert len(after_restart) == BOARDS
        updates = sum(1 for b in boards for e in b.events if e[0] == "update")
        catchups = sum(b.catchups for b in boards)
        print(f"\n{BOARDS} boards: {updates} updates received, {catchups} gaps caught up from snapshot.json, "
              f"final seq {final['seq']}; "
              f"kill: {len(after_kill)} boards back in {min(after_kill):.2f}–{max(after_kill):.2f} s; "
              f"restart: {len(after_restart)} boards back in {min(after_restart):.2f}–{max(after_restart):.2f} s")

        # Every acknowledged mark is stored, with its value.
        with seeder.app_context():
            stored = {
                m.idempotency_key: (m.judge.seat, m.entry_id, segment_key, m.value)
                for m, segment_key in db.session.execute(
                    select(Mark, Segment.key).join(Segment, Segment.id == Mark.segment_id)
                )
            }
            db.session.remove()
        assert len(acknowledged) == 24
        assert stored == acknowledged
        first = final["snapshot"]["rows"][str(entries[0])]
        assert {k: c["score"] for k, c in first["cells"].items()} == {
            "knowledge": "8,33", "situation": "12,33", "presentation": "60,58"}
        assert first["total"] == "81,25"

        # With every process down, nginx answers with its Vietnamese 502 page.
        for p in processes:
            p.kill()
        down = requests.get(url + "/", timeout=10)
        assert down.status_code == 502
        assert "<h1>Máy chủ đang khởi động lại</h1>" in down.content.decode("utf-8")
    finally:
        for client in [b.client for b in boards] + [j.client for j in judges]:
            try:
                client.disconnect()
            except Exception:  # noqa: BLE001 - best effort at teardown
                pass
        if nginx is not None:
            nginx.stop()
        for p in processes:
            p.kill()
        if seeder is not None:
            with seeder.app_context():
                db.engine.dispose()
