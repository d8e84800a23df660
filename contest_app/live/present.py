"""The /present namespace: the projector screen and the control desk's presenter buttons.

Who sends what:

- Anyone may connect with ``auth={"edition_id": N}`` (the projector needs no login); the
  connection joins the room ``present:N`` and at once receives ``present_state`` with a
  snapshot of what the screen shows now.
- The desk (a signed-in user with the role control, secretariat or organiser, via the
  Flask-Login session) sends imperative events: ``show_question``, ``show_next``,
  ``show_previous``, ``reveal_answer``, ``start_countdown``, ``stop_countdown``,
  ``toggle_countdown``, ``show_situation``, ``clear_screen``, ``get_present_state``.
  Each is acknowledged ``{"ok": true, "state": ..., "desk": ...}`` or
  ``{"ok": false, "code": ..., "message": <Vietnamese>}``.
- After a change is committed the room receives a past-tense event with the new
  snapshot: ``question_shown``, ``answer_revealed``, ``situation_shown``,
  ``countdown_started``, ``countdown_stopped``, ``screen_cleared``.

The public snapshot never carries a question's key before it is revealed, nor a
situation's suggested answer (that goes to the judges' tablets, via
``services.draw.situation_guide_for``). The state lives in ``PresenterState`` so every
server process and a reloaded screen agree. Handlers commit once, then broadcast.
"""
from __future__ import annotations

import time
from typing import Any

from flask import g
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room
from sqlalchemy import select

from contest_app.enums import Role
from contest_app.extensions import db, socketio
from contest_app.live import payloads
from contest_app.models import Edition, Entry, PresenterState
from contest_app.services.draw import (
    confirmed_assignment,
    drawn_quiz_set,
    drawn_situation_set,
    team_name,
)
from contest_app.services.editions import get_edition
from contest_app.services.errors import Conflict, NotFound, PermissionDenied, ServiceError, ValidationError

NAMESPACE = "/present"

# client -> server (desk)
SHOW_QUESTION = "show_question"
SHOW_NEXT = "show_next"
SHOW_PREVIOUS = "show_previous"
REVEAL_ANSWER = "reveal_answer"
START_COUNTDOWN = "start_countdown"
STOP_COUNTDOWN = "stop_countdown"
TOGGLE_COUNTDOWN = "toggle_countdown"
SHOW_SITUATION = "show_situation"
CLEAR_SCREEN = "clear_screen"
GET_PRESENT_STATE = "get_present_state"

# server -> clients
PRESENT_STATE = "present_state"
QUESTION_SHOWN = "question_shown"
ANSWER_REVEALED = "answer_revealed"
SITUATION_SHOWN = "situation_shown"
COUNTDOWN_STARTED = "countdown_started"
COUNTDOWN_STOPPED = "countdown_stopped"
SCREEN_CLEARED = "screen_cleared"

OPERATOR_ROLES = (Role.CONTROL, Role.SECRETARIAT, Role.ORGANISER)
OPERATOR_DENIED = "Chỉ Bàn điều khiển, Ban Thư ký hoặc Ban Tổ chức được điều khiển màn hình trình chiếu. Vui lòng đăng nhập."
UNKNOWN_EDITION = "Không tìm thấy kỳ thi cần trình chiếu."
NO_TEAM = "Chưa chọn đội thi: hãy chọn đội trước khi trình chiếu."
NO_DRAW = "Chưa có kết quả bốc thăm đã xác nhận nên chưa biết bộ đề của đội."
NO_BANK = "Không đọc được bộ đề của đội trong ngân hàng câu hỏi (ngân hàng thiếu hoặc có lỗi)."


def present_room(edition_id: int) -> str:
    return f"present:{edition_id}"


def now_ms() -> int:
    return int(time.time() * 1000)


def _points_text(value) -> str:
    return format(value.normalize(), "f").replace(".", ",")


# --------------------------------------------------------------------------- state (flush only)


def presenter_state(edition: Edition) -> PresenterState:
    """The edition's presenter row, created on first use."""
    state = db.session.scalar(select(PresenterState).where(PresenterState.edition_id == edition.id))
    if state is None:
        state = PresenterState(
            edition_id=edition.id, mode="idle", question_index=0, situation_index=0, answer_revealed=False,
            countdown_seconds=0, countdown_remaining_ms=0, countdown_started_ms=None,
        )
        db.session.add(state)
        db.session.flush()
    return state


