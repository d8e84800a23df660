"""The contest's rules, pure: aggregation, totals, ranking, ties, prizes, side awards, statistics.

This package imports only the standard library. It knows nothing of the database, of
Flask or of team identity beyond an opaque, hashable ``entry_id``; every rule can be
tested from a table in milliseconds. Values are exact (``Fraction`` internally,
``Decimal`` in and out); rounding happens once, for display, in ``display``.
"""
from contest_app.scoring.aggregation import MEAN, TRIMMED_MEAN, segment_score
from contest_app.scoring.numbers import display, display_str, to_fraction
from contest_app.scoring.prizes import PrizeAllocation, Tier, UnresolvedTie, allocate_prizes
from contest_app.scoring.ranking import RankedEntry, Standing, rank_entries
from contest_app.scoring.side_awards import SideAwardResult, SideAwardRule, decide_side_awards
from contest_app.scoring.stats import SegmentStats, segment_statistics

__all__ = [
    "MEAN",
    "TRIMMED_MEAN",
    "PrizeAllocation",
    "RankedEntry",
    "SegmentStats",
    "SideAwardResult",
    "SideAwardRule",
    "Standing",
    "Tier",
    "UnresolvedTie",
    "allocate_prizes",
    "decide_side_awards",
    "display",
    "display_str",
    "rank_entries",
    "segment_score",
    "segment_statistics",
    "to_fraction",
]
