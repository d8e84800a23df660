"""The lock freezes what the result depends on, needs completeness, two signatures, and an audited unlock."""
from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import delete, select

from contest_app.extensions import db
from contest_app.models import AuditEvent, Mark, Segment
from contest_app.services.errors import Conflict, PermissionDenied, ValidationError
from contest_app.services.final.lock import (
    check_export,
    countersign_lock,
    export_results,
    lock_final,
    locked_fingerprint,
    record_panel_decision,
    unlock_final,
)
from contest_app.services.final.results import compute_results
from tests.conftest import csrf_token_from


@pytest.fixture
def demo_any(any_app):
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=True)
    db.session.commit()
    return edition


def _drop_one_mark(edition, segment_key="presentation", team_index=0):
    from contest_app.services.final.results import finalists

    entry = finalists(edition)[team_index]
    segment = next(s for s in edition.segments if s.key == segment_key)
    mark_id = db.session.scalar(select(Mark.id).where(Mark.entry_id == entry.id, Mark.segment_id == segment.id)
                                .order_by(Mark.judge_id.desc()).limit(1))
    db.session.execute(delete(Mark).where(Mark.id == mark_id))
    db.session.commit()
    return entry, segment


def test_incomplete_results_say_draft_and_lock_refused_until_panel_decision(demo_any):
    entry, segment = _drop_one_mark(demo_any)
    results = compute_results(demo_any)
    assert results.is_complete is False
    assert results.missing == ["Sở Tài nguyên và Môi trường – Thuyết trình, bảo vệ MHSK: 5/6 điểm"]
    assert results.completeness.label() == (
        "DỰ THẢO — chưa đủ điểm. Còn thiếu: Sở Tài nguyên và Môi trường – Thuyết trình, bảo vệ MHSK: 5/6 điểm.")
    assert results.to_dict()["completeness"]["missing"][0]["marks_in"] == 5
    with pytest.raises(Conflict) as refused:
        lock_final(edition=demo_any, actor="thuky")
    assert refused.value.message == ("Chưa thể khóa kết quả: Đội “Sở Tài nguyên và Môi trường” chưa đủ điểm: "
                                     "Thuyết trình, bảo vệ MHSK 5/6.")
    with pytest.raises(ValidationError) as short:
        record_panel_decision(edition=demo_any, segment_key="presentation", entry_id=entry.id, panel_size=5,
                              reason="vắng", actor="thuky")
    assert short.value.message == "Vui lòng ghi rõ lý do giảm số giám khảo (ít nhất 10 ký tự)."
    record_panel_decision(edition=demo_any, segment_key="presentation", entry_id=entry.id, panel_size=5,
                          reason="Giám khảo 6 vắng mặt khi đội thi phần thuyết trình", actor="thuky")
    db.session.commit()
    assert compute_results(demo_any).is_complete is True
    lock_final(edition=demo_any, actor="thuky")
    db.session.commit()
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "panel.decided"))
    assert (audit.after["panel"], audit.reason) == (5, "Giám khảo 6 vắng mặt khi đội thi phần thuyết trình")


def test_lock_freezes_entries_teams_settings_and_needs_two_signatures(demo_any):
    from decimal import Decimal

    from contest_app.services.trust.accounts import create_user
    from contest_app.services.rounds.registration import update_edition_settings, update_entry, update_team
    from contest_app.services.final.results import finalists

    organiser = create_user(username="btc1", role="organiser", password="mat-khau-123")
    thuky = create_user(username="thuky1", role="secretariat", password="mat-khau-123")
    lock_final(edition=demo_any, actor=thuky)
    db.session.commit()
    entry = finalists(demo_any)[0]
    for attempt in (
        lambda: update_team(team=entry.team, name="Đội đổi tên", members=[], actor=organiser),
        lambda: update_entry(entry=entry, title="Tên mới", summary="", group=entry.thematic_group_id,
                             team=entry.team, actor=organiser),
        lambda: update_edition_settings(edition=demo_any, actor=organiser, preliminary_cutoff=Decimal(70)),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert (refused.value.code, refused.value.message) == (
            "edition_locked", "Kết quả kỳ thi đã được khóa: không thể thay đổi.")
        db.session.rollback()
    with pytest.raises(PermissionDenied):
        countersign_lock(edition=demo_any, actor=thuky)
    countersign_lock(edition=demo_any, actor=organiser)
    db.session.commit()
    assert demo_any.lock_countersigned_by == "btc1"
    assert export_results(demo_any)["locked"]["countersigned_by"] == "btc1"


def test_unlock_needs_a_reason_voids_the_fingerprint_and_says_who(demo_any):
    lock_final(edition=demo_any, actor="thuky")
    db.session.commit()
    exported = export_results(demo_any)
    assert check_export(edition=demo_any, data=exported).ok is True
    with pytest.raises(ValidationError):
        unlock_final(edition=demo_any, actor="btc", reason="sai")
    unlock_final(edition=demo_any, actor="btc", reason="Nhập nhầm điểm của Giám khảo 3, phải sửa")
    db.session.commit()
    assert demo_any.locked_at is None and locked_fingerprint(demo_any) is None
    check = check_export(edition=demo_any, data=exported)
    assert check.ok is False
    assert check.messages[0].startswith("Kết quả kỳ thi Lần thứ 4 - năm 2019 đã được mở khóa bởi btc lúc ")
    assert check.messages[0].endswith("(lý do: Nhập nhầm điểm của Giám khảo 3, phải sửa): dấu vân tay đã khóa "
                                      "không còn giá trị.")


def test_lock_page_countersign_and_unlock_through_the_forms(app, client, demo, make_user, login):
    make_user("thuky", role="secretariat")
    make_user("btc", role="organiser")
    login("thuky")
    page = client.get("/secretariat/trust/editions/2019/lock").get_data(as_text=True)
    client.post("/secretariat/trust/editions/2019/lock",
                data={"confirm": "y", "reason": "", "csrf_token": csrf_token_from(page)})
    page = unescape(client.get("/secretariat/trust/editions/2019/lock").get_data(as_text=True))
    assert "Chờ Ban Tổ chức ký xác nhận (chữ ký thứ hai)." in page
    client.post("/auth/logout", data={"csrf_token": csrf_token_from(page)})
    login("btc")
    page = client.get("/secretariat/trust/editions/2019/lock").get_data(as_text=True)
    client.post("/secretariat/trust/editions/2019/countersign", data={"csrf_token": csrf_token_from(page)})
    page = " ".join(unescape(client.get("/secretariat/trust/editions/2019/lock").get_data(as_text=True)).split())
    assert "Ban Tổ chức đã ký xác nhận: btc, lúc " in page
    client.post("/secretariat/trust/editions/2019/unlock",
                data={"csrf_token": csrf_token_from(page), "reason": "Sửa điểm theo biên bản ngày 05/10"})
    page = " ".join(unescape(client.get("/secretariat/trust/editions/2019/lock").get_data(as_text=True)).split())
    assert "Kết quả đã được mở khóa lúc " in page and "bởi btc. Lý do: Sửa điểm theo biên bản ngày 05/10." in page
    assert db.session.scalar(select(Segment).limit(1)) is not None
