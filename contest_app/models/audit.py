"""The audit trail: who did what, when, with the state before and after."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from contest_app.extensions import db
from contest_app.models.types import utcnow


class AuditEvent(db.Model):
    """One append-only audit record; ``hash`` chains it to the record before."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("edition.id", ondelete="SET NULL"), nullable=True, index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[str] = mapped_column(String(60), default="")
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
