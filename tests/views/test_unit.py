"""Focal points: their own unit's teams and entries, and nothing of any other unit."""
from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select

from contest_app import create_app
from contest_app.config import TestConfig
from contest_app.extensions import db
from contest_app.models import AuditEvent, Entry, Team, TeamMember
from tests.conftest import csrf_token_from
from tests.services.rounds_helpers import tiny_docx, tiny_pdf
from tests.views.rounds_setup import build_world

OTHER_UNIT = "Bạn chỉ được xem và sửa đội thi, mô hình, sáng kiến của đơn vị mình."
DENIED = "Bạn không có quyền thực hiện thao tác này."


class _MapConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"


def _id_routes() -> list[tuple[str, str]]:
    """Every (endpoint, method) of the URL map whose rule takes a team or entry id."""
    app = create_app(_MapConfig)
    routes = []
    for rule in app.url_map.iter_rules():
        if {"entry_id", "team_id"} & set(rule.arguments):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, method))
    return routes


ID_ROUTES = _id_routes()


@pytest.fixture
def world(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return build_world()


def _state():
    entries = [(e.id, e.title, e.summary, e.thematic_group_id, e.team_id, e.qualifying_status, e.qualifying_score,
                e.dossier_path, e.preliminary_status) for e in db.session.scalars(select(Entry).order_by(Entry.id))]
    teams = [(t.id, t.name) for t in db.session.scalars(select(Team).order_by(Team.id))]
    members = db.session.scalar(select(func.count(TeamMember.id)))
    audit = db.session.scalar(select(func.count(AuditEvent.id)))
    return entries, teams, members, audit


def test_url_map_has_the_unit_routes():
    endpoints = {e for e, _m in ID_ROUTES}
    assert {"unit.entry", "unit.team", "unit.dossier", "unit.upload_dossier", "unit.decide", "prelim.score",
            "prelim.dossier"} <= endpoints


@pytest.mark.parametrize(("endpoint", "method"), ID_ROUTES)
def test_focal_point_cannot_read_or_change_another_units_entry(client, login, world, endpoint, method, app):
    """A focal point of unit A asking for unit B's team or entry is refused, in Vietnamese, with no change."""
    assert login("daumoi_a").status_code == 302
    token = csrf_token_from(client.get("/unit/editions/%d" % world.edition.id).get_data(as_text=True))
    rule = next(r for r in app.url_map.iter_rules(endpoint) if method in r.methods)
    with app.test_request_context():
        from flask import url_for

        values = {"entry_id": world.entry_b.id, "team_id": world.team_b.id, "edition_id": world.edition.id,
                  "ref": world.edition.id}
        url = url_for(endpoint, **{k: values.get(k, 1) for k in rule.arguments})
    before = _state()
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={
            "csrf_token": token, "title": "Bị sửa", "summary": "x", "group": "1", "team": "0", "name": "Bị sửa",
            "members": "Nguyễn Văn A - Đội trưởng", "decision": "failed", "score": "10", "note": "x",
            "dossier": (__import__("io").BytesIO(tiny_pdf()), "x.pdf")},
            content_type="multipart/form-data")
    assert response.status_code == 403, (endpoint, method, response.status_code)
    body = unescape(response.get_data(as_text=True))
    assert OTHER_UNIT in body or DENIED in body
    db.session.expire_all()
    assert _state() == before


