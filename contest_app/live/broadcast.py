"""The one broadcast module: every message the server pushes to a room goes out from here.

Call these only after the change is committed. Broadcasts carry no callback (an emit
with a callback is encoded once per client); one update per change is emitted once to
a room, and with a message queue every server process relays it to its own clients.
"""
from __future__ import annotations

from typing import Any

from flask_socketio import emit

from contest_app.extensions import socketio
from contest_app.live import events as ev


def board_updated(delta: dict[str, Any]) -> None:
    """Send one numbered board delta to every board and overlay of the edition.

    Then yield once, so that every board's writer sends it before the caller goes on to
    slower work (the desk's grid): with gevent nothing is written until the handler yields.
    """
    socketio.emit(ev.BOARD_UPDATED, delta, to=ev.board_room(delta["edition_id"]), namespace=ev.BOARD_NS)
    socketio.sleep(0)


def judges_state(edition_id: int, event: str, state: dict[str, Any]) -> None:
    """Tell every judge's tablet of the edition that the stage or the open segment changed."""
    socketio.emit(event, {"state": state}, to=ev.judges_room(edition_id), namespace=ev.JUDGE_NS)


def desk_updated(edition_id: int, desk: dict[str, Any]) -> None:
    """Send the desk's grid (judges × teams, heartbeats, windows) to the control desks."""
    socketio.emit(ev.DESK_UPDATED, {"desk": desk}, to=ev.control_room(edition_id), namespace=ev.CONTROL_NS)


def mark_recorded(edition_id: int, payload: dict[str, Any]) -> None:
    """Tell the desks that a judge's mark was stored (who and where, not the value)."""
    socketio.emit(ev.MARK_RECORDED, payload, to=ev.control_room(edition_id), namespace=ev.CONTROL_NS)


def judge_seen(edition_id: int, payload: dict[str, Any]) -> None:
    """Tell the desks that a tablet sent a heartbeat, connected or disconnected."""
    socketio.emit(ev.JUDGE_SEEN, payload, to=ev.control_room(edition_id), namespace=ev.CONTROL_NS)


def presenter_changed(edition_id: int, event: str, state: dict[str, Any]) -> None:
    """Send the presenter's new snapshot (``question_shown``, ``situation_shown`` …) to the
    edition's projector screens and presenter desks."""
    socketio.emit(event, {"state": state}, to=ev.present_room(edition_id), namespace=ev.PRESENT_NS)


def present_state_to_caller(state: dict[str, Any]) -> None:
    """Answer a screen that just connected with what the screen shows now (``present_state``)."""
    emit(ev.PRESENT_STATE, {"state": state})
