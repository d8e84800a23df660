"""The live final's state: stage, open segment, reveals, late marks; what tablets and desks see.

Every change here is followed, in the same transaction, by
``publication.results_changed`` (called by the handler), which decides what becomes
public, numbers and stores the board, and returns what to broadcast after the commit.
Flushes, never commits.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from contest_app.enums import LateMarkStatus, RevealMode
from contest_app.extensions import db
from contest_app.formatting import vn_decimal
from contest_app.models import Edition, Entry, Judge, JudgeAccess, LateMark, LiveState, Mark, Segment, SegmentWindow
from contest_app.services.errors import Conflict, NotFound, ValidationError
from contest_app.services.trust.lock_guard import ensure_unlocked
from contest_app.services.final.publication import (  # noqa: F401 - the board's functions, re-exported
    board_snapshot,
    build_snapshot,
    diff_snapshots,
    refresh_board,
    state_of,
    vn_score,
    windows_of,
)
from contest_app.services.final.results import EditionResults, compute_results, finalists
from contest_app.services.trust.audit import record_event
from contest_app.services.final.final_judges import same_unit_judges
from contest_app.services.final.setup_checklist import check_ready_for_marking
from contest_app.services.rounds.registration import desk_labels


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


def set_stage(*, edition: Edition, entry: Entry | None) -> LiveState:
    """Put ``entry``'s team on stage (None: nobody)."""
    ensure_unlocked(edition)
    state = state_of(edition)
    state.stage_entry_id = entry.id if entry else None
    db.session.flush()
    return state


def _window(entry: Entry, segment: Segment) -> SegmentWindow | None:
    return db.session.scalar(
        select(SegmentWindow).where(SegmentWindow.entry_id == entry.id, SegmentWindow.segment_id == segment.id)
    )


def open_segment(*, edition: Edition, entry: Entry, segment: Segment, actor: str,
                 confirm_missing: bool = False) -> SegmentWindow:
    """Open marking of ``segment`` for ``entry`` (closing whatever else was open); puts the team on stage.

    Sending it again for the window already open changes nothing (a desk resending after a
    restart). Reopening a window that was closed is allowed to the desk, hides its score
    again until it is published anew, and is audited. Opening another window closes the
    open one, under the same confirmation as ``close_segment`` when judges are missing.
    """
    ensure_unlocked(edition)
    check_ready_for_marking(edition)
    state = state_of(edition)
    window = _window(entry, segment)
    if window is not None and window.is_open:
        state.open_entry_id, state.open_segment_id, state.stage_entry_id = entry.id, segment.id, entry.id
        db.session.flush()
        return window
    if state.open_entry_id is not None:
        close_segment(edition=edition, actor=actor, confirm_missing=confirm_missing)
    now = datetime.now(UTC)
    for other in db.session.scalars(
        select(SegmentWindow).where(SegmentWindow.edition_id == edition.id, SegmentWindow.is_open.is_(True))
    ):
        other.is_open = False
        other.closed_at = now
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
            before={"open": False, "revealed": window.revealed},
            after={"open": True, "revealed": False},
        )
        window.revealed = False
        window.revealed_at = None
    window.is_open = True
    window.opened_at = now
    state.open_entry_id = entry.id
    state.open_segment_id = segment.id
    state.stage_entry_id = entry.id
    db.session.flush()
    return window


def missing_judges(edition: Edition, entry_id: int, segment_id: int) -> list[Judge]:
    """The final judges (not revoked) without a mark for (entry, segment)."""
    from contest_app.services.final.judge_access import final_judges

    marked = set(db.session.scalars(select(Mark.judge_id).where(
        Mark.entry_id == entry_id, Mark.segment_id == segment_id)))
    return [j for j in final_judges(edition) if j.revoked_at is None and j.id not in marked]


