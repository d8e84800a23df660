"""After the contest: each finalist's completed plan (phương án, đề án, kế hoạch) and
how far its initiative has been replicated (letter 11254/UBND, 12/11/2019)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest_app.enums import PlanStatus, ReplicationStatus
from contest_app.extensions import db
from contest_app.models.types import utcnow


class PlanSubmission(db.Model):
    """One finalist entry's plan hand-in and replication record."""

    __tablename__ = "plan_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), unique=True)
    plan_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    document_reference: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.PENDING.value)
    replication_status: Mapped[str] = mapped_column(String(20), default=ReplicationStatus.NOT_STARTED.value)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    entry: Mapped["Entry"] = relationship()  # noqa: F821
