"""The final's judges of a new edition: added, edited, seated and removed in the UI or by
command; their QR sheet on the hall's public address; the desk marks a judge of a finalist's unit."""
from __future__ import annotations

import base64
import io
import re
from html import unescape

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from contest_app.config import Config
from contest_app.enums import RoundStatus
from contest_app.extensions import db
from contest_app.models import AuditEvent, Edition, Entry, Judge
from contest_app.services.final import live_state
from contest_app.services.rounds import registration
from contest_app.services.demo import ensure_units
from contest_app.services.rounds.editions import create_edition, is_loopback, set_public_url
from contest_app.services.final.judge_access import final_judges
from tests.conftest import csrf_token_from


@pytest.fixture
def edition(app):
    ensure_units()
    edition = create_edition(number=5, year=2021, actor="btc")
    db.session.commit()
    return edition


@pytest.fixture
def organiser(client, make_user, login):
    make_user("btc", "organiser")
    login("btc")
    return client


def _add(client, **data):
    page = client.get("/secretariat/judges?edition=2021").get_data(as_text=True)
    return client.post("/secretariat/judges?edition=2021", data={"csrf_token": csrf_token_from(page), **data},
                       follow_redirects=True)


def _decoded_qr_codes(html: str) -> list[str]:
    texts = []
    for data in re.findall(r'src="data:image/png;base64,([^"]+)"', html):
        image = Image.open(io.BytesIO(base64.b64decode(data)))
        texts += [r.text for r in zxingcpp.read_barcodes(image)]
    return texts


def test_a_new_edition_gets_its_judges_in_the_ui(organiser, edition):
    page = organiser.get("/secretariat/judges?edition=2021").get_data(as_text=True)
    assert "Kỳ thi chưa có giám khảo chung khảo." in page
    units = {u.name: u for u in registration.list_units()}
    for i in range(1, 7):
        response = _add(organiser, name=f"Nguyễn Văn {chr(64 + i)}", title="Phó Giám đốc",
                        unit_id=str(units["Sở Y tế"].id if i == 2 else 0), seat="")
        assert f"Đã thêm giám khảo Nguyễn Văn {chr(64 + i)} (ghế {i})." in unescape(response.get_data(as_text=True))
    judges = final_judges(edition)
    assert [(j.seat, j.name) for j in judges][:2] == [(1, "Nguyễn Văn A"), (2, "Nguyễn Văn B")]
    assert judges[1].unit.name == "Sở Y tế" and judges[1].title == "Phó Giám đốc"
    assert len(live_state.desk_state(edition)["judges"]) == 6

    html = unescape(_add(organiser, name="Trần Thị G", seat="3").get_data(as_text=True))
    assert "Ghế số 3 đã có giám khảo Nguyễn Văn C." in html
    html = unescape(_add(organiser, name="  ", seat="").get_data(as_text=True))
    assert "Vui lòng nhập họ và tên giám khảo." in html
    assert len(final_judges(edition)) == 6

    # seat 6 moves to seat 1; the judge on seat 1 takes seat 6
    f = judges[5]
    page = organiser.get("/secretariat/judges?edition=2021").get_data(as_text=True)
    organiser.post(f"/secretariat/judges/{f.id}/edit", data={
        "csrf_token": csrf_token_from(page), f"j{f.id}-name": "Nguyễn Văn F", f"j{f.id}-title": "Giám đốc",
        f"j{f.id}-unit_id": "0", f"j{f.id}-seat": "1"})
    db.session.expire_all()
    assert [(j.seat, j.name) for j in final_judges(edition)][0] == (1, "Nguyễn Văn F")
    assert [(j.seat, j.name) for j in final_judges(edition)][-1] == (6, "Nguyễn Văn A")
    # remove one who has not marked
    a = db.session.scalar(select(Judge).where(Judge.name == "Nguyễn Văn A"))
    response = organiser.post(f"/secretariat/judges/{a.id}/delete", data={"csrf_token": csrf_token_from(page)},
                              follow_redirects=True)
    assert "Đã xóa giám khảo Nguyễn Văn A." in unescape(response.get_data(as_text=True))
    actions = [e for e in db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("judge.%")))]
    assert actions.count("judge.add") == 6 and actions.count("judge.seat") == 1 and actions.count("judge.remove") == 1