def close_segment(*, edition: Edition, actor: str = "", confirm_missing: bool = False) -> SegmentWindow | None:
    """Close the open window, if any: judges can no longer change their marks in it.

    With judges still missing, closing needs ``confirm_missing`` (the desk's confirmation
    that names them); closing anyway is audited with their names. A mark that arrives
    afterwards is kept as a late mark.
    """
    ensure_unlocked(edition)
    state = state_of(edition)
    window = None
    if state.open_entry_id is not None and state.open_segment_id is not None:
        window = db.session.scalar(
            select(SegmentWindow).where(
                SegmentWindow.entry_id == state.open_entry_id, SegmentWindow.segment_id == state.open_segment_id
            )
        )
    if window is not None:
        missing = missing_judges(edition, window.entry_id, window.segment_id)
        if missing and not confirm_missing:
            names = ", ".join(j.name for j in missing)
            raise Conflict(
                f"Còn {len(missing)} giám khảo chưa chấm: {names}. Xác nhận để vẫn đóng chấm "
                "(điểm gửi sau khi đóng được giữ lại là điểm nộp muộn để quyết định).",
                code="missing_marks",
                missing=[{"judge_id": j.id, "name": j.name, "seat": j.seat} for j in missing],
            )
        if missing:
            record_event(
                actor=actor or "Bàn điều khiển", action="segment_closed_incomplete", edition_id=edition.id,
                object_type="segment_window", object_id=f"{window.entry_id}:{window.segment_id}",
                after={"missing": [j.name for j in missing]},
            )
        window.is_open = False
        window.closed_at = datetime.now(UTC)
    state.open_entry_id = None
    state.open_segment_id = None
    db.session.flush()
    return window


def reveal_segment(*, edition: Edition, entry: Entry, segment: Segment, revealed: bool = True,
                   results: EditionResults | None = None) -> SegmentWindow:
    """Publish (or hide again) the segment score of ``entry``: the desk's decision.

    A segment still open cannot be published (the hall would see a slip before the desk
    closes). In ``all_in`` mode publishing also needs every expected mark in.
    """
    ensure_unlocked(edition)
    window = _window(entry, segment)
    if not revealed:
        if window is not None:
            window.revealed = False
            window.revealed_at = None
            db.session.flush()
        return window
    if window is not None and window.is_open:
        raise Conflict("Phần thi đang mở chấm: hãy đóng chấm trước khi công bố điểm.", code="segment_open")
    if edition.reveal_mode == RevealMode.ALL_IN.value:
        results = results or compute_results(edition)
        got, expected = results.completeness.cells.get((entry.id, segment.key), (0, 0))
        if got < expected or got == 0:
            raise Conflict(
                f"Chưa đủ điểm để công bố: {got}/{expected} giám khảo đã chấm phần thi này.", code="incomplete"
            )
    if window is None:
        window = SegmentWindow(edition_id=edition.id, entry_id=entry.id, segment_id=segment.id, is_open=False,
                               closed_at=datetime.now(UTC))
        db.session.add(window)
    window.revealed = True
    window.revealed_at = datetime.now(UTC)
    db.session.flush()
    return window


def reveal_prizes(*, edition: Edition, revealed: bool = True) -> LiveState:
    """Show (or hide) the prizes and side awards on the board, once every score is published."""
    state = state_of(edition)
    if revealed and edition.locked_at is None:
        windows = windows_of(edition)
        hidden = [
            f"{e.team.name if e.team else e.unit.name} – {s.short_name or s.name}"
            for e in finalists(edition)
            for s in sorted(edition.segments, key=lambda s: s.order)
            if not ((w := windows.get((e.id, s.id))) is not None and w.revealed and not w.is_open)
        ]
        if hidden:
            shown = "; ".join(hidden[:6]) + (f" và {len(hidden) - 6} ô khác" if len(hidden) > 6 else "")
            raise Conflict(f"Chưa thể công bố giải: còn điểm chưa công bố ({shown}).", code="scores_hidden")
    state.prizes_revealed = revealed
    db.session.flush()
    return state


def reset_live(*, edition: Edition, actor: str, delete_marks: bool = False) -> int:
    """Forget stage, windows and reveals; with ``delete_marks`` also every final mark (a rehearsal).

    Refused once the results are locked. Audited. Returns how many marks were deleted.
    """
    from contest_app.models import MarkSubmission

    ensure_unlocked(edition)
    state = state_of(edition)
    state.stage_entry_id = state.open_entry_id = state.open_segment_id = None
    state.prizes_revealed = False
    state.ceremony_step = None
    state.published = None
    for window in windows_of(edition).values():
        db.session.delete(window)
    deleted = 0
    if delete_marks:
        segment_ids = [s.id for s in edition.segments]
        for mark in db.session.scalars(select(Mark).where(Mark.segment_id.in_(segment_ids or [0]))):
            db.session.delete(mark)
            deleted += 1
        for model in (MarkSubmission, LateMark):
            for sub in db.session.scalars(select(model).where(model.segment_id.in_(segment_ids or [0]))):
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


# --- late marks ----------------------------------------------------------------------------


