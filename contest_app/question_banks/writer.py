"""Serialise quiz questions and situations into the bank text format.

The output of ``write_quiz_set`` / ``write_situation_set`` loads back with
``loader.parse_quiz_text`` / ``parse_situation_text`` into equal dataclasses.
Standard library only.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterable

from contest_app.question_banks.loader import OPTION_LETTERS, QuizQuestion, Situation


def _number(value: Decimal) -> str:
    """Write a Decimal without exponent or trailing zeros (0.40 -> 0.4, 10.0 -> 10)."""
    text = format(value.normalize(), "f")
    return text


def _field(key: str, value: str) -> list[str]:
    """Return the lines of one field; extra lines become indented continuation lines.

    Blank lines inside a value would end the block, so they are dropped.
    """
    lines = [line.strip() for line in str(value).strip().splitlines() if line.strip()]
    if not lines:
        return [f"{key}:"]
    return [f"{key}: {lines[0]}", *(f"  {line}" for line in lines[1:])]


def _header(
    title: str, set_number: int, count: int, total: Decimal, valid_as_of: date | None
) -> list[str]:
    lines = [
        *_field("title", title),
        f"set: {set_number}",
        f"count: {count}",
        f"total: {_number(total)}",
    ]
    if valid_as_of is not None:
        lines.append(f"valid_as_of: {valid_as_of.isoformat()}")
    return lines


def _extras(item: QuizQuestion | Situation) -> list[str]:
    """The optional ``basis``, ``level`` and ``note`` lines of an item."""
    lines = _field("basis", item.basis) if item.basis else []
    if item.level is not None:
        lines.append(f"level: {item.level}")
    if item.note:
        lines += _field("note", item.note)
    return lines


def write_quiz_set(
    questions: Iterable[QuizQuestion], *, set_number: int, title: str,
    valid_as_of: date | None = None,
) -> str:
    """Return the text of a quiz-set file holding ``questions`` as set ``set_number``."""
    questions = list(questions)
    total = sum((q.points for q in questions), Decimal(0))
    blocks = [_header(title, set_number, len(questions), total, valid_as_of)]
    for q in questions:
        lines = [*_field("code", q.code), *_field("topic", q.topic), *_field("stem", q.stem)]
        for letter, text in zip(OPTION_LETTERS, q.options):
            lines += _field(letter, text)
        lines += [
            f"key: {q.key}",
            *_field("source", q.source),
            f"time: {q.time_seconds}",
            f"points: {_number(q.points)}",
            *_extras(q),
        ]
        blocks.append(lines)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def write_situation_set(
    situations: Iterable[Situation], *, set_number: int, title: str,
    valid_as_of: date | None = None,
) -> str:
    """Return the text of a situation-set file holding ``situations`` as set ``set_number``."""
    situations = list(situations)
    total = sum((s.points for s in situations), Decimal(0))
    blocks = [_header(title, set_number, len(situations), total, valid_as_of)]
    for s in situations:
        lines = [*_field("code", s.code), *_field("topic", s.topic), *_field("situation", s.text)]
        for question in s.questions:
            lines += _field("question", question)
        lines += [
            *_field("answer", s.answer),
            *_field("marking", s.marking),
            *_field("source", s.source),
            f"time: {s.time_seconds}",
            f"points: {_number(s.points)}",
            *_extras(s),
        ]
        blocks.append(lines)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
