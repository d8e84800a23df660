"""What the 2019 appendices must hold (seed 000, Phụ lục I and II), and helpers to read
the figures back out of every output form."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.published_2019 import AVERAGES, PHU_LUC_I

TITLES = {
    "Sở Tài nguyên và Môi trường": "Giải pháp xây dựng phần mềm hỗ trợ kiểm tra cập nhật cơ sở dữ liệu địa chính thường xuyên và kết nối tra cứu thông tin",
    "Sở Nội vụ": "Tổ chức cơ sở dữ liệu tổng hợp dùng chung và tích hợp, liên kết, chia sẻ dữ liệu trong giải quyết thủ tục hành chính cho công dân, tổ chức",
}

# Phụ lục II: (tier heading, [(TT, team, score)])
PHU_LUC_II = [
    ("I", "GIẢI NHẤT", [("", "Sở Nội vụ", "88.50")]),
    ("II", "GIẢI NHÌ", [("", "Sở Thông tin và Truyền thông", "85.50")]),
    ("III", "GIẢI BA", [("1", "UBND phường Ninh Hải (thị xã Ninh Hòa)", "84.40"), ("2", "UBND huyện Cam Lâm", "81.70")]),
    ("IV", "GIẢI KHUYẾN KHÍCH", [
        ("1", "UBND huyện Khánh Sơn", "80.30"),
        ("2", "UBND thành phố Nha Trang", "80.00"),
        ("3", "Liên quân UBND các xã: Diên Lâm - Diên Thọ - Diên An (huyện Diên Khánh)", "77.40"),
    ]),
]

TITLE_LINES = [
    "DANH SÁCH CÁC ĐỘI THI THAM GIA VÒNG CHUNG KHẢO CUỘC THI",
    "“MÔ HÌNH, SÁNG KIẾN CCHC CỦA CÔNG CHỨC, VIÊN CHỨC TRẺ”",
    "LẦN THỨ 4 - NĂM 2019",
]
TITLE_II_FIRST = "DANH SÁCH CÁC ĐỘI ĐẠT GIẢI VÒNG CHUNG KHẢO CUỘC THI"
ATTACHED = "(Kèm theo Báo cáo số 2417/BC-SNV ngày 29/10/2019 của Sở Nội vụ)"
AVERAGE_ROW = [AVERAGES[k] for k in ("knowledge", "situation", "presentation", "total")]


def vn(text: str) -> str:
    """The published figure "58.82" as a Vietnamese-style print shows it: "58,82"."""
    return text.replace(".", ",")


def expected_rows_vn() -> list[list[str]]:
    """Phụ lục I as printed: TT, team, four figures (Vietnamese style)."""
    return [[str(i), team, vn(k), vn(s), vn(p), vn(t)] for i, (team, k, s, p, t) in enumerate(PHU_LUC_I, start=1)]


def assert_in_order(text: str, parts: list[str]) -> None:
    """Every part occurs in ``text``, each after the one before."""
    pos = 0
    for part in parts:
        found = text.find(part, pos)
        assert found >= 0, f"“{part}” not found after position {pos}"
        pos = found + len(part)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class TableParser(HTMLParser):
    """Collect every table of a page as rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(squash("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[list[list[str]]]:
    parser = TableParser()
    parser.feed(html)
    return parser.tables
