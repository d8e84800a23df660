"""The /control namespace: the control desk (role control, secretariat or organiser).

The desk connects with its signed-in session and ``auth`` ``{"edition": <year or id>}``.
Each desk event changes the live state, commits, then broadcasts: one numbered
``board_updated`` delta to the boards, ``segment_opened`` / ``segment_closed`` /
``stage_changed`` to the judges' tablets, a coalesced ``desk_changed`` notice to the desks,
which then fetch their state with ``get_desk`` (a desk that connects gets it pushed as
``desk_updated``).
"""
from __future__ import annotations

from typing import Any

from flask import g, request, session
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room

from contest_app.enums import Role
from contest_app.extensions import db
from contest_app.live import broadcast
from contest_app.live import events as ev
from contest_app.live import payloads
from contest_app.models import Edition
from contest_app.services.final import ceremony, live_state, publication
from contest_app.services.rounds.editions import get_edition
from contest_app.services.errors import PermissionDenied, ServiceError, ValidationError
from contest_app.services.final.results import compute_results

DESK_ROLES = (Role.CONTROL.value, Role.SECRETARIAT.value, Role.ORGANISER.value)
SESSION_KEY = "live_desk_edition"


def _actor() -> str:
    return f"{current_user.display_name} ({current_user.username})"


def _check_user() -> None:
    # Load the user from this connection's session every time: an app context shared by
    # several connections (tests, some servers) must not carry another one's user here.
    g.pop("_login_user", None)
    if not current_user.is_authenticated or not current_user.has_role(*DESK_ROLES):
        raise PermissionDenied(ev.DESK_DENIED, code="forbidden")


def _edition() -> Edition:
    _check_user()
    edition_id = session.get(SESSION_KEY)
    edition = db.session.get(Edition, edition_id) if isinstance(edition_id, int) else None
    if edition is None:
        raise PermissionDenied(ev.UNKNOWN_EDITION, code="not_found")
    return edition


def on_connect(auth: Any = None):
    """Admit a desk user, join the edition's control room, send the desk state."""
    try:
        ref = payloads.parse(payloads.EditionAuth, auth if isinstance(auth, dict) else None).edition
        _check_user()
        edition = get_edition(str(ref) if ref is not None else request.args.get("edition", ""))
    except ServiceError as exc:
        db.session.rollback()
        raise ConnectionRefusedError(exc.message, {"code": exc.code}) from None
    session[SESSION_KEY] = edition.id
    join_room(ev.control_room(edition.id))
    desk = live_state.desk_state(edition)
    db.session.commit()
    emit(ev.DESK_UPDATED, {"desk": desk})
    return True


def _entry_and_segment(edition: Edition, data: Any, *, need_segment: bool = True):
    payload = payloads.parse(payloads.EntrySegment, data, message="Yêu cầu không hợp lệ.")
    entry = live_state.get_entry(edition, payload.entry_id) if payload.entry_id is not None else None
    segment = live_state.get_segment(edition, payload.segment_key) if need_segment else None
    return entry, segment


def _apply(change, *, judges_event: str | None = None) -> dict[str, Any]:
    """Run ``change(edition)`` (it returns the windows it touched), then the one "results changed"
    path: settle and number the board, COMMIT, then broadcast to boards, tablets and desks."""
    try:
        edition = _edition()
        touched = change(edition) or ()
        outcome = publication.results_changed(edition, touched=tuple(touched), judges_event=judges_event)
        judges = live_state.judge_state(edition) if judges_event is not None else None
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return exc.to_dict()
    broadcast.results_changed(outcome, judges_state_payload=judges)
    db.session.rollback()
    return {"ok": True, "seq": outcome.seq}


def on_set_stage(data: Any = None) -> dict[str, Any]:
    """Put a team on stage (``entry_id``; null for nobody)."""

    def change(edition: Edition):
        entry, _ = _entry_and_segment(edition, data or {}, need_segment=False)
        live_state.set_stage(edition=edition, entry=entry)

    return _apply(change, judges_event=ev.STAGE_CHANGED)


def on_open_segment(data: Any = None) -> dict[str, Any]:
    """Open marking of ``segment_key`` for ``entry_id`` (whatever was open closes)."""

    def change(edition: Edition):
        entry, segment = _entry_and_segment(edition, data)
        if entry is None:
            raise ValidationError("Hãy chọn đội thi.", code="bad_request")
        state = live_state.state_of(edition)
        was_open = (state.open_entry_id, state.open_segment_id)
        previous = publication.windows_of(edition).get(was_open) if None not in was_open else None
        live_state.open_segment(edition=edition, entry=entry, segment=segment, actor=_actor(),
                                confirm_missing=data.get("confirm_missing") is True)
        return (previous,)

    return _apply(change, judges_event=ev.SEGMENT_OPENED)


def on_close_segment(data: Any = None) -> dict[str, Any]:
    """Close the open segment. With judges missing, refused (``missing_marks``, naming them)
    unless ``confirm_missing: true``; marks sent afterwards are kept as late marks."""
    try:
        confirm = payloads.parse(payloads.CloseSegment, data).confirm_missing
    except ServiceError as exc:
        return exc.to_dict()

    def change(edition: Edition):
        return (live_state.close_segment(edition=edition, actor=_actor(), confirm_missing=confirm),)

    return _apply(change, judges_event=ev.SEGMENT_CLOSED)