def test_focal_point_json_refusal_is_vietnamese(client, login, world):
    login("daumoi_a")
    response = client.get(f"/unit/entries/{world.entry_b.id}", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json() == {"ok": False, "code": "other_unit", "message": OTHER_UNIT}


def test_focal_point_sees_only_own_unit_list(client, login, world):
    login("daumoi_a")
    html = unescape(client.get(f"/unit/editions/{world.edition.id}").get_data(as_text=True))
    assert "Khu dân cư điện tử" in html
    assert "Bệnh án điện tử" not in html
    response = client.get(f"/unit/editions/{world.edition.id}?unit_id={world.unit_b.id}")
    assert response.status_code == 403


def test_focal_point_registers_entry_with_docx_dossier(client, login, world, app, tmp_path):
    login("daumoi_a")
    page = client.get(f"/unit/editions/{world.edition.id}/entries/new").get_data(as_text=True)
    import io

    response = client.post(f"/unit/editions/{world.edition.id}/entries/new", data={
        "csrf_token": csrf_token_from(page), "title": "Một cửa liên thông điện tử", "summary": "Tóm tắt",
        "group": "2", "team": str(world.team_a.id), "dossier": (io.BytesIO(tiny_docx()), "../../etc/passwd.docx"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    entry = db.session.scalar(select(Entry).where(Entry.title == "Một cửa liên thông điện tử"))
    assert entry.unit_id == world.unit_a.id and entry.thematic_group.number == 2
    assert entry.dossier_name == "passwd.docx"
    assert entry.dossier_path.startswith("dossiers/") and entry.dossier_path.endswith(".docx")
    assert "passwd" not in entry.dossier_path
    stored = (tmp_path / "uploads" / entry.dossier_path).read_bytes()
    download = client.get(f"/unit/entries/{entry.id}/dossier")
    assert download.status_code == 200 and download.data == stored and stored[:2] == b"PK"
    assert 'filename=passwd.docx' in download.headers["Content-Disposition"]
    download.close()


def test_dossier_with_wrong_content_is_refused(client, login, world):
    login("daumoi_a")
    import io

    page = client.get(f"/unit/entries/{world.entry_a.id}").get_data(as_text=True)
    response = client.post(f"/unit/entries/{world.entry_a.id}/dossier", data={
        "csrf_token": csrf_token_from(page), "dossier": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "de-cuong.pdf"),
    }, content_type="multipart/form-data", follow_redirects=True)
    assert "Tệp hồ sơ phải là PDF hoặc Word (DOCX); nội dung tệp không đúng định dạng." in unescape(
        response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Entry, world.entry_a.id).dossier_path is None


def test_dossier_over_the_per_file_limit_is_refused(client, login, world, app):
    app.config["DOSSIER_MAX_BYTES"] = 1024
    login("daumoi_a")
    import io

    page = client.get(f"/unit/entries/{world.entry_a.id}").get_data(as_text=True)
    response = client.post(f"/unit/entries/{world.entry_a.id}/dossier", data={
        "csrf_token": csrf_token_from(page), "dossier": (io.BytesIO(b"%PDF-1.4\n" + b"0" * 2048), "lon.pdf"),
    }, content_type="multipart/form-data", follow_redirects=True)
    assert "Tệp hồ sơ vượt quá dung lượng cho phép (1 KB)." in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Entry, world.entry_a.id).dossier_path is None


def test_qualifying_decision_and_deadline(client, login, world, app):
    from datetime import UTC, datetime, timedelta

    from contest_app.services.rounds import qualifying

    login("daumoi_a")
    page = client.get(f"/unit/entries/{world.entry_a.id}").get_data(as_text=True)
    response = client.post(f"/unit/entries/{world.entry_a.id}/qualifying", data={
        "csrf_token": csrf_token_from(page), "decision": "passed", "score": "86,5", "note": "Đạt yêu cầu"},
        follow_redirects=True)
    assert "Đã ghi nhận kết quả vòng loại: Đạt." in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    entry = db.session.get(Entry, world.entry_a.id)
    assert (entry.qualifying_status, str(entry.qualifying_score), entry.qualifying_note) == ("passed", "86.50", "Đạt yêu cầu")

    qualifying.set_deadline(edition=world.edition, deadline=datetime.now(UTC) - timedelta(minutes=1), actor=world.organiser)
    db.session.commit()
    response = client.post(f"/unit/entries/{world.entry_a.id}/qualifying", data={
        "csrf_token": csrf_token_from(page), "decision": "failed"}, follow_redirects=True)
    assert "Đã quá hạn ghi nhận kết quả vòng loại (" in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Entry, world.entry_a.id).qualifying_status == "passed"


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(f"/unit/entries/{world.entry_a.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
