"""Load the 2019 edition as demo data, optionally with judges' marks that reproduce it."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import select

from contest_app import demo_data as data
from contest_app.enums import Aggregation, Panel, RoundKind, RoundStatus, SideAwardMethod
from contest_app.extensions import db
from contest_app.models import (
    Edition,
    Entry,
    Judge,
    LiveState,
    Mark,
    PrizeTier,
    Round,
    RoundProgress,
    Segment,
    SegmentWindow,
    SideAward,
    SideAwardDecision,
    ReportNarrative,
    Team,
    ThematicGroup,
    Unit,
)
from contest_app.services.errors import Conflict
from contest_app.services.outputs.documents import DEFAULTS, TEXT_FIELDS, add_partner_unit

#: Spread of the generated marks around the published score, as fractions of the maximum.
_SPREAD = (Decimal("0.05"), Decimal("0.03"), Decimal("0.01"))


def demo_marks(score: Decimal, maximum: Decimal, step: Decimal, rotation: int = 0) -> list[Decimal]:
    """Six marks on the ``step`` grid within 0..maximum whose exact mean is ``score``.

    The marks come in pairs ``score + d`` and ``score - d``, so the mean is exact; each
    spread ``d`` is a share of the maximum, cut to the step and to the room left below
    the maximum and above zero. ``rotation`` shifts who gives which mark, so that the
    same judge is not always the most generous. Deterministic.
    """
    marks: list[Decimal] = []
    for share in _SPREAD:
        d = min(maximum * share, maximum - score, score)
        d = (d / step).to_integral_value(rounding=ROUND_FLOOR) * step
        marks.extend([score + d, score - d])
    r = rotation % len(marks)
    return marks[r:] + marks[:r]


def ensure_units() -> dict[str, Unit]:
    """Create the units of the seed reports that are missing; return all by name."""
    existing = {u.name: u for u in db.session.scalars(select(Unit))}
    for name, block in data.UNITS:
        if name not in existing:
            unit = Unit(name=name, block=block.value)
            db.session.add(unit)
            existing[name] = unit
    db.session.flush()
    return existing


def _history_edition(number: int, year: int, q: int, p: int, f: int, tiers) -> Edition:
    edition = Edition(
        number=number,
        year=year,
        title=f"Lần thứ {number} - năm {year}",
        contest_name=data.CONTEST_NAME,
        figures_only=True,
        history={"qualifying": q, "preliminary": p, "final": f},
    )
    for i, (name, count) in enumerate(tiers):
        edition.prize_tiers.append(PrizeTier(name=name, count=count, order=i))
    return edition


def load_demo(*, with_marks: bool = False) -> Edition:
    """Create the 2019 edition (and the figures of 2013–2017) from the published report.

    Refuses when an edition of 2019 already exists. With ``with_marks``, six judges
    mark every finalist in every segment so that each exact mean is the published score.
    Flushes; the caller commits.
    """
    if db.session.scalar(select(Edition).where(Edition.year == 2019)) is not None:
        raise Conflict("Dữ liệu mẫu năm 2019 đã có trong cơ sở dữ liệu.", code="demo_exists")
    units = ensure_units()
    for number, year, q, p, f, tiers in data.HISTORY[:-1]:
        if db.session.scalar(select(Edition).where(Edition.year == year)) is None:
            db.session.add(_history_edition(number, year, q, p, f, tiers))

    edition = Edition(
        number=4,
        year=2019,
        title="Lần thứ 4 - năm 2019",
        contest_name=data.CONTEST_NAME,
        rules_reference="Điều lệ số 1580/ĐL-SNV ngày 19/7/2019",
        preliminary_cutoff=Decimal("75"),
        judges_per_panel=data.JUDGE_COUNT,
        report_number="2417/BC-SNV",
        report_date=date(2019, 10, 29),
        issuing_body="Sở Nội vụ",
        plan_deadline=date(2020, 1, 31),
        history={"qualifying": 95, "preliminary": 52, "final": 12,
                 "preliminary_groups": dict(data.PRELIMINARY_GROUPS_2019)},
    )
    edition.rounds.extend(
        [
            Round(kind=RoundKind.QUALIFYING.value, name="Vòng loại", order=1),
            Round(kind=RoundKind.PRELIMINARY.value, name="Vòng sơ khảo", order=2),
            Round(
                kind=RoundKind.FINAL.value,
                name="Vòng chung khảo",
                order=3,
                held_on=date(2019, 10, 4),
                venue="Hội trường Thành ủy Nha Trang",
            ),
        ]
    )
    for i, (key, name, short, maximum, step) in enumerate(data.SEGMENTS):
        edition.segments.append(
            Segment(
                key=key,
                name=name,
                short_name=short,
                max_score=Decimal(maximum),
                mark_step=Decimal(step),
                order=i + 1,
                aggregation=Aggregation.MEAN.value,
            )
        )
    for i, (name, count) in enumerate(data.PRIZE_TIERS_2019):
        edition.prize_tiers.append(PrizeTier(name=name, count=count, order=i + 1))
    groups = {}
    for number, name in data.THEMATIC_GROUPS:
        group = ThematicGroup(number=number, name=name)
        edition.thematic_groups.append(group)
        groups[number] = group
    db.session.add(edition)
    db.session.flush()

    entries_by_team: dict[str, Entry] = {}
    for order, (unit_name, team_name, title, group, *_scores) in enumerate(data.FINALISTS_2019, start=1):
        unit = units[unit_name]
        team = Team(edition_id=edition.id, unit_id=unit.id, name=team_name)
        db.session.add(team)
        db.session.flush()
        entry = Entry(
            edition_id=edition.id,
            unit_id=unit.id,
            team_id=team.id,
            thematic_group_id=groups[group].id,
            title=title,
            qualifying_status=RoundStatus.PASSED.value,
            preliminary_status=RoundStatus.PASSED.value,
            final_order=order,
        )
        db.session.add(entry)
        entries_by_team[team_name] = entry
        for partner in data.JOINT_TEAM_PARTNERS.get(team_name, []):
            add_partner_unit(team_id=team.id, unit_id=units[partner].id)

    judges = [
        Judge(edition_id=edition.id, name=f"Giám khảo {i}", title="Thành viên Ban Giám khảo", panel=Panel.FINAL.value, seat=i)
        for i in range(1, data.JUDGE_COUNT + 1)
    ]
    db.session.add_all(judges)
    db.session.flush()

    for i, (name, method, segment_key, pick) in enumerate(data.SIDE_AWARDS_2019, start=1):
        award = SideAward(
            edition_id=edition.id,
            name=name,
            amount=Decimal(data.SIDE_AWARD_AMOUNT),
            method=SideAwardMethod(method).value,
            segment_key=segment_key,
            exclude_prize_winners=True,
            one_per_team=True,
            order=i,
        )
        if pick is not None:
            award.decision = SideAwardDecision(
                entry_id=entries_by_team[pick].id,
                decided_by="Ban Tổ chức",
                note="Theo Báo cáo số 2417/BC-SNV ngày 29/10/2019, mục I.2",
            )
        db.session.add(award)
    db.session.flush()

    narrative = ReportNarrative(edition_id=edition.id, letter_date=date(2019, 11, 12))
    for key, value in {**{k: "" for k in TEXT_FIELDS}, **DEFAULTS, **data.NARRATIVE_2019}.items():
        setattr(narrative, key, value)
    db.session.add(narrative)
    db.session.flush()

    # The 2019 finalists were published (the public pages list them in drawn order).
    db.session.add(RoundProgress(edition_id=edition.id, kind=RoundKind.PRELIMINARY.value,
                                 closed_at=datetime.now(UTC), closed_by="Ban Tổ chức",
                                 published_at=datetime.now(UTC), published_by="Ban Tổ chức"))
    db.session.flush()
    if with_marks:
        add_published_marks(edition, judges, entries_by_team)
    return edition


def add_published_marks(edition: Edition, judges: list[Judge], entries_by_team: dict[str, Entry]) -> int:
    """Store six marks per finalist and segment reproducing Phụ lục I; return how many."""
    segments = {s.key: s for s in edition.segments}
    count = 0
    for t, (_unit, team_name, _title, _group, k, s, p, _total) in enumerate(data.FINALISTS_2019):
        entry = entries_by_team[team_name]
        for j, (key, published) in enumerate((("knowledge", k), ("situation", s), ("presentation", p))):
            seg = segments[key]
            marks = demo_marks(Decimal(published), seg.max_score, seg.mark_step, rotation=t + j)
            for judge, value in zip(judges, marks, strict=True):
                db.session.add(Mark(judge_id=judge.id, entry_id=entry.id, segment_id=seg.id, value=value))
                count += 1
            # The 2019 final was held and announced: every score closed and revealed.
            db.session.add(SegmentWindow(edition_id=edition.id, entry_id=entry.id, segment_id=seg.id,
                                         is_open=False, revealed=True, closed_at=datetime.now(UTC),
                                         revealed_at=datetime.now(UTC)))
    db.session.add(LiveState(edition_id=edition.id, board_seq=0, prizes_revealed=True))
    db.session.flush()
    return count
