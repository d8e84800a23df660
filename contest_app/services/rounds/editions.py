"""Finding editions by id or year."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from contest_app import demo_data as data
from contest_app.enums import Aggregation, RoundKind
from contest_app.extensions import db
from contest_app.models import Edition, PrizeTier, Round, Segment, ThematicGroup
from contest_app.services.errors import Conflict, NotFound, ValidationError
from contest_app.services.trust.audit import record_event


def get_edition(ref: int | str) -> Edition:
    """Return the edition named by its id or its year (a number of four digits is a year)."""
    text = str(ref).strip()[:40]
    if not (text.isascii() and text.isdigit() and len(text) <= 18):  # "２０１９", "²" or 2^63 are no id
        raise NotFound(f"Không tìm thấy kỳ thi “{text}”: hãy nhập mã số hoặc năm tổ chức.")
    value = int(text)
    edition = None
    if value >= 1000:
        edition = db.session.scalar(select(Edition).where(Edition.year == value))
    if edition is None:
        edition = db.session.get(Edition, value)
    if edition is None:
        raise NotFound(f"Không tìm thấy kỳ thi “{text}”.")
    return edition


def list_editions() -> list[Edition]:
    """Every edition, the newest first."""
    return list(db.session.scalars(select(Edition).order_by(Edition.year.desc())))


def create_edition(*, number: int, year: int, title: str = "", actor: str) -> Edition:
    """Create an edition with the default rules (those of 2019): three rounds, the three final
    segments (10 / 15 / 75, arithmetic mean, step 0,1), the prize tiers 1/1/2/3, thematic groups
    Nhóm 1–5 and the preliminary cutoff 75. Every rule can be changed afterwards. Flushes.
    """
    if not 1 <= number <= 100:
        raise ValidationError("Lần tổ chức phải là số nguyên từ 1 đến 100.", code="bad_number")
    if not 2000 <= year <= 2100:
        raise ValidationError("Năm tổ chức phải từ 2000 đến 2100.", code="bad_year")
    if db.session.scalar(select(Edition).where(Edition.year == year)) is not None:
        raise Conflict(f"Đã có kỳ thi năm {year}.", code="edition_exists")
    edition = Edition(
        number=number,
        year=year,
        title=(title or "").strip() or f"Lần thứ {number} - năm {year}",
        contest_name=data.CONTEST_NAME,
        preliminary_cutoff=Decimal("75"),
        judges_per_panel=data.JUDGE_COUNT,
        issuing_body="Sở Nội vụ",
    )
    edition.rounds.extend(
        [
            Round(kind=RoundKind.QUALIFYING.value, name="Vòng loại", order=1),
            Round(kind=RoundKind.PRELIMINARY.value, name="Vòng sơ khảo", order=2),
            Round(kind=RoundKind.FINAL.value, name="Vòng chung khảo", order=3),
        ]
    )
    for i, (key, name, short, maximum, step) in enumerate(data.SEGMENTS, start=1):
        edition.segments.append(
            Segment(key=key, name=name, short_name=short, max_score=Decimal(maximum), mark_step=Decimal(step),
                    order=i, aggregation=Aggregation.MEAN.value)
        )
    for i, (name, count) in enumerate(data.PRIZE_TIERS_2019, start=1):
        edition.prize_tiers.append(PrizeTier(name=name, count=count, order=i))
    for group_number, name in data.THEMATIC_GROUPS:
        edition.thematic_groups.append(ThematicGroup(number=group_number, name=name))
    db.session.add(edition)
    db.session.flush()
    record_event(actor=actor, action="edition.create", edition_id=edition.id, object_type="edition",
                 object_id=edition.id, after={"number": number, "year": year, "title": edition.title})
    return edition
