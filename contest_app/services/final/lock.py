"""The signed-off result: locking an edition's final and checking exported results.

Locking is one-way (no unlock is offered): it stamps ``edition.locked_at``/``locked_by``
and appends an ``edition.lock`` audit record that carries the SHA-256 fingerprint of
the results' canonical form. Anything that changes a mark must call
``ensure_unlocked`` first. This module never commits: the caller does.
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
from contest_app.models import AuditEvent, Edition
from contest_app.services.trust.audit import record_event
from contest_app.services.errors import Conflict, PermissionDenied, ValidationError
from contest_app.services.final.results import EditionResults, compute_results

LOCK_ACTION = "edition.lock"
VIETNAM = timezone(timedelta(hours=7))
LOCKED_MESSAGE = "Kết quả kỳ thi đã được khóa: không thể thay đổi điểm."


def is_locked(edition: Edition) -> bool:
    """True once the secretariat has signed off the edition's final."""
    return edition.locked_at is not None


def ensure_unlocked(edition: Edition) -> None:
    """Refuse any change of marks once the edition's result is locked."""
    if is_locked(edition):
        raise Conflict(LOCKED_MESSAGE, code="edition_locked")


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
    problems = []
    for row in results.rows_in_order():
        missing = [s.short_name for s in results.segments if row.scores.get(s.key) is None]
        if missing:
            problems.append(f"Đội “{row.team}” chưa có điểm phần thi: {', '.join(missing)}.")
    return problems


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
    """The audit record of ``edition``'s lock, or None when it is not locked."""
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.edition_id == edition.id, AuditEvent.action == LOCK_ACTION)
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
    body = {k: v for k, v in data.items() if k not in ("fingerprint", "locked")}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def export_results(edition: Edition) -> dict[str, Any]:
    """The results as exported: ``to_dict()`` plus the fingerprint and the lock state."""
    results = compute_results(edition)
    data = results.to_dict()
    data["fingerprint"] = results.fingerprint()
    data["locked"] = (
        {"at": edition.locked_at.isoformat(), "by": edition.locked_by, "fingerprint": locked_fingerprint(edition)}
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
