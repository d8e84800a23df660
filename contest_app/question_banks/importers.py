"""Import quiz questions from Moodle GIFT, Aiken and the Excel template.

Every reader turns its file into ``loader.Block`` objects (field -> value, line) and the
loader's own ``build_quiz_question`` validates them, so an imported question obeys exactly
the rules of a bank file. A file with ANY bad item imports nothing: ``import_quiz_file``
raises ``ImportRejected`` listing every bad item by line (GIFT, Aiken) or row (Excel).

GIFT and Aiken carry no topic, source, time or points; they can be given per question
(GIFT: ``// source: …`` comment lines before the question; Aiken: ``SOURCE: …`` lines
after ``ANSWER:``) or for the whole file through ``defaults``.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Mapping

from contest_app.question_banks.loader import (
    OPTION_LETTERS,
    BankError,
    Block,
    QuizQuestion,
    build_quiz_question,
    read_text,
)

FORMATS = ("gift", "aiken", "excel")
EXCEL_COLUMNS = (
    "code", "topic", "stem", "A", "B", "C", "D", "key", "source", "time", "points", "set",
)
# Optional columns after EXCEL_COLUMNS, in this order: the legal basis, level, note.
EXCEL_OPTIONAL_COLUMNS = ("basis", "level", "note")
METADATA_FIELDS = ("code", "topic", "source", "time", "points", "basis", "level", "note")
DEFAULTABLE_FIELDS = ("topic", "source", "time", "points", "basis")


class ImportRejected(Exception):
    """The file had bad items; nothing was imported. ``errors`` names every one."""

    def __init__(self, errors: list[BankError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


# --------------------------------------------------------------------------- GIFT

GIFT_ESCAPES = {":": ":", "~": "~", "=": "=", "#": "#", "{": "{", "}": "}", "\\": "\\", "n": "\n"}
GIFT_FORMAT_MARKER = re.compile(r"^\[(html|moodle|plain|markdown)\]")
COMMENT_METADATA = re.compile(
    r"^//\s*(code|topic|source|time|points|basis|level|note)\s*:\s*(.*)$", re.I
)


def _gift_unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in GIFT_ESCAPES:
            out.append(GIFT_ESCAPES[text[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _gift_find(text: str, chars: str, start: int = 0) -> int:
    """Index of the first unescaped char of ``chars`` in ``text`` from ``start``, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in chars:
            return i
        i += 1
    return -1


def _gift_split_answers(body: str) -> list[tuple[str, str]]:
    """Split an answer block into (marker, text) pairs, marker '=' or '~'."""
    answers: list[tuple[str, str]] = []
    i = _gift_find(body, "=~")
    while i != -1:
        j = _gift_find(body, "=~", i + 1)
        chunk = body[i + 1 : j if j != -1 else len(body)]
        answers.append((body[i], chunk))
        i = j
    return answers


def read_gift(text: str, rel: str, errors: list[BankError]) -> list[Block]:
    """Read multiple-choice questions from GIFT ``text``."""
    blocks: list[Block] = []
    chunk: list[str] = []
    meta: dict[str, tuple[str, int]] = {}
    start = 0

    def flush() -> None:
        nonlocal chunk, meta, start
        if chunk:
            block = _gift_question("\n".join(chunk), start, rel, errors)
            if block is not None:
                for key, (value, line) in meta.items():
                    if key not in block.fields:
                        block.add(key, value, line)
                blocks.append(block)
            chunk, meta, start = [], {}, 0

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            flush()  # as in Moodle, a blank line ends a question
            continue
        if stripped.startswith("//"):
            match = COMMENT_METADATA.match(stripped)
            if match:
                if chunk:
                    flush()
                meta[match.group(1).lower()] = (match.group(2).strip(), number)
            continue
        if stripped.startswith("$CATEGORY:") and not chunk:
            continue
        if not chunk:
            start = number
        chunk.append(stripped)
    flush()
    return blocks


def _gift_question(text: str, line: int, rel: str, errors: list[BankError]) -> Block | None:
    block = Block(line=line)
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        while end != -1 and text[end - 1] == "\\":
            end = text.find("::", end + 1)
        if end == -1:
            errors.append(BankError(rel, line, "Tiêu đề câu hỏi '::…::' không được đóng."))
            return None
        title = _gift_unescape(text[2:end]).strip()
        text = text[end + 2 :]
    label = f"Câu {title}" if title else "Câu (không có mã)"
    open_at = _gift_find(text, "{")
    close_at = _gift_find(text, "}", open_at + 1) if open_at != -1 else -1
    if open_at == -1 or close_at == -1:
        errors.append(BankError(rel, line, f"{label} không có khối đáp án '{{…}}' hoàn chỉnh."))
        return None
    before, body, after = text[:open_at], text[open_at + 1 : close_at], text[close_at + 1 :]
    before = GIFT_FORMAT_MARKER.sub("", before.strip())
    stem = _gift_unescape(before).strip()
    if after.strip():
        stem = f"{stem} … {_gift_unescape(after).strip()}"
    answers = _gift_split_answers(body)
    if not answers or "->" in body:
        errors.append(BankError(
            rel, line, f"{label} không phải câu trắc nghiệm nhiều lựa chọn (dạng {{=đúng ~sai …}})."
        ))
        return None
    if title:
        block.add("code", title, line)
    block.add("stem", stem, line)
    letters = [chr(ord("A") + i) for i in range(len(answers))]
    right = []
    for letter, (marker, raw) in zip(letters, answers):
        feedback_at = _gift_find(raw, "#")
        if feedback_at != -1:
            raw = raw[:feedback_at]
        raw = raw.strip()
        weight = re.match(r"^%(-?\d+(?:\.\d+)?)%", raw)
        if weight:
            raw = raw[weight.end() :]
            if marker == "~" and Decimal(weight.group(1)) == 100:
                marker = "="
        block.add(letter, _gift_unescape(raw).strip(), line)
        if marker == "=":
            right.append(letter)
    if len(right) > 1:
        errors.append(BankError(
            rel, line, f"{label} có {len(right)} đáp án đúng ({', '.join(right)}); chỉ được có một."
        ))
        return None
    if right:
        block.add("key", right[0], line)
    return block


