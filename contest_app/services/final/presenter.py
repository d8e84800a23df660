"""The presenter: what the projector screen shows (question, answer, situation, countdown).

State, logic and snapshots; flush only. The /present handlers (``contest_app.live.present``)
check the operator, call these, commit once, then broadcast through ``live/broadcast.py``.
The public snapshot never carries a question's key before it is revealed, nor a situation's
suggested answer (the judges' tablets get that with their state, via
``services.final.draw.situation_guide_for``). The state lives in ``PresenterState`` so every
server process and a reloaded screen agree.
"""
from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.formatting import vn_decimal
from contest_app.models import Edition, Entry, LiveState, PresenterState
from contest_app.services.errors import Conflict, NotFound, ValidationError
from contest_app.services.final.draw import (
    confirmed_assignment,
    drawn_quiz_set,
    drawn_situation_set,
    team_name,
)

NO_TEAM = "Chưa chọn đội thi: hãy chọn đội trước khi trình chiếu."
NO_DRAW = "Chưa có kết quả bốc thăm đã xác nhận nên chưa biết bộ đề của đội."
NO_BANK = "Không đọc được bộ đề của đội trong ngân hàng câu hỏi (ngân hàng thiếu hoặc có lỗi)."

def now_ms() -> int:
    return int(time.time() * 1000)


def presenter_state(edition: Edition) -> PresenterState:
    """The edition's presenter row, created on first use."""
    state = db.session.scalar(select(PresenterState).where(PresenterState.edition_id == edition.id))
    if state is None:
        state = PresenterState(
            edition_id=edition.id, mode="idle", question_index=0, situation_index=0, answer_revealed=False,
            countdown_seconds=0, countdown_remaining_ms=0, countdown_started_ms=None,
        )
        db.session.add(state)
        db.session.flush()
    return state


def remaining_ms(state: PresenterState, now: int) -> int:
    if state.countdown_started_ms is None:
        return max(0, state.countdown_remaining_ms)
    return max(0, state.countdown_remaining_ms - (now - state.countdown_started_ms))


def _set_countdown(state: PresenterState, seconds: int, *, start: bool, now: int) -> None:
    state.countdown_seconds = seconds
    state.countdown_remaining_ms = seconds * 1000
    state.countdown_started_ms = now if start else None


def _stop(state: PresenterState, now: int) -> None:
    if state.countdown_started_ms is not None:
        state.countdown_remaining_ms = remaining_ms(state, now)
        state.countdown_started_ms = None


def _stage_entry_id(edition: Edition) -> int | None:
    """The team the live desk put on stage, when the live state exists."""
    live = db.session.scalar(select(LiveState).where(LiveState.edition_id == edition.id))
    return getattr(live, "stage_entry_id", None) if live is not None else None


def entry_for(edition: Edition, state: PresenterState, data: dict) -> Entry:
    raw = data.get("entry_id")
    if raw in (None, ""):
        raw = state.entry_id or _stage_entry_id(edition)
    if raw in (None, ""):
        raise ValidationError(NO_TEAM, code="no_team")
    if isinstance(raw, bool):
        raise ValidationError(NO_TEAM, code="no_team")
    try:
        entry = db.session.get(Entry, int(raw))
    except (TypeError, ValueError):
        entry = None
    if entry is None or entry.edition_id != edition.id:
        raise NotFound("Không tìm thấy đội thi trong kỳ thi này.", code="entry_not_found")
    if confirmed_assignment(edition_id=edition.id, entry_id=entry.id) is None:
        raise Conflict(NO_DRAW, code="no_draw")
    return entry


def requested_number(data: dict, key: str = "number") -> int | None:
    raw = data.get(key)
    if raw in (None, ""):
        return None
    if isinstance(raw, bool):
        raise ValidationError("Số thứ tự câu hỏi không hợp lệ.", code="bad_number")
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationError("Số thứ tự câu hỏi không hợp lệ.", code="bad_number") from None


def _show(edition: Edition, entry: Entry, mode: str, items, index: int, autostart: bool) -> PresenterState:
    """Put item ``index`` (0-based, clamped) of a drawn set on the screen, countdown reset."""
    if not items:
        raise Conflict(NO_BANK, code="no_bank")
    index = max(0, min(index, len(items) - 1))
    state = presenter_state(edition)
    state.mode, state.entry_id = mode, entry.id
    if mode == "question":
        state.question_index = index
    else:
        state.situation_index = index
    state.answer_revealed = False
    _set_countdown(state, items[index].time_seconds, start=autostart, now=now_ms())
    db.session.flush()
    return state


def show_question(*, edition: Edition, entry: Entry, index: int, autostart: bool = True) -> PresenterState:
    """Show question ``index`` (0-based, clamped) of the entry's drawn quiz set, countdown reset."""
    quiz_set = drawn_quiz_set(edition_id=edition.id, entry_id=entry.id)
    return _show(edition, entry, "question", quiz_set.questions if quiz_set else (), index, autostart)


def show_situation(*, edition: Edition, entry: Entry, index: int, autostart: bool = False) -> PresenterState:
    """Show situation ``index`` (0-based, clamped) of the entry's drawn situation set."""
    situation_set = drawn_situation_set(edition_id=edition.id, entry_id=entry.id)
    return _show(edition, entry, "situation", situation_set.situations if situation_set else (), index, autostart)


