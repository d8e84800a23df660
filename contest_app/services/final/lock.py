"""The signed-off result: locking an edition's final and checking exported results.

The secretariat locks (``lock_final``): it stamps ``edition.locked_at``/``locked_by`` and
appends an ``edition.lock`` audit record that carries the SHA-256 fingerprint of the
results' canonical form. An organiser countersigns (``countersign_lock``): the second
signature. ``unlock_final`` (audited, with a reason) voids the fingerprint and says who
and why. Anything that changes what the result depends on calls ``ensure_unlocked``
first (see ``services.trust.lock_guard``). This module never commits: the caller does.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from contest_app.enums import Role
from contest_app.extensions import db
from contest_app.models import AuditEvent, Edition, PanelDecision
from contest_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from contest_app.services.trust.lock_guard import LOCKED_MESSAGE, ensure_unlocked
from contest_app.services.final.results import EditionResults, compute_results
from contest_app.services.trust.audit import record_event

__all__ = ["LOCKED_MESSAGE", "ensure_unlocked"]

LOCK_ACTION = "edition.lock"
UNLOCK_ACTION = "edition.unlock"
COUNTERSIGN_ACTION = "edition.lock_countersigned"
PANEL_ACTION = "panel.decided"
VIETNAM = timezone(timedelta(hours=7))


def is_locked(edition: Edition) -> bool:
    """True once the secretariat has signed off the edition's final."""
    return edition.locked_at is not None


def _actor_name(actor: Any) -> str:
    """The audit name of ``actor`` (a User, or a plain name for the CLI); refuse non-secretariat users."""
    if isinstance(actor, str):
        name = actor.strip()
        if not name:
            raise ValidationError("Cần ghi rõ người khóa kết quả.", code="actor_required")
        return name
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(Role.SECRETARIAT):
        raise PermissionDenied("Chỉ Ban Thư ký được khóa kết quả kỳ thi.", code="forbidden")
    return actor.username


def lock_problems(edition: Edition, results: EditionResults | None = None) -> list[str]:
    """What stops ``edition`` from being locked, in Vietnamese (empty when it may be locked)."""
    if edition.figures_only:
        return ["Kỳ thi này chỉ có số liệu tổng hợp, không có điểm chấm để khóa."]
    results = results or compute_results(edition)
    if not results.rows:
        return ["Kỳ thi chưa có đội nào vào vòng chung khảo."]
    by_team: dict[int, list] = {}
    for m in results.completeness.missing:
        by_team.setdefault(m.entry_id, []).append(m)
    problems = []
    for row in results.rows_in_order():
        if row.entry_id in by_team:
            cells = ", ".join(f"{m.segment_name} {m.marks_in}/{m.expected}" for m in by_team[row.entry_id])
            problems.append(f"Đội “{row.team}” chưa đủ điểm: {cells}.")
    return problems


def _user_name(actor: Any, *roles: Role, message: str) -> str:
    if isinstance(actor, str):
        name = actor.strip()
        if not name:
            raise ValidationError("Cần ghi rõ người thực hiện.", code="actor_required")
        return name
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*roles):
        raise PermissionDenied(message, code="forbidden")
    return actor.username


