"""An edition's rules (Điều lệ) as the organiser edits them: final segments (maximum, step,
aggregation, order), panel size, reveal mode, tie-break order, prize tiers, side awards and the
preliminary cutoff; and a new edition made from a previous one.

Results follow these rows directly (``services/final/results.compute_results`` reads them). Once
marks exist, a change to a segment's scoring, the panel, the tie-break, prizes or side awards
needs a written reason and is audited; removing a segment that holds marks, or lowering its
maximum below a stored mark, is refused. Flushes; the caller commits.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, func, select

from contest_app.enums import Aggregation, RevealMode, SideAwardMethod
from contest_app.extensions import db
from contest_app.models import (
    Cluster,
    ClusterUnit,
    Edition,
    Mark,
    PreliminaryScore,
    PrizeTier,
    RubricCriterion,
    Segment,
    SideAward,
    ThematicGroup,
)
from contest_app.services.trust.audit import record_event
from contest_app.services.trust.lock_guard import ensure_unlocked
from contest_app.services.errors import Conflict, ValidationError
from contest_app.services.rounds import preliminary

SIDE_AWARD_METHODS = (SideAwardMethod.COMMITTEE.value, SideAwardMethod.BEST_SEGMENT.value)


@dataclass
class SegmentRule:
    name: str
    short_name: str
    max_score: object
    mark_step: object
    aggregation: str = Aggregation.MEAN.value
    order: object = None
    tie_break: object = None
    key: str = ""


@dataclass
class TierRule:
    name: str
    count: object
    amount: object = None


@dataclass
class SideAwardRuleInput:
    name: str
    amount: object = None
    method: str = SideAwardMethod.COMMITTEE.value
    segment_key: str | None = None
    id: int | None = None


@dataclass
class Rules:
    """Every rule of the form, as typed (validated by ``update_rules``)."""

    segments: list[SegmentRule]
    judges_per_panel: object
    reveal_mode: str
    prize_tiers: list[TierRule]
    side_awards: list[SideAwardRuleInput] = field(default_factory=list)
    preliminary_cutoff: object = None


def _decimal(text, *, what: str, places: int = 2) -> Decimal:
    raw = "" if text is None else str(text).strip().replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(f"{what}: “{text}” không phải là một số.", code="not_a_number") from None
    if not value.is_finite():
        raise ValidationError(f"{what}: “{text}” không phải là một số.", code="not_a_number")
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(f"{what}: chỉ được có tối đa {places} chữ số thập phân.", code="too_many_decimals")
    return value


def _int(text, *, what: str, low: int, high: int) -> int:
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        raise ValidationError(f"{what}: “{text}” không phải là số nguyên.", code="not_an_integer") from None
    if not low <= value <= high:
        raise ValidationError(f"{what} phải từ {low} đến {high}.", code="out_of_range")
    return value


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:30] or "phan_thi"


def snapshot(edition: Edition) -> dict:
    """The rules as plain data: what the audit trail keeps and what a copy starts from."""
    return {
        "segments": [
            {"key": s.key, "name": s.name, "short_name": s.short_name, "max_score": f"{s.max_score:.2f}",
             "mark_step": f"{Decimal(s.mark_step).normalize():f}", "aggregation": s.aggregation, "order": s.order}
            for s in sorted(edition.segments, key=lambda s: s.order)
        ],
        "judges_per_panel": edition.judges_per_panel,
        "reveal_mode": edition.reveal_mode,
        "tie_break": list(edition.tie_break or []),
        "prize_tiers": [{"name": t.name, "count": t.count, "amount": None if t.amount is None else f"{t.amount:.0f}"}
                        for t in edition.prize_tiers],
        "side_awards": [
            {"name": a.name, "amount": None if a.amount is None else f"{a.amount:.0f}", "method": a.method,
             "segment_key": a.segment_key}
            for a in side_awards(edition)
        ],
        "preliminary_cutoff": f"{Decimal(edition.preliminary_cutoff):.2f}",
    }


def side_awards(edition: Edition) -> list[SideAward]:
    return list(db.session.scalars(select(SideAward).where(SideAward.edition_id == edition.id)
                                   .order_by(SideAward.order, SideAward.id)))


def marks_by_segment(edition: Edition) -> dict[int, tuple[int, Decimal]]:
    """For each segment holding marks: how many, and the highest."""
    rows = db.session.execute(
        select(Mark.segment_id, func.count(Mark.id), func.max(Mark.value))
        .join(Segment, Segment.id == Mark.segment_id).where(Segment.edition_id == edition.id)
        .group_by(Mark.segment_id))
    return {sid: (n, Decimal(top)) for sid, n, top in rows}


def preliminary_scored(edition: Edition) -> bool:
    ids = select(RubricCriterion.id).where(RubricCriterion.edition_id == edition.id)
    return db.session.scalar(select(PreliminaryScore.id).where(PreliminaryScore.criterion_id.in_(ids)).limit(1)) is not None


def update_rules(*, edition: Edition, rules: Rules, actor: str, reason: str = "") -> dict:
    """Validate and store the edition's rules; returns the audited ``after`` snapshot.

    Refused in Vietnamese (nothing stored) when a value is bad; when marks exist, a change
    needs ``reason``; a segment holding marks cannot be removed nor get a maximum below them.
    """
    ensure_unlocked(edition)
    # -- segments
    rows = [s for s in rules.segments if (s.name or "").strip() or str(s.max_score or "").strip()]
    if not rows:
        raise ValidationError("Vòng chung khảo phải có ít nhất một phần thi.", code="no_segments")
    existing = {s.key: s for s in edition.segments}
    cleaned: list[dict] = []
    for i, s in enumerate(rows, start=1):
        name = " ".join((s.name or "").split())
        if not name:
            raise ValidationError(f"Phần thi thứ {i}: tên không được để trống.", code="segment_name_required")
        maximum = _decimal(s.max_score, what=f"Phần thi “{name}”, điểm tối đa")
        if maximum <= 0 or maximum > 1000:
            raise ValidationError(f"Phần thi “{name}”: điểm tối đa phải lớn hơn 0 và không quá 1000.", code="segment_max")
        step = _decimal(s.mark_step, what=f"Phần thi “{name}”, bước điểm", places=3)
        if step <= 0 or step > maximum:
            raise ValidationError(f"Phần thi “{name}”: bước điểm phải lớn hơn 0 và không quá điểm tối đa.",
                                  code="segment_step")
        if (maximum / step) != (maximum / step).to_integral_value():
            raise ValidationError(f"Phần thi “{name}”: điểm tối đa phải là bội số của bước điểm.", code="segment_step")
        if s.aggregation not in {a.value for a in Aggregation}:
            raise ValidationError(f"Phần thi “{name}”: cách tính điểm không hợp lệ.", code="segment_aggregation")
        order = _int(s.order if str(s.order or "").strip() else i, what=f"Phần thi “{name}”, thứ tự", low=1, high=99)
        tie = None
        if str(s.tie_break or "").strip():
            tie = _int(s.tie_break, what=f"Phần thi “{name}”, thứ tự xét khi đồng điểm", low=1, high=99)
        cleaned.append({"key": (s.key or "").strip(), "name": name, "short_name": " ".join((s.short_name or "").split()) or name,
                        "max_score": maximum, "mark_step": step, "aggregation": s.aggregation, "order": order, "tie": tie})
    if len({c["order"] for c in cleaned}) != len(cleaned):
        raise ValidationError("Hai phần thi không được cùng thứ tự.", code="segment_order")
    ties = [c["tie"] for c in cleaned if c["tie"] is not None]
    if len(set(ties)) != len(ties):
        raise ValidationError("Hai phần thi không được cùng thứ tự xét khi đồng điểm.", code="tie_break_order")
    used_keys = {c["key"] for c in cleaned if c["key"] in existing}
    for c in cleaned:
        if c["key"] not in existing:
            base = _slug(c["short_name"])
            key, n = base, 2
            while key in used_keys or key in existing:
                key, n = f"{base}_{n}", n + 1
            c["key"] = key
            used_keys.add(key)
    # -- panel, reveal, prizes, side awards, cutoff
    panel = _int(rules.judges_per_panel, what="Số giám khảo chung khảo", low=1, high=15)
    if rules.reveal_mode not in {m.value for m in RevealMode}:
        raise ValidationError("Cách công bố điểm không hợp lệ.", code="reveal_mode")
    tiers = []
    for i, t in enumerate(rules.prize_tiers, start=1):
        name = " ".join((t.name or "").split())
        if not name and not str(t.count or "").strip():
            continue
        if not name:
            raise ValidationError(f"Hạng giải thứ {i}: tên không được để trống.", code="tier_name_required")
        count = _int(t.count, what=f"Số lượng “{name}”", low=1, high=100)
        amount = _decimal(t.amount, what=f"Tiền thưởng “{name}”", places=0) if str(t.amount or "").strip() else None
        if amount is not None and amount < 0:
            raise ValidationError(f"Tiền thưởng “{name}” không được âm.", code="tier_amount")
        tiers.append({"name": name, "count": count, "amount": amount})
    if not tiers:
        raise ValidationError("Phải có ít nhất một hạng giải.", code="no_tiers")
    keys = {c["key"] for c in cleaned}
    awards = []
    for i, a in enumerate(rules.side_awards, start=1):
        name = " ".join((a.name or "").split())
        if not name:
            if str(a.amount or "").strip():
                raise ValidationError(f"Giải phụ thứ {i}: tên không được để trống.", code="award_name_required")
            continue
        if a.method not in SIDE_AWARD_METHODS:
            raise ValidationError(f"Giải phụ “{name}”: cách chọn không hợp lệ.", code="award_method")
        segment_key = a.segment_key or None
        if a.method == SideAwardMethod.BEST_SEGMENT.value:
            by_name = {c["name"]: c["key"] for c in cleaned}
            segment_key = by_name.get(segment_key, segment_key)
            if segment_key not in keys:
                raise ValidationError(f"Giải phụ “{name}”: hãy chọn phần thi để xét điểm cao nhất.", code="award_segment")
        else:
            segment_key = None
        amount = _decimal(a.amount, what=f"Tiền thưởng giải phụ “{name}”", places=0) if str(a.amount or "").strip() else None
        awards.append({"id": a.id, "name": name, "amount": amount, "method": a.method, "segment_key": segment_key})
    cutoff = None
    if rules.preliminary_cutoff is not None and str(rules.preliminary_cutoff).strip():
        cutoff = _decimal(rules.preliminary_cutoff, what="Điểm sàn vào chung khảo")
        if not Decimal(0) < cutoff <= Decimal(100):
            raise ValidationError("Điểm sàn vào chung khảo phải lớn hơn 0 và không quá 100.", code="bad_cutoff")
    # -- what the change touches
    before = snapshot(edition)
    marked = marks_by_segment(edition)
    by_key = {c["key"]: c for c in cleaned}
    for key, seg in existing.items():
        count, top = marked.get(seg.id, (0, None))
        if not count:
            continue
        if key not in by_key:
            raise Conflict(f"Phần thi “{seg.name}” đã có {count} điểm chấm; không thể xóa.", code="segment_in_use")
        if by_key[key]["max_score"] < top:
            raise Conflict(f"Phần thi “{seg.name}” đã có điểm {top.normalize():f}; điểm tối đa không thể thấp hơn.",
                           code="segment_max_in_use")
    if cutoff is not None and cutoff != Decimal(edition.preliminary_cutoff) and preliminary.is_closed(edition):
        raise Conflict("Vòng sơ khảo đã kết thúc; không thể đổi điểm sàn.", code="round_closed")
    tie_break = [c["key"] for c in sorted((c for c in cleaned if c["tie"] is not None), key=lambda c: c["tie"])]
    after = {
        "segments": [
            {"key": c["key"], "name": c["name"], "short_name": c["short_name"], "max_score": f"{c['max_score']:.2f}",
             "mark_step": f"{c['mark_step'].normalize():f}", "aggregation": c["aggregation"], "order": c["order"]}
            for c in sorted(cleaned, key=lambda c: c["order"])
        ],
        "judges_per_panel": panel,
        "reveal_mode": rules.reveal_mode,
        "tie_break": tie_break,
        "prize_tiers": [{"name": t["name"], "count": t["count"],
                         "amount": None if t["amount"] is None else f"{t['amount']:.0f}"} for t in tiers],
        "side_awards": [{"name": a["name"], "amount": None if a["amount"] is None else f"{a['amount']:.0f}",
                         "method": a["method"], "segment_key": a["segment_key"]} for a in awards],
        "preliminary_cutoff": f"{(cutoff if cutoff is not None else Decimal(edition.preliminary_cutoff)):.2f}",
    }
    if after == before:
        return after
    final_changed = {k: v for k, v in after.items() if k != "preliminary_cutoff"} != \
        {k: v for k, v in before.items() if k != "preliminary_cutoff"}
    cutoff_changed = after["preliminary_cutoff"] != before["preliminary_cutoff"]
    reason = " ".join((reason or "").split())
    if not reason and ((final_changed and marked) or (cutoff_changed and preliminary_scored(edition))):
        raise Conflict("Đã có điểm chấm theo điều lệ hiện hành; muốn thay đổi phải ghi rõ lý do.", code="reason_required")
    # -- store
    for key, seg in list(existing.items()):
        if key not in by_key:
            edition.segments.remove(seg)
            db.session.delete(seg)
    db.session.flush()
    for c in cleaned:
        seg = existing.get(c["key"])
        if seg is None:
            seg = Segment(key=c["key"])
            edition.segments.append(seg)
        seg.name, seg.short_name, seg.max_score = c["name"], c["short_name"], c["max_score"]
        seg.mark_step, seg.aggregation, seg.order = c["mark_step"], c["aggregation"], c["order"]
    edition.judges_per_panel = panel
    edition.reveal_mode = rules.reveal_mode
    edition.tie_break = tie_break
    edition.prize_tiers.clear()
    db.session.flush()
    for i, t in enumerate(tiers, start=1):
        edition.prize_tiers.append(PrizeTier(name=t["name"], count=t["count"], amount=t["amount"], order=i))
    current = {a.id: a for a in side_awards(edition)}
    kept = set()
    for i, a in enumerate(awards, start=1):
        row = current.get(a["id"]) if a["id"] else None
        if row is None:
            row = SideAward(edition_id=edition.id)
            db.session.add(row)
        row.name, row.amount, row.method, row.segment_key, row.order = (
            a["name"], a["amount"], a["method"], a["segment_key"], i)
        row.exclude_prize_winners = True
        row.one_per_team = True
        db.session.flush()
        kept.add(row.id)
    for aid, row in current.items():
        if aid not in kept:
            db.session.delete(row)
    if cutoff is not None:
        edition.preliminary_cutoff = cutoff
    db.session.flush()
    db.session.expire(edition, ["segments", "prize_tiers"])
    record_event(actor=actor, action="edition.rules", edition_id=edition.id, object_type="edition",
                 object_id=edition.id, before=before, after=after, reason=reason)
    return after


def copy_rules(*, source: Edition, target: Edition, actor: str) -> None:
    """Give ``target`` every rule of ``source``: segments, panel, reveal mode, tie-break, prize tiers,
    side awards, thematic groups, preliminary rubric, cutoff and thresholds, and its clusters of units."""
    for seg in list(target.segments):
        target.segments.remove(seg)
        db.session.delete(seg)
    target.prize_tiers.clear()
    target.thematic_groups.clear()
    db.session.flush()
    for s in sorted(source.segments, key=lambda s: s.order):
        target.segments.append(Segment(key=s.key, name=s.name, short_name=s.short_name, max_score=s.max_score,
                                       mark_step=s.mark_step, order=s.order, aggregation=s.aggregation,
                                       scored_from_answers=s.scored_from_answers))
    for t in source.prize_tiers:
        target.prize_tiers.append(PrizeTier(name=t.name, count=t.count, amount=t.amount, order=t.order))
    for g in source.thematic_groups:
        target.thematic_groups.append(ThematicGroup(number=g.number, name=g.name))
    for field_name in ("contest_name", "rules_reference", "preliminary_cutoff", "judges_per_panel", "reveal_mode",
                       "deviation_share", "preliminary_spread_threshold", "issuing_body", "public_url"):
        setattr(target, field_name, getattr(source, field_name))
    target.tie_break = list(source.tie_break or [])
    for a in side_awards(source):
        db.session.add(SideAward(edition_id=target.id, name=a.name, amount=a.amount, method=a.method,
                                 segment_key=a.segment_key, exclude_prize_winners=a.exclude_prize_winners,
                                 one_per_team=a.one_per_team, order=a.order))
    db.session.execute(delete(RubricCriterion).where(RubricCriterion.edition_id == target.id))
    for c in db.session.scalars(select(RubricCriterion).where(RubricCriterion.edition_id == source.id)
                                .order_by(RubricCriterion.order)):
        db.session.add(RubricCriterion(edition_id=target.id, name=c.name, max_points=c.max_points, order=c.order,
                                       is_default=c.is_default))
    for cluster in db.session.scalars(select(Cluster).where(Cluster.edition_id == source.id).order_by(Cluster.id)):
        copy = Cluster(edition_id=target.id, name=cluster.name)
        copy.units = [ClusterUnit(unit_id=cu.unit_id) for cu in cluster.units]
        db.session.add(copy)
    db.session.flush()
    record_event(actor=actor, action="edition.copy_rules", edition_id=target.id, object_type="edition",
                 object_id=target.id, after={"from": source.id, "rules": snapshot(target)})