def _remaining_ms(state: PresenterState, now: int) -> int:
    if state.countdown_started_ms is None:
        return max(0, state.countdown_remaining_ms)
    return max(0, state.countdown_remaining_ms - (now - state.countdown_started_ms))


def _set_countdown(state: PresenterState, seconds: int, *, start: bool, now: int) -> None:
    state.countdown_seconds = seconds
    state.countdown_remaining_ms = seconds * 1000
    state.countdown_started_ms = now if start else None


def _stop(state: PresenterState, now: int) -> None:
    if state.countdown_started_ms is not None:
        state.countdown_remaining_ms = _remaining_ms(state, now)
        state.countdown_started_ms = None


def _stage_entry_id(edition: Edition) -> int | None:
    """The team the live desk put on stage, when the live state exists."""
    from contest_app.models import LiveState

    live = db.session.scalar(select(LiveState).where(LiveState.edition_id == edition.id))
    return getattr(live, "stage_entry_id", None) if live is not None else None


def _entry_for(edition: Edition, state: PresenterState, data: dict) -> Entry:
    raw = data.get("entry_id")
    if raw in (None, ""):
        raw = state.entry_id or _stage_entry_id(edition)
    if raw in (None, ""):
        raise ValidationError(NO_TEAM, code="no_team")
    if isinstance(raw, bool):
        raise ValidationError(NO_TEAM, code="no_team")
    try:
        entry = db.session.get(Entry, int(raw))
    except (TypeError, ValueError):
        entry = None
    if entry is None or entry.edition_id != edition.id:
        raise NotFound("Không tìm thấy đội thi trong kỳ thi này.", code="entry_not_found")
    if confirmed_assignment(edition_id=edition.id, entry_id=entry.id) is None:
        raise Conflict(NO_DRAW, code="no_draw")
    return entry


def _number(data: dict, key: str = "number") -> int | None:
    raw = data.get(key)
    if raw in (None, ""):
        return None
    if isinstance(raw, bool):
        raise ValidationError("Số thứ tự câu hỏi không hợp lệ.", code="bad_number")
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationError("Số thứ tự câu hỏi không hợp lệ.", code="bad_number") from None


def show_question(*, edition: Edition, entry: Entry, index: int, autostart: bool = True) -> PresenterState:
    """Show question ``index`` (0-based, clamped) of the entry's drawn quiz set, countdown reset."""
    quiz_set = drawn_quiz_set(edition_id=edition.id, entry_id=entry.id)
    if quiz_set is None or not quiz_set.questions:
        raise Conflict(NO_BANK, code="no_bank")
    index = max(0, min(index, len(quiz_set.questions) - 1))
    state = presenter_state(edition)
    state.mode, state.entry_id, state.question_index = "question", entry.id, index
    state.answer_revealed = False
    _set_countdown(state, quiz_set.questions[index].time_seconds, start=autostart, now=now_ms())
    db.session.flush()
    return state


def show_situation(*, edition: Edition, entry: Entry, index: int, autostart: bool = False) -> PresenterState:
    """Show situation ``index`` (0-based, clamped) of the entry's drawn situation set."""
    situation_set = drawn_situation_set(edition_id=edition.id, entry_id=entry.id)
    if situation_set is None or not situation_set.situations:
        raise Conflict(NO_BANK, code="no_bank")
    index = max(0, min(index, len(situation_set.situations) - 1))
    state = presenter_state(edition)
    state.mode, state.entry_id, state.situation_index = "situation", entry.id, index
    state.answer_revealed = False
    _set_countdown(state, situation_set.situations[index].time_seconds, start=autostart, now=now_ms())
    db.session.flush()
    return state


def reveal_answer(*, edition: Edition) -> PresenterState:
    """Reveal the key of the question on screen; the countdown stops."""
    state = presenter_state(edition)
    if state.mode != "question":
        raise Conflict("Màn hình đang không hiển thị câu hỏi trắc nghiệm nào.", code="no_question")
    state.answer_revealed = True
    _stop(state, now_ms())
    db.session.flush()
    return state


