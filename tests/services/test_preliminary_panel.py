"""The preliminary round done right: a full panel to close (or an audited override), a conflict
found after scoring excluded, every judge's score and spread, scoresheets in Excel, stale saves."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from contest_app.enums import RoundStatus
from contest_app.extensions import db
from contest_app.models import AuditEvent
from contest_app.services.rounds import preliminary, qualifying, registration
from contest_app.services.trust.accounts import create_user
from contest_app.services.demo import ensure_units
from contest_app.services.errors import Conflict
from tests.services.rounds_helpers import new_edition


def split(total: str, criteria) -> dict[int, str]:
    """Points per criterion adding up to ``total``: each criterion full in turn, the rest on the last."""
    left, out = Decimal(total), {}
    for c in criteria:
        value = min(c.max_points, left)
        out[c.id] = str(value)
        left -= value
    return out


@pytest.fixture
def round_(any_app):
    units = ensure_units()
    edition = new_edition()
    organiser = create_user(username="btc", role="organiser", password="mat-khau-123")
    entries = [registration.create_entry(edition=edition, unit=units[name], title=title, group=1)
               for name, title in (("Sở Y tế", "Bệnh án điện tử"), ("Sở Tư pháp", "Lý lịch tư pháp trực tuyến"),
                                   ("Sở Tài chính", "Hóa đơn điện tử"))]
    for e in entries:
        qualifying.record_decision(entry=e, passed=True, actor=organiser)
    judges = [create_user(username=f"gk{i}", role="preliminary_judge", password="mat-khau-123",
                          display_name=f"Giám khảo {i}") for i in (1, 2, 3)]
    for j in judges:
        preliminary.assign_judge(edition=edition, judge=j, cluster=None, actor=organiser)
    db.session.commit()
    return edition, organiser, entries, judges, units


def _score(edition, judge, entry, total):
    criteria = preliminary.rubric(edition)
    preliminary.record_scores(edition=edition, judge=judge, entry=entry, values=split(total, criteria))


def test_closing_with_one_of_three_judges_is_refused_then_overridden_with_a_reason(round_):
    edition, organiser, (a, b, c), (j1, j2, j3), _ = round_
    for j in (j1, j2, j3):
        _score(edition, j, a, "80")
        _score(edition, j, b, "70")
    _score(edition, j1, c, "90")
    with pytest.raises(Conflict) as exc:
        preliminary.close_round(edition=edition, actor=organiser)
    assert exc.value.message == (
        "Còn 1 mô hình, sáng kiến chưa được chấm đủ giám khảo: “Hóa đơn điện tử” (1/3 giám khảo). "
        "Hãy chờ đủ phiếu chấm, hoặc kết thúc vòng với lý do.")
    assert not preliminary.is_closed(edition)
    finalists = preliminary.close_round(edition=edition, actor=organiser,
                                        override_reason="Giám khảo 2 và 3 ốm, Ban Tổ chức đồng ý")
    assert [e.title for e in finalists] == ["Bệnh án điện tử", "Hóa đơn điện tử"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "preliminary.close"))
    assert event.reason == "Giám khảo 2 và 3 ốm, Ban Tổ chức đồng ý"
    assert event.after["incomplete"] == {str(c.id): sorted([j2.id, j3.id])}


def test_a_judges_unit_corrected_after_scoring_excludes_that_score(round_):
    edition, organiser, (a, b, c), (j1, j2, j3), units = round_
    for e, totals in ((a, ("100", "40", "85")), (b, ("80", "80", "80")), (c, ("76", "76", "76"))):
        for j, t in zip((j1, j2, j3), totals, strict=True):
            _score(edition, j, e, t)
    scores = preliminary.entry_scores(edition)
    assert scores[a.id].mean == Fraction(75) and scores[a.id].spread == Decimal("60")
    assert preliminary.is_spread_flagged(scores[a.id], Decimal(edition.preliminary_spread_threshold))
    assert not preliminary.is_spread_flagged(scores[b.id], Decimal("20"))
    # judge 1 turns out to work at Sở Y tế, the unit of entry a: their 100 no longer counts
    j1.unit_id = units["Sở Y tế"].id
    db.session.flush()
    scores = preliminary.entry_scores(edition)
    assert scores[a.id].totals == {j2.id: Decimal("40.00"), j3.id: Decimal("85.00")}
    assert scores[a.id].excluded == {j1.id: Decimal("100.00")}
    assert scores[a.id].mean == Fraction(125, 2)
    assert scores[a.id].expected == frozenset({j2.id, j3.id})
    finalists = preliminary.close_round(edition=edition, actor=organiser)
    assert a.preliminary_status == RoundStatus.FAILED.value and a.preliminary_score == Decimal("62.50")
    assert [e.title for e in finalists] == ["Lý lịch tư pháp trực tuyến", "Hóa đơn điện tử"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "preliminary.close"))
    assert event.after["excluded"] == {str(a.id): [j1.id]}


def test_a_save_from_an_older_page_is_refused(round_):
    edition, _organiser, (a, _b, _c), (j1, _j2, _j3), _ = round_
    criteria = preliminary.rubric(edition)
    old = preliminary.sheet_version(judge=j1, entry=a)
    assert old == "new"
    preliminary.record_scores(edition=edition, judge=j1, entry=a, values=split("80", criteria), version=old)
    db.session.commit()
    newer = preliminary.sheet_version(judge=j1, entry=a)
    preliminary.record_scores(edition=edition, judge=j1, entry=a, values=split("82", criteria), version=newer)
    db.session.commit()
    with pytest.raises(Conflict) as exc:
        preliminary.record_scores(edition=edition, judge=j1, entry=a, values=split("60", criteria), version=newer)
    assert exc.value.message == preliminary.STALE_SHEET
    db.session.rollback()
    assert sum(preliminary.judge_scores(judge=j1, entry=a).values()) == Decimal("82")


def test_scoresheets_export_every_judges_points(round_):
    edition, _organiser, (a, b, c), (j1, j2, j3), _ = round_
    for j, t in zip((j1, j2, j3), ("100", "40", "85"), strict=True):
        _score(edition, j, a, t)
    _score(edition, j1, b, "70")
    wb = load_workbook(BytesIO(preliminary.scoresheets_xlsx(edition)))
    assert wb.sheetnames == ["Tổng hợp", "Phiếu chấm"]
    rows = [[c.value for c in r] for r in wb["Tổng hợp"].iter_rows()]
    assert rows[0] == ["Mã", "Tên mô hình, sáng kiến", "Đơn vị", "Giám khảo 1", "Giám khảo 2", "Giám khảo 3",
                       "Điểm trung bình", "Chênh lệch cao nhất - thấp nhất", "Cần xem lại", "Ghi chú"]
    assert rows[1] == [a.id, "Bệnh án điện tử", "Sở Y tế", 100, 40, 85, 75, 60, "Có", None]
    assert rows[2] == [b.id, "Lý lịch tư pháp trực tuyến", "Sở Tư pháp", 70, None, None, 70, None, None,
                       "Chưa chấm: Giám khảo 2, Giám khảo 3"]
    sheets = [[c.value for c in r] for r in wb["Phiếu chấm"].iter_rows()]
    assert len(sheets) == 1 + 4
    assert sheets[1][:3] == [a.id, "Bệnh án điện tử", "Giám khảo 1"] and sheets[1][-2:] == [100, "Có"]
