"""`banks check` beyond the format: the law in force on a day, and the quality checks.

Each checker is shown failing on a crafted bank and passing on the shipped banks.
"""
from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import flask
import pytest

from contest_app.question_banks.catalog import bank_folders, bank_for_edition, offered_banks
from contest_app.question_banks.checks import check_law, check_quality, marking_steps, number_tokens
from contest_app.question_banks.commands import DEFAULT_ROOT, banks_cli
from contest_app.question_banks.loader import (
    BankError,
    Banks,
    QuizQuestion,
    QuizSet,
    Situation,
    SituationSet,
    load_banks,
)
from contest_app.question_banks.register import load_register, numbers_in, parse_basis

CURRENT = DEFAULT_ROOT / "2027"
HISTORY = DEFAULT_ROOT / "2019"
REGISTER, REGISTER_ERRORS = load_register(DEFAULT_ROOT / "legal_register.csv")
AS_OF = date(2026, 12, 1)


def question(set_number: int, i: int, **changes) -> QuizQuestion:
    """Item i of a crafted set: keys A, B, C, D in turn, options of equal length."""
    values = dict(
        code=f"KT{set_number}-{i:02d}", topic="Cơ chế một cửa",
        stem=f"Nội dung riêng của câu thứ {i} trong bộ {set_number}?",
        options=tuple(f"Lựa chọn {letter} dành cho mục {set_number}.{i:02d}" for letter in "ABCD"),
        key="ABCD"[(i - 1) % 4], source="Nghị định 118/2025/NĐ-CP, Điều 14",
        time_seconds=30, points=Decimal("0.4"), set_number=set_number,
        file=f"quiz/bo-de-{set_number}.txt", line=10 + 13 * i, basis="118/2025/NĐ-CP, Điều 14, khoản 2",
        level=1, basis_line=22 + 13 * i,
    )
    values.update(changes)
    return QuizQuestion(**values)


def quiz_set(set_number: int, edit=None, n: int = 25) -> QuizSet:
    items = [question(set_number, i) for i in range(1, n + 1)]
    if edit:
        items = edit(items)
    return QuizSet(set_number, f"Bộ đề {set_number}", tuple(items), f"quiz/bo-de-{set_number}.txt", AS_OF)


def situation(code: str = "TH1-01", **changes) -> Situation:
    values = dict(
        code=code, topic="Tiếp nhận hồ sơ",
        text="Người dân nộp hồ sơ tại Trung tâm Phục vụ hành chính công xã.",
        questions=("Công chức xử lý thế nào?",), answer="Hướng dẫn một lần.",
        marking="1,25 điểm: thái độ.\n1,5 điểm: hướng dẫn một lần.\n1,0 điểm: căn cứ.",
        source="Nghị định 118/2025/NĐ-CP", time_seconds=180, points=Decimal("3.75"), set_number=1,
        file="situations/bo-de-1.txt", line=10, basis="118/2025/NĐ-CP, Điều 14", level=2,
        marking_line=16, basis_line=20,
    )
    values.update(changes)
    return Situation(**values)


def banks(*sets: QuizSet, situations: tuple[Situation, ...] = ()) -> Banks:
    situation_sets = (SituationSet(1, "Bộ tình huống 1", situations, "situations/bo-de-1.txt", AS_OF),) if situations else ()
    return Banks(tuple(sets), situation_sets)


def replace(items: list[QuizQuestion], index: int, **changes) -> list[QuizQuestion]:
    items = list(items)
    items[index] = question(items[index].set_number, index + 1, **{**_fields(items[index]), **changes})
    return items


def _fields(q: QuizQuestion) -> dict:
    return dict(topic=q.topic, stem=q.stem, options=q.options, key=q.key, basis=q.basis, level=q.level)


# --------------------------------------------------------------------------- the clean baseline


def test_crafted_bank_passes_every_quality_check():
    report = check_quality(banks(quiz_set(1), quiz_set(2), situations=(situation(),)))

    assert (report.errors, report.warnings) == ([], [])


@pytest.mark.parametrize("folder", [CURRENT], ids=["2027"])
def test_shipped_current_bank_passes_law_and_quality(folder):
    shipped = load_banks(folder)

    assert check_law(shipped, as_of=AS_OF, register=REGISTER).errors == []
    assert check_quality(shipped).errors == []
    assert REGISTER_ERRORS == []


# --------------------------------------------------------------------------- law in force


