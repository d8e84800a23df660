"""PDF made without a browser (fpdf2), in Liberation Serif (metric-compatible with Times New
Roman, with Vietnamese glyphs), vendored in static/fonts/liberation-serif/. The table's
header rows are drawn again at the top of every page."""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TableHeadingsDisplay, XPos, YPos
from fpdf.fonts import FontFace

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

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts" / "liberation-serif"
FAMILY = "LiberationSerif"


class AppendixPDF(FPDF):
    """A4 pages with the page number at the foot."""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "I", 8)
        self.cell(0, 5, f"Trang {self.page_no()}", align="C")


def _new_pdf() -> AppendixPDF:
    pdf = AppendixPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(left=20, top=15, right=12)
    for style, name in (("", "Regular"), ("B", "Bold"), ("I", "Italic"), ("BI", "BoldItalic")):
        pdf.add_font(FAMILY, style, str(FONT_DIR / f"LiberationSerif-{name}.ttf"))
    pdf.set_title("Phụ lục kết quả vòng chung khảo")
    pdf.set_creator("contest_app")
    return pdf


def _heading(pdf: FPDF, heading: Heading) -> None:
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(0, 7, heading.label, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for line in heading.title_lines:
        pdf.multi_cell(0, 6.5, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "I", 13)
    pdf.multi_cell(0, 7, heading.attached, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _fingerprint(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "I", 7)
    pdf.multi_cell(0, 4, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def appendix_pdf(app: Appendices) -> bytes:
    """Phụ lục I (landscape) then Phụ lục II (portrait)."""
    pdf = _new_pdf()
    bold = FontFace(emphasis="BOLD")
    one = app.one
    n = len(one.segment_keys)
    pdf.add_page(orientation="L")
    _heading(pdf, one.heading)
    pdf.set_font(FAMILY, "", 11)
    with pdf.table(
        col_widths=[10, 55, 105] + [27] * n + [25],
        num_heading_rows=2,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        text_align="CENTER",
        line_height=5.5,
        headings_style=bold,
        padding=1.2,
    ) as table:
        top = table.row()
        for text in I_HEADINGS:
            top.cell(text, rowspan=2)
        top.cell(GROUP_HEADING, colspan=n)
        top.cell(TOTAL_HEADING, rowspan=2)
        sub = table.row()
        for name in one.segment_names:
            sub.cell(name)
        for r in one.rows:
            row = table.row()
            row.cell(str(r.tt))
            row.cell(r.team, align="LEFT")
            row.cell(r.entry_title, align="LEFT")
            for value in r.scores:
                row.cell(vn(value))
            row.cell(vn(r.total), style=bold)
        row = table.row()
        row.cell(AVERAGE_LABEL, colspan=3, style=bold)
        for value in one.averages:
            row.cell(vn(value), style=bold)
        row.cell(vn(one.average_total), style=bold)
    _fingerprint(pdf, app.fingerprint_line)

    two = app.two
    pdf.add_page(orientation="P")
    _heading(pdf, two.heading)
    pdf.set_font(FAMILY, "", 11)
    with pdf.table(
        col_widths=[12, 50, 96, 20],
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        text_align="CENTER",
        line_height=5.5,
        headings_style=bold,
        padding=1.2,
    ) as table:
        head = table.row()
        for text in II_HEADINGS:
            head.cell(text)
        for group in two.groups:
            row = table.row()
            row.cell(group.numeral, style=bold)
            row.cell(group.heading, colspan=3, style=bold, align="LEFT")
            for w in group.winners:
                row = table.row()
                row.cell(str(w.tt) if w.tt else "")
                row.cell(w.team, align="LEFT")
                row.cell(w.entry_title, align="LEFT")
                row.cell(vn(w.total))
    for note in two.unresolved:
        pdf.set_font(FAMILY, "B", 11)
        pdf.multi_cell(0, 6, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _fingerprint(pdf, app.fingerprint_line)
    return bytes(pdf.output())
