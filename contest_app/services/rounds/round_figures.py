"""Figures per round for the report: how many entries took part in each round, per block
and per thematic group (2019: 95 → 52 → 12).

An entry counts in the qualifying round once registered (unless withdrawn), in the
preliminary round once its unit passed it, and in the final once it passed the
preliminary round. Where the edition records its published figures (``Edition.history``:
the editions known by figures only, and the 2019 demo, which holds only its finalists), those
totals are the figures, and a round's breakdown is shown only when the entries held account
for all of it. This is the one function every page, report and export takes its round
figures from (organisers, secretariat, history table). Read-only.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from contest_app.enums import Block, RoundKind, RoundStatus
from contest_app.extensions import db
from contest_app.models import Edition, Entry


@dataclass
class RoundCount:
    """One round's counts."""

    kind: RoundKind
    total: int
    by_block: dict[str, int] = field(default_factory=dict)
    by_group: dict[int, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.kind.label


@dataclass
class RoundFigures:
    """An edition's counts for its three rounds."""

    edition_id: int
    groups: list[tuple[int, str]]
    rounds: list[RoundCount]

    def round(self, kind: RoundKind | str) -> RoundCount:
        return next(r for r in self.rounds if r.kind == RoundKind(kind))

    @property
    def totals(self) -> list[int]:
        return [r.total for r in self.rounds]


def _in_round(entry: Entry, kind: RoundKind) -> bool:
    if kind is RoundKind.QUALIFYING:
        return entry.qualifying_status != RoundStatus.WITHDRAWN.value
    if kind is RoundKind.PRELIMINARY:
        return entry.qualifying_status == RoundStatus.PASSED.value
    return (entry.qualifying_status == RoundStatus.PASSED.value
            and entry.preliminary_status == RoundStatus.PASSED.value)


def recorded_totals(edition: Edition) -> dict[str, int] | None:
    """The published entries per round, when the edition records all three."""
    history = edition.history or {}
    if all(isinstance(history.get(k.value), int) for k in RoundKind):
        return {k.value: history[k.value] for k in RoundKind}
    return None


def round_figures(edition: Edition) -> RoundFigures:
    """Counts per round, per block and per thematic group."""
    groups = [(g.number, g.name) for g in edition.thematic_groups]
    recorded = recorded_totals(edition)
    if edition.figures_only:
        history = edition.history or {}
        return RoundFigures(edition.id, groups, [
            RoundCount(kind, int(history.get(kind.value, 0))) for kind in RoundKind])
    entries = list(db.session.scalars(select(Entry).where(Entry.edition_id == edition.id)))
    rounds = []
    for kind in RoundKind:
        chosen = [e for e in entries if _in_round(e, kind)]
        total = recorded[kind.value] if recorded else len(chosen)
        if total != len(chosen):
            rounds.append(RoundCount(kind, total))
            continue
        blocks = Counter(e.unit.block for e in chosen)
        numbers = Counter(e.thematic_group.number for e in chosen if e.thematic_group is not None)
        rounds.append(RoundCount(
            kind,
            total,
            {b.value: blocks.get(b.value, 0) for b in Block},
            {n: numbers.get(n, 0) for n, _name in groups},
        ))
    return RoundFigures(edition.id, groups, rounds)


def figures_table(figures: RoundFigures) -> tuple[list[str], list[list]]:
    """The figures as a table (headers, rows): one row per round; total, then each block,
    then each group. ``reports.csvfile`` writes it as CSV."""
    headers = ["Vòng", "Tổng số"] + [b.label for b in Block] + [f"Nhóm {n}" for n, _ in figures.groups]
    rows = [[r.label, r.total] + [r.by_block.get(b.value, "") for b in Block]
            + [r.by_group.get(n, "") for n, _ in figures.groups] for r in figures.rounds]
    return headers, rows
