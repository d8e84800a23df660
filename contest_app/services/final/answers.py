"""A team's recorded answers in the knowledge quiz, and the segment score made from them.

Used when an edition scores its knowledge segment from answers
(``Segment.scored_from_answers``) instead of from the judges' marks. The desk records
each answer against the team's drawn quiz set; ``answer_scores`` is the hook
``services.final.results.compute_results`` calls. Flushes, never commits.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select

from contest_app.enums import RoundStatus
from contest_app.extensions import db
from contest_app.models import Edition, Entry, QuizAnswer, Segment
from contest_app.question_banks.loader import OPTION_LETTERS
from contest_app.services.trust.audit import record_event
from contest_app.services.final.draw import confirmed_assignment, drawn_quiz_set
from contest_app.services.errors import Conflict, ValidationError
from contest_app.services.trust.lock_guard import ensure_unlocked


def answer_segment(edition: Edition) -> Segment | None:
    """The segment of ``edition`` scored from answers (the first by order), or None."""
    return next((s for s in sorted(edition.segments, key=lambda s: s.order) if s.scored_from_answers), None)


def _normalise_letter(answer: str | None) -> str:
    letter = (answer or "").strip().upper()
    if letter and letter not in OPTION_LETTERS:
        raise ValidationError(
            f"Phương án “{(answer or '').strip()}” không hợp lệ: chọn A, B, C hoặc D (bỏ trống nếu đội không trả lời).",
            code="bad_answer",
        )
    return letter


def record_answer(*, entry: Entry, question_code: str, answer: str | None, actor: str) -> QuizAnswer:
    """Record (or correct) the entry's answer to one question of its drawn quiz set.

    The answer is judged against the bank's key at once and keeps the question's
    points; an empty answer means the team did not answer (no points). Audited.
    """
    edition = db.session.get(Edition, entry.edition_id)
    ensure_unlocked(edition)
    segment = answer_segment(edition)
    if segment is None:
        raise Conflict(
            "Kỳ thi này không chấm phần thi kiến thức theo câu trả lời của đội.", code="not_scored_from_answers"
        )
    if entry.preliminary_status != RoundStatus.PASSED.value:
        raise ValidationError("Đội này không thi vòng chung khảo.", code="not_finalist")
    letter = _normalise_letter(answer)
    quiz_set = drawn_quiz_set(edition_id=edition.id, entry_id=entry.id)
    if quiz_set is None:
        if confirmed_assignment(edition_id=edition.id, entry_id=entry.id) is None:
            message = "Chưa có kết quả bốc thăm đã xác nhận nên chưa biết bộ đề của đội."
        else:
            message = "Không đọc được bộ đề mà đội đã bốc thăm trong ngân hàng câu hỏi."
        raise Conflict(message, code="no_drawn_set")
    code = (question_code or "").strip()
    question = next((q for q in quiz_set.questions if q.code == code), None)
    if question is None:
        raise ValidationError(
            f"Câu {code or '(không có mã)'} không thuộc bộ đề số {quiz_set.number} mà đội đã bốc thăm.",
            code="question_not_in_set",
        )
    row = db.session.scalar(
        select(QuizAnswer).where(QuizAnswer.entry_id == entry.id, QuizAnswer.question_code == code)
    )
    before = None if row is None else {"answer": row.answer, "correct": row.correct, "points": row.points}
    if row is None:
        row = QuizAnswer(entry_id=entry.id, question_code=code)
        db.session.add(row)
    row.segment_id = segment.id
    row.answer = letter
    row.correct = bool(letter) and letter == question.key
    row.points = question.points
    row.recorded_by = actor
    row.recorded_at = datetime.now(UTC)
    db.session.flush()
    after = {"answer": row.answer, "correct": row.correct, "points": row.points}
    if before != after:
        record_event(
            actor=actor,
            action="answer_recorded",
            edition_id=edition.id,
            object_type="quiz_answer",
            object_id=f"{entry.id}:{code}",
            before=before,
            after=after,
        )
    return row


def answers_of(entry: Entry) -> dict[str, QuizAnswer]:
    """The entry's recorded answers by question code."""
    return {
        a.question_code: a
        for a in db.session.scalars(select(QuizAnswer).where(QuizAnswer.entry_id == entry.id))
    }


def answer_scores(edition: Edition) -> dict[tuple[int, int], Fraction]:
    """Segment scores from answers, by (entry id, segment id), for segments scored that way.

    Rule: the exact sum of the points of the correct answers, capped at the segment's
    maximum. Only entries with at least one recorded answer have a score.
    """
    maxima = {s.id: Fraction(s.max_score) for s in edition.segments if s.scored_from_answers}
    if not maxima:
        return {}
    totals: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
    rows = db.session.execute(
        select(QuizAnswer.entry_id, QuizAnswer.segment_id, QuizAnswer.correct, QuizAnswer.points)
        .join(Entry, Entry.id == QuizAnswer.entry_id)
        .where(Entry.edition_id == edition.id, QuizAnswer.segment_id.in_(list(maxima)))
    )
    for entry_id, segment_id, correct, points in rows:
        key = (entry_id, segment_id)
        totals[key] += Fraction(points) if correct else Fraction(0)
    return {key: min(total, maxima[key[1]]) for key, total in totals.items()}


@dataclass(frozen=True)
class SheetLine:
    """One question of a team's answer sheet."""

    number: int
    code: str
    stem: str
    options: tuple[str, ...]
    key: str
    points: Decimal
    answer: str
    correct: bool | None


def answer_sheet(*, edition: Edition, entry: Entry) -> tuple[object | None, list[SheetLine]]:
    """The entry's drawn quiz set and one line per question with what was recorded."""
    quiz_set = drawn_quiz_set(edition_id=edition.id, entry_id=entry.id)
    if quiz_set is None:
        return None, []
    recorded = answers_of(entry)
    lines = []
    for i, q in enumerate(quiz_set.questions, start=1):
        a = recorded.get(q.code)
        lines.append(
            SheetLine(
                number=i,
                code=q.code,
                stem=q.stem,
                options=q.options,
                key=q.key,
                points=q.points,
                answer=a.answer if a else "",
                correct=a.correct if a else None,
            )
        )
    return quiz_set, lines
