"""CSV exports: UTF-8 with a byte-order mark (so Excel reads the diacritics), real numbers
with a decimal point and two decimals ("7.17"), one table per file."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from contest_app.reports.appendix import AVERAGE_LABEL, Appendices


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value.as_tuple().exponent < 0 else str(value)
    text = str(value)
    # A name typed as "=HYPERLINK(...)" must stay text when a spreadsheet opens the file.
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) and not isinstance(value, int | float) else text


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """A CSV file as bytes (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def appendix_csv(app: Appendices) -> bytes:
    """Phụ lục I (rows, then the average row) followed by Phụ lục II, in one table.

    Columns: Phụ lục, TT, Tên đội thi, Tên mô hình, sáng kiến, one per segment,
    Tổng điểm, Giải. Phụ lục II rows carry their tier in "Giải" and the total.
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
    return csv_bytes(headers, rows)