def test_item_citing_30c_is_refused_on_the_day_checked():
    def edit(items):
        items = replace(items, 4, basis="30c/NQ-CP, mục II")
        items[4] = QuizQuestion(**{**items[4].__dict__, "source": "Nghị quyết 30c/NQ-CP ngày 08/11/2011"})
        return items

    bad = quiz_set(1, edit)

    report = check_law(banks(bad), as_of=AS_OF, register=REGISTER)

    assert report.errors == [BankError(
        "quiz/bo-de-1.txt", 22 + 13 * 5,
        "Câu KT1-05 dựa vào 30c/NQ-CP, văn bản đã hết hiệu lực từ sau ngày 31/12/2020, "
        "đã được thay thế bởi 76/NQ-CP.",
    )]
    # The same item was fine while the 2011–2020 programme ran.
    in_2019 = check_law(banks(bad), as_of=date(2019, 10, 29), register=REGISTER).errors
    assert [e for e in in_2019 if "KT1-05" in e.message] == []


def test_text_not_yet_in_force_and_source_numbers_are_checked():
    early = quiz_set(1, lambda items: replace(items, 0, basis="80/2025/QH15, Điều 7, khoản 5"))
    report = check_law(banks(early), as_of=date(2025, 6, 30), register=REGISTER)

    assert [str(e) for e in report.errors[:2]] == [
        "quiz/bo-de-1.txt:35: Câu KT1-01 dựa vào 80/2025/QH15, văn bản chưa có hiệu lực ngày 30/06/2025 "
        "(có hiệu lực từ 01/07/2025).",
        "quiz/bo-de-1.txt:23: Câu KT1-01 dựa vào 118/2025/NĐ-CP, văn bản chưa có hiệu lực ngày 30/06/2025 "
        "(có hiệu lực từ 01/07/2025).",
    ]
    assert len(report.errors) == 26  # every other item cites Nghị định 118/2025/NĐ-CP


def test_citation_outside_the_register_without_article_or_basis():
    def edit(items):
        items = replace(items, 0, basis="999/2025/NĐ-CP, Điều 1")
        items = replace(items, 1, basis="118/2025/NĐ-CP")
        items[2] = question(1, 3, basis="", basis_line=0)
        items[3] = question(1, 4, source="Nghị định 61/2018/NĐ-CP, Điều 3; Quyết định 123/QĐ-XYZ")
        return items

    report = check_law(banks(quiz_set(1, edit)), as_of=AS_OF, register=REGISTER)

    assert [str(e) for e in report.errors] == [
        "quiz/bo-de-1.txt:35: Câu KT1-01 trích dẫn văn bản '999/2025/NĐ-CP' không có trong sổ văn bản "
        "pháp luật (legal_register.csv).",
        "quiz/bo-de-1.txt:48: Câu KT1-02 trích dẫn 118/2025/NĐ-CP nhưng không ghi điều, khoản (hoặc mục).",
        "quiz/bo-de-1.txt:49: Câu KT1-03 thiếu căn cứ pháp lý (basis).",
        "quiz/bo-de-1.txt:62: Câu KT1-04 có nguồn nêu văn bản '123/QĐ-XYZ' không có trong sổ văn bản "
        "pháp luật (legal_register.csv).",
        "quiz/bo-de-1.txt:62: Câu KT1-04 dựa vào 61/2018/NĐ-CP, văn bản đã hết hiệu lực từ sau ngày "
        "30/06/2025, đã được thay thế bởi 118/2025/NĐ-CP.",
    ]


def test_file_without_valid_as_of_is_refused():
    undated = QuizSet(1, "Bộ đề 1", quiz_set(1).questions, "quiz/bo-de-1.txt", None)

    report = check_law(banks(undated), as_of=None, register=REGISTER)

    assert [str(e) for e in report.errors] == [
        "quiz/bo-de-1.txt:1: Khối đầu tệp thiếu ngày đối chiếu pháp luật (valid_as_of), "
        "ví dụ 'valid_as_of: 2026-12-01'.",
    ]


