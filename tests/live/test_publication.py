"""The publication rule through the documented protocol, in both reveal modes (SQLite).

Every public surface (board deltas, ``snapshot.json``, the results page and its JSON) is
read while marks are partial, complete-but-open, closed, revealed and hidden again.
"""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from contest_app.enums import RevealMode
from contest_app.extensions import db
from contest_app.live import events as ev
from contest_app.models import AuditEvent
from tests.live.conftest import ack, entry_ids

VALUES = ["9", "8", "7", "9", "8", "7"]  # mean 8,00


def mark(judge_client, seat, entry_id, key, value, tag):
    reply = ack(judge_client(seat), ev.SUBMIT_MARK, {"entry_id": entry_id, "segment_key": key, "value": value,
                                                     "idempotency_key": f"{tag}-{seat:03d}-{entry_id:04d}"})
    assert reply["ok"] is True, reply
    return reply


def public_surfaces(app, entry_id):
    """What an anonymous visitor reads about ``entry_id`` on every public surface."""
    client = app.test_client()
    snap = client.get("/board/2019/snapshot.json").get_json()["snapshot"]
    data = client.get("/editions/2019/results.json").get_json()
    page = client.get("/editions/2019/results").get_data(as_text=True)
    row = next(r for r in data["rows"] if r["entry_id"] == entry_id)
    board = snap["rows"][str(entry_id)]
    return {
        "board": (board["cells"]["knowledge"]["score"], board["total"], board["rank"], board["prize"]),
        "json": (row["scores"]["knowledge"], row["total"], row["rank"], row["prize"]),
        "page_has_8": "8,00" in page,
        "ranked": sorted(r["entry_id"] for r in data["rows"] if r["rank"] is not None),
    }


@pytest.fixture
def mode(live_demo, request):
    live_demo.reveal_mode = request.param
    db.session.commit()
    return request.param