def set_countdown_running(*, edition: Edition, running: bool) -> PresenterState:
    """Start (resume) or stop (pause) the countdown on screen."""
    state = presenter_state(edition)
    if state.mode == "idle" or state.countdown_seconds <= 0:
        raise Conflict("Màn hình chưa có câu hỏi hay tình huống nào để tính giờ.", code="no_countdown")
    now = now_ms()
    if running and state.countdown_started_ms is None:
        if _remaining_ms(state, now) <= 0:
            state.countdown_remaining_ms = state.countdown_seconds * 1000
        state.countdown_started_ms = now
    elif not running:
        _stop(state, now)
    db.session.flush()
    return state


def clear_screen(*, edition: Edition) -> PresenterState:
    """Back to the title screen (the team stays selected)."""
    state = presenter_state(edition)
    state.mode = "idle"
    state.answer_revealed = False
    _set_countdown(state, 0, start=False, now=now_ms())
    db.session.flush()
    return state


def snapshot(edition: Edition, state: PresenterState | None = None) -> dict[str, Any]:
    """What the projector shows: public, without any key not yet revealed or any judges' guide."""
    state = state or db.session.scalar(select(PresenterState).where(PresenterState.edition_id == edition.id))
    now = now_ms()
    data: dict[str, Any] = {
        "edition": {"id": edition.id, "title": edition.title, "contest_name": edition.contest_name or ""},
        "mode": "idle",
        "team": None,
        "question": None,
        "answer": None,
        "situation": None,
        "countdown": None,
        "server_now_ms": now,
    }
    if state is None:
        return data
    entry = db.session.get(Entry, state.entry_id) if state.entry_id else None
    if entry is not None:
        assignment = confirmed_assignment(edition_id=edition.id, entry_id=entry.id)
        data["team"] = {
            "entry_id": entry.id,
            "name": team_name(entry),
            "order": assignment.appearance_order if assignment else entry.final_order,
            "quiz_set": assignment.quiz_set if assignment else None,
            "situation_set": assignment.situation_set if assignment else None,
        }
    mode = state.mode if entry is not None else "idle"
    if mode == "question":
        quiz_set = drawn_quiz_set(edition_id=edition.id, entry_id=entry.id)
        if quiz_set is not None and 0 <= state.question_index < len(quiz_set.questions):
            q = quiz_set.questions[state.question_index]
            data["question"] = {
                "number": state.question_index + 1,
                "total": len(quiz_set.questions),
                "code": q.code,
                "topic": q.topic,
                "stem": q.stem,
                "options": [{"letter": letter, "text": text} for letter, text in zip("ABCD", q.options)],
                "time_seconds": q.time_seconds,
                "points": _points_text(q.points),
                "set_number": quiz_set.number,
            }
            if state.answer_revealed:
                data["answer"] = {"letter": q.key, "text": q.option(q.key)}
        else:
            mode = "idle"
    elif mode == "situation":
        situation_set = drawn_situation_set(edition_id=edition.id, entry_id=entry.id)
        if situation_set is not None and 0 <= state.situation_index < len(situation_set.situations):
            s = situation_set.situations[state.situation_index]
            data["situation"] = {
                "number": state.situation_index + 1,
                "total": len(situation_set.situations),
                "code": s.code,
                "topic": s.topic,
                "text": s.text,
                "questions": list(s.questions),
                "time_seconds": s.time_seconds,
                "points": _points_text(s.points),
                "set_number": situation_set.number,
            }
        else:
            mode = "idle"
    data["mode"] = mode
    if mode != "idle" and state.countdown_seconds > 0:
        remaining = _remaining_ms(state, now)
        running = state.countdown_started_ms is not None and remaining > 0
        data["countdown"] = {
            "seconds": state.countdown_seconds,
            "remaining_ms": remaining,
            "running": running,
            "deadline_ms": now + remaining if running else None,
        }
    return data


def desk_extras(edition: Edition, state: PresenterState | None) -> dict[str, Any]:
    """What only the desk sees besides the snapshot: the key of the question on screen, sizes."""
    extras: dict[str, Any] = {"key": None, "question_count": 0, "situation_count": 0}
    if state is None or state.entry_id is None:
        return extras
    quiz_set = drawn_quiz_set(edition_id=edition.id, entry_id=state.entry_id)
    situation_set = drawn_situation_set(edition_id=edition.id, entry_id=state.entry_id)
    if quiz_set is not None:
        extras["question_count"] = len(quiz_set.questions)
        if state.mode == "question" and 0 <= state.question_index < len(quiz_set.questions):
            extras["key"] = quiz_set.questions[state.question_index].key
    if situation_set is not None:
        extras["situation_count"] = len(situation_set.situations)
    return extras


