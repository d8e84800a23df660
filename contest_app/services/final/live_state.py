"""The live final's state: stage, open segment, reveals, and the board's numbered snapshots.

Every change here goes through ``refresh_board``, which raises the board's sequence
number in the database (in the same transaction as the change, row-locked so several
processes agree), rebuilds the board snapshot from ``compute_results`` once, stores it,
and returns the small delta that the caller broadcasts after committing.

What the audience sees of scores is what was *published*: compute_results taken when a
segment score is revealed (all judges in, or the desk reveals it, per the edition's
``reveal_mode``). A cell not yet revealed shows only how many judges have marked it.
Flushes, never commits.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from contest_app.enums import RevealMode
from contest_app.extensions import db
from contest_app.formatting import vn_decimal, vn_score
from contest_app.models import Edition, Entry, Judge, JudgeAccess, LiveState, Mark, Segment, SegmentWindow
from contest_app.services.trust.audit import record_event
from contest_app.services.final.final_judges import same_unit_judges
from contest_app.services.final.setup_checklist import check_ready_for_marking
from contest_app.services.rounds.registration import desk_labels
from contest_app.services.errors import Conflict, NotFound
from contest_app.services.final.results import compute_results, finalists


def state_of(edition: Edition) -> LiveState:
    """The edition's live state row, created on first use."""
    state = db.session.scalar(select(LiveState).where(LiveState.edition_id == edition.id))
    if state is None:
        state = LiveState(edition_id=edition.id, board_seq=0, prizes_revealed=False)
        db.session.add(state)
        db.session.flush()
    return state


def windows_of(edition: Edition) -> dict[tuple[int, int], SegmentWindow]:
    """Every marking window of the edition by (entry id, segment id)."""
    return {
        (w.entry_id, w.segment_id): w
        for w in db.session.scalars(select(SegmentWindow).where(SegmentWindow.edition_id == edition.id))
    }


def get_entry(edition: Edition, entry_id: Any) -> Entry:
    entry = db.session.get(Entry, entry_id) if isinstance(entry_id, int) and not isinstance(entry_id, bool) else None
    if entry is None or entry.edition_id != edition.id:
        raise NotFound("Không tìm thấy đội thi.", code="not_found")
    return entry


def get_segment(edition: Edition, key: Any) -> Segment:
    for segment in edition.segments:
        if segment.key == key:
            return segment
    raise NotFound("Không tìm thấy phần thi.", code="not_found")


def _check_unlocked(edition: Edition) -> None:
    if edition.locked_at is not None:
        raise Conflict("Kết quả hội thi đã được khóa; không thể thay đổi.", code="edition_locked")


def set_stage(*, edition: Edition, entry: Entry | None) -> LiveState:
    """Put ``entry``'s team on stage (None: nobody)."""
    state = state_of(edition)
    state.stage_entry_id = entry.id if entry else None
    db.session.flush()
    return state


def open_segment(*, edition: Edition, entry: Entry, segment: Segment, actor: str) -> SegmentWindow:
    """Open marking of ``segment`` for ``entry`` (closing whatever else was open); puts the team on stage.

    Reopening a window that was closed is allowed to the desk and audited.
    """
    _check_unlocked(edition)
    check_ready_for_marking(edition)
    state = state_of(edition)
    now = datetime.now(UTC)
    for window in db.session.scalars(
        select(SegmentWindow).where(SegmentWindow.edition_id == edition.id, SegmentWindow.is_open.is_(True))
    ):
        window.is_open = False
        window.closed_at = now
    window = db.session.scalar(
        select(SegmentWindow).where(SegmentWindow.entry_id == entry.id, SegmentWindow.segment_id == segment.id)
    )
    if window is None:
        window = SegmentWindow(edition_id=edition.id, entry_id=entry.id, segment_id=segment.id, revealed=False)
        db.session.add(window)
    elif window.closed_at is not None:
        record_event(
            actor=actor,
            action="segment_reopened",
            edition_id=edition.id,
            object_type="segment_window",
            object_id=f"{entry.id}:{segment.key}",
            before={"open": False},
            after={"open": True},
        )
    window.is_open = True
    window.opened_at = now
    state.open_entry_id = entry.id
    state.open_segment_id = segment.id
    state.stage_entry_id = entry.id
    db.session.flush()
    return window


