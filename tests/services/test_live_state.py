"""Live state: sequence numbers, snapshots and deltas, reveals, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from contest_app.enums import RevealMode
from contest_app.extensions import db
from contest_app.services.final import live_state
from contest_app.services.final.judging import record_mark


@pytest.fixture
def final(any_app):
    from contest_app.services.demo import load_demo
    from contest_app.services.final.judge_access import final_judges
    from contest_app.services.final.results import finalists

    edition = load_demo(with_marks=False)
    db.session.commit()
    return edition, finalists(edition), final_judges(edition)


def mark_all(edition, entry, key, values, judges, prefix):
    segment = live_state.get_segment(edition, key)
    for i, (judge, value) in enumerate(zip(judges, values, strict=False)):
        record_mark(judge=judge, entry=entry, segment=segment, value=value, idempotency_key=f"{prefix}-{i:04d}")


def test_refresh_board_sequence_increments_by_one(final):
    edition, entries, _judges = final
    seqs = []
    for _ in range(3):
        seqs.append(live_state.refresh_board(edition)["seq"])
        db.session.commit()
    assert seqs == [1, 2, 3]
    assert live_state.board_snapshot(edition)["seq"] == 3


def test_partial_marks_hidden_until_all_in(final):
    edition, entries, judges = final
    entry = entries[0]
    live_state.open_segment(edition=edition, entry=entry, segment=live_state.get_segment(edition, "knowledge"), actor="t")
    live_state.refresh_board(edition)
    mark_all(edition, entry, "knowledge", ["9", "8", "7", "9", "8"], judges, "part")
    delta = live_state.refresh_board(edition)
    row = delta["changes"]["rows"][str(entry.id)]
    assert row["cells"]["knowledge"] == {"score": None, "count": 5, "status": "open"}
    assert row["total"] == "0,00"  # as last published: partial marks do not move the total or the rank
    assert delta["changes"]["open"]["count"] == 5
    record_mark(judge=judges[5], entry=entry, segment=live_state.get_segment(edition, "knowledge"), value="7",
                idempotency_key="part-last-0005")
    delta = live_state.refresh_board(edition)
    row = delta["changes"]["rows"][str(entry.id)]
    assert row["cells"]["knowledge"] == {"score": "8,00", "count": 6, "status": "open"}
    assert row["total"] == "8,00"
    assert row["rank"] == 1


def test_desk_reveal_mode_waits_for_the_desk(final):
    edition, entries, judges = final
    edition.reveal_mode = RevealMode.DESK.value
    entry = entries[1]
    segment = live_state.get_segment(edition, "situation")
    live_state.open_segment(edition=edition, entry=entry, segment=segment, actor="t")
    mark_all(edition, entry, "situation", ["12"] * 6, judges, "desk")
    live_state.close_segment(edition=edition)
    snapshot_delta = live_state.refresh_board(edition)
    cell = snapshot_delta["changes"]["rows"][str(entry.id)]["cells"]["situation"]
    assert cell == {"score": None, "count": 6, "status": "waiting"}
    live_state.reveal_segment(edition=edition, entry=entry, segment=segment)
    delta = live_state.refresh_board(edition, publish=True)
    assert delta["changes"]["rows"][str(entry.id)]["cells"]["situation"] == {
        "score": "12,00", "count": 6, "status": "revealed"}


def test_open_segment_closes_previous_and_sets_stage(final):
    edition, entries, _judges = final
    k = live_state.get_segment(edition, "knowledge")
    first = live_state.open_segment(edition=edition, entry=entries[0], segment=k, actor="t")
    second = live_state.open_segment(edition=edition, entry=entries[1], segment=k, actor="t")
    db.session.commit()
    assert (first.is_open, second.is_open) == (False, True)
    state = live_state.state_of(edition)
    assert (state.stage_entry_id, state.open_entry_id) == (entries[1].id, entries[1].id)


def test_reset_live_with_marks_for_rehearsal(final):
    from sqlalchemy import func, select

    from contest_app.models import Mark

    edition, entries, judges = final
    live_state.open_segment(edition=edition, entry=entries[0], segment=live_state.get_segment(edition, "knowledge"),
                            actor="t")
    mark_all(edition, entries[0], "knowledge", ["8"] * 6, judges, "reset")
    deleted = live_state.reset_live(edition=edition, actor="t", delete_marks=True)
    db.session.commit()
    assert deleted == 6
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0
    assert live_state.state_of(edition).open_entry_id is None
