"""Side awards (giải phụ): how each is decided, who may get it, and the recorded decision."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest_app.enums import SideAwardMethod
from contest_app.extensions import db
from contest_app.models.types import utcnow


class SideAward(db.Model):
    """A side award of an edition."""

    __tablename__ = "side_award"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 0, asdecimal=True), nullable=True)
    method: Mapped[str] = mapped_column(String(20), default=SideAwardMethod.COMMITTEE.value)
    segment_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    exclude_prize_winners: Mapped[bool] = mapped_column(default=True)
    one_per_team: Mapped[bool] = mapped_column(default=True)
    order: Mapped[int] = mapped_column(Integer, default=0)

    decision: Mapped["SideAwardDecision | None"] = relationship(
        back_populates="side_award", uselist=False, cascade="all, delete-orphan"
    )


class SideAwardDecision(db.Model):
    """The committee's (or the judges' vote's) recorded pick for a side award."""

    __tablename__ = "side_award_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    side_award_id: Mapped[int] = mapped_column(
        ForeignKey("side_award.id", ondelete="CASCADE"), unique=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    side_award: Mapped[SideAward] = relationship(back_populates="decision")