def close_segment(*, edition: Edition) -> SegmentWindow | None:
    """Close the open window, if any: judges can no longer change their marks in it."""
    state = state_of(edition)
    window = None
    if state.open_entry_id is not None and state.open_segment_id is not None:
        window = db.session.scalar(
            select(SegmentWindow).where(
                SegmentWindow.entry_id == state.open_entry_id, SegmentWindow.segment_id == state.open_segment_id
            )
        )
    if window is not None:
        window.is_open = False
        window.closed_at = datetime.now(UTC)
    state.open_entry_id = None
    state.open_segment_id = None
    db.session.flush()
    return window


def reveal_segment(*, edition: Edition, entry: Entry, segment: Segment, revealed: bool = True) -> SegmentWindow:
    """Show (or hide again) the segment score of ``entry`` on the board."""
    window = db.session.scalar(
        select(SegmentWindow).where(SegmentWindow.entry_id == entry.id, SegmentWindow.segment_id == segment.id)
    )
    if window is None:
        window = SegmentWindow(edition_id=edition.id, entry_id=entry.id, segment_id=segment.id, is_open=False)
        db.session.add(window)
    window.revealed = revealed
    window.revealed_at = datetime.now(UTC) if revealed else None
    db.session.flush()
    return window


def reveal_prizes(*, edition: Edition, revealed: bool = True) -> LiveState:
    """Show (or hide) the prizes and side awards on the board."""
    state = state_of(edition)
    state.prizes_revealed = revealed
    db.session.flush()
    return state


def reset_live(*, edition: Edition, actor: str, delete_marks: bool = False) -> int:
    """Forget stage, windows and reveals; with ``delete_marks`` also every final mark (a rehearsal).

    Refused once the results are locked. Audited. Returns how many marks were deleted.
    """
    from contest_app.models import MarkSubmission

    _check_unlocked(edition)
    state = state_of(edition)
    state.stage_entry_id = state.open_entry_id = state.open_segment_id = None
    state.prizes_revealed = False
    state.published = None
    for window in windows_of(edition).values():
        db.session.delete(window)
    deleted = 0
    if delete_marks:
        segment_ids = [s.id for s in edition.segments]
        for mark in db.session.scalars(select(Mark).where(Mark.segment_id.in_(segment_ids or [0]))):
            db.session.delete(mark)
            deleted += 1
        for sub in db.session.scalars(select(MarkSubmission).where(MarkSubmission.segment_id.in_(segment_ids or [0]))):
            db.session.delete(sub)
    db.session.flush()
    record_event(
        actor=actor,
        action="live_reset",
        edition_id=edition.id,
        object_type="edition",
        object_id=edition.id,
        after={"marks_deleted": deleted},
    )
    return deleted


# --- the board -------------------------------------------------------------------------


def _bump_seq(edition: Edition) -> tuple[LiveState, int]:
    """Raise the board's sequence number; on PostgreSQL this row-locks the state until commit."""
    state_of(edition)
    seq = db.session.execute(
        update(LiveState)
        .where(LiveState.edition_id == edition.id)
        .values(board_seq=LiveState.board_seq + 1)
        .returning(LiveState.board_seq)
    ).scalar_one()
    state = db.session.execute(
        select(LiveState).where(LiveState.edition_id == edition.id).execution_options(populate_existing=True)
    ).scalar_one()
    return state, seq


def _published(results, windows, segments, prizes_revealed: bool) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for row in results.rows:
        scores: dict[str, str | None] = {}
        hidden_with_marks = False
        for seg in segments:
            window = windows.get((row.entry_id, seg.id))
            if window is not None and window.revealed:
                scores[seg.key] = vn_score(row.scores.get(seg.key))
            else:
                scores[seg.key] = None
                if row.marks_count.get(seg.key, 0) > 0:
                    hidden_with_marks = True
        rows[str(row.entry_id)] = {
            "rank": row.rank,
            "tied": row.tied,
            "total": None if hidden_with_marks else vn_score(row.total),
            "scores": scores,
            "prize": row.prize if prizes_revealed else None,
            "side_awards": list(row.side_awards) if prizes_revealed else [],
        }
    return {"order": [r.entry_id for r in results.rows], "rows": rows}


