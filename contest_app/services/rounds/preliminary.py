"""The preliminary round (vòng sơ khảo): the rubric, judges' assignments, their scores,
the exact mean per entry, closing the round at the cutoff and publishing the finalists.

Rules:
- a judge's total for an entry is the exact sum of their points on every criterion;
- an entry's preliminary score is the exact mean (a Fraction) of its judges' totals;
- at closing, an entry that passed the qualifying round and whose exact mean is at or
  above ``edition.preliminary_cutoff`` passes (75.00 passes, 74.99 does not); the others fail;
- a judge never scores an entry of their own unit.

``Entry.preliminary_score`` keeps the mean cut to 2 decimals for display (never rounded
up, so a shown 75,00 always passes); the pass/fail decision is taken on the exact value. Flushes; the caller commits.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import delete, select

from contest_app.enums import Role, RoundKind, RoundStatus
from contest_app.extensions import db
from contest_app.models import (
    Cluster,
    ClusterUnit,
    Edition,
    Entry,
    PreliminaryAssignment,
    PreliminaryScore,
    RoundProgress,
    RubricCriterion,
    User,
)
from contest_app.services.trust.inputs import decimal_text, printable
from contest_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from contest_app.services.trust.audit import actor_name, record_event

#: The default rubric shipped with the app (a suggestion, editable per edition).
DEFAULT_RUBRIC: list[tuple[str, str]] = [
    ("Tính mới, sáng tạo", "25"),
    ("Tính khả thi", "20"),
    ("Tính hiệu quả", "25"),
    ("Khả năng nhân rộng", "20"),
    ("Chất lượng hồ sơ, đề cương", "10"),
]
RUBRIC_TOTAL = Decimal("100")

OWN_UNIT = "Giám khảo không được chấm mô hình, sáng kiến của chính đơn vị mình."
NOT_ASSIGNED = "Mô hình, sáng kiến này không thuộc phạm vi chấm được phân công cho bạn."


# --- round progress -------------------------------------------------------------------------


def progress(edition: Edition) -> RoundProgress:
    row = db.session.scalar(select(RoundProgress).where(
        RoundProgress.edition_id == edition.id, RoundProgress.kind == RoundKind.PRELIMINARY.value))
    if row is None:
        row = RoundProgress(edition_id=edition.id, kind=RoundKind.PRELIMINARY.value)
        db.session.add(row)
        db.session.flush()
    return row


def is_closed(edition: Edition) -> bool:
    row = db.session.scalar(select(RoundProgress).where(
        RoundProgress.edition_id == edition.id, RoundProgress.kind == RoundKind.PRELIMINARY.value))
    return row is not None and row.closed_at is not None


def is_published(edition: Edition) -> bool:
    row = db.session.scalar(select(RoundProgress).where(
        RoundProgress.edition_id == edition.id, RoundProgress.kind == RoundKind.PRELIMINARY.value))
    return row is not None and row.published_at is not None


def _ensure_open(edition: Edition) -> None:
    if is_closed(edition):
        raise Conflict("Vòng sơ khảo đã kết thúc; không thể thay đổi.", code="round_closed")


# --- rubric ---------------------------------------------------------------------------------


def rubric(edition: Edition) -> list[RubricCriterion]:
    """The edition's criteria in order (the default rubric is created when there is none)."""
    criteria = list(db.session.scalars(
        select(RubricCriterion).where(RubricCriterion.edition_id == edition.id).order_by(RubricCriterion.order)))
    if not criteria:
        criteria = [RubricCriterion(edition_id=edition.id, name=name, max_points=Decimal(points), order=i,
                                    is_default=True)
                    for i, (name, points) in enumerate(DEFAULT_RUBRIC, start=1)]
        db.session.add_all(criteria)
        db.session.flush()
    return criteria


def rubric_is_default(edition: Edition) -> bool:
    return all(c.is_default for c in rubric(edition))


def _parse_points(text, *, what: str) -> Decimal:
    value = decimal_text(text, int_digits=3, places=6, allow_minus=True)
    if value is None:
        shown = printable(str(text if text is not None else ""))[:20]
        raise ValidationError(f"{what}: “{shown}” không phải là một số.",
                              code="not_a_number")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(f"{what}: chỉ được có tối đa 2 chữ số thập phân.", code="too_many_decimals")
    return value


