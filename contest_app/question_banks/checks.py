"""The checks of ``flask banks check`` beyond the file format: law in force, and quality.

Legal checks (errors): every item has a ``basis``; every citation names a document of the
register, with its article or section; the document is in force on the day checked; a
document number written in ``source`` is in the register and in force too; every file has
``valid_as_of``.

Quality checks, each reported with file:line:
- an item whose stem (or a longer option) contains the answer of another item: an error
  within a set (the hall sees the whole set), a warning across sets;
- keys spread over A–D within each quiz set;
- at most 30% of a set's keys are the longest option;
- the same fact asked twice (same key, near-identical stem): error within a set, warning across;
- at most 2 items per set about past contests; no situation set in a district-level body
  (abolished on 1/7/2025); a situation's marking guide in steps that add up to its points;
- a difficulty proxy per set (mean ``level``, what "always pick the longest option" scores,
  words to read), with a warning when the sets of a bank are not balanced.

History banks (the 2019 edition) are checked against the law of their own ``valid_as_of``
and their quality findings are warnings: they are kept as they were used.
Standard library only.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from contest_app.question_banks.loader import (
    OPTION_LETTERS,
    BankError,
    Banks,
    QuizQuestion,
    QuizSet,
    Situation,
)
from contest_app.question_banks.register import LegalDocument, numbers_in, parse_basis

MAX_LONGEST_KEY_SHARE = Decimal("0.30")
MAX_PAST_CONTEST_ITEMS = 2
PAST_CONTEST_TOPIC = "cuộc thi"
MAX_LEVEL_SPREAD = Decimal("0.30")
MIN_SET_FOR_SPREAD = 8
# A key shorter than this (in words) is too common to count as "giving away" another item.
MIN_LEAK_WORDS = 3
SIMILAR_STEMS = 0.6
MARKING_STEP = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*điểm\b", re.IGNORECASE)
DISTRICT = re.compile(r"\b(cấp huyện|UBND huyện|Ủy ban nhân dân huyện|huyện)\b", re.IGNORECASE)


@dataclass
class SetStats:
    """The difficulty proxy of one set, printed by ``banks check``."""

    kind: str  # "quiz" | "situation"
    number: int
    file: str
    items: int
    mean_level: Decimal | None
    longest_keys: int = 0
    longest_guess: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    mean_words: int = 0
    key_counts: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        level = _comma(self.mean_level.quantize(Decimal("0.01"))) if self.mean_level is not None else "chưa ghi"
        if self.kind == "situation":
            return (
                f"Bộ tình huống số {self.number} ({self.file}): mức độ trung bình {level}; "
                f"trung bình {self.mean_words} chữ mỗi tình huống."
            )
        share = Decimal(self.longest_keys * 100) / self.items if self.items else Decimal(0)
        keys = ", ".join(f"{k}={self.key_counts.get(k, 0)}" for k in OPTION_LETTERS)
        return (
            f"Bộ đề trắc nghiệm số {self.number} ({self.file}): mức độ trung bình {level}; "
            f"luôn chọn phương án dài nhất được {_comma(self.longest_guess.quantize(Decimal('0.1')))}/"
            f"{_comma(self.total.normalize())} điểm (đáp án dài nhất {self.longest_keys}/{self.items} câu, "
            f"{_comma(share.quantize(Decimal('0.1')))}%); đáp án {keys}; trung bình {self.mean_words} chữ mỗi câu."
        )


@dataclass
class Report:
    errors: list[BankError] = field(default_factory=list)
    warnings: list[BankError] = field(default_factory=list)
    stats: list[SetStats] = field(default_factory=list)


def _comma(number: Decimal) -> str:
    return format(number, "f").replace(".", ",")


def norm(text: str) -> str:
    """Casefolded words separated by single spaces (punctuation dropped)."""
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(re.findall(r"\w+", text))


def _contains(haystack: str, needle: str) -> bool:
    return f" {needle} " in f" {haystack} "


def key_text(q: QuizQuestion) -> str:
    return q.option(q.key)


def is_longest_key(q: QuizQuestion) -> bool:
    """True when the key is strictly the longest option."""
    lengths = [len(o) for o in q.options]
    own = lengths[OPTION_LETTERS.index(q.key)]
    return all(own > n for i, n in enumerate(lengths) if OPTION_LETTERS[i] != q.key)


# --------------------------------------------------------------------------- legal


def check_legal(
    item: QuizQuestion | Situation, *, day: date, register: dict[str, LegalDocument], report: Report,
    noun: str,
) -> None:
    """Report a missing basis, citations outside the register, texts not in force on ``day``."""
    label = f"{noun} {item.code}"
    if not item.basis:
        report.errors.append(BankError(item.file, item.line, f"{label} thiếu căn cứ pháp lý (basis)."))
    cited: list[tuple[str, int]] = []
    for citation in parse_basis(item.basis):
        line = item.basis_line or item.line
        if citation.number not in register:
            report.errors.append(BankError(
                item.file, line,
                f"{label} trích dẫn văn bản '{citation.number}' không có trong sổ văn bản pháp luật "
                "(legal_register.csv).",
            ))
            continue
        if not citation.location:
            report.errors.append(BankError(
                item.file, line, f"{label} trích dẫn {citation.number} nhưng không ghi điều, khoản (hoặc mục).",
            ))
        cited.append((citation.number, line))
    source_line = item.line
    for number in numbers_in(item.source):
        if number not in register:
            report.errors.append(BankError(
                item.file, source_line,
                f"{label} có nguồn nêu văn bản '{number}' không có trong sổ văn bản pháp luật "
                "(legal_register.csv).",
            ))
        else:
            cited.append((number, source_line))
    seen = set()
    for number, line in cited:
        if number in seen:
            continue
        seen.add(number)
        reason = register[number].status_on(day)
        if reason:
            report.errors.append(BankError(item.file, line, f"{label} dựa vào {number}, văn bản {reason}."))


# --------------------------------------------------------------------------- quality


def _leaks(sets: list[QuizSet], report: Report) -> set[tuple[str, str]]:
    """Report texts quoting another item's key; return the (giver, taker) pairs found."""
    found: set[tuple[str, str]] = set()
    questions = [q for s in sets for q in s.questions]
    keys = []
    for q in questions:
        k = norm(key_text(q))
        if len(k.split()) >= MIN_LEAK_WORDS:
            keys.append((q, k))
    texts = {q.code: (norm(q.stem), [norm(o) for o in q.options]) for q in questions}
    for giver in questions:
        stem, options = texts[giver.code]
        for taker, k in keys:
            if taker.code == giver.code:
                continue
            same_set = giver.set_number == taker.set_number and giver.file == taker.file
            in_stem = _contains(stem, k)
            # A longer option quoting another key only gives it away to a hall that sees both.
            in_option = same_set and any(o != k and _contains(o, k) for o in options)
            if not (in_stem or in_option):
                continue
            found.add((giver.code, taker.code))
            where = "nội dung câu hỏi" if in_stem else "một phương án"
            message = (
                f"Câu {giver.code} có {where} chứa đáp án của câu {taker.code} "
                f"({taker.file}:{taker.line}): “{key_text(taker)}”."
            )
            if same_set:
                report.errors.append(BankError(giver.file, giver.line, message))
            else:
                report.warnings.append(BankError(giver.file, giver.line, message + " (khác bộ đề)"))
    return found


