"""The /present namespace's handlers: the projector screen and the control desk's presenter buttons.

Who sends what (names in ``live/events.py``; the logic is ``services.final.presenter``):

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
  ``countdown_started``, ``countdown_stopped``, ``screen_cleared`` (the screen and the desk
  listen to all of them). Handlers commit once, then broadcast.
"""
from __future__ import annotations

from typing import Any

from flask import g
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, SocketIO, join_room

from contest_app.enums import Role
from contest_app.extensions import db
from contest_app.live import broadcast, payloads
from contest_app.live.events import (
    ANSWER_REVEALED,
    CLEAR_SCREEN,
    COUNTDOWN_STARTED,
    COUNTDOWN_STOPPED,
    GET_PRESENT_STATE,
    PRESENT_NS,
    QUESTION_SHOWN,
    REVEAL_ANSWER,
    SCREEN_CLEARED,
    SHOW_NEXT,
    SHOW_PREVIOUS,
    SHOW_QUESTION,
    SHOW_SITUATION,
    SITUATION_SHOWN,
    START_COUNTDOWN,
    STOP_COUNTDOWN,
    TOGGLE_COUNTDOWN,
    present_room,
)
from contest_app.models import Edition
from contest_app.services.errors import NotFound, PermissionDenied, ServiceError
from contest_app.services.final.presenter import (
    NO_TEAM,
    clear_screen,
    desk_extras,
    entry_for,
    now_ms,
    presenter_state,
    remaining_ms,
    requested_number,
    reveal_answer,
    set_countdown_running,
    show_question,
    show_situation,
    snapshot,
)
from contest_app.services.rounds.editions import get_edition

NAMESPACE = PRESENT_NS
OPERATOR_ROLES = (Role.CONTROL, Role.SECRETARIAT, Role.ORGANISER)
OPERATOR_DENIED = "Chỉ Bàn điều khiển, Ban Thư ký hoặc Ban Tổ chức được điều khiển màn hình trình chiếu. Vui lòng đăng nhập."
UNKNOWN_EDITION = "Không tìm thấy kỳ thi cần trình chiếu."

__all__ = ["NAMESPACE", "NO_TEAM", "present_room", "register"]

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
    broadcast.present_state_to_caller(state)
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
    db.session.rollback()
    if event:
        broadcast.presenter_changed(edition.id, event, public)
    return {"ok": True, "state": public, "desk": extras}


def _autostart(data: dict, default: bool) -> bool:
    value = data.get("autostart", default)
    return value if isinstance(value, bool) else default


def on_show_question(data: Any = None) -> dict[str, Any]:
    """Desk: show question ``number`` (1-based; default 1) of the team's drawn set. Broadcasts ``question_shown``."""

    def change(edition, state, data):
        entry = entry_for(edition, state, data)
        number = requested_number(data) or 1
        return show_question(edition=edition, entry=entry, index=number - 1, autostart=_autostart(data, True))

    return _operate(data, change, QUESTION_SHOWN)


def _step(delta: int):
    def change(edition, state, data):
        if state.mode == "situation":
            entry = entry_for(edition, state, data)
            return show_situation(edition=edition, entry=entry, index=state.situation_index + delta,
                                  autostart=_autostart(data, False))
        entry = entry_for(edition, state, data)
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
        broadcast.presenter_changed(result["state"]["edition"]["id"], event, result["state"])
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
        running["value"] = not (state.countdown_started_ms is not None and remaining_ms(state, now) > 0)
        return set_countdown_running(edition=edition, running=running["value"])

    result = _operate(data, change, "")
    if result.get("ok"):
        event = COUNTDOWN_STARTED if running["value"] else COUNTDOWN_STOPPED
        broadcast.presenter_changed(result["state"]["edition"]["id"], event, result["state"])
    return result


def on_show_situation(data: Any = None) -> dict[str, Any]:
    """Desk: show situation ``number`` (1-based) of the team's drawn set; without a number, the
    next one (the first when none is on screen). Broadcasts ``situation_shown``."""

    def change(edition, state, data):
        entry = entry_for(edition, state, data)
        number = requested_number(data)
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