# --------------------------------------------------------------------------- Aiken

AIKEN_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*)$")
AIKEN_ANSWER = re.compile(r"^ANSWER:\s*(.*)$")
AIKEN_METADATA = re.compile(r"^(CODE|TOPIC|SOURCE|TIME|POINTS|BASIS|LEVEL|NOTE):\s*(.*)$")


def read_aiken(text: str, rel: str, errors: list[BankError]) -> list[Block]:
    """Read Aiken ``text``: stem lines, 'A. …' option lines, 'ANSWER: X'."""
    blocks: list[Block] = []
    current: Block | None = None
    stem: list[str] = []
    has_options = answered = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        meta = AIKEN_METADATA.match(stripped)
        if answered and meta and current is not None:
            current.add(meta.group(1).lower(), meta.group(2).strip(), number)
            continue
        if current is None or answered:
            current, stem, has_options, answered = Block(line=number), [], False, False
            blocks.append(current)
        option = AIKEN_OPTION.match(stripped)
        answer = AIKEN_ANSWER.match(stripped)
        if answer:
            if stem:
                current.add("stem", "\n".join(stem), current.line)
                stem = []
            current.add("key", answer.group(1).strip(), number)
            answered = True
        elif option and (stem or has_options):
            if stem:
                current.add("stem", "\n".join(stem), current.line)
                stem = []
            current.add(option.group(1), option.group(2).strip(), number)
            has_options = True
        elif has_options:
            errors.append(BankError(
                rel, number, "Dòng không đúng dạng Aiken: sau các phương án phải là 'ANSWER: X'."
            ))
        else:
            stem.append(stripped)
    if current is not None and stem:
        current.add("stem", "\n".join(stem), current.line)
    return blocks


# --------------------------------------------------------------------------- Excel


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_excel(path: Path, rel: str, errors: list[BankError], *, set_number: int) -> list[Block]:
    """Read the first worksheet of an Excel file laid out as ``EXCEL_COLUMNS``."""
    from openpyxl import load_workbook

    try:
        # Not read-only: read-only mode skips empty rows, which would shift row numbers.
        workbook = load_workbook(path, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        errors.append(BankError(rel, 0, "Không đọc được tệp Excel (.xlsx)."))
        return []
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = tuple(_cell_text(v) for v in next(rows, ()))
        while header and header[-1] == "":
            header = header[:-1]
        extra = header[len(EXCEL_COLUMNS):]
        if header[: len(EXCEL_COLUMNS)] != EXCEL_COLUMNS or extra != EXCEL_OPTIONAL_COLUMNS[: len(extra)]:
            errors.append(BankError(
                rel, 1, "Dòng tiêu đề phải có đúng các cột: " + ", ".join(EXCEL_COLUMNS)
                + " (có thể thêm, theo thứ tự: " + ", ".join(EXCEL_OPTIONAL_COLUMNS) + ").",
            ))
            return []
        columns = header
        blocks = []
        for number, row in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in row[: len(columns)]]
            cells += [""] * (len(columns) - len(cells))
            if not any(cells):
                continue
            block = Block(line=number)
            for column, value in zip(columns, cells):
                if column == "set":
                    continue
                if column in ("key", *EXCEL_OPTIONAL_COLUMNS) and not value:
                    continue  # a missing key is reported; optional columns may stay empty
                block.add(column, value, number)
            code = cells[0] or "(không có mã)"
            set_value = cells[len(EXCEL_COLUMNS) - 1]
            if set_value != str(set_number):
                errors.append(BankError(
                    rel, number,
                    f"Câu {code} có số bộ đề (set) '{set_value}', khác với bộ đề đang nhập "
                    f"({set_number}).",
                ))
            blocks.append(block)
        return blocks
    finally:
        workbook.close()


