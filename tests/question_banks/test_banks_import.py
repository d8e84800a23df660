"""GIFT, Aiken and Excel imports round-trip through the writer; bad files import nothing."""
from __future__ import annotations

from decimal import Decimal

import flask
import pytest
from openpyxl import Workbook, load_workbook

from contest_app.question_banks.commands import DEFAULT_ROOT, banks_cli
from contest_app.question_banks.importers import (
    EXCEL_COLUMNS,
    ImportRejected,
    import_quiz_file,
    write_excel_template,
    write_quiz_excel,
)
from contest_app.question_banks.loader import load_banks, parse_quiz_text
from contest_app.question_banks.writer import write_quiz_set

SOURCE = "Nghị định 61/2018/NĐ-CP, Điều 3"

GIFT = """\
// Ngân hàng thử: hai câu trắc nghiệm.
$CATEGORY: CCHC/Một cửa

// topic: Cơ chế một cửa
// source: Nghị định 61/2018/NĐ-CP, Điều 3
// time: 45
// points: 0.4
::KT6-01::Cơ chế một cửa liên thông có đặc điểm gì?
{
=Nhiều cơ quan có thẩm quyền phối hợp giải quyết # đúng
~Chỉ áp dụng cho hồ sơ trực tuyến
~Người dân nộp hồ sơ tại từng cơ quan
~Chỉ áp dụng tại UBND cấp xã
}

// source: Báo cáo 2417/BC-SNV ngày 29/10/2019, mục I.2
::KT6-02::Điểm tối đa phần thi Kiến thức CCHC năm 2019 là bao nhiêu? Ghi chú\\: tính theo thang \\{0\\..10\\} {~5 điểm ~15 điểm =10 điểm ~75 điểm}
"""

AIKEN = """\
Bộ phận Một cửa cấp tỉnh theo mô hình mới gọi là gì?
A. Trung tâm Phục vụ hành chính công
B. Văn phòng Tiếp công dân
C. Trung tâm Dịch vụ công ích
D. Phòng Hành chính tổng hợp
ANSWER: A
SOURCE: Nghị định 61/2018/NĐ-CP, Điều 3
TOPIC: Cơ chế một cửa
TIME: 40

Năm 2019 có bao nhiêu mô hình dự Vòng chung khảo?
A) 9
B) 12
C) 14
D) 52
ANSWER: B
CODE: KT7-XX
"""


@pytest.fixture()
def runner():
    app = flask.Flask(__name__)
    app.cli.add_command(banks_cli)
    return app.test_cli_runner()


def round_trip(questions, set_number):
    """Write ``questions`` in the bank format and load them back."""
    errors = []
    text = write_quiz_set(questions, set_number=set_number, title="Thử")
    loaded = parse_quiz_text(text, "thu.txt", errors)
    assert errors == []
    return loaded.questions


# --------------------------------------------------------------------------- GIFT


