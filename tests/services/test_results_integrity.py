"""Results additions of issue 12: a tie that straddles two prize tiers still excludes both from side awards."""
from __future__ import annotations

from sqlalchemy import delete, select

from contest_app.extensions import db
from contest_app.models import Mark
from contest_app.services.demo import load_demo
from contest_app.services.final.results import compute_results


def test_tie_straddling_ba_and_khuyen_khich_leaves_the_side_award_to_the_best_eligible(any_app):
    edition = load_demo(with_marks=True)
    db.session.commit()
    ranked = sorted(compute_results(edition).rows, key=lambda r: r.rank)
    fourth, fifth = ranked[3], ranked[4]
    # The fifth team gets exactly the fourth's marks: a tie at rank 4 over places 4 (Ba) and 5 (Khuyến khích).
    db.session.execute(delete(Mark).where(Mark.entry_id == fifth.entry_id))
    for mark in db.session.scalars(select(Mark).where(Mark.entry_id == fourth.entry_id)).all():
        db.session.add(Mark(judge_id=mark.judge_id, entry_id=fifth.entry_id, segment_id=mark.segment_id,
                            value=mark.value))
    db.session.commit()
    results = compute_results(edition)
    assert results.unresolved_ties == [{"rank": 4, "teams": ["UBND huyện Cam Lâm", "UBND huyện Khánh Sơn"],
                                        "entry_ids": [fourth.entry_id, fifth.entry_id],
                                        "tiers": ["Giải Ba", "Giải Khuyến khích"]}]
    situation = next(a for a in results.side_awards if a.name == "Xử lý tình huống tinh tế")
    # Both tied teams win a main prize whichever way the committee decides: the award goes on.
    assert (situation.team, situation.tied_teams) == ("Kho bạc Nhà nước tỉnh", ())
