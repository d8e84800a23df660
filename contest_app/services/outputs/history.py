"""The contest across its editions (report 2417/BC-SNV, section 3.1): entries per round
and the prize structure of each edition, totals included.

An edition held before the app existed is recorded with its figures only
(``Edition.figures_only``, ``Edition.history``); an edition run in the app without
recorded figures is counted from its entries. Flushes, never commits.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from contest_app.demo_data import CONTEST_NAME
from contest_app.enums import RoundStatus
from contest_app.extensions import db
from contest_app.models import Edition, Entry, PrizeTier
from contest_app.services.errors import Conflict, ValidationError
from contest_app.services.trust.audit import record_event

ROUNDS = ("qualifying", "preliminary", "final")
ROUND_LABELS = {"qualifying": "Vòng loại", "preliminary": "Vòng sơ khảo", "final": "Vòng chung khảo"}


@dataclass(frozen=True)
class HistoryRow:
    edition_id: int
    number: int
    year: int
    qualifying: int
    preliminary: int
    final: int
    tiers: tuple[tuple[str, int], ...]
    figures_only: bool

    @property
    def label(self) -> str:
        return f"Lần {self.number} - năm {self.year}"

    @property
    def prize_structure(self) -> str:
        return prize_structure(self.tiers)


@dataclass(frozen=True)
class HistoryTable:
    rows: tuple[HistoryRow, ...]
    totals: dict[str, int]


def prize_structure(tiers: Sequence[tuple[str, int]]) -> str:
    """"01 giải Nhất; 01 giải Nhì; 02 giải Ba; 03 giải Khuyến khích", as the report writes it."""
    return "; ".join(f"{count:02d} {name[:1].lower() + name[1:]}" for name, count in tiers)


def _counted(edition: Edition) -> dict[str, int]:
    def count(*conditions) -> int:
        return db.session.scalar(select(func.count(Entry.id)).where(Entry.edition_id == edition.id, *conditions)) or 0

    return {
        "qualifying": count(),
        "preliminary": count(Entry.qualifying_status == RoundStatus.PASSED.value),
        "final": count(Entry.preliminary_status == RoundStatus.PASSED.value),
    }


def figures_of(edition: Edition) -> dict[str, int]:
    """Entries per round: the recorded figures, or counted from the entries."""
    history = edition.history or {}
    if all(isinstance(history.get(k), int) for k in ROUNDS):
        return {k: history[k] for k in ROUNDS}
    return _counted(edition)


def history_table() -> HistoryTable:
    """Every edition, oldest first, with the column totals."""
    rows = []
    for edition in db.session.scalars(select(Edition).order_by(Edition.year)):
        figures = figures_of(edition)
        rows.append(
            HistoryRow(
                edition_id=edition.id,
                number=edition.number,
                year=edition.year,
                tiers=tuple((t.name, t.count) for t in edition.prize_tiers),
                figures_only=edition.figures_only,
                **figures,
            )
        )
    totals = {k: sum(getattr(r, k) for r in rows) for k in ROUNDS}
    return HistoryTable(tuple(rows), totals)


def _count(value: Any, label: str) -> int:
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise ValidationError(f"{label} phải là số nguyên không âm (đã nhập “{text[:20]}”).", code="invalid_number")
    return int(text)


def save_figures_edition(
    *,
    actor: str,
    number: Any,
    year: Any,
    qualifying: Any,
    preliminary: Any,
    final: Any,
    tiers: Sequence[tuple[str, Any]],
    edition: Edition | None = None,
) -> Edition:
    """Create (or, with ``edition``, update) an edition known only by its figures.

    Refuses non-numbers, a round larger than the one before it, a year already used,
    and editing an edition that has entry-level data. Audited. Flushes; the caller commits.
    """
    number = _count(number, "Lần tổ chức")
    year = _count(year, "Năm tổ chức")
    if number < 1:
        raise ValidationError("Lần tổ chức phải từ 1 trở lên.", code="invalid_number")
    if not 1990 <= year <= 2100:
        raise ValidationError(f"Năm tổ chức {year} không hợp lệ.", code="invalid_year")
    q = _count(qualifying, "Số mô hình, sáng kiến vòng loại")
    p = _count(preliminary, "Số mô hình, sáng kiến vòng sơ khảo")
    f = _count(final, "Số mô hình, sáng kiến vòng chung khảo")
    if p > q:
        raise ValidationError("Số mô hình, sáng kiến vòng sơ khảo không thể nhiều hơn vòng loại.", code="rounds_order")
    if f > p:
        raise ValidationError("Số mô hình, sáng kiến vòng chung khảo không thể nhiều hơn vòng sơ khảo.", code="rounds_order")
    clean_tiers = []
    for name, count in tiers:
        name = (name or "").strip()
        if not name and str(count or "").strip() in ("", "0"):
            continue
        if not name:
            raise ValidationError("Mỗi giải phải có tên.", code="tier_name")
        clean_tiers.append((name, _count(count, f"Số lượng {name}")))
    if edition is not None and not edition.figures_only:
        raise Conflict(
            "Kỳ thi này có dữ liệu chi tiết từng đội; số liệu tổng hợp được tính từ dữ liệu đó.", code="not_figures_only"
        )
    clash = db.session.scalar(select(Edition).where(Edition.year == year))
    if clash is not None and clash is not edition:
        raise Conflict(f"Đã có kỳ thi năm {year}.", code="year_exists")
    before = None
    if edition is None:
        edition = Edition(number=number, year=year, title="", figures_only=True)
        db.session.add(edition)
    else:
        before = {
            "number": edition.number,
            "year": edition.year,
            "history": edition.history,
            "tiers": [[t.name, t.count] for t in edition.prize_tiers],
        }
    edition.number, edition.year = number, year
    edition.title = f"Lần thứ {number} - năm {year}"
    if not edition.contest_name:
        edition.contest_name = CONTEST_NAME
    edition.history = {"qualifying": q, "preliminary": p, "final": f}
    edition.prize_tiers.clear()
    db.session.flush()
    for i, (name, count) in enumerate(clean_tiers, start=1):
        edition.prize_tiers.append(PrizeTier(name=name, count=count, order=i))
    db.session.flush()
    record_event(
        actor=actor,
        action="edition.figures_saved",
        edition_id=edition.id,
        object_type="edition",
        object_id=edition.id,
        before=before,
        after={"number": number, "year": year, "history": edition.history, "tiers": [list(t) for t in clean_tiers]},
    )
    return edition