def test_gift_import_reads_titles_escapes_and_metadata(tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(GIFT, encoding="utf-8")

    questions = import_quiz_file(
        path, "gift", set_number=6,
        defaults={"topic": "Kiến thức chung", "points": "0.4", "time": "30"},
    )

    first, second = questions
    assert (first.code, first.topic, first.key, first.time_seconds) == (
        "KT6-01", "Cơ chế một cửa", "A", 45
    )
    assert first.options == (
        "Nhiều cơ quan có thẩm quyền phối hợp giải quyết",
        "Chỉ áp dụng cho hồ sơ trực tuyến",
        "Người dân nộp hồ sơ tại từng cơ quan",
        "Chỉ áp dụng tại UBND cấp xã",
    )
    assert first.source == SOURCE
    assert second.stem == (
        "Điểm tối đa phần thi Kiến thức CCHC năm 2019 là bao nhiêu? "
        "Ghi chú: tính theo thang {0\\..10}"
    )
    assert (second.key, second.option("C"), second.time_seconds) == ("C", "10 điểm", 30)
    assert second.source == "Báo cáo 2417/BC-SNV ngày 29/10/2019, mục I.2"
    assert second.topic == "Kiến thức chung"  # from the defaults: the item gives none


def test_gift_round_trip(tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(GIFT, encoding="utf-8")
    questions = import_quiz_file(
        path, "gift", set_number=6, defaults={"topic": "Kiến thức chung", "points": "0.4", "time": "30"}
    )

    assert round_trip(questions, 6) == tuple(questions)
    assert [q.topic for q in questions] == ["Cơ chế một cửa", "Kiến thức chung"]
    assert [q.points for q in questions] == [Decimal("0.4"), Decimal("0.4")]


def test_gift_bad_items_import_nothing_and_are_named(tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text(
        "// source: Nguồn\n"
        "::A1::Câu tốt {=đúng ~sai 1 ~sai 2 ~sai 3}\n"
        "\n"
        "// source: Nguồn\n"
        "::A2::Câu không có đáp án đúng {~a ~b ~c ~d}\n"
        "\n"
        "// source: Nguồn\n"
        "::A3::Câu năm phương án {=a ~b ~c ~d ~e}\n"
        "\n"
        "::A4::Câu hai đáp án đúng {=a =b ~c ~d}\n"
        "\n"
        "::A5::Câu đúng sai {T}\n",
        encoding="utf-8",
    )

    with pytest.raises(ImportRejected) as raised:
        import_quiz_file(
            path, "gift", set_number=6, defaults={"topic": "T", "time": "30", "points": "0.4"}
        )

    assert [str(e) for e in raised.value.errors] == [
        "bad.gift:5: Câu A2 thiếu đáp án đúng (key).",
        "bad.gift:8: Câu A3 có 5 phương án (E là thừa); mỗi câu phải có đúng 4 phương án "
        "A, B, C, D.",
        "bad.gift:10: Câu A4 có 2 đáp án đúng (A, B); chỉ được có một.",
        "bad.gift:12: Câu A5 không phải câu trắc nghiệm nhiều lựa chọn (dạng {=đúng ~sai …}).",
    ]


# --------------------------------------------------------------------------- Aiken


def test_aiken_import_and_round_trip(tmp_path):
    path = tmp_path / "bank.txt"
    path.write_text(AIKEN, encoding="utf-8")

    questions = import_quiz_file(
        path, "aiken", set_number=7,
        defaults={"source": "Báo cáo 2417/BC-SNV ngày 29/10/2019, mục I.2", "topic": "Cuộc thi",
                  "time": "30", "points": "0.4"},
    )

    assert [(q.code, q.key, q.time_seconds, q.topic) for q in questions] == [
        ("KT7-01", "A", 40, "Cơ chế một cửa"),
        ("KT7-XX", "B", 30, "Cuộc thi"),
    ]
    assert questions[0].source == SOURCE
    assert questions[1].options == ("9", "12", "14", "52")
    assert round_trip(questions, 7) == tuple(questions)


def test_aiken_bad_items_import_nothing_and_are_named(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(
        "Câu một?\nA. a\nB. b\nC. c\nD. d\nANSWER: E\n\n"
        "Câu hai?\nA. a\nB. b\nC. c\nANSWER: A\n\n"
        "Câu ba?\nA. a\nB. b\nC. c\nD. d\nANSWER: C\n",
        encoding="utf-8",
    )

    with pytest.raises(ImportRejected) as raised:
        import_quiz_file(path, "aiken", set_number=3, defaults={"source": "Nguồn", "topic": "T",
                                                                 "time": "30", "points": "0.4"})

    assert [str(e) for e in raised.value.errors] == [
        "bad.txt:6: Câu KT3-01 có đáp án đúng 'E' không nằm trong các phương án (A, B, C, D).",
        "bad.txt:8: Câu KT3-02 chỉ có 3 phương án (thiếu D); mỗi câu phải có đúng 4 phương án "
        "A, B, C, D.",
    ]


def test_aiken_without_source_is_refused(tmp_path):
    path = tmp_path / "nosource.txt"
    path.write_text("Câu?\nA. a\nB. b\nC. c\nD. d\nANSWER: A\n", encoding="utf-8")

    with pytest.raises(ImportRejected) as raised:
        import_quiz_file(path, "aiken", set_number=1, defaults={"topic": "T", "time": "30",
                                                                 "points": "0.4"})

    assert [str(e) for e in raised.value.errors] == [
        "nosource.txt:1: Câu KT1-01 thiếu nguồn (source).",
    ]


# --------------------------------------------------------------------------- Excel


def test_excel_template_has_exact_columns(tmp_path):
    path = tmp_path / "mau.xlsx"
    write_excel_template(path)

    sheet = load_workbook(path).worksheets[0]
    assert tuple(c.value for c in sheet[1]) == (*EXCEL_COLUMNS, "basis", "level", "note")
    assert sheet.max_row == 1
    with pytest.raises(ImportRejected) as raised:
        import_quiz_file(path, "excel", set_number=1)
    assert [str(e) for e in raised.value.errors] == ["mau.xlsx: Tệp không có câu hỏi nào."]


def test_excel_round_trip_of_a_shipped_set(tmp_path):
    shipped = load_banks(DEFAULT_ROOT / "2027").quiz_set(3).questions
    path = tmp_path / "bo-de-3.xlsx"
    write_quiz_excel(shipped, path)

    imported = import_quiz_file(path, "excel", set_number=3)

    assert tuple(imported) == shipped
    assert round_trip(imported, 3) == shipped


def test_excel_bad_rows_import_nothing_and_are_named(tmp_path):
    path = tmp_path / "loi.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(EXCEL_COLUMNS))
    good = ["KT9-01", "Chủ đề", "Câu hỏi?", "a", "b", "c", "d", "A", "Nguồn", 30, 0.4, 9]
    sheet.append(good)
    sheet.append(["KT9-02", "Chủ đề", "Câu hỏi?", "a", "b", "c", "d", "E", "Nguồn", 30, 0.4, 9])
    sheet.append(["KT9-03", "Chủ đề", "Câu hỏi?", "a", "b", "c", "d", "B", None, 30, 0.4, 9])
    sheet.append([])
    sheet.append(["KT9-01", "Chủ đề", "Câu hỏi?", "a", "b", "c", "d", "C", "Nguồn", 0, "x", 8])
    workbook.save(path)

    with pytest.raises(ImportRejected) as raised:
        import_quiz_file(path, "excel", set_number=9)

    assert [str(e) for e in raised.value.errors] == [
        "loi.xlsx:3: Câu KT9-02 có đáp án đúng 'E' không nằm trong các phương án (A, B, C, D).",
        "loi.xlsx:4: Câu KT9-03 có nguồn (source) để trống.",
        "loi.xlsx:6: Câu KT9-01 có số bộ đề (set) '8', khác với bộ đề đang nhập (9).",
        "loi.xlsx:6: Mã KT9-01 bị trùng với loi.xlsx:2.",
        "loi.xlsx:6: Câu KT9-01 có thời gian '0' không hợp lệ: phải là số giây nguyên, lớn hơn 0.",
        "loi.xlsx:6: Câu KT9-01 có điểm 'x' không hợp lệ: phải là số lớn hơn 0 (ví dụ 0.4).",
    ]


def test_excel_wrong_header_is_refused(tmp_path):
    path = tmp_path / "sai-cot.xlsx"
    workbook = Workbook()
    workbook.active.append(["code", "stem", "A", "B", "C", "D", "key"])
    workbook.save(path)

    with pytest.raises(ImportRejected) as raised:
        import_quiz_file(path, "excel", set_number=1)

    assert [str(e) for e in raised.value.errors] == [
        "sai-cot.xlsx:1: Dòng tiêu đề phải có đúng các cột: code, topic, stem, A, B, C, D, key, "
        "source, time, points, set (có thể thêm, theo thứ tự: basis, level, note).",
    ]


# --------------------------------------------------------------------------- command


def test_import_command_writes_a_set_that_loads(runner, tmp_path):
    source = tmp_path / "bank.gift"
    source.write_text(GIFT, encoding="utf-8")
    out = tmp_path / "quiz" / "bo-de-6.txt"

    result = runner.invoke(args=[
        "banks", "import", str(source), "--format", "gift", "--set", "6", "--out", str(out),
        "--topic", "Kiến thức chung", "--time", "30", "--points", "0.4",
    ])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"Đã ghi 2 câu (tổng 0.8 điểm) vào {out} (bộ đề số 6).\n"
    errors = []
    loaded = parse_quiz_text(out.read_text(encoding="utf-8"), "quiz/bo-de-6.txt", errors)
    assert errors == []
    assert (loaded.number, loaded.title, len(loaded.questions)) == (6, "Bộ đề trắc nghiệm số 6", 2)


def test_import_command_excel_round_trip(runner, tmp_path):
    shipped = load_banks(DEFAULT_ROOT / "2027").quiz_set(2).questions
    source = tmp_path / "bo-de-2.xlsx"
    write_quiz_excel(shipped, source)
    out = tmp_path / "bo-de-2.txt"

    result = runner.invoke(args=[
        "banks", "import", str(source), "--format", "excel", "--set", "2", "--out", str(out),
        "--title", "Bộ đề trắc nghiệm số 2", "--root", str(tmp_path / "khong-co"),
    ])

    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == write_quiz_set(
        shipped, set_number=2, title="Bộ đề trắc nghiệm số 2"
    )


def test_import_command_refuses_bad_file_and_writes_nothing(runner, tmp_path):
    source = tmp_path / "bad.txt"
    source.write_text("Câu?\nA. a\nB. b\nC. c\nD. d\nANSWER: E\n", encoding="utf-8")
    out = tmp_path / "bo-de-8.txt"

    result = runner.invoke(args=[
        "banks", "import", str(source), "--format", "aiken", "--set", "8", "--out", str(out),
        "--source", "Nguồn", "--topic", "T", "--time", "30", "--points", "0.4",
    ])

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "bad.txt:6: Câu KT8-01 có đáp án đúng 'E' không nằm trong các phương án (A, B, C, D).",
        "Không nhập được: tệp có 1 lỗi. Không ghi gì.",
    ]
    assert not out.exists()


def test_import_command_refuses_codes_already_in_the_banks(runner, tmp_path):
    source = tmp_path / "dup.gift"
    source.write_text("// source: Nguồn\n::KT1-01::Câu? {=a ~b ~c ~d}\n", encoding="utf-8")
    out = tmp_path / "bo-de-9.txt"
    first_line = (DEFAULT_ROOT / "2027" / "quiz" / "bo-de-1.txt").read_text(
        encoding="utf-8"
    ).splitlines().index("code: KT1-01") + 1

    result = runner.invoke(args=[
        "banks", "import", str(source), "--format", "gift", "--set", "9", "--out", str(out),
        "--topic", "T", "--time", "30", "--points", "0.4",
    ])

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"dup.gift:2: Mã KT1-01 đã có trong quiz/bo-de-1.txt:{first_line}.",
        "Không nhập được. Không ghi gì.",
    ]
    assert not out.exists()


def test_import_command_refuses_to_overwrite(runner, tmp_path):
    source = tmp_path / "bank.gift"
    source.write_text(GIFT, encoding="utf-8")
    out = tmp_path / "bo-de-6.txt"
    out.write_text("cũ\n", encoding="utf-8")

    result = runner.invoke(args=[
        "banks", "import", str(source), "--format", "gift", "--set", "6", "--out", str(out),
    ])

    assert result.exit_code == 1
    assert result.stderr == f"Tệp {out} đã có; dùng --force để ghi đè. Không ghi gì.\n"
    assert out.read_text(encoding="utf-8") == "cũ\n"