def on_reveal_segment(data: Any = None) -> dict[str, Any]:
    """Publish an entry's segment score (``revealed: false`` hides it again)."""

    def change(edition: Edition):
        entry, segment = _entry_and_segment(edition, data)
        if entry is None:
            raise ValidationError("Hãy chọn đội thi.", code="bad_request")
        revealed = payloads.parse(payloads.RevealSegment, data).revealed
        live_state.reveal_segment(edition=edition, entry=entry, segment=segment, revealed=revealed)

    return _apply(change)


def on_reveal_prizes(data: Any = None) -> dict[str, Any]:
    """Show (or hide) the prizes and side awards on the board, at the end of the final."""
    def change(edition: Edition):
        revealed = payloads.parse(payloads.RevealPrizes, data).revealed
        live_state.reveal_prizes(edition=edition, revealed=revealed)

    return _apply(change)


def _late_id(data: Any) -> Any:
    return payloads.parse(payloads.LateMarkDecision, data, message="Yêu cầu không hợp lệ.").late_mark_id


def _decide_late(data: Any, accept: bool) -> dict[str, Any]:
    decided: dict[str, Any] = {}

    def change(edition: Edition):
        if accept:
            late, window = live_state.accept_late_mark(edition=edition, late_mark_id=_late_id(data), actor=_actor())
        else:
            late = live_state.reject_late_mark(edition=edition, late_mark_id=_late_id(data), actor=_actor(),
                                               reason=payloads.parse(payloads.LateMarkDecision, data).reason)
            window = None
        decided.update(live_state.late_mark_info(late))
        return (window,)

    reply = _apply(change)
    if reply.get("ok"):
        broadcast.mark_status(decided["judge_id"], decided)
        reply["late_mark"] = decided
    return reply


def on_accept_late_mark(data: Any = None) -> dict[str, Any]:
    """Accept a late mark (``late_mark_id``): it becomes the judge's mark; audited."""
    return _decide_late(data, accept=True)


def on_reject_late_mark(data: Any = None) -> dict[str, Any]:
    """Reject a late mark (``late_mark_id``) with a ``reason``; audited; the tablet shows why."""
    return _decide_late(data, accept=False)


def _move_ceremony(by: int) -> dict[str, Any]:
    """Move the ceremony ``by`` steps; starting it reveals the prizes. The reply carries the card shown."""

    def change(edition: Edition):
        state = live_state.state_of(edition)
        starting = state.ceremony_step is None or not state.prizes_revealed
        ceremony.move_ceremony(state=state, results=compute_results(edition), by=by)
        if starting:  # refused while a score is unpublished (the publication rule)
            live_state.reveal_prizes(edition=edition, revealed=True)

    reply = _apply(change)
    if reply.get("ok"):
        reply["ceremony"] = (live_state.state_of(_edition()).snapshot or {}).get("ceremony")
        db.session.rollback()
    return reply


def on_ceremony_next(data: Any = None) -> dict[str, Any]:
    """Show the ceremony's next card (the first one starts the ceremony and reveals the prizes)."""
    return _move_ceremony(1)


def on_ceremony_previous(data: Any = None) -> dict[str, Any]:
    """Show the ceremony's previous card again."""
    return _move_ceremony(-1)


def on_ceremony_stop(data: Any = None) -> dict[str, Any]:
    """Take the ceremony off the board (the prizes stay revealed)."""

    def change(edition: Edition):
        ceremony.stop_ceremony(state=live_state.state_of(edition))

    reply = _apply(change)
    if reply.get("ok"):
        reply["ceremony"] = None
    return reply


def on_get_desk(data: Any = None) -> dict[str, Any]:
    """The desk asks for its whole state again; with ``since`` (its ``seq``), only if it changed."""
    try:
        edition = _edition()
    except ServiceError as exc:
        return exc.to_dict()
    since = data.get("since") if isinstance(data, dict) else None
    state = live_state.state_of(edition)
    if isinstance(since, int) and not isinstance(since, bool) and since == state.board_seq:
        db.session.rollback()
        return {"ok": True, "seq": since, "unchanged": True}
    desk = live_state.desk_state(edition)
    db.session.commit()
    return {"ok": True, "desk": desk, "seq": desk["seq"]}


def register(socketio: SocketIO) -> None:
    """Register the /control handlers on ``socketio``."""
    ns = ev.CONTROL_NS
    socketio.on_event("connect", on_connect, namespace=ns)
    socketio.on_event(ev.SET_STAGE, on_set_stage, namespace=ns)
    socketio.on_event(ev.OPEN_SEGMENT, on_open_segment, namespace=ns)
    socketio.on_event(ev.CLOSE_SEGMENT, on_close_segment, namespace=ns)
    socketio.on_event(ev.REVEAL_SEGMENT, on_reveal_segment, namespace=ns)
    socketio.on_event(ev.REVEAL_PRIZES, on_reveal_prizes, namespace=ns)
    socketio.on_event(ev.GET_DESK, on_get_desk, namespace=ns)
    socketio.on_event(ev.ACCEPT_LATE_MARK, on_accept_late_mark, namespace=ns)
    socketio.on_event(ev.REJECT_LATE_MARK, on_reject_late_mark, namespace=ns)
    socketio.on_event(ev.CEREMONY_NEXT, on_ceremony_next, namespace=ns)
    socketio.on_event(ev.CEREMONY_PREVIOUS, on_ceremony_previous, namespace=ns)
    socketio.on_event(ev.CEREMONY_STOP, on_ceremony_stop, namespace=ns)
