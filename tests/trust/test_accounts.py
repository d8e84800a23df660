"""Accounts done right: hashed passwords, limited guessing, cookie flags, CSRF."""
import uuid
from html import unescape

import pytest

from contest_app.extensions import db
from contest_app.models import User
from contest_app.services.trust.ratelimit import TOO_MANY, TooManyAttempts, attempt_key, begin_attempt, storage_uri
from tests.conftest import REDIS_URL, build_app, csrf_token_from, require_redis


def _post_login(client, username, password):
    from flask import g, has_app_context

    if has_app_context():  # the fixture's app context is shared by every client: forget the cached token
        g.pop("csrf_token", None)
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    return client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token})


def test_passwords_are_stored_hashed(app, make_user):
    user = make_user("thuky", "secretariat", password="mat-khau-123")
    stored = db.session.get(User, user.id).password_hash
    assert "mat-khau-123" not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def test_login_failures_are_limited_with_a_vietnamese_page(client, make_user):
    make_user("thuky", "secretariat")
    statuses = [_post_login(client, "thuky", "sai-mat-khau").status_code for _ in range(10)]
    assert statuses == [401] * 10
    refused = _post_login(client, "thuky", "mat-khau-123")  # even the right password waits now
    assert refused.status_code == 429
    assert TOO_MANY == "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau ít phút."
    assert TOO_MANY in unescape(refused.get_data(as_text=True))
    assert int(refused.headers["Retry-After"]) > 0
    assert "Đăng xuất" not in client.get("/").get_data(as_text=True)


