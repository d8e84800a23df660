"""The judges' login link, PIN fallback and tablet page."""
from __future__ import annotations

import pytest

from contest_app.extensions import db
from tests.conftest import csrf_token_from


@pytest.fixture
def creds(app):
    from contest_app.services.demo import load_demo
    from contest_app.services.final.judge_access import edition_credentials

    edition = load_demo(with_marks=False)
    creds = edition_credentials(edition)
    db.session.commit()
    return creds


def test_token_link_signs_in_and_shows_tablet(client, creds):
    response = client.get(f"/j/{creds[0].token}")
    assert response.status_code == 302 and response.headers["Location"] == "/judge"
    page = client.get("/judge").get_data(as_text=True)
    assert "Giám khảo 1" in page
    assert "vendor/socket.io/socket.io.min.js" in page and "js/judge.js" in page
    assert 'id="mark-input"' in page and "<script>" not in page and "style=" not in page


def test_bad_token_refused_in_vietnamese(client, creds):
    response = client.get("/j/khong-hop-le")
    assert response.status_code == 403
    assert "mã đăng nhập đã bị thu hồi" in response.get_data(as_text=True)


def test_revoked_token_refused_and_session_ends(client, creds):
    from contest_app.services.final.judge_access import revoke

    client.get(f"/j/{creds[0].token}")
    revoke(judge=creds[0].judge, actor="Ban Thư ký")
    db.session.commit()
    assert client.get(f"/j/{creds[0].token}").status_code == 403
    page = client.get("/judge").get_data(as_text=True)
    assert "Giám khảo đăng nhập" in page and 'id="mark-input"' not in page


def test_pin_login_wrong_pin_refused(client, creds):
    token = csrf_token_from(client.get("/judge").get_data(as_text=True))
    wrong = "000000" if creds[1].pin != "000000" else "111111"
    response = client.post("/judge/pin", data={"judge_id": creds[1].judge.id, "pin": wrong, "csrf_token": token})
    assert response.status_code == 403
    assert "Mã PIN không đúng. Còn 4 lần thử." in response.get_data(as_text=True)


def test_pin_locked_after_five_wrong_even_with_right_pin(creds):
    from contest_app.services.errors import PermissionDenied
    from contest_app.services.final.judge_access import judge_for_pin

    wrong = "000000" if creds[1].pin != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            judge_for_pin(judge_id=creds[1].judge.id, pin=wrong)
    with pytest.raises(PermissionDenied) as exc:
        judge_for_pin(judge_id=creds[1].judge.id, pin=creds[1].pin)
    assert exc.value.code == "pin_locked"
    assert exc.value.message == "Mã PIN đã bị khóa vì nhập sai quá nhiều lần. Vui lòng liên hệ Ban Thư ký để cấp mã mới."


def test_pin_login_right_pin_signs_in(client, creds):
    token = csrf_token_from(client.get("/judge").get_data(as_text=True))
    response = client.post("/judge/pin", data={"judge_id": creds[2].judge.id, "pin": creds[2].pin, "csrf_token": token})
    assert response.status_code == 302
    assert "Giám khảo 3" in client.get("/judge").get_data(as_text=True)


def test_regenerated_credentials_end_old_session(client, creds):
    from contest_app.services.final.judge_access import regenerate

    client.get(f"/j/{creds[0].token}")
    new = regenerate(judge=creds[0].judge, actor="Ban Thư ký")
    db.session.commit()
    assert new.token != creds[0].token and new.version == 2
    assert 'id="mark-input"' not in client.get("/judge").get_data(as_text=True)
    assert client.get(f"/j/{creds[0].token}").status_code == 403
    assert client.get(f"/j/{new.token}").status_code == 302
