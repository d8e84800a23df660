"""The qualifying round: the unit's decision, before the organisers' deadline."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import AuditEvent, User
from contest_app.services.rounds import qualifying, registration
from contest_app.services.demo import ensure_units
from contest_app.services.errors import Conflict, PermissionDenied, ValidationError
from tests.services.rounds_helpers import new_edition


@pytest.fixture
def setup(any_app):
    units = ensure_units()
    edition = new_edition()
    unit = units["Sở Nội vụ"]
    focal = User(username="dm", role="focal_point", unit_id=unit.id, password_hash="x")
    other = User(username="dm2", role="focal_point", unit_id=units["Sở Y tế"].id, password_hash="x")
    organiser = User(username="btc", role="organiser", password_hash="x")
    db.session.add_all([focal, other, organiser])
    entry = registration.create_entry(edition=edition, unit=unit, title="Khu dân cư điện tử", group=1)
    return edition, entry, focal, other, organiser


def test_decision_before_deadline_is_recorded_and_audited(setup):
    edition, entry, focal, _other, organiser = setup
    qualifying.set_deadline(edition=edition, deadline=datetime(2021, 8, 15, 17, 0), actor=organiser)
    qualifying.record_decision(entry=entry, passed=True, score="88,25", note="Chọn gửi tỉnh", actor=focal,
                               now=datetime(2021, 8, 15, 9, 59, tzinfo=UTC))  # 16:59 local
    assert (entry.qualifying_status, entry.qualifying_score, entry.qualifying_note) == ("passed", Decimal("88.25"), "Chọn gửi tỉnh")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "qualifying.decide"))
    assert event.before["status"] == "pending" and event.after == {"status": "passed", "score": "88.25", "note": "Chọn gửi tỉnh"}


def test_decision_after_deadline_is_refused(setup):
    edition, entry, focal, _other, organiser = setup
    qualifying.set_deadline(edition=edition, deadline=datetime(2021, 8, 15, 17, 0), actor=organiser)
    with pytest.raises(Conflict) as exc:
        qualifying.record_decision(entry=entry, passed=True, actor=focal, now=datetime(2021, 8, 15, 10, 1, tzinfo=UTC))
    assert exc.value.message == "Đã quá hạn ghi nhận kết quả vòng loại (17:00 ngày 15/08/2021); không thể thay đổi."
    assert entry.qualifying_status == "pending"


def test_decision_by_another_unit_or_bad_score_is_refused(setup):
    _edition, entry, focal, other, _organiser = setup
    with pytest.raises(PermissionDenied):
        qualifying.record_decision(entry=entry, passed=True, actor=other)
    for score, message in (("abc", "Điểm vòng loại “abc” không phải là một số."),
                           ("101", "Điểm vòng loại phải từ 0 đến 100.")):
        with pytest.raises(ValidationError) as exc:
            qualifying.record_decision(entry=entry, passed=True, score=score, actor=focal)
        assert exc.value.message == message
    assert entry.qualifying_status == "pending"