def _reason(reason: str, what: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise ValidationError(f"Vui lòng ghi rõ lý do {what} (ít nhất 10 ký tự).", code="reason_required")
    return reason


def record_panel_decision(*, edition: Edition, segment_key: str, entry_id: int | None, panel_size: Any,
                          reason: str, actor: Any) -> PanelDecision:
    """Record that a segment's panel is smaller (a judge absent), for one team or every team; audited."""
    name = _user_name(actor, Role.SECRETARIAT, Role.ORGANISER,
                      message="Chỉ Ban Thư ký hoặc Ban Tổ chức được ghi nhận quyết định về số giám khảo.")
    ensure_unlocked(edition)
    segment = next((s for s in edition.segments if s.key == segment_key), None)
    if segment is None:
        raise NotFound("Không tìm thấy phần thi.", code="not_found")
    try:
        size = int(panel_size)
    except (TypeError, ValueError):
        size = 0
    full = edition.judges_per_panel or 0
    if not 1 <= size < full:
        raise ValidationError(f"Số giám khảo của phần thi phải từ 1 đến {full - 1}.", code="bad_panel_size")
    reason = _reason(reason, "giảm số giám khảo")
    decision = db.session.scalar(select(PanelDecision).where(
        PanelDecision.segment_id == segment.id,
        PanelDecision.entry_id.is_(None) if entry_id is None else PanelDecision.entry_id == entry_id))
    if decision is None:
        decision = PanelDecision(edition_id=edition.id, segment_id=segment.id, entry_id=entry_id,
                                 panel_size=size, reason=reason, decided_by=name)
        db.session.add(decision)
    decision.panel_size, decision.reason, decision.decided_by = size, reason, name
    decision.decided_at = datetime.now(UTC)
    db.session.flush()
    record_event(actor=name, action=PANEL_ACTION, edition_id=edition.id, object_type="segment",
                 object_id=f"{entry_id or '*'}:{segment.key}", before={"panel": full},
                 after={"panel": size, "segment": segment.key, "entry_id": entry_id}, reason=reason)
    return decision


def panel_decisions(edition: Edition) -> list[PanelDecision]:
    return list(db.session.scalars(select(PanelDecision).where(PanelDecision.edition_id == edition.id)
                                   .order_by(PanelDecision.id)))


def countersign_lock(*, edition: Edition, actor: Any) -> AuditEvent:
    """The organiser's second signature on the lock; audited."""
    name = _user_name(actor, Role.ORGANISER, message="Chỉ Ban Tổ chức được ký xác nhận kết quả đã khóa.")
    if not is_locked(edition):
        raise Conflict("Kết quả chưa được Ban Thư ký khóa: chưa thể ký xác nhận.", code="not_locked")
    if edition.lock_countersigned_at is not None:
        raise Conflict(f"Kết quả đã được {edition.lock_countersigned_by} ký xác nhận lúc "
                       f"{local_time(edition.lock_countersigned_at)}.", code="already_countersigned")
    if name == edition.locked_by:
        raise Conflict("Người ký xác nhận phải khác người đã khóa kết quả.", code="same_signer")
    now = datetime.now(UTC)
    edition.lock_countersigned_at, edition.lock_countersigned_by = now, name
    db.session.flush()
    return record_event(actor=name, action=COUNTERSIGN_ACTION, edition_id=edition.id, object_type="edition",
                        object_id=edition.id, after={"countersigned_by": name, "at": now.isoformat(),
                                                     "fingerprint": locked_fingerprint(edition)})


def unlock_final(*, edition: Edition, actor: Any, reason: str) -> AuditEvent:
    """Unlock ``edition``'s result: audited with who and why; the locked fingerprint is void."""
    name = _user_name(actor, Role.SECRETARIAT, Role.ORGANISER,
                      message="Chỉ Ban Thư ký hoặc Ban Tổ chức được mở khóa kết quả.")
    if not is_locked(edition):
        raise Conflict("Kết quả kỳ thi chưa được khóa.", code="not_locked")
    reason = _reason(reason, "mở khóa")
    voided = locked_fingerprint(edition)
    before = {"locked_at": edition.locked_at.isoformat(), "locked_by": edition.locked_by,
              "countersigned_by": edition.lock_countersigned_by}
    edition.locked_at = edition.locked_by = None
    edition.lock_countersigned_at = edition.lock_countersigned_by = None
    db.session.flush()
    return record_event(actor=name, action=UNLOCK_ACTION, edition_id=edition.id, object_type="edition",
                        object_id=edition.id, before=before, after={"voided_fingerprint": voided}, reason=reason)


def lock_final(*, edition: Edition, actor: Any, reason: str = "") -> AuditEvent:
    """Lock ``edition``'s final result for good and record its fingerprint in the audit trail.

    ``actor`` is the signed-in secretariat user (or a name, from the command line).
    Refuses an edition already locked, one with only summary figures, and one where a
    finalist still lacks a segment score. Unresolved ties are recorded in the audit
    record so that locking never settles them silently. Flushes; the caller commits.
    """
    name = _actor_name(actor)
    if is_locked(edition):
        raise Conflict(
            f"Kết quả kỳ thi đã được khóa lúc {local_time(edition.locked_at)} bởi {edition.locked_by}.",
            code="already_locked",
        )
    results = compute_results(edition) if not edition.figures_only else None
    problems = lock_problems(edition, results)
    if problems:
        raise Conflict("Chưa thể khóa kết quả: " + " ".join(problems), code="not_ready", problems=problems)
    fingerprint = results.fingerprint()
    now = datetime.now(UTC)
    edition.locked_at = now
    edition.locked_by = name
    return record_event(
        actor=name,
        action=LOCK_ACTION,
        edition_id=edition.id,
        object_type="edition",
        object_id=edition.id,
        before={"locked_at": None},
        after={
            "locked_at": now.isoformat(),
            "locked_by": name,
            "fingerprint": fingerprint,
            "finalists": len(results.rows),
            "unresolved_ties": results.unresolved_ties,
        },
        reason=reason,
    )


def lock_record(edition: Edition) -> AuditEvent | None:
    """The audit record of ``edition``'s lock, or None when it is not locked (or was unlocked since)."""
    record = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.edition_id == edition.id, AuditEvent.action.in_((LOCK_ACTION, UNLOCK_ACTION)))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return record if record is not None and record.action == LOCK_ACTION else None


