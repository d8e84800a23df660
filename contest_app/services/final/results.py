"""The one function that turns stored marks into results.

The results page, the CLI export, the live board and the printed appendices all call
``compute_results``; none of them computes a score of its own. The rules come from
``contest_app.scoring``; this module only gathers the data and labels the outcome.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, cast, func, select
from sqlalchemy.orm import joinedload

from contest_app.extensions import db
from contest_app.enums import RoundStatus
from contest_app.models import Edition, Entry, Mark, PanelDecision, Segment, SideAward, Team, Unit
from contest_app.scoring import (
    SegmentStats,
    SideAwardRule,
    Standing,
    Tier,
    allocate_prizes,
    decide_side_awards,
    display_str,
    rank_entries,
    segment_score,
    segment_statistics,
)
from contest_app.services.final.answers import answer_scores
from contest_app.services.final.finalists import finalists  # noqa: F401 - re-exported for callers


@dataclass(frozen=True)
class SegmentInfo:
    """A segment as the results show it."""

    id: int
    key: str
    name: str
    short_name: str
    max_score: Decimal
    order: int


@dataclass
class ResultRow:
    """One finalist's line in the results."""

    entry_id: int
    order: int | None
    team: str
    unit: str
    entry_title: str
    scores: dict[str, Fraction | None]
    marks_count: dict[str, int]
    total: Fraction
    rank: int = 0
    tied: bool = False
    prize: str | None = None
    side_awards: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SideAwardOutcome:
    """A side award as decided."""

    name: str
    amount: Decimal | None
    method: str
    entry_id: int | None
    team: str | None
    entry_title: str | None
    score: Fraction | None
    tied_teams: tuple[str, ...]


DRAFT_LABEL = "DỰ THẢO — chưa đủ điểm"


@dataclass(frozen=True)
class MissingCell:
    """A team's segment with fewer marks than its panel."""

    entry_id: int
    team: str
    segment_key: str
    segment_name: str
    marks_in: int
    expected: int

    def text(self) -> str:
        return f"{self.team} – {self.segment_name}: {self.marks_in}/{self.expected} điểm"


@dataclass(frozen=True)
class Completeness:
    """Marks in versus marks expected, per team and segment.

    ``cells[(entry_id, segment_key)] = (marks in, expected)``; a segment scored from the
    team's recorded answers counts as (1, 1) once scored. ``expected`` is the edition's
    panel, or the panel of a recorded decision (a judge absent: five).
    """

    cells: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)
    missing: tuple[MissingCell, ...] = ()

    @property
    def is_complete(self) -> bool:
        return not self.missing

    def label(self) -> str:
        """The warning every output of incomplete results carries (empty when complete)."""
        if self.is_complete:
            return ""
        return f"{DRAFT_LABEL}. Còn thiếu: " + "; ".join(m.text() for m in self.missing) + "."

    def to_dict(self) -> dict[str, Any]:
        return {
            "is_complete": self.is_complete,
            "label": self.label(),
            "missing": [
                {"entry_id": m.entry_id, "team": m.team, "segment_key": m.segment_key, "segment": m.segment_name,
                 "marks_in": m.marks_in, "expected": m.expected, "text": m.text()}
                for m in self.missing
            ],
        }


