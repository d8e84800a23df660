"""Issue 12 point 3: every secretariat output of incomplete results says "DỰ THẢO — chưa đủ
điểm" and names what is missing; the complete 2019 demo's outputs never do.

The incomplete state is the 2019 demo with one segment unmarked (Sở Tài nguyên và Môi
trường, "Xử lý tình huống": every mark deleted) and another at 3 of 6 judges (Sở Lao động -
Thương binh và Xã hội, "Thuyết trình, bảo vệ MHSK"). Every format is read back with its own
library (python-docx, openpyxl, pypdf, csv) or as HTML.
"""
from __future__ import annotations

import csv
import io
import json
from html import unescape

import pypdf
import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import delete, select

from contest_app.extensions import db
from contest_app.models import Mark
from contest_app.services.final.results import finalists
from tests.reports.expected import squash

DRAFT = "DỰ THẢO — chưa đủ điểm"
MISSING = [
    "Sở Tài nguyên và Môi trường – Xử lý tình huống: 0/6 điểm",
    "Sở Lao động - Thương binh và Xã hội – Thuyết trình, bảo vệ MHSK: 3/6 điểm",
]
LABEL = f"{DRAFT}. Còn thiếu: " + "; ".join(MISSING) + "."
CERTIFICATES_REFUSED = "Kết quả chưa đủ điểm: chưa thể in giấy chứng nhận. Còn thiếu: " + "; ".join(MISSING) + "."


@pytest.fixture
def secretary(demo, make_user, login):
    make_user("thuky", "secretariat", display_name="Trần Thư Ký")
    login("thuky")
    return demo


@pytest.fixture
def incomplete(secretary):
    """One segment unmarked, another at 3 of 6 judges."""
    edition = secretary
    first, second = finalists(edition)[:2]
    segment = {s.key: s for s in edition.segments}
    db.session.execute(delete(Mark).where(Mark.entry_id == first.id, Mark.segment_id == segment["situation"].id))
    three = db.session.scalars(
        select(Mark.id).where(Mark.entry_id == second.id, Mark.segment_id == segment["presentation"].id)
        .order_by(Mark.judge_id).limit(3)
    ).all()
    db.session.execute(delete(Mark).where(Mark.id.in_(three)))
    db.session.commit()
    return edition


def _get(client, url: str, mimetype: str | None = None):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    if mimetype:
        assert response.mimetype == mimetype
    return response


def _docx_paragraphs(client, url: str) -> list[str]:
    return [p.text for p in Document(io.BytesIO(_get(client, url).data)).paragraphs]


def _pdf_pages(client, url: str) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(_get(client, url, "application/pdf").data))
    return [squash(page.extract_text()) for page in reader.pages]


def _csv_rows(data: bytes, delimiter: str) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def _draft_box(html: str) -> tuple[str, list[str]]:
    """The secretariat pages' DRAFT box: its sentence and its list of what is missing."""
    import re

    box = re.search(r'<div class="flash flash-warning draft" id="draft" role="alert">(.*?)</div>', html, re.S)
    assert box, "no DRAFT box on the page"
    sentence = squash(re.sub(r"<[^>]+>", "", re.search(r'<p class="draft-label">(.*?)</p>', box.group(1), re.S).group(1)))
    items = [squash(i) for i in re.findall(r"<li>(.*?)</li>", box.group(1), re.S)]
    return sentence, items


def test_appendices_of_incomplete_results_say_draft_in_every_form(client, runner, incomplete):
    # The print page: the label above each appendix.
    html = unescape(_get(client, "/secretariat/2019/appendix").get_data(as_text=True))
    assert html.count(f'<p class="draft-box" role="alert"><strong>{LABEL}</strong></p>') == 2
    one, two = html.split('id="phu-luc-1"')[1].split('id="phu-luc-2"')
    for section, label in ((one, "Phụ lục I"), (two, "Phụ lục II")):
        assert section.index(LABEL) < section.index(f'<p class="appendix-label">{label}</p>')

    # Word: the boxed label opens Phụ lục I and Phụ lục II.
    texts = _docx_paragraphs(client, "/secretariat/2019/appendix.docx")
    assert texts[0] == LABEL and texts[1] == "Phụ lục I"
    assert texts.count(LABEL) == 2
    assert texts[texts.index("Phụ lục II") - 1] == LABEL

    # Excel: row 1 of both sheets, above the heading.
    wb = load_workbook(io.BytesIO(_get(client, "/secretariat/2019/appendix.xlsx").data))
    for name, label_row in (("Phụ lục I", "Phụ lục I"), ("Phụ lục II", "Phụ lục II")):
        ws = wb[name]
        assert (ws["A1"].value, ws["A2"].value) == (LABEL, label_row)
        assert ws["A1"].font.b is True

    # CSV, both forms: the first row is the label alone, then the usual header.
    for form, delimiter in (("", ";"), ("?form=plain", ",")):
        rows = _csv_rows(_get(client, f"/secretariat/2019/appendix.csv{form}").data, delimiter)
        assert rows[0] == [LABEL]
        assert rows[1][:4] == ["Phụ lục", "TT", "Tên đội thi", "Tên mô hình, sáng kiến"]

    # PDF: the label on the first page of each appendix.
    pages = _pdf_pages(client, "/secretariat/2019/appendix.pdf")
    first_of_two = next(i for i, p in enumerate(pages) if "DANH SÁCH CÁC ĐỘI ĐẠT GIẢI" in p)
    assert pages[0].startswith(LABEL + " Phụ lục I")
    assert pages[first_of_two].startswith(LABEL + " Phụ lục II")
    assert sum(p.count(DRAFT) for p in pages) == 2

    # export-results: JSON carries the field, CSV's first line is the label.
    exported = runner.invoke(args=["export-results", "--edition", "2019", "--format", "json"])
    assert exported.exit_code == 0, exported.output
    completeness = json.loads(exported.output)["completeness"]
    assert (completeness["is_complete"], completeness["label"]) == (False, LABEL)
    assert [m["text"] for m in completeness["missing"]] == MISSING
    assert [(m["marks_in"], m["expected"]) for m in completeness["missing"]] == [(0, 6), (3, 6)]
    exported = runner.invoke(args=["export-results", "--edition", "2019", "--format", "csv"])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.reader(io.StringIO(exported.output)))
    assert rows[0] == [LABEL]
    assert rows[1][:5] == ["rank", "tied", "order", "team", "entry_title"]