def test_register_parses_and_reports_its_own_errors(tmp_path):
    path = tmp_path / "legal_register.csv"
    path.write_text(
        "number,title,kind,issued,in_force_from,replaced_by,in_force_until,note\n"
        "1/2020/NĐ-CP,Văn bản cũ,Nghị định,2020-01-01,2020-02-01,2/2025/NĐ-CP,2025-06-30,\n"
        "3/2021/NĐ-CP,Văn bản lỗi,Nghị định,01-01-2021,2021-02-01,,,\n",
        encoding="utf-8",
    )

    documents, errors = load_register(path)

    assert [str(e) for e in errors] == [
        "legal_register.csv:3: Cột issued '01-01-2021' không phải ngày (NNNN-TT-NN).",
        "legal_register.csv:2: Văn bản thay thế 2/2025/NĐ-CP không có trong sổ.",
    ]
    assert documents["1/2020/NĐ-CP"].in_force_on(date(2025, 6, 30)) is True
    assert documents["1/2020/NĐ-CP"].in_force_on(date(2025, 7, 1)) is False
    assert parse_basis("118/2025/NĐ-CP, Điều 14, khoản 2; 76/NQ-CP, mục III")[1].location == "mục III"
    assert numbers_in("Quyết định 19/2014/QĐ-TTg; Nghị quyết 30c/NQ-CP; Công văn 11254/UBND") == [
        "19/2014/QĐ-TTg", "30c/NQ-CP", "11254/UBND",
    ]


# --------------------------------------------------------------------------- giveaways


def test_stem_quoting_another_items_answer_is_an_error_within_a_set():
    key = "Lựa chọn A dành cho mục 1.01"
    bad = quiz_set(1, lambda items: replace(items, 1, stem=f"Vì sao “{key}” lại đúng ở câu trước?"))

    report = check_quality(banks(bad))

    assert report.errors == [BankError(
        "quiz/bo-de-1.txt", 36, f"Câu KT1-02 có nội dung câu hỏi chứa đáp án của câu KT1-01 "
        f"(quiz/bo-de-1.txt:23): “{key}”.",
    )]


def test_option_quoting_another_items_answer_is_an_error_within_a_set():
    key = "Lựa chọn B dành cho mục 1.02"
    bad = quiz_set(1, lambda items: replace(items, 2, options=(
        f"{key} và thêm nữa", "Lựa chọn B dành cho mục 1.03", "Lựa chọn C dành cho mục 1.03",
        "Lựa chọn D dành cho mục 1.03",
    ), key="C"))

    report = check_quality(banks(bad))

    assert [str(e) for e in report.errors] == [
        f"quiz/bo-de-1.txt:49: Câu KT1-03 có một phương án chứa đáp án của câu KT1-02 "
        f"(quiz/bo-de-1.txt:36): “{key}”.",
    ]


def test_stem_quoting_an_answer_of_another_set_is_a_warning():
    key = "Lựa chọn A dành cho mục 1.01"
    other = quiz_set(2, lambda items: replace(items, 0, stem=f"Câu nào nhắc “{key}”?"))

    report = check_quality(banks(quiz_set(1), other))

    assert report.errors == []
    assert [str(e) for e in report.warnings] == [
        f"quiz/bo-de-2.txt:23: Câu KT2-01 có nội dung câu hỏi chứa đáp án của câu KT1-01 "
        f"(quiz/bo-de-1.txt:23): “{key}”. (khác bộ đề)",
    ]


def test_stem_quoting_a_figure_only_the_key_has_is_an_error():
    def edit(items):
        items = replace(items, 0, stem="Vòng chung khảo có bao nhiêu đội?", options=(
            "12 đội", "14 đội", "15 đội", "10 đội"), key="A")
        return replace(items, 5, stem="Trong 12 đội vào chung khảo, khối xã có mấy đội?")

    report = check_quality(banks(quiz_set(1, edit)))

    assert [str(e) for e in report.errors] == [
        "quiz/bo-de-1.txt:88: Câu KT1-06 có nội dung câu hỏi nêu số liệu “12 đội” chỉ có ở đáp án "
        "của câu KT1-01 (quiz/bo-de-1.txt:23): “12 đội”.",
    ]
    assert number_tokens("Tối thiểu 80% vào năm 2020, lần thứ 4; ngày 01/7/2025") == {"80%", "01/7/2025"}


# --------------------------------------------------------------------------- keys


def test_keys_must_be_spread_over_the_letters():
    bad = quiz_set(1, lambda items: [question(1, i, key="A" if i <= 12 else "BCD"[i % 3]) for i in range(1, 26)])

    report = check_quality(banks(bad))

    assert [str(e) for e in report.errors] == [
        "quiz/bo-de-1.txt: Bộ đề trắc nghiệm số 1: đáp án phân bố lệch (A=12, B=4, C=5, D=4); "
        "mỗi chữ cái A–D phải là đáp án của 4 đến 9 câu.",
    ]