def unlock_record(edition: Edition) -> AuditEvent | None:
    """The newest unlock of ``edition`` (who, why, the voided fingerprint), if any."""
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.edition_id == edition.id, AuditEvent.action == UNLOCK_ACTION)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


def locked_fingerprint(edition: Edition) -> str | None:
    """The fingerprint stored when ``edition`` was locked."""
    record = lock_record(edition)
    if record is None or not record.after:
        return None
    return record.after.get("fingerprint")


def fingerprint_of(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON form of exported results (``fingerprint`` key left out).

    The same canonical form as ``EditionResults.fingerprint``: sorted keys, no spaces, UTF-8.
    """
    body = {k: v for k, v in data.items() if k not in ("fingerprint", "locked", "published")}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def export_results(edition: Edition) -> dict[str, Any]:
    """The results as exported: ``to_dict()`` plus the fingerprint and the lock state."""
    results = compute_results(edition)
    data = results.to_dict()
    data["fingerprint"] = results.fingerprint()
    data["locked"] = (
        {"at": edition.locked_at.isoformat(), "by": edition.locked_by, "fingerprint": locked_fingerprint(edition),
         "countersigned_by": edition.lock_countersigned_by}
        if is_locked(edition)
        else None
    )
    return data


@dataclass(frozen=True)
class ExportCheck:
    """The outcome of checking an exported file against the lock record."""

    ok: bool
    computed: str
    stored: str | None
    messages: list[str]


def check_export(*, edition: Edition, data: dict[str, Any]) -> ExportCheck:
    """Recompute the fingerprint of exported ``data`` and compare it with the lock record."""
    if not isinstance(data, dict) or "rows" not in data:
        raise ValidationError("Tệp không phải là kết quả xuất từ hệ thống (thiếu mục “rows”).", code="bad_export")
    computed = fingerprint_of(data)
    stored = locked_fingerprint(edition)
    messages: list[str] = []
    claimed = data.get("fingerprint")
    if claimed is not None and claimed != computed:
        messages.append("Dấu vân tay ghi trong tệp không khớp với nội dung tệp: tệp đã bị sửa sau khi xuất.")
    exported_edition = data.get("edition") or {}
    if exported_edition.get("id") not in (None, edition.id):
        messages.append(f"Tệp là kết quả của kỳ thi khác (mã {exported_edition.get('id')}).")
    if stored is None:
        unlocked = unlock_record(edition)
        if unlocked is not None:
            messages.append(f"Kết quả kỳ thi {edition.title} đã được mở khóa bởi {unlocked.actor} lúc "
                            f"{local_time(unlocked.at)} (lý do: {unlocked.reason}): dấu vân tay đã khóa "
                            "không còn giá trị.")
        else:
            messages.append(f"Kỳ thi {edition.title} chưa được khóa kết quả: không có dấu vân tay để đối chiếu.")
    elif stored != computed:
        messages.append("Nội dung tệp không khớp với kết quả đã khóa.")
    return ExportCheck(ok=not messages, computed=computed, stored=stored, messages=messages)


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM).strftime("%H:%M ngày %d/%m/%Y")
