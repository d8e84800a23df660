"""The one results function reproduces the published 2019 final, on SQLite and PostgreSQL."""
from decimal import Decimal

from sqlalchemy import func, select

from contest_app.extensions import db
from contest_app.models import Entry, Judge, Mark, Segment
from contest_app.services.demo import load_demo
from contest_app.services.final.results import compute_results
from tests.published_2019 import assert_matches_published


def test_demo_with_marks_reproduces_phu_luc_i_and_ii(any_app):
    edition = load_demo(with_marks=True)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 12 * 3 * 6
    data = compute_results(edition).to_dict()
    assert_matches_published(data)
    assert data["edition"]["title"] == "Lần thứ 4 - năm 2019"
    assert [s["key"] for s in data["segments"]] == ["knowledge", "situation", "presentation"]
    assert [s["max"] for s in data["segments"]] == ["10.00", "15.00", "75.00"]
    assert all(row["marks_count"] == {"knowledge": 6, "situation": 6, "presentation": 6} for row in data["rows"])


def test_marks_are_stored_exactly_as_decimals(any_app):
    edition = load_demo(with_marks=True)
    db.session.commit()
    db.session.expire_all()
    values = db.session.scalars(select(Mark.value)).all()
    assert all(isinstance(v, Decimal) for v in values)
    seg = db.session.scalar(select(Segment).where(Segment.edition_id == edition.id, Segment.key == "situation"))
    entry = db.session.scalar(select(Entry).where(Entry.title.like("Hệ thống tiếp nhận%")))
    marks = sorted(db.session.scalars(select(Mark.value).where(Mark.entry_id == entry.id, Mark.segment_id == seg.id)))
    assert marks == [Decimal(x) for x in ("14.20", "14.20", "14.50", "14.70", "15.00", "15.00")]
    assert sum(marks) / 6 == Decimal("14.6")
    assert max(marks) <= Decimal("15")


def test_without_marks_scores_are_empty_and_nobody_wins(any_app):
    edition = load_demo(with_marks=False)
    db.session.commit()
    data = compute_results(edition).to_dict()
    assert len(data["rows"]) == 12
    assert all(row["total"] == "0.00" for row in data["rows"])
    assert all(row["rank"] == 1 and row["tied"] for row in data["rows"])
    assert data["averages"] == {"knowledge": None, "situation": None, "presentation": None, "total": None}
    # 12 teams share rank 1 across every tier: the committee decides, nothing is settled silently
    assert data["unresolved_ties"][0]["rank"] == 1
    assert len(data["unresolved_ties"][0]["teams"]) == 12
    assert all(row["prize"] is None for row in data["rows"])


def test_trimmed_mean_edition_uses_it(any_app):
    edition = load_demo(with_marks=True)
    db.session.commit()
    seg = next(s for s in edition.segments if s.key == "knowledge")
    seg.aggregation = "trimmed_mean"
    entry = db.session.scalar(select(Entry).where(Entry.title.like("Tổ chức cơ sở dữ liệu%")))
    judge = db.session.scalar(select(Judge).where(Judge.seat == 1))
    mark = db.session.scalar(select(Mark).where(Mark.entry_id == entry.id, Mark.segment_id == seg.id, Mark.judge_id == judge.id))
    others = db.session.scalars(
        select(Mark.value).where(Mark.entry_id == entry.id, Mark.segment_id == seg.id, Mark.judge_id != judge.id)
    ).all()
    mark.value = Decimal("0")  # an outlier the trimmed mean drops
    db.session.commit()
    data = compute_results(edition).to_dict()
    row = next(r for r in data["rows"] if r["team"] == "Sở Nội vụ")
    remaining = sorted(others)[:-1]  # the lowest (0) and the highest are dropped
    expected = sum(remaining) / len(remaining)
    assert row["scores"]["knowledge"] == f"{expected.quantize(Decimal('0.01'))}"


def test_tie_at_a_prize_boundary_is_reported(any_app):
    edition = load_demo(with_marks=True)
    db.session.commit()
    # Give Sở Thông tin và Truyền thông exactly the marks of Sở Nội vụ in every segment.
    noi_vu = db.session.scalar(select(Entry).where(Entry.title.like("Tổ chức cơ sở dữ liệu%")))
    tttt = db.session.scalar(select(Entry).where(Entry.title.like("Hệ thống tiếp nhận%")))
    source = {(m.judge_id, m.segment_id): m.value for m in db.session.scalars(select(Mark).where(Mark.entry_id == noi_vu.id))}
    for m in db.session.scalars(select(Mark).where(Mark.entry_id == tttt.id)):
        m.value = source[(m.judge_id, m.segment_id)]
    db.session.commit()
    data = compute_results(edition).to_dict()
    top = data["rows"][:2]
    assert {r["team"] for r in top} == {"Sở Nội vụ", "Sở Thông tin và Truyền thông"}
    assert [(r["rank"], r["tied"], r["prize"], r["total"]) for r in top] == [(1, True, None, "88.50")] * 2
    assert data["unresolved_ties"] == [
        {
            "rank": 1,
            "teams": [top[0]["team"], top[1]["team"]],
            "entry_ids": [top[0]["entry_id"], top[1]["entry_id"]],
            "tiers": ["Giải Nhất", "Giải Nhì"],
        }
    ]
    assert data["rows"][2]["prize"] == "Giải Ba"


def test_fingerprint_changes_with_a_mark(any_app):
    edition = load_demo(with_marks=True)
    db.session.commit()
    before = compute_results(edition).fingerprint()
    assert before == compute_results(edition).fingerprint()
    mark = db.session.scalar(select(Mark).order_by(Mark.id))
    mark.value = mark.value - Decimal("0.1")
    db.session.commit()
    assert compute_results(edition).fingerprint() != before
