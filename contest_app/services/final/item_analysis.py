"""Item analysis of an edition's quiz sets from the answers recorded at its final.

Gathers, for each quiz set of the edition's bank, the teams that drew it (confirmed draw)
and which items each answered correctly (``QuizAnswer``), then runs the pure
``question_banks.analysis.analyse_set``. Reads only; never writes.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import Edition, QuizAnswer
from contest_app.question_banks.analysis import SetAnalysis, analyse_set
from contest_app.services.final.draw import confirmed_assignments, load_question_banks
from contest_app.services.errors import ValidationError


def item_analysis(edition: Edition) -> list[SetAnalysis]:
    """Each drawn quiz set's item statistics, by set number.

    Raises ``ValidationError`` without a confirmed draw, without valid banks, or when no
    answer was recorded (the knowledge segment was marked by the judges).
    """
    assignments = confirmed_assignments(edition)
    if not assignments:
        raise ValidationError("Kỳ thi chưa có kết quả bốc thăm được xác nhận.", code="no_draw")
    banks = load_question_banks(edition)
    if banks is None:
        raise ValidationError("Không đọc được ngân hàng câu hỏi của kỳ thi.", code="no_banks")
    entry_ids = [a.entry_id for a in assignments]
    answers = db.session.scalars(select(QuizAnswer).where(QuizAnswer.entry_id.in_(entry_ids))).all()
    if not answers:
        raise ValidationError(
            "Kỳ thi chưa ghi câu trả lời nào của các đội: không có dữ liệu để phân tích câu hỏi.",
            code="no_answers",
        )
    correct: dict[int, dict[str, bool]] = defaultdict(dict)
    for answer in answers:
        correct[answer.entry_id][answer.question_code] = answer.correct
    result = []
    for quiz_set in banks.quiz_sets:
        # Teams with no answer recorded at all were marked by the judges: left out.
        takers = [a.entry_id for a in assignments if a.quiz_set == quiz_set.number and a.entry_id in correct]
        if not takers:
            continue
        responses = {entry_id: correct[entry_id] for entry_id in takers}
        result.append(analyse_set(quiz_set.number, [q.code for q in quiz_set.questions], responses))
    return result
