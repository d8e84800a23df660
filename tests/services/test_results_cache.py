"""compute_results reuses a cell's score only while the cell's marks are unchanged."""
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select, update

from contest_app.extensions import db
from contest_app.models import Entry, Mark, Segment
from contest_app.services.demo import load_demo
from contest_app.services.final.results import compute_results, forget_results


def _situation_marks(edition):
    seg = db.session.scalar(select(Segment).where(Segment.edition_id == edition.id, Segment.key == "situation"))
    entry = db.session.scalar(select(Entry).where(Entry.title.like("Hệ thống tiếp nhận%")))
    return seg, entry


def test_a_changed_mark_changes_its_cell_and_the_rest_equals_a_fresh_computation(any_app):
    edition = load_demo(with_marks=True)
    db.session.commit()
    before = compute_results(edition)
    seg, entry = _situation_marks(edition)
    row = next(r for r in before.rows if r.entry_id == entry.id)
    # published: 14.20, 14.20, 14.50, 14.70, 15.00, 15.00 → 14.6
    assert row.scores["situation"] == Fraction("14.6")

    mark = db.session.scalar(
        select(Mark).where(Mark.entry_id == entry.id, Mark.segment_id == seg.id, Mark.value == Decimal("14.50"))
    )
    mark.value = Decimal("13.90")  # flushed by compute_results, as the ORM's autoflush would
    after = compute_results(edition)
    row = next(r for r in after.rows if r.entry_id == entry.id)
    assert row.scores["situation"] == Fraction("14.5")  # (87.6 - 0.6) / 6
    assert row.marks_count["situation"] == 6

    forget_results(edition.id)
    assert compute_results(edition).to_dict() == after.to_dict()


def test_a_mark_written_behind_the_session_is_seen(any_app):
    """Another process writes the mark: nothing tells this one, the cell is recomputed anyway."""
    edition = load_demo(with_marks=True)
    db.session.commit()
    compute_results(edition)
    seg, entry = _situation_marks(edition)
    db.session.execute(
        update(Mark).where(Mark.entry_id == entry.id, Mark.segment_id == seg.id).values(value=Decimal("12.00"))
    )
    db.session.commit()
    row = next(r for r in compute_results(edition).rows if r.entry_id == entry.id)
    assert row.scores["situation"] == Fraction(12)
    assert row.total == Fraction(12) + row.scores["knowledge"] + row.scores["presentation"]


def test_a_new_aggregation_recomputes_the_cells(any_app):
    edition = load_demo(with_marks=True)
    db.session.commit()
    compute_results(edition)
    seg, entry = _situation_marks(edition)
    seg.aggregation = "trimmed_mean"
    db.session.commit()
    row = next(r for r in compute_results(edition).rows if r.entry_id == entry.id)
    # 14.20 and 15.00 dropped: (14.20 + 14.50 + 14.70 + 15.00) / 4
    assert row.scores["situation"] == Fraction("58.4") / 4
