"""Judges and their marks. A mark is stored exactly (Numeric), never as a float."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest_app.enums import Panel
from contest_app.extensions import db
from contest_app.models.types import Score, utcnow


class Judge(db.Model):
    """A judge of an edition's panel; final judges sign in with a personal token or PIN."""

    __tablename__ = "judge"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    panel: Mapped[str] = mapped_column(String(20), default=Panel.FINAL.value)
    seat: Mapped[int] = mapped_column(Integer, default=0)
    token_hash: Mapped[str | None] = mapped_column(String(128), nullable=True, unique=True)
    pin_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    unit: Mapped["Unit | None"] = relationship()  # noqa: F821


class Mark(db.Model):
    """One judge's mark for one entry in one segment."""

    __tablename__ = "mark"
    __table_args__ = (UniqueConstraint("judge_id", "entry_id", "segment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"), index=True)
    value: Mapped[Decimal] = mapped_column(Score)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    judge: Mapped[Judge] = relationship()