def test_a_judge_who_marked_cannot_be_removed(client, make_user, login, demo):
    make_user("thuky", "secretariat")
    login("thuky")
    judge = final_judges(demo)[0]
    page = client.get("/secretariat/judges?edition=2019").get_data(as_text=True)
    response = client.post(f"/secretariat/judges/{judge.id}/delete", data={"csrf_token": csrf_token_from(page)},
                           follow_redirects=True)
    assert ("Giám khảo Giám khảo 1 đã chấm 36 điểm; không thể xóa. Hãy thu hồi mã đăng nhập nếu giám khảo "
            "không tiếp tục chấm.") in unescape(response.get_data(as_text=True))
    assert len(final_judges(demo)) == 6


def test_the_qr_sheet_decodes_to_the_public_address(organiser, edition, app):
    for name in ("Lê Văn Một", "Lê Văn Hai"):
        _add(organiser, name=name, seat="")
    html = unescape(organiser.get("/secretariat/judges/qr-sheet?edition=2021").get_data(as_text=True))
    assert "Địa chỉ công khai đang là địa chỉ nội bộ của máy chủ (http://localhost/judge)" in html
    assert all(url.startswith("http://localhost/j/") for url in _decoded_qr_codes(html))

    app.config["CONTEST_PUBLIC_URL"] = "http://10.0.0.5:8000"
    html = unescape(organiser.get("/secretariat/judges/qr-sheet?edition=2021").get_data(as_text=True))
    codes = _decoded_qr_codes(html)
    assert len(codes) == 2 and all(re.fullmatch(r"http://10\.0\.0\.5:8000/j/[\w-]+", c) for c in codes)
    assert "địa chỉ nội bộ" not in html

    # the edition's own setting overrides the environment
    set_public_url(edition=edition, url="https://hoithi.khanhhoa.gov.vn/", actor="btc")
    db.session.commit()
    html = unescape(organiser.get("/secretariat/judges/qr-sheet?edition=2021").get_data(as_text=True))
    assert all(c.startswith("https://hoithi.khanhhoa.gov.vn/j/") for c in _decoded_qr_codes(html))
    board = unescape(organiser.get("/board/2021").get_data(as_text=True))
    assert "loopback-warning" not in board
    svg = organiser.get("/board/2021/qr.svg")
    assert svg.status_code == 200


def test_public_url_is_read_from_the_environment_and_loopback_is_told(monkeypatch):
    monkeypatch.setenv("CONTEST_PUBLIC_URL", "http://192.168.1.10:5000/")
    assert Config().CONTEST_PUBLIC_URL == "http://192.168.1.10:5000/"
    monkeypatch.delenv("CONTEST_PUBLIC_URL")
    assert Config().CONTEST_PUBLIC_URL is None
    assert is_loopback("http://127.0.0.1:5000") and is_loopback("http://localhost") and is_loopback("http://[::1]/")
    assert is_loopback("http://0.0.0.0:5000") and not is_loopback("http://192.168.1.10:5000")


def test_the_board_warns_on_a_loopback_address(client, demo):
    html = unescape(client.get("/board/2019").get_data(as_text=True))
    assert "Địa chỉ công khai đang là địa chỉ nội bộ của máy chủ (http://localhost/board/2019)" in html


def test_the_desk_marks_a_judge_of_a_finalists_unit_and_labels_teams_apart(app, demo):
    entries = {e.unit.name: e for e in db.session.scalars(select(Entry).where(Entry.edition_id == demo.id))}
    judge = final_judges(demo)[2]
    judge.unit_id = entries["Sở Nội vụ"].unit_id
    # a second finalist of Sở Nội vụ, and neither has a team
    nv = entries["Sở Nội vụ"]
    nv.team_id = None
    db.session.add(Entry(edition_id=demo.id, unit_id=nv.unit_id, title="Văn thư điện tử dùng chung",
                         qualifying_status=RoundStatus.PASSED.value, preliminary_status=RoundStatus.PASSED.value,
                         final_order=13))
    db.session.commit()
    desk = live_state.desk_state(db.session.get(Edition, demo.id))
    rows = {e["order"]: e for e in desk["entries"]}
    assert rows[9]["same_unit_judges"] == ["Giám khảo 3"]
    assert rows[1]["same_unit_judges"] == []
    assert rows[9]["team"] == "Sở Nội vụ — Tổ chức cơ sở dữ liệu tổng hợp dùng…"
    assert rows[13]["team"] == "Sở Nội vụ — Văn thư điện tử dùng chung"
    assert rows[4]["team"] == "Sở Thông tin và Truyền thông"