@pytest.mark.parametrize("mode", [RevealMode.ALL_IN.value, RevealMode.DESK.value], indirect=True)
def test_nothing_public_while_partial_or_open_in_either_mode(app, mode, desk, judge_client, live_demo):
    first = entry_ids(live_demo)[0]
    assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    for seat in (1, 2, 3):
        mark(judge_client, seat, first, "knowledge", VALUES[seat - 1], "partial")
    hidden = {"board": (None, None, None, None), "json": (None, None, None, None), "page_has_8": False,
              "ranked": []}
    assert public_surfaces(app, first) == hidden
    for seat in (4, 5, 6):
        mark(judge_client, seat, first, "knowledge", VALUES[seat - 1], "partial")
    # Six of six, still open: the last judge may still fix a slip; nothing is public.
    assert public_surfaces(app, first) == hidden
    # A segment still open cannot be revealed by the desk either.
    refused = ack(desk, ev.REVEAL_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)
    assert (refused["ok"], refused["code"]) == (False, "segment_open")
    assert ack(desk, ev.CLOSE_SEGMENT, {}, ev.CONTROL_NS)["ok"] is True
    if mode == RevealMode.ALL_IN.value:
        # all_in: complete and closed is published at once.
        assert public_surfaces(app, first)["board"] == ("8,00", "8,00", 1, None)
    else:
        # desk: waits for the desk, then follows it both ways.
        assert public_surfaces(app, first) == hidden
        assert ack(desk, ev.REVEAL_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
        shown = public_surfaces(app, first)
        assert shown == {"board": ("8,00", "8,00", 1, None), "json": ("8.00", "8.00", 1, None),
                         "page_has_8": True, "ranked": [first]}
    assert ack(desk, ev.REVEAL_SEGMENT, {"entry_id": first, "segment_key": "knowledge", "revealed": False},
               ev.CONTROL_NS)["ok"]
    assert public_surfaces(app, first) == hidden


@pytest.mark.parametrize("mode", [RevealMode.ALL_IN.value, RevealMode.DESK.value], indirect=True)
def test_ranks_and_prizes_come_only_from_published_cells(app, mode, desk, judge_client, live_demo, board_client):
    first, second = entry_ids(live_demo)[:2]
    for entry_id, values in ((first, ["5"] * 6), (second, ["9"] * 6)):
        assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": entry_id, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
        for seat in range(1, 7):
            mark(judge_client, seat, entry_id, "knowledge", values[seat - 1], "rank")
        assert ack(desk, ev.CLOSE_SEGMENT, {}, ev.CONTROL_NS)["ok"]
    if mode == RevealMode.DESK.value:
        assert ack(desk, ev.REVEAL_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
        # The second team's 9,00 is hidden: it must not rank, nor push the first team down.
        snap = board_client().get_received(ev.BOARD_NS)[0]["args"][0]["snapshot"]
        assert (snap["rows"][str(first)]["rank"], snap["rows"][str(second)]["rank"]) == (1, None)
        assert snap["order"][0] == first
        assert ack(desk, ev.REVEAL_SEGMENT, {"entry_id": second, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    snap = board_client().get_received(ev.BOARD_NS)[0]["args"][0]["snapshot"]
    assert [snap["rows"][str(e)]["rank"] for e in (second, first)] == [1, 2]
    assert snap["order"][:2] == [second, first]
    # Prizes stay hidden while any cell is unpublished, and reveal_prizes says so.
    refused = ack(desk, ev.REVEAL_PRIZES, {}, ev.CONTROL_NS)
    assert refused["code"] == "scores_hidden"
    assert refused["message"].startswith("Chưa thể công bố giải: còn điểm chưa công bố (Sở Tài nguyên và Môi "
                                         "trường – Xử lý tình huống; ")
    assert refused["message"].endswith(" và 28 ô khác).")
    assert {r["prize"] for r in snap["rows"].values()} == {None} and snap["awards"] == []
    data = app.test_client().get("/editions/2019/results.json").get_json()
    assert data["side_awards"] == [] and {r["prize"] for r in data["rows"]} == {None}


def test_before_the_final_public_pages_show_drawn_order_without_ranks(app, live_demo, board_client):
    from contest_app.models import RoundProgress

    board = board_client()
    snap = board.get_received(ev.BOARD_NS)[0]["args"][0]["snapshot"]
    assert [snap["rows"][str(e)]["order"] for e in snap["order"]] == list(range(1, 13))
    assert {(r["rank"], r["tied"], r["total"]) for r in snap["rows"].values()} == {(None, False, None)}
    page = app.test_client().get("/editions/2019/results").get_data(as_text=True)
    assert "Đồng điểm" not in page and "1 <span" not in page
    # Not yet published by the organiser: no finalist is named anywhere public.
    db.session.execute(RoundProgress.__table__.update().values(published_at=None))
    db.session.commit()
    assert board_client().get_received(ev.BOARD_NS)[0]["args"][0]["snapshot"]["rows"] == {}
    page = app.test_client().get("/editions/2019/results").get_data(as_text=True)
    assert "Danh sách đội thi vào vòng chung khảo chưa được công bố." in page
    assert app.test_client().get("/editions/2019/results.json").get_json()["rows"] == []


def test_protocol_bugs_of_point_seven(app, desk, judge_client, live_demo, board_client):
    first = entry_ids(live_demo)[0]
    assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    board = board_client()
    board.get_received(ev.BOARD_NS)
    # open_segment again for the window already open: no false "reopened" line, no empty update.
    again = ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)
    assert again["ok"] is True
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "segment_reopened")) is None
    assert [m for m in board.get_received(ev.BOARD_NS) if m["name"] == ev.BOARD_UPDATED] == []
    # mark_recorded carries the count, also when a judge replaces a mark.
    desk.get_received(ev.CONTROL_NS)
    judge = judge_client(1)
    for key, value in (("replace-key-001", "7"), ("replace-key-002", "8")):
        assert ack(judge, ev.SUBMIT_MARK, {"entry_id": first, "segment_key": "knowledge", "value": value,
                                           "idempotency_key": key})["ok"]
    counts = [m["args"][0]["count"] for m in desk.get_received(ev.CONTROL_NS) if m["name"] == ev.MARK_RECORDED]
    assert counts == [1, 1]
    # A full-width digit is not a mark.
    reply = ack(judge, ev.SUBMIT_MARK, {"entry_id": first, "segment_key": "knowledge", "value": "８",
                                        "idempotency_key": "fullwidth-001"})
    assert (reply["ok"], reply["code"]) == (False, "not_a_number")


def test_late_mark_accepted_is_published_and_the_tablet_is_told(app, desk, judge_client, live_demo):
    first = entry_ids(live_demo)[0]
    assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    for seat in range(1, 6):
        mark(judge_client, seat, first, "knowledge", VALUES[seat - 1], "late")
    refused = ack(desk, ev.CLOSE_SEGMENT, {}, ev.CONTROL_NS)
    assert refused["message"].startswith("Còn 1 giám khảo chưa chấm: Giám khảo 6.")
    assert ack(desk, ev.CLOSE_SEGMENT, {"confirm_missing": True}, ev.CONTROL_NS)["ok"]
    assert public_surfaces(app, first)["board"] == (None, None, None, None)
    sixth = judge_client(6)
    late = ack(sixth, ev.SUBMIT_MARK, {"entry_id": first, "segment_key": "knowledge", "value": "7",
                                       "idempotency_key": "late-sixth-001"})
    assert (late["late"], late["status"]) == (True, "late_pending")
    state = ack(sixth, ev.GET_STATE)["state"]
    assert [(m["display"], m["status"]) for m in state["my_marks"]] == [("7", "late_pending")]
    desk_state = ack(desk, ev.GET_DESK, {}, ev.CONTROL_NS)["desk"]
    pending = desk_state["late_marks"]
    assert [(p["judge"], p["display"], p["status"]) for p in pending] == [("Giám khảo 6", "7", "pending")]
    assert ack(desk, ev.REJECT_LATE_MARK, {"late_mark_id": pending[0]["id"], "reason": "x"},
               ev.CONTROL_NS)["code"] == "reason_required"
    sixth.get_received(ev.JUDGE_NS)
    assert ack(desk, ev.ACCEPT_LATE_MARK, {"late_mark_id": pending[0]["id"]}, ev.CONTROL_NS)["ok"]
    told = [m["args"][0] for m in sixth.get_received(ev.JUDGE_NS) if m["name"] == ev.MARK_STATUS]
    assert [(t["status"], t["display"]) for t in told] == [("accepted", "7")]
    # Six of six and closed: all_in publishes it now.
    assert public_surfaces(app, first)["board"] == ("8,00", "8,00", 1, None)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "late_mark_accepted"))
    assert audit.actor == "dieukhien (dieukhien)" or audit.actor.endswith("(dieukhien)")


