"""The final's judges of an edition: add, edit, reorder (seat) and remove them, and tell
which finalists share a unit with one of them.

Credentials (links, PINs) are issued by ``services/final/judge_access``; this module never makes
them. A judge who has marked cannot be removed (their marks are part of the record).
Flushes; the caller commits.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select

from contest_app.enums import Panel
from contest_app.extensions import db
from contest_app.models import Edition, Entry, Judge, JudgeAccess, Mark, Unit
from contest_app.services.trust.audit import record_event
from contest_app.services.trust.lock_guard import ensure_unlocked
from contest_app.services.errors import Conflict, NotFound, ValidationError


def _judges(edition: Edition) -> list[Judge]:
    return list(db.session.scalars(
        select(Judge).where(Judge.edition_id == edition.id, Judge.panel == Panel.FINAL.value)
        .order_by(Judge.seat, Judge.id)))


def _check_unlocked(edition: Edition) -> None:
    ensure_unlocked(edition)


def _clean_name(name: str | None) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise ValidationError("Vui lòng nhập họ và tên giám khảo.", code="judge_name_required")
    if len(text) > 200:
        raise ValidationError("Họ và tên giám khảo dài quá 200 ký tự.", code="judge_name_too_long")
    return text


def _unit(unit_id: int | None) -> Unit | None:
    if not unit_id:
        return None
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise ValidationError(f"Không tìm thấy đơn vị có mã {unit_id}.", code="unit_not_found")
    return unit


def find_unit(name: str | None) -> Unit | None:
    """The unit named exactly ``name`` (case-insensitive), or None for a blank name."""
    text = " ".join((name or "").split())
    if not text:
        return None
    unit = db.session.scalar(select(Unit).where(func.lower(Unit.name) == text.lower()))
    if unit is None:
        raise ValidationError(f"Không tìm thấy đơn vị “{text}” trong danh mục.", code="unit_not_found")
    return unit


def _seat(value, *, what: str = "Ghế") -> int:
    try:
        seat = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(f"{what} phải là số nguyên dương.", code="bad_seat") from None
    if not 1 <= seat <= 99:
        raise ValidationError(f"{what} phải từ 1 đến 99.", code="bad_seat")
    return seat


def get_final_judge(edition: Edition, judge_id: int) -> Judge:
    judge = db.session.get(Judge, judge_id)
    if judge is None or judge.edition_id != edition.id or judge.panel != Panel.FINAL.value:
        raise NotFound("Không tìm thấy giám khảo chung khảo này.", code="judge_not_found")
    return judge


def add_judge(*, edition: Edition, name: str, actor: str, title: str = "", unit_id: int | None = None,
              seat=None) -> Judge:
    """Add a final judge; without a seat they sit after the others. A taken seat is refused."""
    _check_unlocked(edition)
    name = _clean_name(name)
    unit = _unit(unit_id)
    judges = _judges(edition)
    if seat in (None, ""):
        number = max((j.seat for j in judges), default=0) + 1
    else:
        number = _seat(seat)
        holder = next((j for j in judges if j.seat == number), None)
        if holder is not None:
            raise Conflict(f"Ghế số {number} đã có giám khảo {holder.name}.", code="seat_taken")
    if any(j.name.casefold() == name.casefold() for j in judges):
        raise Conflict(f"Đã có giám khảo “{name}” trong Ban Giám khảo chung khảo.", code="judge_exists")
    judge = Judge(edition_id=edition.id, name=name, title=" ".join((title or "").split()),
                  unit_id=unit.id if unit else None, panel=Panel.FINAL.value, seat=number)
    db.session.add(judge)
    db.session.flush()
    record_event(actor=actor, action="judge.add", edition_id=edition.id, object_type="judge", object_id=judge.id,
                 after={"name": judge.name, "title": judge.title, "unit": unit.name if unit else None, "seat": number})
    return judge


def update_judge(*, judge: Judge, name: str, title: str, unit_id: int | None, actor: str) -> Judge:
    """Correct a judge's name, title or unit."""
    edition = db.session.get(Edition, judge.edition_id)
    _check_unlocked(edition)
    name = _clean_name(name)
    unit = _unit(unit_id)
    before = {"name": judge.name, "title": judge.title, "unit_id": judge.unit_id}
    judge.name, judge.title, judge.unit_id = name, " ".join((title or "").split()), unit.id if unit else None
    db.session.flush()
    record_event(actor=actor, action="judge.update", edition_id=judge.edition_id, object_type="judge",
                 object_id=judge.id, before=before, after={"name": name, "title": judge.title, "unit_id": judge.unit_id})
    return judge


def move_judge(*, judge: Judge, seat, actor: str) -> list[Judge]:
    """Put a judge on seat ``seat``; whoever sat there takes the judge's old seat."""
    edition = db.session.get(Edition, judge.edition_id)
    _check_unlocked(edition)
    number = _seat(seat)
    old = judge.seat
    holder = next((j for j in _judges(edition) if j.seat == number and j.id != judge.id), None)
    if holder is not None:
        holder.seat = old
    judge.seat = number
    db.session.flush()
    record_event(actor=actor, action="judge.seat", edition_id=judge.edition_id, object_type="judge",
                 object_id=judge.id, before={"seat": old}, after={"seat": number,
                                                                  "swapped_with": holder.name if holder else None})
    return _judges(edition)


def remove_judge(*, judge: Judge, actor: str) -> None:
    """Remove a final judge who has not marked yet (with their access record)."""
    edition = db.session.get(Edition, judge.edition_id)
    _check_unlocked(edition)
    marks = db.session.scalar(select(func.count(Mark.id)).where(Mark.judge_id == judge.id)) or 0
    if marks:
        raise Conflict(f"Giám khảo {judge.name} đã chấm {marks} điểm; không thể xóa. "
                       "Hãy thu hồi mã đăng nhập nếu giám khảo không tiếp tục chấm.", code="judge_has_marks")
    before = {"name": judge.name, "seat": judge.seat, "unit_id": judge.unit_id}
    db.session.execute(delete(JudgeAccess).where(JudgeAccess.judge_id == judge.id))
    db.session.delete(judge)
    db.session.flush()
    record_event(actor=actor, action="judge.remove", edition_id=edition.id, object_type="judge",
                 object_id=before["name"], before=before)


def same_unit_judges(edition: Edition, entries: list[Entry]) -> dict[int, list[str]]:
    """For each entry, the final judges who come from its unit (by seat), where there are any."""
    by_unit: dict[int, list[str]] = {}
    for j in _judges(edition):
        if j.unit_id is not None:
            by_unit.setdefault(j.unit_id, []).append(j.name)
    return {e.id: by_unit[e.unit_id] for e in entries if e.unit_id in by_unit}
