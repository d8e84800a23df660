"""The app's one CSV writer: every CSV the app produces (downloads and the command line)
goes through ``csv_text``/``csv_bytes``, so that every file has the same guard and forms.

Two forms:

- ``vi`` (the default for downloads): what an Excel set to the Vietnamese locale opens in
  columns: ``;`` between fields, a decimal comma and dots for thousands (7,17; 1.000.000),
  dates dd/mm/yyyy, UTF-8 with a byte-order mark so that the diacritics survive;
- ``plain``: ``,`` between fields and a decimal point (7.17; 1000000), dates dd/mm/yyyy,
  for programs and spreadsheets in other locales (UTF-8 with the byte-order mark too).

A text that a spreadsheet would run as a formula (it starts with = + - @, a tab or a
carriage return) is written with a leading apostrophe, in both forms.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from contest_app.reports.appendix import AVERAGE_LABEL, Appendices
from contest_app.formatting import vn, vn_day
from contest_app.services.errors import ValidationError

VI, PLAIN = "vi", "plain"
FORMS = {VI: ";", PLAIN: ","}
FORM_NAMES = {VI: "CSV (Excel tiếng Việt)", PLAIN: "CSV (dấu phẩy, dấu chấm thập phân)"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_form(form: str | None) -> str:
    """The CSV form asked for (``vi`` when none); anything else is refused in Vietnamese."""
    form = (form or VI).strip().lower()
    if form not in FORMS:
        raise ValidationError(f"Dạng CSV “{form}” không được hỗ trợ: chọn vi hoặc plain.", code="csv_form")
    return form


def cell(value: Any, form: str = VI) -> str:
    """One value as the CSV writes it in ``form``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):  # a datetime too
        return vn_day(value)
    if isinstance(value, Decimal | float):
        value = Decimal(str(value)) if isinstance(value, float) else value
        places = max(0, -value.as_tuple().exponent) if isinstance(value.as_tuple().exponent, int) else 2
        if form == VI:
            return vn(value, places)
        return f"{value:.{places}f}"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    # A name typed as "=HYPERLINK(...)" must stay text when a spreadsheet opens the file.
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, form: str = VI,
             lineterminator: str = "\r\n", first_line: str = "") -> str:
    """A CSV table as text (no byte-order mark); ``first_line`` (e.g. the warning that the
    results are incomplete) is written as a one-field row above the header."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=FORMS[form], lineterminator=lineterminator)
    if first_line:
        writer.writerow([cell(first_line, form)])
    writer.writerow([cell(h, form) for h in headers])
    for row in rows:
        writer.writerow([cell(v, form) for v in row])
    return out.getvalue()


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, form: str = VI,
              first_line: str = "") -> bytes:
    """A CSV file as bytes: UTF-8 with a byte-order mark."""
    return ("\ufeff" + csv_text(headers, rows, form=form, first_line=first_line)).encode("utf-8")


def appendix_csv(app: Appendices, *, form: str = VI) -> bytes:
    """Phụ lục I (rows, then the average row) followed by Phụ lục II, in one table.

    Columns: Phụ lục, TT, Tên đội thi, Tên mô hình, sáng kiến, one per segment,
    Tổng điểm, Giải. Phụ lục II rows carry their tier in "Giải" and the total. While marks
    are missing, the first line is the warning "DỰ THẢO — chưa đủ điểm. Còn thiếu: …".
    """
    one, two = app.one, app.two
    headers = ["Phụ lục", "TT", "Tên đội thi", "Tên mô hình, sáng kiến", *one.segment_names, "Tổng điểm", "Giải"]
    blanks = [None] * len(one.segment_keys)
    rows: list[list[Any]] = []
    for r in one.rows:
        rows.append(["I", r.tt, r.team, r.entry_title, *r.scores, r.total, None])
    rows.append(["I", None, AVERAGE_LABEL, None, *one.averages, one.average_total, None])
    for group in two.groups:
        for w in group.winners:
            rows.append(["II", w.tt, w.team, w.entry_title, *blanks, w.total, group.name])
    rows.append([None, None, app.fingerprint_line, None, *blanks, None, None])
    return csv_bytes(headers, rows, form=form, first_line=app.draft_label)
