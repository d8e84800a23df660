"""What the audience may see of the final, decided in one place; the board and its deltas.

The publication rule (issue 12):

- a cell (team × segment) is public only once *published*: in ``all_in`` mode when every
  expected mark is in **and** the desk has closed the segment (``settle``); in ``desk``
  mode when the desk reveals it (and it is hidden again by ``revealed: false``);
- public ranks, totals and order come only from published cells; a team with no
  published cell has no rank and no total, and is listed in drawn order;
- prizes and side awards are public only after ``reveal_prizes`` (and only while every
  cell is published);
- the finalists themselves are public once the organiser published them (or the final
  started); a locked result is public as a whole.

Every public surface (board, overlay, phone, ``snapshot.json``, the results page and its
JSON) reads ``public_view``. Every writer (marks, corrections, late marks, answers,
reveals, reset, lock, rule edits) ends its transaction with ``results_changed``, which
numbers and stores the board and returns what to broadcast after the commit.
Flushes, never commits.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import bindparam, func, select, update

from contest_app.enums import RevealMode, RoundKind
from contest_app.extensions import db, sync_loaded
from contest_app.formatting import vn_decimal, vn_score
from contest_app.models import Edition, LiveState, Mark, RoundProgress, SegmentWindow
from contest_app.scoring import Standing, display_str, rank_entries
from contest_app.services.final.ceremony import ceremony_card
from contest_app.services.final.results import EditionResults, compute_results

if TYPE_CHECKING:
    from contest_app.services.final.judging import MarkTarget


_STATE = select(LiveState).where(LiveState.edition_id == bindparam("edition_id"))
_STATE_LOCKED = _STATE.with_for_update().execution_options(populate_existing=True)
_WINDOWS = select(SegmentWindow).where(SegmentWindow.edition_id == bindparam("edition_id"))


def state_of(edition: Edition) -> LiveState:
    """The edition's live state row, created on first use."""
    state = db.session.scalar(_STATE, {"edition_id": edition.id})
    if state is None:
        state = LiveState(edition_id=edition.id, board_seq=0, prizes_revealed=False)
        db.session.add(state)
        db.session.flush()
    return state


def windows_of(edition: Edition) -> dict[tuple[int, int], SegmentWindow]:
    """Every marking window of the edition by (entry id, segment id)."""
    return {
        (w.entry_id, w.segment_id): w
        for w in db.session.scalars(_WINDOWS, {"edition_id": edition.id})
    }


# --- the rule ------------------------------------------------------------------------------


def expected_marks(results: EditionResults, entry_id: int, segment_key: str) -> tuple[int, int]:
    """(marks in, marks expected) of a cell, from the results' completeness."""
    return results.completeness.cells.get((entry_id, segment_key), (0, 0))


def settle(edition: Edition, window: SegmentWindow | None, results: EditionResults) -> bool:
    """``all_in`` mode: publish a closed window once every expected mark is in. True if it did."""
    if window is None or window.is_open or window.revealed or window.closed_at is None:
        return False
    if edition.reveal_mode != RevealMode.ALL_IN.value:
        return False
    key = next((s.key for s in results.segments if s.id == window.segment_id), None)
    got, expected = expected_marks(results, window.entry_id, key)
    if expected <= 0 or got < expected:
        return False
    window.revealed = True
    window.revealed_at = datetime.now(UTC)
    return True


def finalists_public(edition: Edition, windows: dict) -> bool:
    """The finalists are public once published by the organiser, or once the final started."""
    if edition.locked_at is not None or windows:
        return True
    return db.session.scalar(
        select(RoundProgress.id).where(
            RoundProgress.edition_id == edition.id, RoundProgress.kind == RoundKind.PRELIMINARY.value,
            RoundProgress.published_at.is_not(None))
    ) is not None


@dataclass
class PublicView:
    """What the audience may see: per entry, and the public order."""

    finalists_public: bool
    order: list[int]
    rows: dict[int, dict[str, Any]]
    prizes_public: bool
    all_public: bool
    awards: list[dict[str, Any]] = field(default_factory=list)