def late_marks(edition: Edition, *, pending_only: bool = False) -> list[LateMark]:
    segment_ids = [s.id for s in edition.segments] or [0]
    query = select(LateMark).where(LateMark.segment_id.in_(segment_ids)).order_by(LateMark.id)
    if pending_only:
        query = query.where(LateMark.status == LateMarkStatus.PENDING.value)
    return list(db.session.scalars(query))


def _pending_late(edition: Edition, late_mark_id: Any) -> LateMark:
    late = db.session.get(LateMark, late_mark_id) if isinstance(late_mark_id, int) else None
    if late is None or late.segment_id not in {s.id for s in edition.segments}:
        raise NotFound("Không tìm thấy điểm nộp muộn.", code="not_found")
    if late.status != LateMarkStatus.PENDING.value:
        raise Conflict("Điểm nộp muộn này đã được quyết định.", code="already_decided")
    return late


def accept_late_mark(*, edition: Edition, late_mark_id: Any, actor: str) -> tuple[LateMark, SegmentWindow | None]:
    """Accept a late mark: it becomes the judge's mark for that team and segment (audited)."""
    ensure_unlocked(edition)
    late = _pending_late(edition, late_mark_id)
    mark = db.session.scalar(select(Mark).where(
        Mark.judge_id == late.judge_id, Mark.entry_id == late.entry_id, Mark.segment_id == late.segment_id))
    before = None if mark is None else {"value": str(mark.value)}
    if mark is None:
        mark = Mark(judge_id=late.judge_id, entry_id=late.entry_id, segment_id=late.segment_id, value=late.value,
                    idempotency_key=late.idempotency_key)
        db.session.add(mark)
    else:
        mark.value = late.value
        mark.updated_at = datetime.now(UTC)
    late.status, late.decided_by, late.decided_at = LateMarkStatus.ACCEPTED.value, actor, datetime.now(UTC)
    db.session.flush()
    record_event(actor=actor, action="late_mark_accepted", edition_id=edition.id, object_type="mark",
                 object_id=mark.id, before=before,
                 after={"value": str(late.value), "judge_id": late.judge_id, "entry_id": late.entry_id,
                        "segment_id": late.segment_id, "received_at": late.received_at.isoformat()})
    window = db.session.scalar(select(SegmentWindow).where(
        SegmentWindow.entry_id == late.entry_id, SegmentWindow.segment_id == late.segment_id))
    return late, window


def reject_late_mark(*, edition: Edition, late_mark_id: Any, actor: str, reason: Any) -> LateMark:
    """Reject a late mark with a written reason (audited); the judge's tablet shows why."""
    ensure_unlocked(edition)
    late = _pending_late(edition, late_mark_id)
    reason = " ".join(str(reason or "").split())
    if len(reason) < 5:
        raise ValidationError("Vui lòng ghi rõ lý do không nhận điểm nộp muộn (ít nhất 5 ký tự).",
                              code="reason_required")
    late.status, late.decided_by, late.decided_at = LateMarkStatus.REJECTED.value, actor, datetime.now(UTC)
    late.reason = reason[:1000]
    db.session.flush()
    record_event(actor=actor, action="late_mark_rejected", edition_id=edition.id, object_type="late_mark",
                 object_id=late.id, after={"value": str(late.value), "judge_id": late.judge_id,
                                           "entry_id": late.entry_id, "segment_id": late.segment_id},
                 reason=late.reason)
    return late


def late_mark_info(late: LateMark) -> dict[str, Any]:
    """A late mark as the desk, the secretariat and the judge's tablet see it."""
    judge = db.session.get(Judge, late.judge_id)
    entry = db.session.get(Entry, late.entry_id)
    segment = db.session.get(Segment, late.segment_id)
    return {
        "id": late.id,
        "judge_id": late.judge_id,
        "judge": judge.name if judge else "",
        "entry_id": late.entry_id,
        "team": (entry.team.name if entry.team else entry.unit.name) if entry else "",
        "segment_key": segment.key if segment else "",
        "segment_name": segment.name if segment else "",
        "value": str(late.value),
        "display": vn_decimal(late.value),
        "idempotency_key": late.idempotency_key,
        "sent_at": late.sent_at.isoformat() if late.sent_at else None,
        "received_at": late.received_at.isoformat() if late.received_at else None,
        "status": late.status,
        "reason": late.reason,
        "decided_by": late.decided_by,
    }


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
    result["seq"] = state.live_seq or 0
    if judge is not None:
        result["judge"] = {"id": judge.id, "name": judge.name, "seat": judge.seat}
        marks = my_marks(edition, judge, state)
        result["my_marks"] = marks
        mine = next(
            (m for m in marks if open_info and m["status"] == "saved" and m["entry_id"] == open_info["entry_id"]
             and m["segment_key"] == open_info["segment_key"]), None)
        result["my_mark"] = None if mine is None else {
            k: mine[k] for k in ("value", "display", "idempotency_key")}
    return result


