"""The append-only audit trail, chained and keyed.

Every record carries the HMAC-SHA-256 (keyed with ``CONTEST_AUDIT_KEY``, which is never
stored in the database) of its content and of the record before it: a record removed
or edited directly in the database is detected by ``verify_chain``, and a chain
recomputed after an edit is detected too, since nobody without the key can recompute
it. Every change of a final mark (created, changed, deleted, by any code path) adds a
``mark_state`` record (``watch_marks``), so ``verify_marks`` can check every mark in the
database against the chain. The newest record's hash (``chain_head``) is printed on the
appendix and by ``audit head``: kept outside the app, it reveals a truncated chain.

Records are only ever added here; nothing in the app updates or deletes them.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session

from contest_app.extensions import db
from contest_app.models import AuditEvent, User
from contest_app.services.trust.inputs import check_row

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


def _digest(event: AuditEvent | dict[str, Any]) -> str:
    """The record's keyed hash, of its content and of the hash before it."""
    get = event.get if isinstance(event, dict) else lambda name: getattr(event, name)
    at = get("at")
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    payload = {
        "edition_id": get("edition_id"),
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "actor": get("actor"),
        "action": get("action"),
        "object_type": get("object_type"),
        "object_id": get("object_id"),
        "before": get("before"),
        "after": get("after"),
        "reason": get("reason"),
        "prev_hash": get("prev_hash"),
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(_key(), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def _key() -> bytes:
    return str(current_app.config["CONTEST_AUDIT_KEY"]).encode("utf-8")


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
    db.session.flush()  # pending marks chain their own records first (as the query's autoflush did)
    session = db.session()
    values = _append(session, session.connection(), _record(
        edition_id=edition_id, at=datetime.now(UTC), actor=actor, action=action, object_type=object_type,
        object_id=object_id, before=_jsonable(before), after=_jsonable(after), reason=reason))
    return AuditEvent(**values)


def _record(*, edition_id: int | None, at: datetime, actor: str, action: str, object_type: str, object_id: Any,
            before: Any, after: Any, reason: str = "") -> dict[str, Any]:
    """A record's columns before it is chained."""
    return {"edition_id": edition_id, "at": at,
            "actor": actor[:200],  # a long display name must not make the record unstorable
            "action": action, "object_type": object_type, "object_id": str(object_id),
            "before": before, "after": after, "reason": reason}


#: The one statement that adds a record (built once; the ORM's unit of work is not needed to append).
_INSERT = insert(AuditEvent.__table__)


def _append(session: Session, connection, values: dict[str, Any], *, check: bool = True) -> dict[str, Any]:
    """Chain ``values`` onto the head and insert the record; the values with ``id``, ``prev_hash``, ``hash``.

    Texts are checked as every flushed row's are (length, control characters), unless the
    caller wrote them all itself (``check=False``: a mark's automatic record).
    """
    if check:
        check_row(AuditEvent, values)
    _chain(session, connection, [values])
    values["id"] = connection.execute(_INSERT, values).inserted_primary_key[0]
    return values


def _chain(session: Session, connection, records: list[dict[str, Any]]) -> None:
    """Give ``records`` (in order) their ``prev_hash`` and ``hash``, the first chained onto the head."""
    head = _chain_head(session, connection)
    for values in records:
        values["prev_hash"] = head
        head = values["hash"] = _digest(values)
    _remember_head(session, head)


_HEAD = "contest_audit_head"


def _chain_head(session: Session, connection) -> str:
    """The hash the next record chains onto, with the chain's lock held for the transaction.

    The first record of a transaction takes the lock and reads the newest record; the
    lock is held until the commit, and only this module appends to the chain, so the
    following records of the same transaction chain onto the one remembered here (two
    statements fewer per record: a judge's mark appends two).
    """
    remembered = session.info.get(_HEAD)
    transaction = session.get_transaction()
    if remembered is not None and transaction is not None and remembered[0] is transaction:
        return remembered[1]
    _lock_chain(connection)
    return connection.execute(_NEWEST_HASH).scalar() or GENESIS


_NEWEST_HASH = select(AuditEvent.__table__.c.hash).order_by(AuditEvent.__table__.c.id.desc()).limit(1)


def _remember_head(session: Session, digest: str) -> None:
    transaction = session.get_transaction()
    if transaction is not None:
        session.info[_HEAD] = (transaction, digest)


def _lock_chain(connection) -> None:
    """Take the chain's lock for the rest of the transaction (two writers never share a predecessor)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(db.text("LOCK TABLE audit_event IN SHARE ROW EXCLUSIVE MODE"))
    elif dialect == "sqlite":
        # A no-op write takes SQLite's write lock (waiting out busy_timeout) before the read below,
        # unless the transaction holds it already: Python's sqlite3 begins one only before its first
        # write (a judge's mark has just inserted the mark when its first record is chained).
        if not getattr(connection.connection.driver_connection, "in_transaction", False):
            connection.execute(db.text("UPDATE audit_event SET id = id WHERE 0"))


# ----------------------------------------------------------------------------- every mark


MARK_STATE = "mark_state"
MARK_FIELDS = ("judge_id", "entry_id", "segment_id", "value")


def _mark_state(mark: Any, *, committed: bool = False) -> dict[str, Any]:
    state = inspect(mark)
    out = {}
    for name in MARK_FIELDS:
        value = getattr(mark, name)
        if committed:
            history = state.attrs[name].history
            if history.deleted:
                value = history.deleted[0]
        out[name] = value
    return mark_state_of(**out)


def mark_state_of(*, judge_id: int, entry_id: int, segment_id: int, value: Any) -> dict[str, Any]:
    """What a ``mark_state`` record says of a mark (``verify_marks`` compares the database with it)."""
    return {"judge_id": judge_id, "entry_id": entry_id, "segment_id": segment_id,
            "value": str(Decimal(value).quantize(Decimal("0.01"))) if value is not None else None}


def record_mark_written(*, edition_id: int, mark_id: int, actor: str, before: dict[str, Any] | None,
                        after: dict[str, Any], state_before: dict[str, Any] | None,
                        state_after: dict[str, Any]) -> None:
    """A judge's mark written without the ORM: its ``mark_state`` record (as ``watch_marks`` writes
    it for ORM writes), then its ``mark_recorded`` record, chained in order and inserted in one
    statement. ``state_*``: ``mark_state_of`` the mark; ``before``/``after``: what the trail shows.
    Their texts are not checked again (as ``_append(check=False)`` leaves a ``mark_state`` record's):
    ``record_mark`` writes them from stored, checked rows (the judge's name, the segment's key) and a
    key it has validated."""
    session = db.session()
    connection = session.connection()
    now = datetime.now(UTC)
    records = [
        _mark_state_values(edition_id=edition_id, mark_id=mark_id, at=now, before=state_before, after=state_after),
        _record(edition_id=edition_id, at=now, actor=actor, action="mark_recorded", object_type="mark",
                object_id=mark_id, before=before, after=after),
    ]
    _chain(session, connection, records)
    connection.execute(_INSERT, records)


def _mark_state_values(*, edition_id: int | None, mark_id: Any, at: datetime, before, after) -> dict[str, Any]:
    return _record(edition_id=edition_id, at=at, actor="(ghi tự động)", action=MARK_STATE, object_type="mark",
                   object_id=mark_id, before=before, after=after)


def _edition_of(session: Session, connection, segment_id: int | None) -> int | None:
    from contest_app.models import Segment

    if segment_id is None:
        return None
    loaded = session.identity_map.get(session.identity_key(Segment, segment_id))
    if loaded is not None:  # the writer has the segment already (a judge's mark always does)
        return loaded.edition_id
    return connection.execute(select(Segment.__table__.c.edition_id).where(Segment.__table__.c.id == segment_id)).scalar()


def _after_flush(session: Session, _context) -> None:
    from contest_app.models import Mark

    changes = []
    for obj in session.new:
        if isinstance(obj, Mark):
            changes.append((obj, None, _mark_state(obj)))
    for obj in session.dirty:
        if isinstance(obj, Mark) and session.is_modified(obj, include_collections=False):
            before, after = _mark_state(obj, committed=True), _mark_state(obj)
            if before != after:
                changes.append((obj, before, after))
    for obj in session.deleted:
        if isinstance(obj, Mark):
            changes.append((obj, _mark_state(obj, committed=True), None))
    if not changes:
        return
    connection = session.connection()
    for obj, before, after in sorted(changes, key=lambda c: c[0].id or 0):
        segment = (after or before)["segment_id"]
        _append(session, connection, _mark_state_values(edition_id=_edition_of(session, connection, segment),
                                                        mark_id=obj.id, at=datetime.now(UTC), before=before,
                                                        after=after), check=False)


def watch_marks(session_class: Any = Session) -> None:
    """Chain an audit record for every mark created, changed or deleted through the ORM."""
    if not getattr(session_class, "_contest_mark_audit", False):
        sa_event.listen(session_class, "after_flush", _after_flush)
        session_class._contest_mark_audit = True


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


def verify_marks() -> list[ChainProblem]:
    """Check every final mark in the database against its newest ``mark_state`` record.

    Names a mark whose value, judge, team or segment differs from what the chain says, a
    mark with no record (inserted behind the app's back, or its records cut off the end
    of the chain), and a mark the chain says exists but the database has lost.
    """
    from contest_app.models import Mark

    newest: dict[str, AuditEvent] = {}
    for record in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == MARK_STATE).order_by(AuditEvent.id)
    ):
        newest[record.object_id] = record
    problems: list[ChainProblem] = []
    seen = set()
    for mark in db.session.scalars(select(Mark).order_by(Mark.id)):
        seen.add(str(mark.id))
        record = newest.get(str(mark.id))
        stored = {n: getattr(mark, n) for n in MARK_FIELDS}
        stored["value"] = str(Decimal(mark.value).quantize(Decimal("0.01")))
        if record is None or record.after is None:
            problems.append(ChainProblem(
                record.id if record else 0,
                f"Điểm #{mark.id} (giám khảo #{mark.judge_id}, đội #{mark.entry_id}, phần thi #{mark.segment_id}, "
                f"{stored['value']}) không có trong nhật ký: đã bị thêm thẳng vào cơ sở dữ liệu "
                "hoặc các bản ghi cuối của nhật ký đã bị xóa."))
            continue
        recorded = {n: record.after.get(n) for n in MARK_FIELDS}
        if recorded != stored:
            diff = ", ".join(f"{n}: cơ sở dữ liệu {stored[n]} ≠ nhật ký {recorded[n]}"
                             for n in MARK_FIELDS if stored[n] != recorded[n])
            problems.append(ChainProblem(
                record.id, f"Điểm #{mark.id} khác với bản ghi nhật ký #{record.id}: {diff}."))
    for object_id, record in newest.items():
        if object_id not in seen and record.after is not None:
            problems.append(ChainProblem(
                record.id, f"Điểm #{object_id} có trong nhật ký (bản ghi #{record.id}) nhưng đã mất khỏi cơ sở dữ liệu."))
    return sorted(problems, key=lambda p: p.event_id)


def chain_head() -> tuple[int, str] | None:
    """The id and hash of the newest record (to be kept outside the app), or None when empty."""
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    return (last.id, last.hash) if last is not None else None


def list_events(edition_id: int | None = None, limit: int = 500) -> list[AuditEvent]:
    """The newest audit records first, optionally of one edition."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if edition_id is not None:
        query = query.where(AuditEvent.edition_id == edition_id)
    return list(db.session.scalars(query))