@dataclass
class EditionResults:
    """Everything the board, the prints and the exports show about a final."""

    edition: Edition
    segments: list[SegmentInfo]
    rows: list[ResultRow]
    stats: dict[str, SegmentStats]
    total_stats: SegmentStats
    unresolved_ties: list[dict[str, Any]]
    side_awards: list[SideAwardOutcome]
    prize_tiers: list[dict[str, Any]]
    completeness: Completeness = field(default_factory=Completeness)

    @property
    def is_complete(self) -> bool:
        """True when every team has every expected mark in every segment."""
        return self.completeness.is_complete

    @property
    def missing(self) -> list[str]:
        """What is missing, one Vietnamese line per team and segment."""
        return [m.text() for m in self.completeness.missing]

    def rows_in_order(self) -> list[ResultRow]:
        """Rows in order of appearance (as Phụ lục I lists them)."""
        return sorted(self.rows, key=lambda r: (r.order if r.order is not None else 10**6, r.entry_id))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: numbers as strings with 2 decimals, rounded half up once."""
        keys = [s.key for s in self.segments]
        return {
            "edition": {
                "id": self.edition.id,
                "number": self.edition.number,
                "year": self.edition.year,
                "title": self.edition.title,
            },
            "segments": [
                {"key": s.key, "name": s.name, "short_name": s.short_name, "max": f"{s.max_score:.2f}"}
                for s in self.segments
            ],
            "rows": [
                {
                    "rank": r.rank,
                    "tied": r.tied,
                    "order": r.order,
                    "entry_id": r.entry_id,
                    "team": r.team,
                    "unit": r.unit,
                    "entry_title": r.entry_title,
                    "scores": {k: display_str(r.scores.get(k)) for k in keys},
                    "marks_count": {k: r.marks_count.get(k, 0) for k in keys},
                    "total": display_str(r.total),
                    "prize": r.prize,
                    "side_awards": list(r.side_awards),
                }
                for r in self.rows
            ],
            "averages": {
                **{k: display_str(self.stats[k].average) for k in keys},
                "total": display_str(self.total_stats.average),
            },
            "rates_of_max": {k: display_str(self.stats[k].rate_of_max) for k in keys},
            "best": {
                k: {
                    "teams": [self._team_of(e) for e in self.stats[k].best_entry_ids],
                    "score": display_str(self.stats[k].best_score),
                }
                for k in keys
            },
            "prize_tiers": self.prize_tiers,
            "side_awards": [
                {
                    "name": a.name,
                    "amount": None if a.amount is None else str(a.amount),
                    "method": a.method,
                    "team": a.team,
                    "entry_title": a.entry_title,
                    "score": display_str(a.score),
                    "tied_teams": list(a.tied_teams),
                }
                for a in self.side_awards
            ],
            "unresolved_ties": self.unresolved_ties,
            "completeness": self.completeness.to_dict(),
        }

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON form of the results."""
        canonical = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def _team_of(self, entry_id: Hashable) -> str:
        for r in self.rows:
            if r.entry_id == entry_id:
                return r.team
        return ""


# Statements built once, with bound parameters: building a select costs more than running it.
# _MARK_CELLS: one row per (entry, segment) with its marks as text, aggregated by the database;
# a cell whose text is the same as last time is not even converted to Decimal.
_MARK_CELLS = (
    select(Mark.entry_id, Mark.segment_id, func.aggregate_strings(cast(Mark.value, String), ","))
    .join(Segment, Segment.id == Mark.segment_id)
    .where(Segment.edition_id == bindparam("edition_id"))
    .group_by(Mark.entry_id, Mark.segment_id)
)
_FINALISTS = (
    select(Entry.id, Entry.final_order, Entry.title, Team.name, Unit.name)
    .join(Unit, Unit.id == Entry.unit_id)
    .outerjoin(Team, Team.id == Entry.team_id)
    .where(Entry.edition_id == bindparam("edition_id"), Entry.preliminary_status == RoundStatus.PASSED.value)
    .order_by(Entry.final_order, Entry.id)
)
_PANEL_DECISIONS = select(PanelDecision).where(PanelDecision.edition_id == bindparam("edition_id"))
_SIDE_AWARDS = (
    select(SideAward)
    .where(SideAward.edition_id == bindparam("edition_id"))
    .order_by(SideAward.order, SideAward.id)
    .options(joinedload(SideAward.decision))
)


def _flush_pending() -> None:
    """Flush what the session holds, as the ORM's autoflush would before a query."""
    if db.session.autoflush:
        db.session.flush()


class _Finalist(NamedTuple):
    """A finalist as the results need it (a tuple: 200 of them are built per computation)."""

    id: int
    final_order: int | None
    title: str
    team: str
    unit: str


def _finalist_rows(edition: Edition) -> list[_Finalist]:
    """The finalists with their team and unit names, as tuples (one query, as ``finalists`` orders them)."""
    rows = db.session.connection().execute(_FINALISTS, {"edition_id": edition.id}).all()
    return [_Finalist(eid, order, title, team if team is not None else unit, unit) for eid, order, title, team, unit in rows]


