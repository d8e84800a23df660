"""Segment scores from judges' marks."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from contest_app.scoring.numbers import exact_sum, to_fraction

MEAN = "mean"
TRIMMED_MEAN = "trimmed_mean"


def segment_score(marks: Iterable[Decimal | Fraction | int | str], method: str = MEAN) -> Fraction | None:
    """Return the exact segment score made from the judges' marks, or None without marks.

    Rules:
    - ``mean``: the arithmetic mean of all marks;
    - ``trimmed_mean``: drop one highest and one lowest mark, then the arithmetic
      mean of the rest; with fewer than three marks nothing can be dropped and the
      plain mean is used.
    The result is exact (a Fraction); round it only for display.
    """
    values = list(marks)
    if not all(type(m) is Decimal or type(m) is int for m in values):
        # exact, comparable and cheap to sum only once converted
        values = [to_fraction(m) for m in values]
    values.sort()
    if not values:
        return None
    if method == TRIMMED_MEAN:
        if len(values) >= 3:
            values = values[1:-1]
    elif method != MEAN:
        raise ValueError(f"unknown aggregation method: {method!r}")
    total = exact_sum(values)
    return Fraction(total.numerator, total.denominator * len(values))