def test_a_mark_walks_to_the_broadcast_in_a_bounded_number_of_statements(app, desk, judge_client, live_demo):
    first = entry_ids(live_demo)[0]
    assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    judge = judge_client(1)
    mark(judge_client, 2, first, "knowledge", "8", "warm")  # the first board is stored already
    statements: list[str] = []
    me = threading.get_ident()

    def count(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == me:  # the handler's own path, not the desk's background task
            statements.append(statement)

    app.config["CONTEST_CHECK_BOARD_DELTA"] = False  # the check's own statements are not the path's
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        reply = ack(judge, ev.SUBMIT_MARK, {"entry_id": first, "segment_key": "knowledge", "value": "9",
                                            "idempotency_key": "counted-mark-1"})
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        app.config["CONTEST_CHECK_BOARD_DELTA"] = True
    assert reply["ok"] is True
    # handler → record_mark → publication.mark_changed → commit → broadcast (the board, then a
    # coalesced notice to the desks, which fetch their state themselves). 8 measured on SQLite, all
    # before the commit: what the mark needs 1 (the judge as stored with the session's access
    # version, the entry, its edition's lock, the segment, the window, the judge's mark in it, the
    # key used or not); inserts 2 (the mark, its ledger row); the audit chain 2 (its head once per
    # transaction, then both records in one statement); the board 3 (its row under lock, the cell's
    # count, the patched board: an open window's mark changes only that count).
    # An upper bound, not a timing.
    assert len(statements) <= 8, "\n".join(statements)


def test_secretariat_rejects_a_late_mark_with_a_reason_and_the_tablet_shows_why(
        app, desk, judge_client, live_demo, make_user):
    from html import unescape

    from tests.conftest import csrf_token_from

    first = entry_ids(live_demo)[0]
    assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    assert ack(desk, ev.CLOSE_SEGMENT, {"confirm_missing": True}, ev.CONTROL_NS)["ok"]
    judge = judge_client(2)
    assert ack(judge, ev.SUBMIT_MARK, {"entry_id": first, "segment_key": "knowledge", "value": "6",
                                       "idempotency_key": "late-reject-01"})["status"] == "late_pending"
    make_user("thuky", role="secretariat")
    web = app.test_client()
    judge.get_received(ev.JUDGE_NS)
    with app.app_context():  # its own context: the socket clients' signed-in users stay theirs
        page = web.get("/auth/login").get_data(as_text=True)
        web.post("/auth/login", data={"username": "thuky", "password": "mat-khau-123",
                                      "csrf_token": csrf_token_from(page)})
        page = unescape(web.get("/secretariat/marks?edition=2019").get_data(as_text=True))
        assert "Điểm nộp muộn (gửi sau khi đóng chấm)" in page
        late_id = int(__import__("re").search(r'data-late="(\d+)"', page).group(1))
        web.post(f"/secretariat/marks/late/{late_id}", data={
            "decision": "reject", "reason": "Gửi sau khi đã công bố", "csrf_token": csrf_token_from(page)})
    told = [m["args"][0] for m in judge.get_received(ev.JUDGE_NS) if m["name"] == ev.MARK_STATUS]
    assert [(t["status"], t["reason"]) for t in told] == [("rejected", "Gửi sau khi đã công bố")]
    mine = ack(judge, ev.GET_STATE)["state"]["my_marks"]
    assert [(m["display"], m["status"], m["reason"]) for m in mine] == [
        ("6", "late_rejected", "Gửi sau khi đã công bố")]
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "late_mark_rejected"))
    assert (audit.reason, audit.actor) == ("Gửi sau khi đã công bố", "thuky (thuky)")


