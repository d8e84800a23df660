"""The shipped banks load, and `flask banks check` names every error by file and line."""
from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import flask
import pytest

from contest_app.question_banks.commands import DEFAULT_ROOT, banks_cli
from contest_app.question_banks.loader import (
    OPTION_LETTERS,
    BanksInvalid,
    check_banks,
    load_banks,
)


@pytest.fixture()
def runner():
    app = flask.Flask(__name__)
    app.cli.add_command(banks_cli)
    return app.test_cli_runner()


CURRENT = DEFAULT_ROOT / "2027"
HISTORY = DEFAULT_ROOT / "2019"


@pytest.fixture()
def bank(tmp_path: Path) -> Path:
    """A writable copy of the shipped current bank (quiz/ and situations/ at its root)."""
    root = tmp_path / "question_banks"
    shutil.copytree(CURRENT, root)
    return root


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line equal to ``text``."""
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def block_lines(path: Path, code: str) -> list[str]:
    """The lines of the block whose code is ``code``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"code: {code}")
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    return lines[start:end]


def edit_block(path: Path, code: str, edit) -> None:
    """Replace the block of ``code`` by ``edit(lines)``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"code: {code}")
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    lines[start:end] = edit(lines[start:end])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(runner, root: Path):
    return runner.invoke(args=["banks", "check", "--root", str(root)])


def error_lines(result) -> list[str]:
    """The errors printed (warnings, e.g. across sets, left out)."""
    return [line for line in result.stderr.splitlines() if ": Cảnh báo: " not in line]


# --------------------------------------------------------------------------- shipped banks


@pytest.mark.parametrize("folder", [HISTORY, CURRENT], ids=["2019", "2027"])
def test_shipped_banks_load_with_exact_counts(folder):
    banks = load_banks(folder)

    assert [s.number for s in banks.quiz_sets] == [1, 2, 3, 4, 5]
    assert [len(s.questions) for s in banks.quiz_sets] == [25, 25, 25, 25, 25]
    assert [s.total_points for s in banks.quiz_sets] == [Decimal(10)] * 5
    assert [s.number for s in banks.situation_sets] == [1, 2, 3, 4, 5]
    assert [len(s.situations) for s in banks.situation_sets] == [4, 4, 4, 4, 4]
    assert [s.total_points for s in banks.situation_sets] == [Decimal(15)] * 5
    assert (banks.quiz_count, banks.situation_count) == (125, 20)


@pytest.mark.parametrize("folder", [HISTORY, CURRENT], ids=["2019", "2027"])
def test_shipped_banks_every_item_complete_and_unique(folder):
    banks = load_banks(folder)
    questions = [q for s in banks.quiz_sets for q in s.questions]
    situations = [x for s in banks.situation_sets for x in s.situations]

    codes = [q.code for q in questions] + [x.code for x in situations]
    assert len(set(codes)) == 145
    assert all(q.source.strip() and q.topic.strip() and q.stem.strip() for q in questions)
    assert all(q.basis.strip() for q in questions) and all(x.basis.strip() for x in situations)
    assert all(len(q.options) == 4 and all(o.strip() for o in q.options) for q in questions)
    assert {q.key for q in questions} == set(OPTION_LETTERS)
    assert {q.points for q in questions} == {Decimal("0.4")}
    assert all(x.source.strip() and x.answer.strip() and x.marking.strip() for x in situations)
    assert all(1 <= len(x.questions) <= 3 for x in situations)
    assert {x.points for x in situations} == {Decimal("3.75")}
    assert all(q.code.startswith(f"KT{q.set_number}-") for q in questions)
    assert all(x.code.startswith(f"TH{x.set_number}-") for x in situations)


def test_shipped_banks_carry_their_valid_as_of_date():
    history, current = load_banks(HISTORY), load_banks(CURRENT)

    assert {s.valid_as_of for s in history.quiz_sets + history.situation_sets} == {date(2020, 2, 21)}
    assert {s.valid_as_of for s in current.quiz_sets + current.situation_sets} == {date(2026, 12, 1)}
    assert all(q.level in (1, 2, 3) for s in current.quiz_sets for q in s.questions)


@pytest.mark.parametrize("folder", [HISTORY, CURRENT], ids=["2019", "2027"])
def test_shipped_banks_keys_are_spread_over_the_letters(folder):
    """No set gives away its answers by always using the same letter."""
    banks = load_banks(folder)
    for quiz_set in banks.quiz_sets:
        counts = {letter: 0 for letter in OPTION_LETTERS}
        for q in quiz_set.questions:
            counts[q.key] += 1
        assert max(counts.values()) <= 10, (quiz_set.number, counts)


def test_check_command_passes_on_shipped_banks(runner):
    result = runner.invoke(args=["banks", "check", "--as-of", "2026-12-01"])

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Ngân hàng 2019 (lịch sử kỳ thi năm 2019, không dùng cho kỳ thi mới): 5 bộ đề trắc "
        "nghiệm, 5 bộ tình huống; 18 cảnh báo (xem: --bank 2019)."
    )
    assert lines[1] == (
        "Ngân hàng 2027 (Ngân hàng câu hỏi kỳ thi tiếp theo (pháp luật ngày 01/12/2026)), "
        "đối chiếu pháp luật ngày 01/12/2026:"
    )
    assert [line.split(" (")[0] for line in lines[2:12]] == [
        *(f"  Bộ đề trắc nghiệm số {n}" for n in range(1, 6)),
        *(f"  Bộ tình huống số {n}" for n in range(1, 6)),
    ]
    assert lines[12:] == [
        "Hợp lệ: 5 bộ đề trắc nghiệm (125 câu), 5 bộ tình huống (20 tình huống).",
    ]
    assert all(line.endswith("(khác bộ đề)") for line in result.stderr.splitlines())


# --------------------------------------------------------------------------- broken copies


def test_check_missing_key_names_file_and_line(runner, bank):
    path = bank / "quiz" / "bo-de-1.txt"
    code_line = line_of(path, "code: KT1-03")
    edit_block(path, "KT1-03", lambda lines: [l for l in lines if not l.startswith("key:")])

    result = check(runner, bank)

    assert result.exit_code == 1
    assert error_lines(result) == [
        f"quiz/bo-de-1.txt:{code_line}: Câu KT1-03 thiếu đáp án đúng (key).",
        "Không hợp lệ: 1 lỗi.",
    ]
    assert "Hợp lệ" not in result.stdout


def test_check_key_not_among_options(runner, bank):
    path = bank / "quiz" / "bo-de-2.txt"
    edit_block(path, "KT2-10", lambda lines: [
        "key: E" if l.startswith("key:") else l for l in lines
    ])
    key_line = line_of(path, "key: E")

    result = check(runner, bank)

    assert result.exit_code == 1
    assert error_lines(result) == [
        f"quiz/bo-de-2.txt:{key_line}: Câu KT2-10 có đáp án đúng 'E' không nằm "
        "trong các phương án (A, B, C, D).",
        "Không hợp lệ: 1 lỗi.",
    ]


def test_check_duplicate_code_across_files(runner, bank):
    first_line = line_of(bank / "quiz" / "bo-de-1.txt", "code: KT1-01")
    path = bank / "quiz" / "bo-de-3.txt"
    dup_line = line_of(path, "code: KT3-07")
    edit_block(path, "KT3-07", lambda lines: ["code: KT1-01", *lines[1:]])

    result = check(runner, bank)

    assert result.exit_code == 1
    assert error_lines(result) == [
        f"quiz/bo-de-3.txt:{dup_line}: Mã KT1-01 bị trùng với quiz/bo-de-1.txt:{first_line}.",
        "Không hợp lệ: 1 lỗi.",
    ]


def test_check_duplicate_code_between_quiz_and_situation(runner, bank):
    first_line = line_of(bank / "quiz" / "bo-de-1.txt", "code: KT1-01")
    path = bank / "situations" / "bo-de-2.txt"
    dup_line = line_of(path, "code: TH2-01")
    edit_block(path, "TH2-01", lambda lines: ["code: KT1-01", *lines[1:]])

    result = check(runner, bank)

    assert error_lines(result) == [
        f"situations/bo-de-2.txt:{dup_line}: Mã KT1-01 bị trùng với "
        f"quiz/bo-de-1.txt:{first_line}.",
        "Không hợp lệ: 1 lỗi.",
    ]


def test_check_five_options(runner, bank):
    path = bank / "quiz" / "bo-de-4.txt"

    def add_option(lines):
        at = next(i for i, l in enumerate(lines) if l.startswith("D:")) + 1
        return [*lines[:at], "E: Một phương án thứ năm", *lines[at:]]

    edit_block(path, "KT4-12", add_option)
    e_line = line_of(path, "E: Một phương án thứ năm")

    result = check(runner, bank)

    assert result.exit_code == 1
    assert error_lines(result) == [
        f"quiz/bo-de-4.txt:{e_line}: Câu KT4-12 có 5 phương án (E là thừa); "
        "mỗi câu phải có đúng 4 phương án A, B, C, D.",
        "Không hợp lệ: 1 lỗi.",
    ]


def test_check_fewer_than_four_options(runner, bank):
    path = bank / "quiz" / "bo-de-1.txt"
    block = block_lines(path, "KT1-05")
    key = next(l for l in block if l.startswith("key:")).split(": ")[1]
    dropped = "A" if key != "A" else "B"
    code_line = line_of(path, "code: KT1-05")
    edit_block(path, "KT1-05", lambda lines: [
        l for l in lines if not l.startswith(f"{dropped}:")
    ])

    result = check(runner, bank)

    assert error_lines(result) == [
        f"quiz/bo-de-1.txt:{code_line}: Câu KT1-05 chỉ có 3 phương án (thiếu {dropped}); "
        "mỗi câu phải có đúng 4 phương án A, B, C, D.",
        "Không hợp lệ: 1 lỗi.",
    ]


def test_check_empty_source(runner, bank):
    path = bank / "quiz" / "bo-de-5.txt"
    edit_block(path, "KT5-25", lambda lines: [
        "source:" if l.startswith("source:") else l for l in lines
    ])
    source_line = line_of(path, "code: KT5-25") + block_lines(path, "KT5-25").index("source:")

    result = check(runner, bank)

    assert error_lines(result) == [
        f"quiz/bo-de-5.txt:{source_line}: Câu KT5-25 có nguồn (source) để trống.",
        "Không hợp lệ: 1 lỗi.",
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("points", "abc", "có điểm 'abc' không hợp lệ: phải là số lớn hơn 0 (ví dụ 0.4)."),
        ("points", "0", "có điểm '0' không hợp lệ: phải là số lớn hơn 0 (ví dụ 0.4)."),
        ("time", "-5", "có thời gian '-5' không hợp lệ: phải là số giây nguyên, lớn hơn 0."),
        ("time", "0", "có thời gian '0' không hợp lệ: phải là số giây nguyên, lớn hơn 0."),
        ("time", "ba mươi", "có thời gian 'ba mươi' không hợp lệ: phải là số giây nguyên, "
                            "lớn hơn 0."),
    ],
)
def test_check_bad_points_or_time(runner, bank, field, value, message):
    path = bank / "quiz" / "bo-de-1.txt"
    edit_block(path, "KT1-02", lambda lines: [
        f"{field}: {value}" if l.startswith(f"{field}:") else l for l in lines
    ])
    bad_line = line_of(path, f"{field}: {value}")

    result = check(runner, bank)

    assert error_lines(result) == [
        f"quiz/bo-de-1.txt:{bad_line}: Câu KT1-02 {message}",
        "Không hợp lệ: 1 lỗi.",
    ]


def test_check_empty_stem_and_unknown_field(runner, bank):
    path = bank / "quiz" / "bo-de-1.txt"

    def edit(lines):
        lines = [l for l in lines if not l.startswith("  ")]  # drop stem continuations
        lines = ["stem:" if l.startswith("stem:") else l for l in lines]
        return [*lines, "hint: gợi ý"]

    edit_block(path, "KT1-04", edit)
    stem_line = line_of(path, "stem:")
    hint_line = line_of(path, "hint: gợi ý")

    result = check(runner, bank)

    assert error_lines(result) == [
        f"quiz/bo-de-1.txt:{stem_line}: Câu KT1-04 có nội dung câu hỏi (stem) để trống.",
        f"quiz/bo-de-1.txt:{hint_line}: Câu KT1-04 có trường không hợp lệ 'hint'.",
        "Không hợp lệ: 2 lỗi.",
    ]


def test_check_set_size(runner, bank):
    path = bank / "quiz" / "bo-de-2.txt"
    edit_block(path, "KT2-25", lambda lines: [])
    header_line = line_of(path, "title: Bộ đề trắc nghiệm số 2")

    result = check(runner, bank)

    assert error_lines(result) == [
        f"quiz/bo-de-2.txt:{header_line}: Bộ đề trắc nghiệm số 2 có 24 câu, khác với số "
        "câu khai báo (count: 25).",
        "Không hợp lệ: 1 lỗi.",
    ]


def test_check_set_total(runner, bank):
    path = bank / "quiz" / "bo-de-2.txt"
    edit_block(path, "KT2-25", lambda lines: [
        "points: 0.5" if l.startswith("points:") else l for l in lines
    ])
    header_line = line_of(path, "title: Bộ đề trắc nghiệm số 2")

    result = check(runner, bank)

    assert error_lines(result) == [
        f"quiz/bo-de-2.txt:{header_line}: Tổng điểm bộ đề trắc nghiệm số 2 là 10.1, khác "
        "với tổng điểm khai báo (total: 10).",
        "Không hợp lệ: 1 lỗi.",
    ]


def test_check_situation_without_question(runner, bank):
    path = bank / "situations" / "bo-de-3.txt"
    code_line = line_of(path, "code: TH3-02")

    def drop_questions(lines):
        out, skipping = [], False
        for l in lines:
            if l.startswith("question:"):
                skipping = True
                continue
            if skipping and l.startswith("  "):
                continue
            skipping = False
            out.append(l)
        return out

    edit_block(path, "TH3-02", drop_questions)

    result = check(runner, bank)

    assert error_lines(result) == [
        f"situations/bo-de-3.txt:{code_line}: Tình huống TH3-02 thiếu câu hỏi (question).",
        "Không hợp lệ: 1 lỗi.",
    ]


def test_check_collects_every_error_at_once(runner, bank):
    """Five different breakages in three files: all reported, in file and line order."""
    q1 = bank / "quiz" / "bo-de-1.txt"
    q3 = bank / "quiz" / "bo-de-3.txt"
    q1_line = line_of(q1, "code: KT1-01")
    k3_line = line_of(q1, "code: KT1-03")
    edit_block(q1, "KT1-03", lambda lines: [l for l in lines if not l.startswith("key:")])
    edit_block(q1, "KT1-09", lambda lines: [
        "source:" if l.startswith("source:") else l for l in lines
    ])
    s9_line = line_of(q1, "code: KT1-09") + block_lines(q1, "KT1-09").index("source:")
    dup_line = line_of(q3, "code: KT3-01")
    edit_block(q3, "KT3-01", lambda lines: ["code: KT1-01", *lines[1:]])

    result = check(runner, bank)

    assert result.exit_code == 1
    assert error_lines(result) == [
        f"quiz/bo-de-1.txt:{k3_line}: Câu KT1-03 thiếu đáp án đúng (key).",
        f"quiz/bo-de-1.txt:{s9_line}: Câu KT1-09 có nguồn (source) để trống.",
        f"quiz/bo-de-3.txt:{dup_line}: Mã KT1-01 bị trùng với quiz/bo-de-1.txt:{q1_line}.",
        "Không hợp lệ: 3 lỗi.",
    ]


def test_load_banks_raises_with_every_error(bank):
    path = bank / "quiz" / "bo-de-1.txt"
    edit_block(path, "KT1-03", lambda lines: [l for l in lines if not l.startswith("key:")])
    edit_block(path, "KT1-04", lambda lines: [l for l in lines if not l.startswith("key:")])

    with pytest.raises(BanksInvalid) as raised:
        load_banks(bank)

    assert [e.message for e in raised.value.errors] == [
        "Câu KT1-03 thiếu đáp án đúng (key).",
        "Câu KT1-04 thiếu đáp án đúng (key).",
    ]
    banks, errors = check_banks(bank)
    assert len(errors) == 2
    assert [s.number for s in banks.quiz_sets] == [2, 3, 4, 5]  # the broken file is left out


def test_check_missing_root(runner, tmp_path):
    result = check(runner, tmp_path / "khong-co")

    assert result.exit_code == 1
    assert error_lines(result) == [
        f"{tmp_path / 'khong-co'}: Không tìm thấy thư mục ngân hàng câu hỏi.",
        "Không hợp lệ: 1 lỗi.",
    ]


def test_loader_imports_only_the_standard_library():
    """The loader must run without Flask or the models (CI, editor hooks)."""
    import ast
    import sys

    import contest_app.question_banks.loader as loader

    tree = ast.parse(Path(loader.__file__).read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add(node.module.split(".")[0])
    assert modules - {"__future__"} <= set(sys.stdlib_module_names)