# --------------------------------------------------------------------------- handlers


def _edition_from(data: Any) -> Edition:
    """The edition named by ``edition_id`` (its id) or ``edition`` (its id or year)."""
    raw = None
    if isinstance(data, dict):
        raw = data.get("edition_id", data.get("edition"))
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or raw == "":
        raise NotFound(UNKNOWN_EDITION, code="unknown_edition")
    try:
        return get_edition(raw)
    except NotFound:
        raise NotFound(UNKNOWN_EDITION, code="unknown_edition") from None


def _is_operator() -> bool:
    # Load the user from this connection's session every time: an app context shared by
    # several connections (tests, some servers) must not carry one socket's user to another.
    g.pop("_login_user", None)
    return bool(current_user and current_user.is_authenticated and current_user.has_role(*OPERATOR_ROLES))


def on_connect(auth: Any = None):
    """A screen or a desk connects: join the edition's room and receive the current snapshot."""
    try:
        edition = _edition_from(payloads.cleaned(payloads.EditionAuth, auth if isinstance(auth, dict) else None))
    except ServiceError as exc:
        db.session.rollback()
        raise ConnectionRefusedError(exc.message, {"code": exc.code}) from None
    join_room(present_room(edition.id))
    state = snapshot(edition)
    db.session.rollback()
    emit(PRESENT_STATE, {"state": state})
    return True


def _operate(data: Any, change, event: str) -> dict[str, Any]:
    """Check the operator, apply ``change(edition, state, data)``, commit, broadcast ``event``."""
    if not _is_operator():
        db.session.rollback()
        return PermissionDenied(OPERATOR_DENIED, code="forbidden").to_dict()
    try:
        data = payloads.cleaned(payloads.PresentEvent, data)
        edition = _edition_from(data)
        state = change(edition, presenter_state(edition), data)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return exc.to_dict()
    public = snapshot(edition, state)
    extras = desk_extras(edition, state)
    situation_code = public["situation"]["code"] if public["situation"] else None
    db.session.rollback()
    if event:
        socketio.emit(event, {"state": public}, to=present_room(edition.id), namespace=NAMESPACE)
        if event == SITUATION_SHOWN:
            _tell_judges(edition.id, public["team"]["entry_id"], situation_code)
    return {"ok": True, "state": public, "desk": extras}


def _tell_judges(edition_id: int, entry_id: int, code: str | None) -> None:
    """Let the judges' tablets know which situation is on screen (they fetch its guide)."""
    from contest_app.live import events as live_events

    socketio.emit(
        SITUATION_SHOWN,
        {"edition_id": edition_id, "entry_id": entry_id, "code": code},
        to=live_events.judges_room(edition_id),
        namespace=live_events.JUDGE_NS,
    )


def _autostart(data: dict, default: bool) -> bool:
    value = data.get("autostart", default)
    return value if isinstance(value, bool) else default


def on_show_question(data: Any = None) -> dict[str, Any]:
    """Desk: show question ``number`` (1-based; default 1) of the team's drawn set. Broadcasts ``question_shown``."""

    def change(edition, state, data):
        entry = _entry_for(edition, state, data)
        number = _number(data) or 1
        return show_question(edition=edition, entry=entry, index=number - 1, autostart=_autostart(data, True))

    return _operate(data, change, QUESTION_SHOWN)


def _step(delta: int):
    def change(edition, state, data):
        if state.mode == "situation":
            entry = _entry_for(edition, state, data)
            return show_situation(edition=edition, entry=entry, index=state.situation_index + delta,
                                  autostart=_autostart(data, False))
        entry = _entry_for(edition, state, data)
        if state.mode != "question" or state.entry_id != entry.id:
            index = 0
        else:
            index = state.question_index + delta
        return show_question(edition=edition, entry=entry, index=index, autostart=_autostart(data, True))

    return change


def on_show_next(data: Any = None) -> dict[str, Any]:
    """Desk: the next question (or situation, when one is on screen). Broadcasts the matching ``*_shown``."""
    return _operate_step(data, +1)


