"""Each output form, read back, holds exactly the figures of the seed's Phụ lục I and II."""
import csv
import io
from decimal import Decimal

import pypdf
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from contest_app.reports.csvfile import appendix_csv
from contest_app.reports.excel import appendix_workbook
from contest_app.reports.pdf import appendix_pdf
from contest_app.reports.word import appendix_document
from tests.published_2019 import PHU_LUC_I
from tests.reports.expected import (
    ATTACHED,
    AVERAGE_ROW,
    PHU_LUC_II,
    TITLE_II_FIRST,
    TITLE_LINES,
    assert_in_order,
    expected_rows_vn,
    squash,
    vn,
)


def test_word_holds_phu_luc_i_and_ii(appendices_2019):
    doc = Document(io.BytesIO(appendix_document(appendices_2019)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[:3] == ["Phụ lục I", "\n".join(TITLE_LINES), ATTACHED]
    assert doc.paragraphs[0].runs[0].bold and doc.paragraphs[2].runs[0].italic
    assert doc.paragraphs[0].runs[0].font.name == "Times New Roman"
    one, two = doc.tables
    rows = [[c.text for c in row.cells] for row in one.rows]
    assert rows[0] == ["TT", "TÊN ĐỘI THI", "TÊN MÔ HÌNH, SÁNG KIẾN", "ĐIỂM CÁC PHẦN THI", "ĐIỂM CÁC PHẦN THI",
                       "ĐIỂM CÁC PHẦN THI", "TỔNG ĐIỂM"]
    assert rows[1][3:6] == ["Kiến thức CCHC", "Xử lý tình huống", "Thuyết trình, bảo vệ MHSK"]
    assert [[r[0], r[1], *r[3:]] for r in rows[2:14]] == expected_rows_vn()
    assert rows[14] == ["ĐIỂM TRUNG BÌNH"] * 3 + [vn(v) for v in AVERAGE_ROW]
    # The two header rows repeat on every page; the data rows do not.
    flags = [row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None for row in one.rows]
    assert flags == [True, True] + [False] * 13
    rows2 = [[c.text for c in row.cells] for row in two.rows]
    got = []
    for row in rows2[1:]:
        if row[0] and row[1] == row[2] == row[3]:
            got.append((row[0], row[1], []))
        else:
            got[-1][2].append((row[0], row[1], row[3]))
    assert got == [(n, h, [(tt, team, vn(score)) for tt, team, score in ws]) for n, h, ws in PHU_LUC_II]
    assert TITLE_II_FIRST in "\n".join(texts)
    assert texts.count(appendices_2019.fingerprint_line) == 2
    assert doc.sections[0].page_width > doc.sections[0].page_height  # A4 landscape
    assert round(doc.sections[1].page_width.cm, 1) == 21.0  # A4 portrait


def test_excel_holds_numbers_as_numbers(appendices_2019):
    wb = load_workbook(io.BytesIO(appendix_workbook(appendices_2019)))
    ws = wb["Phụ lục I"]
    assert [ws.cell(row=r, column=1).value for r in range(1, 6)] == ["Phụ lục I", *TITLE_LINES, ATTACHED]
    assert ws.print_title_rows == "$7:$8"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    got = []
    for r in range(9, 21):
        values = [ws.cell(row=r, column=c).value for c in range(4, 8)]
        assert all(isinstance(v, int | float) for v in values)
        assert all(ws.cell(row=r, column=c).number_format == "0.00" for c in range(4, 8))
        got.append((ws.cell(row=r, column=2).value, *(Decimal(str(v)).quantize(Decimal("0.01")) for v in values)))
    assert got == [(team, *(Decimal(x) for x in figures)) for team, *figures in PHU_LUC_I]
    assert ws.cell(row=21, column=1).value == "ĐIỂM TRUNG BÌNH"
    assert [ws.cell(row=21, column=c).value for c in range(4, 8)] == [7.17, 11.68, 58.82, 77.67]
    assert ws.cell(row=23, column=1).value == appendices_2019.fingerprint_line
    ws2 = wb["Phụ lục II"]
    got2 = []
    for r in range(8, ws2.max_row + 1):
        a, b, d = (ws2.cell(row=r, column=c).value for c in (1, 2, 4))
        if isinstance(b, str) and b.isupper():
            got2.append((a, b, []))
        elif b and got2 and not str(b).startswith("Mã kiểm tra"):
            assert isinstance(d, int | float)
            got2[-1][2].append(("" if a is None else str(a), b, f"{d:.2f}"))
    assert got2 == PHU_LUC_II


def test_csv_holds_real_numbers(appendices_2019):
    raw = appendix_csv(appendices_2019, form="plain")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Phụ lục", "TT", "Tên đội thi", "Tên mô hình, sáng kiến", "Kiến thức CCHC", "Xử lý tình huống",
                       "Thuyết trình, bảo vệ MHSK", "Tổng điểm", "Giải"]
    assert [[r[1], r[2], *r[4:8]] for r in rows[1:13]] == [
        [str(i), team, *figures] for i, (team, *figures) in enumerate(PHU_LUC_I, start=1)
    ]
    assert rows[13] == ["I", "", "ĐIỂM TRUNG BÌNH", "", "7.17", "11.68", "58.82", "77.67", ""]
    tiers = {"GIẢI NHẤT": "Giải Nhất", "GIẢI NHÌ": "Giải Nhì", "GIẢI BA": "Giải Ba", "GIẢI KHUYẾN KHÍCH": "Giải Khuyến khích"}
    assert [(r[8], r[1], r[2], r[7]) for r in rows[14:21]] == [
        (tiers[h], tt, team, score) for _n, h, ws in PHU_LUC_II for tt, team, score in ws
    ]
    assert all(r[0] == "II" for r in rows[14:21])
    assert rows[21][2] == appendices_2019.fingerprint_line


def test_pdf_text_holds_every_figure_with_vietnamese_intact(appendices_2019):
    reader = pypdf.PdfReader(io.BytesIO(appendix_pdf(appendices_2019)))
    pages = [squash(p.extract_text()) for p in reader.pages]
    one_pages = [p for p in pages if "TÊN ĐỘI THI" in p]
    assert len(one_pages) >= 2, "Phụ lục I spans pages, each with its header"
    for page in one_pages:
        assert "TT TÊN ĐỘI THI TÊN MÔ HÌNH, SÁNG KIẾN" in page and "ĐIỂM CÁC PHẦN THI" in page
    one = " ".join(one_pages)
    assert_in_order(one, ["Phụ lục I", *TITLE_LINES, ATTACHED])
    parts = []
    for tt, team, *figures in expected_rows_vn():
        parts += [f"{tt} {team}", " ".join(figures)]
    assert_in_order(one, parts + ["ĐIỂM TRUNG BÌNH " + " ".join(vn(v) for v in AVERAGE_ROW)])
    two = pages[-1]
    parts = ["Phụ lục II", TITLE_II_FIRST, ATTACHED, "TT Tên đội thi Tên mô hình, sáng kiến Điểm"]
    for numeral, heading, winners in PHU_LUC_II:
        parts.append(f"{numeral} {heading}")
        for tt, team, score in winners:
            parts += [f"{tt} {team}".strip(), vn(score)]
    assert_in_order(two, parts + [appendices_2019.fingerprint_line])
    assert appendices_2019.fingerprint_line in one


def test_csv_locale_form_opens_in_columns_in_a_vietnamese_excel(appendices_2019):
    raw = appendix_csv(appendices_2019)
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Phụ lục", "TT", "Tên đội thi", "Tên mô hình, sáng kiến"]
    assert rows[1][:3] == ["I", "1", "Sở Tài nguyên và Môi trường"]
    assert rows[1][4:8] == ["6,00", "10,00", "53,00", "69,00"]
    assert rows[13] == ["I", "", "ĐIỂM TRUNG BÌNH", "", "7,17", "11,68", "58,82", "77,67", ""]
    assert text.splitlines()[13] == "I;;ĐIỂM TRUNG BÌNH;;7,17;11,68;58,82;77,67;"


def test_one_csv_writer_formats_and_guards_every_value():
    from datetime import date
    from decimal import Decimal

    from contest_app.reports.csvfile import csv_text

    rows = [["=HYPERLINK(\"x\")", Decimal("1000000"), Decimal("9.50"), date(2020, 1, 31), 9, "-1", None]]
    assert csv_text(["A", "B", "C", "D", "E", "F", "G"], rows).splitlines() == [
        "A;B;C;D;E;F;G", "\"'=HYPERLINK(\"\"x\"\")\";1.000.000;9,50;31/01/2020;9;'-1;"]
    assert csv_text(["A", "B", "C", "D", "E", "F", "G"], rows, form="plain").splitlines() == [
        "A,B,C,D,E,F,G", "\"'=HYPERLINK(\"\"x\"\")\",1000000,9.50,31/01/2020,9,'-1,"]


def test_no_other_module_writes_csv():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "contest_app"
    writers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if "csv.writer(" in p.read_text("utf-8"))
    assert writers == ["reports/csvfile.py"]


