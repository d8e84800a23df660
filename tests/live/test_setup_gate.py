"""The desk refuses to open marking until the edition's required setup items are green."""
from __future__ import annotations

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.live import events as ev
from contest_app.models import Edition, Entry, Judge
from contest_app.services.final import live_state
from tests.live.conftest import ack


def test_the_desk_refuses_to_open_marking_and_names_what_is_missing(app, live_demo, desk):
    # one judge leaves the panel and a finalist has no order of appearance yet
    db.session.delete(db.session.scalar(select(Judge).where(Judge.seat == 6)))
    entry = db.session.scalar(select(Entry).where(Entry.final_order == 12))
    entry.final_order = None
    db.session.commit()
    first = db.session.scalar(select(Entry).where(Entry.final_order == 1))
    reply = ack(desk, ev.OPEN_SEGMENT, {"entry_id": first.id, "segment_key": "knowledge"}, ev.CONTROL_NS)
    assert reply["ok"] is False and reply["code"] == "setup_incomplete"
    assert reply["message"] == (
        "Chưa thể mở chấm điểm: còn thiếu Bốc thăm thứ tự thi đã xác nhận (1 đội chưa có thứ tự thi.); "
        "Ban Giám khảo chung khảo đủ thành viên (5/6 giám khảo.).")
    assert reply["missing"] == ["draw", "judges"]
    assert live_state.state_of(db.session.get(Edition, live_demo.id)).open_segment_id is None
    entry = db.session.get(Entry, entry.id)
    entry.final_order = 12
    db.session.add(Judge(edition_id=live_demo.id, name="Giám khảo 7", seat=6))
    db.session.commit()
    reply = ack(desk, ev.OPEN_SEGMENT, {"entry_id": first.id, "segment_key": "knowledge"}, ev.CONTROL_NS)
    assert reply["ok"] is True