def build_snapshot(edition: Edition, state: LiveState, *, publish: bool) -> dict[str, Any]:
    """The whole board from compute_results and the live flags; publishes scores when asked.

    In ``all_in`` mode a window whose judges are all in becomes revealed here.
    """
    results = compute_results(edition)
    segments = sorted(edition.segments, key=lambda s: s.order)
    windows = windows_of(edition)
    expected = edition.judges_per_panel or 0
    by_id = {r.entry_id: r for r in results.rows}
    if edition.reveal_mode == RevealMode.ALL_IN.value and expected > 0:
        for (entry_id, segment_id), window in windows.items():
            seg = next((s for s in segments if s.id == segment_id), None)
            row = by_id.get(entry_id)
            if seg is None or row is None or window.revealed:
                continue
            if row.marks_count.get(seg.key, 0) >= expected:
                window.revealed = True
                window.revealed_at = datetime.now(UTC)
                publish = True
    if publish or state.published is None:
        state.published = _published(results, windows, segments, state.prizes_revealed)
    published = state.published
    rows: dict[str, Any] = {}
    for row in results.rows_in_order():
        pub = published["rows"].get(str(row.entry_id)) or {
            "rank": None, "tied": False, "total": None, "scores": {}, "prize": None, "side_awards": []
        }
        cells = {}
        for seg in segments:
            window = windows.get((row.entry_id, seg.id))
            count = row.marks_count.get(seg.key, 0)
            if window is not None and window.is_open:
                status = "open"
            elif window is not None and window.revealed:
                status = "revealed"
            elif count > 0:
                status = "waiting"
            else:
                status = "none"
            cells[seg.key] = {
                "score": pub["scores"].get(seg.key) if status in ("revealed", "open") else None,
                "count": count,
                "status": status,
            }
            if status == "open" and not (window is not None and window.revealed):
                cells[seg.key]["score"] = None
        rows[str(row.entry_id)] = {
            "entry_id": row.entry_id,
            "order": row.order,
            "team": row.team,
            "unit": row.unit,
            "title": row.entry_title,
            "rank": pub["rank"],
            "tied": pub["tied"],
            "total": pub["total"],
            "prize": pub["prize"],
            "side_awards": pub["side_awards"],
            "cells": cells,
        }
    stage = None
    if state.stage_entry_id is not None and state.stage_entry_id in by_id:
        r = by_id[state.stage_entry_id]
        stage = {"entry_id": r.entry_id, "team": r.team, "title": r.entry_title, "order": r.order}
    open_cell = None
    if state.open_entry_id is not None and state.open_segment_id is not None and state.open_entry_id in by_id:
        seg = next((s for s in segments if s.id == state.open_segment_id), None)
        if seg is not None:
            r = by_id[state.open_entry_id]
            open_cell = {
                "entry_id": r.entry_id,
                "team": r.team,
                "segment_key": seg.key,
                "segment_name": seg.name,
                "count": r.marks_count.get(seg.key, 0),
                "expected": expected,
            }
    return {
        "edition": {
            "id": edition.id,
            "year": edition.year,
            "title": edition.title,
            "contest_name": edition.contest_name,
            "reveal_mode": edition.reveal_mode,
            "judges": expected,
        },
        "segments": [
            {"key": s.key, "name": s.name, "short_name": s.short_name or s.name, "max": vn_decimal(s.max_score)}
            for s in segments
        ],
        "order": [e for e in published["order"] if str(e) in rows],
        "rows": rows,
        "stage": stage,
        "open": open_cell,
        "prizes_revealed": state.prizes_revealed,
        "awards": [
            {"name": a.name, "team": a.team}
            for a in results.side_awards
        ]
        if state.prizes_revealed
        else [],
    }