def _board_deltas(client):
    return [m["args"][0] for m in client.get_received(ev.BOARD_NS) if m["name"] == ev.BOARD_UPDATED]


def test_a_mark_in_an_open_window_patches_the_count_and_nothing_else(app, desk, judge_client, board_client, live_demo):
    from contest_app.models import LiveState
    from contest_app.services.final import publication

    first = entry_ids(live_demo)[0]
    assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    board = board_client()
    board.get_received(ev.BOARD_NS)
    seq = db.session.scalar(select(LiveState.board_seq).where(LiveState.edition_id == live_demo.id))
    mark(judge_client, 1, first, "knowledge", "9", "patch")
    mark(judge_client, 1, first, "knowledge", "8", "patch2")  # the same judge again: the count stays 1
    mark(judge_client, 2, first, "knowledge", "7", "patch")
    deltas = _board_deltas(board)
    row = str(first)
    assert [(d["seq"], sorted(d["changes"]), d["changes"]["rows"][row]["cells"]["knowledge"],
             d["changes"]["open"]["count"]) for d in deltas] == [
        (seq + 1, ["open", "rows"], {"score": None, "count": 1, "status": "open"}, 1),
        (seq + 2, ["open", "rows"], {"score": None, "count": 2, "status": "open"}, 2),
    ]
    db.session.expire_all()
    state = db.session.scalar(select(LiveState).where(LiveState.edition_id == live_demo.id))
    whole = publication.build_snapshot(live_demo, state)
    whole["seq"] = state.board_seq
    assert state.snapshot == whole  # the stored board is the board built from nothing


