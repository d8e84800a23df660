"""The prize ceremony driven by the desk: tier by tier up to Nhất, side awards, the standings."""
from __future__ import annotations

import pytest

from contest_app.extensions import db
from contest_app.live import events as ev
from tests.live.conftest import ack


@pytest.fixture
def live_demo(app):
    """The 2019 demo WITH the judges' marks: the final is over, the prizes are decided."""
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=True)
    db.session.commit()
    return edition


def last_delta(board, seq):
    deltas = [m["args"][0] for m in board.get_received(ev.BOARD_NS) if m["name"] == ev.BOARD_UPDATED]
    return next(d for d in deltas if d["seq"] == seq)


def test_ceremony_previous_before_start_refused(desk):
    reply = ack(desk, ev.CEREMONY_PREVIOUS, {}, ev.CONTROL_NS)
    assert reply == {"ok": False, "code": "ceremony_not_started", "message": "Lễ trao giải chưa bắt đầu."}


def test_ceremony_walks_tiers_upwards_then_side_awards_then_standings(desk, board_client):
    board = board_client()
    board.get_received(ev.BOARD_NS)
    first = ack(desk, ev.CEREMONY_NEXT, {}, ev.CONTROL_NS)
    assert first["ok"] is True
    assert first["ceremony"] == {
        "kind": "prize", "tier": "Giải Khuyến khích", "level": 4, "step": 1, "steps": 13,
        "team": "Liên quân UBND các xã: Diên Lâm - Diên Thọ - Diên An (huyện Diên Khánh)",
        "unit": "UBND xã Diên Lâm (huyện Diên Khánh)",
        "title": "Đơn giản hóa tờ khai khi thực hiện thủ tục liên thông đăng ký khai sinh, đăng ký thường trú, "
                 "cấp thẻ BHYT cho trẻ em dưới 06 tuổi",
        "total": "77,40", "rank": 7, "tied": False,
    }
    # Starting the ceremony reveals the prizes on the board, in the same numbered delta.
    delta = last_delta(board, first["seq"])
    assert delta["changes"]["prizes_revealed"] is True
    assert delta["changes"]["ceremony"]["team"] == first["ceremony"]["team"]

    shown = [first["ceremony"]]
    for _ in range(12):
        reply = ack(desk, ev.CEREMONY_NEXT, {}, ev.CONTROL_NS)
        assert reply["ok"] is True
        shown.append(reply["ceremony"])
    assert [(c.get("tier"), c.get("team")) for c in shown[:7]] == [
        ("Giải Khuyến khích", "Liên quân UBND các xã: Diên Lâm - Diên Thọ - Diên An (huyện Diên Khánh)"),
        ("Giải Khuyến khích", "UBND thành phố Nha Trang"),
        ("Giải Khuyến khích", "UBND huyện Khánh Sơn"),
        ("Giải Ba", "UBND huyện Cam Lâm"),
        ("Giải Ba", "UBND phường Ninh Hải (thị xã Ninh Hòa)"),
        ("Giải Nhì", "Sở Thông tin và Truyền thông"),
        ("Giải Nhất", "Sở Nội vụ"),
    ]
    assert shown[6]["total"] == "88,50"
    assert [(c["award"], c["team"], c["score"]) for c in shown[7:12]] == [
        ("Trình chiếu đẹp mắt", "Sở Lao động - Thương binh và Xã hội", None),
        ("Xử lý tình huống tinh tế", "Kho bạc Nhà nước tỉnh", "12,20"),
        ("Tự giới thiệu gắn với mô hình, sáng kiến", "Sở Tài nguyên và Môi trường", None),
        ("Phản biện sắc sảo", "Sở Khoa học và Công nghệ", None),
        ("Sáng kiến có tính nhân văn", "Bệnh viện Đa khoa tỉnh Khánh Hòa", None),
    ]
    assert shown[12] == {"kind": "standings", "step": 13, "steps": 13}

    beyond = ack(desk, ev.CEREMONY_NEXT, {}, ev.CONTROL_NS)
    assert beyond == {"ok": False, "code": "ceremony_end",
                      "message": "Đã đến bước cuối của lễ trao giải (bảng xếp hạng chung cuộc)."}
    back = ack(desk, ev.CEREMONY_PREVIOUS, {}, ev.CONTROL_NS)
    assert back["ceremony"]["award"] == "Sáng kiến có tính nhân văn"
    assert back["ceremony"]["step"] == 12

    stopped = ack(desk, ev.CEREMONY_STOP, {}, ev.CONTROL_NS)
    assert stopped["ok"] is True and stopped["ceremony"] is None
    assert last_delta(board, stopped["seq"])["changes"] == {"ceremony": None}


def test_ceremony_hidden_again_when_prizes_hidden(desk, board_client):
    ack(desk, ev.CEREMONY_NEXT, {}, ev.CONTROL_NS)
    board = board_client()
    board.get_received(ev.BOARD_NS)
    reply = ack(desk, ev.REVEAL_PRIZES, {"revealed": False}, ev.CONTROL_NS)
    assert reply["ok"] is True
    changes = last_delta(board, reply["seq"])["changes"]
    assert changes["ceremony"] is None
    assert changes["prizes_revealed"] is False
    # the next step starts the ceremony over, revealing the prizes again
    again = ack(desk, ev.CEREMONY_NEXT, {}, ev.CONTROL_NS)
    assert (again["ceremony"]["step"], again["ceremony"]["team"]) == (
        1, "Liên quân UBND các xã: Diên Lâm - Diên Thọ - Diên An (huyện Diên Khánh)")
    assert last_delta(board, again["seq"])["changes"]["prizes_revealed"] is True


def test_ceremony_refused_when_nothing_is_decided(app, desk):
    """No marks: every team shares rank 1 across the prize boundaries; no side award is decided."""
    from contest_app.models import Mark, SideAward

    db.session.execute(db.delete(Mark))
    for award in db.session.scalars(db.select(SideAward)):
        db.session.delete(award)
    db.session.commit()
    reply = ack(desk, ev.CEREMONY_NEXT, {}, ev.CONTROL_NS)
    assert reply == {"ok": False, "code": "no_prizes",
                     "message": "Chưa có giải nào để trao: kết quả chưa có đội đoạt giải."}


def test_board_refuses_ceremony_events(board_client):
    board = board_client()
    reply = ack(board, ev.CEREMONY_NEXT, {}, ev.BOARD_NS)
    assert reply == {"ok": False, "code": "read_only", "message": ev.READ_ONLY_MESSAGE}


def test_ceremony_refused_while_a_score_is_unpublished(app, desk):
    """Starting the ceremony reveals the prizes: the publication rule refuses it while a cell is hidden."""
    from contest_app.models import LiveState, SegmentWindow

    window = db.session.scalars(db.select(SegmentWindow).order_by(SegmentWindow.id)).first()
    window.revealed = False
    db.session.scalar(db.select(LiveState)).prizes_revealed = False
    db.session.commit()
    reply = ack(desk, ev.CEREMONY_NEXT, {}, ev.CONTROL_NS)
    assert reply == {"ok": False, "code": "scores_hidden",
                     "message": "Chưa thể công bố giải: còn điểm chưa công bố "
                                "(Sở Tài nguyên và Môi trường – Kiến thức CCHC)."}
    db.session.expire_all()
    assert db.session.scalar(db.select(LiveState.ceremony_step)) is None
