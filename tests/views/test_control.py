"""The control desk page and the secretariat's judges pages."""
from __future__ import annotations

import re

import pytest

from contest_app.extensions import db
from tests.conftest import csrf_token_from


@pytest.fixture
def final(app):
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=False)
    db.session.commit()
    return edition


def test_desk_requires_desk_role(client, final, make_user, login):
    assert client.get("/control").status_code == 302
    make_user("daumoi", role="focal_point", unit_id=_unit_id())
    login("daumoi")
    response = client.get("/control")
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này." in response.get_data(as_text=True)


def _unit_id() -> int:
    from contest_app.services.demo import ensure_units

    return next(iter(ensure_units().values())).id


def test_desk_page_for_control_role(client, final, make_user, login):
    make_user("dieukhien", role="control")
    login("dieukhien")
    page = client.get("/control").get_data(as_text=True)
    assert "Bàn điều khiển · Lần thứ 4 - năm 2019" in page
    assert 'data-edition="2019"' in page
    assert "js/control.js" in page and "js/present_desk.js" in page
    assert "Mở chấm" in page and "Đóng chấm" in page and "Công bố giải thưởng" in page


def test_qr_sheet_has_six_png_qr_codes_and_pins(client, final, make_user, login):
    make_user("thuky", role="secretariat")
    login("thuky")
    page = client.get("/secretariat/judges/qr-sheet?edition=2019").get_data(as_text=True)
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 6
    assert len(re.findall(r"PIN: <strong>\d{6}</strong>", page)) == 6
    assert "http://localhost/j/" in page


def test_secretariat_revokes_and_regenerates(client, final, make_user, login):
    from contest_app.models import AuditEvent, Judge
    from contest_app.services.final.judge_access import final_judges

    make_user("thuky", role="secretariat")
    login("thuky")
    page = client.get("/secretariat/judges?edition=2019").get_data(as_text=True)
    judge = final_judges(final)[0]
    token = csrf_token_from(page)
    client.post(f"/secretariat/judges/{judge.id}/revoke", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Judge, judge.id).revoked_at is not None
    client.post(f"/secretariat/judges/{judge.id}/regenerate", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Judge, judge.id).revoked_at is None
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id) if e.action != "mark_state"]
    assert actions == ["judge_access_revoked", "judge_access_regenerated"]


def test_secretariat_corrects_closed_mark_and_reads_audit(client, final, make_user, login):
    from decimal import Decimal

    from contest_app.models import Mark
    from contest_app.services.final import live_state
    from contest_app.services.final.judge_access import final_judges
    from contest_app.services.final.judging import record_mark
    from contest_app.services.final.results import finalists

    entry = finalists(final)[0]
    segment = live_state.get_segment(final, "knowledge")
    judge = final_judges(final)[0]
    live_state.open_segment(edition=final, entry=entry, segment=segment, actor="t")
    record_mark(judge_id=judge.id, entry_id=entry.id, segment_key=segment.key, value=6, idempotency_key="view-correct-1")
    live_state.close_segment(edition=final, confirm_missing=True)
    db.session.commit()
    make_user("thuky", role="secretariat")
    login("thuky")
    token = csrf_token_from(client.get("/secretariat/marks?edition=2019").get_data(as_text=True))
    response = client.post("/secretariat/marks?edition=2019", data={
        "csrf_token": token, "entry_id": entry.id, "segment_key": "knowledge", "judge_id": judge.id,
        "value": "6,5", "reason": "Phiếu giấy ghi 6,5"}, follow_redirects=True)
    assert "Đã sửa điểm và ghi vào nhật ký." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(Mark).one().value == Decimal("6.50")
    audit = client.get("/secretariat/audit?edition=2019").get_data(as_text=True)
    assert "Sửa điểm" in audit and "Phiếu giấy ghi 6,5" in audit and "Chuỗi nhật ký toàn vẹn" in audit


def test_control_role_cannot_correct_marks(client, final, make_user, login):
    make_user("dieukhien", role="control")
    login("dieukhien")
    assert client.get("/secretariat/marks?edition=2019").status_code == 403
