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


def test_five_wrong_pins_from_one_address_wait_but_the_judge_elsewhere_signs_in(app, creds):
    """Issue 16: an attacker's wrong PINs use up the attacker's allowance, never the judge's."""
    wrong = "000000" if creds[1].pin != "000000" else "111111"

    def post(address, pin):
        from flask import g

        g.pop("csrf_token", None)  # the fixture's app context is shared by the clients
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        token = csrf_token_from(client.get("/judge").get_data(as_text=True))
        return client.post("/judge/pin", data={"judge_id": creds[1].judge.id, "pin": pin, "csrf_token": token})

    statuses = [post("10.9.9.9", wrong).status_code for _ in range(6)]
    assert statuses == [403] * 5 + [429]
    assert post("10.9.9.9", creds[1].pin).status_code == 429  # the attacker's address waits, even with the PIN
    assert post("10.1.1.1", creds[1].pin).status_code == 302  # the judge's tablet is not locked out


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
