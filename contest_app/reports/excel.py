"""Excel workbooks (openpyxl): numbers are stored as numbers with a number format,
never as text, so the secretariat can add, sort and chart them.

Print setup as Decree 30/2020 asks of every document: A4 (Phụ lục I landscape), margins
20 / 20 / 30 / 15 mm, fit to the page's width, the header rows repeated on every page,
the page number at the top centre from the second page, and row heights that fit the
wrapped text (Excel grows rows by itself, LibreOffice prints what the file says)."""
from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from contest_app.reports.appendix import (
    AVERAGE_LABEL,
    GROUP_HEADING,
    I_HEADINGS,
    II_HEADINGS,
    TOTAL_HEADING,
    Appendices,
    Heading,
)

FONT = "Times New Roman"
SCORE_FORMAT = "0.00"
MONEY_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="center", wrap_text=True)


CELL_PT = 13
MM_PER_INCH = 25.4
#: Characters of Times New Roman 13 pt that fit in one unit of Excel column width (an
#: average over Vietnamese text; a little under 1 so that the estimate errs on tall rows).
CHARS_PER_WIDTH = 0.95
LINE_PT = 1.3  # line height as a multiple of the font size


def _font(bold: bool = False, italic: bool = False, size: int = CELL_PT) -> Font:
    return Font(name=FONT, bold=bold, italic=italic, size=size)


