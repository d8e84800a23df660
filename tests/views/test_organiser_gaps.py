"""The small gaps of issue 11: clusters edited and deleted, an entry withdrawn, a near-duplicate
pointed out at registration, one set of round figures (also in Excel), the preliminary outcome
hidden until published, every judge's preliminary score, and a stale scoresheet refused."""
from __future__ import annotations

from html import unescape
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from contest_app.enums import RoundStatus
from contest_app.extensions import db
from contest_app.models import AuditEvent, Cluster, Edition, Entry
from contest_app.services.rounds import preliminary, qualifying, registration
from contest_app.services.trust.accounts import create_user
from contest_app.services.outputs.history import figures_of
from tests.conftest import csrf_token_from
from tests.views.rounds_setup import build_world


@pytest.fixture
def world(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return build_world()


def test_a_cluster_is_edited_and_deleted(client, login, world):
    login("btc")
    url = f"/organiser/editions/{world.edition.id}/clusters"
    page = client.get(url).get_data(as_text=True)
    client.post(url, data={"csrf_token": csrf_token_from(page), "name": "Cụm 1", "units": [str(world.unit_a.id)]})
    cluster = db.session.scalar(select(Cluster))
    page = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/{cluster.id}/edit", data={
        "csrf_token": csrf_token_from(page), f"c{cluster.id}-name": "Cụm phía Bắc",
        f"c{cluster.id}-units": [str(world.unit_a.id), str(world.unit_b.id)]}, follow_redirects=True)
    assert "Đã cập nhật Cụm phía Bắc." in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    cluster = db.session.get(Cluster, cluster.id)
    assert cluster.name == "Cụm phía Bắc" and sorted(cu.unit_id for cu in cluster.units) == sorted(
        [world.unit_a.id, world.unit_b.id])
    preliminary.assign_judge(edition=world.edition, judge=world.judge, cluster=cluster, actor=world.organiser)
    db.session.commit()
    response = client.post(f"{url}/{cluster.id}/delete", data={"csrf_token": csrf_token_from(page)},
                           follow_redirects=True)
    assert ("Cụm phía Bắc đang có 1 giám khảo được phân công; hãy bỏ phân công trước khi xóa."
            in unescape(response.get_data(as_text=True)))
    preliminary.unassign(assignment=preliminary.assignments(world.edition)[0], actor=world.organiser)
    db.session.commit()
    response = client.post(f"{url}/{cluster.id}/delete", data={"csrf_token": csrf_token_from(page)},
                           follow_redirects=True)
    assert "Đã xóa Cụm phía Bắc." in unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(Cluster)) is None


def test_an_entry_is_withdrawn_with_a_reason(client, login, world):
    login("btc")
    page = client.get(f"/organiser/editions/{world.edition.id}/entries").get_data(as_text=True)
    url = f"/organiser/editions/{world.edition.id}/entries/{world.entry_a.id}/withdraw"
    response = client.post(url, data={"csrf_token": csrf_token_from(page), "reason": " "}, follow_redirects=True)
    assert "Vui lòng ghi lý do rút lui." in unescape(response.get_data(as_text=True))
    response = client.post(url, data={"csrf_token": csrf_token_from(page), "reason": "Đơn vị xin rút"},
                           follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "Đã ghi nhận “Khu dân cư điện tử” rút lui." in html and "Rút lui" in html
    db.session.expire_all()
    assert db.session.get(Entry, world.entry_a.id).qualifying_status == RoundStatus.WITHDRAWN.value
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "entry.withdraw"))
    assert event.reason == "Đơn vị xin rút"
    figures = client.get(f"/organiser/editions/{world.edition.id}/figures.xlsx")
    rows = [[c.value for c in r] for r in load_workbook(BytesIO(figures.data))["Số liệu các vòng"].iter_rows()]
    assert rows[1][:2] == ["Vòng", "Tổng số"]
    assert rows[2][:2] == ["Vòng loại", 1] and rows[3][:2] == ["Vòng sơ khảo", 0]


def test_a_near_duplicate_is_pointed_out_at_registration(client, login, world):
    login("daumoi_b")
    url = f"/unit/editions/{world.edition.id}/entries/new"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token_from(page), "title": "Khu dân cư điện tử thông minh",
                                       "summary": "", "group": "1", "team": "0"}, follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "Đã đăng ký mô hình, sáng kiến “Khu dân cư điện tử thông minh”." in html
    assert re_search(r"Lưu ý: mô hình, sáng kiến này giống “Khu dân cư điện tử” \(Sở Nội vụ, cùng kỳ thi\) "
                     r"ở mức \d+,\d%; Ban Tổ chức sẽ xem xét trùng lặp\.", html)