def write_quiz_excel(questions: Iterable[QuizQuestion], path: Path) -> None:
    """Write ``questions`` as an Excel workbook in the import layout.

    With no questions this is the blank template, with a sheet of instructions.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Câu hỏi"
    sheet.append([*EXCEL_COLUMNS, *EXCEL_OPTIONAL_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for q in questions:
        sheet.append([
            q.code, q.topic, q.stem, *q.options, q.key, q.source, q.time_seconds,
            format(q.points.normalize(), "f"), q.set_number,
            q.basis, q.level if q.level is not None else "", q.note,
        ])
    widths = (10, 20, 60, 30, 30, 30, 30, 6, 40, 8, 8, 6, 40, 6, 40)
    for letter, width in zip("ABCDEFGHIJKLMNO", widths):
        sheet.column_dimensions[letter].width = width
    validation = DataValidation(type="list", formula1='"A,B,C,D"', allow_blank=False)
    validation.error = "Đáp án đúng phải là A, B, C hoặc D."
    sheet.add_data_validation(validation)
    validation.add("H2:H1000")
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Ý nghĩa"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for row in (
        ("code", "Mã câu hỏi, duy nhất trong mọi bộ đề (ví dụ KT6-01)."),
        ("topic", "Chủ đề của câu hỏi."),
        ("stem", "Nội dung câu hỏi."),
        ("A, B, C, D", "Bốn phương án trả lời; không để trống, không trùng nhau."),
        ("key", "Đáp án đúng: một trong A, B, C, D."),
        ("source", "Căn cứ của câu hỏi: số văn bản và điều, khoản hoặc mục."),
        ("time", "Thời gian trả lời, tính bằng giây (số nguyên lớn hơn 0)."),
        ("points", "Điểm của câu (ví dụ 0.4)."),
        ("set", "Số bộ đề; phải trùng với bộ đề đang nhập (--set)."),
        ("basis", "Căn cứ pháp lý (không bắt buộc khi nhập, bắt buộc khi kiểm tra): "
                  "'số văn bản, điều, khoản'; nhiều căn cứ cách nhau bởi dấu ';'."),
        ("level", "Mức độ (không bắt buộc): 1 nhận biết, 2 thông hiểu, 3 vận dụng."),
        ("note", "Ghi chú (không bắt buộc), ví dụ điều khoản chưa đối chiếu được."),
    ):
        guide.append(list(row))
    guide.column_dimensions["A"].width = 12
    guide.column_dimensions["B"].width = 70
    workbook.save(path)


def write_excel_template(path: Path) -> None:
    """Write the blank Excel template for quiz questions."""
    write_quiz_excel([], path)


# --------------------------------------------------------------------------- entry point


def import_quiz_file(
    path: Path,
    fmt: str,
    *,
    set_number: int,
    defaults: Mapping[str, str] | None = None,
    code_prefix: str | None = None,
) -> list[QuizQuestion]:
    """Import every question of ``path`` (format ``gift``, ``aiken`` or ``excel``).

    ``defaults`` fills topic/source/time/points that an item does not give; a GIFT or
    Aiken item without a code gets ``code_prefix`` + its position (01, 02 …), the prefix
    defaulting to ``KT<set>-``. Raises ``ImportRejected`` if ANY item is bad.
    """
    path = Path(path)
    rel = path.name
    errors: list[BankError] = []
    if fmt not in FORMATS:
        raise ImportRejected([BankError(rel, 0, f"Định dạng '{fmt}' không được hỗ trợ.")])
    if fmt == "excel":
        blocks = read_excel(path, rel, errors, set_number=set_number)
    else:
        text = read_text(path, rel, errors)
        reader: Callable[[str, str, list[BankError]], list[Block]]
        reader = read_gift if fmt == "gift" else read_aiken
        blocks = reader(text, rel, errors) if text is not None else []
    prefix = code_prefix if code_prefix is not None else f"KT{set_number}-"
    questions: list[QuizQuestion] = []
    seen: dict[str, int] = {}
    for position, block in enumerate(blocks, start=1):
        if fmt != "excel":
            if block.first("code") is None:
                block.add("code", f"{prefix}{position:02d}", block.line)
            for key, value in (defaults or {}).items():
                if key in DEFAULTABLE_FIELDS and block.first(key) is None and value:
                    block.add(key, str(value), block.line)
        found = block.first("code")
        if found and found[0].strip():
            code = found[0].strip()
            if code in seen:
                errors.append(BankError(
                    rel, block.line, f"Mã {code} bị trùng với {rel}:{seen[code]}."
                ))
            else:
                seen[code] = block.line
        question = build_quiz_question(block, rel=rel, set_number=set_number, errors=errors)
        if question is not None:
            questions.append(question)
    if not blocks and not errors:
        errors.append(BankError(rel, 0, "Tệp không có câu hỏi nào."))
    if errors:
        errors.sort(key=lambda e: e.line)
        raise ImportRejected(errors)
    return questions


__all__ = [
    "EXCEL_COLUMNS", "EXCEL_OPTIONAL_COLUMNS", "FORMATS", "ImportRejected", "OPTION_LETTERS", "import_quiz_file",
    "read_aiken", "read_excel", "read_gift", "write_excel_template", "write_quiz_excel",
]