def public_view(edition: Edition, results: EditionResults, windows: dict, state: LiveState | None) -> PublicView:
    """Apply the publication rule to ``results``."""
    locked = edition.locked_at is not None
    seg_by_key = {s.key: s for s in results.segments}
    public_cells = {
        (row.entry_id, key)
        for row in results.rows
        for key, seg in seg_by_key.items()
        if locked or ((w := windows.get((row.entry_id, seg.id))) is not None and w.revealed and not w.is_open)
    }
    all_public = bool(results.rows) and len(public_cells) == len(results.rows) * len(seg_by_key)
    prizes_public = locked or (bool(state and state.prizes_revealed) and all_public)
    standings = []
    for row in results.rows:
        scores = {k: row.scores.get(k) for k in seg_by_key if (row.entry_id, k) in public_cells}
        if scores:
            standings.append(Standing(row.entry_id, scores))
    ranked = {r.entry_id: r for r in rank_entries(standings, tie_break=edition.tie_break or ())}
    drawn = sorted(results.rows, key=lambda r: (r.order if r.order is not None else 10**6, r.entry_id))
    order = [r.entry_id for r in sorted(drawn, key=lambda r: (
        0 if r.entry_id in ranked else 1, ranked[r.entry_id].rank if r.entry_id in ranked else 0))]
    rows: dict[int, dict[str, Any]] = {}
    for row in results.rows:
        r = ranked.get(row.entry_id)
        rows[row.entry_id] = {
            "rank": r.rank if r else None,
            "tied": bool(r and r.tied),
            "total": vn_score(r.total) if r else None,
            "total_value": r.total if r else None,
            "scores": {k: (row.scores.get(k) if (row.entry_id, k) in public_cells else None) for k in seg_by_key},
            "prize": row.prize if prizes_public else None,
            "side_awards": list(row.side_awards) if prizes_public else [],
        }
    awards = [{"name": a.name, "team": a.team} for a in results.side_awards] if prizes_public else []
    return PublicView(
        finalists_public=finalists_public(edition, windows),
        order=order, rows=rows, prizes_public=prizes_public, all_public=all_public, awards=awards,
    )


def public_results(edition: Edition, results: EditionResults | None = None) -> dict[str, Any]:
    """The results as the public may read them (the results page and its JSON).

    The same shape as ``EditionResults.to_dict``; what is not published is null, averages
    and rates appear only once every cell is published, ``published`` says how much is.
    """
    results = results or compute_results(edition)
    windows = windows_of(edition)
    view = public_view(edition, results, windows, db.session.scalar(
        select(LiveState).where(LiveState.edition_id == edition.id)))
    data = results.to_dict()
    if view.all_public and view.prizes_public:
        data["published"] = {"finalists": True, "all_scores": True, "prizes": True}
        return data
    keys = [s.key for s in results.segments]
    by_id = {r.entry_id: r for r in results.rows}
    rows = []
    if view.finalists_public:
        for entry_id in view.order:
            row, pub = by_id[entry_id], view.rows[entry_id]
            rows.append({
                "rank": pub["rank"], "tied": pub["tied"], "order": row.order, "entry_id": row.entry_id,
                "team": row.team, "unit": row.unit, "entry_title": row.entry_title,
                "scores": {k: display_str(pub["scores"][k]) for k in keys},
                "marks_count": {k: row.marks_count.get(k, 0) for k in keys},
                "total": display_str(pub["total_value"]),
                "prize": pub["prize"], "side_awards": pub["side_awards"],
            })
    data["rows"] = rows
    if not view.finalists_public:
        # Which teams still miss marks would name the finalists before they are published.
        data["completeness"] = {**data["completeness"], "missing": [],
                                "label": "" if data["completeness"]["is_complete"] else "DỰ THẢO — chưa đủ điểm."}
    if not view.all_public:
        data["averages"] = {k: None for k in data["averages"]}
        data["rates_of_max"] = {k: None for k in data["rates_of_max"]}
        data["best"] = {k: {"teams": [], "score": None} for k in data["best"]}
    if not view.prizes_public:
        data["side_awards"] = []
        data["unresolved_ties"] = []
    data["published"] = {"finalists": view.finalists_public, "all_scores": view.all_public,
                         "prizes": view.prizes_public}
    return data


# --- the board -----------------------------------------------------------------------------


