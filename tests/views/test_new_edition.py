from html import unescape

from sqlalchemy import func, select

from contest_app.extensions import db
from contest_app.models import Edition
from tests.conftest import csrf_token_from


def test_organiser_creates_an_edition(client, make_user, login):
    make_user("btc", "organiser")
    login("btc")
    page = client.get("/organiser/editions/new").get_data(as_text=True)
    response = client.post(
        "/organiser/editions/new",
        data={"number": "5", "year": "2021", "title": "", "csrf_token": csrf_token_from(page)},
        follow_redirects=True,
    )
    html = unescape(response.get_data(as_text=True))
    assert "Đã tạo kỳ thi “Lần thứ 5 - năm 2021” (điều lệ mặc định); hãy kiểm tra điều lệ." in html
    assert "Điều lệ kỳ thi · Lần thứ 5 - năm 2021" in html
    assert db.session.scalar(select(Edition.title)) == "Lần thứ 5 - năm 2021"


def test_a_word_for_the_year_is_refused_and_nothing_is_stored(client, make_user, login):
    make_user("btc", "organiser")
    login("btc")
    page = client.get("/organiser/editions/new").get_data(as_text=True)
    response = client.post(
        "/organiser/editions/new",
        data={"number": "5", "year": "hai nghìn", "csrf_token": csrf_token_from(page)},
    )
    assert "Lần tổ chức và năm phải là số nguyên." in unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(Edition)) == 0


def test_a_focal_point_cannot_create_an_edition(client, make_user, login, demo):
    make_user("daumoi", "focal_point", unit_id=1)
    login("daumoi")
    response = client.get("/organiser/editions/new")
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này." in unescape(response.get_data(as_text=True))