class _CellScores:
    """Segment scores of the last computation per edition, keyed by the marks they came from.

    A mark changes one cell (one team in one segment); every other cell's marks are the same
    as last time, so its exact score is reused instead of recomputed. A cell is reused only
    when its aggregation and its marks (as the database lists them) equal those it was
    computed from, so the cache can never serve a stale score, whichever process or writer
    changed the marks: it needs no invalidation for correctness. ``forget_results`` empties
    it (tests, memory). Nothing in it yields, so concurrent greenlets at worst recompute a cell.
    """

    _by_edition: dict[int, _CellScores] = {}

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], tuple[str, str, Fraction | None, int]] = {}

    @classmethod
    def of(cls, edition_id: int) -> _CellScores:
        cache = cls._by_edition.get(edition_id)
        if cache is None:
            cache = cls._by_edition[edition_id] = cls()
        return cache

    def score(self, key: tuple[int, int], marks_text: str | None, method: str) -> tuple[Fraction | None, int]:
        """The cell's exact score and its number of marks, from its marks as the database lists them."""
        if marks_text is None:
            return None, 0
        cached = self.cells.get(key)
        if cached is not None and cached[0] == method and cached[1] == marks_text:
            return cached[2], cached[3]
        values = [Decimal(v) for v in marks_text.split(",")]
        score = segment_score(values, method)
        self.cells[key] = (method, marks_text, score, len(values))
        return score, len(values)

    def keep_only(self, keys: set[tuple[int, int]]) -> None:
        """Forget the cells of entries that are no longer finalists (the cache stays bounded)."""
        if len(self.cells) > len(keys):
            self.cells = {k: v for k, v in self.cells.items() if k in keys}


def forget_results(edition_id: int | None = None) -> None:
    """Drop the cached segment scores of ``edition_id`` (of every edition when None)."""
    if edition_id is None:
        _CellScores._by_edition.clear()
    else:
        _CellScores._by_edition.pop(edition_id, None)