def my_marks(edition: Edition, judge: Judge, state: LiveState | None = None) -> list[dict[str, Any]]:
    """Every mark of ``judge`` in the final with its state: saved, or late (pending, accepted, refused)."""
    state = state or state_of(edition)
    segments = {s.id: s for s in edition.segments}
    names: dict[int, str] = {}

    def team(entry_id: int) -> str:
        if entry_id not in names:
            entry = db.session.get(Entry, entry_id)
            names[entry_id] = (entry.team.name if entry.team else entry.unit.name) if entry else ""
        return names[entry_id]

    out: list[dict[str, Any]] = []
    for mark in db.session.scalars(select(Mark).where(Mark.judge_id == judge.id).order_by(Mark.id)):
        seg = segments.get(mark.segment_id)
        if seg is None:
            continue
        out.append({
            "entry_id": mark.entry_id, "team": team(mark.entry_id), "segment_key": seg.key,
            "segment_name": seg.name, "value": str(mark.value), "display": vn_decimal(mark.value),
            "idempotency_key": mark.idempotency_key, "status": "saved", "reason": "",
            "at": (mark.updated_at or mark.created_at).isoformat() if (mark.updated_at or mark.created_at) else None,
            "open": state.open_entry_id == mark.entry_id and state.open_segment_id == mark.segment_id,
        })
    for late in db.session.scalars(select(LateMark).where(LateMark.judge_id == judge.id).order_by(LateMark.id)):
        seg = segments.get(late.segment_id)
        if seg is None or late.status == LateMarkStatus.ACCEPTED.value:
            continue
        out.append({
            "entry_id": late.entry_id, "team": team(late.entry_id), "segment_key": seg.key,
            "segment_name": seg.name, "value": str(late.value), "display": vn_decimal(late.value),
            "idempotency_key": late.idempotency_key, "status": f"late_{late.status}", "reason": late.reason,
            "at": late.received_at.isoformat() if late.received_at else None, "open": False,
        })
    return out


def _situation_guide(edition_id: int, entry_id: int) -> dict | None:
    from contest_app.services.final.draw import situation_guide_for

    try:
        return situation_guide_for(edition_id=edition_id, entry_id=entry_id)
    except Exception:  # noqa: BLE001 - a guide that cannot be built must not stop the marking
        current_app.logger.exception("situation guide for entry %s could not be built", entry_id)
        return None


def desk_state(edition: Edition, results: EditionResults | None = None) -> dict[str, Any]:
    """What the control desk shows: stage, open segment, judges × teams grid, tablets' heartbeats.

    Also the provisional ("tạm tính") score of every cell with whether it is public, the
    judges still missing in the open segment, and the late marks with their state.
    """
    state = state_of(edition)
    results = results or compute_results(edition)
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
        marked = {(judge_id, entry_id) for judge_id, entry_id in db.session.execute(
            select(Mark.judge_id, Mark.entry_id).where(Mark.segment_id == grid_segment.id))}
    counts: dict[tuple[int, int], int] = {}
    for judge_id, entry_id, segment_id in db.session.execute(
        select(Mark.judge_id, Mark.entry_id, Mark.segment_id).where(Mark.segment_id.in_([s.id for s in segments] or [0]))
    ):
        counts[(entry_id, segment_id)] = counts.get((entry_id, segment_id), 0) + 1
    flags = _deviation_flags(edition, grid_segment.key) if grid_segment is not None else []
    provisional = {r.entry_id: r for r in results.rows}
    missing = []
    if open_segment is not None and state.open_entry_id is not None:
        # ``missing_judges`` from what is loaded already (the open segment is the grid's)
        missing = [{"judge_id": j.id, "name": j.name, "seat": j.seat} for j in judges
                   if j.revoked_at is None and (j.id, state.open_entry_id) not in marked]
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
                "expected": results.completeness.cells.get((e.id, s.key), (0, 0))[1],
                "provisional": vn_score(provisional[e.id].scores.get(s.key)) if e.id in provisional else None,
            }
            for e in entries
            for s in segments
        },
        "provisional_label": "tạm tính",
        "missing": missing,
        "late_marks": [late_mark_info(late) for late in late_marks(edition)],
        "completeness": results.completeness.to_dict(),
        "live_seq": state.live_seq or 0,
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
