"""What the secretariat's documents need from the database beyond the results: the
narrative the secretariat writes per edition (report, letter, certificates), every unit of
each finalist's team (a joint team has several), the team members, the finalists per block.

Reading never writes (a missing narrative is returned unsaved, with the defaults);
``save_narrative`` flushes and audits, the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from contest_app.enums import Block
from contest_app.extensions import db
from contest_app.models import Edition, ReportNarrative, TeamPartnerUnit
from contest_app.services.trust.audit import record_event
from contest_app.services.errors import ValidationError
from contest_app.services.final.finalists import finalists

#: Defaults in the wording of report 2417/BC-SNV and letter 11254/UBND.
DEFAULTS: dict[str, Any] = {
    "recipients": "\n".join([
        "Như trên (VBĐT);",
        "Chủ tịch, các Phó Chủ tịch UBND tỉnh;",
        "TT Tỉnh ủy; TT HĐND tỉnh;",
        "Các thành viên Ban Tổ chức cuộc thi (VBĐT);",
        "Các Sở, ban, ngành (VBĐT);",
        "UBND các huyện, thị xã, thành phố (VBĐT);",
        "Lưu: VT, CCHC.",
    ]),
    "signer_title": "GIÁM ĐỐC",
    "letter_addressees": "\n".join([
        "Các sở, ban, ngành thuộc tỉnh;",
        "Các cơ quan ngành dọc cấp tỉnh;",
        "Các đơn vị sự nghiệp trực thuộc tỉnh;",
        "UBND các huyện, thị xã, thành phố.",
    ]),
    "letter_recipients": "\n".join([
        "Như trên;",
        "Bộ Nội vụ;",
        "TT. Tỉnh ủy, TT. HĐND tỉnh;",
        "Các ban Đảng, tổ chức CTXH tỉnh;",
        "Đài PT-TH, Báo Khánh Hòa;",
        "Trung tâm Công TTĐT tỉnh;",
        "Cổng thông tin CCHC tỉnh;",
        "Lưu: VT, DL.",
    ]),
    "letter_signer_title": "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
}

TEXT_FIELDS = (
    "direction", "assessment", "went_well", "went_wrong", "proposals", "recipients", "signer_title",
    "signer_name", "letter_number", "letter_addressees", "letter_recipients", "letter_signer_title",
    "letter_signer_name",
)
DATE_FIELDS = ("letter_date", "certificate_date")
LIMITS = {"signer_title": 200, "signer_name": 200, "letter_number": 60, "letter_signer_title": 200,
          "letter_signer_name": 200, "report_number": 60}


def narrative_of(edition: Edition) -> ReportNarrative:
    """The edition's saved narrative, or a new unsaved one holding the defaults."""
    saved = db.session.scalar(select(ReportNarrative).where(ReportNarrative.edition_id == edition.id))
    if saved is not None:
        return saved
    fresh = ReportNarrative(edition_id=edition.id, **{k: "" for k in TEXT_FIELDS})
    for key, value in DEFAULTS.items():
        setattr(fresh, key, value)
    return fresh