def test_login_limit_as_json(client, make_user):
    make_user("thuky", "secretariat")
    for _ in range(10):
        _post_login(client, "thuky", "sai")
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login",
        data={"username": "thuky", "password": "sai", "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 429
    assert response.get_json() == {"ok": False, "code": "too_many_attempts", "message": TOO_MANY}


def test_successful_logins_are_not_counted(client, make_user):
    make_user("thuky", "secretariat")
    statuses = [_post_login(client, "thuky", "mat-khau-123").status_code for _ in range(25)]
    assert statuses == [302] * 25


def test_login_limit_is_per_address(app, make_user):
    make_user("thuky", "secretariat")
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    for _ in range(10):
        _post_login(attacker, "thuky", "sai")
    assert _post_login(attacker, "thuky", "sai").status_code == 429
    desk = app.test_client()
    desk.environ_base["REMOTE_ADDR"] = "10.0.0.10"
    assert _post_login(desk, "thuky", "mat-khau-123").status_code == 302


def test_login_page_itself_is_never_limited(client):
    assert [client.get("/auth/login").status_code for _ in range(30)] == [200] * 30


def test_pin_attempts_are_limited_by_the_service(app):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.1.1"}):
        assert attempt_key("judge", 3) == "10.1.1.1:judge:3"
        for _ in range(5):
            begin_attempt(kind="pin", target=3).failed()
        with pytest.raises(TooManyAttempts) as info:
            begin_attempt(kind="pin", target=3)
        assert info.value.message == TOO_MANY and info.value.status == 429
        begin_attempt(kind="pin", target=4).failed()  # another judge is not affected
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.1.2"}):
        begin_attempt(kind="pin", target=3).succeeded()  # nor is the same judge from another address


def test_storage_defaults_to_memory_and_follows_redis_settings(monkeypatch):
    # Plain Flask objects: building the real app with a message queue would rebind the global
    # Socket.IO server to Redis for every later test.
    from flask import Flask

    monkeypatch.delenv("CONTEST_RATELIMIT_STORAGE", raising=False)

    def settings(**config):
        app = Flask("probe")
        app.config.update(config)
        return app

    assert storage_uri(settings()) == "memory://"
    assert storage_uri(settings(CONTEST_MESSAGE_QUEUE="redis://127.0.0.1:6379/0")) == "redis://127.0.0.1:6379/0"
    assert storage_uri(settings(CONTEST_RATELIMIT_STORAGE="redis://127.0.0.1:6379/3")) == "redis://127.0.0.1:6379/3"


def test_redis_storage_is_shared_by_two_processes(tmp_path):
    """Two app instances (as two server processes would) share one counter in Redis."""
    require_redis()
    from contest_app.services.trust.accounts import create_user

    uri = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    apps = [build_app(uri, CONTEST_RATELIMIT_STORAGE=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix) for _ in range(2)]
    with apps[0].app_context():
        db.create_all()
        create_user(username="thuky", role="secretariat", password="mat-khau-123")
        db.session.commit()
    clients = []
    for a in apps:
        c = a.test_client()
        c.environ_base["REMOTE_ADDR"] = "10.2.2.2"
        clients.append(c)
    statuses = [_post_login(clients[i % 2], "thuky", "sai").status_code for i in range(10)]
    assert statuses == [401] * 10
    assert _post_login(clients[0], "thuky", "sai").status_code == 429
    assert _post_login(clients[1], "thuky", "mat-khau-123").status_code == 429
    import redis

    r = redis.Redis.from_url(REDIS_URL)
    for key in r.scan_iter(f"{prefix}*"):
        r.delete(key)


def _cookie_header(app):
    response = app.test_client().get("/auth/login")
    return "; ".join(response.headers.getlist("Set-Cookie"))


def test_session_cookie_flags_without_https(tmp_path, monkeypatch):
    monkeypatch.delenv("CONTEST_HTTPS", raising=False)
    header = _cookie_header(build_app(f"sqlite:///{tmp_path / 'a.sqlite'}"))
    assert "session=" in header and "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header


def test_session_cookie_is_secure_under_https(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTEST_HTTPS", "1")
    header = _cookie_header(build_app(f"sqlite:///{tmp_path / 'a.sqlite'}"))
    assert "session=" in header and "HttpOnly" in header and "SameSite=Lax" in header and "Secure" in header


def test_security_headers_on_every_response(client):
    for path in ("/", "/auth/login", "/editions/2031/results", "/khong-co"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "object-src 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"


def test_judge_pin_guessing_is_limited_across_judges(client, demo):
    """Ten wrong PINs from one address, spread over judges, then the next try waits."""
    from contest_app.models import Judge
    from contest_app.services.final.judge_access import edition_credentials

    creds = edition_credentials(demo)
    db.session.commit()
    judge_ids = [c.judge.id for c in creds]
    statuses = []
    for i in range(10):
        from flask import g

        g.pop("csrf_token", None)
        token = csrf_token_from(client.get("/judge").get_data(as_text=True))
        wrong = "000000" if creds[i % 5].pin != "000000" else "111111"
        statuses.append(client.post("/judge/pin", data={"judge_id": judge_ids[i % 5], "pin": wrong,
                                                         "csrf_token": token, "edition": "2019"}).status_code)
    assert statuses == [403] * 10
    token = csrf_token_from(client.get("/judge").get_data(as_text=True))
    refused = client.post("/judge/pin", data={"judge_id": judge_ids[5], "pin": creds[5].pin, "csrf_token": token,
                                              "edition": "2019"})
    assert refused.status_code == 429
    assert TOO_MANY in unescape(refused.get_data(as_text=True))
    assert db.session.get(Judge, judge_ids[5]) is not None


def test_judge_link_guessing_is_limited(client, demo):
    from contest_app.services.final.judge_access import edition_credentials

    creds = edition_credentials(demo)
    db.session.commit()
    assert client.get(f"/j/{creds[0].token}").status_code == 302  # a good link is not counted
    statuses = [client.get(f"/j/doan-bua-{i}").status_code for i in range(10)]
    assert statuses == [403] * 10
    refused = client.get(f"/j/{creds[1].token}")
    assert refused.status_code == 429
    assert TOO_MANY in unescape(refused.get_data(as_text=True))