def diff_snapshots(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """The delta from ``old`` to ``new``: changed rows and changed top-level parts only."""
    if not old:
        return {k: v for k, v in new.items() if k != "seq"}
    changes: dict[str, Any] = {}
    for key, value in new.items():
        if key in ("rows", "seq"):
            continue
        if old.get(key) != value:
            changes[key] = value
    old_rows = old.get("rows", {})
    changed_rows = {eid: row for eid, row in new["rows"].items() if old_rows.get(eid) != row}
    if changed_rows:
        changes["rows"] = changed_rows
    removed = [eid for eid in old_rows if eid not in new["rows"]]
    if removed:
        changes["removed"] = removed
    return changes


def refresh_board(edition: Edition, *, publish: bool = False) -> dict[str, Any]:
    """Number and store the board after a change; return the delta to broadcast after commit.

    Call it last in the transaction of the change: it takes the state's row lock, so the
    snapshot it builds sees every change committed before, and the numbers never repeat.
    """
    state, seq = _bump_seq(edition)
    old = state.snapshot
    snapshot = build_snapshot(edition, state, publish=publish)
    changes = diff_snapshots(old, snapshot)
    snapshot["seq"] = seq
    state.snapshot = snapshot
    db.session.flush()
    return {"edition_id": edition.id, "seq": seq, "changes": changes}


def board_snapshot(edition: Edition) -> dict[str, Any]:
    """The stored board (one row read); builds and stores the first one when there is none."""
    state = state_of(edition)
    if state.snapshot is None:
        refresh_board(edition, publish=True)
        db.session.commit()
        state = state_of(edition)
    return state.snapshot


# --- judges' tablets and the desk ---------------------------------------------------------


def judge_state(edition: Edition, judge: Judge | None = None) -> dict[str, Any]:
    """What a judge's tablet shows: the team on stage, the open segment with its max and step.

    With ``judge``, adds who the judge is and their stored mark for the open segment. When
    the open segment is the situation segment and the draw service offers it, adds the
    suggested answer and marking guide (``guide``).
    """
    state = state_of(edition)
    stage = db.session.get(Entry, state.stage_entry_id) if state.stage_entry_id else None
    open_info = None
    guide = None
    if state.open_entry_id and state.open_segment_id:
        entry = db.session.get(Entry, state.open_entry_id)
        segment = db.session.get(Segment, state.open_segment_id)
        open_info = {
            "entry_id": entry.id,
            "team": entry.team.name if entry.team else entry.unit.name,
            "entry_title": entry.title,
            "segment_key": segment.key,
            "segment_name": segment.name,
            "max": str(segment.max_score),
            "step": str(segment.mark_step),
            "max_display": vn_decimal(segment.max_score),
            "step_display": vn_decimal(segment.mark_step),
        }
        if segment.key == "situation":
            guide = _situation_guide(edition.id, entry.id)
    result: dict[str, Any] = {
        "edition": {"id": edition.id, "year": edition.year, "title": edition.title, "locked": edition.locked_at is not None},
        "stage": None
        if stage is None
        else {"entry_id": stage.id, "team": stage.team.name if stage.team else stage.unit.name, "entry_title": stage.title,
              "order": stage.final_order},
        "open": open_info,
        "guide": guide,
    }
    if judge is not None:
        result["judge"] = {"id": judge.id, "name": judge.name, "seat": judge.seat}
        my_mark = None
        if open_info is not None:
            mark = db.session.scalar(
                select(Mark).where(
                    Mark.judge_id == judge.id,
                    Mark.entry_id == state.open_entry_id,
                    Mark.segment_id == state.open_segment_id,
                )
            )
            if mark is not None:
                my_mark = {"value": str(mark.value), "display": vn_decimal(mark.value),
                           "idempotency_key": mark.idempotency_key}
        result["my_mark"] = my_mark
    return result


def _situation_guide(edition_id: int, entry_id: int) -> dict | None:
    from contest_app.services.final.draw import situation_guide_for

    try:
        return situation_guide_for(edition_id=edition_id, entry_id=entry_id)
    except Exception:  # noqa: BLE001 - a guide that cannot be built must not stop the marking
        current_app.logger.exception("situation guide for entry %s could not be built", entry_id)
        return None


def desk_state(edition: Edition) -> dict[str, Any]:
    """What the control desk shows: stage, open segment, judges × teams grid, tablets' heartbeats."""
    state = state_of(edition)
    from contest_app.services.final.judge_access import final_judges

    judges = final_judges(edition)
    access = {
        a.judge_id: a
        for a in db.session.scalars(select(JudgeAccess).where(JudgeAccess.judge_id.in_([j.id for j in judges] or [0])))
    }
    entries = finalists(edition)
    segments = sorted(edition.segments, key=lambda s: s.order)
    windows = windows_of(edition)
    open_segment = db.session.get(Segment, state.open_segment_id) if state.open_segment_id else None
    grid_segment = open_segment or (segments[0] if segments else None)
    marked: set[tuple[int, int]] = set()
    if grid_segment is not None:
        marked = {
            (m.judge_id, m.entry_id)
            for m in db.session.scalars(select(Mark).where(Mark.segment_id == grid_segment.id))
        }
    counts: dict[tuple[int, int], int] = {}
    for judge_id, entry_id, segment_id in db.session.execute(
        select(Mark.judge_id, Mark.entry_id, Mark.segment_id).where(Mark.segment_id.in_([s.id for s in segments] or [0]))
    ):
        counts[(entry_id, segment_id)] = counts.get((entry_id, segment_id), 0) + 1
    flags = _deviation_flags(edition, grid_segment.key) if grid_segment is not None else []
    labels, same_unit = desk_labels(entries), same_unit_judges(edition, entries)
    return {
        "edition": {"id": edition.id, "year": edition.year, "title": edition.title,
                    "reveal_mode": edition.reveal_mode, "judges": edition.judges_per_panel,
                    "locked": edition.locked_at is not None},
        "stage_entry_id": state.stage_entry_id,
        "open": None
        if open_segment is None
        else {"entry_id": state.open_entry_id, "segment_key": open_segment.key, "segment_name": open_segment.name},
        "grid_segment": None if grid_segment is None else {"key": grid_segment.key, "name": grid_segment.name},
        "segments": [{"key": s.key, "name": s.short_name or s.name} for s in segments],
        "entries": [
            {"id": e.id, "order": e.final_order, "team": labels[e.id], "same_unit_judges": same_unit.get(e.id, [])}
            for e in entries
        ],
        "judges": [
            {
                "id": j.id,
                "name": j.name,
                "seat": j.seat,
                "revoked": j.revoked_at is not None,
                "last_seen_at": access[j.id].last_seen_at.isoformat() if j.id in access and access[j.id].last_seen_at else None,
                "connected": bool(access[j.id].connected) if j.id in access else False,
                "unsent": access[j.id].unsent if j.id in access else 0,
            }
            for j in judges
        ],
        "grid": {str(e.id): [j.id for j in judges if (j.id, e.id) in marked] for e in entries},
        "windows": {
            f"{e.id}:{s.key}": {
                "open": bool(windows.get((e.id, s.id)) and windows[(e.id, s.id)].is_open),
                "revealed": bool(windows.get((e.id, s.id)) and windows[(e.id, s.id)].revealed),
                "count": counts.get((e.id, s.id), 0),
            }
            for e in entries
            for s in segments
        },
        "prizes_revealed": state.prizes_revealed,
        "seq": state.board_seq,
        "flags": flags,
    }


def _deviation_flags(edition: Edition, segment_key: str) -> list:
    from contest_app.services.final.consistency import deviation_flags

    try:
        flags = deviation_flags(edition, segment_key)
    except Exception:  # noqa: BLE001 - the desk keeps working without the flags
        current_app.logger.exception("deviation flags of %s could not be computed", segment_key)
        return []
    # Decimals become strings for the JSON payload.
    return [
        {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v)) for k, v in flag.items()}
        for flag in flags
    ]


def touch_judge(*, judge: Judge, connected: bool | None = None, unsent: int | None = None) -> JudgeAccess:
    """Record a tablet's heartbeat (and whether it is connected, and how many marks it holds)."""
    from contest_app.services.final.judge_access import access_of

    access = access_of(judge)
    access.last_seen_at = datetime.now(UTC)
    judge.last_seen_at = access.last_seen_at
    if connected is not None:
        access.connected = connected
    if unsent is not None:
        access.unsent = max(0, min(int(unsent), 10_000))
    db.session.flush()
    return access
