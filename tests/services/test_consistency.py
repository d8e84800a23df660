"""Judge consistency on SQLite and PostgreSQL: a small hand-checked panel, then the 2019 demo."""
from decimal import Decimal
from fractions import Fraction

import pytest

from contest_app.enums import RoundStatus
from contest_app.extensions import db
from contest_app.models import Edition, Entry, Judge, Mark, Segment, Team, Unit
from contest_app.services.final.consistency import consistency_report, deviation_flags, median, std_dev
from contest_app.services.errors import NotFound


@pytest.fixture
def panel(any_app):
    """Two finalists, three judges, one segment out of 10, share 10 % (1 point).

    Team A: 7, 8, 9.5 (score 49/6, median 8: the 9.5 is 1.5 away, flagged).
    Team B: 6, 6, 6.
    """
    edition = Edition(number=1, year=2031, title="Lần thứ 1 - năm 2031", deviation_share=Decimal("10"))
    edition.segments.append(Segment(key="s", name="Kiến thức", short_name="Kiến thức", max_score=Decimal("10"), order=1))
    db.session.add(edition)
    db.session.flush()
    entries = []
    for order, name in enumerate(["Đội A", "Đội B"], start=1):
        unit = Unit(name=f"Đơn vị {name}")
        db.session.add(unit)
        db.session.flush()
        team = Team(edition_id=edition.id, unit_id=unit.id, name=name)
        db.session.add(team)
        db.session.flush()
        entry = Entry(edition_id=edition.id, unit_id=unit.id, team_id=team.id, title=f"Sáng kiến {name}",
                      preliminary_status=RoundStatus.PASSED.value, final_order=order)
        db.session.add(entry)
        entries.append(entry)
    judges = [Judge(edition_id=edition.id, name=f"Giám khảo {i}", seat=i) for i in (1, 2, 3)]
    db.session.add_all(judges)
    db.session.flush()
    seg = edition.segments[0]
    for entry, values in zip(entries, (("7", "8", "9.5"), ("6", "6", "6")), strict=True):
        for judge, value in zip(judges, values, strict=True):
            db.session.add(Mark(judge_id=judge.id, entry_id=entry.id, segment_id=seg.id, value=Decimal(value)))
    db.session.commit()
    return edition, judges, entries


def test_median_and_std_dev_are_exact():
    assert median([Decimal("7"), Decimal("9.5"), Decimal("8")]) == Decimal("8")
    assert median([Decimal("1"), Decimal("2"), Decimal("4"), Decimal("3")]) == Decimal("2.5")
    assert std_dev([Decimal("7"), Decimal("8"), Decimal("9.5")]).quantize(Decimal("0.00001")) == Decimal("1.02740")
    assert std_dev([Decimal("6")] * 3) == 0


def test_deviation_flags_lists_marks_beyond_threshold(panel):
    edition, judges, entries = panel
    # mean 49/6, population sd sqrt(19/18): (9.5 − 49/6) / sd = 1.29777...
    flags_z = deviation_flags(edition, "s")[0]["z"]
    assert flags_z.quantize(Decimal("0.00001")) == Decimal("1.29777")
    assert deviation_flags(edition, "s") == [
        {
            "judge": "Giám khảo 3", "judge_id": judges[2].id, "seat": 3, "team": "Đội A", "entry_id": entries[0].id,
            "segment_key": "s", "mark": Decimal("9.50"), "median": Decimal("8.00"), "deviation": Decimal("1.50"),
            "share": Decimal("15"), "z": flags_z,
        }
    ]


def test_deviation_flags_threshold_is_strict(panel):
    edition, _judges, _entries = panel
    edition.deviation_share = Decimal("15")
    db.session.flush()
    assert deviation_flags(edition=edition, segment_key="s") == []


def test_deviation_flags_unknown_segment_is_refused(panel):
    edition, _judges, _entries = panel
    with pytest.raises(NotFound) as exc:
        deviation_flags(edition, "nope")
    assert exc.value.message == "Không tìm thấy phần thi “nope”."


def test_consistency_report_mean_deviation_and_spread(panel):
    edition, _judges, _entries = panel
    report = consistency_report(edition=edition)
    assert report.share == Decimal("10")
    part = report.segments[0]
    assert part.allowed == Decimal("1")
    assert [(j.judge, j.count, j.mean_deviation, j.mean_abs_deviation, j.flags) for j in part.judges] == [
        ("Giám khảo 1", 2, Fraction(-7, 12), Fraction(7, 12), 0),
        ("Giám khảo 2", 2, Fraction(-1, 12), Fraction(1, 12), 0),
        ("Giám khảo 3", 2, Fraction(2, 3), Fraction(2, 3), 1),
    ]
    a, b = part.teams
    assert (a.team, a.marks, a.score, a.median, a.spread) == (
        "Đội A", (Decimal("7.00"), Decimal("8.00"), Decimal("9.50")), Fraction(49, 6), Decimal("8.00"), Decimal("2.50")
    )
    assert (b.spread, b.std_dev, b.score) == (Decimal("0.00"), Decimal("0"), Fraction(6))


def test_demo_threshold_is_relative_to_each_segments_maximum(any_app):
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=True)
    db.session.commit()
    # The demo's marks are the published score ± 5 %, 3 %, 1 % of the maximum: an absolute
    # 2-point threshold flagged 48 of 72 presentation marks and none elsewhere; 10 % of
    # each maximum (1 / 1,5 / 7,5 points) flags none of them, in any segment.
    assert [len(deviation_flags(edition, key)) for key in ("knowledge", "situation", "presentation")] == [0, 0, 0]
    # At 4 % of the maximum the ± 5 % marks stand out alike in every segment: 2 per team,
    # except for one situation score whose spread the maximum cut short (14,6 of 15).
    edition.deviation_share = Decimal("4")
    db.session.flush()
    counts = [len(deviation_flags(edition, key)) for key in ("knowledge", "situation", "presentation")]
    assert counts == [24, 22, 24]
    first = [(f["team"], f["mark"], f["median"], f["deviation"], f["share"]) for f in deviation_flags(edition, "presentation")[:2]]
    assert sorted(first, key=lambda f: f[3]) == [
        ("Sở Tài nguyên và Môi trường", Decimal("49.30"), Decimal("53.00"), Decimal("-3.70"), Decimal("-3.70") * 100 / 75),
        ("Sở Tài nguyên và Môi trường", Decimal("56.70"), Decimal("53.00"), Decimal("3.70"), Decimal("3.70") * 100 / 75),
    ]
    report = consistency_report(edition=edition)
    assert [sum((j.mean_deviation for j in part.judges), Fraction(0)) for part in report.segments] == [0, 0, 0]
