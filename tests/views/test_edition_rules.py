"""The organiser edits an edition's rules in one page, and the results follow them."""
from decimal import Decimal
from html import unescape

from sqlalchemy import func, select

from contest_app.extensions import db
from contest_app.models import AuditEvent, Edition, SideAward
from contest_app.services.final.results import compute_results
from tests.conftest import csrf_token_from


def _form(client, edition_id, **changes):
    """The rules form as the page fills it, with ``changes`` applied (field name -> value)."""
    import re

    html = client.get(f"/organiser/editions/{edition_id}/rules").get_data(as_text=True)
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = unescape(value)
    for name in re.findall(r'<input[^>]*name="([^"]+)"', html):
        data.setdefault(name, "")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body) or re.search(r'<option value="([^"]*)"', body)
        data[name] = chosen.group(1) if chosen else ""
    data["csrf_token"] = csrf_token_from(html)
    data.update(changes)
    return data


def _login_organiser(make_user, login):
    make_user("btc", "organiser")
    login("btc")


def test_rules_page_shows_the_2019_rules(client, make_user, login, demo):
    _login_organiser(make_user, login)
    data = _form(client, demo.id)
    assert data["segments-0-name"] == "Kiến thức CCHC"
    assert data["segments-2-max_score"] == "75"
    assert data["segments-0-mark_step"] == "0,1"
    assert data["segments-2-tie_break"] == "1" and data["segments-1-tie_break"] == "2"
    assert data["prize_tiers-2-count"] == "2"
    assert data["side_awards-1-method"] == "best_segment" and data["side_awards-1-segment_key"] == "situation"
    assert data["judges_per_panel"] == "6"


def test_changing_rules_after_marks_needs_a_reason_and_is_audited(client, make_user, login, demo):
    _login_organiser(make_user, login)
    changes = {"prize_tiers-2-count": "1", "prize_tiers-3-count": "6", "segments-2-aggregation": "trimmed_mean"}
    response = client.post(f"/organiser/editions/{demo.id}/rules", data=_form(client, demo.id, **changes),
                           follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "Đã có điểm chấm theo điều lệ hiện hành; muốn thay đổi phải ghi rõ lý do." in html
    db.session.expire_all()
    assert [t.count for t in db.session.get(Edition, demo.id).prize_tiers] == [1, 1, 2, 3]

    response = client.post(f"/organiser/editions/{demo.id}/rules",
                           data=_form(client, demo.id, reason="Áp dụng cơ cấu giải 2013", **changes),
                           follow_redirects=True)
    assert "Đã lưu điều lệ kỳ thi." in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    edition = db.session.get(Edition, demo.id)
    assert [(t.name, t.count) for t in edition.prize_tiers] == [
        ("Giải Nhất", 1), ("Giải Nhì", 1), ("Giải Ba", 1), ("Giải Khuyến khích", 6)]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "edition.rules"))
    assert event.reason == "Áp dụng cơ cấu giải 2013"
    assert event.before["prize_tiers"][2]["count"] == 2 and event.after["prize_tiers"][2]["count"] == 1
    results = compute_results(edition)
    prizes = {r.team: r.prize for r in results.rows}
    # 2019's ranking, with tiers 1/1/1/6: the 4th (UBND huyện Cam Lâm 81,70) drops from Ba to Khuyến khích.
    assert prizes["Sở Nội vụ"] == "Giải Nhất"
    assert prizes["Sở Thông tin và Truyền thông"] == "Giải Nhì"
    assert prizes["UBND phường Ninh Hải (thị xã Ninh Hòa)"] == "Giải Ba"
    assert prizes["UBND huyện Khánh Sơn"] == "Giải Khuyến khích"
    assert sum(1 for p in prizes.values() if p == "Giải Khuyến khích") == 6


def test_removing_a_marked_segment_is_refused(client, make_user, login, demo):
    _login_organiser(make_user, login)
    data = _form(client, demo.id, **{"segments-0-name": "", "segments-0-max_score": "", "reason": "thử"})
    response = client.post(f"/organiser/editions/{demo.id}/rules", data=data, follow_redirects=True)
    assert "Phần thi “Kiến thức CCHC” đã có 72 điểm chấm; không thể xóa." in unescape(response.get_data(as_text=True))
    assert len(db.session.get(Edition, demo.id).segments) == 3


def test_bad_values_get_vietnamese_messages_and_change_nothing(client, make_user, login, demo):
    _login_organiser(make_user, login)
    data = _form(client, demo.id, **{"segments-1-max_score": "mười lăm"})
    response = client.post(f"/organiser/editions/{demo.id}/rules", data=data)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Phải là một số (dùng dấu phẩy hoặc dấu chấm thập phân)." in html
    data = _form(client, demo.id, **{"segments-1-mark_step": "0,7", "reason": "x"})
    html = unescape(client.post(f"/organiser/editions/{demo.id}/rules", data=data, follow_redirects=True)
                    .get_data(as_text=True))
    assert "Phần thi “Xử lý tình huống”: điểm tối đa phải là bội số của bước điểm." in html
    assert db.session.get(Edition, demo.id).segments[1].max_score == Decimal("15")


