"""The /present namespace: the desk drives the projector; the screen follows."""
from __future__ import annotations

import re

import pytest

from contest_app.extensions import db, socketio
from contest_app.live import present
from contest_app.services.final.draw import confirm_draw, prepare_draw, situation_guide_for
from tests.draw_helpers import quiz_key, write_banks

NS = present.NAMESPACE


@pytest.fixture
def drawn(app, tmp_path):
    """The 2019 demo with test banks and a confirmed draw; returns (edition, first slot)."""
    from contest_app.services.demo import load_demo

    app.config["QUESTION_BANKS_DIR"] = str(write_banks(tmp_path / "banks", time_seconds=45))
    edition = load_demo(with_marks=False)
    prepare_draw(edition=edition, actor="btc")
    draw = confirm_draw(edition=edition, actor="btc")
    db.session.commit()
    return edition, draw.result["slots"][0]


def _signed_in(app, make_user, username: str, role: str):
    make_user(username, role=role)
    flask_client = app.test_client()
    page = flask_client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    flask_client.post("/auth/login", data={"username": username, "password": "mat-khau-123", "csrf_token": token.group(1)})
    return flask_client


@pytest.fixture
def clients(app, drawn, make_user):
    """(desk, screen): a signed-in desk and an anonymous projector on /present."""
    edition, _ = drawn
    desk = socketio.test_client(
        app, namespace=NS, auth={"edition_id": edition.id},
        flask_test_client=_signed_in(app, make_user, "dieukhien", "control"),
    )
    screen = socketio.test_client(app, namespace=NS, auth={"edition": edition.year})
    yield desk, screen
    for c in (desk, screen):
        if c.is_connected(NS):
            c.disconnect(NS)


def _events(client, name):
    return [e["args"][0] for e in client.get_received(NS) if e["name"] == name]


def test_screen_receives_snapshot_on_connect(clients, drawn):
    edition, _ = drawn
    _, screen = clients
    (snap,) = [e["args"][0]["state"] for e in screen.get_received(NS) if e["name"] == "present_state"]
    assert (snap["mode"], snap["team"], snap["question"], snap["countdown"]) == ("idle", None, None, None)
    assert snap["edition"]["title"] == "Lần thứ 4 - năm 2019"


def test_show_question_broadcasts_question_without_key_then_reveal(clients, drawn):
    edition, slot = drawn
    desk, screen = clients
    screen.get_received(NS)
    n = slot["quiz_set"]
    ack = desk.emit("show_question", {"edition_id": edition.id, "entry_id": slot["entry_id"], "number": 3},
                    namespace=NS, callback=True)
    assert ack["ok"] is True
    assert ack["desk"] == {"key": quiz_key(n, 3), "question_count": 25, "situation_count": 4}
    (shown,) = _events(screen, "question_shown")
    q = shown["state"]["question"]
    assert (q["number"], q["total"], q["code"], q["set_number"], q["points"], q["time_seconds"]) == (
        3, 25, f"KT{n}-03", n, "0,4", 45)
    assert q["stem"] == f"Câu hỏi số 3 của bộ đề {n}: cơ chế một cửa được thực hiện ở đâu?"
    assert [o["letter"] for o in q["options"]] == ["A", "B", "C", "D"]
    assert shown["state"]["answer"] is None
    assert "key" not in q and quiz_key(n, 3) not in {k for k in q if len(k) == 1}
    countdown = shown["state"]["countdown"]
    assert countdown["seconds"] == 45 and countdown["running"] is True
    assert 44000 <= countdown["remaining_ms"] <= 45000
    assert shown["state"]["team"]["order"] == 1

    ack = desk.emit("reveal_answer", {"edition_id": edition.id}, namespace=NS, callback=True)
    assert ack["ok"] is True
    (revealed,) = _events(screen, "answer_revealed")
    key = quiz_key(n, 3)
    assert revealed["state"]["answer"] == {"letter": key, "text": q["options"]["ABCD".index(key)]["text"]}
    assert revealed["state"]["countdown"]["running"] is False


def test_next_and_previous_walk_the_drawn_set(clients, drawn):
    edition, slot = drawn
    desk, screen = clients
    data = {"edition_id": edition.id, "entry_id": slot["entry_id"]}
    numbers = []
    for event in ("show_next", "show_next", "show_next", "show_previous"):
        numbers.append(desk.emit(event, data, namespace=NS, callback=True)["state"]["question"]["number"])
    assert numbers == [1, 2, 3, 2]
    assert [e["state"]["question"]["number"] for e in _events(screen, "question_shown")] == [1, 2, 3, 2]
    # the last question stays the last
    desk.emit("show_question", {**data, "number": 25}, namespace=NS, callback=True)
    assert desk.emit("show_next", data, namespace=NS, callback=True)["state"]["question"]["number"] == 25