def reveal_answer(*, edition: Edition) -> PresenterState:
    """Reveal the key of the question on screen; the countdown stops."""
    state = presenter_state(edition)
    if state.mode != "question":
        raise Conflict("Màn hình đang không hiển thị câu hỏi trắc nghiệm nào.", code="no_question")
    state.answer_revealed = True
    _stop(state, now_ms())
    db.session.flush()
    return state


def set_countdown_running(*, edition: Edition, running: bool) -> PresenterState:
    """Start (resume) or stop (pause) the countdown on screen."""
    state = presenter_state(edition)
    if state.mode == "idle" or state.countdown_seconds <= 0:
        raise Conflict("Màn hình chưa có câu hỏi hay tình huống nào để tính giờ.", code="no_countdown")
    now = now_ms()
    if running and state.countdown_started_ms is None:
        if remaining_ms(state, now) <= 0:
            state.countdown_remaining_ms = state.countdown_seconds * 1000
        state.countdown_started_ms = now
    elif not running:
        _stop(state, now)
    db.session.flush()
    return state


def clear_screen(*, edition: Edition) -> PresenterState:
    """Back to the title screen (the team stays selected)."""
    state = presenter_state(edition)
    state.mode = "idle"
    state.answer_revealed = False
    _set_countdown(state, 0, start=False, now=now_ms())
    db.session.flush()
    return state


def snapshot(edition: Edition, state: PresenterState | None = None) -> dict[str, Any]:
    """What the projector shows: public, without any key not yet revealed or any judges' guide."""
    state = state or db.session.scalar(select(PresenterState).where(PresenterState.edition_id == edition.id))
    now = now_ms()
    data: dict[str, Any] = {
        "edition": {"id": edition.id, "title": edition.title, "contest_name": edition.contest_name or ""},
        "mode": "idle",
        "team": None,
        "question": None,
        "answer": None,
        "situation": None,
        "countdown": None,
        "server_now_ms": now,
    }
    if state is None:
        return data
    entry = db.session.get(Entry, state.entry_id) if state.entry_id else None
    if entry is not None:
        assignment = confirmed_assignment(edition_id=edition.id, entry_id=entry.id)
        data["team"] = {
            "entry_id": entry.id,
            "name": team_name(entry),
            "order": assignment.appearance_order if assignment else entry.final_order,
            "quiz_set": assignment.quiz_set if assignment else None,
            "situation_set": assignment.situation_set if assignment else None,
        }
    mode = state.mode if entry is not None else "idle"
    if mode == "question":
        quiz_set = drawn_quiz_set(edition_id=edition.id, entry_id=entry.id)
        if quiz_set is not None and 0 <= state.question_index < len(quiz_set.questions):
            q = quiz_set.questions[state.question_index]
            data["question"] = {
                "number": state.question_index + 1,
                "total": len(quiz_set.questions),
                "code": q.code,
                "topic": q.topic,
                "stem": q.stem,
                "options": [{"letter": letter, "text": text} for letter, text in zip("ABCD", q.options)],
                "time_seconds": q.time_seconds,
                "points": vn_decimal(q.points),
                "set_number": quiz_set.number,
            }
            if state.answer_revealed:
                data["answer"] = {"letter": q.key, "text": q.option(q.key)}
        else:
            mode = "idle"
    elif mode == "situation":
        situation_set = drawn_situation_set(edition_id=edition.id, entry_id=entry.id)
        if situation_set is not None and 0 <= state.situation_index < len(situation_set.situations):
            s = situation_set.situations[state.situation_index]
            data["situation"] = {
                "number": state.situation_index + 1,
                "total": len(situation_set.situations),
                "code": s.code,
                "topic": s.topic,
                "text": s.text,
                "questions": list(s.questions),
                "time_seconds": s.time_seconds,
                "points": vn_decimal(s.points),
                "set_number": situation_set.number,
            }
        else:
            mode = "idle"
    data["mode"] = mode
    if mode != "idle" and state.countdown_seconds > 0:
        remaining = remaining_ms(state, now)
        running = state.countdown_started_ms is not None and remaining > 0
        data["countdown"] = {
            "seconds": state.countdown_seconds,
            "remaining_ms": remaining,
            "running": running,
            "deadline_ms": now + remaining if running else None,
        }
    return data


def desk_extras(edition: Edition, state: PresenterState | None) -> dict[str, Any]:
    """What only the desk sees besides the snapshot: the key of the question on screen, sizes."""
    extras: dict[str, Any] = {"key": None, "question_count": 0, "situation_count": 0}
    if state is None or state.entry_id is None:
        return extras
    quiz_set = drawn_quiz_set(edition_id=edition.id, entry_id=state.entry_id)
    situation_set = drawn_situation_set(edition_id=edition.id, entry_id=state.entry_id)
    if quiz_set is not None:
        extras["question_count"] = len(quiz_set.questions)
        if state.mode == "question" and 0 <= state.question_index < len(quiz_set.questions):
            extras["key"] = quiz_set.questions[state.question_index].key
    if situation_set is not None:
        extras["situation_count"] = len(situation_set.situations)
    return extras
