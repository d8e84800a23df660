"""Scoring the knowledge segment from the team's recorded answers."""
from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import AuditEvent, Entry, QuizAnswer
from contest_app.services.final.answers import answer_scores, answer_sheet, record_answer
from contest_app.services.demo import load_demo
from contest_app.services.final.draw import confirm_draw, confirmed_assignment, prepare_draw
from contest_app.services.errors import Conflict, ValidationError
from contest_app.services.final.results import compute_results
from tests.draw_helpers import quiz_code, quiz_key, write_banks

TEAM = "Sở Khoa học và Công nghệ"


def _entry_of(edition, team: str) -> Entry:
    return next(e for e in db.session.scalars(select(Entry).where(Entry.edition_id == edition.id)) if e.team and e.team.name == team)


def _wrong(letter: str) -> str:
    return "ABCD"[("ABCD".index(letter) + 1) % 4]


@pytest.fixture
def setup(any_app, tmp_path):
    """The 2019 demo with marks, knowledge scored from answers, a confirmed draw, test banks."""
    any_app.config["QUESTION_BANKS_DIR"] = str(write_banks(tmp_path / "banks"))
    edition = load_demo(with_marks=True)
    knowledge = next(s for s in edition.segments if s.key == "knowledge")
    knowledge.scored_from_answers = True
    prepare_draw(edition=edition, actor="btc")
    confirm_draw(edition=edition, actor="btc")
    db.session.commit()
    entry = _entry_of(edition, TEAM)
    quiz_set = confirmed_assignment(edition_id=edition.id, entry_id=entry.id).quiz_set
    return edition, entry, quiz_set, knowledge


def test_answer_scores_exact_sum_of_correct_answers_flows_into_results(setup):
    edition, entry, n, knowledge = setup
    for i in range(1, 26):
        key = quiz_key(n, i)
        record_answer(entry=entry, question_code=quiz_code(n, i), answer=key if i != 7 else _wrong(key), actor="ban")
    db.session.commit()
    assert answer_scores(edition) == {(entry.id, knowledge.id): Fraction(24 * 4, 10)}

    data = compute_results(edition).to_dict()
    row = next(r for r in data["rows"] if r["team"] == TEAM)
    assert row["scores"] == {"knowledge": "9.60", "situation": "9.40", "presentation": "55.80"}
    assert row["marks_count"]["knowledge"] == 0
    assert (row["total"], row["rank"]) == ("74.80", 8)
    # the other teams keep their judges' marks; the average moves by (9.60 - 4.00) / 12
    assert data["averages"]["knowledge"] == "7.63"
    other = next(r for r in data["rows"] if r["team"] == "Sở Nội vụ")
    assert (other["scores"]["knowledge"], other["total"]) == ("8.50", "88.50")


def test_record_answer_correction_replaces_and_is_audited(setup):
    edition, entry, n, knowledge = setup
    code, key = quiz_code(n, 1), quiz_key(n, 1)
    record_answer(entry=entry, question_code=code, answer=_wrong(key), actor="ban")
    record_answer(entry=entry, question_code=code, answer=key.lower(), actor="thu-ky")
    db.session.commit()
    (row,) = db.session.scalars(select(QuizAnswer)).all()
    assert (row.answer, row.correct, row.recorded_by, str(row.points)) == (key, True, "thu-ky", "0.400")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "answer_recorded").order_by(AuditEvent.id)).all()
    assert [(e.before, e.after["answer"]) for e in events] == [
        (None, _wrong(key)),
        ({"answer": _wrong(key), "correct": False, "points": "0.400"}, key),
    ]
    assert answer_scores(edition) == {(entry.id, knowledge.id): Fraction(2, 5)}


def test_record_answer_empty_means_no_answer_and_no_points(setup):
    edition, entry, n, knowledge = setup
    record_answer(entry=entry, question_code=quiz_code(n, 2), answer="", actor="ban")
    assert answer_scores(edition) == {(entry.id, knowledge.id): Fraction(0)}
    row = next(r for r in compute_results(edition).to_dict()["rows"] if r["team"] == TEAM)
    assert (row["scores"]["knowledge"], row["total"]) == ("0.00", "65.20")


