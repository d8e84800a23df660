"""The projector page, the desk panel, the draw pages and the answers sheet."""
from __future__ import annotations

import hashlib
import re

import pytest

from contest_app.extensions import db
from contest_app.live import broadcast
from contest_app.services.final.draw import confirm_draw, confirmed_assignments, get_draw, prepare_draw
from tests.conftest import csrf_token_from
from tests.draw_helpers import quiz_code, quiz_key, write_banks


@pytest.fixture
def edition(app, tmp_path):
    from contest_app.services.demo import load_demo

    app.config["QUESTION_BANKS_DIR"] = str(write_banks(tmp_path / "banks"))
    edition = load_demo(with_marks=True)
    db.session.commit()
    return edition


def _confirmed(edition):
    prepare_draw(edition=edition, actor="btc")
    confirm_draw(edition=edition, actor="btc")
    db.session.commit()


def _assert_csp_clean(html: str) -> None:
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html and not re.search(r"\son[a-z]+=", html)


def test_screen_page_is_public_16_9_and_csp_clean(client, edition):
    response = client.get("/present/2019")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'data-edition-id="{edition.id}"' in html
    assert "Lần thứ 4 - năm 2019 · Vòng chung khảo" in html
    assert "/static/js/present.js" in html and "/static/vendor/socket.io/socket.io.min.js" in html
    assert "/static/css/present.css" in html
    _assert_csp_clean(html)


def test_screen_page_unknown_edition_is_404_in_vietnamese(client, edition):
    response = client.get("/present/2031")
    assert response.status_code == 404
    assert "Không tìm thấy kỳ thi “2031”." in response.get_data(as_text=True)


