"""After the final: each finalist hands in its completed plan (phương án, đề án or kế
hoạch) by ``Edition.plan_deadline`` (2019: 31/01/2020, letter 11254/UBND); the
secretariat records what was received and how each initiative is being replicated.

Finalists and their prizes come from ``compute_results``. Whether a plan is overdue is
always judged against a ``today`` the caller passes. Flushes, never commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import Edition
from contest_app.enums import PlanKind, PlanStatus, ReplicationStatus
from contest_app.models.followup import PlanSubmission
from contest_app.services.trust.audit import record_event
from contest_app.services.errors import NotFound, ValidationError
from contest_app.services.final.results import compute_results

STATE_LABELS = {
    "received": "Đã nộp đúng hạn",
    "received_late": "Nộp muộn",
    "overdue": "Quá hạn, chưa nộp",
    "waiting": "Chưa đến hạn",
    "no_deadline": "Chưa đặt hạn nộp",
}


@dataclass(frozen=True)
class FollowupRow:
    tt: int
    entry_id: int
    team: str
    entry_title: str
    prize: str | None
    plan_kind: str | None
    received_on: date | None
    document_reference: str
    status: str
    replication_status: str
    notes: str
    state: str
    days_late: int

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def status_label(self) -> str:
        return PlanStatus(self.status).label

    @property
    def replication_label(self) -> str:
        return ReplicationStatus(self.replication_status).label

    @property
    def plan_kind_label(self) -> str:
        return PlanKind(self.plan_kind).label if self.plan_kind else ""


def plan_state(deadline: date | None, received_on: date | None, today: date) -> tuple[str, int]:
    """The hand-in state and how many days late (0 when not late).

    Received on or before the deadline: "received"; after it: "received_late"; not
    received and the deadline has passed (today is after it): "overdue"; otherwise
    "waiting" (or "no_deadline" when none is set).
    """
    if received_on is not None:
        if deadline is not None and received_on > deadline:
            return "received_late", (received_on - deadline).days
        return "received", 0
    if deadline is None:
        return "no_deadline", 0
    if today > deadline:
        return "overdue", (today - deadline).days
    return "waiting", 0


def followup_rows(*, edition: Edition, today: date) -> list[FollowupRow]:
    """Every finalist in order of appearance with its plan and replication record."""
    records = {
        p.entry_id: p
        for p in db.session.scalars(select(PlanSubmission).where(PlanSubmission.edition_id == edition.id))
    }
    rows = []
    for tt, r in enumerate(compute_results(edition).rows_in_order(), start=1):
        p = records.get(r.entry_id)
        received_on = p.received_on if p else None
        state, days = plan_state(edition.plan_deadline, received_on, today)
        rows.append(
            FollowupRow(
                tt=tt,
                entry_id=r.entry_id,
                team=r.team,
                entry_title=r.entry_title,
                prize=r.prize,
                plan_kind=p.plan_kind if p else None,
                received_on=received_on,
                document_reference=p.document_reference if p else "",
                status=p.status if p else PlanStatus.PENDING.value,
                replication_status=p.replication_status if p else ReplicationStatus.NOT_STARTED.value,
                notes=p.notes if p else "",
                state=state,
                days_late=days,
            )
        )
    return rows


def summary(rows: list[FollowupRow]) -> dict[str, int]:
    """How many finalists are in each state, and in all."""
    counts = {state: 0 for state in STATE_LABELS}
    for row in rows:
        counts[row.state] += 1
    counts["total"] = len(rows)
    return counts


def _choice(enum: type, value: Any, label: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        raise ValidationError(f"{label} “{value}” không hợp lệ.", code="invalid_choice") from None


def record_followup(
    *,
    edition: Edition,
    entry_id: int,
    actor: str,
    plan_kind: str | None = None,
    received_on: date | None = None,
    document_reference: str = "",
    status: str | None = None,
    replication_status: str = ReplicationStatus.NOT_STARTED.value,
    notes: str = "",
    today: date | None = None,
) -> PlanSubmission:
    """Record a finalist's plan hand-in and replication status (audited).

    A received date makes the status at least "received"; a status past "pending"
    needs a received date; a received date cannot be in the future of ``today``.
    """
    finalists = {r.entry_id for r in compute_results(edition).rows}
    if entry_id not in finalists:
        raise NotFound("Mô hình, sáng kiến này không thuộc vòng chung khảo của kỳ thi.", code="not_finalist")
    kind = _choice(PlanKind, plan_kind, "Hình thức") if plan_kind else None
    replication = _choice(ReplicationStatus, replication_status, "Tình trạng nhân rộng")
    state = _choice(PlanStatus, status, "Tình trạng hồ sơ") if status else None
    if received_on is not None and today is not None and received_on > today:
        raise ValidationError("Ngày nhận không thể sau ngày hôm nay.", code="future_date")
    if state is None:
        state = PlanStatus.RECEIVED.value if received_on else PlanStatus.PENDING.value
    if state == PlanStatus.PENDING.value and received_on is not None:
        state = PlanStatus.RECEIVED.value
    if state != PlanStatus.PENDING.value and received_on is None:
        raise ValidationError("Hãy nhập ngày nhận phương án, đề án hoặc kế hoạch.", code="received_on_required")
    record = db.session.scalar(select(PlanSubmission).where(PlanSubmission.entry_id == entry_id))
    before = None
    if record is None:
        record = PlanSubmission(edition_id=edition.id, entry_id=entry_id)
        db.session.add(record)
    else:
        before = _snapshot(record)
    record.plan_kind = kind
    record.received_on = received_on
    record.document_reference = (document_reference or "").strip()
    record.status = state
    record.replication_status = replication
    record.notes = (notes or "").strip()
    record.updated_by = actor
    db.session.flush()
    record_event(
        actor=actor,
        action="followup.recorded",
        edition_id=edition.id,
        object_type="plan_submission",
        object_id=record.id,
        before=before,
        after=_snapshot(record),
    )
    return record


def _snapshot(record: PlanSubmission) -> dict[str, Any]:
    return {
        "entry_id": record.entry_id,
        "plan_kind": record.plan_kind,
        "received_on": record.received_on.isoformat() if record.received_on else None,
        "document_reference": record.document_reference,
        "status": record.status,
        "replication_status": record.replication_status,
        "notes": record.notes,
    }
