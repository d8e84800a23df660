"""PDF made without a browser (fpdf2), in Liberation Serif (metric-compatible with Times New
Roman, with Vietnamese glyphs), vendored in static/fonts/liberation-serif/: margins
20 / 20 / 30 / 15 mm (Decree 30/2020), the page number at the top centre from the second
page, numbering restarting for each appendix; tables' header rows are drawn again at the
top of every page. The report, the letter and the certificates from ``reports.official``."""
from __future__ import annotations


from fpdf import FPDF
from fpdf.enums import TableHeadingsDisplay, XPos, YPos
from fpdf.fonts import FontFace

from contest_app.paths import STATIC_DIR
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
from contest_app.reports.official import (
    BODY_PT,
    DRAFT,
    MARGINS_MM,
    MOTTO,
    RECIPIENTS_PT,
    RECIPIENTS_TITLE_PT,
    TABLE_PT,
    CertificateBatch,
    Letterhead,
    OfficialDocument,
    Para,
    Signature,
    Table,
)

FONT_DIR = STATIC_DIR / "fonts" / "liberation-serif"
FAMILY = "LiberationSerif"


class AppendixPDF(FPDF):
    """A4 pages with the page number at the top centre from the second page of each part
    (the document, then each appendix, whose numbering starts again at 1)."""

    part_start = 1
    numbered = True

    def start_part(self) -> None:
        """The next page starts a part whose numbering restarts at 1."""
        self.part_start = self.page_no() + 1

    def header(self) -> None:
        number = self.page_no() - self.part_start + 1
        if self.numbered and number >= 2:
            self.set_y(10)
            self.set_font(FAMILY, "", BODY_PT)
            self.cell(0, 6, str(number), align="C")
            self.set_y(self.t_margin)


def _new_pdf() -> AppendixPDF:
    pdf = AppendixPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=MARGINS_MM["bottom"])
    pdf.set_margins(left=MARGINS_MM["left"], top=MARGINS_MM["top"], right=MARGINS_MM["right"])
    for style, name in (("", "Regular"), ("B", "Bold"), ("I", "Italic"), ("BI", "BoldItalic")):
        pdf.add_font(FAMILY, style, str(FONT_DIR / f"LiberationSerif-{name}.ttf"))
    pdf.set_title("Phụ lục kết quả vòng chung khảo")
    pdf.set_creator("contest_app")
    return pdf


