"""The /board namespace: public and read-only (the hall's projector, phones, the overlay).

A board connects with ``auth`` ``{"edition": <year or id>}`` (or ``?edition=`` in the
URL), is sent the full snapshot first, then numbered ``board_updated`` deltas. Any
judge or desk event sent here is refused with the code ``read_only``.
"""
from __future__ import annotations

from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import LiveState
from contest_app.live import events as ev
from contest_app.live import payloads
from contest_app.services.final import live_state
from contest_app.services.rounds.editions import get_edition
from contest_app.services.errors import ServiceError


def _edition_ref(auth: Any) -> str:
    ref = payloads.parse(payloads.EditionAuth, auth if isinstance(auth, dict) else None).edition
    if ref is not None:
        return str(ref)
    return request.args.get("edition", "")


def on_connect(auth: Any = None):
    """Join the edition's board room, then send the full snapshot (so no board starts stale)."""
    try:
        edition = get_edition(_edition_ref(auth))
    except ServiceError:
        db.session.rollback()
        raise ConnectionRefusedError(ev.UNKNOWN_EDITION, {"code": "not_found"}) from None
    join_room(ev.board_room(edition.id))
    snapshot = live_state.board_snapshot(edition)
    db.session.rollback()
    emit(ev.BOARD_SNAPSHOT, {"edition_id": edition.id, "seq": snapshot["seq"], "snapshot": snapshot})
    return True


def on_get_snapshot(data: Any = None) -> dict[str, Any]:
    """A board that saw a gap in the sequence numbers asks for the whole board again."""
    try:
        edition = get_edition(_edition_ref(data))
    except ServiceError as exc:
        db.session.rollback()
        return exc.to_dict()
    snapshot = live_state.board_snapshot(edition)
    db.session.rollback()
    return {"ok": True, "edition_id": edition.id, "seq": snapshot["seq"], "snapshot": snapshot}


def on_get_seq(data: Any = None) -> dict[str, Any]:
    """The board's sequence number only (one small read): a board behind it fetches the snapshot."""
    try:
        edition = get_edition(_edition_ref(data))
    except ServiceError as exc:
        db.session.rollback()
        return exc.to_dict()
    seq = db.session.scalar(select(LiveState.board_seq).where(LiveState.edition_id == edition.id)) or 0
    db.session.rollback()
    return {"ok": True, "edition_id": edition.id, "seq": seq}


def on_any_event(event: str, *args: Any) -> dict[str, Any]:
    """Refuse every other event: the board is read-only."""
    return {"ok": False, "code": "read_only", "message": ev.READ_ONLY_MESSAGE}


def register(socketio: SocketIO) -> None:
    """Register the /board handlers on ``socketio``."""
    ns = ev.BOARD_NS
    socketio.on_event("connect", on_connect, namespace=ns)
    socketio.on_event(ev.GET_SNAPSHOT, on_get_snapshot, namespace=ns)
    socketio.on_event(ev.GET_SEQ, on_get_seq, namespace=ns)
    socketio.on_event("*", on_any_event, namespace=ns)
