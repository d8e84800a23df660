"""Live state: sequence numbers, snapshots and deltas, reveals, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from contest_app.enums import RevealMode
from contest_app.extensions import db
from contest_app.services.errors import Conflict
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
        record_mark(judge_id=judge.id, entry_id=entry.id, segment_key=segment.key, value=value, idempotency_key=f"{prefix}-{i:04d}")


def test_board_numbered_only_when_it_changes(final):
    edition, entries, _judges = final
    seqs = []
    for _ in range(3):
        seqs.append(live_state.refresh_board(edition)["seq"])
        db.session.commit()
    assert seqs == [1, 1, 1]  # nothing changed after the first: no empty update, no new number
    live_state.set_stage(edition=edition, entry=entries[0])
    delta = live_state.refresh_board(edition)
    assert delta["seq"] == 2 and set(delta["changes"]) == {"stage"}
    db.session.commit()
    assert live_state.board_snapshot(edition)["seq"] == 2


def test_board_snapshot_does_not_write_in_a_get(final):
    from contest_app.models import LiveState

    edition, _entries, _judges = final
    snap = live_state.board_snapshot(edition)
    assert snap["seq"] == 0 and len(snap["rows"]) == 12
    assert (len(db.session.new), len(db.session.dirty)) == (0, 0)
    assert db.session.query(LiveState).count() == 0


def test_all_in_publishes_only_when_complete_and_closed(final):
    edition, entries, judges = final
    entry = entries[0]
    k = live_state.get_segment(edition, "knowledge")
    live_state.open_segment(edition=edition, entry=entry, segment=k, actor="t")
    live_state.refresh_board(edition)
    mark_all(edition, entry, "knowledge", ["9", "8", "7", "9", "8", "7"], judges, "part")
    delta = live_state.refresh_board(edition)
    row = delta["changes"]["rows"][str(entry.id)]
    # Six of six in, but the desk has not closed: the hall sees no score, no total, no rank.
    assert row["cells"]["knowledge"] == {"score": None, "count": 6, "status": "open"}
    assert (row["total"], row["rank"]) == (None, None)
    window = live_state.close_segment(edition=edition)
    from contest_app.services.final.publication import results_changed

    change = results_changed(edition, touched=(window,))
    row = change.board["changes"]["rows"][str(entry.id)]
    assert row["cells"]["knowledge"] == {"score": "8,00", "count": 6, "status": "revealed"}
    assert (row["total"], row["rank"], row["tied"]) == ("8,00", 1, False)
    # Only the published team is ranked; the others stay in drawn order with no rank.
    others = [r for eid, r in live_state.board_snapshot(edition)["rows"].items() if eid != str(entry.id)]
    assert {(r["rank"], r["total"]) for r in others} == {(None, None)}


def test_desk_reveal_mode_waits_for_the_desk_and_hides_again(final):
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
    delta = live_state.refresh_board(edition)
    assert delta["changes"]["rows"][str(entry.id)]["cells"]["situation"] == {
        "score": "12,00", "count": 6, "status": "revealed"}
    live_state.reveal_segment(edition=edition, entry=entry, segment=segment, revealed=False)
    row = live_state.refresh_board(edition)["changes"]["rows"][str(entry.id)]
    assert row["cells"]["situation"] == {"score": None, "count": 6, "status": "waiting"}
    assert (row["rank"], row["total"]) == (None, None)


def test_open_segment_closes_previous_and_sets_stage(final):
    edition, entries, _judges = final
    k = live_state.get_segment(edition, "knowledge")
    first = live_state.open_segment(edition=edition, entry=entries[0], segment=k, actor="t")
    with pytest.raises(Conflict) as refused:  # the open window has no marks: the desk must confirm
        live_state.open_segment(edition=edition, entry=entries[1], segment=k, actor="t")
    assert refused.value.code == "missing_marks"
    second = live_state.open_segment(edition=edition, entry=entries[1], segment=k, actor="t", confirm_missing=True)
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
