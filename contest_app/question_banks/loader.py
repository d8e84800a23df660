"""Read and validate the question-bank files in the top-level ``question_banks/`` folder.

This module owns the bank text format (see ``question_banks/README.md``): it tokenises
files into blocks of ``key: value`` lines, turns blocks into dataclasses and collects
EVERY problem as a ``BankError(file, line, message)`` with a Vietnamese message.

It uses the standard library only: it must not import flask, the models or anything
that touches a database, so the banks can be checked anywhere (CI, an editor hook).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

QUIZ_DIR = "quiz"
SITUATION_DIR = "situations"

OPTION_LETTERS = ("A", "B", "C", "D")
MAX_SITUATION_QUESTIONS = 3

HEADER_FIELDS = ("title", "set", "count", "total", "valid_as_of")
# ``basis`` (legal basis), ``level`` (1 recall, 2 understanding, 3 application) and ``note``
# are parsed here; ``checks`` decides which are required (basis is, for ``banks check``).
ITEM_EXTRA_FIELDS = ("basis", "level", "note")
QUIZ_FIELDS = (
    "code", "topic", "stem", *OPTION_LETTERS, "key", "source", "time", "points", *ITEM_EXTRA_FIELDS,
)
SITUATION_FIELDS = (
    "code", "topic", "situation", "question", "answer", "marking", "source", "time", "points",
    *ITEM_EXTRA_FIELDS,
)
LEVELS = (1, 2, 3)
# Fields that may appear several times in one block; every other repeat is an error.
REPEATABLE_FIELDS = frozenset({"question"})

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}")  # matched in full (fullmatch)
KEY_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)[ \t]*:[ \t]?(.*)$")
EXTRA_OPTION = re.compile(r"^[E-Z]$")

FIELD_LABELS = {
    "code": "mã (code)",
    "topic": "chủ đề (topic)",
    "stem": "nội dung câu hỏi (stem)",
    "key": "đáp án đúng (key)",
    "source": "nguồn (source)",
    "time": "thời gian (time)",
    "points": "điểm (points)",
    "situation": "nội dung tình huống (situation)",
    "question": "câu hỏi (question)",
    "answer": "gợi ý đáp án (answer)",
    "marking": "hướng dẫn chấm (marking)",
    "title": "tên bộ đề (title)",
    "set": "số bộ đề (set)",
    "count": "số câu (count)",
    "total": "tổng điểm (total)",
    "valid_as_of": "ngày đối chiếu pháp luật (valid_as_of)",
    "basis": "căn cứ pháp lý (basis)",
}


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class BankError:
    """One problem in a bank file; ``line`` is 1-based (0 when it concerns the whole file)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        if not self.file:
            return self.message
        if self.line:
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class QuizQuestion:
    code: str
    topic: str
    stem: str
    options: tuple[str, str, str, str]
    key: str
    source: str
    time_seconds: int
    points: Decimal
    set_number: int
    file: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)
    basis: str = ""
    level: int | None = None
    note: str = ""
    key_line: int = field(default=0, compare=False)
    basis_line: int = field(default=0, compare=False)

    def option(self, letter: str) -> str:
        """Return the text of option ``letter`` (A–D)."""
        return self.options[OPTION_LETTERS.index(letter)]


@dataclass(frozen=True)
class Situation:
    code: str
    topic: str
    text: str
    questions: tuple[str, ...]
    answer: str
    marking: str
    source: str
    time_seconds: int
    points: Decimal
    set_number: int
    file: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)
    basis: str = ""
    level: int | None = None
    note: str = ""
    marking_line: int = field(default=0, compare=False)
    basis_line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class QuizSet:
    number: int
    title: str
    questions: tuple[QuizQuestion, ...]
    file: str = ""
    valid_as_of: date | None = None

    @property
    def total_points(self) -> Decimal:
        return sum((q.points for q in self.questions), Decimal(0))


