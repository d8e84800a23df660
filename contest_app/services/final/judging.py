"""Recording the final judges' marks, and the secretariat's corrections after closing.

``record_mark`` is the only way a judge's mark gets in: it validates the number, the
range, the step, the open segment, the judge's panel and edition and the lock, and
stores the mark once per idempotency key. ``correct_mark`` is the only way a mark
changes after its segment is closed (secretariat, written reason, audited).
Both flush, never commit: the caller commits, then broadcasts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from contest_app.enums import LateMarkStatus, Panel, Role, RoundStatus
from contest_app.extensions import db, sync_loaded
from contest_app.formatting import vn_decimal
from contest_app.models import Edition, Entry, Judge, LateMark, Mark, MarkSubmission, Segment, SegmentWindow, User
from contest_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from contest_app.services.final import judge_access
from contest_app.services.trust.audit import mark_state_of, record_event, record_mark_written
from contest_app.services.trust.lock_guard import LOCKED_MESSAGE, ensure_unlocked

#: Every refusal a judge's client can receive, by code (the live protocol documents them).
MESSAGES: dict[str, str] = {
    "not_a_number": "Điểm phải là một số (ví dụ 8,5).",
    "below_zero": "Điểm không được nhỏ hơn 0.",
    "above_max": "Điểm không được vượt quá {max} (điểm tối đa của phần thi).",
    "off_step": "Điểm phải là bội số của {step} (ví dụ {example}).",
    "segment_closed": "Phần thi này chưa mở hoặc đã đóng chấm cho đội này; không thể ghi điểm.",
    "wrong_panel": "Bạn không thuộc Ban Giám khảo chấm phần thi này.",
    "impersonation": "Bạn chỉ được chấm điểm dưới tên của chính mình.",
    "edition_locked": LOCKED_MESSAGE,
    "unauthenticated": "Bạn chưa đăng nhập hoặc mã đăng nhập đã bị thu hồi. Vui lòng quét lại mã QR của mình.",
    "bad_request": "Yêu cầu không hợp lệ: thiếu hoặc sai thông tin (đội thi, phần thi, mã lần gửi).",
    "not_found": "Không tìm thấy đội thi hoặc phần thi.",
}

#: What the tablet says of a late mark, by its state.
LATE_MESSAGES: dict[str, str] = {
    LateMarkStatus.PENDING.value: "Phần thi đã đóng chấm: điểm được giữ lại là điểm nộp muộn, chờ Bàn điều khiển "
                                  "hoặc Ban Thư ký quyết định.",
    LateMarkStatus.ACCEPTED.value: "Điểm nộp muộn đã được chấp nhận.",
    LateMarkStatus.REJECTED.value: "Điểm nộp muộn không được chấp nhận.",
}

_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,80}$")


def parse_mark(raw: Any, segment: Any) -> Decimal:
    """Turn what a judge typed into a Decimal on the segment's grid, or refuse in Vietnamese.

    ``segment``: a Segment, or anything with its ``max_score`` and ``mark_step`` (a row of the mark's context).

    Accepts a number or a string with a decimal point or comma ("8,5"); refuses a word,
    a boolean, NaN or infinity, a value below 0 or above the maximum, or off the step.
    """
    if isinstance(raw, bool) or raw is None:
        raise ValidationError(MESSAGES["not_a_number"], code="not_a_number")
    if isinstance(raw, (int, Decimal)):
        text = str(raw)
    elif isinstance(raw, float):
        text = repr(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace(",", ".")
    else:
        raise ValidationError(MESSAGES["not_a_number"], code="not_a_number")
    # ASCII digits only: a full-width "８" or another script's digit is not a mark.
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", text):
        raise ValidationError(MESSAGES["not_a_number"], code="not_a_number")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        raise ValidationError(MESSAGES["not_a_number"], code="not_a_number") from None
    if value < 0:
        raise ValidationError(MESSAGES["below_zero"], code="below_zero")
    maximum = Decimal(segment.max_score)
    if value > maximum:
        raise ValidationError(MESSAGES["above_max"].format(max=vn_decimal(maximum)), code="above_max", max=str(maximum))
    step = Decimal(segment.mark_step or 0)
    if step > 0 and (value / step) != (value / step).to_integral_value():
        example = vn_decimal(min(maximum, step * 75))
        raise ValidationError(
            MESSAGES["off_step"].format(step=vn_decimal(step), example=example), code="off_step", step=str(step)
        )
    if step <= 0 and value != value.quantize(Decimal("0.01")):
        raise ValidationError(
            MESSAGES["off_step"].format(step="0,01", example="7,25"), code="off_step", step="0.01"
        )
    return value.quantize(Decimal("0.01"))


# Statements of the mark's path, built once with bound parameters (building one costs more than running it).
_WINDOW = select(SegmentWindow).where(
    SegmentWindow.entry_id == bindparam("entry_id"), SegmentWindow.segment_id == bindparam("segment_id"))
_WINDOW_COLS = SegmentWindow.__table__.c
_MARK_COLS = Mark.__table__.c
_MARK_INSERT = insert(Mark.__table__)
_MARK_UPDATE = (
    update(Mark.__table__).where(_MARK_COLS.id == bindparam("mark_id"))
    .values(value=bindparam("new_value"), idempotency_key=bindparam("new_key"))
)


_SUBMISSION = insert(MarkSubmission.__table__)
_JUDGES, _ENTRIES, _SEGMENTS = Judge.__table__, Entry.__table__, Segment.__table__
_EDITIONS, _SUBMISSIONS, _LATE = Edition.__table__, MarkSubmission.__table__, LateMark.__table__
# Everything a judge's mark needs, in one statement and without loading an object: the judge as
# stored now (with what the tablet's session is checked against), the entry, its edition's lock,
# the segment by key, the window, the judge's mark in it, and whether the idempotency key was
# used already (for a mark or for a late mark).
_CONTEXT = (
    select(
        *judge_access.SESSION_COLUMNS,
        _JUDGES.c.name.label("judge_name"), _JUDGES.c.edition_id.label("judge_edition_id"), _JUDGES.c.panel,
        _ENTRIES.c.id.label("entry_id"), _ENTRIES.c.edition_id.label("edition_id"),
        _ENTRIES.c.preliminary_status, _SEGMENTS.c.id.label("segment_id"), _SEGMENTS.c.key.label("segment_key"),
        _SEGMENTS.c.max_score, _SEGMENTS.c.mark_step, _SEGMENTS.c.scored_from_answers, _EDITIONS.c.locked_at,
        _WINDOW_COLS.id.label("window_id"), _WINDOW_COLS.is_open, _MARK_COLS.id.label("mark_id"),
        _MARK_COLS.value.label("previous"),
        select(_SUBMISSIONS.c.id).where(_SUBMISSIONS.c.idempotency_key == bindparam("key"))
        .scalar_subquery().label("used_by_mark"),
        select(_LATE.c.id).where(_LATE.c.idempotency_key == bindparam("key")).scalar_subquery().label("used_by_late"),
    )
    .select_from(judge_access.SESSION_FROM)
    .outerjoin(_ENTRIES, _ENTRIES.c.id == bindparam("entry_id"))
    .outerjoin(_EDITIONS, _EDITIONS.c.id == _ENTRIES.c.edition_id)
    .outerjoin(_SEGMENTS, (_SEGMENTS.c.edition_id == _ENTRIES.c.edition_id)
               & (_SEGMENTS.c.key == bindparam("segment_key")))
    .outerjoin(SegmentWindow.__table__, (_WINDOW_COLS.entry_id == _ENTRIES.c.id)
               & (_WINDOW_COLS.segment_id == _SEGMENTS.c.id))
    .outerjoin(Mark.__table__, (_MARK_COLS.entry_id == _ENTRIES.c.id) & (_MARK_COLS.segment_id == _SEGMENTS.c.id)
               & (_MARK_COLS.judge_id == _JUDGES.c.id))
    .where(_JUDGES.c.id == bindparam("judge_id"))
)


@dataclass(frozen=True)
class MarkTarget:
    """What a judge's mark was for, as publication needs it (ids, not loaded objects)."""

    edition_id: int
    entry_id: int
    segment_id: int
    segment_key: str
    scored_from_answers: bool


def window_of(entry: Entry, segment: Segment) -> SegmentWindow | None:
    """The marking window of (entry, segment), if the desk ever opened it."""
    return db.session.scalar(_WINDOW, {"entry_id": entry.id, "segment_id": segment.id})


@dataclass(frozen=True)
class MarkOutcome:
    """What ``record_mark`` did: the stored mark, and whether this was a resend."""

    mark: Mark | None
    replayed: bool
    previous: Decimal | None
    target: MarkTarget
    late: LateMark | None = None

    def ack(self) -> dict[str, Any]:
        """The acknowledgement a judge's client receives."""
        if self.late is not None:
            return {
                "ok": True,
                "replayed": self.replayed,
                "late": True,
                "status": f"late_{self.late.status}",
                "message": LATE_MESSAGES[self.late.status],
                "reason": self.late.reason,
                "mark": {
                    "entry_id": self.late.entry_id,
                    "segment_key": self.target.segment_key,
                    "value": str(self.late.value),
                    "display": vn_decimal(Decimal(self.late.value)),
                    "idempotency_key": self.late.idempotency_key,
                },
            }
        return {
            "ok": True,
            "replayed": self.replayed,
            "mark": {
                "entry_id": self.mark.entry_id,
                "segment_key": self.target.segment_key,
                "value": str(self.mark.value),
                "display": vn_decimal(Decimal(self.mark.value)),
                "idempotency_key": self.mark.idempotency_key,
            },
        }


def _check_scope(context: Any) -> None:
    """Refuse a mark from a revoked judge, another panel or edition, for an entry not in the final, or once locked."""
    if context.revoked_at is not None:
        raise PermissionDenied(MESSAGES["unauthenticated"], code="unauthenticated")
    if context.panel != Panel.FINAL.value or context.edition_id != context.judge_edition_id:
        raise PermissionDenied(MESSAGES["wrong_panel"], code="wrong_panel")
    if context.preliminary_status != RoundStatus.PASSED.value:
        raise NotFound(MESSAGES["not_found"], code="not_found")
    ensure_unlocked(context)


def _sent_at(raw: Any) -> datetime | None:
    """The tablet's own time of sending (ISO 8601), if it gave a readable one."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_mark(*, judge_id: int, entry_id: Any, segment_key: Any, value: Any, idempotency_key: str,
                sent_at: Any = None, session_version: int | None = None) -> MarkOutcome:
    """Store judge ``judge_id``'s mark for entry ``entry_id`` in segment ``segment_key``, once per idempotency key.

    What the mark needs is read in one statement (no object loaded). ``session_version``: the
    access version a tablet's session carries (the ``/judge`` handler gives it): the session is
    checked in that same read, before anything else, as ``judge_access.judge_id_for_session``
    checks it (revoked, no login, access re-issued: ``unauthenticated``). A key already used by
    this judge is a resend: nothing changes and the stored mark is returned (``replayed``).
    Otherwise the value is validated and the judge's mark for (entry, segment) is created or
    replaced, while the segment is open for that entry. A valid mark for a segment the desk
    has already closed is kept as a late mark (``late``), for the desk or the secretariat to
    accept or reject; it is never dropped. Two identical resends racing make the second
    insert fail with IntegrityError: the caller rolls back and calls again, which then finds
    the key.
    """
    if not judge_access.is_judge_id(judge_id):
        raise PermissionDenied(MESSAGES["unauthenticated"], code="unauthenticated")
    if not isinstance(entry_id, int) or not isinstance(segment_key, str):
        raise NotFound(MESSAGES["not_found"], code="not_found")
    connection = db.session.connection()
    context = connection.execute(_CONTEXT, {"judge_id": judge_id, "entry_id": entry_id, "segment_key": segment_key,
                                            "key": idempotency_key if isinstance(idempotency_key, str) else ""}).first()
    if context is None:
        raise PermissionDenied(MESSAGES["unauthenticated"], code="unauthenticated")
    if session_version is not None:
        judge_access.check_session(context, judge_id, session_version)
    if context.entry_id is None or context.segment_id is None:
        raise NotFound(MESSAGES["not_found"], code="not_found")
    if not isinstance(idempotency_key, str) or not _KEY.match(idempotency_key):
        raise ValidationError(MESSAGES["bad_request"], code="bad_request")
    target = MarkTarget(edition_id=context.edition_id, entry_id=entry_id, segment_id=context.segment_id,
                        segment_key=segment_key, scored_from_answers=bool(context.scored_from_answers))
    if context.used_by_mark is not None:
        seen = db.session.get(MarkSubmission, context.used_by_mark)
        if seen.judge_id != judge_id:
            raise PermissionDenied(MESSAGES["impersonation"], code="impersonation")
        mark = db.session.scalar(
            select(Mark).where(
                Mark.judge_id == judge_id, Mark.entry_id == seen.entry_id, Mark.segment_id == seen.segment_id
            )
        )
        if mark is None:  # the mark was removed since: the key cannot be used again
            raise ValidationError(MESSAGES["bad_request"], code="bad_request")
        return MarkOutcome(mark=mark, replayed=True, previous=mark.value, target=target)
    if context.used_by_late is not None:
        late = db.session.get(LateMark, context.used_by_late)
        if late.judge_id != judge_id:
            raise PermissionDenied(MESSAGES["impersonation"], code="impersonation")
        return MarkOutcome(mark=None, replayed=True, previous=None, target=target, late=late)

    _check_scope(context)
    number = parse_mark(value, context)
    if context.window_id is None:
        raise Conflict(MESSAGES["segment_closed"], code="segment_closed")
    actor = f"{context.judge_name} (giám khảo #{judge_id})"
    where = {"judge_id": judge_id, "entry_id": entry_id, "segment_id": context.segment_id}
    if not context.is_open:
        late = LateMark(idempotency_key=idempotency_key, **where, value=number, sent_at=_sent_at(sent_at),
                        status=LateMarkStatus.PENDING.value, decided_by="", reason="")
        db.session.add(late)
        db.session.flush()
        record_event(
            actor=actor, action="late_mark_received", edition_id=context.edition_id, object_type="late_mark",
            object_id=late.id,
            after={"value": str(number), "entry_id": entry_id, "segment": segment_key,
                   "idempotency_key": idempotency_key, "sent_at": late.sent_at.isoformat() if late.sent_at else None},
        )
        return MarkOutcome(mark=None, replayed=False, previous=None, target=target, late=late)

    # The mark and its ledger row in core statements (the unit of work costs more than the SQL here);
    # the mark's chained ``mark_state`` record is added as ``watch_marks`` adds it for ORM writes.
    mark_id, previous = context.mark_id, context.previous
    if mark_id is None:
        mark_id = connection.execute(_MARK_INSERT, {**where, "value": number, "idempotency_key": idempotency_key}
                                     ).inserted_primary_key[0]
    else:
        connection.execute(_MARK_UPDATE, {"mark_id": mark_id, "new_value": number, "new_key": idempotency_key})
    connection.execute(_SUBMISSION, {**where, "idempotency_key": idempotency_key, "value": number})
    record_mark_written(  # every judge's mark goes into the hash-chained trail, not only corrections
        edition_id=context.edition_id, mark_id=mark_id, actor=actor,
        before=None if previous is None else {"value": str(previous)},
        after={"value": str(number), "entry_id": entry_id, "segment": segment_key, "idempotency_key": idempotency_key},
        state_before=None if previous is None else mark_state_of(**where, value=previous),
        state_after=mark_state_of(**where, value=number),
    )
    return MarkOutcome(mark=_mark_as_stored(mark_id, where, number, idempotency_key), replayed=False,
                       previous=previous, target=target)


def _mark_as_stored(mark_id: int, where: dict[str, int], value: Decimal, idempotency_key: str) -> Mark:
    """The mark as just written: the session's own copy brought up to date, or a detached one."""
    loaded = sync_loaded(Mark, mark_id, value=value, idempotency_key=idempotency_key)
    if loaded is None:
        return Mark(id=mark_id, **where, value=value, idempotency_key=idempotency_key)
    db.session.expire(loaded, ["updated_at"])
    return loaded


def correct_mark(
    *, actor: User, judge: Judge, entry: Entry, segment: Segment, value: Any, reason: str
) -> Mark:
    """Change (or enter) a judge's mark after its segment is closed: secretariat only, with a reason.

    The change (who, when, old value, new value, reason) goes to the audit trail.
    """
    if actor is None or not actor.has_role(Role.SECRETARIAT.value):
        raise PermissionDenied("Chỉ Ban Thư ký được sửa điểm sau khi phần thi đã đóng.", code="forbidden")
    if judge.edition_id != segment.edition_id or entry.edition_id != segment.edition_id or judge.panel != Panel.FINAL.value:
        raise PermissionDenied(MESSAGES["wrong_panel"], code="wrong_panel")
    edition = db.session.get(Edition, segment.edition_id)
    ensure_unlocked(edition)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError("Vui lòng ghi rõ lý do sửa điểm (ít nhất 5 ký tự).", code="reason_required")
    window = window_of(entry, segment)
    if window is not None and window.is_open:
        raise Conflict(
            "Phần thi đang mở chấm: giám khảo tự sửa điểm trên máy tính bảng; Ban Thư ký chỉ sửa sau khi đóng.",
            code="segment_open",
        )
    number = parse_mark(value, segment)
    mark = db.session.scalar(
        select(Mark).where(Mark.judge_id == judge.id, Mark.entry_id == entry.id, Mark.segment_id == segment.id)
    )
    before = None if mark is None else {"value": str(mark.value)}
    if mark is None:
        mark = Mark(judge_id=judge.id, entry_id=entry.id, segment_id=segment.id, value=number)
        db.session.add(mark)
    else:
        mark.value = number
        mark.updated_at = datetime.now(UTC)
    db.session.flush()
    record_event(
        actor=f"{actor.display_name} ({actor.username})",
        action="mark_corrected",
        edition_id=edition.id,
        object_type="mark",
        object_id=mark.id,
        before=before,
        after={
            "value": str(number),
            "judge": judge.name,
            "entry_id": entry.id,
            "team": entry.team.name if entry.team else entry.unit.name,
            "segment": segment.key,
        },
        reason=reason,
    )
    return mark


def marks_of(edition: Edition, segment: Segment | None = None) -> list[Mark]:
    """The final's marks of ``edition`` (optionally of one segment)."""
    query = select(Mark).join(Segment, Segment.id == Mark.segment_id).where(Segment.edition_id == edition.id)
    if segment is not None:
        query = query.where(Mark.segment_id == segment.id)
    return list(db.session.scalars(query))