def set_rubric(*, edition: Edition, criteria: list[tuple[str, str]], actor: User) -> list[RubricCriterion]:
    """Replace the rubric; maxima must be positive and sum to 100. Refused once scoring began."""
    _ensure_open(edition)
    cleaned = []
    for i, (name, points) in enumerate(criteria, start=1):
        name = " ".join((name or "").split())
        if not name and not str(points or "").strip():
            continue
        if not name:
            raise ValidationError(f"Tiêu chí thứ {i}: tên không được để trống.", code="criterion_name_required")
        value = _parse_points(points, what=f"Tiêu chí “{name}”")
        if value <= 0:
            raise ValidationError(f"Tiêu chí “{name}”: điểm tối đa phải lớn hơn 0.", code="criterion_max")
        cleaned.append((name, value))
    if not cleaned:
        raise ValidationError("Thang điểm phải có ít nhất một tiêu chí.", code="rubric_empty")
    total = sum((v for _n, v in cleaned), Decimal(0))
    if total != RUBRIC_TOTAL:
        raise ValidationError(f"Tổng điểm tối đa các tiêu chí phải bằng 100 (hiện là {total.normalize():f}).",
                              code="rubric_total")
    criterion_ids = select(RubricCriterion.id).where(RubricCriterion.edition_id == edition.id)
    if db.session.scalar(select(PreliminaryScore.id).where(PreliminaryScore.criterion_id.in_(criterion_ids)).limit(1)):
        raise Conflict("Đã có giám khảo chấm điểm; không thể sửa thang điểm.", code="rubric_in_use")
    before = [(c.name, c.max_points) for c in rubric(edition)]
    db.session.execute(delete(RubricCriterion).where(RubricCriterion.edition_id == edition.id))
    rows = [RubricCriterion(edition_id=edition.id, name=n, max_points=v, order=i, is_default=False)
            for i, (n, v) in enumerate(cleaned, start=1)]
    db.session.add_all(rows)
    db.session.flush()
    record_event(actor=actor_name(actor), action="preliminary.rubric", edition_id=edition.id,
                 object_type="edition", object_id=edition.id,
                 before={"criteria": before}, after={"criteria": cleaned})
    return rows


# --- assignments ----------------------------------------------------------------------------


def assign_judge(*, edition: Edition, judge: User, cluster: Cluster | None, actor: User) -> PreliminaryAssignment:
    """Assign a preliminary judge to a cluster, or to the whole round (``cluster=None``)."""
    if not judge.has_role(Role.PRELIMINARY_JUDGE):
        raise ValidationError(f"Tài khoản “{judge.username}” không phải giám khảo vòng sơ khảo.", code="not_a_judge")
    if cluster is not None and cluster.edition_id != edition.id:
        raise ValidationError("Cụm không thuộc kỳ thi này.", code="cluster_other_edition")
    cluster_id = cluster.id if cluster else None
    exists = db.session.scalar(select(PreliminaryAssignment).where(
        PreliminaryAssignment.edition_id == edition.id, PreliminaryAssignment.user_id == judge.id,
        PreliminaryAssignment.cluster_id.is_(None) if cluster_id is None else PreliminaryAssignment.cluster_id == cluster_id))
    if exists:
        raise Conflict("Giám khảo đã được phân công như vậy.", code="already_assigned")
    row = PreliminaryAssignment(edition_id=edition.id, user_id=judge.id, cluster_id=cluster_id)
    db.session.add(row)
    db.session.flush()
    record_event(actor=actor_name(actor), action="preliminary.assign", edition_id=edition.id,
                 object_type="user", object_id=judge.id,
                 after={"cluster_id": cluster_id, "scope": cluster.name if cluster else "Toàn vòng sơ khảo"})
    return row


def unassign(*, assignment: PreliminaryAssignment, actor: User) -> None:
    before = {"user_id": assignment.user_id, "cluster_id": assignment.cluster_id}
    edition_id = assignment.edition_id
    db.session.delete(assignment)
    db.session.flush()
    record_event(actor=actor_name(actor), action="preliminary.unassign", edition_id=edition_id,
                 object_type="user", object_id=before["user_id"], before=before)


def assignments(edition: Edition) -> list[PreliminaryAssignment]:
    return list(db.session.scalars(select(PreliminaryAssignment).where(
        PreliminaryAssignment.edition_id == edition.id).order_by(PreliminaryAssignment.user_id)))


def qualified_entries(edition: Edition) -> list[Entry]:
    """Entries that passed the qualifying round, in registration order."""
    return list(db.session.scalars(select(Entry).where(
        Entry.edition_id == edition.id, Entry.qualifying_status == RoundStatus.PASSED.value).order_by(Entry.id)))


