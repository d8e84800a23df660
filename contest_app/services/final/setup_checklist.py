"""The setup checklist of an edition: what must be ready before the final, each item green or
red with the page that fixes it; and the check the desk runs before it opens marking.

Required before marking opens: the rules (segments and prize tiers), the finalists, the
order of appearance (the draw), and a full panel of final judges. The other items are advice.
Reads only; never writes.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from contest_app.enums import RoundStatus
from contest_app.extensions import db
from contest_app.models import AuditEvent, Edition, Entry, Unit
from contest_app.services.errors import Conflict
from contest_app.services.final.bank_choice import current_bank
from contest_app.services.final.draw import get_draw, quiz_set_number_count
from contest_app.services.final.finalists import finalists
from contest_app.services.final.judge_access import final_judges
from contest_app.services.rounds import preliminary
from contest_app.services.rounds.editions import is_loopback, public_base


@dataclass(frozen=True)
class Item:
    """One line of the checklist."""

    key: str
    label: str
    ok: bool
    detail: str
    endpoint: str
    required: bool = False


def _count(query) -> int:
    return db.session.scalar(query) or 0


def _last_event(edition: Edition, *actions: str):
    return db.session.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.edition_id == edition.id, AuditEvent.action.in_(actions)))


def checklist(edition: Edition) -> list[Item]:
    """Every item of the edition's setup, in the order it is done."""
    segments = list(edition.segments)
    tiers = list(edition.prize_tiers)
    units = _count(select(func.count(Unit.id)))
    entries = _count(select(func.count(Entry.id)).where(Entry.edition_id == edition.id))
    pending_q = _count(select(func.count(Entry.id)).where(
        Entry.edition_id == edition.id, Entry.qualifying_status == RoundStatus.PENDING.value))
    passed_q = _count(select(func.count(Entry.id)).where(
        Entry.edition_id == edition.id, Entry.qualifying_status == RoundStatus.PASSED.value))
    closed, published = preliminary.is_closed(edition), preliminary.is_published(edition)
    final = finalists(edition)
    unordered = [e for e in final if e.final_order is None]
    draw = get_draw(edition)
    judges = [j for j in final_judges(edition) if j.revoked_at is None]
    panel = edition.judges_per_panel or 0
    last_change = _last_event(edition, "judge.add", "judge.update", "judge.remove", "judge_access_regenerated")
    printed = _last_event(edition, "judges.qr_sheet")
    quiz_sets, situation_sets = quiz_set_number_count(edition)
    bank = current_bank(edition)
    bank_ok = bank is not None and (not bank.is_history or bank.edition_year == edition.year)
    base = public_base(edition)
    reset = _last_event(edition, "live_reset")
    draw_ok = bool(final) and not unordered and (draw is None or draw.is_confirmed)
    if draw is not None and not draw.is_confirmed:
        draw_detail = "Bốc thăm đã chuẩn bị nhưng chưa xác nhận."
    elif unordered:
        draw_detail = f"{len(unordered)} đội chưa có thứ tự thi."
    else:
        draw_detail = "Đã có thứ tự thi của mọi đội." if final else "Chưa có đội vào chung khảo."
    return [
        Item("rules", "Điều lệ (phần thi, cơ cấu giải)", bool(segments) and bool(tiers),
             f"{len(segments)} phần thi, {len(tiers)} hạng giải, {panel} giám khảo.", "organiser.rules", True),
        Item("units", "Danh mục đơn vị", units > 0, f"{units} đơn vị.", "organiser.units"),
        Item("entries", "Mô hình, sáng kiến đăng ký", entries > 0, f"{entries} mô hình, sáng kiến.",
             "organiser.entries"),
        Item("qualifying", "Vòng loại", entries > 0 and pending_q == 0 and passed_q > 0,
             f"{passed_q} qua vòng loại, {pending_q} chưa xét.", "organiser.entries"),
        Item("preliminary", "Vòng sơ khảo đã kết thúc và công bố", closed and published,
             "Đã công bố." if published else ("Đã kết thúc, chưa công bố." if closed else "Chưa kết thúc."),
             "organiser.preliminary_round"),
        Item("finalists", "Danh sách vào chung khảo", bool(final), f"{len(final)} đội.", "organiser.finalists", True),
        Item("draw", "Bốc thăm thứ tự thi đã xác nhận", draw_ok, draw_detail, "present.draw_page", True),
        Item("judges", "Ban Giám khảo chung khảo đủ thành viên", len(judges) == panel and panel > 0,
             f"{len(judges)}/{panel} giám khảo.", "judges_admin.judges", True),
        Item("judge_links", "Đã in phiếu mã QR của giám khảo", bool(judges) and printed is not None
             and (last_change is None or printed >= last_change),
             "Đã in sau lần thay đổi cuối." if printed is not None and (last_change is None or printed >= last_change)
             else "Chưa in, hoặc đã thay đổi giám khảo sau lần in cuối.", "judges_admin.qr_sheet"),
        Item("question_sets", "Bộ câu hỏi, bộ tình huống", bank_ok and quiz_sets > 0 and situation_sets > 0,
             (f"Ngân hàng {bank.label}: " if bank is not None else "Chưa có ngân hàng câu hỏi: ")
             + f"{quiz_sets} bộ câu hỏi, {situation_sets} bộ tình huống.", "organiser.question_bank"),
        Item("public_url", "Địa chỉ công khai cho mã QR", bool(base) and not is_loopback(base),
             base or "Chưa đặt (đang dùng địa chỉ của máy chủ).", "organiser.settings"),
        Item("rehearsal", "Đã tập dượt và đặt lại trạng thái trực tiếp", reset is not None,
             "Đã đặt lại." if reset is not None else "Chưa tập dượt.", "control.desk"),
    ]


def missing_for_marking(edition: Edition) -> list[Item]:
    """The required items that are still red."""
    return [i for i in checklist(edition) if i.required and not i.ok]


def check_ready_for_marking(edition: Edition) -> None:
    """Refuse to open marking while a required item is red, naming each."""
    missing = missing_for_marking(edition)
    if missing:
        names = "; ".join(f"{i.label} ({i.detail})" for i in missing)
        raise Conflict(f"Chưa thể mở chấm điểm: còn thiếu {names}.", code="setup_incomplete",
                       missing=[i.key for i in missing])
