"""Phụ lục I (every finalist with its segment scores, total and the average row) and
Phụ lục II (the winners by prize tier), as data that every output form lays out.

Built only from ``EditionResults``; the displayed values are rounded here, once
(2 decimals, half up), and every form prints these same values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from contest_app.enums import RoundKind
from contest_app.models import Edition
from contest_app.formatting import rounded, vn_date
from contest_app.services.final.results import EditionResults

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
AVERAGE_LABEL = "ĐIỂM TRUNG BÌNH"
GROUP_HEADING = "ĐIỂM CÁC PHẦN THI"
TOTAL_HEADING = "TỔNG ĐIỂM"
I_HEADINGS = ("TT", "TÊN ĐỘI THI", "TÊN MÔ HÌNH, SÁNG KIẾN")
II_HEADINGS = ("TT", "Tên đội thi", "Tên mô hình, sáng kiến", "Điểm")
FINGERPRINT_LABEL = "Mã kiểm tra kết quả (SHA-256)"
PLACEHOLDER = "…"


@dataclass(frozen=True)
class Heading:
    """The top of an appendix, as Decree 30/2020/NĐ-CP lays it out."""

    label: str
    title_lines: tuple[str, ...]
    attached: str

    @property
    def title(self) -> str:
        return " ".join(self.title_lines)


@dataclass(frozen=True)
class AppendixRow:
    """One finalist's line of Phụ lục I, with displayed (rounded) values."""

    tt: int
    team: str
    entry_title: str
    scores: tuple[Decimal | None, ...]
    total: Decimal | None


@dataclass(frozen=True)
class Winner:
    """A prize winner in Phụ lục II; ``tt`` is blank when the tier has one winner."""

    tt: int | None
    team: str
    entry_title: str
    total: Decimal | None


@dataclass(frozen=True)
class PrizeGroup:
    """A tier of Phụ lục II: "I  GIẢI NHẤT" and its winners."""

    numeral: str
    name: str
    heading: str
    winners: tuple[Winner, ...]


@dataclass(frozen=True)
class AppendixOne:
    heading: Heading
    segment_names: tuple[str, ...]
    segment_keys: tuple[str, ...]
    rows: tuple[AppendixRow, ...]
    averages: tuple[Decimal | None, ...]
    average_total: Decimal | None


@dataclass(frozen=True)
class AppendixTwo:
    heading: Heading
    groups: tuple[PrizeGroup, ...]
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True)
class Appendices:
    """Both appendices of an edition, and the fingerprint of the results they print."""

    edition_year: int
    one: AppendixOne
    two: AppendixTwo
    fingerprint: str
    notes: tuple[str, ...] = field(default=())
    #: "id:hash" of the audit chain's newest record when printed (kept on paper, it anchors the chain).
    audit_head: str = ""
    #: "DỰ THẢO — chưa đủ điểm. Còn thiếu: …" while marks are missing (every form prints it
    #: first, prominently); empty when the results are complete.
    draft_label: str = ""
    #: What is missing, one line per team and segment ("<đội> – <phần thi>: 3/6 điểm").
    missing: tuple[str, ...] = field(default=())

    @property
    def is_draft(self) -> bool:
        return bool(self.draft_label)

    @property
    def fingerprint_line(self) -> str:
        return f"{FINGERPRINT_LABEL}: {self.fingerprint}"

    @property
    def audit_line(self) -> str:
        return f"Mã băm cuối của nhật ký kiểm tra: {self.audit_head}" if self.audit_head else ""


def short_contest_name(edition: Edition) -> str:
    """The contest's name as the appendices abbreviate it ("cải cách hành chính" → "CCHC")."""
    name = edition.contest_name or edition.title
    return re.sub(r"cải cách hành chính", "CCHC", name, flags=re.IGNORECASE)


def final_round_name(edition: Edition) -> str:
    for r in edition.rounds:
        if r.kind == RoundKind.FINAL.value and r.name:
            return r.name
    return RoundKind.FINAL.label


def attached_line(edition: Edition) -> str:
    """"(Kèm theo Báo cáo số 2417/BC-SNV ngày 29/10/2019 của Sở Nội vụ)", "…" where unset."""
    number = edition.report_number or f"{PLACEHOLDER}/BC-{PLACEHOLDER}"
    if number.startswith("/"):  # the number is left for the clerk to write by hand
        number = f"{PLACEHOLDER}{number}"
    body = edition.issuing_body or PLACEHOLDER
    return f"(Kèm theo Báo cáo số {number} ngày {vn_date(edition.report_date)} của {body})"


def _heading(edition: Edition, label: str, first_line: str) -> Heading:
    return Heading(
        label=label,
        title_lines=(
            f"{first_line} {final_round_name(edition).upper()} CUỘC THI",
            f"“{short_contest_name(edition).upper()}”",
            edition.label.upper(),
        ),
        attached=attached_line(edition),
    )


def build_appendices(results: EditionResults) -> Appendices:
    """Lay out Phụ lục I and II from the results of an edition's final."""
    edition = results.edition
    keys = tuple(s.key for s in results.segments)
    rows = tuple(
        AppendixRow(
            tt=i,
            team=r.team,
            entry_title=r.entry_title,
            scores=tuple(rounded(r.scores.get(k)) for k in keys),
            total=rounded(r.total) if any(r.scores.get(k) is not None for k in keys) else None,
        )
        for i, r in enumerate(results.rows_in_order(), start=1)
    )
    one = AppendixOne(
        heading=_heading(edition, "Phụ lục I", "DANH SÁCH CÁC ĐỘI THI THAM GIA"),
        segment_names=tuple(s.short_name for s in results.segments),
        segment_keys=keys,
        rows=rows,
        averages=tuple(rounded(results.stats[k].average) for k in keys),
        average_total=rounded(results.total_stats.average),
    )
    groups = []
    for i, tier in enumerate(results.prize_tiers):
        winners = [r for r in results.rows if r.prize == tier["name"]]
        numbered = len(winners) > 1
        groups.append(
            PrizeGroup(
                numeral=ROMAN[i] if i < len(ROMAN) else str(i + 1),
                name=tier["name"],
                heading=tier["name"].upper(),
                winners=tuple(
                    Winner(j if numbered else None, r.team, r.entry_title, rounded(r.total))
                    for j, r in enumerate(winners, start=1)
                ),
            )
        )
    unresolved = tuple(
        f"Hạng {t['rank']}: {', '.join(t['teams'])} đồng điểm, cần Ban Tổ chức quyết định."
        for t in results.unresolved_ties
    )
    two = AppendixTwo(
        heading=_heading(edition, "Phụ lục II", "DANH SÁCH CÁC ĐỘI ĐẠT GIẢI"),
        groups=tuple(groups),
        unresolved=unresolved,
    )
    from contest_app.services.trust.audit import chain_head

    head = chain_head()
    return Appendices(
        edition_year=edition.year,
        one=one,
        two=two,
        fingerprint=results.fingerprint(),
        draft_label=results.completeness.label(),
        missing=tuple(results.missing),
        audit_head=f"{head[0]}:{head[1]}" if head else "",
    )
