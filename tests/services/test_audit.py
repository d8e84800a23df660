from sqlalchemy import text

from contest_app.extensions import db
from contest_app.services.trust.audit import GENESIS, record_event, verify_chain


def _three_events():
    a = record_event(actor="thuky", action="mark.change", object_type="mark", object_id=1,
                     before={"value": "8.50"}, after={"value": "9.00"}, reason="Nhập nhầm")
    b = record_event(actor="thuky", action="edition.lock", object_type="edition", object_id=4)
    c = record_event(actor="btc", action="draw.confirm", object_type="draw", object_id=1, after={"seed": "abc"})
    db.session.commit()
    return a, b, c


def test_chain_links_every_record(any_app):
    a, b, c = _three_events()
    assert a.prev_hash == GENESIS
    assert b.prev_hash == a.hash and c.prev_hash == b.hash
    assert verify_chain() == []


def test_chain_detects_an_edited_record(any_app):
    a, b, c = _three_events()
    db.session.execute(text("UPDATE audit_event SET reason = 'Sửa lén' WHERE id = :id"), {"id": a.id})
    db.session.commit()
    db.session.expire_all()
    problems = verify_chain()
    assert [(p.event_id, p.message) for p in problems] == [
        (a.id, f"Bản ghi #{a.id}: nội dung đã bị sửa sau khi ghi.")
    ]


def test_chain_detects_a_deleted_record(any_app):
    a, b, c = _three_events()
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": b.id})
    db.session.commit()
    db.session.expire_all()
    problems = verify_chain()
    assert [(p.event_id, p.message) for p in problems] == [
        (c.id, f"Bản ghi #{c.id}: liên kết tới bản ghi trước bị đứt (có bản ghi bị xóa hoặc sửa).")
    ]