def test_excel_print_setup_follows_decree_30(appendices_2019):
    from contest_app.reports.excel import appendix_workbook, text_lines

    wb = load_workbook(io.BytesIO(appendix_workbook(appendices_2019)))
    one, two = wb["Phụ lục I"], wb["Phụ lục II"]
    assert (one.page_setup.orientation, two.page_setup.orientation) == ("landscape", "portrait")
    for ws in (one, two):
        assert ws.page_setup.paperSize == 9  # A4
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)
        m = ws.page_margins
        assert [round(v * 25.4) for v in (m.top, m.bottom, m.left, m.right)] == [20, 20, 30, 15]
        assert ws.oddHeader.center.text == "&P" and ws.HeaderFooter.differentFirst is True
        assert ws.firstHeader.center.text is None  # no number on the first page
        fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
        assert fonts == {"Times New Roman"}
    assert (one.print_title_rows, two.print_title_rows) == ("$7:$8", "$7:$7")
    # Every row is tall enough for its wrapped text: the longest title (TT 3) wraps to 4 lines of 13 pt.
    width = one.column_dimensions["C"].width
    title = one["C11"].value
    assert title.startswith("Tăng cường mức độ hài lòng") and text_lines(title, width) == 4
    assert one.row_dimensions[11].height == round(4 * 13 * 1.3 + 4, 1)
    for row in range(9, 21):
        lines = max(text_lines(one.cell(row, c).value, one.column_dimensions[chr(64 + c)].width) for c in (2, 3))
        assert one.row_dimensions[row].height >= lines * 13 * 1.3
    assert one["D21"].value == 7.17 and one["G21"].value == 77.67


def test_table_workbook_caption_and_print_setup():
    from decimal import Decimal

    from contest_app.reports.excel import SCORE_FORMAT, table_workbook

    data = table_workbook("Danh sách", ["TT", "Đơn vị", "Điểm"], [[1, "Sở Y tế", Decimal("75.00")]],
                          formats={2: SCORE_FORMAT}, caption="Danh sách mô hình, sáng kiến vào vòng chung khảo")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "Danh sách mô hình, sáng kiến vào vòng chung khảo" and ws["A1"].font.b
    assert [c.value for c in ws[2]] == ["TT", "Đơn vị", "Điểm"] and [c.value for c in ws[3]] == [1, "Sở Y tế", 75]
    assert ws["C3"].number_format == "0.00" and ws.print_title_rows == "$2:$2"
    assert ws.oddHeader.center.text == "&P" and round(ws.page_margins.left * 25.4) == 30
    assert ws.row_dimensions[1].height is not None and ws.row_dimensions[3].height is not None
