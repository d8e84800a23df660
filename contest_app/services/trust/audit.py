"""The append-only audit trail. Every record carries the hash of the one before it,
so a record removed or edited directly in the database is detected by ``verify_chain``.

Records are only ever added here; nothing in the app updates or deletes them.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import AuditEvent, User

GENESIS = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _digest(event: AuditEvent) -> str:
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    payload = {
        "edition_id": event.edition_id,
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def actor_name(user: User | None) -> str:
    """How a user is named in the audit trail."""
    if user is None:
        return "hệ thống"
    return f"{user.username} ({user.role})"


def record_event(
    *,
    actor: str,
    action: str,
    edition_id: int | None = None,
    object_type: str = "",
    object_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit record chained to the last one. Flushes; the caller commits.

    On PostgreSQL the table is locked for the rest of the transaction so that two
    writers cannot chain onto the same predecessor.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("LOCK TABLE audit_event IN SHARE ROW EXCLUSIVE MODE"))
    elif db.engine.dialect.name == "sqlite":
        # A no-op write takes SQLite's write lock (waiting out busy_timeout) before the read below.
        db.session.execute(db.text("UPDATE audit_event SET id = id WHERE 0"))
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        edition_id=edition_id,
        at=datetime.now(UTC),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = _digest(event)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class ChainProblem:
    """A break in the chain: which record, and what is wrong with it (Vietnamese)."""

    event_id: int
    message: str


def verify_chain() -> list[ChainProblem]:
    """Walk the whole trail; return every record whose hash or link does not hold."""
    problems: list[ChainProblem] = []
    previous = GENESIS
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.prev_hash != previous:
            problems.append(
                ChainProblem(event.id, f"Bản ghi #{event.id}: liên kết tới bản ghi trước bị đứt (có bản ghi bị xóa hoặc sửa).")
            )
        if _digest(event) != event.hash:
            problems.append(ChainProblem(event.id, f"Bản ghi #{event.id}: nội dung đã bị sửa sau khi ghi."))
        previous = event.hash
    return problems


def list_events(edition_id: int | None = None, limit: int = 500) -> list[AuditEvent]:
    """The newest audit records first, optionally of one edition."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if edition_id is not None:
        query = query.where(AuditEvent.edition_id == edition_id)
    return list(db.session.scalars(query))