def lines(text: str | None) -> list[str]:
    """The non-empty lines of a text field (recipients, addressees, signer titles)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def paragraphs(text: str | None) -> list[str]:
    """A narrative block as paragraphs: one per non-empty line."""
    return lines(text)


def _snapshot(n: ReportNarrative, edition: Edition) -> dict[str, Any]:
    data: dict[str, Any] = {k: getattr(n, k) for k in TEXT_FIELDS}
    data.update({k: (getattr(n, k).isoformat() if getattr(n, k) else None) for k in DATE_FIELDS})
    data["report_number"] = edition.report_number
    data["report_date"] = edition.report_date.isoformat() if edition.report_date else None
    data["plan_deadline"] = edition.plan_deadline.isoformat() if edition.plan_deadline else None
    return data


def save_narrative(*, edition: Edition, actor: str, texts: dict[str, str], dates: dict[str, date | None],
                   report_number: str | None = None) -> ReportNarrative:
    """Save what the secretariat wrote for ``edition``'s report, letter and certificates.

    ``texts`` holds any of ``TEXT_FIELDS``; ``dates`` any of ``letter_date``,
    ``certificate_date``, ``report_date`` and ``plan_deadline`` (the deadline the letter
    sets for the finalists' plans, which the follow-up page judges against). A report
    date after the letter's or a plan deadline before the letter is refused. Audited.
    Flushes; the caller commits.
    """
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise ValidationError(f"Trường “{sorted(unknown)[0]}” không có trong báo cáo.", code="unknown_field")
    for key, value in {**texts, "report_number": report_number or ""}.items():
        limit = LIMITS.get(key)
        if limit and len(value.strip()) > limit:
            raise ValidationError(f"Nội dung “{value.strip()[:30]}…” dài quá {limit} ký tự.", code="too_long")
    report_date = dates.get("report_date", edition.report_date)
    letter_date = dates.get("letter_date")
    deadline = dates.get("plan_deadline", edition.plan_deadline)
    if report_date and letter_date and letter_date < report_date:
        raise ValidationError("Ngày của công văn không thể trước ngày của báo cáo.", code="date_order")
    if deadline and letter_date and deadline <= letter_date:
        raise ValidationError("Hạn nộp phương án, đề án, kế hoạch phải sau ngày của công văn.", code="date_order")
    narrative = narrative_of(edition)
    before = _snapshot(narrative, edition) if narrative.id else None
    for key, value in texts.items():
        setattr(narrative, key, value.strip())
    for key in DATE_FIELDS:
        if key in dates:
            setattr(narrative, key, dates[key])
    if "report_date" in dates:
        edition.report_date = dates["report_date"]
    if "plan_deadline" in dates:
        edition.plan_deadline = dates["plan_deadline"]
    if report_number is not None:
        edition.report_number = report_number.strip()
    narrative.updated_by = actor
    if narrative.id is None:
        db.session.add(narrative)
    db.session.flush()
    record_event(actor=actor, action="report.narrative_saved", edition_id=edition.id, object_type="report_narrative",
                 object_id=narrative.id, before=before, after=_snapshot(narrative, edition))
    return narrative


@dataclass(frozen=True)
class EntryPeople:
    """Who stands behind a finalist entry: every unit of its team, and its members."""

    entry_id: int
    team: str
    units: tuple[str, ...]
    blocks: tuple[str, ...]
    members: tuple[tuple[str, str], ...]  # (full name, role)

    @property
    def joint(self) -> bool:
        return len(self.units) > 1


def finalist_people(edition: Edition) -> dict[int, EntryPeople]:
    """Every finalist entry's units (the team's own unit first, then its partners) and members."""
    entries = finalists(edition)
    team_ids = [e.team_id for e in entries if e.team_id is not None]
    partners: dict[int, list[TeamPartnerUnit]] = {}
    for link in db.session.scalars(
        select(TeamPartnerUnit).where(TeamPartnerUnit.team_id.in_(team_ids)).order_by(TeamPartnerUnit.id)
    ):
        partners.setdefault(link.team_id, []).append(link)
    out = {}
    for entry in entries:
        team = entry.team
        units = [entry.unit] + [p.unit for p in partners.get(entry.team_id, []) if p.unit_id != entry.unit_id]
        out[entry.id] = EntryPeople(
            entry_id=entry.id,
            team=team.name if team else entry.unit.name,
            units=tuple(u.name for u in units),
            blocks=tuple(u.block for u in units),
            members=tuple((m.full_name, m.role) for m in (team.members if team else [])),
        )
    return out


def add_partner_unit(*, team_id: int, unit_id: int) -> TeamPartnerUnit:
    """Record a further unit of a joint team. Flushes."""
    link = db.session.scalar(select(TeamPartnerUnit).where(TeamPartnerUnit.team_id == team_id,
                                                           TeamPartnerUnit.unit_id == unit_id))
    if link is None:
        link = TeamPartnerUnit(team_id=team_id, unit_id=unit_id)
        db.session.add(link)
        db.session.flush()
    return link


def finalists_by_block(edition: Edition) -> list[tuple[Block, list[str]]]:
    """The finalists per block of their own unit, in the blocks' order: a joint team counts
    once, named by its team name."""
    grouped: dict[str, list[str]] = {b.value: [] for b in Block}
    people = finalist_people(edition)
    for entry in finalists(edition):
        p = people[entry.id]
        grouped.setdefault(entry.unit.block, []).append(p.team if p.joint else entry.unit.name)
    return [(b, grouped[b.value]) for b in Block]