def test_a_stale_stored_board_is_caught_by_the_check(app, desk, judge_client, live_demo):
    from sqlalchemy.orm.attributes import flag_modified

    from contest_app.models import Entry, Judge, LiveState, Mark, Segment
    from contest_app.services.final import publication
    from contest_app.services.final.judging import MarkTarget

    first = entry_ids(live_demo)[0]
    assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    state = db.session.scalar(select(LiveState).where(LiveState.edition_id == live_demo.id))
    state.snapshot["rows"][str(first)]["team"] = "Đội đã đổi tên"
    flag_modified(state, "snapshot")
    db.session.commit()
    entry = db.session.get(Entry, first)
    segment = db.session.scalar(select(Segment).where(Segment.edition_id == live_demo.id, Segment.key == "knowledge"))
    judge = db.session.scalar(select(Judge).where(Judge.edition_id == live_demo.id, Judge.panel == "final"))
    db.session.add(Mark(judge_id=judge.id, entry_id=entry.id, segment_id=segment.id, value=Decimal("8")))
    with pytest.raises(publication.BoardDeltaMismatch, match="Đội đã đổi tên"):
        publication.mark_changed(MarkTarget(edition_id=live_demo.id, entry_id=entry.id, segment_id=segment.id,
                                            segment_key=segment.key, scored_from_answers=False), late=False)
    db.session.rollback()


def test_a_mark_the_stored_board_does_not_show_open_takes_the_whole_path(app, desk, judge_client, board_client,
                                                                       live_demo):
    from sqlalchemy.orm.attributes import flag_modified

    from contest_app.models import LiveState

    first = entry_ids(live_demo)[0]
    assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    state = db.session.scalar(select(LiveState).where(LiveState.edition_id == live_demo.id))
    state.snapshot["rows"][str(first)]["cells"]["knowledge"]["status"] = "waiting"  # as a stale board would say
    flag_modified(state, "snapshot")
    db.session.commit()
    board = board_client()
    board.get_received(ev.BOARD_NS)
    mark(judge_client, 3, first, "knowledge", "9", "whole")
    (delta,) = _board_deltas(board)
    assert delta["changes"]["rows"][str(first)]["cells"]["knowledge"] == {"score": None, "count": 1, "status": "open"}


def test_a_judges_marks_are_chained_and_match_the_trail(app, desk, judge_client, live_demo):
    """The mark's core statements add the same chained records as an ORM write: created, then changed."""
    from contest_app.models import Judge, Mark
    from contest_app.services.trust.audit import MARK_STATE, verify_chain, verify_marks

    first = entry_ids(live_demo)[0]
    assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    assert mark(judge_client, 4, first, "knowledge", "8,5", "trail")["mark"]["display"] == "8,5"
    assert mark(judge_client, 4, first, "knowledge", "9", "trail2")["mark"]["value"] == "9.00"
    db.session.expire_all()
    judge = db.session.scalar(select(Judge).where(Judge.edition_id == live_demo.id, Judge.seat == 4,
                                                  Judge.panel == "final"))
    stored = db.session.scalar(select(Mark).where(Mark.judge_id == judge.id, Mark.entry_id == first))
    assert (stored.value, stored.idempotency_key) == (Decimal("9.00"), "trail2-004-" + f"{first:04d}")
    records = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == str(stored.id))
                                 .order_by(AuditEvent.id)).all()
    state = {"judge_id": judge.id, "entry_id": first, "segment_id": stored.segment_id}
    assert [(r.action, r.actor, r.before, r.after) for r in records] == [
        (MARK_STATE, "(ghi tự động)", None, {**state, "value": "8.50"}),
        ("mark_recorded", f"{judge.name} (giám khảo #{judge.id})", None,
         {"value": "8.50", "entry_id": first, "segment": "knowledge", "idempotency_key": f"trail-004-{first:04d}"}),
        (MARK_STATE, "(ghi tự động)", {**state, "value": "8.50"}, {**state, "value": "9.00"}),
        ("mark_recorded", f"{judge.name} (giám khảo #{judge.id})", {"value": "8.50"},
         {"value": "9.00", "entry_id": first, "segment": "knowledge", "idempotency_key": f"trail2-004-{first:04d}"}),
    ]
    assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]
    assert verify_chain() == [] and verify_marks() == []
