"""The /judge namespace: judges' tablets (or any client written from docs/live-protocol.md).

A client authenticates on connect with the Flask session set by its login link or PIN,
or with an ``auth`` payload ``{"token": "..."}``. Every event is acknowledged with
``{"ok": true, ...}`` or ``{"ok": false, "code": ..., "message": <Vietnamese>}``.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import session
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room
from sqlalchemy.exc import IntegrityError

from contest_app.extensions import db
from contest_app.live import broadcast
from contest_app.live import events as ev
from contest_app.live import payloads
from contest_app.models import Edition, Judge
from contest_app.services.errors import ServiceError
from contest_app.services.final import judge_access, live_state, publication
from contest_app.services.final.judging import MESSAGES, record_mark
from contest_app.services.trust.ratelimit import begin_attempt

SESSION_KEY = "live_judge"


def _refuse(code: str) -> dict[str, Any]:
    return {"ok": False, "code": code, "message": MESSAGES[code]}


def _login() -> tuple[Any, Any]:
    """The judge id and access version this connection's session says it signed in with (not checked)."""
    info = session.get(SESSION_KEY) or {}
    return info.get("id"), info.get("version")


def current_judge_id() -> int:
    """The judge id of this connection, re-checked on every event (revocation takes effect at once)."""
    return judge_access.judge_id_for_session(*_login())


def current_judge() -> Judge:
    """The judge of this connection, re-checked on every event."""
    return db.session.get(Judge, current_judge_id())


def _authenticate(auth: Any) -> Judge:
    token = payloads.parse(payloads.JudgeAuth, auth if isinstance(auth, dict) else None).token
    if token:
        attempt = begin_attempt(kind="token")  # guessing links over Socket.IO is limited like /j/<token>
        try:
            judge = judge_access.judge_for_token(token)
        except ServiceError:
            attempt.failed()
            raise
        attempt.succeeded()
    else:
        judge = current_judge()
    session[SESSION_KEY] = {"id": judge.id, "version": judge_access.session_version(judge)}
    return judge


def _presence(judge: Judge, access) -> dict[str, Any]:
    return {
        "judge_id": judge.id,
        "last_seen_at": access.last_seen_at.isoformat() if access.last_seen_at else None,
        "connected": access.connected,
        "unsent": access.unsent,
    }


def on_connect(auth: Any = None):
    """A tablet connects: authenticate, join the edition's judges room, send it the state."""
    try:
        judge = _authenticate(auth)
    except ServiceError as exc:
        db.session.rollback()
        raise ConnectionRefusedError(exc.message, {"code": "unauthenticated"}) from None
    join_room(ev.judges_room(judge.edition_id))
    join_room(ev.judge_room(judge.id))
    access = live_state.touch_judge(judge=judge, connected=True)
    presence = _presence(judge, access)
    edition = db.session.get(Edition, judge.edition_id)
    state = live_state.judge_state(edition, judge)
    db.session.commit()
    emit(ev.STATE_CHANGED, {"state": state})
    broadcast.judge_seen(judge.edition_id, presence)
    return True


def on_disconnect(reason: Any = None) -> None:
    """A tablet leaves: the desk sees it disconnected."""
    judge_id, _version = _login()
    judge = db.session.get(Judge, judge_id) if judge_access.is_judge_id(judge_id) else None
    if judge is None:
        return
    access = live_state.touch_judge(judge=judge, connected=False)
    presence = _presence(judge, access)
    db.session.commit()
    broadcast.judge_seen(judge.edition_id, presence)


