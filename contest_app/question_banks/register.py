"""The register of legal documents (``question_banks/legal_register.csv``) and legal bases.

Every bank item names its legal basis in a ``basis:`` line: citations separated by ``;``,
each ``<document number>, <article / section>``, e.g.
``118/2025/NĐ-CP, Điều 16, khoản 1; 80/2025/QH15, Điều 9``. The document number must be a
row of the register, which says when the text came into force and when it stopped.
Standard library only.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from contest_app.question_banks.loader import BankError, parse_date

REGISTER_FILE = "legal_register.csv"
REGISTER_COLUMNS = (
    "number", "title", "kind", "issued", "in_force_from", "replaced_by", "in_force_until", "note",
)
# A Vietnamese document number as written in a source line: "118/2025/NĐ-CP", "30c/NQ-CP",
# "2417/BC-SNV", "11254/UBND", "06/QĐ-TTg", "72/2025/QH15".
DOCUMENT_NUMBER = re.compile(
    r"(?<![\w/])(\d+[a-z]?/(?:\d{4}/)?(?:[A-ZĐ][A-ZĐa-z]*\d*)(?:-[A-ZĐ][A-ZĐa-z]*\d*)*)(?![\w/])"
)


@dataclass(frozen=True)
class LegalDocument:
    number: str
    title: str
    kind: str
    issued: date
    in_force_from: date
    replaced_by: str
    in_force_until: date | None
    note: str
    line: int

    def in_force_on(self, day: date) -> bool:
        """True when the text is in force on ``day`` (``in_force_until`` is its last day)."""
        if day < self.in_force_from:
            return False
        return self.in_force_until is None or day <= self.in_force_until

    def status_on(self, day: date) -> str | None:
        """A Vietnamese reason why the text cannot be cited on ``day``, or None."""
        if day < self.in_force_from:
            return f"chưa có hiệu lực ngày {day:%d/%m/%Y} (có hiệu lực từ {self.in_force_from:%d/%m/%Y})"
        if self.in_force_until is not None and day > self.in_force_until:
            replaced = f", đã được thay thế bởi {self.replaced_by}" if self.replaced_by else ""
            return f"đã hết hiệu lực từ sau ngày {self.in_force_until:%d/%m/%Y}{replaced}"
        return None


@dataclass(frozen=True)
class Citation:
    number: str
    location: str


def load_register(path: Path) -> tuple[dict[str, LegalDocument], list[BankError]]:
    """Read the register; return the documents by number and every problem found."""
    rel = path.name
    errors: list[BankError] = []
    documents: dict[str, LegalDocument] = {}
    try:
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return {}, [BankError(rel, 0, "Không đọc được sổ văn bản pháp luật (tệp UTF-8).")]
    rows = list(csv.reader(text.splitlines()))
    if not rows or tuple(c.strip() for c in rows[0]) != REGISTER_COLUMNS:
        return {}, [BankError(rel, 1, "Dòng tiêu đề phải là: " + ",".join(REGISTER_COLUMNS) + ".")]
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row) or row[0].startswith("#"):
            continue
        if len(row) != len(REGISTER_COLUMNS):
            errors.append(BankError(rel, line, f"Dòng có {len(row)} cột, cần {len(REGISTER_COLUMNS)}."))
            continue
        values = dict(zip(REGISTER_COLUMNS, (c.strip() for c in row)))
        dates = {}
        for key in ("issued", "in_force_from", "in_force_until"):
            if key == "in_force_until" and not values[key]:
                dates[key] = None
                continue
            dates[key] = parse_date(values[key])
            if dates[key] is None:
                errors.append(BankError(rel, line, f"Cột {key} '{values[key]}' không phải ngày (NNNN-TT-NN)."))
        if not values["number"] or not values["title"]:
            errors.append(BankError(rel, line, "Thiếu số hiệu hoặc tên văn bản."))
            continue
        if values["number"] in documents:
            errors.append(BankError(rel, line, f"Văn bản {values['number']} bị ghi hai lần."))
            continue
        if dates.get("issued") is None or dates.get("in_force_from") is None:
            continue
        documents[values["number"]] = LegalDocument(
            number=values["number"], title=values["title"], kind=values["kind"],
            issued=dates["issued"], in_force_from=dates["in_force_from"],
            replaced_by=values["replaced_by"], in_force_until=dates["in_force_until"],
            note=values["note"], line=line,
        )
    for doc in documents.values():
        for number in filter(None, (n.strip() for n in doc.replaced_by.split(";"))):
            if number not in documents:
                errors.append(BankError(rel, doc.line, f"Văn bản thay thế {number} không có trong sổ."))
    return documents, errors


def parse_basis(text: str) -> list[Citation]:
    """Split a ``basis`` value into citations (number, location)."""
    citations = []
    for part in text.replace("\n", " ").split(";"):
        part = part.strip()
        if not part:
            continue
        number, _, location = part.partition(",")
        citations.append(Citation(number.strip(), location.strip()))
    return citations


def numbers_in(text: str) -> list[str]:
    """Document numbers written in free text (a ``source`` line)."""
    return DOCUMENT_NUMBER.findall(unicodedata.normalize("NFC", text))
