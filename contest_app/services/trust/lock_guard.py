"""The one lock guard: nothing the result depends on changes once the result is locked.

Kept apart from ``services.final.lock`` (which computes results to fingerprint them) so that
every writer (marks, answers, live state, entries, teams, rules) can import it without
an import circle. ``services.final.lock.ensure_unlocked`` is this same function.
"""
from __future__ import annotations

from typing import Any

from contest_app.services.errors import Conflict

LOCKED_MESSAGE = "Kết quả kỳ thi đã được khóa: không thể thay đổi."


def ensure_unlocked(edition: Any) -> None:
    """Refuse any change to what the result depends on once ``edition``'s result is locked.

    ``edition``: an Edition, or any row read with its ``locked_at`` (a judge's mark reads no object).
    """
    if edition is not None and edition.locked_at is not None:
        raise Conflict(LOCKED_MESSAGE, code="edition_locked")
