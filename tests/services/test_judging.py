"""record_mark and correct_mark, on SQLite and PostgreSQL."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from contest_app.extensions import db
from contest_app.models import AuditEvent, Mark, MarkSubmission
from contest_app.services.final import live_state
from contest_app.services.errors import Conflict, PermissionDenied, ValidationError
from contest_app.services.final.judging import correct_mark, parse_mark, record_mark


@pytest.fixture
def final(any_app):
    """The 2019 demo without marks, knowledge open for the first finalist."""
    from contest_app.services.demo import load_demo
    from contest_app.services.final.judge_access import final_judges
    from contest_app.services.final.results import finalists

    edition = load_demo(with_marks=False)
    entry = finalists(edition)[0]
    segment = live_state.get_segment(edition, "knowledge")
    live_state.open_segment(edition=edition, entry=entry, segment=segment, actor="test")
    db.session.commit()
    return edition, entry, segment, final_judges(edition)


def test_record_mark_stores_exact_decimal(final):
    edition, entry, segment, judges = final
    outcome = record_mark(judge_id=judges[0].id, entry_id=entry.id, segment_key=segment.key, value="8,5", idempotency_key="svc-key-0001")
    db.session.commit()
    assert outcome.replayed is False
    assert db.session.scalar(select(Mark.value)) == Decimal("8.50")


def test_record_mark_same_key_replayed_once(final):
    edition, entry, segment, judges = final
    record_mark(judge_id=judges[0].id, entry_id=entry.id, segment_key=segment.key, value=7, idempotency_key="svc-key-0002")
    db.session.commit()
    again = record_mark(judge_id=judges[0].id, entry_id=entry.id, segment_key=segment.key, value=9, idempotency_key="svc-key-0002")
    assert again.replayed is True and again.mark.value == Decimal("7.00")
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 1
    assert db.session.scalar(select(func.count()).select_from(MarkSubmission)) == 1


def test_record_mark_racing_duplicate_raises_integrity_then_rereads(final, any_app):
    """Two identical resends racing: the second insert fails; re-reading finds the stored one."""
    edition, entry, segment, judges = final
    record_mark(judge_id=judges[0].id, entry_id=entry.id, segment_key=segment.key, value=7, idempotency_key="svc-key-race")
    db.session.commit()
    # Simulate the loser of the race: it did not see the key, inserts it again.
    db.session.add(MarkSubmission(idempotency_key="svc-key-race", judge_id=judges[0].id, entry_id=entry.id,
                                  segment_id=segment.id, value=Decimal(7)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    outcome = record_mark(judge_id=judges[0].id, entry_id=entry.id, segment_key=segment.key, value=7, idempotency_key="svc-key-race")
    assert outcome.replayed is True
    assert db.session.scalar(select(func.count()).select_from(MarkSubmission)) == 1


@pytest.mark.parametrize(
    ("raw", "code"),
    [("abc", "not_a_number"), ("1e2", "not_a_number"), ("Infinity", "not_a_number"), ("-1", "below_zero"),
     ("10.01", "above_max"), ("9.95", "off_step")],
)
def test_parse_mark_refusals(final, raw, code):
    _edition, _entry, segment, _judges = final
    with pytest.raises(ValidationError) as exc:
        parse_mark(raw, segment)
    assert exc.value.code == code


def test_record_mark_after_close_kept_as_late_mark(final):
    edition, entry, segment, judges = final
    live_state.close_segment(edition=edition, confirm_missing=True)
    db.session.commit()
    outcome = record_mark(judge_id=judges[0].id, entry_id=entry.id, segment_key=segment.key, value="8,5", idempotency_key="svc-key-0003",
                          sent_at="2026-12-06T09:15:00+07:00")
    assert outcome.mark is None and outcome.late.status == "pending"
    assert (str(outcome.late.value), outcome.late.sent_at.isoformat()) == ("8.50", "2026-12-06T09:15:00+07:00")
    again = record_mark(judge_id=judges[0].id, entry_id=entry.id, segment_key=segment.key, value="8,5", idempotency_key="svc-key-0003")
    assert again.replayed is True and again.late.id == outcome.late.id
    other = live_state.get_segment(edition, "situation")  # never opened: refused, not late
    with pytest.raises(Conflict) as exc:
        record_mark(judge_id=judges[0].id, entry_id=entry.id, segment_key=other.key, value=8, idempotency_key="svc-key-0009")
    assert exc.value.code == "segment_closed"


@pytest.mark.parametrize("raw", ["８", "８,５", "٨"])
def test_parse_mark_refuses_non_ascii_digits(final, raw):
    from contest_app.services.final.judging import parse_mark

    _edition, _entry, segment, _judges = final
    with pytest.raises(ValidationError) as exc:
        parse_mark(raw, segment)
    assert exc.value.message == "Điểm phải là một số (ví dụ 8,5)."


def test_correct_mark_after_close_by_secretariat_audited(final, any_app):
    from contest_app.services.trust.accounts import create_user

    edition, entry, segment, judges = final
    record_mark(judge_id=judges[0].id, entry_id=entry.id, segment_key=segment.key, value=7, idempotency_key="svc-key-0004")
    live_state.close_segment(edition=edition, confirm_missing=True)
    secretary = create_user(username="thuky1", role="secretariat", password="mat-khau-123", display_name="Thư ký")
    control = create_user(username="mc1", role="control", password="mat-khau-123", display_name="MC")
    db.session.commit()
    with pytest.raises(PermissionDenied):
        correct_mark(actor=control, judge=judges[0], entry=entry, segment=segment, value=8, reason="Nhập nhầm")
    with pytest.raises(ValidationError) as exc:
        correct_mark(actor=secretary, judge=judges[0], entry=entry, segment=segment, value=8, reason="")
    assert exc.value.message == "Vui lòng ghi rõ lý do sửa điểm (ít nhất 5 ký tự)."
    mark = correct_mark(actor=secretary, judge=judges[0], entry=entry, segment=segment, value="8,2",
                        reason="Giám khảo bấm nhầm, xác nhận trên phiếu giấy")
    db.session.commit()
    assert mark.value == Decimal("8.20")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mark_corrected"))
    assert event.actor == "Thư ký (thuky1)"
    assert event.before == {"value": "7.00"}
    assert event.after["value"] == "8.20"
    assert event.reason == "Giám khảo bấm nhầm, xác nhận trên phiếu giấy"


def test_correct_mark_while_open_refused(final, any_app):
    from contest_app.services.trust.accounts import create_user

    edition, entry, segment, judges = final
    secretary = create_user(username="thuky2", role="secretariat", password="mat-khau-123")
    with pytest.raises(Conflict) as exc:
        correct_mark(actor=secretary, judge=judges[0], entry=entry, segment=segment, value=8, reason="Lý do hợp lệ")
    assert exc.value.code == "segment_open"
