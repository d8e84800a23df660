"""Side awards (giải phụ): a segment's best among the eligible, or a recorded pick."""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

BEST_SEGMENT = "best_segment"
COMMITTEE = "committee"
JUDGES_VOTE = "judges_vote"


@dataclass(frozen=True)
class SideAwardRule:
    """How one side award is decided and who may get it."""

    name: str
    method: str
    segment_key: str | None = None
    pick: Hashable | None = None
    exclude_prize_winners: bool = True
    one_per_team: bool = True


@dataclass(frozen=True)
class SideAwardResult:
    """The outcome for one award: the winner, or the tied candidates left to the committee."""

    name: str
    method: str
    entry_id: Hashable | None
    score: Fraction | None = None
    tied_entry_ids: tuple[Hashable, ...] = field(default_factory=tuple)


def decide_side_awards(
    rules: Sequence[SideAwardRule],
    scores: Mapping[Hashable, Mapping[str, Fraction | None]],
    prize_winners: set[Hashable],
) -> list[SideAwardResult]:
    """Decide every side award; results come back in the order of ``rules``.

    Recorded picks (committee or judges' vote) are settled first, as recorded. Then each
    ``best_segment`` award goes to the highest exact score in its segment among the
    eligible entries: not a main-prize winner when ``exclude_prize_winners``, and not
    already holding a side award when ``one_per_team``. A tie for that best score is
    not settled: the award has no winner and lists the tied entries.
    """
    awarded: set[Hashable] = set()
    outcome: dict[int, SideAwardResult] = {}
    for i, rule in enumerate(rules):
        if rule.method in (COMMITTEE, JUDGES_VOTE):
            outcome[i] = SideAwardResult(rule.name, rule.method, rule.pick)
            if rule.pick is not None:
                awarded.add(rule.pick)
    for i, rule in enumerate(rules):
        if rule.method != BEST_SEGMENT:
            continue
        if rule.method not in (BEST_SEGMENT, COMMITTEE, JUDGES_VOTE):
            raise ValueError(f"unknown side-award method: {rule.method!r}")
        eligible = [
            (entry_id, s.get(rule.segment_key))
            for entry_id, s in scores.items()
            if s.get(rule.segment_key) is not None
            and not (rule.exclude_prize_winners and entry_id in prize_winners)
            and not (rule.one_per_team and entry_id in awarded)
        ]
        if not eligible:
            outcome[i] = SideAwardResult(rule.name, rule.method, None)
            continue
        best = max(score for _, score in eligible)
        leaders = tuple(entry_id for entry_id, score in eligible if score == best)
        if len(leaders) == 1:
            outcome[i] = SideAwardResult(rule.name, rule.method, leaders[0], best)
            awarded.add(leaders[0])
        else:
            outcome[i] = SideAwardResult(rule.name, rule.method, None, best, leaders)
    for i, rule in enumerate(rules):
        if i not in outcome:
            raise ValueError(f"unknown side-award method: {rule.method!r}")
    return [outcome[i] for i in range(len(rules))]
