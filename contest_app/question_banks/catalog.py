"""The banks kept under ``question_banks/``: one folder per bank, each with a ``bank.toml``.

``question_banks/2019/`` is the 2019 edition's history (``status = "history"``): it is kept
as it was used and is never offered to a new edition. ``question_banks/2027/`` holds the
banks for the next edition (``status = "current"``). A folder holding ``quiz/`` directly
(the layout of older copies and of test banks) is read as one current bank.
Standard library only.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from contest_app.question_banks.loader import QUIZ_DIR, BankError

MANIFEST = "bank.toml"
HISTORY = "history"
CURRENT = "current"
STATUSES = (HISTORY, CURRENT)


@dataclass(frozen=True)
class BankFolder:
    name: str
    path: Path
    title: str
    edition_year: int | None
    status: str

    @property
    def is_history(self) -> bool:
        return self.status == HISTORY

    @property
    def label(self) -> str:
        if self.is_history:
            return f"{self.name} (lịch sử kỳ thi năm {self.edition_year}, không dùng cho kỳ thi mới)"
        return f"{self.name} ({self.title})"


def read_manifest(path: Path, errors: list[BankError]) -> BankFolder | None:
    """Read ``path/bank.toml``; report a broken manifest in ``errors``."""
    rel = f"{path.name}/{MANIFEST}"
    try:
        data = tomllib.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        errors.append(BankError(rel, 0, f"Không đọc được tệp mô tả ngân hàng ({exc})."))
        return None
    status = data.get("status")
    year = data.get("edition_year")
    if status not in STATUSES:
        errors.append(BankError(rel, 0, "Trường status phải là \"history\" hoặc \"current\"."))
        return None
    if year is not None and not isinstance(year, int):
        errors.append(BankError(rel, 0, "Trường edition_year phải là một năm (số nguyên)."))
        return None
    if status == HISTORY and year is None:
        errors.append(BankError(rel, 0, "Ngân hàng lịch sử phải ghi edition_year (năm của kỳ thi)."))
        return None
    return BankFolder(path.name, path, str(data.get("title", path.name)), year, status)


def bank_folders(root: Path) -> tuple[list[BankFolder], list[BankError]]:
    """The banks under ``root``, by name; ``root`` itself when it holds ``quiz/``."""
    root = Path(root)
    errors: list[BankError] = []
    if (root / QUIZ_DIR).is_dir():
        return [BankFolder(root.name, root, root.name, None, CURRENT)], errors
    if not root.is_dir():
        return [], [BankError(str(root), 0, "Không tìm thấy thư mục ngân hàng câu hỏi.")]
    folders = []
    for path in sorted(p for p in root.iterdir() if p.is_dir() and (p / MANIFEST).is_file()):
        folder = read_manifest(path, errors)
        if folder is not None:
            folders.append(folder)
    if not folders and not errors:
        errors.append(BankError(str(root), 0, "Không có ngân hàng nào (thư mục có tệp bank.toml)."))
    return folders, errors


def bank_for_edition(root: Path, *, year: int, chosen: str | None) -> BankFolder | None:
    """The bank an edition uses: the one it chose, else the history bank of its year,
    else the newest current bank."""
    folders, _ = bank_folders(root)
    if chosen:
        return next((f for f in folders if f.name == chosen), None)
    own = [f for f in folders if f.is_history and f.edition_year == year]
    if own:
        return own[0]
    current = [f for f in folders if not f.is_history]
    return current[-1] if current else None


def offered_banks(root: Path, *, year: int) -> list[BankFolder]:
    """The banks an organiser may choose for an edition of ``year``: every current bank,
    and a history bank only for its own edition."""
    folders, _ = bank_folders(root)
    return [f for f in folders if not f.is_history or f.edition_year == year]