@dataclass(frozen=True)
class SituationSet:
    number: int
    title: str
    situations: tuple[Situation, ...]
    file: str = ""
    valid_as_of: date | None = None

    @property
    def total_points(self) -> Decimal:
        return sum((s.points for s in self.situations), Decimal(0))


@dataclass(frozen=True)
class Banks:
    quiz_sets: tuple[QuizSet, ...]
    situation_sets: tuple[SituationSet, ...]

    @property
    def quiz_count(self) -> int:
        return sum(len(s.questions) for s in self.quiz_sets)

    @property
    def situation_count(self) -> int:
        return sum(len(s.situations) for s in self.situation_sets)

    def quiz_set(self, number: int) -> QuizSet:
        return next(s for s in self.quiz_sets if s.number == number)

    def situation_set(self, number: int) -> SituationSet:
        return next(s for s in self.situation_sets if s.number == number)


class BanksInvalid(Exception):
    """Raised by ``load_banks`` with every error found, in file and line order."""

    def __init__(self, errors: list[BankError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


# --------------------------------------------------------------------------- tokeniser


@dataclass
class Block:
    """A run of non-blank lines: ``fields`` maps a key to its (value, line) pairs in order."""

    line: int
    fields: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def first(self, key: str) -> tuple[str, int] | None:
        values = self.fields.get(key)
        return values[0] if values else None

    def add(self, key: str, value: str, line: int) -> None:
        self.fields.setdefault(key, []).append((value, line))


def read_text(path: Path, rel: str, errors: list[BankError]) -> str | None:
    """Read a UTF-8 file (BOM tolerated), normalised to NFC so diacritics compare equal."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        errors.append(BankError(rel, 0, f"Không đọc được tệp ({exc.strerror})."))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        errors.append(BankError(rel, line, "Tệp không được mã hóa UTF-8."))
        return None
    return unicodedata.normalize("NFC", text)


def tokenise(text: str, rel: str, errors: list[BankError]) -> list[Block]:
    """Split ``text`` into blocks; record malformed lines in ``errors``."""
    blocks: list[Block] = []
    current: Block | None = None
    last: tuple[str, int] | None = None  # (key, index in current.fields[key]) for continuations
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip()
        if not line.strip():
            current, last = None, None
            continue
        if line.lstrip().startswith("#") and not line[0].isspace():
            continue
        if line[0].isspace():
            if current is None or last is None:
                errors.append(BankError(rel, number, "Dòng tiếp nối không thuộc trường nào."))
                continue
            key, index = last
            value, first_line = current.fields[key][index]
            joined = f"{value}\n{line.strip()}" if value else line.strip()
            current.fields[key][index] = (joined, first_line)
            continue
        match = KEY_LINE.match(line)
        if match is None:
            errors.append(
                BankError(rel, number, "Dòng không đúng dạng 'trường: giá trị'.")
            )
            continue
        if current is None:
            current = Block(line=number)
            blocks.append(current)
        key, value = match.group(1), match.group(2).strip()
        current.add(key, value, number)
        last = (key, len(current.fields[key]) - 1)
    return blocks


# --------------------------------------------------------------------------- field checks


class ItemErrors:
    """Collects the errors of one item, prefixed by its label (e.g. 'Câu KT1-03')."""

    def __init__(self, rel: str, label: str, errors: list[BankError]):
        self.rel, self.label, self.errors = rel, label, errors
        self.count = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        self.errors.append(BankError(self.rel, line, f"{self.label} {message}"))


def clean(value: str) -> str:
    """Normalise a value: NFC, each line stripped, blank lines dropped."""
    value = unicodedata.normalize("NFC", value)
    return "\n".join(line.strip() for line in value.splitlines() if line.strip())


def _text(block: Block, key: str, item: ItemErrors) -> str:
    found = block.first(key)
    if found is None:
        item.add(block.line, f"thiếu {FIELD_LABELS[key]}.")
        return ""
    value, line = found
    if not value.strip():
        item.add(line, f"có {FIELD_LABELS[key]} để trống.")
        return ""
    if _bad_text(value):
        item.add(line, f"có {FIELD_LABELS[key]} chứa ký tự điều khiển hoặc dài quá {MAX_TEXT} ký tự.")
        return ""
    return clean(value)


#: The longest text a bank item may carry (a stem, an option, a suggested answer).
MAX_TEXT = 5000


def _bad_text(value: str) -> bool:
    """Too long, or holding NUL or another control character (tab and newlines are fine)."""
    return len(value) > MAX_TEXT or any(
        c not in "\t\n\r" and unicodedata.category(c) in ("Cc", "Cs") for c in value)


def parse_positive_int(value: str) -> int | None:
    """Return ``value`` as a positive integer, or None."""
    value = value.strip()
    if not re.fullmatch(r"[0-9]{1,6}", value):  # ASCII digits only ("１２" is not 12), bounded
        return None
    number = int(value)
    return number if number > 0 else None


def parse_positive_decimal(value: str) -> Decimal | None:
    """Return ``value`` as a positive finite Decimal (dot or comma as separator), or None."""
    value = value.strip().replace(",", ".")
    if not re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,4})?", value):  # ASCII, bounded digits: nothing to round
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the regex already rules this out
        return None
    return number if number > 0 else None


def _time(block: Block, item: ItemErrors) -> int:
    found = block.first("time")
    if found is None:
        item.add(block.line, f"thiếu {FIELD_LABELS['time']}.")
        return 0
    value, line = found
    number = parse_positive_int(value)
    if number is None:
        item.add(line, f"có thời gian '{value}' không hợp lệ: phải là số giây nguyên, lớn hơn 0.")
        return 0
    return number


def _points(block: Block, item: ItemErrors) -> Decimal:
    found = block.first("points")
    if found is None:
        item.add(block.line, f"thiếu {FIELD_LABELS['points']}.")
        return Decimal(0)
    value, line = found
    number = parse_positive_decimal(value)
    if number is None:
        item.add(line, f"có điểm '{value}' không hợp lệ: phải là số lớn hơn 0 (ví dụ 0.4).")
        return Decimal(0)
    return number


def parse_date(value: str) -> date | None:
    """Return an ISO date (YYYY-MM-DD) or a Vietnamese one (DD/MM/YYYY), or None."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None
    return None


def _extras(block: Block, item: ItemErrors) -> dict:
    """The optional ``basis``, ``level`` and ``note`` of an item."""
    extras: dict = {}
    for key in ("basis", "note"):
        found = block.first(key)
        if found is not None:
            if not found[0].strip():
                item.add(found[1], f"có trường '{key}' để trống.")
            extras[key] = clean(found[0])
            if key == "basis":
                extras["basis_line"] = found[1]
    found = block.first("level")
    if found is not None:
        level = parse_positive_int(found[0])
        if level not in LEVELS:
            item.add(
                found[1],
                f"có mức độ '{found[0]}' không hợp lệ: 1 (nhận biết), 2 (thông hiểu) "
                "hoặc 3 (vận dụng).",
            )
        else:
            extras["level"] = level
    return extras


def _check_fields(block: Block, allowed: tuple[str, ...], item: ItemErrors) -> None:
    """Report unknown fields, extra options (E, F …) and repeated fields."""
    extra_options = []
    for key, values in block.fields.items():
        if key in allowed:
            if len(values) > 1 and key not in REPEATABLE_FIELDS:
                item.add(values[1][1], f"có trường '{key}' lặp lại.")
            continue
        if "A" in allowed and EXTRA_OPTION.match(key):
            extra_options.append(key)
            continue
        item.add(values[0][1], f"có trường không hợp lệ '{key}'.")
    if extra_options:
        total = len([k for k in OPTION_LETTERS if k in block.fields]) + len(extra_options)
        line = block.fields[extra_options[0]][0][1]
        item.add(
            line,
            f"có {total} phương án ({', '.join(extra_options)} là thừa); "
            "mỗi câu phải có đúng 4 phương án A, B, C, D.",
        )


def _label_code(block: Block, noun: str) -> str:
    found = block.first("code")
    code = found[0].strip() if found else ""
    return f"{noun} {code}" if code else f"{noun} (không có mã)"


def build_quiz_question(
    block: Block, *, rel: str, set_number: int, errors: list[BankError]
) -> QuizQuestion | None:
    """Build one quiz question from ``block``; append its problems to ``errors``."""
    item = ItemErrors(rel, _label_code(block, "Câu"), errors)
    _check_fields(block, QUIZ_FIELDS, item)
    code = _code(block, item)
    topic = _text(block, "topic", item)
    stem = _text(block, "stem", item)
    present = [letter for letter in OPTION_LETTERS if block.first(letter) is not None]
    options = []
    for letter in OPTION_LETTERS:
        found = block.first(letter)
        if found is None:
            options.append("")
            continue
        if not found[0].strip():
            item.add(found[1], f"có phương án {letter} để trống.")
        elif _bad_text(found[0]):
            item.add(found[1], f"có phương án {letter} chứa ký tự điều khiển hoặc dài quá {MAX_TEXT} ký tự.")
        options.append(clean(found[0]))
    missing = [letter for letter in OPTION_LETTERS if letter not in present]
    if missing:
        item.add(
            block.line,
            f"chỉ có {len(present)} phương án (thiếu {', '.join(missing)}); "
            "mỗi câu phải có đúng 4 phương án A, B, C, D.",
        )
    seen: dict[str, str] = {}
    for letter, text in zip(OPTION_LETTERS, options):
        if text and text.casefold() in seen:
            item.add(
                block.fields[letter][0][1],
                f"có phương án {letter} trùng với phương án {seen[text.casefold()]}.",
            )
        elif text:
            seen[text.casefold()] = letter
    key = ""
    found = block.first("key")
    if found is None or not found[0].strip():
        item.add(found[1] if found else block.line, f"thiếu {FIELD_LABELS['key']}.")
    else:
        key = found[0].strip()
        if key not in present:
            item.add(
                found[1],
                f"có đáp án đúng '{key}' không nằm trong các phương án "
                f"({', '.join(present) or 'không có phương án'}).",
            )
    source = _text(block, "source", item)
    time_seconds = _time(block, item)
    points = _points(block, item)
    extras = _extras(block, item)
    if item.count:
        return None
    return QuizQuestion(
        code=code, topic=topic, stem=stem, options=tuple(options),  # type: ignore[arg-type]
        key=key, source=source, time_seconds=time_seconds, points=points,
        set_number=set_number, file=rel, line=block.line, key_line=found[1], **extras,
    )


def build_situation(
    block: Block, *, rel: str, set_number: int, errors: list[BankError]
) -> Situation | None:
    """Build one situation from ``block``; append its problems to ``errors``."""
    item = ItemErrors(rel, _label_code(block, "Tình huống"), errors)
    _check_fields(block, SITUATION_FIELDS, item)
    code = _code(block, item)
    topic = _text(block, "topic", item)
    text = _text(block, "situation", item)
    questions = []
    for value, line in block.fields.get("question", []):
        if not value.strip():
            item.add(line, f"có {FIELD_LABELS['question']} để trống.")
        questions.append(clean(value))
    if not questions:
        item.add(block.line, f"thiếu {FIELD_LABELS['question']}.")
    elif len(questions) > MAX_SITUATION_QUESTIONS:
        item.add(
            block.fields["question"][MAX_SITUATION_QUESTIONS][1],
            f"có {len(questions)} câu hỏi; mỗi tình huống có từ 1 đến "
            f"{MAX_SITUATION_QUESTIONS} câu hỏi.",
        )
    answer = _text(block, "answer", item)
    marking = _text(block, "marking", item)
    source = _text(block, "source", item)
    time_seconds = _time(block, item)
    points = _points(block, item)
    extras = _extras(block, item)
    if item.count:
        return None
    return Situation(
        code=code, topic=topic, text=text, questions=tuple(questions), answer=answer,
        marking=marking, source=source, time_seconds=time_seconds, points=points,
        set_number=set_number, file=rel, line=block.line,
        marking_line=block.fields["marking"][0][1], **extras,
    )


def _code(block: Block, item: ItemErrors) -> str:
    code = _text(block, "code", item)
    if code and not CODE_PATTERN.fullmatch(code):
        item.add(
            block.fields["code"][0][1],
            "có mã không hợp lệ: chỉ dùng chữ không dấu, chữ số, '-', '_' hoặc '.'.",
        )
        return ""
    return code


# --------------------------------------------------------------------------- files


@dataclass
class Header:
    title: str
    number: int
    count: int
    total: Decimal
    line: int
    valid_as_of: date | None = None


def _header(blocks: list[Block], rel: str, errors: list[BankError]) -> Header | None:
    if not blocks:
        errors.append(BankError(rel, 0, "Tệp không có nội dung."))
        return None
    block = blocks[0]
    if block.first("code") is not None:
        errors.append(
            BankError(rel, block.line, "Thiếu khối đầu tệp (title, set, count, total) trước câu đầu tiên.")
        )
        return None
    item = ItemErrors(rel, "Khối đầu tệp", errors)
    _check_fields(block, HEADER_FIELDS, item)
    title = _text(block, "title", item)
    numbers = {}
    for key in ("set", "count"):
        found = block.first(key)
        if found is None:
            item.add(block.line, f"thiếu {FIELD_LABELS[key]}.")
            continue
        number = parse_positive_int(found[0])
        if number is None:
            item.add(found[1], f"có {FIELD_LABELS[key]} '{found[0]}' không hợp lệ: phải là số nguyên lớn hơn 0.")
            continue
        numbers[key] = number
    total = None
    found = block.first("total")
    if found is None:
        item.add(block.line, f"thiếu {FIELD_LABELS['total']}.")
    else:
        total = parse_positive_decimal(found[0])
        if total is None:
            item.add(found[1], f"có tổng điểm '{found[0]}' không hợp lệ: phải là số lớn hơn 0.")
    valid_as_of = None
    found = block.first("valid_as_of")
    if found is not None:
        valid_as_of = parse_date(found[0])
        if valid_as_of is None:
            item.add(
                found[1],
                f"có ngày đối chiếu pháp luật '{found[0]}' không hợp lệ: ghi dạng "
                "NNNN-TT-NN (ví dụ 2026-12-01).",
            )
    if item.count or total is None:
        return None
    return Header(title, numbers["set"], numbers["count"], total, block.line, valid_as_of)


def _check_set(
    header: Header, items: list, n_blocks: int, noun: str, unit: str, rel: str,
    errors: list[BankError],
) -> None:
    """Check the declared size and total of a set (only when every item parsed)."""
    if n_blocks != header.count:
        errors.append(BankError(
            rel, header.line,
            f"{noun} số {header.number} có {n_blocks} {unit}, khác với số {unit} "
            f"khai báo (count: {header.count}).",
        ))
    elif len(items) == n_blocks:
        total = sum((i.points for i in items), Decimal(0))
        if total != header.total:
            errors.append(BankError(
                rel, header.line,
                f"Tổng điểm {noun.lower()} số {header.number} là {_fmt(total)}, khác với "
                f"tổng điểm khai báo (total: {_fmt(header.total)}).",
            ))


def _fmt(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def parse_quiz_text(text: str, rel: str, errors: list[BankError]) -> QuizSet | None:
    """Parse one quiz-set file's text; return the set when the file has no error."""
    before = len(errors)
    blocks = tokenise(text, rel, errors)
    header = _header(blocks, rel, errors)
    if header is None:
        return None
    questions = []
    for block in blocks[1:]:
        q = build_quiz_question(block, rel=rel, set_number=header.number, errors=errors)
        if q is not None:
            questions.append(q)
    _check_set(header, questions, len(blocks) - 1, "Bộ đề trắc nghiệm", "câu", rel, errors)
    if len(errors) > before:
        return None
    return QuizSet(header.number, header.title, tuple(questions), rel, header.valid_as_of)


def parse_situation_text(text: str, rel: str, errors: list[BankError]) -> SituationSet | None:
    """Parse one situation-set file's text; return the set when the file has no error."""
    before = len(errors)
    blocks = tokenise(text, rel, errors)
    header = _header(blocks, rel, errors)
    if header is None:
        return None
    situations = []
    for block in blocks[1:]:
        s = build_situation(block, rel=rel, set_number=header.number, errors=errors)
        if s is not None:
            situations.append(s)
    _check_set(header, situations, len(blocks) - 1, "Bộ tình huống", "tình huống", rel, errors)
    if len(errors) > before:
        return None
    return SituationSet(header.number, header.title, tuple(situations), rel, header.valid_as_of)


def check_banks(root: Path) -> tuple[Banks, list[BankError]]:
    """Load every bank under ``root``; return what parsed and ALL errors found.

    Files are read in name order from ``root/quiz/*.txt`` and ``root/situations/*.txt``.
    Codes must be unique across all banks; set numbers unique within each kind.
    """
    root = Path(root)
    errors: list[BankError] = []
    quiz_sets: list[QuizSet] = []
    situation_sets: list[SituationSet] = []
    codes: dict[str, tuple[str, int]] = {}
    if not root.is_dir():
        errors.append(BankError(str(root), 0, "Không tìm thấy thư mục ngân hàng câu hỏi."))
        return Banks((), ()), errors
    for folder, parse, sink in (
        (QUIZ_DIR, parse_quiz_text, quiz_sets),
        (SITUATION_DIR, parse_situation_text, situation_sets),
    ):
        directory = root / folder
        if not directory.is_dir():
            errors.append(BankError(folder, 0, f"Không tìm thấy thư mục '{folder}'."))
            continue
        paths = sorted(directory.glob("*.txt"))
        if not paths:
            errors.append(BankError(folder, 0, "Thư mục không có tệp .txt nào."))
        for path in paths:
            rel = f"{folder}/{path.name}"
            text = read_text(path, rel, errors)
            if text is None:
                continue
            file_errors: list[BankError] = []
            parsed = parse(text, rel, file_errors)
            # Duplicate codes are checked on the raw blocks, so they are found even
            # when the file has other errors.
            for block in tokenise(text, rel, []):
                found = block.first("code")
                if found is None or not found[0].strip():
                    continue
                code = found[0].strip()
                if code in codes:
                    first_rel, first_line = codes[code]
                    file_errors.append(BankError(
                        rel, found[1], f"Mã {code} bị trùng với {first_rel}:{first_line}."
                    ))
                else:
                    codes[code] = (rel, found[1])
            file_errors.sort(key=lambda e: e.line)
            errors.extend(file_errors)
            if parsed is not None and not file_errors:
                sink.append(parsed)
    for sets, noun in ((quiz_sets, "Bộ đề trắc nghiệm"), (situation_sets, "Bộ tình huống")):
        seen: dict[int, str] = {}
        for s in sets:
            if s.number in seen:
                errors.append(BankError(
                    s.file, 1, f"{noun} số {s.number} bị trùng với {seen[s.number]}."
                ))
            else:
                seen[s.number] = s.file
    quiz_sets.sort(key=lambda s: s.number)
    situation_sets.sort(key=lambda s: s.number)
    return Banks(tuple(quiz_sets), tuple(situation_sets)), errors


def load_banks(root: Path) -> Banks:
    """Load and validate every bank under ``root``; raise ``BanksInvalid`` listing ALL errors."""
    banks, errors = check_banks(root)
    if errors:
        raise BanksInvalid(errors)
    return banks
