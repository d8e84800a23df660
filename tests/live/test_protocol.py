"""The documented protocol through the Socket.IO test client: refusals, idempotency, read-only board."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from contest_app.extensions import db, socketio
from contest_app.live import events as ev
from contest_app.models import Mark, MarkSubmission
from tests.live.conftest import ack, entry_ids


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def opened(live_demo, desk):
    """The knowledge segment open for the first finalist; returns its entry id."""
    first = entry_ids(live_demo)[0]
    reply = ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)
    assert reply == {"ok": True, "seq": reply["seq"]}
    return first


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("tám", "not_a_number", "Điểm phải là một số (ví dụ 8,5)."),
        ("", "not_a_number", "Điểm phải là một số (ví dụ 8,5)."),
        (True, "not_a_number", "Điểm phải là một số (ví dụ 8,5)."),
        ("NaN", "not_a_number", "Điểm phải là một số (ví dụ 8,5)."),
        (None, "not_a_number", "Điểm phải là một số (ví dụ 8,5)."),
        ("10,1", "above_max", "Điểm không được vượt quá 10 (điểm tối đa của phần thi)."),
        (11, "above_max", "Điểm không được vượt quá 10 (điểm tối đa của phần thi)."),
        ("-0,5", "below_zero", "Điểm không được nhỏ hơn 0."),
        ("8,55", "off_step", "Điểm phải là bội số của 0,1 (ví dụ 7,5)."),
        (8.25, "off_step", "Điểm phải là bội số của 0,1 (ví dụ 7,5)."),
    ],
)
def test_submit_mark_invalid_value_refused_and_nothing_stored(judge_client, opened, value, code, message):
    judge = judge_client(1)
    reply = ack(judge, ev.SUBMIT_MARK, {"entry_id": opened, "segment_key": "knowledge", "value": value,
                                        "idempotency_key": "invalid-value-1"})
    assert reply["ok"] is False
    assert reply["code"] == code
    assert reply["message"] == message
    assert count(Mark) == 0
    assert count(MarkSubmission) == 0


def test_submit_mark_valid_value_acknowledged_with_stored_value(judge_client, opened):
    judge = judge_client(1)
    reply = ack(judge, ev.SUBMIT_MARK, {"entry_id": opened, "segment_key": "knowledge", "value": "8,5",
                                        "idempotency_key": "valid-value-1"})
    assert reply == {"ok": True, "replayed": False, "mark": {
        "entry_id": opened, "segment_key": "knowledge", "value": "8.50", "display": "8,5",
        "idempotency_key": "valid-value-1"}}
    assert db.session.scalar(select(Mark.value)) == __import__("decimal").Decimal("8.50")


def test_submit_mark_resend_same_key_stored_once(judge_client, opened):
    judge = judge_client(1)
    payload = {"entry_id": opened, "segment_key": "knowledge", "value": "7", "idempotency_key": "resend-key-1"}
    first = ack(judge, ev.SUBMIT_MARK, payload)
    again = ack(judge, ev.SUBMIT_MARK, payload)
    third = ack(judge, ev.SUBMIT_MARK, {**payload, "value": "9"})  # a late duplicate cannot change it
    assert first["ok"] and first["replayed"] is False
    assert again["ok"] and again["replayed"] is True and again["mark"]["value"] == "7.00"
    assert third["ok"] and third["replayed"] is True and third["mark"]["value"] == "7.00"
    assert count(Mark) == 1
    assert count(MarkSubmission) == 1


def test_submit_mark_changed_until_closed_old_key_does_not_undo(judge_client, opened):
    judge = judge_client(1)
    base = {"entry_id": opened, "segment_key": "knowledge"}
    assert ack(judge, ev.SUBMIT_MARK, {**base, "value": "7", "idempotency_key": "change-key-1"})["ok"]
    assert ack(judge, ev.SUBMIT_MARK, {**base, "value": "8", "idempotency_key": "change-key-2"})["mark"]["value"] == "8.00"
    late = ack(judge, ev.SUBMIT_MARK, {**base, "value": "7", "idempotency_key": "change-key-1"})
    assert late["replayed"] is True and late["mark"]["value"] == "8.00"
    assert count(Mark) == 1
    db.session.expire_all()
    assert str(db.session.scalar(select(Mark.value))) == "8.00"


def test_close_with_missing_marks_needs_confirmation_then_late_mark_kept(judge_client, opened, desk):
    from contest_app.models import LateMark

    judge = judge_client(1)
    refused = ack(desk, ev.CLOSE_SEGMENT, {}, ev.CONTROL_NS)
    assert refused["ok"] is False and refused["code"] == "missing_marks"
    assert refused["message"].startswith("Còn 6 giám khảo chưa chấm: Giám khảo 1, Giám khảo 2, Giám khảo 3, "
                                         "Giám khảo 4, Giám khảo 5, Giám khảo 6. Xác nhận để vẫn đóng chấm")
    assert [m["seat"] for m in refused["missing"]] == [1, 2, 3, 4, 5, 6]
    assert ack(desk, ev.CLOSE_SEGMENT, {"confirm_missing": True}, ev.CONTROL_NS)["ok"] is True
    desk.get_received(ev.CONTROL_NS)
    reply = ack(judge, ev.SUBMIT_MARK, {"entry_id": opened, "segment_key": "knowledge", "value": "8",
                                        "idempotency_key": "closed-key-1", "sent_at": "2026-12-06T08:00:00Z"})
    assert reply["ok"] is True and reply["late"] is True and reply["status"] == "late_pending"
    assert reply["message"].startswith("Phần thi đã đóng chấm: điểm được giữ lại là điểm nộp muộn")
    assert count(Mark) == 0 and count(LateMark) == 1
    late = [m["args"][0] for m in desk.get_received(ev.CONTROL_NS) if m["name"] == ev.LATE_MARK_RECEIVED]
    assert [(x["judge"], x["display"], x["status"], x["sent_at"]) for x in late] == [
        ("Giám khảo 1", "8", "pending", "2026-12-06T08:00:00+00:00")]


def test_submit_mark_segment_not_open_for_that_team_refused(judge_client, opened, live_demo):
    other = entry_ids(live_demo)[1]
    reply = ack(judge_client(1), ev.SUBMIT_MARK, {"entry_id": other, "segment_key": "knowledge", "value": "8",
                                                  "idempotency_key": "other-team-1"})
    assert reply["code"] == "segment_closed"
    reply = ack(judge_client(1), ev.SUBMIT_MARK, {"entry_id": opened, "segment_key": "situation", "value": "8",
                                                  "idempotency_key": "other-seg-1"})
    assert reply["code"] == "segment_closed"
    assert count(Mark) == 0


def test_submit_mark_as_another_judge_refused(judge_client, opened, credentials):
    judge = judge_client(1)
    reply = ack(judge, ev.SUBMIT_MARK, {"entry_id": opened, "segment_key": "knowledge", "value": "8",
                                        "judge_id": credentials[1].judge.id, "idempotency_key": "as-other-1"})
    assert reply == {"ok": False, "code": "impersonation",
                     "message": "Bạn chỉ được chấm điểm dưới tên của chính mình."}
    # Reusing another judge's idempotency key is acting as them too.
    ok = ack(judge_client(2), ev.SUBMIT_MARK, {"entry_id": opened, "segment_key": "knowledge", "value": "8",
                                               "idempotency_key": "judge-two-key"})
    assert ok["ok"] is True
    stolen = ack(judge, ev.SUBMIT_MARK, {"entry_id": opened, "segment_key": "knowledge", "value": "1",
                                         "idempotency_key": "judge-two-key"})
    assert stolen["code"] == "impersonation"
    assert count(Mark) == 1


def test_submit_mark_other_panel_or_edition_refused(app, judge_client, opened, live_demo):
    from decimal import Decimal

    from contest_app.enums import Panel, RoundStatus
    from contest_app.models import Edition, Entry, Judge, Segment, Team
    from contest_app.services.final.judge_access import credentials_for

    other = Edition(number=5, year=2021, title="Lần thứ 5 - năm 2021")
    other.segments.append(Segment(key="knowledge", name="Kiến thức", max_score=Decimal(10), mark_step=Decimal("0.1"), order=1))
    db.session.add(other)
    db.session.flush()
    unit_id = db.session.get(Entry, opened).unit_id
    team = Team(edition_id=other.id, unit_id=unit_id, name="Đội khác")
    db.session.add(team)
    db.session.flush()
    foreign = Entry(edition_id=other.id, unit_id=unit_id, team_id=team.id, title="Sáng kiến khác",
                    preliminary_status=RoundStatus.PASSED.value)
    preliminary = Judge(edition_id=live_demo.id, name="Giám khảo sơ khảo", panel=Panel.PRELIMINARY.value, seat=9)
    db.session.add_all([foreign, preliminary])
    db.session.flush()
    token = credentials_for(preliminary).token
    db.session.commit()

    reply = ack(judge_client(1), ev.SUBMIT_MARK, {"entry_id": foreign.id, "segment_key": "knowledge", "value": "8",
                                                  "idempotency_key": "foreign-1"})
    assert reply == {"ok": False, "code": "wrong_panel", "message": "Bạn không thuộc Ban Giám khảo chấm phần thi này."}
    reply = ack(judge_client(1, token=token), ev.SUBMIT_MARK,
                {"entry_id": opened, "segment_key": "knowledge", "value": "8", "idempotency_key": "prelim-1"})
    assert reply["code"] == "wrong_panel"
    assert count(Mark) == 0


def test_submit_mark_locked_edition_refused(judge_client, opened, live_demo):
    from datetime import UTC, datetime

    live_demo.locked_at = datetime.now(UTC)
    db.session.commit()
    reply = ack(judge_client(1), ev.SUBMIT_MARK, {"entry_id": opened, "segment_key": "knowledge", "value": "8",
                                                  "idempotency_key": "locked-1"})
    assert reply == {"ok": False, "code": "edition_locked",
                     "message": "Kết quả kỳ thi đã được khóa: không thể thay đổi."}
    assert count(Mark) == 0


def test_judge_connect_bad_token_refused(app, credentials):
    client = socketio.test_client(app, namespace=ev.JUDGE_NS, auth={"token": "not-a-real-token"})
    assert client.is_connected(ev.JUDGE_NS) is False
    client = socketio.test_client(app, namespace=ev.JUDGE_NS)
    assert client.is_connected(ev.JUDGE_NS) is False


def test_judge_revoked_mid_session_refused_unauthenticated(judge_client, opened, credentials):
    from contest_app.services.final.judge_access import revoke

    judge = judge_client(1)
    revoke(judge=credentials[0].judge, actor="Ban Thư ký")
    db.session.commit()
    reply = ack(judge, ev.SUBMIT_MARK, {"entry_id": opened, "segment_key": "knowledge", "value": "8",
                                        "idempotency_key": "revoked-1"})
    assert reply["code"] == "unauthenticated"
    assert reply["message"].startswith("Bạn chưa đăng nhập hoặc mã đăng nhập đã bị thu hồi.")
    assert count(Mark) == 0


@pytest.mark.parametrize("what", ["valid", "word", "entry_not_a_number", "bad_key", "impersonation", "resend"])
@pytest.mark.parametrize("how", ["revoked", "regenerated"])
def test_a_signed_out_tablet_hears_unauthenticated_first_whatever_it_sends(judge_client, opened, credentials,
                                                                           what, how):
    """The session is checked in the mark's own read: a revoked tablet, or one signed in before its
    access was re-issued, is refused ``unauthenticated`` before any other refusal, and nothing is stored."""
    from contest_app.services.final.judge_access import regenerate, revoke

    judge = judge_client(1)
    sent = {"entry_id": opened, "segment_key": "knowledge", "value": "8", "idempotency_key": "signed-out-1"}
    if what == "resend":
        assert ack(judge, ev.SUBMIT_MARK, sent)["ok"] is True
    before = (count(Mark), count(MarkSubmission))
    (revoke if how == "revoked" else regenerate)(judge=credentials[0].judge, actor="Ban Thư ký")
    db.session.commit()
    payload = {
        "valid": {**sent, "idempotency_key": "signed-out-2"},
        "word": {**sent, "value": "tám", "idempotency_key": "signed-out-2"},
        "entry_not_a_number": {**sent, "entry_id": "một", "idempotency_key": "signed-out-2"},
        "bad_key": {**sent, "idempotency_key": "x"},
        "impersonation": {**sent, "judge_id": credentials[1].judge.id, "idempotency_key": "signed-out-2"},
        "resend": sent,
    }[what]
    reply = ack(judge, ev.SUBMIT_MARK, payload)
    assert reply == {"ok": False, "code": "unauthenticated", "message": (
        "Bạn chưa đăng nhập hoặc mã đăng nhập đã bị thu hồi. Vui lòng quét lại mã QR của mình.")}
    assert (count(Mark), count(MarkSubmission)) == before


def test_judge_connect_receives_state_with_open_segment(judge_client, opened):
    judge = judge_client(3)
    received = judge.get_received(ev.JUDGE_NS)
    state = next(m for m in received if m["name"] == ev.STATE_CHANGED)["args"][0]["state"]
    assert state["open"]["entry_id"] == opened
    assert (state["open"]["max_display"], state["open"]["step_display"]) == ("10", "0,1")
    assert state["judge"]["seat"] == 3
    assert state["my_mark"] is None


def test_submit_mark_without_good_idempotency_key_refused(judge_client, opened):
    for key in (None, "short", "x" * 81, "bad key with spaces"):
        reply = ack(judge_client(1), ev.SUBMIT_MARK, {"entry_id": opened, "segment_key": "knowledge", "value": "8",
                                                      "idempotency_key": key})
        assert reply["code"] == "bad_request"
    assert count(Mark) == 0


@pytest.mark.parametrize("event", [ev.SUBMIT_MARK, ev.HEARTBEAT, ev.OPEN_SEGMENT, ev.REVEAL_PRIZES])
def test_board_namespace_refuses_judge_and_desk_events(board_client, opened, event):
    board = board_client()
    reply = ack(board, event, {"entry_id": opened, "segment_key": "knowledge", "value": "8",
                               "idempotency_key": "board-try-1"}, ev.BOARD_NS)
    assert reply == {"ok": False, "code": "read_only",
                     "message": "Bảng điểm chỉ để xem: kênh này không nhận thao tác chấm điểm hay điều khiển."}
    assert count(Mark) == 0


def test_board_connect_gets_snapshot_then_numbered_deltas(board_client, judge_client, opened, desk):
    board = board_client()
    snapshot = board.get_received(ev.BOARD_NS)[0]
    assert snapshot["name"] == ev.BOARD_SNAPSHOT
    seq = snapshot["args"][0]["seq"]
    assert snapshot["args"][0]["snapshot"]["open"]["count"] == 0
    reply = ack(judge_client(1), ev.SUBMIT_MARK, {"entry_id": opened, "segment_key": "knowledge", "value": "8",
                                                  "idempotency_key": "delta-key-1"})
    assert reply["ok"] is True
    updates = [m["args"][0] for m in board.get_received(ev.BOARD_NS) if m["name"] == ev.BOARD_UPDATED]
    assert [u["seq"] for u in updates] == [seq + 1]
    changes = updates[0]["changes"]
    assert set(changes) == {"open", "rows"}
    assert list(changes["rows"]) == [str(opened)]
    assert changes["rows"][str(opened)]["cells"]["knowledge"] == {"score": None, "count": 1, "status": "open"}


def test_control_refuses_anonymous(app, live_demo):
    client = socketio.test_client(app, namespace=ev.CONTROL_NS, auth={"edition": 2019})
    assert client.is_connected(ev.CONTROL_NS) is False


def test_control_refuses_focal_point(app, live_demo, make_user):
    from contest_app.services.demo import ensure_units

    unit = next(iter(ensure_units().values()))
    make_user("daumoi", role="focal_point", unit_id=unit.id)
    flask_client = app.test_client()
    from tests.conftest import csrf_token_from

    token = csrf_token_from(flask_client.get("/auth/login").get_data(as_text=True))
    flask_client.post("/auth/login", data={"username": "daumoi", "password": "mat-khau-123", "csrf_token": token})
    client = socketio.test_client(app, namespace=ev.CONTROL_NS, auth={"edition": 2019}, flask_test_client=flask_client)
    assert client.is_connected(ev.CONTROL_NS) is False


def test_judge_cannot_use_desk_events(judge_client, live_demo, opened):
    judge = judge_client(1)
    # A desk event sent on /judge has no handler there: nothing opens.
    judge.emit(ev.CLOSE_SEGMENT, {}, namespace=ev.JUDGE_NS)
    from contest_app.services.final.live_state import state_of

    db.session.expire_all()
    assert state_of(live_demo).open_entry_id == opened


def test_heartbeat_acknowledged_and_desk_sees_unsent(judge_client, desk, credentials):
    judge = judge_client(2)
    desk.get_received(ev.CONTROL_NS)
    reply = ack(judge, ev.HEARTBEAT, {"unsent": 3})
    assert reply["ok"] is True and "server_time" in reply
    seen = [m["args"][0] for m in desk.get_received(ev.CONTROL_NS) if m["name"] == ev.JUDGE_SEEN]
    assert seen[-1]["judge_id"] == credentials[1].judge.id
    assert seen[-1]["unsent"] == 3 and seen[-1]["connected"] is True