def test_countdown_stop_and_start(clients, drawn):
    edition, slot = drawn
    desk, screen = clients
    data = {"edition_id": edition.id, "entry_id": slot["entry_id"]}
    desk.emit("show_question", {**data, "autostart": False}, namespace=NS, callback=True)
    screen.get_received(NS)
    ack = desk.emit("toggle_countdown", data, namespace=NS, callback=True)
    assert ack["state"]["countdown"]["running"] is True
    ack = desk.emit("toggle_countdown", data, namespace=NS, callback=True)
    assert ack["state"]["countdown"]["running"] is False
    assert [e["name"] for e in screen.get_received(NS)] == ["countdown_started", "countdown_stopped"]


def test_show_situation_hides_guide_and_tells_guide_current(clients, drawn):
    edition, slot = drawn
    desk, screen = clients
    screen.get_received(NS)
    ack = desk.emit("show_situation", {"edition_id": edition.id, "entry_id": slot["entry_id"]},
                    namespace=NS, callback=True)
    m = slot["situation_set"]
    situation = ack["state"]["situation"]
    assert (situation["number"], situation["total"], situation["code"]) == (1, 4, f"TH{m}-1")
    assert situation["questions"] == [f"Anh/chị xử lý tình huống {m}.1 thế nào?"]
    assert "answer" not in situation and "marking" not in situation
    (shown,) = _events(screen, "situation_shown")
    assert shown["state"]["situation"] == situation
    guide = situation_guide_for(edition_id=edition.id, entry_id=slot["entry_id"])
    assert guide["current_code"] == f"TH{m}-1"
    # T again: the next situation
    ack = desk.emit("show_situation", {"edition_id": edition.id}, namespace=NS, callback=True)
    assert ack["state"]["situation"]["code"] == f"TH{m}-2"


def test_screen_cannot_drive_and_anonymous_gets_vietnamese_refusal(clients, drawn):
    edition, slot = drawn
    _, screen = clients
    ack = screen.emit("show_question", {"edition_id": edition.id, "entry_id": slot["entry_id"]},
                      namespace=NS, callback=True)
    assert ack == {"ok": False, "code": "forbidden", "message": present.OPERATOR_DENIED}


def test_preliminary_judge_cannot_drive(app, drawn, make_user):
    edition, slot = drawn
    client = socketio.test_client(app, namespace=NS, auth={"edition_id": edition.id},
                                  flask_test_client=_signed_in(app, make_user, "giamkhao-sokhao", "preliminary_judge"))
    ack = client.emit("show_next", {"edition_id": edition.id, "entry_id": slot["entry_id"]}, namespace=NS, callback=True)
    assert ack["code"] == "forbidden"
    client.disconnect(NS)


def test_connect_unknown_edition_is_refused(app, drawn):
    client = socketio.test_client(app, namespace=NS, auth={"edition_id": 99999})
    assert not client.is_connected(NS)


def test_late_screen_gets_current_question(app, clients, drawn):
    edition, slot = drawn
    desk, _ = clients
    desk.emit("show_question", {"edition_id": edition.id, "entry_id": slot["entry_id"], "number": 7},
              namespace=NS, callback=True)
    late = socketio.test_client(app, namespace=NS, auth={"edition_id": edition.id})
    (snap,) = [e["args"][0]["state"] for e in late.get_received(NS) if e["name"] == "present_state"]
    assert (snap["mode"], snap["question"]["number"]) == ("question", 7)
    late.disconnect(NS)


def test_desk_without_team_gets_vietnamese_message(clients, drawn):
    edition, _ = drawn
    desk, _ = clients
    ack = desk.emit("show_next", {"edition_id": edition.id}, namespace=NS, callback=True)
    assert ack == {"ok": False, "code": "no_team", "message": present.NO_TEAM}


def test_reveal_without_question_is_refused(clients, drawn):
    edition, _ = drawn
    desk, _ = clients
    ack = desk.emit("reveal_answer", {"edition_id": edition.id}, namespace=NS, callback=True)
    assert ack["message"] == "Màn hình đang không hiển thị câu hỏi trắc nghiệm nào."


def test_clear_screen_goes_back_to_title(clients, drawn):
    edition, slot = drawn
    desk, screen = clients
    desk.emit("show_next", {"edition_id": edition.id, "entry_id": slot["entry_id"]}, namespace=NS, callback=True)
    screen.get_received(NS)
    ack = desk.emit("clear_screen", {"edition_id": edition.id}, namespace=NS, callback=True)
    assert (ack["state"]["mode"], ack["state"]["question"], ack["state"]["countdown"]) == ("idle", None, None)
    assert [e["name"] for e in screen.get_received(NS)] == ["screen_cleared"]
