"""Per-segment statistics for the report: average, rate of the maximum, best entry."""
from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import lcm

from contest_app.scoring.numbers import exact_sum, to_fraction


@dataclass(frozen=True)
class SegmentStats:
    """Statistics of one segment over the entries that have a score in it."""

    key: str
    maximum: Fraction
    count: int
    average: Fraction | None
    rate_of_max: Fraction | None
    best_score: Fraction | None
    best_entry_ids: tuple[Hashable, ...]


def segment_statistics(
    key: str, maximum: Decimal | Fraction | int, scores: Mapping[Hashable, Fraction | None]
) -> SegmentStats:
    """Average of the exact scores, its rate of the maximum in percent, and the best.

    The rate is computed from the exact average (not the rounded one): 86/12 out of
    10 is 71.666...%, shown as 71.67. Several entries sharing the best score are all listed.
    """
    present = {e: s for e, s in scores.items() if s is not None}
    maximum = to_fraction(maximum)
    if not present:
        return SegmentStats(key, maximum, 0, None, None, None, ())
    average = Fraction(exact_sum(present.values()), len(present))
    rate = average / maximum * 100 if maximum else None
    # The best compared as integers over the common denominator: the same order and the same
    # equalities as the exact Fractions, at the cost of int comparisons (200 entries per segment).
    exact = {e: to_fraction(s) for e, s in present.items()}
    common = lcm(*{f.denominator for f in exact.values()})
    scaled = {e: f.numerator * (common // f.denominator) for e, f in exact.items()}
    top = max(scaled.values())
    leaders = tuple(e for e, v in scaled.items() if v == top)
    best = present[leaders[0]]
    return SegmentStats(key, maximum, len(present), average, rate, best, leaders)
