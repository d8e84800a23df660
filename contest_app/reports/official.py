"""An administrative document (văn bản hành chính) as data, laid out as Appendix I of
Decree 30/2020/NĐ-CP lays it out: the issuing body and the national motto side by side,
the number and the place and date, the kind and subject (or the "V/v" of a letter), the
body, "Nơi nhận" beside the signature block, and the appendices attached.

The report, the follow-up letter and the certificates are built as these values; Word
(``reports.word``) and PDF (``reports.pdf``) lay out the same values, so both forms say
the same thing. Nothing here reads the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from contest_app.reports.appendix import Appendices
from contest_app.formatting import vn_date

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
DRAFT = "DỰ THẢO"
PLACE = "Khánh Hòa"
BLANK = "        "  # where the clerk writes the number or the day by hand

#: Sizes in points (Decree 30/2020, Appendix I, section II): body 14, tables 13,
#: "Nơi nhận" 12 and its list 11.
BODY_PT = 14
TABLE_PT = 13
RECIPIENTS_TITLE_PT = 12
RECIPIENTS_PT = 11
#: Margins in millimetres: top and bottom 20–25, left 30–35, right 15–20.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Para:
    """A paragraph: ``body`` (justified, first line indented), ``heading`` (bold),
    ``bullet`` (a "- " line), ``center`` or ``note`` (italic, centred)."""

    runs: tuple[Run, ...]
    kind: str = "body"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def para(text: str, kind: str = "body", *, bold: bool = False, italic: bool = False) -> Para:
    return Para((Run(text, bold, italic),), kind)


@dataclass(frozen=True)
class Table:
    """A bordered table; the first row is the header (bold, repeated on every page)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths_mm: tuple[float, ...]
    bold_last: bool = False
    centre_columns: tuple[int, ...] = ()


Block = Para | Table


@dataclass(frozen=True)
class Letterhead:
    parent: str  # "UBND TỈNH KHÁNH HÒA"; empty for the province's own letters
    body: str  # "SỞ NỘI VỤ", "ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA"
    number: str  # "Số: 2417/BC-SNV"
    place_date: str  # "Khánh Hòa, ngày 29 tháng 10 năm 2019"
    subject: tuple[str, ...] = ()  # a letter's "V/v …" lines, under the number


@dataclass(frozen=True)
class Signature:
    titles: tuple[str, ...]  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    name: str


@dataclass(frozen=True)
class OfficialDocument:
    letterhead: Letterhead
    kind: str  # "BÁO CÁO"; empty for a letter (công văn)
    title: tuple[str, ...]  # the report's subject, bold under its kind
    addressees: tuple[str, ...]  # "Kính gửi:" lines
    body: tuple[Block, ...]
    recipients: tuple[str, ...]
    signature: Signature
    draft: bool
    file_title: str
    appendices: Appendices | None = None
    addressee: str = ""  # a single addressee on the "Kính gửi" line itself
    #: "DỰ THẢO — chưa đủ điểm. Còn thiếu: …" while marks are missing; empty when complete.
    incomplete: str = ""


@dataclass(frozen=True)
class Certificate:
    """One certificate page: A4 landscape."""

    issuer: tuple[str, ...]  # "UBND TỈNH KHÁNH HÒA", "BAN TỔ CHỨC CUỘC THI"
    heading: str  # "GIẤY CHỨNG NHẬN"
    lines: tuple[Para, ...]
    place_date: str
    signature: Signature
    draft: bool = False


@dataclass(frozen=True)
class CertificateBatch:
    file_title: str
    certificates: tuple[Certificate, ...] = field(default=())


def number_line(number: str, default_symbol: str) -> str:
    """"Số: 2417/BC-SNV"; with only the symbol ("/BC-SNV") or nothing, a blank for the number."""
    number = (number or "").strip()
    if not number:
        number = "/" + default_symbol
    if number.startswith("/"):
        return f"Số:{BLANK}{number}"
    return f"Số: {number}"


def place_date(value: date | None, year: int) -> str:
    """"Khánh Hòa, ngày 29 tháng 10 năm 2019"; blanks for the day and month when not set.

    Days below 10 and the months January and February take a leading zero (Decree 30)."""
    if value is None:
        return f"{PLACE}, ngày{BLANK}tháng{BLANK}năm {year}"
    day, month, _year = vn_date(value).split("/")
    return f"{PLACE}, ngày {day} tháng {month} năm {value.year}"