@pytest.mark.parametrize(("longest", "refused"), [(7, False), (8, True)])
def test_share_of_keys_that_are_the_longest_option(longest, refused):
    def edit(items):
        for i in range(longest):
            q = items[i]
            options = list(q.options)
            k = "ABCD".index(q.key)
            options[k] = options[k] + " (đầy đủ)"
            items = replace(items, i, options=tuple(options))
        return items

    report = check_quality(banks(quiz_set(1, edit)))

    expected = [
        "quiz/bo-de-1.txt:23: Bộ đề trắc nghiệm số 1: 8/25 câu có đáp án là phương án dài nhất "
        "(tối đa 30%): KT1-01, KT1-02, KT1-03, KT1-04, KT1-05, KT1-06, KT1-07, KT1-08.",
    ]
    assert [str(e) for e in report.errors] == (expected if refused else [])
    assert report.stats[0].longest_keys == longest


# --------------------------------------------------------------------------- same fact, past contests


def test_same_fact_asked_twice():
    twin = dict(stem="Nội dung riêng của câu thứ 1 trong bộ 1?", options=question(1, 1).options, key="A")

    within = check_quality(banks(quiz_set(1, lambda items: replace(items, 4, **twin))))
    across = check_quality(banks(quiz_set(1), quiz_set(2, lambda items: replace(items, 0, **twin))))

    assert [str(e) for e in within.errors] == [
        "quiz/bo-de-1.txt:75: Câu KT1-05 hỏi lại cùng một nội dung với câu KT1-01 (quiz/bo-de-1.txt:23).",
    ]
    assert across.errors == []
    assert [str(e) for e in across.warnings] == [
        "quiz/bo-de-2.txt:23: Câu KT2-01 hỏi lại cùng một nội dung với câu KT1-01 (quiz/bo-de-1.txt:23). "
        "(khác bộ đề)",
    ]


def test_at_most_two_items_per_set_about_past_contests():
    def edit(items):
        for i in (2, 9, 20):
            items = replace(items, i, topic="Cuộc thi mô hình, sáng kiến CCHC")
        return items

    report = check_quality(banks(quiz_set(1, edit)))

    assert [str(e) for e in report.errors] == [
        "quiz/bo-de-1.txt:283: Bộ đề trắc nghiệm số 1 có 3 câu về các cuộc thi trước (tối đa 2): "
        "KT1-03, KT1-10, KT1-21.",
    ]


# --------------------------------------------------------------------------- situations


def test_marking_steps_must_add_up_to_the_points():
    short = situation(marking="1,25 điểm: thái độ.\n1,5 điểm: hướng dẫn.")
    flat = situation(code="TH1-02", marking="Chấm theo mức độ đầy đủ của câu trả lời.")

    report = check_quality(banks(quiz_set(1), situations=(short, flat)))

    assert [str(e) for e in report.errors] == [
        "situations/bo-de-1.txt:16: Tình huống TH1-01 có các bước chấm cộng lại 2,75 điểm, "
        "khác điểm tối đa 3,75.",
        "situations/bo-de-1.txt:16: Tình huống TH1-02 có hướng dẫn chấm không chia thành các bước "
        "điểm (mỗi dòng dạng '0,75 điểm: …').",
    ]
    assert marking_steps("0,75 điểm: a\n  ghi chú\n3 điểm: b") == [Decimal("0.75"), Decimal("3")]


def test_situation_in_a_district_body_is_refused():
    old = situation(text="Chị H. nộp hồ sơ tại Bộ phận Một cửa UBND huyện.")

    report = check_quality(banks(quiz_set(1), situations=(old,)))

    assert [str(e) for e in report.errors] == [
        "situations/bo-de-1.txt:10: Tình huống TH1-01 đặt trong cơ quan cấp huyện (“UBND huyện”), "
        "cấp đã kết thúc hoạt động từ 01/7/2025.",
    ]


# --------------------------------------------------------------------------- difficulty, history


