"""Word documents (python-docx) laid out as Decree 30/2020/NĐ-CP lays them out: A4, Times
New Roman 13–14, margins 20 / 20 / 30 / 15 mm, the page number (a PAGE field) at the top
centre from the second page, numbering that starts again for each appendix; appendices
with "Phụ lục I" centred bold, the title in capitals bold, the italic "(Kèm theo …)" line
and a table whose header rows repeat on every page (w:tblHeader); the report, the letter
and the certificates from ``reports.official`` values."""
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
from contest_app.reports.official import (
    BODY_PT,
    DRAFT,
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
    _set_font(normal, BODY_PT)
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


def _write(cell, text: Any, *, bold: bool = False, center: bool = False, size: float = TABLE_PT) -> None:
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
    _paragraph(doc, "", size=RECIPIENTS_PT)
    _paragraph(doc, text, italic=True, size=RECIPIENTS_PT, align=WD_ALIGN_PARAGRAPH.LEFT)


def _incomplete_box(doc, label: str) -> None:
    """The boxed, bold warning that the results are incomplete, with what is missing."""
    if not label:
        return
    p = _paragraph(doc, label, bold=True, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=6)
    _border(p, ("top", "left", "bottom", "right"))


def _append_appendix_one(doc, one, fingerprint: str, draft_label: str = "") -> None:
    n = len(one.segment_keys)
    width = 3 + n + 1
    _incomplete_box(doc, draft_label)
    _heading(doc, one.heading)
    table = doc.add_table(rows=2, cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    top, sub = table.rows
    for col, text in enumerate(I_HEADINGS):
        merged = top.cells[col].merge(sub.cells[col])
        _write(merged, text, bold=True, center=True)
    if n:  # an edition with no segment yet has no group heading
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
    _widths(table, [1.2, 5.0, 9.0 if n else 16.5] + ([7.5 / n] * n if n else []) + [2.3])
    _fingerprint(doc, fingerprint)


def _append_appendix_two(doc, two, fingerprint: str, draft_label: str = "") -> None:
    _incomplete_box(doc, draft_label)
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
        _paragraph(doc, note, bold=True, size=TABLE_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    _fingerprint(doc, fingerprint)


def _append_appendices(doc, app: Appendices, *, first: bool) -> None:
    """Phụ lục I (A4 landscape) and Phụ lục II (A4 portrait), each in its own section whose
    page numbers start again at 1 (shown from its second page)."""
    section = doc.sections[0] if first else doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=True)
    _page_numbers(section, restart=True)
    _append_appendix_one(doc, app.one, app.fingerprint_line, app.draft_label)
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=False)
    _page_numbers(section, restart=True)
    _append_appendix_two(doc, app.two, app.fingerprint_line, app.draft_label)


def appendix_document(app: Appendices) -> bytes:
    """Phụ lục I (A4 landscape) and Phụ lục II (A4 portrait) in one .docx."""
    doc = _new_document()
    _append_appendices(doc, app, first=True)
    return _save(doc)


def _save(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- page numbers, letterhead, body, signature (Decree 30/2020, Appendix I) ---------------------


def _field(paragraph, instruction: str, shown: str = "1") -> None:
    """A Word field (``PAGE``) as begin / instruction / separate / result / end runs."""
    def run_with(child):
        run = paragraph.add_run()
        _set_font(run, BODY_PT)
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    result = paragraph.add_run(shown)
    _set_font(result, BODY_PT)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _page_numbers(section, *, restart: bool) -> None:
    """The page number at the top centre from the section's second page (a different,
    empty first-page header); with ``restart`` the section's numbering starts at 1."""
    section.different_first_page_header_footer = True
    section.header_distance = Cm(1)
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    for run in list(p.runs):
        run._r.getparent().remove(run._r)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(p, "PAGE")
    first = section.first_page_header
    first.is_linked_to_previous = False
    if restart:
        sect_pr = section._sectPr
        num = sect_pr.find(qn("w:pgNumType"))
        if num is None:
            num = OxmlElement("w:pgNumType")
            sect_pr.append(num)
        num.set(qn("w:start"), "1")


def _border(paragraph, sides=("bottom",)) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "6")
        edge.set(qn("w:space"), "1")
        edge.set(qn("w:color"), "auto")
        borders.append(edge)
    ppr.insert_element_before(
        borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
        "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
        "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    )


def _cell_line(cell, text: str, *, size: float, bold: bool = False, italic: bool = False, first: bool = False,
               align=WD_ALIGN_PARAGRAPH.CENTER):
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = align
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    _set_font(run, size)
    return p


def _rule(cell, indent_cm: float) -> None:
    """The short line under the issuing body or the motto."""
    p = cell.add_paragraph()
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Cm(indent_cm)
    p.paragraph_format.line_spacing = Pt(2)
    _border(p)


def _plain_table(doc, rows: int, widths_cm: Sequence[float]):
    table = doc.add_table(rows=rows, cols=len(widths_cm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths_cm)
    return table


def _letterhead(doc, head: Letterhead) -> None:
    table = _plain_table(doc, 2, [6.5, 10.0])
    left, right = table.rows[0].cells
    first = True
    if head.parent:
        _cell_line(left, head.parent, size=13, first=True)
        first = False
    for i, line in enumerate(head.body.split("\n")):
        _cell_line(left, line, size=13, bold=True, first=first and i == 0)
    _rule(left, 2.0)
    _cell_line(right, MOTTO[0], size=12, bold=True, first=True)
    _cell_line(right, MOTTO[1], size=13, bold=True)
    _rule(right, 2.4)
    left, right = table.rows[1].cells
    _cell_line(left, head.number, size=13, first=True)
    for line in head.subject:
        _cell_line(left, line, size=12)
    _cell_line(right, head.place_date, size=14, italic=True, first=True)


def _draft_mark(doc, indent_cm: float = 12.5) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.left_indent = Cm(indent_cm)
    run = p.add_run(DRAFT)
    run.bold = True
    _set_font(run, BODY_PT)
    _border(p, ("top", "left", "bottom", "right"))


def _para(doc, block: Para, *, space_after: float = 6) -> None:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_after = Pt(space_after)
    if block.kind in ("body", "heading", "bullet"):
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Cm(1)
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if block.kind == "heading":
        fmt.keep_with_next = True
    size = 20 if block.kind == "recipient" else BODY_PT
    for r in block.runs:
        run = p.add_run(r.text)
        run.bold = r.bold or block.kind in ("heading", "recipient")
        run.italic = r.italic
        _set_font(run, size)


def _table(doc, block: Table) -> None:
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for col, text in enumerate(block.header):
        _write(table.rows[0].cells[col], text, bold=True, center=True, size=TABLE_PT)
    _repeat_header(table.rows[0])
    for i, values in enumerate(block.rows):
        cells = table.add_row().cells
        _no_split(table.rows[-1])
        bold = block.bold_last and i == len(block.rows) - 1
        for col, text in enumerate(values):
            _write(cells[col], text, bold=bold, center=col in block.centre_columns, size=TABLE_PT)
    _widths(table, [w / 10 for w in block.widths_mm])
    doc.add_paragraph().paragraph_format.space_after = Pt(6)


def _closing(doc, recipients: Sequence[str], signature: Signature) -> None:
    table = _plain_table(doc, 1, [9.0, 7.5])
    _no_split(table.rows[0])  # "Nơi nhận" and the signature stay on one page
    left, right = table.rows[0].cells
    if recipients:
        _cell_line(left, "Nơi nhận:", size=RECIPIENTS_TITLE_PT, bold=True, italic=True, first=True,
                   align=WD_ALIGN_PARAGRAPH.LEFT)
        for line in recipients:
            _cell_line(left, f"- {line}", size=RECIPIENTS_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    for i, title in enumerate(signature.titles):
        _cell_line(right, title, size=BODY_PT, bold=True, first=i == 0)
    for _ in range(4):
        _cell_line(right, "", size=BODY_PT)
    _cell_line(right, signature.name, size=BODY_PT, bold=True)


def official_document(document: OfficialDocument) -> bytes:
    """A report or a letter (A4 portrait) with its appendices, as .docx."""
    doc = _new_document()
    doc.core_properties.title = document.file_title
    section = doc.sections[0]
    _page(section, landscape=False)
    _page_numbers(section, restart=False)
    if document.draft:
        _draft_mark(doc)
    _letterhead(doc, document.letterhead)
    _incomplete_box(doc, document.incomplete)
    if document.kind:
        _paragraph(doc, "", size=BODY_PT)
        _paragraph(doc, document.kind, bold=True, size=BODY_PT).paragraph_format.keep_with_next = True
        for line in document.title:
            _paragraph(doc, line, bold=True, size=BODY_PT)
        _rule_paragraph(doc)
    if document.addressees:
        _paragraph(doc, "", size=BODY_PT)
        p = _paragraph(doc, "Kính gửi:", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
        p.paragraph_format.left_indent = Cm(3)
        for line in document.addressees:
            q = _paragraph(doc, f"- {line}", size=BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
            q.paragraph_format.left_indent = Cm(5)
    _paragraph(doc, "", size=BODY_PT)
    for block in document.body:
        if isinstance(block, Table):
            _table(doc, block)
        else:
            _para(doc, block)
    _closing(doc, document.recipients, document.signature)
    if document.appendices is not None:
        _append_appendices(doc, document.appendices, first=False)
    return _save(doc)


def _rule_paragraph(doc) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Cm(6)
    p.paragraph_format.line_spacing = Pt(2)
    _border(p)


def _page_border(section) -> None:
    borders = OxmlElement("w:pgBorders")
    borders.set(qn("w:offsetFrom"), "page")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "double")
        edge.set(qn("w:sz"), "12")
        edge.set(qn("w:space"), "24")
        edge.set(qn("w:color"), "1F3864")
        borders.append(edge)
    sect_pr = section._sectPr
    sect_pr.insert_element_before(borders, "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt", "w:vAlign",
                                  "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter",
                                  "w:docGrid", "w:printerSettings", "w:sectPrChange")


def certificates_document(batch: CertificateBatch) -> bytes:
    """Every certificate on its own A4 landscape page, in one .docx to print at once."""
    doc = _new_document()
    doc.core_properties.title = batch.file_title
    for i, cert in enumerate(batch.certificates):
        section = doc.sections[0] if i == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        _page(section, landscape=True)
        _page_border(section)
        if cert.draft:
            _draft_mark(doc, indent_cm=21.0)
        table = _plain_table(doc, 1, [10.0, 15.0])
        left, right = table.rows[0].cells
        _cell_line(left, cert.issuer[0], size=13, first=True)
        for line in cert.issuer[1:]:
            _cell_line(left, line, size=13, bold=True)
        _rule(left, 3.0)
        _cell_line(right, MOTTO[0], size=13, bold=True, first=True)
        _cell_line(right, MOTTO[1], size=14, bold=True)
        _rule(right, 4.5)
        _paragraph(doc, cert.heading, bold=True, size=28, space_after=6).paragraph_format.space_before = Pt(12)
        for block in cert.lines:
            _para(doc, block, space_after=2)
        closing = _plain_table(doc, 1, [10.0, 15.0])
        _no_split(closing.rows[0])
        right = closing.rows[0].cells[1]
        _cell_line(right, cert.place_date, size=BODY_PT, italic=True, first=True)
        for title in cert.signature.titles:
            _cell_line(right, title, size=BODY_PT, bold=True)
        for _ in range(2):
            _cell_line(right, "", size=BODY_PT)
        _cell_line(right, cert.signature.name, size=BODY_PT, bold=True)
    return _save(doc)
