"""Word documents (python-docx) laid out as Decree 30/2020/NĐ-CP lays out an appendix:
A4, Times New Roman, "Phụ lục I" centred bold, the title in capitals bold, the italic
"(Kèm theo …)" line, and a table whose header rows repeat on every page (w:tblHeader)."""
from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from contest_app.reports.appendix import (
    AVERAGE_LABEL,
    GROUP_HEADING,
    I_HEADINGS,
    II_HEADINGS,
    TOTAL_HEADING,
    Appendices,
    Heading,
)
from contest_app.formatting import vn

FONT = "Times New Roman"


def _set_font(run_or_style, size: float | None = None) -> None:
    font = run_or_style.font
    font.name = FONT
    if size:
        font.size = Pt(size)
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _new_document() -> Document:
    doc = Document()
    normal = doc.styles["Normal"]
    _set_font(normal, 13)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    return doc


def _page(section, *, landscape: bool) -> None:
    """A4 with the margins of Decree 30 (top/bottom 2 cm, left 3 cm, right 1.5 cm)."""
    short, long_ = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long_, short) if landscape else (short, long_)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)


def _paragraph(doc, text: str, *, bold: bool = False, italic: bool = False, size: float = 13,
               align=WD_ALIGN_PARAGRAPH.CENTER, space_after: float = 0):
    p = doc.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    _set_font(run, size)
    return p


def _heading(doc, heading: Heading) -> None:
    _paragraph(doc, heading.label, bold=True, size=14)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, line in enumerate(heading.title_lines):
        run = p.add_run(line)
        run.bold = True
        _set_font(run, 14)
        if i < len(heading.title_lines) - 1:
            run.add_break()
    _paragraph(doc, heading.attached, italic=True, size=14, space_after=12)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def _no_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def _write(cell, text: Any, *, bold: bool = False, center: bool = False, size: float = 12) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    run = p.add_run("" if text is None else str(text))
    run.bold = bold
    _set_font(run, size)


def _widths(table, widths_cm: Sequence[float]) -> None:
    table.autofit = False
    for column, w in zip(table.columns, widths_cm, strict=False):
        column.width = Cm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(w)


def _fingerprint(doc, text: str) -> None:
    _paragraph(doc, "", size=8)
    _paragraph(doc, text, italic=True, size=8, align=WD_ALIGN_PARAGRAPH.LEFT)


def appendix_document(app: Appendices) -> bytes:
    """Phụ lục I (A4 landscape) and Phụ lục II (A4 portrait) in one .docx."""
    doc = _new_document()
    _page(doc.sections[0], landscape=True)
    one = app.one
    n = len(one.segment_keys)
    width = 3 + n + 1
    _heading(doc, one.heading)
    table = doc.add_table(rows=2, cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    top, sub = table.rows
    for col, text in enumerate(I_HEADINGS):
        merged = top.cells[col].merge(sub.cells[col])
        _write(merged, text, bold=True, center=True)
    group = top.cells[3].merge(top.cells[2 + n]) if n > 1 else top.cells[3]
    _write(group, GROUP_HEADING, bold=True, center=True)
    for j, name in enumerate(one.segment_names):
        _write(sub.cells[3 + j], name, bold=True, center=True)
    total = top.cells[width - 1].merge(sub.cells[width - 1])
    _write(total, TOTAL_HEADING, bold=True, center=True)
    _repeat_header(top)
    _repeat_header(sub)
    for r in one.rows:
        cells = table.add_row().cells
        _no_split(table.rows[-1])
        _write(cells[0], r.tt, center=True)
        _write(cells[1], r.team)
        _write(cells[2], r.entry_title)
        for j, value in enumerate(r.scores):
            _write(cells[3 + j], vn(value), center=True)
        _write(cells[width - 1], vn(r.total), bold=True, center=True)
    cells = table.add_row().cells
    label = cells[0].merge(cells[2])
    _write(label, AVERAGE_LABEL, bold=True, center=True)
    for j, value in enumerate(one.averages):
        _write(cells[3 + j], vn(value), bold=True, center=True)
    _write(cells[width - 1], vn(one.average_total), bold=True, center=True)
    _widths(table, [1.2, 5.0, 9.0] + [7.5 / n] * n + [2.3])
    _fingerprint(doc, app.fingerprint_line)

    two = app.two
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=False)
    _heading(doc, two.heading)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for col, text in enumerate(II_HEADINGS):
        _write(table.rows[0].cells[col], text, bold=True, center=True)
    _repeat_header(table.rows[0])
    for group in two.groups:
        cells = table.add_row().cells
        _write(cells[0], group.numeral, bold=True, center=True)
        heading = cells[1].merge(cells[3])
        _write(heading, group.heading, bold=True)
        for w in group.winners:
            cells = table.add_row().cells
            _no_split(table.rows[-1])
            _write(cells[0], w.tt or "", center=True)
            _write(cells[1], w.team)
            _write(cells[2], w.entry_title)
            _write(cells[3], vn(w.total), center=True)
    _widths(table, [1.2, 5.0, 8.4, 1.9])
    for note in two.unresolved:
        _paragraph(doc, note, bold=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _fingerprint(doc, app.fingerprint_line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