def test_difficulty_proxy_per_set_and_unbalanced_sets():
    hard = quiz_set(2, lambda items: [question(2, i, level=3 if i <= 10 else 1) for i in range(1, 26)])

    report = check_quality(banks(quiz_set(1), hard))

    assert [s.line() for s in report.stats] == [
        "Bộ đề trắc nghiệm số 1 (quiz/bo-de-1.txt): mức độ trung bình 1,00; luôn chọn phương án dài "
        "nhất được 2,5/10 điểm (đáp án dài nhất 0/25 câu, 0,0%); đáp án A=7, B=6, C=6, D=6; trung bình "
        "42 chữ mỗi câu.",
        "Bộ đề trắc nghiệm số 2 (quiz/bo-de-2.txt): mức độ trung bình 1,80; luôn chọn phương án dài "
        "nhất được 2,5/10 điểm (đáp án dài nhất 0/25 câu, 0,0%); đáp án A=7, B=6, C=6, D=6; trung bình "
        "42 chữ mỗi câu.",
    ]
    assert [str(e) for e in report.warnings] == [
        "Các bộ đề trắc nghiệm chưa cân bằng: mức độ trung bình từ 1,00 đến 1,80 (chênh tối đa 0,3).",
    ]


def test_history_bank_findings_are_warnings_only():
    bad = quiz_set(1, lambda items: [question(1, i, key="A") for i in range(1, 26)])

    report = check_quality(banks(bad), strict=False)

    assert report.errors == []
    assert [e.message for e in report.warnings] == [
        "Bộ đề trắc nghiệm số 1: đáp án phân bố lệch (A=25, B=0, C=0, D=0); mỗi chữ cái A–D phải là "
        "đáp án của 4 đến 9 câu.",
    ]


def test_the_2019_banks_are_history_and_not_offered_to_a_new_edition():
    folders, errors = bank_folders(DEFAULT_ROOT)

    assert errors == []
    assert [(f.name, f.status, f.edition_year) for f in folders] == [
        ("2019", "history", 2019), ("2027", "current", 2027),
    ]
    assert [f.name for f in offered_banks(DEFAULT_ROOT, year=2027)] == ["2027"]
    assert [f.name for f in offered_banks(DEFAULT_ROOT, year=2019)] == ["2019", "2027"]
    assert bank_for_edition(DEFAULT_ROOT, year=2019, chosen=None).name == "2019"
    assert bank_for_edition(DEFAULT_ROOT, year=2029, chosen=None).name == "2027"


# --------------------------------------------------------------------------- the command


@pytest.fixture()
def runner():
    app = flask.Flask(__name__)
    app.cli.add_command(banks_cli)
    return app.test_cli_runner()


def test_check_command_refuses_a_copy_citing_30c_with_file_and_line(runner, tmp_path):
    root = tmp_path / "question_banks"
    shutil.copytree(CURRENT, root)
    path = root / "quiz" / "bo-de-1.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("code: KT1-17")
    at = next(i for i in range(start, len(lines)) if lines[i].startswith("basis:"))
    lines[at] = "basis: 30c/NQ-CP, Chương trình kèm theo, mục III"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = runner.invoke(args=["banks", "check", "--root", str(root), "--as-of", "2026-12-01"])

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": Cảnh báo: " not in line]
    assert errors == [
        f"quiz/bo-de-1.txt:{at + 1}: Câu KT1-17 dựa vào 30c/NQ-CP, văn bản đã hết hiệu lực từ sau "
        "ngày 31/12/2020, đã được thay thế bởi 76/NQ-CP.",
        "Không hợp lệ: 1 lỗi.",
    ]


def test_check_command_on_a_day_before_the_2025_texts(runner):
    result = runner.invoke(args=["banks", "check", "--bank", "2027", "--as-of", "2025-06-01"])

    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Không hợp lệ: ") and int(last.split()[3]) > 100


def test_check_command_rejects_a_bad_date_and_unknown_bank(runner):
    bad_date = runner.invoke(args=["banks", "check", "--as-of", "01/13/2026"])
    unknown = runner.invoke(args=["banks", "check", "--bank", "2031"])

    assert bad_date.exit_code == 2
    assert "'01/13/2026' không phải ngày (NNNN-TT-NN, ví dụ 2026-12-01)." in bad_date.stderr
    assert unknown.exit_code == 1
    assert unknown.stderr == "Không có ngân hàng '2031' (có: 2019, 2027).\n"


def test_check_runs_without_the_app(tmp_path):
    """``python -m contest_app.question_banks check`` gives the same verdict, for CI and editor hooks."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "contest_app.question_banks", "check", "--bank", "2027", "--as-of", "2026-12-01"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == (
        "Hợp lệ: 5 bộ đề trắc nghiệm (125 câu), 5 bộ tình huống (20 tình huống)."
    )
