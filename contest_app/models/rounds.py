"""Before the final: the preliminary rubric, judge assignments, scores, the round's
progress (closed, published) and the organisers' reviews of near-duplicate entries.

The qualifying deadline lives on ``Round.deadline`` (kind ``qualifying``).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest_app.extensions import db
from contest_app.models.types import Score, utcnow


class RubricCriterion(db.Model):
    """One criterion of an edition's preliminary rubric, with its maximum points."""

    __tablename__ = "rubric_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    max_points: Mapped[Decimal] = mapped_column(Score)
    order: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(default=False)


class PreliminaryAssignment(db.Model):
    """A preliminary judge (an account) assigned to a cluster, or to the whole round when
    ``cluster_id`` is None."""

    __tablename__ = "preliminary_assignment"
    __table_args__ = (UniqueConstraint("edition_id", "user_id", "cluster_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("cluster.id", ondelete="CASCADE"), nullable=True)

    user: Mapped["User"] = relationship()  # noqa: F821
    cluster: Mapped["Cluster | None"] = relationship()  # noqa: F821


class PreliminaryScore(db.Model):
    """One judge's points for one entry on one criterion, stored exactly."""

    __tablename__ = "preliminary_score"
    __table_args__ = (UniqueConstraint("user_id", "entry_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Numeric(8, 2, asdecimal=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class RoundProgress(db.Model):
    """When a round of an edition was closed and its outcome published, and by whom."""

    __tablename__ = "round_progress"
    __table_args__ = (UniqueConstraint("edition_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_by: Mapped[str] = mapped_column(String(200), default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    published_by: Mapped[str] = mapped_column(String(200), default="")


class DuplicateReview(db.Model):
    """The organisers' review of a pair of similar entries (lower id first)."""

    __tablename__ = "duplicate_review"
    __table_args__ = (UniqueConstraint("entry_low_id", "entry_high_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_low_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    entry_high_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    similarity: Mapped[Decimal] = mapped_column(Numeric(6, 2, asdecimal=True))
    note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
