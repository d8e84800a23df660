"""`flask audit verify`: an intact chain passes; a record deleted or edited in SQL is named."""
from sqlalchemy import text

from contest_app.extensions import db
from contest_app.services.trust.audit import record_event


def _five_events():
    events = [
        record_event(actor="thuky", action="mark.change", edition_id=None, object_type="mark", object_id=i,
                     before={"value": "8.50"}, after={"value": f"9.{i}0"}, reason="Nhập nhầm")
        for i in range(5)
    ]
    db.session.commit()
    return [e.id for e in events]


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_audit_verify_intact_chain_exits_zero(any_app):
    from contest_app.models import AuditEvent

    ids = _five_events()
    result = _verify(any_app)
    assert result.exit_code == 0, result.output
    head = db.session.get(AuditEvent, ids[-1]).hash
    assert result.output == f"Chuỗi nhật ký toàn vẹn: 5 bản ghi; 0 điểm khớp với nhật ký.\nMã băm của bản ghi cuối (#{ids[-1]}): {head}\n"


def test_audit_verify_empty_trail_is_intact(any_app):
    result = _verify(any_app)
    assert result.exit_code == 0
    assert result.output == "Chuỗi nhật ký toàn vẹn: 0 bản ghi; 0 điểm khớp với nhật ký.\n"


def test_audit_verify_detects_a_record_deleted_in_sql(any_app):
    ids = _five_events()
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[2]})
    db.session.commit()
    result = _verify(any_app)
    assert result.exit_code == 1
    assert result.output == (
        "Chuỗi nhật ký KHÔNG toàn vẹn: 1 lỗi (lỗi đầu tiên trước).\n"
        f"- Bản ghi #{ids[3]}: liên kết tới bản ghi trước bị đứt (có bản ghi bị xóa hoặc sửa).\n"
    )


def test_audit_verify_detects_a_record_edited_in_sql(any_app):
    ids = _five_events()
    db.session.execute(
        text("UPDATE audit_event SET after = :after WHERE id = :id"), {"after": '{"value": "10.00"}', "id": ids[1]}
    )
    db.session.commit()
    result = _verify(any_app)
    assert result.exit_code == 1
    assert result.output == (
        "Chuỗi nhật ký KHÔNG toàn vẹn: 1 lỗi (lỗi đầu tiên trước).\n"
        f"- Bản ghi #{ids[1]}: nội dung đã bị sửa sau khi ghi.\n"
    )


def test_audit_verify_truncated_tail_shows_in_the_head_hash(any_app):
    """Deleting the newest record leaves a valid chain: the head hash kept outside is what changes."""
    ids = _five_events()
    before = _verify(any_app).output.splitlines()[1]
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[-1]})
    db.session.commit()
    result = _verify(any_app)
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "Chuỗi nhật ký toàn vẹn: 4 bản ghi; 0 điểm khớp với nhật ký."
    assert result.output.splitlines()[1] != before


def test_audit_verify_detects_an_edited_and_rehashed_record_by_the_next_link(any_app):
    """Editing a record and recomputing its own hash still breaks the next record's link."""
    from contest_app.models import AuditEvent
    from contest_app.services.trust.audit import _digest

    ids = _five_events()
    event = db.session.get(AuditEvent, ids[1])
    event.reason = "Sửa lén và tính lại băm"
    event.hash = _digest(event)
    db.session.commit()
    result = _verify(any_app)
    assert result.exit_code == 1
    assert f"- Bản ghi #{ids[2]}: liên kết tới bản ghi trước bị đứt (có bản ghi bị xóa hoặc sửa).\n" in result.output
