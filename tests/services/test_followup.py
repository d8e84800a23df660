"""Plans handed in after the final, and replication, on SQLite and PostgreSQL."""
from datetime import date

import pytest

from contest_app.extensions import db
from contest_app.models import AuditEvent
from contest_app.services.errors import NotFound, ValidationError
from contest_app.services.outputs.followup import followup_rows, plan_state, record_followup, summary

DEADLINE = date(2020, 1, 31)


@pytest.fixture
def demo_any(any_app):
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=True)
    db.session.commit()
    return edition


@pytest.mark.parametrize(
    ("received_on", "today", "expected"),
    [
        (date(2020, 1, 20), date(2020, 3, 1), ("received", 0)),
        (date(2020, 1, 31), date(2020, 3, 1), ("received", 0)),
        (date(2020, 2, 3), date(2020, 3, 1), ("received_late", 3)),
        (None, date(2020, 1, 31), ("waiting", 0)),
        (None, date(2020, 2, 10), ("overdue", 10)),
    ],
)
def test_plan_state_against_the_deadline(received_on, today, expected):
    assert plan_state(DEADLINE, received_on, today) == expected


def test_plan_state_without_deadline():
    assert plan_state(None, None, date(2030, 1, 1)) == ("no_deadline", 0)


def test_followup_rows_list_every_finalist_in_order(demo_any):
    rows = followup_rows(edition=demo_any, today=date(2020, 2, 10))
    assert [r.tt for r in rows] == list(range(1, 13))
    assert rows[8].team == "Sở Nội vụ" and rows[8].prize == "Giải Nhất"
    assert {r.state for r in rows} == {"overdue"}
    assert summary(rows)["overdue"] == 12 and summary(rows)["total"] == 12


def test_record_followup_tracks_received_and_replication(demo_any):
    rows = followup_rows(edition=demo_any, today=date(2020, 1, 15))
    noi_vu, ttt = rows[8], rows[3]
    record_followup(edition=demo_any, entry_id=noi_vu.entry_id, actor="thuky", plan_kind="de_an",
                    received_on=date(2020, 1, 20), document_reference="Tờ trình số 15/TTr-SNV",
                    replication_status="replicated", notes="Nhân rộng toàn tỉnh", today=date(2020, 3, 1))
    record_followup(edition=demo_any, entry_id=ttt.entry_id, actor="thuky", plan_kind="ke_hoach",
                    received_on=date(2020, 2, 5), today=date(2020, 3, 1))
    db.session.commit()
    rows = followup_rows(edition=demo_any, today=date(2020, 3, 1))
    r = rows[8]
    assert (r.state, r.plan_kind_label, r.status_label, r.replication_label, r.document_reference, r.notes) == (
        "received", "Đề án", "Đã nhận", "Đã nhân rộng", "Tờ trình số 15/TTr-SNV", "Nhân rộng toàn tỉnh"
    )
    assert (rows[3].state, rows[3].days_late, rows[3].state_label) == ("received_late", 5, "Nộp muộn")
    assert summary(rows) == {"received": 1, "received_late": 1, "overdue": 10, "waiting": 0, "no_deadline": 0,
                             "total": 12}
    event = db.session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
    assert (event.action, event.after["received_on"]) == ("followup.recorded", "2020-02-05")


def test_record_followup_updates_the_same_record(demo_any):
    entry_id = followup_rows(edition=demo_any, today=date(2020, 1, 1))[0].entry_id
    record_followup(edition=demo_any, entry_id=entry_id, actor="thuky", received_on=date(2020, 1, 2))
    record_followup(edition=demo_any, entry_id=entry_id, actor="thuky", received_on=date(2020, 1, 2),
                    status="appraised", replication_status="pilot")
    db.session.commit()
    row = followup_rows(edition=demo_any, today=date(2020, 1, 3))[0]
    assert (row.status_label, row.replication_label) == ("Đã thẩm định", "Đang thí điểm")


def test_record_followup_refusals(demo_any):
    entry_id = followup_rows(edition=demo_any, today=date(2020, 1, 1))[0].entry_id
    with pytest.raises(ValidationError) as exc:
        record_followup(edition=demo_any, entry_id=entry_id, actor="thuky", status="received")
    assert exc.value.message == "Hãy nhập ngày nhận phương án, đề án hoặc kế hoạch."
    with pytest.raises(ValidationError) as exc:
        record_followup(edition=demo_any, entry_id=entry_id, actor="thuky", replication_status="xong")
    assert exc.value.message == "Tình trạng nhân rộng “xong” không hợp lệ."
    with pytest.raises(ValidationError) as exc:
        record_followup(edition=demo_any, entry_id=entry_id, actor="thuky", received_on=date(2020, 5, 1),
                        today=date(2020, 4, 1))
    assert exc.value.message == "Ngày nhận không thể sau ngày hôm nay."
    with pytest.raises(NotFound):
        record_followup(edition=demo_any, entry_id=987654, actor="thuky")