def test_draw_page_requires_sign_in(client, edition):
    response = client.get("/draw/2019")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_draw_prepare_shows_fingerprint_then_confirm_reveals_seed(client, edition, make_user, login):
    make_user("btc", role="organiser")
    login("btc")
    page = client.get("/draw/2019").get_data(as_text=True)
    assert "Chưa bốc thăm." in page
    assert page.count("<li>") == 12
    _assert_csp_clean(page)
    client.post("/draw/2019/prepare", data={"csrf_token": csrf_token_from(page)})
    draw = get_draw(edition)
    page = client.get("/draw/2019").get_data(as_text=True)
    shown = re.search(r'<code id="draw-fingerprint">([0-9a-f]{64})</code>', page).group(1)
    assert shown == draw.seed_fingerprint
    assert draw.seed not in page
    public = client.get("/draw/2019/public").get_data(as_text=True)
    assert shown in public and draw.seed not in public
    data = client.get("/draw/2019/result.json").get_json()
    assert data["status"] == "draft" and "seed" not in data and "result" not in data

    response = client.post("/draw/2019/confirm", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Đã xác nhận kết quả bốc thăm. Kết quả đã được khóa và ghi nhật ký." in page
    seed = re.search(r'<code id="draw-seed">([0-9a-f]+)</code>', page).group(1)
    assert hashlib.sha256(seed.encode()).hexdigest() == shown
    assert f"flask --app contest_app verify-draw --edition {edition.id} --seed {seed}" in page
    rows = re.findall(r"<tr><td class=\"num\">(\d+)</td>", page)
    assert rows == [str(i) for i in range(1, 13)]
    data = client.get("/draw/2019/result.json").get_json()
    assert (data["status"], data["seed"], data["seed_fingerprint"]) == ("confirmed", seed, shown)
    assert len(data["result"]["slots"]) == 12

    response = client.post("/draw/2019/prepare", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True)
    assert "Kết quả bốc thăm đã được xác nhận và khóa; không thể bốc thăm lại hay thay đổi." in response.get_data(as_text=True)
    assert get_draw(edition).seed == seed


def test_draw_actions_refused_to_the_desk(client, edition, make_user, login):
    make_user("dieukhien", role="control")
    login("dieukhien")
    page = client.get("/draw/2019").get_data(as_text=True)
    assert 'id="draw-prepare"' not in page
    response = client.post("/draw/2019/prepare", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này." in response.get_data(as_text=True)
    assert get_draw(edition) is None


def test_desk_page_lists_teams_in_drawn_order(client, edition, make_user, login):
    _confirmed(edition)
    make_user("dieukhien", role="control")
    login("dieukhien")
    html = client.get("/present/2019/desk").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)">Lượt (\d+) · ', html)
    assert [int(o) for _, o in options] == list(range(1, 13))
    assert [int(e) for e, _ in options] == [a.entry_id for a in confirmed_assignments(edition)]
    assert "Phím tắt:" in html and "/static/js/present_desk.js" in html
    _assert_csp_clean(html)


def test_answers_page_records_answers_and_score_reaches_results(client, edition, make_user, login, monkeypatch):
    sent = []
    monkeypatch.setattr(broadcast, "board_updated", sent.append)
    next(s for s in edition.segments if s.key == "knowledge").scored_from_answers = True
    db.session.commit()
    _confirmed(edition)
    make_user("dieukhien", role="control")
    login("dieukhien")
    team = "Sở Khoa học và Công nghệ"
    assignment = next(a for a in confirmed_assignments(edition) if a.entry.team.name == team)
    n = assignment.quiz_set
    page = client.get(f"/control/2019/answers?entry={assignment.entry_id}").get_data(as_text=True)
    assert page.count("<tr data-code=") == 25
    assert "chưa có điểm" in page
    _assert_csp_clean(page)
    form = {"csrf_token": csrf_token_from(page), "entry": str(assignment.entry_id)}
    for i in range(1, 26):
        form[f"answer-{quiz_code(n, i)}"] = quiz_key(n, i) if i != 25 else "0"
    response = client.post("/control/2019/answers", data=form, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"Đã lưu 25 câu trả lời của đội {team}." in page
    assert "<strong>9,60</strong>" in page and "24 câu đúng / 25 câu" in page
    results = client.get("/editions/2019/results").get_data(as_text=True)
    row = re.search(rf'<td class="team" data-label="Đội thi">{team}</td>.*?</tr>', results, re.S).group(0)
    assert re.findall(r'<td class="num" data-label="[^"]+">([\d,]+)</td>', row)[:3] == ["9,60", "9,40", "55,80"]

    # the board was refreshed (numbered, stored) and broadcast once
    (delta,) = sent
    assert delta["edition_id"] == edition.id
    assert delta["seq"] == 1 and str(assignment.entry_id) in delta["changes"]["rows"]

    # posting the same sheet again changes nothing and broadcasts nothing
    response = client.post("/control/2019/answers", data=form, follow_redirects=True)
    assert f"Đã lưu 0 câu trả lời của đội {team}." in response.get_data(as_text=True)
    assert len(sent) == 1


def test_answers_page_bad_letter_saves_nothing(client, edition, make_user, login):
    next(s for s in edition.segments if s.key == "knowledge").scored_from_answers = True
    db.session.commit()
    _confirmed(edition)
    make_user("dieukhien", role="control")
    login("dieukhien")
    a = confirmed_assignments(edition)[0]
    page = client.get(f"/control/2019/answers?entry={a.entry_id}").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "entry": str(a.entry_id),
            f"answer-{quiz_code(a.quiz_set, 1)}": "A", f"answer-{quiz_code(a.quiz_set, 2)}": "X"}
    page = client.post("/control/2019/answers", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Phương án “X” không hợp lệ: chọn A, B, C hoặc D (bỏ trống nếu đội không trả lời)." in page
    from contest_app.models import QuizAnswer

    assert db.session.query(QuizAnswer).count() == 0


def test_answers_page_when_judges_mark_knowledge(client, edition, make_user, login):
    make_user("dieukhien", role="control")
    login("dieukhien")
    page = client.get("/control/2019/answers").get_data(as_text=True)
    assert "Kỳ thi này chấm phần thi Kiến thức bằng điểm của giám khảo, không tính từ câu trả lời của đội." in page