NUMBER_TOKEN = re.compile(r"(?<![\w/.,])\d+(?:[.,]\d+)*(?:%|(?:/\d+)+|\s+[^\W\d_]+)?")
YEAR = re.compile(r"^(19|20)\d\d$")


def number_tokens(text: str) -> set[str]:
    """Numbers of ``text`` that carry a unit ("12 mô", "80%", "01/7/2025").

    A bare number ("4", "12") or a year alone says too little to give an answer away.
    """
    text = unicodedata.normalize("NFC", text).casefold()
    tokens = (m.group(0).strip() for m in NUMBER_TOKEN.finditer(text))
    return {t for t in tokens if not YEAR.match(t) and any(c in t for c in "% /")}


def _number_leaks(sets: list[QuizSet], report: Report, already: set[tuple[str, str]]) -> None:
    """A stem that quotes a number only the key of another item has ("12 mô hình", "80%")."""
    questions = [q for s in sets for q in s.questions]
    stems = {q.code: number_tokens(q.stem) for q in questions}
    for taker in questions:
        distractors = set().union(*(number_tokens(o) for o in taker.options if o != key_text(taker)))
        own = number_tokens(key_text(taker)) - distractors
        if not own:
            continue
        for giver in questions:
            if giver.code == taker.code or (giver.code, taker.code) in already:
                continue
            found = sorted(own & stems[giver.code])
            if not found:
                continue
            message = (
                f"Câu {giver.code} có nội dung câu hỏi nêu số liệu “{found[0]}” chỉ có ở đáp án của câu "
                f"{taker.code} ({taker.file}:{taker.line}): “{key_text(taker)}”."
            )
            if giver.set_number == taker.set_number and giver.file == taker.file:
                report.errors.append(BankError(giver.file, giver.line, message))
            else:
                report.warnings.append(BankError(giver.file, giver.line, message + " (khác bộ đề)"))