def test_report_and_letter_say_draft_and_certificates_are_refused(client, incomplete):
    for kind in ("report", "letter"):
        texts = _docx_paragraphs(client, f"/secretariat/2019/{kind}.docx")
        assert texts[0] == "DỰ THẢO"  # not locked
        assert LABEL in texts
        pages = _pdf_pages(client, f"/secretariat/2019/{kind}.pdf")
        assert LABEL in pages[0]
    # The report's attached appendices carry it too: once after the letterhead, once per appendix.
    assert _docx_paragraphs(client, "/secretariat/2019/report.docx").count(LABEL) == 3
    assert sum(p.count(DRAFT) for p in _pdf_pages(client, "/secretariat/2019/report.pdf")) == 3

    for fmt in ("docx", "pdf"):
        response = client.get(f"/secretariat/2019/certificates.{fmt}")
        assert response.status_code == 409
        assert CERTIFICATES_REFUSED in unescape(response.get_data(as_text=True))

    html = unescape(_get(client, "/secretariat/2019/report").get_data(as_text=True))
    assert 'id="certificates-refused"' in html
    assert "/secretariat/2019/certificates.pdf" not in html
    assert _draft_box(html) == (f"{DRAFT}. Kết quả dưới đây chưa phải kết quả chính thức. Còn thiếu:", MISSING)


def test_secretariat_pages_and_award_lists_say_draft(client, incomplete):
    for page in ("figures", "awards", "consistency", "followup", "report"):
        html = unescape(_get(client, f"/secretariat/2019/{page}").get_data(as_text=True))
        assert _draft_box(html) == (f"{DRAFT}. Kết quả dưới đây chưa phải kết quả chính thức. Còn thiếu:", MISSING), page
    figures = json.loads(_get(client, "/secretariat/2019/figures.json").get_data(as_text=True))
    assert (figures["completeness"]["label"], figures["completeness"]["is_complete"]) == (LABEL, False)
    for form, delimiter in (("", ";"), ("?form=plain", ",")):
        rows = _csv_rows(_get(client, f"/secretariat/2019/awards.csv{form}").data, delimiter)
        assert rows[0] == [LABEL]
        assert rows[1][0] == "Loại giải"
    ws = load_workbook(io.BytesIO(_get(client, "/secretariat/2019/awards.xlsx").data)).active
    assert (ws["A1"].value, ws["A2"].value) == (LABEL, "Loại giải")


def test_complete_2019_outputs_never_say_draft(client, runner, secretary):
    for url in ("/secretariat/2019/appendix", "/secretariat/2019/figures", "/secretariat/2019/awards",
                "/secretariat/2019/consistency", "/secretariat/2019/followup", "/secretariat/2019/report",
                "/secretariat/2019/appendix.csv", "/secretariat/2019/appendix.csv?form=plain",
                "/secretariat/2019/awards.csv", "/secretariat/2019/figures.json"):
        body = unescape(_get(client, url).get_data(as_text=True))
        assert DRAFT not in body, url
        assert 'id="draft"' not in body
    for url in ("/secretariat/2019/appendix.docx", "/secretariat/2019/report.docx", "/secretariat/2019/letter.docx",
                "/secretariat/2019/certificates.docx"):
        assert not [t for t in _docx_paragraphs(client, url) if DRAFT in t], url
    for url in ("/secretariat/2019/appendix.pdf", "/secretariat/2019/report.pdf"):
        assert not [p for p in _pdf_pages(client, url) if DRAFT in p], url
    wb = load_workbook(io.BytesIO(_get(client, "/secretariat/2019/appendix.xlsx").data))
    assert [wb[name]["A1"].value for name in wb.sheetnames] == ["Phụ lục I", "Phụ lục II"]
    rows = _csv_rows(_get(client, "/secretariat/2019/appendix.csv").data, ";")
    assert rows[0][0] == "Phụ lục"
    exported = runner.invoke(args=["export-results", "--edition", "2019", "--format", "csv"])
    assert exported.output.splitlines()[0].startswith("rank,tied,order,team,entry_title")
    data = json.loads(runner.invoke(args=["export-results", "--edition", "2019"]).output)
    assert data["completeness"] == {"is_complete": True, "label": "", "missing": []}
