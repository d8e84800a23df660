"""Teams (đội thi), their members, and entries (mô hình, sáng kiến) with a status per round."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest_app.enums import RoundStatus
from contest_app.extensions import db
from contest_app.models.types import Score, utcnow


class Team(db.Model):
    """A team of an edition, fielded by a unit."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    name: Mapped[str] = mapped_column(String(300))

    unit: Mapped["Unit"] = relationship()  # noqa: F821
    members: Mapped[list["TeamMember"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamMember.id"
    )


class TeamMember(db.Model):
    """A member of a team, with their role in it (đội trưởng, thành viên)."""

    __tablename__ = "team_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100), default="Thành viên")
    position: Mapped[str] = mapped_column(String(200), default="")

    team: Mapped[Team] = relationship(back_populates="members")


class Entry(db.Model):
    """An initiative entered by a team, followed through the rounds."""

    __tablename__ = "entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), nullable=True)
    thematic_group_id: Mapped[int | None] = mapped_column(ForeignKey("thematic_group.id"), nullable=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    qualifying_status: Mapped[str] = mapped_column(String(20), default=RoundStatus.PENDING.value)
    qualifying_score: Mapped[Decimal | None] = mapped_column(Score, nullable=True)
    qualifying_note: Mapped[str] = mapped_column(Text, default="")
    preliminary_status: Mapped[str] = mapped_column(String(20), default=RoundStatus.PENDING.value)
    preliminary_score: Mapped[Decimal | None] = mapped_column(Score, nullable=True)
    final_status: Mapped[str] = mapped_column(String(20), default=RoundStatus.PENDING.value)
    final_order: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dossier_path: Mapped[str | None] = mapped_column(String(300), nullable=True)
    dossier_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped["Unit"] = relationship()  # noqa: F821
    team: Mapped[Team | None] = relationship()
    thematic_group: Mapped["ThematicGroup | None"] = relationship()  # noqa: F821
