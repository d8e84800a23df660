"""The one broadcast module: every message the server pushes to a room goes out from here.

Call these only after the change is committed. Broadcasts carry no callback (an emit
with a callback is encoded once per client); one update per change is emitted once to
a room, and with a message queue every server process relays it to its own clients.

``results_changed`` is the one call a writer makes after committing: the board delta
(only when the board changed), the tablets' state when the stage or open segment
changed, and a ``desk_changed`` notice to the control desks, coalesced to at most one per
``DESK_INTERVAL`` seconds per edition and process (the first at once, the rest as one
trailing notice); a desk then fetches its state with ``get_desk`` on its own server process.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from flask_socketio import emit

from contest_app.extensions import socketio
from contest_app.live import events as ev

DESK_INTERVAL = 0.1

_desk_lock = threading.Lock()
_desk_last: dict[int, float] = {}
_desk_pending: set[int] = set()


def board_updated(delta: dict[str, Any] | None) -> None:
    """Send one numbered board delta to every board and overlay of the edition (none if empty).

    Then yield once, so that every board's writer sends it before the caller goes on to
    slower work (the desk's grid): with gevent nothing is written until the handler yields.
    """
    if not delta or not delta.get("changes"):
        return
    socketio.emit(ev.BOARD_UPDATED, delta, to=ev.board_room(delta["edition_id"]), namespace=ev.BOARD_NS)
    socketio.sleep(0)


def judges_state(edition_id: int, event: str, state: dict[str, Any]) -> None:
    """Tell every judge's tablet of the edition that the stage or the open segment changed."""
    socketio.emit(event, {"state": state, "seq": state.get("seq")}, to=ev.judges_room(edition_id),
                  namespace=ev.JUDGE_NS)


def _desk_task(edition_id: int, wait: float) -> None:
    if wait > 0:
        socketio.sleep(wait)
    with _desk_lock:
        _desk_pending.discard(edition_id)
        _desk_last[edition_id] = time.monotonic()
    socketio.emit(ev.DESK_CHANGED, {"edition_id": edition_id}, to=ev.control_room(edition_id),
                  namespace=ev.CONTROL_NS)


def desk_changed(edition_id: int) -> None:
    """The desk's state changed: tell the desks, which fetch it (``get_desk``) when they want it.

    The writer (a judge's mark) never builds the desk's state: a connected desk asks for it on
    its own server process, so the cost follows the desks that are watching, not the marks. The
    notice is coalesced to at most one per ``DESK_INTERVAL`` per edition and process: it goes
    out at once when the last one is older than the interval, else at the end of it, and a
    change while one is pending is carried by that one.
    """
    with _desk_lock:
        if edition_id in _desk_pending:
            return
        _desk_pending.add(edition_id)
        wait = max(0.0, _desk_last.get(edition_id, -DESK_INTERVAL) + DESK_INTERVAL - time.monotonic())
    if wait > 0:
        socketio.start_background_task(_desk_task, edition_id, wait)
    else:
        _desk_task(edition_id, 0.0)


def results_changed(change, *, judges_state_payload: dict[str, Any] | None = None) -> None:
    """After a writer's commit: the board first, then the tablets, then the desks' notice (coalesced)."""
    board_updated(change.board)
    if change.judges_event is not None and judges_state_payload is not None:
        judges_state(change.edition_id, change.judges_event, judges_state_payload)
    desk_changed(change.edition_id)


def mark_recorded(edition_id: int, payload: dict[str, Any]) -> None:
    """Tell the desks that a judge's mark was stored (who and where, not the value)."""
    socketio.emit(ev.MARK_RECORDED, payload, to=ev.control_room(edition_id), namespace=ev.CONTROL_NS)


def late_mark_received(edition_id: int, payload: dict[str, Any]) -> None:
    """Tell the desks that a mark arrived after its segment was closed (it awaits a decision)."""
    socketio.emit(ev.LATE_MARK_RECEIVED, payload, to=ev.control_room(edition_id), namespace=ev.CONTROL_NS)


def mark_status(judge_id: int, payload: dict[str, Any]) -> None:
    """Tell one judge's tablets what became of one of their marks (a late mark accepted or refused)."""
    socketio.emit(ev.MARK_STATUS, payload, to=ev.judge_room(judge_id), namespace=ev.JUDGE_NS)


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


ACCESS_REVOKED = "access_revoked"
REVOKED_MESSAGE = "Mã đăng nhập của bạn đã bị thu hồi hoặc được cấp lại. Vui lòng quét mã QR mới."


def judge_revoked(judge_id: int) -> None:
    """A judge's access was revoked or regenerated: cut the judge's sockets off at once.

    The tablet is told (on every server process, through the message queue) and this
    process disconnects the judge's sockets itself; every later event is refused anyway,
    since the judge is re-checked on each one.
    """
    room = ev.judge_room(judge_id)
    socketio.emit(ACCESS_REVOKED, {"message": REVOKED_MESSAGE}, to=room, namespace=ev.JUDGE_NS)
    for sid, _eio_sid in list(socketio.server.manager.get_participants(ev.JUDGE_NS, room)):
        socketio.server.disconnect(sid, namespace=ev.JUDGE_NS)
