"""End to end in a real headless Chromium: the desk advances a question, the projector shows
it with its countdown, then the answer."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from contest_app.extensions import db
from tests.draw_helpers import quiz_key, write_banks
from tests.e2e.conftest import SECRET, free_port, start_server, stop_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def present_server(tmp_path):
    """A server process on a free port: the 2019 demo, test banks, a confirmed draw, a desk account."""
    from contest_app.services.trust.accounts import create_user
    from contest_app.services.demo import load_demo
    from contest_app.services.final.draw import confirm_draw, prepare_draw
    from tests.conftest import build_app

    banks = write_banks(tmp_path / "banks", time_seconds=30)
    uri = f"sqlite:///{tmp_path / 'present.sqlite'}"
    app = build_app(uri, SECRET_KEY=SECRET, QUESTION_BANKS_DIR=str(banks))
    with app.app_context():
        db.create_all()
        edition = load_demo(with_marks=False)
        create_user(username="dieukhien", role="control", password="mat-khau-123", display_name="Bàn điều khiển")
        prepare_draw(edition=edition, actor="btc")
        draw = confirm_draw(edition=edition, actor="btc")
        db.session.commit()
        first = draw.result["slots"][0]
        edition_id = edition.id
        db.session.remove()
    port = free_port()
    proc = start_server(port, {"CONTEST_DATABASE_URL": uri, "CONTEST_QUESTION_BANKS_DIR": str(banks)})
    try:
        yield f"http://127.0.0.1:{port}", edition_id, first
    finally:
        stop_server(proc)
        with app.app_context():
            db.engine.dispose()


def _seconds(text: str) -> int:
    m, s = text.split(":")
    return int(m) * 60 + int(s)


def test_desk_advances_question_and_screen_shows_it_with_countdown(browser, present_server):
    url, edition_id, first = present_server
    n = first["quiz_set"]

    screen_context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    screen = screen_context.new_page()
    errors: list[str] = []
    screen.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    screen.goto(f"{url}/present/{edition_id}")
    expect(screen.locator("#link-state")).to_have_attribute("data-state", "online", timeout=10_000)
    expect(screen.locator("#idle-view")).to_be_visible()
    expect(screen.locator("#countdown")).to_be_hidden()
    # the stage keeps 16:9 in the window
    box = screen.locator("#stage").bounding_box()
    assert abs(box["width"] / box["height"] - 16 / 9) < 0.01

    desk_context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    desk = desk_context.new_page()
    desk.goto(f"{url}/auth/login")
    desk.fill("#username", "dieukhien")
    desk.fill("#password", "mat-khau-123")
    desk.click("button[type=submit]")
    desk.goto(f"{url}/present/{edition_id}/desk")
    expect(desk.locator("#present-desk")).to_have_attribute("data-connected", "1", timeout=10_000)
    assert desk.locator("#pd-team").input_value() == str(first["entry_id"])

    desk.locator("body").press("ArrowRight")
    expect(screen.locator("#item-label")).to_have_text("Câu 1/25", timeout=10_000)
    expect(screen.locator("#question-stem")).to_have_text(
        f"Câu hỏi số 1 của bộ đề {n}: cơ chế một cửa được thực hiện ở đâu?"
    )
    expect(screen.locator("#question-options li[data-letter=B] .text")).to_have_text(f"Phương án hai ({n}.1)")
    expect(screen.locator("#countdown")).to_be_visible()
    expect(screen.locator("#answer-line")).to_be_hidden()
    start = _seconds(screen.locator("#countdown-text").inner_text())
    assert 27 <= start <= 30
    screen.wait_for_timeout(2200)
    later = _seconds(screen.locator("#countdown-text").inner_text())
    assert 1 <= start - later <= 4
    expect(desk.locator("#pd-showing")).to_have_text(re.compile(r"^Câu 1/25 · "))
    expect(desk.locator("#pd-key")).to_have_text(f"{quiz_key(n, 1)} (chưa hiện)")

    desk.locator("body").press("ArrowRight")
    expect(screen.locator("#item-label")).to_have_text("Câu 2/25", timeout=10_000)
    desk.locator("body").press("a")
    key = quiz_key(n, 2)
    expect(screen.locator("#answer-letter")).to_have_text(key, timeout=10_000)
    expect(screen.locator(f"#question-options li[data-letter={key}]")).to_have_class(re.compile(r"\bcorrect\b"))
    expect(screen.locator("#countdown")).to_have_attribute("data-state", "paused")

    desk.locator("body").press("t")
    expect(screen.locator("#item-label")).to_have_text("Tình huống 1/4", timeout=10_000)
    m = first["situation_set"]
    expect(screen.locator("#situation-text")).to_have_text(
        f"Tình huống 1 của bộ {m}: công dân nộp hồ sơ thiếu giấy tờ."
    )

    # a screen that reloads gets what is shown now
    screen.reload()
    expect(screen.locator("#item-label")).to_have_text("Tình huống 1/4", timeout=10_000)
    assert errors == []
    desk_context.close()
    screen_context.close()
