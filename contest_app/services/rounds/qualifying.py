"""The qualifying round (vòng loại): each unit says which of its entries go on to the
province, with an optional score and note, before the deadline the organisers set.

The deadline is ``Round.deadline`` of the edition's qualifying round. Flushes only.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from contest_app.enums import RoundKind, RoundStatus
from contest_app.extensions import db
from contest_app.formatting import vn_moment
from contest_app.models import Edition, Entry, Round, RoundProgress, User
from contest_app.services.trust.inputs import decimal_text, printable
from contest_app.services.errors import Conflict, ValidationError
from contest_app.services.rounds.registration import ensure_unit_access
from contest_app.services.trust.audit import actor_name, record_event

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def qualifying_round(edition: Edition) -> Round:
    """The edition's qualifying round, created when missing."""
    rnd = db.session.scalar(
        select(Round).where(Round.edition_id == edition.id, Round.kind == RoundKind.QUALIFYING.value)
    )
    if rnd is None:
        rnd = Round(edition_id=edition.id, kind=RoundKind.QUALIFYING.value, name="Vòng loại", order=1)
        db.session.add(rnd)
        db.session.flush()
    return rnd


def set_deadline(*, edition: Edition, deadline: datetime | None, actor: User) -> Round:
    """Set (or clear) the qualifying deadline; a naive time is read as local time."""
    rnd = qualifying_round(edition)
    if deadline is not None and deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=LOCAL_TZ)
    before = {"deadline": rnd.deadline}
    rnd.deadline = deadline.astimezone(UTC) if deadline else None
    db.session.flush()
    record_event(actor=actor_name(actor), action="qualifying.deadline", edition_id=edition.id, object_type="round",
                 object_id=rnd.id, before=before, after={"deadline": rnd.deadline})
    return rnd


def deadline_passed(edition: Edition, now: datetime | None = None) -> bool:
    rnd = qualifying_round(edition)
    if rnd.deadline is None:
        return False
    deadline = rnd.deadline if rnd.deadline.tzinfo else rnd.deadline.replace(tzinfo=UTC)
    return (now or datetime.now(UTC)) > deadline


def parse_score(text) -> Decimal | None:
    """An optional qualifying score: empty, or a number 0..100 with at most 2 decimals."""
    raw = "" if text is None else str(text).strip()
    if not raw:
        return None
    value = decimal_text(raw, int_digits=3, places=6, allow_minus=True)
    if value is None:
        raise ValidationError(f"Điểm vòng loại “{printable(raw)[:20]}” không phải là một số.", code="bad_score")
    if not value.is_finite() or value < 0 or value > 100:
        raise ValidationError("Điểm vòng loại phải từ 0 đến 100.", code="score_out_of_range")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("Điểm vòng loại chỉ được có tối đa 2 chữ số thập phân.", code="score_precision")
    return value.quantize(Decimal("0.01"))


def record_decision(*, entry: Entry, passed: bool, score=None, note: str = "", actor: User,
                    now: datetime | None = None) -> Entry:
    """Record whether the unit sends this entry on to the province.

    Refused for another unit's entry, after the deadline, and once the preliminary round
    is closed. Audited.
    """
    ensure_unit_access(user=actor, unit_id=entry.unit_id)
    edition = db.session.get(Edition, entry.edition_id)
    rnd = qualifying_round(edition)
    if deadline_passed(edition, now):
        raise Conflict(
            f"Đã quá hạn ghi nhận kết quả vòng loại ({vn_moment(rnd.deadline)}); không thể thay đổi.",
            code="deadline_passed",
        )
    closed = db.session.scalar(select(RoundProgress).where(
        RoundProgress.edition_id == edition.id, RoundProgress.kind == RoundKind.PRELIMINARY.value))
    if closed is not None and closed.closed_at is not None:
        raise Conflict("Vòng sơ khảo đã kết thúc; không thể thay đổi kết quả vòng loại.", code="round_closed")
    value = parse_score(score)
    before = {"status": entry.qualifying_status, "score": entry.qualifying_score, "note": entry.qualifying_note}
    entry.qualifying_status = (RoundStatus.PASSED if passed else RoundStatus.FAILED).value
    entry.qualifying_score = value
    entry.qualifying_note = (note or "").strip()
    db.session.flush()
    record_event(actor=actor_name(actor), action="qualifying.decide", edition_id=edition.id, object_type="entry",
                 object_id=entry.id, before=before,
                 after={"status": entry.qualifying_status, "score": value, "note": entry.qualifying_note})
    return entry