def build_snapshot(edition: Edition, state: LiveState, results: EditionResults | None = None,
                   windows: dict | None = None) -> dict[str, Any]:
    """The whole board: public values only (see the module's rule), plus stage and open cell."""
    results = results or compute_results(edition)
    windows = windows if windows is not None else windows_of(edition)
    view = public_view(edition, results, windows, state)
    segments = results.segments
    by_id = {r.entry_id: r for r in results.rows}
    rows: dict[str, Any] = {}
    if view.finalists_public:
        for row in results.rows:
            pub = view.rows[row.entry_id]
            cells = {}
            for seg in segments:
                window = windows.get((row.entry_id, seg.id))
                count = row.marks_count.get(seg.key, 0)
                public = pub["scores"][seg.key] is not None
                if window is not None and window.is_open:
                    status = "open"
                elif public:
                    status = "revealed"
                elif count > 0:
                    status = "waiting"
                else:
                    status = "none"
                cells[seg.key] = {"score": vn_score(pub["scores"][seg.key]) if public else None,
                                  "count": count, "status": status}
            rows[str(row.entry_id)] = {
                "entry_id": row.entry_id, "order": row.order, "team": row.team, "unit": row.unit,
                "title": row.entry_title, "rank": pub["rank"], "tied": pub["tied"], "total": pub["total"],
                "prize": pub["prize"], "side_awards": pub["side_awards"], "cells": cells,
            }
    stage = None
    if view.finalists_public and state.stage_entry_id in by_id:
        r = by_id[state.stage_entry_id]
        stage = {"entry_id": r.entry_id, "team": r.team, "title": r.entry_title, "order": r.order}
    open_cell = None
    if state.open_entry_id in by_id and state.open_segment_id is not None:
        seg = next((s for s in segments if s.id == state.open_segment_id), None)
        if seg is not None:
            r = by_id[state.open_entry_id]
            got, expected = expected_marks(results, r.entry_id, seg.key)
            open_cell = {"entry_id": r.entry_id, "team": r.team, "segment_key": seg.key,
                         "segment_name": seg.name, "count": got, "expected": expected}
    return {
        "edition": {"id": edition.id, "year": edition.year, "title": edition.title,
                    "contest_name": edition.contest_name, "reveal_mode": edition.reveal_mode,
                    "judges": edition.judges_per_panel or 0},
        "segments": [{"key": s.key, "name": s.name, "short_name": s.short_name or s.name,
                      "max": vn_decimal(s.max_score)} for s in segments],
        "order": [e for e in view.order if str(e) in rows],
        "rows": rows,
        "stage": stage,
        "open": open_cell,
        "prizes_revealed": view.prizes_public,
        "awards": view.awards,
        "ceremony": ceremony_card(results, state.ceremony_step, prizes_public=view.prizes_public),
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


def _locked_state(edition: Edition) -> LiveState:
    """The state row, read under a row lock (PostgreSQL) so the numbers never repeat.

    One statement when the row exists; created (and so held by this transaction) otherwise.
    """
    state = db.session.execute(_STATE_LOCKED, {"edition_id": edition.id}).scalar_one_or_none()
    return state if state is not None else state_of(edition)


@dataclass
class Change:
    """What a writer's transaction changed, to broadcast after the commit."""

    edition_id: int
    board: dict[str, Any] | None
    seq: int
    judges_event: str | None = None
    live_seq: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def results_changed(edition: Edition, *, touched: tuple[SegmentWindow | None, ...] = (),
                    judges_event: str | None = None, results: EditionResults | None = None) -> Change:
    """The one "results changed" path: settle what becomes public, number and store the board.

    Call it last in the writer's transaction. ``touched`` are the windows the change may
    have completed (closing, a late mark accepted, a correction): in ``all_in`` mode a
    closed and complete window is published here. ``judges_event`` names the tablets'
    event when the stage or the open segment changed (their ``live_seq`` is raised).
    Returns the board delta (None when the board did not change: nothing is broadcast).
    """
    state = _locked_state(edition)
    results = results or compute_results(edition)
    for window in touched:
        settle(edition, window, results)
    db.session.flush()
    snapshot = build_snapshot(edition, state, results)
    changes = diff_snapshots(state.snapshot, snapshot)
    board = None
    if changes or state.snapshot is None:
        state.board_seq = (state.board_seq or 0) + 1
        snapshot["seq"] = state.board_seq
        state.snapshot = snapshot
        board = {"edition_id": edition.id, "seq": state.board_seq, "changes": changes}
    if judges_event is not None:
        state.live_seq = (state.live_seq or 0) + 1
    db.session.flush()
    return Change(edition_id=edition.id, board=board, seq=state.board_seq, judges_event=judges_event,
                  live_seq=state.live_seq or 0)


_BOARD = LiveState.__table__.c
_BOARD_ROW = (
    select(_BOARD.id, _BOARD.board_seq, _BOARD.live_seq, _BOARD.snapshot)
    .where(_BOARD.edition_id == bindparam("edition_id")).with_for_update()
)
_SAVE_BOARD = (
    update(LiveState.__table__)
    .where(_BOARD.id == bindparam("state_id"))
    .values(board_seq=bindparam("new_seq"), snapshot=bindparam("new_snapshot"))
)
_CELL_COUNT = select(func.count(Mark.id)).where(
    Mark.entry_id == bindparam("entry_id"), Mark.segment_id == bindparam("segment_id"))


class BoardDeltaMismatch(AssertionError):
    """The board patched for a mark differs from the board built from nothing (checked in tests)."""


def mark_changed(target: MarkTarget, *, late: bool) -> tuple[Change, int]:
    """``results_changed`` for a judge's mark, and the cell's number of marks in.

    A mark stored while its window is open changes one public thing: that cell's count of
    marks (and the open cell's count). Every score of an open cell is hidden, and so are the
    ranks, totals and prizes it would move: nothing else of the board can change. So the
    stored board is patched (one count statement) instead of recomputing the results and
    rebuilding the board. Whenever the stored board does not show the cell open (a desk
    closed it meanwhile, no board stored yet, a segment scored from answers, a locked result)
    or the mark is late, the whole ``results_changed`` runs (``record_mark`` refuses a mark once
    the result is locked). With ``CONTEST_CHECK_BOARD_DELTA`` (the test suite) every patched
    board is compared with the board built from nothing.
    """
    edition_id, entry_id, segment_key = target.edition_id, target.entry_id, target.segment_key
    if late or target.scored_from_answers:
        return _whole(edition_id, entry_id, segment_key)
    db.session.flush()
    connection = db.session.connection()
    found = connection.execute(_BOARD_ROW, {"edition_id": edition_id}).first()  # locked (PostgreSQL)
    state_id, board_seq, live_seq, old = found if found is not None else (None, 0, 0, None)
    row = old.get("rows", {}).get(str(entry_id)) if isinstance(old, dict) else None
    cell = row.get("cells", {}).get(segment_key) if row else None
    if not cell or cell.get("status") != "open":
        return _whole(edition_id, entry_id, segment_key)
    count = connection.execute(_CELL_COUNT, {"entry_id": entry_id, "segment_id": target.segment_id}).scalar_one()
    check = current_app.config.get("CONTEST_CHECK_BOARD_DELTA")
    if cell.get("count") == count:  # a judge changed their mark: the board shows nothing new
        if check:
            _check_patched(edition_id, old, old, {})
        return Change(edition_id=edition_id, board=None, seq=board_seq or 0, live_seq=live_seq or 0), count
    new_row = {**row, "cells": {**row["cells"], segment_key: {**cell, "count": count}}}
    snapshot = {**old, "rows": {**old["rows"], str(entry_id): new_row}}
    changes: dict[str, Any] = {"rows": {str(entry_id): new_row}}
    open_cell = old.get("open")
    if open_cell and open_cell.get("entry_id") == entry_id and open_cell.get("segment_key") == segment_key:
        snapshot["open"] = changes["open"] = {**open_cell, "count": count}
    seq = snapshot["seq"] = (board_seq or 0) + 1
    # one UPDATE of the row in a core statement; a copy the session holds is told what the row now holds
    connection.execute(_SAVE_BOARD, {"state_id": state_id, "new_seq": seq, "new_snapshot": snapshot})
    sync_loaded(LiveState, state_id, board_seq=seq, snapshot=snapshot)
    if check:
        _check_patched(edition_id, old, snapshot, changes)
    board = {"edition_id": edition_id, "seq": seq, "changes": changes}
    return Change(edition_id=edition_id, board=board, seq=seq, live_seq=live_seq or 0), count


def _whole(edition_id: int, entry_id: int, segment_key: str) -> tuple[Change, int]:
    edition = db.session.get(Edition, edition_id)
    results = compute_results(edition)
    change = results_changed(edition, results=results)
    return change, expected_marks(results, entry_id, segment_key)[0]


def _check_patched(edition_id: int, old: dict[str, Any], snapshot: dict[str, Any], changes: dict[str, Any]) -> None:
    """Raise ``BoardDeltaMismatch`` unless the patched board and its delta equal the whole computation's."""
    edition = db.session.get(Edition, edition_id)
    state = state_of(edition)
    whole = build_snapshot(edition, state)
    whole["seq"] = snapshot.get("seq")

    def as_json(value: Any) -> Any:  # compared as the boards receive them
        return json.loads(json.dumps(value))

    if as_json(whole) != as_json(snapshot):
        raise BoardDeltaMismatch(f"patched board {snapshot!r} differs from the whole board {whole!r}")
    if as_json(diff_snapshots(old, whole)) != as_json(changes):
        raise BoardDeltaMismatch(f"patched delta {changes!r} differs from {diff_snapshots(old, whole)!r}")


def refresh_board(edition: Edition, *, publish: bool = False) -> dict[str, Any]:
    """``results_changed`` for callers that only need the board delta (empty when nothing changed).

    ``publish`` is accepted for older callers and means nothing: publication follows the rule.
    """
    change = results_changed(edition)
    return change.board or {"edition_id": edition.id, "seq": change.seq, "changes": {}}


def board_snapshot(edition: Edition) -> dict[str, Any]:
    """The stored board (one row read); without one yet, built and returned, never stored here.

    A GET must not write: the first writer's ``results_changed`` stores the board.
    """
    state = db.session.scalar(select(LiveState).where(LiveState.edition_id == edition.id))
    if state is not None and state.snapshot is not None:
        return state.snapshot
    transient = state or LiveState(edition_id=edition.id, board_seq=0, prizes_revealed=False)
    snapshot = build_snapshot(edition, transient)
    snapshot["seq"] = transient.board_seq or 0
    return snapshot
