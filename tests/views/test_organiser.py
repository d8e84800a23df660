"""Organisers' pages: import, accounts and roles, settings, rubric, closing, finalists, figures, duplicates."""
from __future__ import annotations

import csv
import io
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from contest_app.extensions import db
from contest_app.models import AuditEvent, Entry, User
from contest_app.formatting import vn_moment
from contest_app.services.rounds import preliminary, qualifying
from tests.conftest import csrf_token_from
from tests.services.rounds_helpers import workbook_bytes
from tests.views.rounds_setup import build_world


@pytest.fixture
def world(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return build_world()


def _token(client, url="/organiser/units"):
    return csrf_token_from(client.get(url).get_data(as_text=True))


def test_focal_point_and_judge_are_refused_organiser_pages(client, login, world):
    for username in ("daumoi_a", "giamkhao"):
        login(username)
        response = client.get(f"/organiser/editions/{world.edition.id}/entries")
        assert response.status_code == 403
        assert "Bạn không có quyền thực hiện thao tác này." in unescape(response.get_data(as_text=True))
        client.post("/auth/logout", data={"csrf_token": _token_any(client)})


def _token_any(client):
    return csrf_token_from(client.get("/auth/login").get_data(as_text=True))


def test_post_without_csrf_is_refused(client, login, world):
    login("btc")
    response = client.post("/organiser/units", data={"name": "Đơn vị X", "block": "department"})
    assert response.status_code == 400
    assert "CSRF" in unescape(response.get_data(as_text=True))


def test_import_with_bad_rows_lists_them_and_imports_nothing(client, login, world):
    login("btc")
    url = f"/organiser/editions/{world.edition.id}/import"
    before = db.session.scalar(select(func.count(Entry.id)))
    data = workbook_bytes(entries=[("Cổng dịch vụ công", "", 2, "Sở ABC", ""), ("Đề án mới", "", 9, "Sở Y tế", "")])
    response = client.post(url, data={"csrf_token": _token(client, url), "file": (io.BytesIO(data), "ds.xlsx")},
                           content_type="multipart/form-data")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Tệp có 2 dòng lỗi; chưa nhập dữ liệu nào." in html
    assert "Trang “Mô hình, sáng kiến”, dòng 2, cột “Đơn vị”: không tìm thấy đơn vị “Sở ABC”." in html
    assert "Trang “Mô hình, sáng kiến”, dòng 3, cột “Nhóm”: không có nhóm “9” (các nhóm: 1, 2, 3, 4, 5)." in html
    assert db.session.scalar(select(func.count(Entry.id))) == before
    good = workbook_bytes(entries=[("Cổng dịch vụ công", "", 2, "Sở Y tế", "")])
    response = client.post(url, data={"csrf_token": _token(client, url), "file": (io.BytesIO(good), "ds.xlsx")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Đã nhập 0 đơn vị, 0 đội thi, 1 mô hình, sáng kiến." in unescape(response.get_data(as_text=True))
    template = client.get(f"/organiser/editions/{world.edition.id}/import/template.xlsx")
    assert load_workbook(io.BytesIO(template.data)).sheetnames == ["Hướng dẫn", "Đơn vị", "Đội thi", "Mô hình, sáng kiến"]


def test_role_change_is_audited(client, login, world):
    login("btc")
    token = _token(client, "/organiser/accounts")
    response = client.post(f"/organiser/accounts/{world.judge.id}/role", data={
        "csrf_token": token, f"u{world.judge.id}-role": "focal_point", f"u{world.judge.id}-unit_id": str(world.unit_b.id),
        f"u{world.judge.id}-active": "y"}, follow_redirects=True)
    assert "Đã cập nhật vai trò của “giamkhao”: Cán bộ đầu mối." in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    user = db.session.get(User, world.judge.id)
    assert (user.role, user.unit_id) == ("focal_point", world.unit_b.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.role"))
    assert event.before == {"role": "preliminary_judge", "unit_id": world.unit_a.id, "active": True}
    assert event.after == {"role": "focal_point", "unit_id": world.unit_b.id, "active": True}
    response = client.post("/organiser/accounts", data={
        "csrf_token": token, "username": "daumoi_c", "display_name": "Đầu mối C", "password": "mat-khau-456",
        "role": "focal_point", "unit_id": str(world.unit_a.id)}, follow_redirects=True)
    assert "Đã tạo tài khoản “daumoi_c” (Cán bộ đầu mối)." in unescape(response.get_data(as_text=True))
    created = db.session.scalar(select(User).where(User.username == "daumoi_c"))
    assert created.password_hash != "mat-khau-456" and created.check_password("mat-khau-456")


def test_settings_cutoff_and_deadline(client, login, world):
    login("btc")
    url = f"/organiser/editions/{world.edition.id}/settings"
    response = client.post(url, data={
        "csrf_token": _token(client, url), "rules_reference": "Điều lệ số 1/ĐL-SNV", "preliminary_cutoff": "80,5",
        "report_number": "12/BC-SNV", "report_date": "2021-10-29", "issuing_body": "Sở Nội vụ",
        "qualifying_deadline": "2021-08-15T17:00"}, follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "Đã lưu cài đặt kỳ thi." in html and "17:00 ngày 15/08/2021" in html
    db.session.expire_all()
    assert str(world.edition.preliminary_cutoff) == "80.50"
    assert vn_moment(qualifying.qualifying_round(world.edition).deadline) == "17:00 ngày 15/08/2021"


def test_close_publish_finalists_and_exports(client, login, world):
    for entry in (world.entry_a, world.entry_b):
        qualifying.record_decision(entry=entry, passed=True, actor=world.organiser)
    from contest_app.services.trust.accounts import create_user

    judge2 = create_user(username="giamkhao2", role="preliminary_judge", password="mat-khau-123")
    preliminary.assign_judge(edition=world.edition, judge=world.judge, cluster=None, actor=world.organiser)
    preliminary.assign_judge(edition=world.edition, judge=judge2, cluster=None, actor=world.organiser)
    criteria = preliminary.rubric(world.edition)

    def sheet(values):
        return {c.id: v for c, v in zip(criteria, values, strict=True)}

    preliminary.record_scores(edition=world.edition, judge=world.judge, entry=world.entry_b,
                              values=sheet(["19", "15", "19", "15", "7"]))  # 75
    preliminary.record_scores(edition=world.edition, judge=judge2, entry=world.entry_b,
                              values=sheet(["19", "15", "19", "15", "7"]))  # 75
    preliminary.record_scores(edition=world.edition, judge=judge2, entry=world.entry_a,
                              values=sheet(["19", "15", "19", "15", "6.99"]))  # 74.99
    db.session.commit()
    login("btc")
    page = f"/organiser/editions/{world.edition.id}/preliminary"
    html = unescape(client.get(page).get_data(as_text=True))
    assert "75,00" in html and "74,99" in html and "Trên điểm sàn" in html and "Dưới điểm sàn" in html
    response = client.post(f"{page}/close", data={"csrf_token": _token(client, page)}, follow_redirects=True)
    assert "Đã kết thúc vòng sơ khảo: 1 mô hình, sáng kiến vào vòng chung khảo." in unescape(response.get_data(as_text=True))
    response = client.post(f"{page}/publish", data={"csrf_token": _token(client, page)}, follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "Đã công bố danh sách vào vòng chung khảo." in html and "Bệnh án điện tử" in html
    assert "Khu dân cư điện tử" not in html
    rows = list(csv.reader(io.StringIO(client.get(f"/organiser/editions/{world.edition.id}/finalists.csv")
                                       .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows == [preliminary.FINALIST_HEADERS,
                    ["1", "Sở Y tế", "Khối Sở, ban, ngành", "Đội Sở Y tế", "Bệnh án điện tử", "3", "75,00", "2"]]
    plain = client.get(f"/organiser/editions/{world.edition.id}/finalists.csv?form=plain").get_data(as_text=True)
    assert plain.lstrip("\ufeff").splitlines()[1] == "1,Sở Y tế,\"Khối Sở, ban, ngành\",Đội Sở Y tế,Bệnh án điện tử,3,75.00,2"
    wb = load_workbook(io.BytesIO(client.get(f"/organiser/editions/{world.edition.id}/finalists.xlsx").data))
    assert [c.value for c in wb.active[3]] == [1, "Sở Y tế", "Khối Sở, ban, ngành", "Đội Sở Y tế", "Bệnh án điện tử",
                                               3, 75, 2]
    figures = client.get(f"/organiser/editions/{world.edition.id}/figures.csv").get_data(as_text=True).lstrip("\ufeff")
    assert figures.splitlines()[1:] == ["Vòng loại;2;2;0;0;0;0;1;0;1;0;0", "Vòng sơ khảo;2;2;0;0;0;0;1;0;1;0;0",
                                        "Vòng chung khảo;1;1;0;0;0;0;0;0;1;0;0"]
    assert "Vòng sơ khảo" in unescape(client.get(f"/organiser/editions/{world.edition.id}/figures").get_data(as_text=True))


def test_rubric_page_labels_default_and_saves(client, login, world):
    login("btc")
    url = f"/organiser/editions/{world.edition.id}/rubric"
    html = unescape(client.get(url).get_data(as_text=True))
    assert "Đây là thang điểm MẶC ĐỊNH" in html and "Tính mới, sáng tạo" in html
    response = client.post(url, data={"csrf_token": _token(client, url), "name": ["Tính mới", "Hiệu quả", ""],
                                      "max_points": ["50", "40", ""]}, follow_redirects=True)
    assert "Tổng điểm tối đa các tiêu chí phải bằng 100 (hiện là 90)." in unescape(response.get_data(as_text=True))
    response = client.post(url, data={"csrf_token": _token(client, url), "name": ["Tính mới", "Hiệu quả"],
                                      "max_points": ["60", "40"]}, follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "Đã lưu thang điểm vòng sơ khảo." in html and "MẶC ĐỊNH" not in html


def test_similarity_page_and_review(client, login, world):
    from contest_app.services.rounds import registration

    twin = registration.create_entry(edition=world.edition, unit=world.unit_a, title="Bệnh án điện tử tại trạm y tế",
                                     group=3)
    db.session.commit()
    login("btc")
    url = f"/organiser/editions/{world.edition.id}/similarity"
    html = unescape(client.get(url).get_data(as_text=True))
    assert "Bệnh án điện tử tại trạm y tế" in html and "%" in html
    response = client.post(url, data={"csrf_token": _token(client, url), "entry_a": str(world.entry_b.id),
                                      "entry_b": str(twin.id), "note": "Khác nội dung"},
                           follow_redirects=True)
    assert "Đã ghi nhận cặp mô hình, sáng kiến đã được xem xét." in unescape(response.get_data(as_text=True))
    assert "Đã xem xét (btc (organiser)): Khác nội dung" in unescape(response.get_data(as_text=True))


def test_units_directory_and_cluster(client, login, world):
    login("btc")
    response = client.post("/organiser/units", data={"csrf_token": _token(client), "name": "Sở ABC", "block": "vertical"},
                           follow_redirects=True)
    assert "Đã thêm đơn vị “Sở ABC”." in unescape(response.get_data(as_text=True))
    url = f"/organiser/editions/{world.edition.id}/clusters"
    response = client.post(url, data={"csrf_token": _token(client, url), "name": "Cụm 1",
                                      "units": [str(world.unit_a.id), str(world.unit_b.id)]}, follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "Đã tạo Cụm 1." in html
    response = client.post(url, data={"csrf_token": _token(client, url), "name": "Cụm 2",
                                      "units": [str(world.unit_a.id)]}, follow_redirects=True)
    assert "Đơn vị “Sở Nội vụ” đã thuộc một cụm khác của kỳ thi này." in unescape(response.get_data(as_text=True))
