"""Column helpers shared by the models."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Numeric

#: Marks and scores: exact decimals, never floats.
Score = Numeric(8, 2, asdecimal=True)


def utcnow() -> datetime:
    """Current time, timezone-aware, in UTC."""
    return datetime.now(UTC)
