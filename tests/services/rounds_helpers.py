"""Builders shared by the rounds tests (registration, qualifying, preliminary, figures)."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from contest_app import demo_data as data
from contest_app.enums import RoundKind
from contest_app.extensions import db
from contest_app.models import Edition, Round, ThematicGroup


def new_edition(year: int = 2021, number: int = 5) -> Edition:
    """An open edition with the 2019 thematic groups and its three rounds; flushed."""
    edition = Edition(number=number, year=year, title=f"Lần thứ {number} - năm {year}",
                      contest_name=data.CONTEST_NAME)
    for n, name in data.THEMATIC_GROUPS:
        edition.thematic_groups.append(ThematicGroup(number=n, name=name))
    for i, kind in enumerate(RoundKind, start=1):
        edition.rounds.append(Round(kind=kind.value, name=kind.label, order=i))
    db.session.add(edition)
    db.session.flush()
    return edition


def workbook_bytes(units=(), teams=(), entries=()) -> bytes:
    """An import workbook with the template's headers and these rows."""
    wb = Workbook()
    wb.active.title = "Hướng dẫn"
    for title, header, rows in (
        ("Đơn vị", ["Tên đơn vị", "Khối"], units),
        ("Đội thi", ["Tên đội thi", "Đơn vị", "Thành viên"], teams),
        ("Mô hình, sáng kiến", ["Tên mô hình, sáng kiến", "Tóm tắt", "Nhóm", "Đơn vị", "Đội thi"], entries),
    ):
        ws = wb.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append(list(row))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def tiny_pdf(text: str = "Đề cương sáng kiến") -> bytes:
    """A small valid PDF made with fpdf2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="De cuong sang kien")
    return bytes(pdf.output())


def tiny_docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph("Thuyết minh sáng kiến")
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
