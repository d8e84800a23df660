"""Main prizes from ordered tiers; ties across a boundary go to the committee."""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from contest_app.scoring.ranking import RankedEntry


@dataclass(frozen=True)
class Tier:
    """A prize tier: its name as the report spells it and how many prizes it has."""

    name: str
    count: int


@dataclass(frozen=True)
class UnresolvedTie:
    """Entries sharing a rank whose places straddle a prize boundary."""

    rank: int
    entry_ids: tuple[Hashable, ...]
    tiers: tuple[str | None, ...]


@dataclass(frozen=True)
class PrizeAllocation:
    """Which tier each entry won (entries without a prize are absent)."""

    prizes: dict[Hashable, str] = field(default_factory=dict)
    unresolved_ties: list[UnresolvedTie] = field(default_factory=list)

    def prize_of(self, entry_id: Hashable) -> str | None:
        return self.prizes.get(entry_id)


def allocate_prizes(ranked: Sequence[RankedEntry], tiers: Sequence[Tier]) -> PrizeAllocation:
    """Give the places 1..N to the tiers in order (first tier gets the first ``count`` places).

    Entries sharing a rank occupy consecutive places. When all their places fall in
    one tier (or all outside the prizes) they all get it. When their places straddle
    a boundary (two tiers, or a tier and no prize) nobody in the group gets a prize:
    the group is returned as an unresolved tie for the committee, never settled silently.
    """
    place_tier: list[str] = []
    for tier in tiers:
        place_tier.extend([tier.name] * tier.count)

    def tier_at(place: int) -> str | None:
        return place_tier[place - 1] if 1 <= place <= len(place_tier) else None

    prizes: dict[Hashable, str] = {}
    unresolved: list[UnresolvedTie] = []
    place = 1
    for rank, group in groupby(ranked, key=lambda r: r.rank):
        members = list(group)
        involved = tuple(dict.fromkeys(tier_at(p) for p in range(place, place + len(members))))
        if len(involved) == 1:
            if involved[0] is not None:
                for m in members:
                    prizes[m.entry_id] = involved[0]
        else:
            unresolved.append(
                UnresolvedTie(rank=rank, entry_ids=tuple(m.entry_id for m in members), tiers=involved)
            )
        place += len(members)
    return PrizeAllocation(prizes=prizes, unresolved_ties=unresolved)