def on_show_previous(data: Any = None) -> dict[str, Any]:
    """Desk: the previous question (or situation). Broadcasts the matching ``*_shown``."""
    return _operate_step(data, -1)


def _operate_step(data: Any, delta: int) -> dict[str, Any]:
    result = _operate(data, _step(delta), "")
    if result.get("ok"):
        event = SITUATION_SHOWN if result["state"]["mode"] == "situation" else QUESTION_SHOWN
        edition_id = result["state"]["edition"]["id"]
        socketio.emit(event, {"state": result["state"]}, to=present_room(edition_id), namespace=NAMESPACE)
        if event == SITUATION_SHOWN:
            _tell_judges(edition_id, result["state"]["team"]["entry_id"], result["state"]["situation"]["code"])
    return result


def on_reveal_answer(data: Any = None) -> dict[str, Any]:
    """Desk: reveal the answer of the question on screen. Broadcasts ``answer_revealed``."""
    return _operate(data, lambda edition, state, data: reveal_answer(edition=edition), ANSWER_REVEALED)


def on_start_countdown(data: Any = None) -> dict[str, Any]:
    """Desk: start or resume the countdown. Broadcasts ``countdown_started``."""
    return _operate(
        data, lambda edition, state, data: set_countdown_running(edition=edition, running=True), COUNTDOWN_STARTED
    )


def on_stop_countdown(data: Any = None) -> dict[str, Any]:
    """Desk: pause the countdown. Broadcasts ``countdown_stopped``."""
    return _operate(
        data, lambda edition, state, data: set_countdown_running(edition=edition, running=False), COUNTDOWN_STOPPED
    )


def on_toggle_countdown(data: Any = None) -> dict[str, Any]:
    """Desk (Space): start the countdown when it stands, stop it when it runs."""
    running = {}

    def change(edition, state, data):
        now = now_ms()
        running["value"] = not (state.countdown_started_ms is not None and _remaining_ms(state, now) > 0)
        return set_countdown_running(edition=edition, running=running["value"])

    result = _operate(data, change, "")
    if result.get("ok"):
        event = COUNTDOWN_STARTED if running["value"] else COUNTDOWN_STOPPED
        socketio.emit(event, {"state": result["state"]}, to=present_room(result["state"]["edition"]["id"]),
                      namespace=NAMESPACE)
    return result


def on_show_situation(data: Any = None) -> dict[str, Any]:
    """Desk: show situation ``number`` (1-based) of the team's drawn set; without a number, the
    next one (the first when none is on screen). Broadcasts ``situation_shown``."""

    def change(edition, state, data):
        entry = _entry_for(edition, state, data)
        number = _number(data)
        if number is None:
            same = state.mode == "situation" and state.entry_id == entry.id
            index = state.situation_index + 1 if same else 0
        else:
            index = number - 1
        return show_situation(edition=edition, entry=entry, index=index, autostart=_autostart(data, False))

    return _operate(data, change, SITUATION_SHOWN)


def on_clear_screen(data: Any = None) -> dict[str, Any]:
    """Desk: back to the title screen. Broadcasts ``screen_cleared``."""
    return _operate(data, lambda edition, state, data: clear_screen(edition=edition), SCREEN_CLEARED)


def on_get_present_state(data: Any = None) -> dict[str, Any]:
    """Desk: the current snapshot and the desk's extras; broadcasts nothing."""
    return _operate(data, lambda edition, state, data: state, "")


def register(sio: SocketIO) -> None:
    """Register the /present handlers on ``sio``."""
    ns = NAMESPACE
    sio.on_event("connect", on_connect, namespace=ns)
    for name, handler in (
        (SHOW_QUESTION, on_show_question),
        (SHOW_NEXT, on_show_next),
        (SHOW_PREVIOUS, on_show_previous),
        (REVEAL_ANSWER, on_reveal_answer),
        (START_COUNTDOWN, on_start_countdown),
        (STOP_COUNTDOWN, on_stop_countdown),
        (TOGGLE_COUNTDOWN, on_toggle_countdown),
        (SHOW_SITUATION, on_show_situation),
        (CLEAR_SCREEN, on_clear_screen),
        (GET_PRESENT_STATE, on_get_present_state),
    ):
        sio.on_event(name, handler, namespace=ns)
