"""Who is in the final: the entries that passed the preliminary round.

A module of its own so that the draw, the answers and the results can all build on it
without importing one another in a circle.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from contest_app.enums import RoundStatus
from contest_app.extensions import db
from contest_app.models import Edition, Entry


def finalists(edition: Edition) -> list[Entry]:
    """The entries of the final: those that passed the preliminary round."""
    return list(
        db.session.scalars(
            select(Entry)
            .where(Entry.edition_id == edition.id, Entry.preliminary_status == RoundStatus.PASSED.value)
            .order_by(Entry.final_order, Entry.id)
            # teams and units in the same query, not two lazy loads per finalist
            .options(joinedload(Entry.team), joinedload(Entry.unit))
        )
    )