def test_record_answer_bad_letter_is_refused(setup):
    _, entry, n, _ = setup
    with pytest.raises(ValidationError) as exc:
        record_answer(entry=entry, question_code=quiz_code(n, 1), answer="E", actor="ban")
    assert exc.value.message == "Phương án “E” không hợp lệ: chọn A, B, C hoặc D (bỏ trống nếu đội không trả lời)."
    assert db.session.scalars(select(QuizAnswer)).all() == []


def test_record_answer_question_outside_drawn_set_is_refused(setup):
    _, entry, n, _ = setup
    other = n % 5 + 1
    with pytest.raises(ValidationError) as exc:
        record_answer(entry=entry, question_code=quiz_code(other, 1), answer="A", actor="ban")
    assert exc.value.message == f"Câu {quiz_code(other, 1)} không thuộc bộ đề số {n} mà đội đã bốc thăm."


def test_record_answer_refused_when_judges_mark_knowledge(setup):
    edition, entry, n, knowledge = setup
    knowledge.scored_from_answers = False
    db.session.flush()
    with pytest.raises(Conflict) as exc:
        record_answer(entry=entry, question_code=quiz_code(n, 1), answer="A", actor="ban")
    assert exc.value.message == "Kỳ thi này không chấm phần thi kiến thức theo câu trả lời của đội."
    assert answer_scores(edition) == {}


def test_record_answer_refused_when_results_locked(setup):
    edition, entry, n, _ = setup
    from datetime import UTC, datetime

    edition.locked_at = datetime.now(UTC)
    db.session.flush()
    with pytest.raises(Conflict) as exc:
        record_answer(entry=entry, question_code=quiz_code(n, 1), answer="A", actor="ban")
    assert exc.value.message == "Kết quả kỳ thi đã được khóa: không thể thay đổi."


def test_answer_scores_capped_at_segment_maximum(any_app, tmp_path):
    any_app.config["QUESTION_BANKS_DIR"] = str(write_banks(tmp_path / "banks", points="0.5"))
    edition = load_demo(with_marks=False)
    knowledge = next(s for s in edition.segments if s.key == "knowledge")
    knowledge.scored_from_answers = True
    prepare_draw(edition=edition, actor="btc")
    confirm_draw(edition=edition, actor="btc")
    entry = _entry_of(edition, TEAM)
    n = confirmed_assignment(edition_id=edition.id, entry_id=entry.id).quiz_set
    for i in range(1, 26):
        record_answer(entry=entry, question_code=quiz_code(n, i), answer=quiz_key(n, i), actor="ban")
    db.session.commit()
    assert answer_scores(edition) == {(entry.id, knowledge.id): Fraction(10)}


def test_record_answer_without_confirmed_draw_is_refused(any_app, tmp_path):
    any_app.config["QUESTION_BANKS_DIR"] = str(write_banks(tmp_path / "banks"))
    edition = load_demo(with_marks=False)
    next(s for s in edition.segments if s.key == "knowledge").scored_from_answers = True
    db.session.flush()
    with pytest.raises(Conflict) as exc:
        record_answer(entry=_entry_of(edition, TEAM), question_code="KT1-01", answer="A", actor="ban")
    assert exc.value.message == "Chưa có kết quả bốc thăm đã xác nhận nên chưa biết bộ đề của đội."


def test_answer_sheet_lists_drawn_questions_with_recorded_answers(setup):
    edition, entry, n, _ = setup
    record_answer(entry=entry, question_code=quiz_code(n, 3), answer=quiz_key(n, 3), actor="ban")
    quiz_set, lines = answer_sheet(edition=edition, entry=entry)
    assert quiz_set.number == n and len(lines) == 25
    assert [(l.number, l.code, l.answer, l.correct) for l in lines[:3]] == [
        (1, quiz_code(n, 1), "", None),
        (2, quiz_code(n, 2), "", None),
        (3, quiz_code(n, 3), quiz_key(n, 3), True),
    ]
