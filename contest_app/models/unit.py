"""Participating units (cơ quan, đơn vị, địa phương) and preliminary clusters (cụm)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest_app.enums import Block
from contest_app.extensions import db


class Unit(db.Model):
    """A unit that fields teams, with its block (khối)."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    block: Mapped[str] = mapped_column(String(30), default=Block.DEPARTMENT.value)

    @property
    def block_label(self) -> str:
        return Block(self.block).label


class Cluster(db.Model):
    """A cluster (cụm) of units for an edition's preliminary round."""

    __tablename__ = "cluster"
    __table_args__ = (UniqueConstraint("edition_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))

    units: Mapped[list["ClusterUnit"]] = relationship(cascade="all, delete-orphan")


class ClusterUnit(db.Model):
    """Membership of a unit in a cluster."""

    __tablename__ = "cluster_unit"
    __table_args__ = (UniqueConstraint("cluster_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("cluster.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))

    unit: Mapped[Unit] = relationship()
