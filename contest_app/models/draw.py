"""The draw (bốc thăm) of a final, its per-team assignments, the presenter screen's
state and the answers a team gives in the knowledge quiz.

Slim tables only: the draw is computed by ``contest_app.services.final.draw``, answers are
judged by ``contest_app.services.final.answers``.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest_app.extensions import db
from contest_app.models.types import utcnow


class DrawStatus(StrEnum):
    """A draw is prepared (seed fixed, only its fingerprint shown), then confirmed (locked)."""

    DRAFT = "draft"
    CONFIRMED = "confirmed"

    @property
    def label(self) -> str:
        return {DrawStatus.DRAFT: "Đã chuẩn bị, chưa xác nhận", DrawStatus.CONFIRMED: "Đã xác nhận"}[self]


class Draw(db.Model):
    """The draw of an edition's final: one per edition.

    ``seed`` stays secret while the draw is a draft (only ``seed_fingerprint``, its
    SHA-256, is shown); ``entry_ids`` and the set counts are the inputs fixed when the
    draw is prepared; ``result`` is the computed draw, stored when it is confirmed.
    """

    __tablename__ = "draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), unique=True)
    seed: Mapped[str] = mapped_column(String(128))
    seed_fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=DrawStatus.DRAFT.value)
    entry_ids: Mapped[list] = mapped_column(JSON, default=list)
    quiz_sets: Mapped[int] = mapped_column(Integer, default=5)
    situation_sets: Mapped[int] = mapped_column(Integer, default=5)
    prepared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    prepared_by: Mapped[str] = mapped_column(String(200), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    assignments: Mapped[list["DrawAssignment"]] = relationship(
        back_populates="draw", cascade="all, delete-orphan", order_by="DrawAssignment.appearance_order",
        foreign_keys="DrawAssignment.draw_id",
    )

    @property
    def is_confirmed(self) -> bool:
        return self.status == DrawStatus.CONFIRMED.value

    @property
    def status_label(self) -> str:
        return DrawStatus(self.status).label


class DrawAssignment(db.Model):
    """What the draw gave one entry: its turn, who rebuts it, its quiz and situation sets."""

    __tablename__ = "draw_assignment"
    __table_args__ = (UniqueConstraint("draw_id", "entry_id"), UniqueConstraint("draw_id", "appearance_order"))

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draw.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    appearance_order: Mapped[int] = mapped_column(Integer)
    rebutted_by_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("entry.id", ondelete="SET NULL"), nullable=True
    )
    quiz_set: Mapped[int] = mapped_column(Integer)
    situation_set: Mapped[int] = mapped_column(Integer)

    draw: Mapped[Draw] = relationship(back_populates="assignments", foreign_keys=[draw_id])
    entry: Mapped["Entry"] = relationship(foreign_keys=[entry_id])  # noqa: F821
    rebutted_by: Mapped["Entry | None"] = relationship(foreign_keys=[rebutted_by_entry_id])  # noqa: F821


class QuizAnswer(db.Model):
    """A team's answer to one quiz question, judged against the bank's key when recorded.

    ``points`` is the question's value copied from the bank at that moment, so a later
    edit of a bank file does not silently change a score already given.
    """

    __tablename__ = "quiz_answer"
    __table_args__ = (UniqueConstraint("entry_id", "question_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"), index=True)
    question_code: Mapped[str] = mapped_column(String(60))
    answer: Mapped[str] = mapped_column(String(1), default="")
    correct: Mapped[bool] = mapped_column(default=False)
    points: Mapped[Decimal] = mapped_column(Numeric(8, 3, asdecimal=True))
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class PresenterState(db.Model):
    """What the projector of an edition shows now; kept in the database so that every
    server process (and a reloaded screen) sees the same thing."""

    __tablename__ = "presenter_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), unique=True)
    mode: Mapped[str] = mapped_column(String(20), default="idle")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="SET NULL"), nullable=True)
    question_index: Mapped[int] = mapped_column(Integer, default=0)
    situation_index: Mapped[int] = mapped_column(Integer, default=0)
    answer_revealed: Mapped[bool] = mapped_column(default=False)
    countdown_seconds: Mapped[int] = mapped_column(Integer, default=0)
    countdown_remaining_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    countdown_started_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