def _jaccard(a: str, b: str) -> float:
    x, y = set(a.split()), set(b.split())
    return len(x & y) / len(x | y) if x | y else 0.0


def _same_fact(sets: list[QuizSet], report: Report) -> None:
    questions = [q for s in sets for q in s.questions]
    prepared = [(q, norm(key_text(q)), norm(q.stem)) for q in questions]
    for i, (a, key_a, stem_a) in enumerate(prepared):
        for b, key_b, stem_b in prepared[i + 1:]:
            same = stem_a == stem_b or (key_a == key_b and _jaccard(stem_a, stem_b) >= SIMILAR_STEMS)
            if not same:
                continue
            message = f"Câu {b.code} hỏi lại cùng một nội dung với câu {a.code} ({a.file}:{a.line})."
            if a.file == b.file:
                report.errors.append(BankError(b.file, b.line, message))
            else:
                report.warnings.append(BankError(b.file, b.line, message + " (khác bộ đề)"))


def _quiz_set(quiz_set: QuizSet, report: Report, *, strict: bool) -> SetStats:
    qs = quiz_set.questions
    n = len(qs)
    counts = Counter(q.key for q in qs)
    longest = [q for q in qs if is_longest_key(q)]
    levels = [q.level for q in qs if q.level is not None]
    words = sum(len(norm(q.stem).split()) + sum(len(norm(o).split()) for o in q.options) for q in qs)
    stats = SetStats(
        kind="quiz", number=quiz_set.number, file=quiz_set.file, items=n,
        mean_level=(Decimal(sum(levels)) / len(levels)) if levels and len(levels) == n else None,
        longest_keys=len(longest),
        # Always picking the longest option scores the longest keys, and a quarter of each tie.
        longest_guess=sum((q.points for q in longest), Decimal(0)) + sum(
            (q.points / _ties(q) for q in qs if _ties(q) > 1 and _tied_key(q)), Decimal(0)
        ),
        total=quiz_set.total_points, mean_words=round(words / n) if n else 0,
        key_counts={k: counts.get(k, 0) for k in OPTION_LETTERS},
    )
    sink = report.errors if strict else report.warnings
    if n >= MIN_SET_FOR_SPREAD:
        low, high = n // 4 - 2, -(-n // 4) + 2
        off = {k: c for k, c in stats.key_counts.items() if not low <= c <= high}
        if off:
            sink.append(BankError(
                quiz_set.file, 0,
                f"Bộ đề trắc nghiệm số {quiz_set.number}: đáp án phân bố lệch "
                f"({', '.join(f'{k}={c}' for k, c in stats.key_counts.items())}); "
                f"mỗi chữ cái A–D phải là đáp án của {low} đến {high} câu.",
            ))
    if n and Decimal(len(longest)) / n > MAX_LONGEST_KEY_SHARE:
        first = longest[0]
        sink.append(BankError(
            quiz_set.file, first.line,
            f"Bộ đề trắc nghiệm số {quiz_set.number}: {len(longest)}/{n} câu có đáp án là phương án dài "
            f"nhất (tối đa 30%): {', '.join(q.code for q in longest)}.",
        ))
    past = [q for q in qs if q.topic.casefold().startswith(PAST_CONTEST_TOPIC)]
    if strict and len(past) > MAX_PAST_CONTEST_ITEMS:
        report.errors.append(BankError(
            quiz_set.file, past[MAX_PAST_CONTEST_ITEMS].line,
            f"Bộ đề trắc nghiệm số {quiz_set.number} có {len(past)} câu về các cuộc thi trước "
            f"(tối đa {MAX_PAST_CONTEST_ITEMS}): {', '.join(q.code for q in past)}.",
        ))
    return stats


