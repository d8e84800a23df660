"""Judge consistency: how far each judge sits from the panel, how spread each team's
marks are, and which marks stray from the panel median by more than the edition's share
of the segment's maximum (``Edition.deviation_share``, per cent: 10 → 1 point of 10,
1,5 of 15, 7,5 of 75), so that one rule serves segments of any size. Each flagged mark
also carries its z-score against the panel (deviation / the panel's standard deviation).

Reads the stored marks and takes each team's segment score from ``compute_results``;
it never computes a score of its own. Exact arithmetic throughout (Decimal/Fraction);
the only inexact value is the standard deviation, a square root taken in Decimal.
Reads only; nothing is written.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import Edition, Judge, Mark, Segment
from contest_app.services.errors import NotFound
from contest_app.services.final.results import EditionResults, compute_results, finalists


def median(values: list[Decimal]) -> Decimal:
    """The middle mark; with an even count, the mean of the two middle ones (exact)."""
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    if n % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def std_dev(values: list[Decimal]) -> Decimal:
    """Population standard deviation: the exact variance, then a 28-digit Decimal root."""
    exact = [Fraction(v) for v in values]
    mean = sum(exact, Fraction(0)) / len(exact)
    variance = sum(((v - mean) ** 2 for v in exact), Fraction(0)) / len(exact)
    with localcontext() as ctx:
        ctx.prec = 28
        return (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()


def _segment(edition: Edition, segment_key: str) -> Segment:
    for seg in edition.segments:
        if seg.key == segment_key:
            return seg
    raise NotFound(f"Không tìm thấy phần thi “{segment_key}”.", code="segment_not_found")


def _marks(segment: Segment, entry_ids: set[int]) -> dict[int, list[tuple[Judge, Decimal]]]:
    grouped: dict[int, list[tuple[Judge, Decimal]]] = defaultdict(list)
    rows = db.session.execute(
        select(Mark, Judge).join(Judge, Judge.id == Mark.judge_id).where(Mark.segment_id == segment.id)
    )
    for mark, judge in rows:
        if mark.entry_id in entry_ids:
            grouped[mark.entry_id].append((judge, mark.value))
    for marks in grouped.values():
        marks.sort(key=lambda jm: (jm[0].seat, jm[0].id))
    return grouped


def allowed_deviation(edition: Edition, max_score: Decimal) -> Decimal:
    """The largest deviation from the median that is not flagged: the edition's share of
    the segment's maximum (exact)."""
    return Decimal(max_score) * Decimal(edition.deviation_share) / 100


def z_score(value: Decimal, values: list[Decimal]) -> Decimal | None:
    """(value − panel mean) / panel standard deviation; None when the panel agrees exactly."""
    spread = std_dev(values)
    if not spread:
        return None
    exact_mean = sum((Fraction(v) for v in values), Fraction(0)) / len(values)
    with localcontext() as ctx:
        ctx.prec = 28
        mean = Decimal(exact_mean.numerator) / Decimal(exact_mean.denominator)
        return (Decimal(value) - mean) / spread


def _flags(segment: Segment, threshold: Decimal, teams: dict[int, str],
           marks: dict[int, list[tuple[Judge, Decimal]]]) -> list[dict[str, Any]]:
    flags = []
    for entry_id, team in teams.items():
        values = marks.get(entry_id, [])
        if len(values) < 2:
            continue
        plain = [v for _j, v in values]
        mid = median(plain)
        for judge, value in values:
            deviation = value - mid
            if abs(deviation) > threshold:
                flags.append(
                    {
                        "judge": judge.name,
                        "judge_id": judge.id,
                        "seat": judge.seat,
                        "team": team,
                        "entry_id": entry_id,
                        "segment_key": segment.key,
                        "mark": value,
                        "median": mid,
                        "deviation": deviation,
                        "share": deviation * 100 / segment.max_score,
                        "z": z_score(value, plain),
                    }
                )
    return flags


