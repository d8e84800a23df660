"""What the secretariat writes into the report and the follow-up letter of an edition:
the narrative blocks (assessment, what went well, what went wrong, proposals), the
numbers and dates of the two documents, their signers and recipients."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest_app.extensions import db
from contest_app.models.types import utcnow


class ReportNarrative(db.Model):
    """One edition's written parts of the report, the letter and the certificates."""

    __tablename__ = "report_narrative"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), unique=True)
    direction: Mapped[str] = mapped_column(Text, default="")
    assessment: Mapped[str] = mapped_column(Text, default="")
    went_well: Mapped[str] = mapped_column(Text, default="")
    went_wrong: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[str] = mapped_column(Text, default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    letter_number: Mapped[str] = mapped_column(String(60), default="")
    letter_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    letter_addressees: Mapped[str] = mapped_column(Text, default="")
    letter_recipients: Mapped[str] = mapped_column(Text, default="")
    letter_signer_title: Mapped[str] = mapped_column(String(200), default="")
    letter_signer_name: Mapped[str] = mapped_column(String(200), default="")
    certificate_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    edition: Mapped["Edition"] = relationship()  # noqa: F821


class TeamPartnerUnit(db.Model):
    """A further unit of a joint team (liên quân): the team's own unit is ``Team.unit``."""

    __tablename__ = "team_partner_unit"
    __table_args__ = (db.UniqueConstraint("team_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))

    unit: Mapped["Unit"] = relationship()  # noqa: F821