def compute_results(edition: Edition) -> EditionResults:
    """Compute the final's results of ``edition`` from the stored marks.

    Segment scores follow each segment's aggregation; totals, ranks, prizes, side
    awards and statistics follow ``contest_app.scoring``. Entries are the finalists.
    """
    segments = [
        SegmentInfo(s.id, s.key, s.name, s.short_name or s.name, s.max_score, s.order)
        for s in sorted(edition.segments, key=lambda s: s.order)
    ]
    aggregation = {s.id: s.aggregation for s in edition.segments}
    entries = _finalist_rows(edition)
    _flush_pending()
    marks = {
        (entry_id, segment_id): text
        for entry_id, segment_id, text in db.session.connection().execute(_MARK_CELLS, {"edition_id": edition.id}).all()
    }
    extra = _scores_from_answers(edition)
    cells = _CellScores.of(edition.id)

    rows: dict[int, ResultRow] = {}
    standings: list[Standing] = []
    for entry in entries:
        scores: dict[str, Fraction | None] = {}
        counts: dict[str, int] = {}
        for seg in segments:
            if (entry.id, seg.id) in extra:
                scores[seg.key] = extra[(entry.id, seg.id)]
                counts[seg.key] = 0
                continue
            key = (entry.id, seg.id)
            scores[seg.key], counts[seg.key] = cells.score(key, marks.get(key), aggregation[seg.id])
        standing = Standing(entry.id, scores)
        standings.append(standing)
        rows[entry.id] = ResultRow(
            entry_id=entry.id,
            order=entry.final_order,
            team=entry.team,
            unit=entry.unit,
            entry_title=entry.title,
            scores=scores,
            marks_count=counts,
            total=standing.total,
        )

    cells.keep_only({(entry.id, seg.id) for entry in entries for seg in segments})
    completeness = _completeness(edition, segments, entries, rows, extra)
    ranked = rank_entries(standings, tie_break=edition.tie_break or ())
    tiers = [Tier(t.name, t.count) for t in edition.prize_tiers]
    allocation = allocate_prizes(ranked, tiers)
    ordered_rows: list[ResultRow] = []
    for r in ranked:
        row = rows[r.entry_id]
        row.rank, row.tied = r.rank, r.tied
        row.prize = allocation.prize_of(r.entry_id)
        ordered_rows.append(row)

    awards = list(db.session.scalars(_SIDE_AWARDS, {"edition_id": edition.id}))
    rules = [
        SideAwardRule(
            name=a.name,
            method=a.method,
            segment_key=a.segment_key,
            pick=a.decision.entry_id if a.decision else None,
            exclude_prize_winners=a.exclude_prize_winners,
            one_per_team=a.one_per_team,
        )
        for a in awards
    ]
    # A tie that straddles two prize tiers still wins a prize whichever way the committee
    # decides: those teams are prize winners for the side awards too.
    sure_winners = set(allocation.prizes) | {
        e for t in allocation.unresolved_ties if None not in t.tiers for e in t.entry_ids
    }
    decided = decide_side_awards(rules, {r.entry_id: r.scores for r in ordered_rows}, sure_winners)
    outcomes: list[SideAwardOutcome] = []
    for award, result in zip(awards, decided, strict=True):
        row = rows.get(result.entry_id) if result.entry_id is not None else None
        if row is not None:
            row.side_awards.append(award.name)
        outcomes.append(
            SideAwardOutcome(
                name=award.name,
                amount=award.amount,
                method=award.method,
                entry_id=result.entry_id,
                team=row.team if row else None,
                entry_title=row.entry_title if row else None,
                score=result.score,
                tied_teams=tuple(rows[e].team for e in result.tied_entry_ids if e in rows),
            )
        )

    stats = {
        seg.key: segment_statistics(seg.key, seg.max_score, {r.entry_id: r.scores[seg.key] for r in ordered_rows})
        for seg in segments
    }
    total_max = sum((s.max_score for s in segments), Decimal(0))
    total_stats = segment_statistics(
        "total", total_max, {r.entry_id: (r.total if any(v is not None for v in r.scores.values()) else None) for r in ordered_rows}
    )
    unresolved = [
        {
            "rank": t.rank,
            "teams": [rows[e].team for e in t.entry_ids],
            "entry_ids": list(t.entry_ids),
            "tiers": list(t.tiers),
        }
        for t in allocation.unresolved_ties
    ]
    return EditionResults(
        edition=edition,
        segments=segments,
        rows=ordered_rows,
        stats=stats,
        total_stats=total_stats,
        unresolved_ties=unresolved,
        side_awards=outcomes,
        prize_tiers=[
            {"name": t.name, "count": t.count, "amount": None if t.amount is None else str(t.amount)}
            for t in edition.prize_tiers
        ],
        completeness=completeness,
    )


def _completeness(edition: Edition, segments: list[SegmentInfo], entries: list,
                  rows: dict[int, ResultRow], extra: dict) -> Completeness:
    panel = edition.judges_per_panel or 0
    decisions = {
        (d.segment_id, d.entry_id): d.panel_size
        for d in db.session.scalars(_PANEL_DECISIONS, {"edition_id": edition.id})
    }
    cells: dict[tuple[int, str], tuple[int, int]] = {}
    missing: list[MissingCell] = []
    for entry in entries:
        row = rows[entry.id]
        for seg in segments:
            if (entry.id, seg.id) in extra:
                cells[(entry.id, seg.key)] = (1, 1)
                continue
            expected = decisions.get((seg.id, entry.id), decisions.get((seg.id, None), panel))
            got = row.marks_count.get(seg.key, 0)
            cells[(entry.id, seg.key)] = (got, expected)
            if got < expected or got == 0:
                missing.append(MissingCell(entry.id, row.team, seg.key, seg.short_name, got, max(expected, 1)))
    return Completeness(cells=cells, missing=tuple(missing))


def _scores_from_answers(edition: Edition) -> dict[tuple[int, int], Fraction]:
    """Segment scores computed from recorded answers, for segments scored that way."""
    if not any(s.scored_from_answers for s in edition.segments):
        return {}
    return answer_scores(edition)
