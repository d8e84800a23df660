"""Preliminary judges' pages: their entries only, never their own unit's, scores validated."""
from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select

from contest_app.extensions import db
from contest_app.models import PreliminaryScore
from contest_app.services.rounds import preliminary, qualifying
from tests.conftest import csrf_token_from
from tests.views.rounds_setup import build_world


@pytest.fixture
def world(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    w = build_world()
    for entry in (w.entry_a, w.entry_b):
        qualifying.record_decision(entry=entry, passed=True, actor=w.organiser)
    preliminary.assign_judge(edition=w.edition, judge=w.judge, cluster=None, actor=w.organiser)
    db.session.commit()
    return w


def _form(criteria, values):
    return {f"c{c.id}": v for c, v in zip(criteria, values, strict=True)}


def test_judge_is_not_offered_own_unit_entry(client, login, world):
    login("giamkhao")
    html = unescape(client.get(f"/prelim/editions/{world.edition.id}").get_data(as_text=True))
    assert "Bệnh án điện tử" in html
    assert "Khu dân cư điện tử" not in html  # the judge's own unit (Sở Nội vụ)


def test_forced_post_on_own_unit_entry_is_refused_and_nothing_stored(client, login, world):
    login("giamkhao")
    page = client.get(f"/prelim/editions/{world.edition.id}/entries/{world.entry_b.id}").get_data(as_text=True)
    criteria = preliminary.rubric(world.edition)
    data = {"csrf_token": csrf_token_from(page), **_form(criteria, ["20", "15", "20", "15", "8"])}
    response = client.post(f"/prelim/editions/{world.edition.id}/entries/{world.entry_a.id}", data=data)
    assert response.status_code == 403
    assert "Giám khảo không được chấm mô hình, sáng kiến của chính đơn vị mình." in unescape(response.get_data(as_text=True))
    json_response = client.post(f"/prelim/editions/{world.edition.id}/entries/{world.entry_a.id}", data=data,
                                headers={"Accept": "application/json"})
    assert json_response.get_json() == {"ok": False, "code": "own_unit",
                                        "message": "Giám khảo không được chấm mô hình, sáng kiến của chính đơn vị mình."}
    assert client.get(f"/prelim/editions/{world.edition.id}/entries/{world.entry_a.id}").status_code == 403
    assert client.get(f"/prelim/editions/{world.edition.id}/entries/{world.entry_a.id}/dossier").status_code == 403
    assert db.session.scalar(select(func.count(PreliminaryScore.id))) == 0


def test_judge_scores_an_entry_and_bad_values_are_refused(client, login, world):
    login("giamkhao")
    url = f"/prelim/editions/{world.edition.id}/entries/{world.entry_b.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    criteria = preliminary.rubric(world.edition)
    bad = client.post(url, data={"csrf_token": token, **_form(criteria, ["20", "21", "20", "15", "8"])})
    assert bad.status_code == 400
    assert "Tiêu chí “Tính khả thi”: điểm phải từ 0 đến 20." in unescape(bad.get_data(as_text=True))
    assert db.session.scalar(select(func.count(PreliminaryScore.id))) == 0
    good = client.post(url, data={"csrf_token": token, **_form(criteria, ["20,5", "15", "20", "15", "8"])},
                       follow_redirects=True)
    assert "Đã lưu điểm: tổng 78,50 điểm." in unescape(good.get_data(as_text=True))
    scores = preliminary.entry_scores(world.edition)
    assert str(scores[world.entry_b.id].mean) == "157/2"
    download = client.get(f"/prelim/editions/{world.edition.id}/entries/{world.entry_b.id}/dossier")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    download.close()


def test_focal_point_cannot_open_judge_pages(client, login, world):
    login("daumoi_b")
    response = client.get(f"/prelim/editions/{world.edition.id}")
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này." in unescape(response.get_data(as_text=True))
