"""Editions of the contest, their rounds, final segments, thematic groups and prize tiers."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest_app.enums import Aggregation, RevealMode, RoundKind
from contest_app.extensions import db
from contest_app.models.types import Score, utcnow

DEFAULT_TIE_BREAK = ["presentation", "situation", "knowledge"]


class Edition(db.Model):
    """One edition of the contest ("Lần thứ 4 - năm 2019") with its rules (Điều lệ)."""

    __tablename__ = "edition"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(300))
    contest_name: Mapped[str] = mapped_column(String(300), default="")
    rules_reference: Mapped[str] = mapped_column(String(200), default="")
    preliminary_cutoff: Mapped[Decimal] = mapped_column(Score, default=Decimal("75"))
    judges_per_panel: Mapped[int] = mapped_column(Integer, default=6)
    tie_break: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_TIE_BREAK))
    reveal_mode: Mapped[str] = mapped_column(String(20), default=RevealMode.ALL_IN.value)
    #: A mark is flagged when it strays from its panel's median by more than this share
    #: (in per cent) of its segment's maximum: 10 → 1 point out of 10, 7,5 out of 75.
    deviation_share: Mapped[Decimal] = mapped_column(Score, default=Decimal("10"))
    report_number: Mapped[str] = mapped_column(String(60), default="")
    report_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    issuing_body: Mapped[str] = mapped_column(String(200), default="")
    plan_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    figures_only: Mapped[bool] = mapped_column(default=False)
    history: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # The question bank (a folder of question_banks/, e.g. "2027") the final draws its quiz and
    # situation sets from; None: the history bank of the edition's year, else the newest current bank.
    question_bank: Mapped[str | None] = mapped_column(String(40), nullable=True)
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    #: The organiser's countersignature of the lock (the second signature).
    lock_countersigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lock_countersigned_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    rounds: Mapped[list["Round"]] = relationship(
        back_populates="edition", order_by="Round.order", cascade="all, delete-orphan"
    )
    segments: Mapped[list["Segment"]] = relationship(
        back_populates="edition", order_by="Segment.order", cascade="all, delete-orphan"
    )
    prize_tiers: Mapped[list["PrizeTier"]] = relationship(
        back_populates="edition", order_by="PrizeTier.order", cascade="all, delete-orphan"
    )
    thematic_groups: Mapped[list["ThematicGroup"]] = relationship(
        back_populates="edition", order_by="ThematicGroup.number", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return f"Lần thứ {self.number} - năm {self.year}"


class Round(db.Model):
    """A round of an edition: qualifying (per unit), preliminary (provincial), final."""

    __tablename__ = "round"
    __table_args__ = (UniqueConstraint("edition_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default=RoundKind.FINAL.value)
    name: Mapped[str] = mapped_column(String(120))
    order: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    held_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    venue: Mapped[str] = mapped_column(String(200), default="")

    edition: Mapped[Edition] = relationship(back_populates="rounds")


class Segment(db.Model):
    """A segment (phần thi) of the final, with its maximum, mark step and aggregation."""

    __tablename__ = "segment"
    __table_args__ = (UniqueConstraint("edition_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(120), default="")
    max_score: Mapped[Decimal] = mapped_column(Score)
    order: Mapped[int] = mapped_column(Integer, default=0)
    aggregation: Mapped[str] = mapped_column(String(20), default=Aggregation.MEAN.value)
    mark_step: Mapped[Decimal] = mapped_column(Numeric(6, 3, asdecimal=True), default=Decimal("0.1"))
    scored_from_answers: Mapped[bool] = mapped_column(default=False)

    edition: Mapped[Edition] = relationship(back_populates="segments")


class ThematicGroup(db.Model):
    """A thematic group of entries (the 2019 report's Nhóm 1 to 5)."""

    __tablename__ = "thematic_group"
    __table_args__ = (UniqueConstraint("edition_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)

    edition: Mapped[Edition] = relationship(back_populates="thematic_groups")


class PrizeTier(db.Model):
    """A main prize tier: name as the report spells it, how many, and the amount."""

    __tablename__ = "prize_tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    count: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 0, asdecimal=True), nullable=True)
    order: Mapped[int] = mapped_column(Integer, default=0)

    edition: Mapped[Edition] = relationship(back_populates="prize_tiers")
