"""The setup checklist of an edition, and the desk refusing to open marking until it is ready."""
from __future__ import annotations

from html import unescape


from contest_app.enums import RoundStatus
from contest_app.extensions import db
from contest_app.services.final.setup_checklist import checklist


def _state(edition) -> dict[str, bool]:
    return {i.key: i.ok for i in checklist(edition)}


def test_the_2019_demo_is_ready_to_mark_but_not_rehearsed(app, demo):
    state = _state(demo)
    assert {k for k, ok in state.items() if ok} == {
        "rules", "units", "entries", "qualifying", "preliminary", "finalists", "draw", "judges", "question_sets"}
    assert {k for k, ok in state.items() if not ok} == {
        "judge_links", "public_url", "rehearsal"}
    app.config["CONTEST_PUBLIC_URL"] = "http://192.168.1.2:5000"
    assert _state(demo)["public_url"] is True


def test_the_checklist_page_links_each_item_to_its_fix(client, make_user, login, app):
    from contest_app.services.demo import ensure_units
    from contest_app.services.rounds.editions import create_edition

    ensure_units()
    edition = create_edition(number=5, year=2021, actor="btc")
    db.session.commit()
    make_user("btc", "organiser")
    login("btc")
    html = unescape(client.get(f"/organiser/editions/{edition.id}/checklist").get_data(as_text=True))
    assert '<tr class="ok" data-key="rules" data-ok="1">' in html
    assert '<tr class="missing" data-key="judges" data-ok="0">' in html
    assert "0/6 giám khảo." in html
    assert f'href="/organiser/editions/{edition.id}/rules"' in html
    assert 'href="/secretariat/judges?edition=2021"' in html
    assert 'href="/draw/2021"' in html
    assert RoundStatus.PASSED.value not in html


def test_the_question_sets_item_names_the_editions_bank(app, demo):
    from contest_app.services.rounds.editions import create_edition

    item = next(i for i in checklist(demo) if i.key == "question_sets")
    assert (item.ok, item.detail) == (True, "Ngân hàng 2019 (lịch sử kỳ thi năm 2019, không dùng cho kỳ thi mới): "
                                            "5 bộ câu hỏi, 5 bộ tình huống.")
    edition = create_edition(number=5, year=2027, actor="btc")
    db.session.flush()
    item = next(i for i in checklist(edition) if i.key == "question_sets")
    assert item.ok is True and item.detail.startswith("Ngân hàng 2027 (") and item.endpoint == "organiser.question_bank"
    edition.question_bank = "2019"  # another edition's history: never the bank of a new edition
    item = next(i for i in checklist(edition) if i.key == "question_sets")
    assert item.ok is False