def on_submit_mark(data: Any = None) -> dict[str, Any]:
    """A judge submits a mark: validate, COMMIT, then acknowledge and broadcast.

    The path: parse here → ``record_mark`` (the session re-checked and what the mark needs, in
    one read) → ``publication.mark_changed`` → commit → ``broadcast.results_changed`` (board
    first, then the desks). A resend is acknowledged with the stored value and broadcasts nothing.
    A mark for a segment already closed is kept as a late mark: acknowledged with
    ``late: true`` and announced to the desks with ``late_mark_received``. A signed-out or
    revoked tablet is refused ``unauthenticated`` before anything else, whatever it sent.
    """
    judge_id, version = _login()
    if not judge_access.is_judge_id(judge_id) or not isinstance(version, int):
        return _refuse("unauthenticated")
    refusal = None
    try:
        payload = payloads.parse(payloads.SubmitMark, data)
        if payload.judge_id is not None and payload.judge_id != judge_id:
            refusal = _refuse("impersonation")
    except ServiceError as exc:
        refusal = exc.to_dict()
    if refusal is not None:  # rare: the session is checked on its own, so that a revoked tablet hears that
        try:
            current_judge_id()
        except ServiceError:
            refusal = _refuse("unauthenticated")
        db.session.rollback()
        return refusal
    for attempt in (1, 2):
        try:
            outcome = record_mark(
                judge_id=judge_id, entry_id=payload.entry_id, segment_key=payload.segment_key, value=payload.value,
                idempotency_key=payload.idempotency_key, sent_at=payload.sent_at, session_version=version,
            )
            result = outcome.ack()
            if outcome.replayed:
                db.session.rollback()
                return result
            late = live_state.late_mark_info(outcome.late) if outcome.late is not None else None
            change, count = publication.mark_changed(outcome.target, late=late is not None)
            db.session.commit()
            break
        except IntegrityError:
            # Two identical resends raced (or two first marks): the other one is stored; re-read.
            db.session.rollback()
            if attempt == 2:
                raise
        except ServiceError as exc:
            db.session.rollback()
            return exc.to_dict()
    broadcast.results_changed(change)  # the boards first
    if late is not None:
        broadcast.late_mark_received(change.edition_id, late)
    else:
        broadcast.mark_recorded(change.edition_id, {"judge_id": judge_id, "entry_id": outcome.target.entry_id,
                                                    "segment_key": outcome.target.segment_key, "count": count})
    db.session.rollback()
    return result


def on_heartbeat(data: Any = None) -> dict[str, Any]:
    """A tablet says it is alive (and how many marks it still holds unsent); the desk sees it."""
    try:
        judge = current_judge()
    except ServiceError:
        db.session.rollback()
        return _refuse("unauthenticated")
    try:
        unsent = payloads.parse(payloads.Heartbeat, data).unsent
    except ServiceError as exc:
        db.session.rollback()
        return exc.to_dict()
    access = live_state.touch_judge(judge=judge, connected=True, unsent=unsent)
    presence = _presence(judge, access)
    seq = live_state.state_of(db.session.get(Edition, judge.edition_id)).live_seq or 0
    db.session.commit()
    broadcast.judge_seen(judge.edition_id, presence)
    # ``seq``: a tablet that holds an older state missed a message (a Redis outage): it refetches.
    return {"ok": True, "server_time": datetime.now(UTC).isoformat(), "seq": seq}


def on_get_state(data: Any = None) -> dict[str, Any]:
    """The tablet asks for its state: stage, open segment (max, step), its own stored mark."""
    try:
        judge = current_judge()
    except ServiceError:
        db.session.rollback()
        return _refuse("unauthenticated")
    edition = db.session.get(Edition, judge.edition_id)
    state = live_state.judge_state(edition, judge)
    db.session.commit()
    return {"ok": True, "state": state}


def register(socketio: SocketIO) -> None:
    """Register the /judge handlers on ``socketio``."""
    ns = ev.JUDGE_NS
    socketio.on_event("connect", on_connect, namespace=ns)
    socketio.on_event("disconnect", on_disconnect, namespace=ns)
    socketio.on_event(ev.SUBMIT_MARK, on_submit_mark, namespace=ns)
    socketio.on_event(ev.HEARTBEAT, on_heartbeat, namespace=ns)
    socketio.on_event(ev.GET_STATE, on_get_state, namespace=ns)