def _heading(pdf: FPDF, heading: Heading) -> None:
    pdf.set_font(FAMILY, "B", BODY_PT)
    pdf.cell(0, 7, heading.label, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for line in heading.title_lines:
        pdf.multi_cell(0, 6.5, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "I", BODY_PT)
    pdf.multi_cell(0, 7, heading.attached, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _fingerprint(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "I", 11)
    pdf.multi_cell(0, 5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _incomplete_box(pdf: FPDF, label: str) -> None:
    """The boxed, bold warning that the results are incomplete, with what is missing."""
    if not label:
        return
    pdf.set_font(FAMILY, "B", TABLE_PT)
    pdf.set_text_color(180, 20, 20)
    pdf.multi_cell(0, 6, label, border=1, align="L", padding=1.5, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)


def _append_appendices(pdf: AppendixPDF, app: Appendices) -> None:
    """Phụ lục I (landscape) then Phụ lục II (portrait), each numbered from 1."""
    bold = FontFace(emphasis="BOLD")
    one = app.one
    n = len(one.segment_keys)
    pdf.start_part()
    pdf.add_page(orientation="L")
    _incomplete_box(pdf, app.draft_label)
    _heading(pdf, one.heading)
    pdf.set_font(FAMILY, "", TABLE_PT)
    with pdf.table(
        col_widths=[10, 50, 252 - 10 - 50 - 22 * n - 20] + [22] * n + [20],
        num_heading_rows=2,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        text_align="CENTER",
        line_height=5.6,
        headings_style=bold,
        padding=1,
    ) as table:
        top = table.row()
        for text in I_HEADINGS:
            top.cell(text, rowspan=2)
        if n:  # an edition with no segment yet has no group heading
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
    pdf.start_part()
    pdf.add_page(orientation="P")
    _incomplete_box(pdf, app.draft_label)
    _heading(pdf, two.heading)
    pdf.set_font(FAMILY, "", TABLE_PT)
    with pdf.table(
        col_widths=[10, 45, 90, 20],
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        text_align="CENTER",
        line_height=5.6,
        headings_style=bold,
        padding=1,
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
        pdf.set_font(FAMILY, "B", TABLE_PT)
        pdf.multi_cell(0, 6, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _fingerprint(pdf, app.fingerprint_line)


def appendix_pdf(app: Appendices) -> bytes:
    """Phụ lục I (landscape) then Phụ lục II (portrait)."""
    pdf = _new_pdf()
    _append_appendices(pdf, app)
    return bytes(pdf.output())


# --- the report, the letter and the certificates ------------------------------------------------

LINE_MM = 6.2  # 14 pt text, single spacing


def _text_width(pdf: FPDF) -> float:
    return pdf.w - pdf.l_margin - pdf.r_margin


def _centred_lines(pdf: FPDF, x: float, w: float, lines, *, y: float) -> float:
    """Lines centred in a column from ``y``; each is (text, style, size). Return the next y."""
    for text, style, size in lines:
        pdf.set_xy(x, y)
        pdf.set_font(FAMILY, style, size)
        pdf.multi_cell(w, size * 0.45, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        y = pdf.get_y()
    return y


def _rule(pdf: FPDF, centre: float, length: float, y: float) -> None:
    pdf.set_line_width(0.3)
    pdf.line(centre - length / 2, y, centre + length / 2, y)


def _draft(pdf: FPDF, y: float | None = None) -> None:
    pdf.set_font(FAMILY, "B", BODY_PT)
    w = pdf.get_string_width(DRAFT) + 6
    x = pdf.w - pdf.r_margin - w
    pdf.set_xy(x, pdf.t_margin - 12 if y is None else y)
    pdf.cell(w, 8, DRAFT, border=1, align="C")


def _letterhead(pdf: FPDF, head: Letterhead, *, left_w: float = 68) -> None:
    x0, width = pdf.l_margin, _text_width(pdf)
    right_x, right_w = x0 + left_w, width - left_w
    top = pdf.t_margin
    left = [(head.parent, "", 13)] if head.parent else []
    left += [(line, "B", 13) for line in head.body.split("\n")]
    y_left = _centred_lines(pdf, x0, left_w, left, y=top)
    _rule(pdf, x0 + left_w / 2, 25, y_left + 1.5)
    y_right = _centred_lines(pdf, right_x, right_w, [(MOTTO[0], "B", 12), (MOTTO[1], "B", 13)], y=top)
    _rule(pdf, right_x + right_w / 2, pdf.get_string_width(MOTTO[1]), y_right + 1.5)
    y = max(y_left, y_right) + 4
    y_left = _centred_lines(pdf, x0, left_w, [(head.number, "", 13)] + [(s, "", 12) for s in head.subject], y=y)
    _centred_lines(pdf, right_x, right_w, [(head.place_date, "I", BODY_PT)], y=y)
    pdf.set_xy(x0, max(y_left, y + 7) + 4)


def _para(pdf: FPDF, block: Para) -> None:
    if block.kind == "heading" and pdf.will_page_break(3 * LINE_MM):
        pdf.add_page()  # a heading never ends a page: it stays with its first lines
    if block.kind in ("center", "note", "recipient"):
        size = 20 if block.kind == "recipient" else BODY_PT
        style = "B" if block.kind == "recipient" or all(r.bold for r in block.runs) else ""
        style += "I" if all(r.italic for r in block.runs) else ""
        pdf.set_font(FAMILY, style, size)
        if len(block.runs) == 1 or style:
            pdf.multi_cell(0, size * 0.45, block.text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
            return
    with pdf.text_columns(text_align="J" if block.kind not in ("center", "note", "recipient") else "C",
                          line_height=1.15) as cols:
        indent = 10 if block.kind in ("body", "heading", "bullet") else 0
        with cols.paragraph(first_line_indent=indent, bottom_margin=2) as p:
            for run in block.runs:
                style = ("B" if run.bold or block.kind == "heading" else "") + ("I" if run.italic else "")
                pdf.set_font(FAMILY, style, BODY_PT)
                p.write(run.text)
    pdf.set_font(FAMILY, "", BODY_PT)


def _table(pdf: FPDF, block: Table) -> None:
    bold = FontFace(emphasis="BOLD")
    pdf.set_font(FAMILY, "", TABLE_PT)
    with pdf.table(col_widths=list(block.widths_mm), text_align="LEFT", line_height=6, headings_style=bold,
                   padding=1.2, repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
                   width=sum(block.widths_mm)) as table:
        head = table.row()
        for text in block.header:
            head.cell(text, align="CENTER")
        for i, values in enumerate(block.rows):
            row = table.row()
            last = block.bold_last and i == len(block.rows) - 1
            for col, text in enumerate(values):
                row.cell(text, align="CENTER" if col in block.centre_columns else "LEFT", style=bold if last else None)
    pdf.ln(3)


def _closing(pdf: FPDF, recipients, signature: Signature) -> None:
    if pdf.will_page_break(45):
        pdf.add_page()
    x0, width = pdf.l_margin, _text_width(pdf)
    y = pdf.get_y() + 4
    left_w = width * 0.55
    yl = y
    if recipients:
        pdf.set_xy(x0, yl)
        pdf.set_font(FAMILY, "BI", RECIPIENTS_TITLE_PT)
        pdf.cell(left_w, 5.5, "Nơi nhận:", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FAMILY, "", RECIPIENTS_PT)
        for line in recipients:
            pdf.set_x(x0)
            pdf.multi_cell(left_w, 5, f"- {line}", new_x=XPos.LEFT, new_y=YPos.NEXT)
        yl = pdf.get_y()
    lines = [(t, "B", BODY_PT) for t in signature.titles]
    yr = _centred_lines(pdf, x0 + left_w, width - left_w, lines, y=y)
    yr = _centred_lines(pdf, x0 + left_w, width - left_w, [(signature.name, "B", BODY_PT)], y=yr + 24)
    pdf.set_xy(x0, max(yl, yr) + 2)


def official_pdf(document: OfficialDocument) -> bytes:
    """A report or a letter (A4 portrait) with its appendices, as PDF."""
    pdf = _new_pdf()
    pdf.set_title(document.file_title)
    pdf.add_page(orientation="P")
    if document.draft:
        _draft(pdf)
    _letterhead(pdf, document.letterhead)
    _incomplete_box(pdf, document.incomplete)
    if document.kind:
        pdf.ln(2)
        pdf.set_font(FAMILY, "B", BODY_PT)
        pdf.multi_cell(0, LINE_MM, document.kind, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for line in document.title:
            pdf.multi_cell(0, LINE_MM, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        _rule(pdf, pdf.l_margin + _text_width(pdf) / 2, 40, pdf.get_y() + 2.5)
        pdf.ln(6)
    if document.addressees:
        pdf.set_font(FAMILY, "", BODY_PT)
        pdf.set_x(pdf.l_margin + 30)
        pdf.cell(20, LINE_MM, "Kính gửi:", new_x=XPos.LEFT, new_y=YPos.NEXT)
        for line in document.addressees:
            pdf.set_x(pdf.l_margin + 50)
            pdf.multi_cell(_text_width(pdf) - 50, LINE_MM, f"- {line}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    for block in document.body:
        if isinstance(block, Table):
            _table(pdf, block)
        else:
            _para(pdf, block)
    _closing(pdf, document.recipients, document.signature)
    if document.appendices is not None:
        _append_appendices(pdf, document.appendices)
    return bytes(pdf.output())


def certificates_pdf(batch: CertificateBatch) -> bytes:
    """Every certificate on its own A4 landscape page, in one PDF to print at once."""
    pdf = _new_pdf()
    pdf.set_title(batch.file_title)
    pdf.numbered = False
    pdf.set_auto_page_break(auto=False)
    for cert in batch.certificates:
        pdf.add_page(orientation="L")
        pdf.set_draw_color(31, 56, 100)
        pdf.set_line_width(1.2)
        pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
        pdf.set_line_width(0.4)
        pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)
        pdf.set_draw_color(0, 0, 0)
        if cert.draft:
            _draft(pdf, y=16)
        x0, width = pdf.l_margin, _text_width(pdf)
        left_w = 95
        issuer = [(cert.issuer[0], "", 13)] + [(line, "B", 13) for line in cert.issuer[1:]]
        yl = _centred_lines(pdf, x0, left_w, issuer, y=pdf.t_margin)
        _rule(pdf, x0 + left_w / 2, 30, yl + 1)
        yr = _centred_lines(pdf, x0 + left_w, width - left_w, [(MOTTO[0], "B", 13), (MOTTO[1], "B", BODY_PT)],
                            y=pdf.t_margin)
        _rule(pdf, x0 + left_w + (width - left_w) / 2, 55, yr + 1)
        pdf.set_xy(x0, max(yl, yr) + 8)
        pdf.set_font(FAMILY, "B", 28)
        pdf.set_text_color(180, 20, 20)
        pdf.cell(0, 13, cert.heading, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)
        for block in cert.lines:
            _para(pdf, block)
        y = max(pdf.get_y() + 4, pdf.h - 62)
        right_x = x0 + width * 0.5
        y = _centred_lines(pdf, right_x, width * 0.5, [(cert.place_date, "I", BODY_PT)]
                           + [(t, "B", BODY_PT) for t in cert.signature.titles], y=y)
        _centred_lines(pdf, right_x, width * 0.5, [(cert.signature.name, "B", BODY_PT)], y=y + 18)
    return bytes(pdf.output())