def _ties(q: QuizQuestion) -> int:
    longest = max(len(o) for o in q.options)
    return sum(1 for o in q.options if len(o) == longest)


def _tied_key(q: QuizQuestion) -> bool:
    return len(key_text(q)) == max(len(o) for o in q.options)


def marking_steps(marking: str) -> list[Decimal]:
    """The points of each step of a marking guide (lines starting with "<số> điểm")."""
    steps = []
    for line in marking.splitlines():
        match = MARKING_STEP.match(line)
        if match:
            try:
                steps.append(Decimal(match.group(1).replace(",", ".")))
            except InvalidOperation:  # pragma: no cover - the regex rules it out
                pass
    return steps


def _situation(s: Situation, report: Report, *, strict: bool) -> None:
    sink = report.errors if strict else report.warnings
    steps = marking_steps(s.marking)
    line = s.marking_line or s.line
    if len(steps) < 2:
        sink.append(BankError(
            s.file, line,
            f"Tình huống {s.code} có hướng dẫn chấm không chia thành các bước điểm "
            "(mỗi dòng dạng '0,75 điểm: …').",
        ))
    elif sum(steps) != s.points:
        sink.append(BankError(
            s.file, line,
            f"Tình huống {s.code} có các bước chấm cộng lại {_comma(sum(steps).normalize())} điểm, "
            f"khác điểm tối đa {_comma(s.points.normalize())}.",
        ))
    text = " ".join((s.text, *s.questions))
    match = DISTRICT.search(text)
    if strict and match:
        report.errors.append(BankError(
            s.file, s.line,
            f"Tình huống {s.code} đặt trong cơ quan cấp huyện (“{match.group(0)}”), "
            "cấp đã kết thúc hoạt động từ 01/7/2025.",
        ))


def check_quality(banks: Banks, *, strict: bool = True) -> Report:
    """Quality checks of one bank; with ``strict`` False every finding is a warning."""
    report = Report()
    sets = list(banks.quiz_sets)
    for quiz_set in sets:
        report.stats.append(_quiz_set(quiz_set, report, strict=strict))
    _number_leaks(sets, report, _leaks(sets, report))
    _same_fact(sets, report)
    for situation_set in banks.situation_sets:
        levels = [s.level for s in situation_set.situations if s.level is not None]
        words = sum(len(norm(" ".join((s.text, *s.questions))).split()) for s in situation_set.situations)
        n = len(situation_set.situations)
        report.stats.append(SetStats(
            kind="situation", number=situation_set.number, file=situation_set.file, items=n,
            mean_level=(Decimal(sum(levels)) / n) if levels and len(levels) == n else None,
            total=situation_set.total_points, mean_words=round(words / n) if n else 0,
        ))
        for s in situation_set.situations:
            _situation(s, report, strict=strict)
    for kind in ("quiz", "situation"):
        means = [st.mean_level for st in report.stats if st.kind == kind and st.mean_level is not None]
        if len(means) > 1 and max(means) - min(means) > MAX_LEVEL_SPREAD:
            noun = "bộ đề trắc nghiệm" if kind == "quiz" else "bộ tình huống"
            report.warnings.append(BankError(
                "", 0,
                f"Các {noun} chưa cân bằng: mức độ trung bình từ {_comma(min(means).quantize(Decimal('0.01')))} "
                f"đến {_comma(max(means).quantize(Decimal('0.01')))} (chênh tối đa 0,3).",
            ))
    if not strict:
        report.warnings.extend(report.errors)
        report.errors = []
    return report


def check_law(
    banks: Banks, *, as_of: date | None, register: dict[str, LegalDocument]
) -> Report:
    """Legal checks of one bank on ``as_of`` (default: each file's ``valid_as_of``)."""
    report = Report()
    for sets, noun, attr in (
        (banks.quiz_sets, "Câu", "questions"), (banks.situation_sets, "Tình huống", "situations"),
    ):
        for item_set in sets:
            if item_set.valid_as_of is None:
                report.errors.append(BankError(
                    item_set.file, 1,
                    "Khối đầu tệp thiếu ngày đối chiếu pháp luật (valid_as_of), ví dụ 'valid_as_of: 2026-12-01'.",
                ))
            day = as_of or item_set.valid_as_of
            if day is None:
                continue
            for item in getattr(item_set, attr):
                check_legal(item, day=day, register=register, report=report, noun=noun)
    return report