def entries_for_judge(*, edition: Edition, judge: User) -> list[Entry]:
    """The entries this judge is to score: qualified entries of their clusters (all of them
    for a whole-round assignment), never one of their own unit."""
    rows = db.session.scalars(select(PreliminaryAssignment).where(
        PreliminaryAssignment.edition_id == edition.id, PreliminaryAssignment.user_id == judge.id)).all()
    if not rows:
        return []
    whole = any(r.cluster_id is None for r in rows)
    units: set[int] = set()
    if not whole:
        cluster_ids = [r.cluster_id for r in rows]
        units = set(db.session.scalars(select(ClusterUnit.unit_id).where(ClusterUnit.cluster_id.in_(cluster_ids))))
    return [
        e for e in qualified_entries(edition)
        if (whole or e.unit_id in units) and (judge.unit_id is None or e.unit_id != judge.unit_id)
    ]


def check_may_score(*, edition: Edition, judge: User, entry: Entry) -> None:
    """Refuse (in Vietnamese) a judge scoring an entry they may not score."""
    if not judge.has_role(Role.PRELIMINARY_JUDGE):
        raise PermissionDenied("Chỉ giám khảo vòng sơ khảo mới được chấm điểm.", code="not_a_judge")
    if entry.edition_id != edition.id:
        raise NotFound("Mô hình, sáng kiến không thuộc kỳ thi này.", code="entry_other_edition")
    if judge.unit_id is not None and entry.unit_id == judge.unit_id:
        raise PermissionDenied(OWN_UNIT, code="own_unit")
    if entry not in entries_for_judge(edition=edition, judge=judge):
        raise PermissionDenied(NOT_ASSIGNED, code="not_assigned")


# --- scores ---------------------------------------------------------------------------------


def record_scores(*, edition: Edition, judge: User, entry: Entry, values: dict[int, object]) -> Fraction:
    """Store a judge's points on every criterion for one entry; return their exact total.

    Every criterion needs a number from 0 to its maximum with at most 2 decimals; a bad
    value refuses the whole scoresheet and nothing is stored.
    """
    _ensure_open(edition)
    check_may_score(edition=edition, judge=judge, entry=entry)
    criteria = rubric(edition)
    parsed: dict[int, Decimal] = {}
    for c in criteria:
        raw = values.get(c.id, values.get(str(c.id)))
        if raw is None or str(raw).strip() == "":
            raise ValidationError(f"Tiêu chí “{c.name}”: chưa nhập điểm.", code="score_missing")
        value = _parse_points(raw, what=f"Tiêu chí “{c.name}”")
        if value < 0 or value > c.max_points:
            raise ValidationError(
                f"Tiêu chí “{c.name}”: điểm phải từ 0 đến {c.max_points.normalize():f}.", code="score_out_of_range")
        parsed[c.id] = value
    existing = {s.criterion_id: s for s in db.session.scalars(select(PreliminaryScore).where(
        PreliminaryScore.user_id == judge.id, PreliminaryScore.entry_id == entry.id))}
    before = {str(k): s.value for k, s in existing.items()} or None
    for cid, value in parsed.items():
        if cid in existing:
            existing[cid].value = value
        else:
            db.session.add(PreliminaryScore(user_id=judge.id, entry_id=entry.id, criterion_id=cid, value=value))
    db.session.flush()
    record_event(actor=actor_name(judge), action="preliminary.score", edition_id=edition.id, object_type="entry",
                 object_id=entry.id, before=before, after={str(k): v for k, v in parsed.items()})
    return Fraction(sum(parsed.values(), Decimal(0)))


def judge_scores(*, judge: User, entry: Entry) -> dict[int, Decimal]:
    return {s.criterion_id: s.value for s in db.session.scalars(select(PreliminaryScore).where(
        PreliminaryScore.user_id == judge.id, PreliminaryScore.entry_id == entry.id))}


@dataclass(frozen=True)
class EntryScore:
    """An entry's preliminary standing: every complete scoresheet's total and the exact mean."""

    entry_id: int
    totals: dict[int, Decimal]  # judge user id -> total
    mean: Fraction | None

    @property
    def judges(self) -> int:
        return len(self.totals)

    @property
    def shown(self) -> Decimal | None:
        return shown_score(self.mean)


def shown_score(mean: Fraction | None) -> Decimal | None:
    """The mean cut (not rounded) to 2 decimals, so that a shown 75,00 always passes:
    74.995 is shown as 74,99 and fails, as the exact rule says."""
    if mean is None:
        return None
    hundredths = (mean.numerator * 100) // mean.denominator
    return (Decimal(hundredths) / 100).quantize(Decimal("0.01"))


