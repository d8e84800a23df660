"""After the contest: each finalist's completed plan (phương án, đề án, kế hoạch) and
how far its initiative has been replicated (letter 11254/UBND, 12/11/2019)."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest_app.extensions import db
from contest_app.models.types import utcnow


class PlanKind(StrEnum):
    """The form the completed initiative is handed in as."""

    PHUONG_AN = "phuong_an"
    DE_AN = "de_an"
    KE_HOACH = "ke_hoach"

    @property
    def label(self) -> str:
        return {PlanKind.PHUONG_AN: "Phương án", PlanKind.DE_AN: "Đề án", PlanKind.KE_HOACH: "Kế hoạch"}[self]


class PlanStatus(StrEnum):
    """Where the secretariat stands with a finalist's plan."""

    PENDING = "pending"
    RECEIVED = "received"
    REVISION = "revision"
    APPRAISED = "appraised"

    @property
    def label(self) -> str:
        return {
            PlanStatus.PENDING: "Chưa nộp",
            PlanStatus.RECEIVED: "Đã nhận",
            PlanStatus.REVISION: "Yêu cầu bổ sung",
            PlanStatus.APPRAISED: "Đã thẩm định",
        }[self]


class ReplicationStatus(StrEnum):
    """How far an initiative has gone beyond its own unit."""

    NOT_STARTED = "not_started"
    PILOT = "pilot"
    APPLIED = "applied"
    REPLICATED = "replicated"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return {
            ReplicationStatus.NOT_STARTED: "Chưa triển khai",
            ReplicationStatus.PILOT: "Đang thí điểm",
            ReplicationStatus.APPLIED: "Đã áp dụng tại đơn vị",
            ReplicationStatus.REPLICATED: "Đã nhân rộng",
            ReplicationStatus.STOPPED: "Dừng triển khai",
        }[self]


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
