"""The live final's state, kept in the database so that several server processes agree.

It owns: which team is on stage and which (entry, segment) is open for marking, the
open/closed and revealed flags of every (entry, segment), the board's monotonic
sequence number with the snapshot it numbers, every mark submission's idempotency key,
and what the desk knows of each judge's tablet and login. It holds no scores: those
come from ``services.final.results.compute_results``.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contest_app.extensions import db
from contest_app.models.types import Score, utcnow


class LiveState(db.Model):
    """One row per edition: the stage, the open segment and the board's sequence number."""

    __tablename__ = "live_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), unique=True)
    stage_entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="SET NULL"), nullable=True)
    open_entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="SET NULL"), nullable=True)
    open_segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id", ondelete="SET NULL"), nullable=True)
    board_seq: Mapped[int] = mapped_column(Integer, default=0)
    #: Raised whenever what the tablets show changes (stage, open segment): a tablet whose
    #: last ``live_seq`` is older than the server's fetches its state again.
    live_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    prizes_revealed: Mapped[bool] = mapped_column(default=False)
    #: The prize ceremony's step on the board (services/ceremony.py); None when no ceremony is shown.
    ceremony_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Scores, totals and ranks as last published to the audience (from compute_results).
    published: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    #: The whole board at ``board_seq``: what a board that (re)connects receives first.
    snapshot: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class SegmentWindow(db.Model):
    """Marking of one entry in one segment: opened, closed, revealed on the board."""

    __tablename__ = "segment_window"
    __table_args__ = (UniqueConstraint("entry_id", "segment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    is_open: Mapped[bool] = mapped_column(default=False)
    revealed: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class MarkSubmission(db.Model):
    """Every accepted submission of a mark, by its client-generated idempotency key.

    A resend carrying a key already here is answered from the stored mark and changes
    nothing, even when the judge has changed the mark since (a late duplicate of an
    old submission must not undo a newer one).
    """

    __tablename__ = "mark_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Score)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JudgeAccess(db.Model):
    """A judge's login credentials' version, PIN throttle and tablet presence."""

    __tablename__ = "judge_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), unique=True)
    #: Raised on every regeneration: older links, PINs and sessions stop working.
    version: Mapped[int] = mapped_column(Integer, default=1)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    connected: Mapped[bool] = mapped_column(default=False)
    #: How many marks the tablet said it still holds unsent, at its last heartbeat.
    unsent: Mapped[int] = mapped_column(Integer, default=0)


class LateMark(db.Model):
    """A judge's mark that reached the server after its segment was closed.

    It is kept, never dropped: the desk or the secretariat accepts it (it then becomes the
    judge's mark, audited) or rejects it with a reason. ``sent_at`` is the tablet's clock.
    """

    __tablename__ = "late_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Score)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: pending, accepted or rejected (enums.LateMarkStatus)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reason: Mapped[str] = mapped_column(String(1000), default="")


class PanelDecision(db.Model):
    """A recorded decision that a segment's panel is smaller than the edition's (a judge absent).

    ``entry_id`` None: the decision holds for every team in that segment.
    """

    __tablename__ = "panel_decision"
    __table_args__ = (UniqueConstraint("segment_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), nullable=True)
    panel_size: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(1000))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
