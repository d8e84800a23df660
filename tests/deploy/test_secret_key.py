"""Commands that print credentials run only with the service's secret key: a key missing from the
environment or different from the fingerprint the service recorded is refused in Vietnamese, and
nothing is reissued."""
from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import DeploymentSetting, Judge
from contest_app.services.trust.deployment import (
    DIFFERENT_KEY,
    MISSING_KEY,
    SERVER_DIFFERENT_KEY,
    check_server_secret,
    secret_fingerprint,
)
from contest_app.services.errors import Conflict
from tests.conftest import PG_URL, build_app

KEY_A = "service-key-a-0123456789abcdef0123456789abcdef"
KEY_B = "another-key-b-0123456789abcdef0123456789abcdef"
LINK = re.compile(r"^1\. Giám khảo 1\thttps://hoithi\.example/j/([\w-]+)\tPIN (\d{6})$", re.M)


def _links(app):
    return app.test_cli_runner().invoke(args=["judge-links", "--edition", "2019", "--base-url", "https://hoithi.example"])


def _token_hashes(app):
    with app.app_context():
        hashes = list(db.session.scalars(select(Judge.token_hash).order_by(Judge.id)))
        db.session.remove()
    return hashes


@pytest.fixture
def shared_sqlite(tmp_path):
    """A SQLite database with the 2019 demo, used first by the service (key A)."""
    from contest_app.services.demo import load_demo

    uri = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    service = build_app(uri, SECRET_KEY=KEY_A)
    with service.app_context():
        db.create_all()
        load_demo(with_marks=False)
        db.session.commit()
        db.session.remove()
    yield uri, service
    with service.app_context():
        db.engine.dispose()


def test_fingerprint_is_an_hmac_of_a_label_never_the_key(shared_sqlite):
    _uri, service = shared_sqlite
    assert _links(service).exit_code == 0
    with service.app_context():
        stored = db.session.get(DeploymentSetting, "secret_key_fingerprint").value
    judge_key = service.config["CONTEST_JUDGE_KEY"]
    expected = hmac.new(f"{KEY_A}\0{judge_key}".encode(), b"contest_app secret-key fingerprint v1",
                        hashlib.sha256).hexdigest()
    assert stored == expected == secret_fingerprint(KEY_A, judge_key)
    assert KEY_A not in stored and judge_key not in stored and stored != secret_fingerprint(KEY_B, judge_key)


def test_judge_links_with_a_different_key_refuses_and_changes_nothing(shared_sqlite):
    uri, service = shared_sqlite
    first = _links(service)
    assert first.exit_code == 0, first.output
    token = LINK.search(first.output).group(1)
    before = _token_hashes(service)

    stranger = build_app(uri, SECRET_KEY=KEY_B)
    result = _links(stranger)
    assert result.exit_code == 1
    assert result.output == f"Lỗi: {DIFFERENT_KEY}\n"
    assert "https://hoithi.example/j/" not in result.output
    assert _token_hashes(service) == before
    assert service.test_client().get(f"/j/{token}").status_code == 302  # the printed link still works
    check = stranger.test_cli_runner().invoke(args=["secret-key", "check"])
    assert (check.exit_code, check.output) == (1, f"Lỗi: {DIFFERENT_KEY}\n")
    with stranger.app_context():
        db.engine.dispose()


def test_server_started_with_a_different_key_refuses_until_the_key_is_adopted(shared_sqlite):
    uri, service = shared_sqlite
    assert _links(service).exit_code == 0
    stranger = build_app(uri, SECRET_KEY=KEY_B)
    with stranger.app_context():
        with pytest.raises(Conflict) as refused:
            check_server_secret()
        assert refused.value.message == SERVER_DIFFERENT_KEY
        db.session.rollback()
    adopted = stranger.test_cli_runner().invoke(args=["secret-key", "adopt", "--yes"])
    assert adopted.exit_code == 0, adopted.output
    assert adopted.output == ("Đã nhận khóa mới. Hãy khởi động lại mọi tiến trình với khóa này và in lại "
                              "phiếu mã QR của giám khảo.\n")
    check = stranger.test_cli_runner().invoke(args=["secret-key", "check"])
    assert (check.exit_code, check.output) == (0, "CONTEST_SECRET_KEY khớp với khóa của dịch vụ.\n")
    with stranger.app_context():
        check_server_secret()  # the new key is now the service's
        db.engine.dispose()
    old = _links(service)
    assert (old.exit_code, old.output) == (1, f"Lỗi: {DIFFERENT_KEY}\n")


def test_judge_links_without_the_service_key_on_a_shared_database_refuses(pg_schema):
    from contest_app.services.demo import load_demo

    options = {"connect_args": {"options": f"-csearch_path={pg_schema}"}}
    # As in a shell without the environment file: the key came from the checkout's instance folder.
    app = build_app(PG_URL, options, SECRET_KEY="generated-in-instance-folder", SECRET_KEY_FROM_INSTANCE=True)
    with app.app_context():
        db.create_all()
        load_demo(with_marks=False)
        db.session.commit()
        db.session.remove()
    result = _links(app)
    assert (result.exit_code, result.output) == (1, f"Lỗi: {MISSING_KEY}\n")
    with app.app_context():
        assert db.session.get(DeploymentSetting, "secret_key_fingerprint") is None
        assert set(db.session.scalars(select(Judge.token_hash))) == {None}
        db.session.remove()
        db.engine.dispose()