def deviation_flags(edition: Edition, segment_key: str) -> list[dict[str, Any]]:
    """Marks of one segment that differ from their team's panel median by more than the
    edition's share of the segment's maximum: dicts of judge (name), judge_id, seat, team,
    entry_id, segment_key, mark, median, deviation (mark − median, signed, Decimal), share
    (the deviation in per cent of the maximum) and z (z-score, or None). In order of appearance,
    then by seat. Takes its two arguments positionally or by keyword (the control desk
    calls it while the final runs)."""
    segment = _segment(edition, segment_key)
    # Only team names are needed here: no full results computation on the desk's hot path.
    teams = {e.id: (e.team.name if e.team else e.unit.name) for e in finalists(edition)}
    return _flags(segment, allowed_deviation(edition, segment.max_score), teams, _marks(segment, set(teams)))


@dataclass(frozen=True)
class JudgeDeviation:
    judge_id: int
    judge: str
    seat: int
    count: int
    mean_deviation: Fraction | None
    mean_abs_deviation: Fraction | None
    flags: int


@dataclass(frozen=True)
class TeamSpread:
    entry_id: int
    team: str
    marks: tuple[Decimal | None, ...]
    score: Fraction | None
    median: Decimal | None
    spread: Decimal | None
    std_dev: Decimal | None


@dataclass
class SegmentConsistency:
    key: str
    name: str
    max_score: Decimal
    allowed: Decimal = Decimal(0)
    judges: list[JudgeDeviation] = field(default_factory=list)
    teams: list[TeamSpread] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ConsistencyReport:
    share: Decimal
    judges: list[tuple[int, str]]
    segments: list[SegmentConsistency]


def consistency_report(*, edition: Edition, results: EditionResults | None = None) -> ConsistencyReport:
    """Per segment: each judge's mean deviation from the panel (mark − the team's segment
    score, averaged over the teams the judge marked), each team's spread (max − min) and
    standard deviation, and the flagged marks."""
    results = results or compute_results(edition)
    rows = results.rows_in_order()
    teams = {r.entry_id: r.team for r in rows}
    judges = list(
        db.session.scalars(
            select(Judge).join(Mark, Mark.judge_id == Judge.id).join(Segment, Segment.id == Mark.segment_id)
            .where(Segment.edition_id == edition.id).distinct().order_by(Judge.seat, Judge.id)
        )
    )
    report = ConsistencyReport(edition.deviation_share, [(j.id, j.name) for j in judges], [])
    for info in results.segments:
        segment = _segment(edition, info.key)
        marks = _marks(segment, set(teams))
        allowed = allowed_deviation(edition, info.max_score)
        flags = _flags(segment, allowed, teams, marks)
        part = SegmentConsistency(info.key, info.name, info.max_score, allowed=allowed, flags=flags)
        deviations: dict[int, list[Fraction]] = defaultdict(list)
        for r in rows:
            values = marks.get(r.entry_id, [])
            by_judge = {j.id: v for j, v in values}
            score = r.scores.get(info.key)
            for j, v in values:
                if score is not None:
                    deviations[j.id].append(Fraction(v) - score)
            plain = [v for _j, v in values]
            part.teams.append(
                TeamSpread(
                    entry_id=r.entry_id,
                    team=r.team,
                    marks=tuple(by_judge.get(j.id) for j in judges),
                    score=score,
                    median=median(plain) if plain else None,
                    spread=(max(plain) - min(plain)) if plain else None,
                    std_dev=std_dev(plain) if plain else None,
                )
            )
        flag_counts: dict[int, int] = defaultdict(int)
        for f in flags:
            flag_counts[f["judge_id"]] += 1
        for j in judges:
            devs = deviations.get(j.id, [])
            part.judges.append(
                JudgeDeviation(
                    judge_id=j.id,
                    judge=j.name,
                    seat=j.seat,
                    count=len(devs),
                    mean_deviation=sum(devs, Fraction(0)) / len(devs) if devs else None,
                    mean_abs_deviation=sum((abs(d) for d in devs), Fraction(0)) / len(devs) if devs else None,
                    flags=flag_counts[j.id],
                )
            )
        report.segments.append(part)
    return report