def test_new_edition_from_a_previous_one_copies_every_rule(client, make_user, login, demo):
    _login_organiser(make_user, login)
    page = client.get("/organiser/editions/new").get_data(as_text=True)
    response = client.post("/organiser/editions/new", data={
        "number": "5", "year": "2021", "copy_from": str(demo.id), "csrf_token": csrf_token_from(page)},
        follow_redirects=True)
    assert "Đã tạo kỳ thi “Lần thứ 5 - năm 2021” (sao chép từ Lần thứ 4 - năm 2019); hãy kiểm tra điều lệ." in \
        unescape(response.get_data(as_text=True))
    new = db.session.scalar(select(Edition).where(Edition.year == 2021))
    from contest_app.services.rounds.edition_rules import snapshot

    assert snapshot(new) == snapshot(db.session.get(Edition, demo.id))
    assert db.session.scalar(select(func.count(SideAward.id)).where(SideAward.edition_id == new.id)) == 5
    # the new edition's rules are free to change: no marks exist under them
    data = _form(client, new.id, **{"segments-2-aggregation": "trimmed_mean", "prize_tiers-2-count": "1",
                                    "prize_tiers-3-count": "6"})
    response = client.post(f"/organiser/editions/{new.id}/rules", data=data, follow_redirects=True)
    assert "Đã lưu điều lệ kỳ thi." in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    new = db.session.get(Edition, new.id)
    assert [s.aggregation for s in new.segments] == ["mean", "mean", "trimmed_mean"]
    assert [t.count for t in new.prize_tiers] == [1, 1, 1, 6]
    assert [t.count for t in db.session.get(Edition, demo.id).prize_tiers] == [1, 1, 2, 3]


def test_a_segment_added_gets_its_own_key_and_the_tie_break(client, make_user, login, demo):
    _login_organiser(make_user, login)
    page = client.get("/organiser/editions/new").get_data(as_text=True)
    client.post("/organiser/editions/new", data={"number": "5", "year": "2021", "csrf_token": csrf_token_from(page)})
    new = db.session.scalar(select(Edition).where(Edition.year == 2021))
    data = _form(client, new.id, **{"segments-3-name": "Hùng biện", "segments-3-short_name": "Hùng biện",
                                    "segments-3-max_score": "20", "segments-3-mark_step": "0,5",
                                    "segments-3-order": "4", "segments-3-tie_break": "4",
                                    "segments-2-max_score": "55"})
    response = client.post(f"/organiser/editions/{new.id}/rules", data=data, follow_redirects=True)
    assert "Đã lưu điều lệ kỳ thi." in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    new = db.session.get(Edition, new.id)
    assert [(s.key, s.max_score, s.mark_step) for s in new.segments][-1] == ("hung_bien", Decimal("20"), Decimal("0.5"))
    assert new.tie_break == ["presentation", "situation", "knowledge", "hung_bien"]


def test_the_rubric_is_edited_on_the_rules_page_until_scoring_begins(client, make_user, login, app):
    from contest_app.services.demo import ensure_units
    from contest_app.services.rounds import preliminary
    from contest_app.services.rounds.editions import create_edition

    ensure_units()
    edition = create_edition(number=5, year=2021, actor="btc")
    db.session.commit()
    _login_organiser(make_user, login)
    data = _form(client, edition.id)
    assert [data[f"rubric-{i}-name"] for i in range(5)] == [
        "Tính mới, sáng tạo", "Tính khả thi", "Tính hiệu quả", "Khả năng nhân rộng", "Chất lượng hồ sơ, đề cương"]
    data.update({"rubric-4-max_points": "5", "rubric-5-name": "Trình bày", "rubric-5-max_points": "6"})
    html = unescape(client.post(f"/organiser/editions/{edition.id}/rules", data=data, follow_redirects=True)
                    .get_data(as_text=True))
    assert "Tổng điểm tối đa các tiêu chí phải bằng 100 (hiện là 101)." in html
    data["rubric-5-max_points"] = "5"
    html = unescape(client.post(f"/organiser/editions/{edition.id}/rules", data=data, follow_redirects=True)
                    .get_data(as_text=True))
    assert "Đã lưu điều lệ kỳ thi." in html
    assert [(c.name, c.max_points) for c in preliminary.rubric(edition)][-2:] == [
        ("Chất lượng hồ sơ, đề cương", Decimal("5")), ("Trình bày", Decimal("5"))]


def test_a_locked_result_freezes_the_rules_and_the_judges(client, make_user, login, demo):
    from datetime import UTC, datetime

    from contest_app.models import Judge

    _login_organiser(make_user, login)
    data = _form(client, demo.id, reason="Thử đổi cơ cấu giải", **{"prize_tiers-3-count": "6"})
    judge = db.session.scalar(select(Judge).where(Judge.edition_id == demo.id).order_by(Judge.seat))
    db.session.get(Edition, demo.id).locked_at = datetime.now(UTC)
    db.session.commit()
    response = client.post(f"/organiser/editions/{demo.id}/rules", data=data, follow_redirects=True)
    assert "Kết quả kỳ thi đã được khóa: không thể thay đổi." in unescape(response.get_data(as_text=True))
    p = f"j{judge.id}-"
    response = client.post(f"/secretariat/judges/{judge.id}/edit", data={
        "csrf_token": data["csrf_token"], p + "name": "Tên khác", p + "title": "", p + "unit_id": "0",
        p + "seat": str(judge.seat)}, follow_redirects=True)
    assert "Kết quả kỳ thi đã được khóa: không thể thay đổi." in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert [t.count for t in db.session.get(Edition, demo.id).prize_tiers] == [1, 1, 2, 3]
    assert db.session.get(Judge, judge.id).name == judge.name
