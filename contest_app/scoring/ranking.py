"""Totals and ranks, with ties that are shown, never hidden."""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from itertools import groupby
from math import lcm

from contest_app.scoring.numbers import exact_sum, to_fraction


@dataclass(frozen=True)
class Standing:
    """One entry's exact segment scores (None where it has none yet)."""

    entry_id: Hashable
    scores: Mapping[str, Fraction | None]

    @cached_property
    def total(self) -> Fraction:
        """The exact sum of the segment scores present (computed once per standing)."""
        return exact_sum(s for s in self.scores.values() if s is not None)


@dataclass(frozen=True)
class RankedEntry:
    """A standing with its rank; ``tied`` is true when another entry shares the rank."""

    entry_id: Hashable
    rank: int
    tied: bool
    total: Fraction
    scores: Mapping[str, Fraction | None] = field(default_factory=dict)


def _key(standing: Standing, tie_break: Sequence[str]) -> tuple[Fraction, ...]:
    return (standing.total,) + tuple(
        to_fraction(standing.scores[k]) if standing.scores.get(k) is not None else Fraction(-1)
        for k in tie_break
    )


def rank_entries(
    standings: Iterable[Standing], tie_break: Sequence[str] = ("presentation", "situation", "knowledge")
) -> list[RankedEntry]:
    """Rank entries by total, highest first, with standard competition ranking (1, 2, 2, 4).

    Equal totals are broken by the segments of ``tie_break`` in order (a higher score
    in the first segment wins, then the second, ...). Entries still equal after every
    tie-break share a rank and carry ``tied=True``. Order among tied entries is
    stable (input order) and means nothing.
    """
    # Each key computed once, then scaled to integers over the common denominator: the same
    # order and the same equalities as the exact Fractions, at the cost of int comparisons.
    exact = [(_key(s, tie_break), s) for s in standings]
    denominators = {f.denominator for key, _ in exact for f in key}
    common = lcm(*denominators) if denominators else 1
    factor = {d: common // d for d in denominators}
    keyed = [(tuple([f.numerator * factor[f.denominator] for f in key]), s) for key, s in exact]
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    ranked: list[RankedEntry] = []
    position = 1
    for _, group in groupby(keyed, key=lambda pair: pair[0]):
        members = [s for _, s in group]
        for s in members:
            ranked.append(
                RankedEntry(
                    entry_id=s.entry_id,
                    rank=position,
                    tied=len(members) > 1,
                    total=s.total,
                    scores=dict(s.scores),
                )
            )
        position += len(members)
    return ranked