def entry_scores(edition: Edition) -> dict[int, EntryScore]:
    """Every qualified entry's totals per judge and exact mean (incomplete sheets ignored)."""
    criteria = {c.id for c in rubric(edition)}
    entries = qualified_entries(edition)
    ids = [e.id for e in entries]
    sheets: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    if ids:
        for s in db.session.scalars(select(PreliminaryScore).where(PreliminaryScore.entry_id.in_(ids))):
            sheets[s.entry_id][s.user_id][s.criterion_id] = s.value
    out = {}
    for e in entries:
        totals = {uid: sum(vals.values(), Decimal(0)) for uid, vals in sheets[e.id].items()
                  if set(vals) == criteria}
        mean = Fraction(sum(totals.values(), Decimal(0))) / len(totals) if totals else None
        out[e.id] = EntryScore(entry_id=e.id, totals=totals, mean=mean)
    return out


def passes(mean: Fraction | None, cutoff: Decimal) -> bool:
    """The cutoff rule: the exact mean at or above the cutoff passes."""
    return mean is not None and mean >= Fraction(cutoff)


def close_round(*, edition: Edition, actor: User, now: datetime | None = None) -> list[Entry]:
    """Close the round: entries at or above the cutoff pass, the others fail. Returns the finalists.

    Refused while a qualified entry has no complete scoresheet.
    """
    _ensure_open(edition)
    scores = entry_scores(edition)
    entries = qualified_entries(edition)
    if not entries:
        raise Conflict("Chưa có mô hình, sáng kiến nào qua vòng loại.", code="nothing_to_close")
    missing = [e for e in entries if scores[e.id].mean is None]
    if missing:
        listed = "; ".join(f"“{e.title}”" for e in missing[:10])
        more = f" và {len(missing) - 10} mô hình, sáng kiến khác" if len(missing) > 10 else ""
        raise Conflict(f"Còn {len(missing)} mô hình, sáng kiến chưa có điểm: {listed}{more}.", code="unscored")
    cutoff = Decimal(edition.preliminary_cutoff)
    finalists = []
    for e in entries:
        s = scores[e.id]
        e.preliminary_score = s.shown
        if passes(s.mean, cutoff):
            e.preliminary_status = RoundStatus.PASSED.value
            finalists.append(e)
        else:
            e.preliminary_status = RoundStatus.FAILED.value
    row = progress(edition)
    row.closed_at = now or datetime.now(UTC)
    row.closed_by = actor_name(actor)
    db.session.flush()
    record_event(actor=actor_name(actor), action="preliminary.close", edition_id=edition.id,
                 object_type="edition", object_id=edition.id,
                 after={"cutoff": cutoff, "scored": len(entries), "finalists": [e.id for e in finalists],
                        "means": {str(e.id): f"{scores[e.id].mean.numerator}/{scores[e.id].mean.denominator}"
                                  for e in entries}})
    return finalists


def publish_finalists(*, edition: Edition, actor: User, now: datetime | None = None) -> list[Entry]:
    """Publish the finalist list (only once the round is closed)."""
    row = progress(edition)
    if row.closed_at is None:
        raise Conflict("Phải kết thúc vòng sơ khảo trước khi công bố danh sách vào chung khảo.", code="not_closed")
    row.published_at = now or datetime.now(UTC)
    row.published_by = actor_name(actor)
    result = finalists(edition)
    db.session.flush()
    record_event(actor=actor_name(actor), action="preliminary.publish", edition_id=edition.id,
                 object_type="edition", object_id=edition.id, after={"finalists": [e.id for e in result]})
    return result


def finalists(edition: Edition) -> list[Entry]:
    """The entries that passed the preliminary round, best score first, then by title."""
    rows = db.session.scalars(select(Entry).where(
        Entry.edition_id == edition.id, Entry.preliminary_status == RoundStatus.PASSED.value)).all()
    scores = entry_scores(edition)

    def key(e: Entry):
        s = scores.get(e.id)
        return (-(s.mean if s and s.mean is not None else Fraction(e.preliminary_score or 0)), e.title)

    return sorted(rows, key=key)


FINALIST_HEADERS = ["STT", "Đơn vị", "Khối", "Đội thi", "Tên mô hình, sáng kiến", "Nhóm", "Điểm sơ khảo", "Số giám khảo"]


def finalist_rows(edition: Edition) -> list[list]:
    scores = entry_scores(edition)
    rows = []
    for i, e in enumerate(finalists(edition), start=1):
        s = scores.get(e.id)
        rows.append([i, e.unit.name, e.unit.block_label, e.team.name if e.team else "", e.title,
                     e.thematic_group.number if e.thematic_group else "",
                     s.shown if s and s.mean is not None else e.preliminary_score, s.judges if s else 0])
    return rows