def re_search(pattern: str, text: str) -> bool:
    import re

    return re.search(pattern, text) is not None


def test_one_set_of_figures_for_2019(client, make_user, login, demo):
    make_user("btc", "organiser")
    login("btc")
    html = unescape(client.get(f"/organiser/editions/{demo.id}/figures").get_data(as_text=True))
    assert '<tr><th>Vòng loại</th><td class="num strong">95</td>' in html
    assert '<tr><th>Vòng sơ khảo</th><td class="num strong">52</td>' in html
    assert '<tr><th>Vòng chung khảo</th><td class="num strong">12</td>' in html
    assert figures_of(db.session.get(Edition, demo.id)) == {"qualifying": 95, "preliminary": 52, "final": 12}
    rows = [[c.value for c in r] for r in load_workbook(BytesIO(
        client.get(f"/organiser/editions/{demo.id}/figures.xlsx").data)).active.iter_rows()]
    assert [r[1] for r in rows[2:5]] == [95, 52, 12]
    assert rows[4][2:7] == [5, 1, 3, 2, 1]  # finalists by block
    assert rows[2][2:] == [None] * 10  # the qualifying round's breakdown is not held


def test_prelim_outcome_shown_to_focal_points_only_once_published(client, login, world):
    for e in (world.entry_a, world.entry_b):
        qualifying.record_decision(entry=e, passed=True, actor=world.organiser)
    judge2 = create_user(username="gk2", role="preliminary_judge", password="mat-khau-123", display_name="GK 2")
    for j in (world.judge, judge2):
        preliminary.assign_judge(edition=world.edition, judge=j, cluster=None, actor=world.organiser)
    criteria = preliminary.rubric(world.edition)
    full = {c.id: str(c.max_points) for c in criteria}
    low = {c.id: "0" for c in criteria}
    preliminary.record_scores(edition=world.edition, judge=world.judge, entry=world.entry_b, values=full)
    preliminary.record_scores(edition=world.edition, judge=judge2, entry=world.entry_b, values=low)
    preliminary.record_scores(edition=world.edition, judge=judge2, entry=world.entry_a, values=full)
    db.session.commit()
    login("btc")
    html = unescape(client.get(f"/organiser/editions/{world.edition.id}/preliminary").get_data(as_text=True))
    assert "<th>Giám khảo A</th><th>GK 2</th>" in html
    assert '<td class="num">100,00 <strong class="error">⚠ cần xem lại</strong></td>' in html  # 100 and 0
    preliminary.close_round(edition=world.edition, actor=world.organiser)
    db.session.commit()
    client.post("/auth/logout", data={"csrf_token": csrf_token_from(html)})
    login("daumoi_b")
    html = unescape(client.get(f"/unit/editions/{world.edition.id}").get_data(as_text=True))
    table = html.split('id="entries"')[1]
    assert "<td>Chờ công bố</td>" in table and "Không đạt" not in table
    preliminary.publish_finalists(edition=world.edition, actor=world.organiser)
    db.session.commit()
    html = unescape(client.get(f"/unit/editions/{world.edition.id}").get_data(as_text=True))
    assert "<td>Không đạt</td>" in html.split('id="entries"')[1]


def test_a_scoresheet_saved_from_an_older_tab_is_refused(client, login, world):
    for e in (world.entry_a, world.entry_b):
        qualifying.record_decision(entry=e, passed=True, actor=world.organiser)
    preliminary.assign_judge(edition=world.edition, judge=world.judge, cluster=None, actor=world.organiser)
    db.session.commit()
    login("giamkhao")
    url = f"/prelim/editions/{world.edition.id}/entries/{world.entry_b.id}"
    old_tab = client.get(url).get_data(as_text=True)
    new_tab = client.get(url).get_data(as_text=True)
    criteria = preliminary.rubric(world.edition)

    def post(page, values):
        import re

        version = re.search(r'name="version" value="([^"]+)"', page).group(1)
        data = {"csrf_token": csrf_token_from(page), "version": version}
        data.update({f"c{c.id}": v for c, v in zip(criteria, values, strict=True)})
        return client.post(url, data=data, follow_redirects=True)

    assert "Đã lưu điểm: tổng 80,00 điểm." in unescape(post(new_tab, ["20", "20", "20", "15", "5"]).get_data(as_text=True))
    response = post(old_tab, ["10", "10", "10", "10", "5"])
    assert response.status_code == 400
    assert preliminary.STALE_SHEET in unescape(response.get_data(as_text=True))
    assert sum(preliminary.judge_scores(judge=world.judge, entry=world.entry_b).values()) == 80
    registration.list_units()  # the session is still usable