def _setup_page(ws: Worksheet, *, landscape: bool, title_rows: str | None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    margins = ws.page_margins
    margins.top, margins.bottom = 20 / MM_PER_INCH, 20 / MM_PER_INCH
    margins.left, margins.right = 30 / MM_PER_INCH, 15 / MM_PER_INCH
    margins.header, margins.footer = 10 / MM_PER_INCH, 10 / MM_PER_INCH
    ws.oddHeader.center.text = "&P"
    ws.oddHeader.center.font = f"{FONT},Regular"
    ws.oddHeader.center.size = CELL_PT
    ws.HeaderFooter.differentFirst = True  # no number on the first page
    if title_rows:
        ws.print_title_rows = title_rows
    fit_row_heights(ws)


def _span_width(ws: Worksheet, cell) -> float:
    """The width (in Excel units) a cell's text has: its merged range's, or its column's."""
    for merged in ws.merged_cells.ranges:
        if cell.coordinate in merged:
            return sum(ws.column_dimensions[get_column_letter(c)].width or 8.43
                       for c in range(merged.min_col, merged.max_col + 1))
    return ws.column_dimensions[get_column_letter(cell.column)].width or 8.43


def text_lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` units wide."""
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def fit_row_heights(ws: Worksheet) -> None:
    """Set every row's height to fit its wrapped text (the tallest cell of the row)."""
    for row in ws.iter_rows():
        height = 0.0
        for cell in row:
            if cell.value is None:
                continue
            size = cell.font.sz or CELL_PT
            wraps = bool(cell.alignment and cell.alignment.wrap_text) and isinstance(cell.value, str)
            lines = text_lines(cell.value, _span_width(ws, cell)) if wraps else 1
            height = max(height, lines * size * LINE_PT + 4)
        if height:
            ws.row_dimensions[row[0].row].height = round(height, 1)


DRAFT_COLOR = "B41414"


def _heading(ws: Worksheet, heading: Heading, width: int, draft_label: str = "") -> int:
    """Write the appendix heading from row 1 (under the incomplete-results warning, when
    there is one, in row 1); return the next free row."""
    last = get_column_letter(width)
    lines = [(draft_label, Font(name=FONT, bold=True, size=14, color=DRAFT_COLOR))] if draft_label else []
    lines += [(heading.label, _font(bold=True, size=14))]
    lines += [(line, _font(bold=True, size=14)) for line in heading.title_lines]
    lines += [(heading.attached, _font(italic=True, size=14))]
    for row, (text, font) in enumerate(lines, start=1):
        ws.merge_cells(f"A{row}:{last}{row}")
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if text == draft_label:
            cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
            for col in range(1, width + 1):
                ws.cell(row=row, column=col).border = BOX
    return len(lines) + 2


def _num_cell(ws: Worksheet, row: int, col: int, value: Decimal | None, *, bold: bool = False) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.number_format = SCORE_FORMAT
    cell.font = _font(bold=bold)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    cell.border = BOX


def _text_cell(ws: Worksheet, row: int, col: int, value: Any, *, bold: bool = False, center: bool = False) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a name typed as "=..." is text, never a formula
    cell.font = _font(bold=bold)
    cell.alignment = CENTER if center else WRAP
    cell.border = BOX


def _fingerprint(ws: Worksheet, row: int, text: str) -> None:
    cell = ws.cell(row=row, column=1, value=text)
    cell.font = _font(italic=True, size=11)


def appendix_workbook(app: Appendices) -> bytes:
    """Phụ lục I and Phụ lục II on two A4 sheets; the header rows repeat on every page."""
    wb = Workbook()
    one = app.one
    n = len(one.segment_keys)
    width = 3 + n + 1
    ws = wb.active
    ws.title = "Phụ lục I"
    top = _heading(ws, one.heading, width, app.draft_label)
    for col, text in enumerate(I_HEADINGS, start=1):
        ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        _text_cell(ws, top, col, text, bold=True, center=True)
        _text_cell(ws, top + 1, col, None)
    if n:  # an edition with no segment yet has no group heading
        ws.merge_cells(start_row=top, start_column=4, end_row=top, end_column=3 + n)
        _text_cell(ws, top, 4, GROUP_HEADING, bold=True, center=True)
    for j, name in enumerate(one.segment_names):
        if j:
            _text_cell(ws, top, 4 + j, None)
        _text_cell(ws, top + 1, 4 + j, name, bold=True, center=True)
    ws.merge_cells(start_row=top, start_column=width, end_row=top + 1, end_column=width)
    _text_cell(ws, top, width, TOTAL_HEADING, bold=True, center=True)
    _text_cell(ws, top + 1, width, None)
    row = top + 2
    for r in one.rows:
        _text_cell(ws, row, 1, r.tt, center=True)
        _text_cell(ws, row, 2, r.team)
        _text_cell(ws, row, 3, r.entry_title)
        for j, value in enumerate(r.scores):
            _num_cell(ws, row, 4 + j, value)
        _num_cell(ws, row, width, r.total, bold=True)
        row += 1
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    _text_cell(ws, row, 1, AVERAGE_LABEL, bold=True, center=True)
    _text_cell(ws, row, 2, None)
    _text_cell(ws, row, 3, None)
    for j, value in enumerate(one.averages):
        _num_cell(ws, row, 4 + j, value, bold=True)
    _num_cell(ws, row, width, one.average_total, bold=True)
    _fingerprint(ws, row + 2, app.fingerprint_line)
    for col, w in zip(range(1, width + 1), [6, 30, 60] + [14] * n + [12], strict=True):
        ws.column_dimensions[get_column_letter(col)].width = w
    _setup_page(ws, landscape=True, title_rows=f"{top}:{top + 1}")

    two = app.two
    ws2 = wb.create_sheet("Phụ lục II")
    top = _heading(ws2, two.heading, 4, app.draft_label)
    for col, text in enumerate(II_HEADINGS, start=1):
        _text_cell(ws2, top, col, text, bold=True, center=True)
    row = top + 1
    for group in two.groups:
        _text_cell(ws2, row, 1, group.numeral, bold=True, center=True)
        _text_cell(ws2, row, 2, group.heading, bold=True)
        _text_cell(ws2, row, 3, None)
        _text_cell(ws2, row, 4, None)
        row += 1
        for w in group.winners:
            _text_cell(ws2, row, 1, w.tt, center=True)
            _text_cell(ws2, row, 2, w.team)
            _text_cell(ws2, row, 3, w.entry_title)
            _num_cell(ws2, row, 4, w.total)
            row += 1
    for note in two.unresolved:
        ws2.cell(row=row + 1, column=1, value=note).font = _font(bold=True)
        row += 1
    _fingerprint(ws2, row + 2, app.fingerprint_line)
    for col, w in zip(range(1, 5), [6, 34, 70, 10], strict=True):
        ws2.column_dimensions[get_column_letter(col)].width = w
    _setup_page(ws2, landscape=False, title_rows=f"{top}:{top}")
    return _save(wb)


def table_workbook(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], *,
                   formats: dict[int, str] | None = None, footer: Sequence[Sequence[Any]] = (),
                   caption: str | None = None) -> bytes:
    """A one-sheet table: a bold header row (repeated when printed) and typed cells, under an
    optional ``caption`` (a bold line across the table, row 1).

    ``formats`` maps a 0-based column to a number format (``SCORE_FORMAT``, ``MONEY_FORMAT``…).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    formats = formats or {}
    top = 1
    if caption:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, len(headers)))
        cell = ws.cell(row=1, column=1, value=caption)
        cell.font = _font(bold=True, size=14)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        top = 2
    for col, text in enumerate(headers, start=1):
        _text_cell(ws, top, col, text, bold=True, center=True)
    for i, values in enumerate(list(rows) + list(footer), start=top + 1):
        bold = i - top - 1 >= len(rows)
        for col, value in enumerate(values, start=1):
            if isinstance(value, date):
                cell = ws.cell(row=i, column=col, value=value)
                cell.number_format = DATE_FORMAT
                cell.font = _font(bold=bold)
                cell.border = BOX
            elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
                cell = ws.cell(row=i, column=col, value=value)
                cell.number_format = formats.get(col - 1, "General")
                cell.font = _font(bold=bold)
                cell.border = BOX
            else:
                _text_cell(ws, i, col, value, bold=bold)
    for col, text in enumerate(headers, start=1):
        longest = max([len(str(text))] + [len(str(r[col - 1] or "")) for r in rows] or [10])
        ws.column_dimensions[get_column_letter(col)].width = min(60, max(8, longest + 2))
    _setup_page(ws, landscape=len(headers) > 5, title_rows=f"{top}:{top}")
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
