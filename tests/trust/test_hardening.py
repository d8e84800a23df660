"""Issue 16: limits that hold under bursts, an audit that covers every mark, no weak secret,
revoked sockets cut off, replaced files removed, a Vietnamese 500 page."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select, text

from contest_app.extensions import db
from contest_app.services.trust.ratelimit import TOO_MANY
from tests.conftest import REDIS_URL, build_app, csrf_token_from, require_redis

ROOT = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------- bursts


def _burst(app, n, make_request):
    """Send ``n`` requests at the same moment (each from its own client and thread); their statuses."""
    clients = []
    for _ in range(n):
        client = app.test_client()
        token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
        clients.append((client, token))
    barrier = threading.Barrier(n)
    statuses: list[int] = []
    lock = threading.Lock()

    def run(client, token):
        barrier.wait()
        status = make_request(client, token).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return sorted(statuses)


def _app_with_demo(tmp_path, **extra):
    from contest_app.services.trust.accounts import create_user
    from contest_app.services.demo import load_demo
    from contest_app.services.final.judge_access import edition_credentials

    app = build_app(f"sqlite:///{tmp_path / 'burst.sqlite'}", **extra)
    with app.app_context():
        db.create_all()
        edition = load_demo(with_marks=False)
        db.session.flush()
        create_user(username="thuky", role="secretariat", password="mat-khau-dung-123")
        creds = edition_credentials(edition)
        db.session.commit()
        judge = (creds[0].judge.id, creds[0].pin)
        db.session.remove()
    return app, judge


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_60_simultaneous_wrong_sign_ins_are_limited_exactly(tmp_path, storage):
    extra = {}
    if storage == "redis":
        require_redis()
        extra = {"CONTEST_RATELIMIT_STORAGE": REDIS_URL, "RATELIMIT_KEY_PREFIX": f"t16-{os.getpid()}-{id(tmp_path)}"}
    app, _judge = _app_with_demo(tmp_path, **extra)
    try:
        statuses = _burst(app, 60, lambda c, t: c.post("/auth/login", data={
            "username": "thuky", "password": "sai-mat-khau", "csrf_token": t}))
        # exactly the limit (10 a minute) were checked, the other 50 refused before any check
        assert statuses == [401] * 10 + [429] * 50
    finally:
        with app.app_context():
            from contest_app.services.trust.ratelimit import get_store

            get_store(app).clear()


def test_40_simultaneous_wrong_pins_are_limited_exactly(tmp_path):
    app, (judge_id, pin) = _app_with_demo(tmp_path)
    wrong = "000000" if pin != "000000" else "111111"
    statuses = _burst(app, 40, lambda c, t: c.post("/judge/pin", data={
        "judge_id": str(judge_id), "pin": wrong, "csrf_token": t, "edition": "2019"}))
    assert statuses == [403] * 5 + [429] * 35
    # ... and the judge, from the tablet's own address, still signs in with the PIN and the QR link
    tablet = app.test_client()
    tablet.environ_base["REMOTE_ADDR"] = "10.20.30.40"
    token = csrf_token_from(tablet.get("/judge").get_data(as_text=True))
    assert tablet.post("/judge/pin", data={"judge_id": str(judge_id), "pin": pin, "csrf_token": token,
                                           "edition": "2019"}).status_code == 302


def test_an_attacker_cannot_lock_a_user_out_from_elsewhere(tmp_path):
    app, _judge = _app_with_demo(tmp_path)

    def post(address, password):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
        return client.post("/auth/login", data={"username": "thuky", "password": password, "csrf_token": token})

    assert [post("203.0.113.9", "sai").status_code for _ in range(11)] == [401] * 10 + [429]
    refused = post("203.0.113.9", "mat-khau-dung-123")
    assert refused.status_code == 429 and TOO_MANY in unescape(refused.get_data(as_text=True))
    assert post("192.0.2.10", "mat-khau-dung-123").status_code == 302  # the secretariat's own desk


def test_qr_link_is_not_slowed_down_by_pin_failures(tmp_path):
    from contest_app.services.final.judge_access import edition_credentials

    app, (judge_id, pin) = _app_with_demo(tmp_path)
    wrong = "000000" if pin != "000000" else "111111"
    client = app.test_client()
    for _ in range(12):
        token = csrf_token_from(client.get("/judge").get_data(as_text=True))
        client.post("/judge/pin", data={"judge_id": str(judge_id), "pin": wrong, "csrf_token": token,
                                        "edition": "2019"})
    with app.app_context():
        from contest_app.models import Edition

        link = edition_credentials(db.session.scalar(select(Edition).where(Edition.year == 2019)))[0].token
        db.session.remove()
    assert client.get(f"/j/{link}").status_code == 302  # same address, same judge: the link still works


def test_the_client_address_comes_through_the_trusted_proxies(tmp_path):
    app, _judge = _app_with_demo(tmp_path, CONTEST_TRUSTED_PROXIES="1")

    def post(forwarded, password):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "127.0.0.1"  # nginx, for everyone
        token = csrf_token_from(client.get("/auth/login", headers={"X-Forwarded-For": forwarded})
                                .get_data(as_text=True))
        return client.post("/auth/login", headers={"X-Forwarded-For": forwarded},
                           data={"username": "thuky", "password": password, "csrf_token": token})

    assert [post("198.51.100.7", "sai").status_code for _ in range(11)] == [401] * 10 + [429]
    assert post("198.51.100.8", "mat-khau-dung-123").status_code == 302  # another visitor behind the same proxy
    # a forged extra hop is not believed: only the address nginx saw counts
    assert post("1.2.3.4, 198.51.100.7", "sai").status_code == 429


# ----------------------------------------------------------------------------- audit: tamper tests


@pytest.fixture
def marked(app):
    """The 2019 demo with its 216 marks, each recorded in the chain."""
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=True)
    db.session.commit()
    return edition


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def test_every_mark_is_in_the_chain_and_verify_passes(app, marked):
    from contest_app.models import AuditEvent, Mark

    result = _verify(app)
    assert result.exit_code == 0, result.output
    marks = db.session.scalar(select(db.func.count()).select_from(Mark))
    records = db.session.scalar(select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == "mark_state"))
    assert marks == records == 216
    assert result.output.splitlines()[0] == f"Chuỗi nhật ký toàn vẹn: {records} bản ghi; 216 điểm khớp với nhật ký."
    head = app.test_cli_runner().invoke(args=["audit", "head"])
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert head.exit_code == 0 and head.output == f"{last.id}:{last.hash}\n"


def test_a_mark_edited_in_the_database_is_named(app, marked):
    from contest_app.models import AuditEvent, Mark

    mark = db.session.scalar(select(Mark).order_by(Mark.id).limit(1))
    old = f"{Decimal(mark.value):.2f}"
    db.session.execute(text("UPDATE mark SET value = 10 WHERE id = :id"), {"id": mark.id})
    db.session.commit()
    record = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mark_state",
                                                        AuditEvent.object_id == str(mark.id)))
    result = _verify(app)
    assert result.exit_code == 1
    assert result.output == (
        "Chuỗi nhật ký KHÔNG toàn vẹn: 1 lỗi (lỗi đầu tiên trước).\n"
        f"- Điểm #{mark.id} khác với bản ghi nhật ký #{record.id}: value: cơ sở dữ liệu 10.00 ≠ nhật ký {old}.\n"
    )


def test_a_record_edited_and_the_chain_rehashed_without_the_key_is_caught(app, marked):
    """The forger recomputes every hash from the edited record on, with SHA-256 (no key)."""
    import hashlib
    import json

    from contest_app.models import AuditEvent, Mark
    from contest_app.services.trust.audit import GENESIS

    mark = db.session.scalar(select(Mark).order_by(Mark.id.desc()).limit(1))
    db.session.execute(text("UPDATE mark SET value = 10 WHERE id = :id"), {"id": mark.id})
    records = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    target = next(r for r in records if r.object_id == str(mark.id))
    target.after = {**target.after, "value": "10.00"}
    previous = GENESIS
    for record in records:
        record.prev_hash = previous
        payload = {"edition_id": record.edition_id, "at": record.at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
                   "actor": record.actor, "action": record.action, "object_type": record.object_type,
                   "object_id": record.object_id, "before": record.before, "after": record.after,
                   "reason": record.reason, "prev_hash": record.prev_hash}
        record.hash = hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True,
                                                separators=(",", ":")).encode()).hexdigest()
        previous = record.hash
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1
    first = records[0]
    assert result.output.splitlines()[1] == f"- Bản ghi #{first.id}: nội dung đã bị sửa sau khi ghi."
    assert len(result.output.splitlines()) == 1 + len(records)  # every rehashed record is named


def test_the_newest_records_deleted_are_caught(app, marked, make_user):
    from contest_app.models import Entry, Judge, Segment
    from contest_app.services.trust.audit import chain_head
    from contest_app.services.final.judging import correct_mark

    head_before = chain_head()
    secretariat = make_user("thuky", "secretariat")
    judge = db.session.scalar(select(Judge).order_by(Judge.id).limit(1))
    segment = db.session.scalar(select(Segment).where(Segment.key == "knowledge").limit(1))
    entry = db.session.scalar(select(Entry).where(Entry.final_order.is_not(None)).order_by(Entry.final_order).limit(1))
    mark = correct_mark(actor=secretariat, judge=judge, entry=entry, segment=segment, value="9", reason="Theo biên bản")
    db.session.commit()
    head = chain_head()
    db.session.execute(text("DELETE FROM audit_event WHERE id > :id"), {"id": head_before[0]})
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1
    assert f"- Điểm #{mark.id} khác với bản ghi nhật ký" in result.output
    # and a head kept outside the app (printed on the appendix) names the truncation even without marks
    result = _verify(app, "--head", f"{head[0]}:{head[1]}")
    assert result.exit_code == 1
    assert f"Không tìm thấy bản ghi có mã băm {head[1]}" in result.output


def test_the_audit_head_is_printed_on_the_appendix(app, marked, make_user, login, client):
    from contest_app.services.trust.audit import chain_head

    make_user("thuky", "secretariat")
    login("thuky")
    html = unescape(client.get("/secretariat/2019/appendix").get_data(as_text=True))
    head = chain_head()
    assert f"Mã băm cuối của nhật ký kiểm tra: {head[0]}:{head[1]}" in html


# ----------------------------------------------------------------------------- secrets


def _production(monkeypatch, **env):
    for name in ("CONTEST_SECRET_KEY", "CONTEST_AUDIT_KEY", "CONTEST_JUDGE_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONTEST_ENV", "production")
    for name, value in env.items():
        monkeypatch.setenv(name, value)


STRONG = "4EQR1Fh-jGuhKem6sYMgYxPi1rUC9aWWKn-XzAphdRBsY11ytv2bpExhuCfhuX1d"
STRONG2 = "M6gfipJgyOafGRyheppvB3YPUzMwpbyK8Tiuq26YZemQEPmClTug4tN2CwdYfEiY"


def test_production_refuses_a_missing_or_short_secret(monkeypatch, tmp_path):
    from contest_app import create_app
    from contest_app.config import InsecureConfiguration

    uri = f"sqlite:///{tmp_path / 'p.sqlite'}"
    for secret in (None, "x", "a" * 60):
        _production(monkeypatch, CONTEST_DATABASE_URL=uri, CONTEST_AUDIT_KEY=STRONG2,
                    **({"CONTEST_SECRET_KEY": secret} if secret else {}))
        with pytest.raises(InsecureConfiguration) as info:
            create_app()
        assert "CONTEST_SECRET_KEY" in str(info.value)
        assert 'python -c "import secrets; print(secrets.token_urlsafe(48))"' in str(info.value)
    _production(monkeypatch, CONTEST_DATABASE_URL=uri, CONTEST_SECRET_KEY=STRONG)
    with pytest.raises(InsecureConfiguration) as info:
        create_app()
    assert "CONTEST_AUDIT_KEY" in str(info.value)
    _production(monkeypatch, CONTEST_DATABASE_URL=uri, CONTEST_SECRET_KEY=STRONG, CONTEST_AUDIT_KEY=STRONG2,
                CONTEST_JUDGE_KEY="j" * 10 + STRONG)
    assert create_app().config["SECRET_KEY"] == STRONG


def test_judges_credentials_do_not_follow_from_the_session_secret(tmp_path):
    """Two apps with the same session secret and different judge keys give different links and PINs."""
    from contest_app.services.demo import load_demo
    from contest_app.services.final.judge_access import _pin_for, _token_for

    results = []
    for n, judge_key in enumerate(("khoa-giam-khao-mot", "khoa-giam-khao-hai", "khoa-giam-khao-mot")):
        app = build_app(f"sqlite:///{tmp_path / f'k{n}.sqlite'}", SECRET_KEY="the-same-session-secret",
                        CONTEST_JUDGE_KEY=judge_key)
        with app.app_context():
            results.append((_token_for(1, 1), _pin_for(1, 1)))
    assert results[0] != results[1] and results[0] == results[2]
    # reprinting the QR sheet gives the same link and PIN (derived, not stored)
    app = build_app(f"sqlite:///{tmp_path / 'r.sqlite'}")
    with app.app_context():
        from contest_app.services.final.judge_access import edition_credentials

        db.create_all()
        edition = load_demo(with_marks=False)
        first = [(c.token, c.pin) for c in edition_credentials(edition)]
        db.session.commit()
        assert [(c.token, c.pin) for c in edition_credentials(edition)] == first
        db.session.remove()


def test_demo_refuses_a_database_with_a_real_edition(tmp_path):
    from contest_app.models import User
    from contest_app.services.rounds.editions import create_edition

    path = tmp_path / "real.sqlite"
    app = build_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        create_edition(number=5, year=2027, actor="btc")
        db.session.commit()
        db.session.remove()
    env = {**os.environ, "CONTEST_DATABASE_URL": f"sqlite:///{path}", "PYTHONPATH": str(ROOT)}
    env.pop("CONTEST_SECRET_KEY", None)
    out = subprocess.run([sys.executable, "run.py", "--demo", "--port", "1"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Không chạy bản mẫu: cơ sở dữ liệu này đã có dữ liệu thật" in out.stderr
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "demo")) is None
        db.session.remove()
        db.engine.dispose()


# ----------------------------------------------------------------------------- sockets, files, timing, 500


def test_a_revoked_judge_is_disconnected_at_once(tmp_path):
    from tests.trust.world import SECRETARIAT, World, connect

    world = World(tmp_path, with_marks=False)
    try:
        judge, refusal = connect(world, "final_judge", "/judge")
        assert refusal is None and judge.is_connected("/judge")
        judge.get_received("/judge")
        response = world.clients[SECRETARIAT].post(f"/secretariat/judges/{world.judge_ids[0]}/revoke",
                                                   data={"csrf_token": world.csrf[SECRETARIAT]})
        assert response.status_code == 302
        assert not judge.is_connected("/judge")  # cut off by the server, not left to the tablet
        received = [p for p in judge.queue if p["namespace"] == "/judge"]
        assert [r["name"] for r in received] == ["access_revoked"]
        assert received[0]["args"][0]["message"] == (
            "Mã đăng nhập của bạn đã bị thu hồi hoặc được cấp lại. Vui lòng quét mã QR mới.")
    finally:
        world.close()


def test_a_replaced_dossier_file_is_removed(app, make_user, tmp_path):
    from contest_app.models import Entry
    from contest_app.services.demo import load_demo
    from contest_app.services.rounds.dossiers import store_dossier, upload_root

    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    load_demo(with_marks=False)
    organiser = make_user("btc", "organiser")
    entry = db.session.scalar(select(Entry).limit(1))
    store_dossier(entry=entry, filename="a.pdf", data=b"%PDF-1.4 first", actor=organiser)
    db.session.commit()
    first = upload_root() / entry.dossier_path
    assert first.read_bytes() == b"%PDF-1.4 first"
    store_dossier(entry=entry, filename="b.pdf", data=b"%PDF-1.4 second", actor=organiser)
    second = upload_root() / entry.dossier_path
    db.session.rollback()  # a replacement that is not committed leaves the first file, and no orphan
    assert first.exists() and not second.exists()
    entry = db.session.get(Entry, entry.id)
    store_dossier(entry=entry, filename="c.pdf", data=b"%PDF-1.4 third", actor=organiser)
    db.session.commit()
    assert not first.exists()
    assert (upload_root() / entry.dossier_path).read_bytes() == b"%PDF-1.4 third"
    assert sorted(p.name for p in (upload_root() / "dossiers").iterdir()) == [Path(entry.dossier_path).name]


def test_an_unknown_username_costs_the_same_password_hash(app, make_user, monkeypatch):
    from contest_app.services.trust import accounts

    make_user("thuky", "secretariat")
    calls = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    assert accounts.authenticate("khong-ai-co-ten-nay", "mat-khau-123") is None
    assert len(calls) == 1 and calls[0].startswith("scrypt:")


def test_a_server_error_gets_a_vietnamese_page_with_an_id(tmp_path, caplog):
    app = build_app(f"sqlite:///{tmp_path / 'e.sqlite'}", PROPAGATE_EXCEPTIONS=False)

    @app.get("/__boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/__boom")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 500
    assert "Máy chủ gặp lỗi khi xử lý yêu cầu này." in html
    error_id = html.split('<code class="error-id">')[1].split("</code>")[0]
    assert len(error_id) == 10
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)
    assert app.test_client().get("/__boom", headers={"Accept": "application/json"}).get_json()["code"] == "server_error"


def test_guessing_judge_links_over_socketio_is_limited(tmp_path):
    from tests.trust.world import World, connect

    world = World(tmp_path, with_marks=False)
    try:
        from contest_app.extensions import socketio

        refusals = []
        for i in range(11):
            client = socketio.test_client(world.app, namespace="/judge", auth={"token": f"doan-bua-{i}"},
                                          flask_test_client=world.app.test_client())
            refusals.append(client.is_connected("/judge"))
        assert refusals == [False] * 11
        # the 12th try, even with a real link, waits: this address used up its guesses
        client = socketio.test_client(world.app, namespace="/judge", auth={"token": world.tokens[0]},
                                      flask_test_client=world.app.test_client())
        assert not client.is_connected("/judge")
        _client, message = connect(world, "final_judge", "/judge")  # a signed-in tablet (session) is not affected
        assert message is None
    finally:
        world.close()
