"""Helpers for the draw, answers and presenter tests: small valid question banks on disk."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from contest_app.question_banks.loader import QuizQuestion, Situation
from contest_app.question_banks.writer import write_quiz_set, write_situation_set

KEYS = "ABCD"


def quiz_code(set_number: int, index: int) -> str:
    """The code of question ``index`` (1-based) of quiz set ``set_number`` in the test banks."""
    return f"KT{set_number}-{index:02d}"


def quiz_key(set_number: int, index: int) -> str:
    """The key of that question: A, B, C, D in turn, shifted by the set number."""
    return KEYS[(index + set_number) % 4]


def write_banks(
    root: Path,
    *,
    quiz_sets: int = 5,
    questions: int = 25,
    points: str = "0.4",
    time_seconds: int = 30,
    situation_sets: int = 5,
    situations: int = 4,
) -> Path:
    """Write valid banks under ``root`` (quiz/ and situations/) and return ``root``."""
    (root / "quiz").mkdir(parents=True, exist_ok=True)
    (root / "situations").mkdir(parents=True, exist_ok=True)
    for s in range(1, quiz_sets + 1):
        items = [
            QuizQuestion(
                code=quiz_code(s, i),
                topic="Cải cách thủ tục hành chính",
                stem=f"Câu hỏi số {i} của bộ đề {s}: cơ chế một cửa được thực hiện ở đâu?",
                options=(f"Phương án một ({s}.{i})", f"Phương án hai ({s}.{i})",
                         f"Phương án ba ({s}.{i})", f"Phương án bốn ({s}.{i})"),
                key=quiz_key(s, i),
                source="Nghị định số 61/2018/NĐ-CP, Điều 3",
                time_seconds=time_seconds,
                points=Decimal(points),
                set_number=s,
            )
            for i in range(1, questions + 1)
        ]
        (root / "quiz" / f"bo-de-{s}.txt").write_text(
            write_quiz_set(items, set_number=s, title=f"Bộ đề số {s}"), encoding="utf-8"
        )
    for s in range(1, situation_sets + 1):
        items = [
            Situation(
                code=f"TH{s}-{i}",
                topic="Tiếp nhận hồ sơ",
                text=f"Tình huống {i} của bộ {s}: công dân nộp hồ sơ thiếu giấy tờ.",
                questions=(f"Anh/chị xử lý tình huống {s}.{i} thế nào?",),
                answer=f"Gợi ý đáp án cho tình huống {s}.{i}: hướng dẫn bổ sung một lần.",
                marking=f"Hướng dẫn chấm {s}.{i}: nêu đúng quy định được 2 điểm.",
                source="Quyết định số 9/2019/QĐ-UBND",
                time_seconds=120,
                points=Decimal("3.75"),
                set_number=s,
            )
            for i in range(1, situations + 1)
        ]
        (root / "situations" / f"tinh-huong-{s}.txt").write_text(
            write_situation_set(items, set_number=s, title=f"Bộ tình huống số {s}"), encoding="utf-8"
        )
    return root
