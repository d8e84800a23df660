"""The hall's screens at the sizes a hall uses, with the 2019 final (12 finalists) and 20 finalists.

One server and one Chromium for the whole module; each screen is one page whose viewport is
resized. Both finals stand at the same moment (hall_setup.py): a team on stage, its situation
segment open, four of six judges in. The ceremony test runs last: it reveals the prizes.
With CONTEST_UPDATE_SCREENSHOTS=1 every screen at every size is written to docs/screenshots/.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contest_app.extensions import db
from tests.conftest import build_app
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, SECRET, free_port, start_server, stop_server
from tests.e2e.hall_setup import DESK_USER, TWENTY_YEAR, build_hall, complete

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" if os.environ.get(
    "CONTEST_UPDATE_SCREENSHOTS") == "1" else None
PROJECTORS = [(1280, 720), (1366, 768), (1920, 1080), (3840, 2160)]
PHONES = [(360, 740), (390, 844)]
TABLETS = [(1024, 768), (1280, 800), (800, 1280)]
EDITIONS = [(2019, 12), (TWENTY_YEAR, 20)]

GEOMETRY = """(sel) => {
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return {
    width: document.documentElement.clientWidth, height: document.documentElement.clientHeight,
    scrollWidth: document.documentElement.scrollWidth, scrollHeight: document.documentElement.scrollHeight,
    boxes: [...document.querySelectorAll(sel)].map(box),
  };
}"""


CONTRAST = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                       return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m); return (x + 0.05) / (y + 0.05); };
  const worst = [];
  for (const td of document.querySelectorAll('#board-rows td')) {
    const bg = getComputedStyle(td).backgroundColor;
    for (const e of [td, ...td.querySelectorAll('.team-name, .entry-title')]) {
      if (e.textContent.trim()) { worst.push(ratio(getComputedStyle(e).color, bg)); }
    }
  }
  const now = document.getElementById('board-now');
  worst.push(ratio(getComputedStyle(document.getElementById('now-team')).color, getComputedStyle(now).backgroundColor));
  return Math.min(...worst);
}"""


def shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def inside(box, width, height, margin=0.0) -> bool:
    left, top, right, bottom = box
    return (left >= width * margin - 0.5 and top >= height * margin - 0.5
            and right <= width * (1 - margin) + 0.5 and bottom <= height * (1 - margin) + 0.5)


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    """A server on the two finals (2019 and a 20-finalist 2027) and the 2019 tablet token of seat 6."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('hall') / 'hall.sqlite'}"
    app = build_app(uri, SECRET_KEY=SECRET)
    info = build_hall(app)
    port = free_port()
    proc = start_server(port, {"CONTEST_DATABASE_URL": uri})
    try:
        yield {"url": f"http://127.0.0.1:{port}", **info}
    finally:
        stop_server(proc)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def desk_page(hall, chromium):
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{hall['url']}/auth/login")
    page.fill("#username", DESK_USER[0])
    page.fill("#password", DESK_USER[1])
    page.click("button[type=submit]")
    yield page
    context.close()


def test_board_fits_every_finalist_on_one_projector_screen(hall, chromium):
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    for year, count in EDITIONS:
        page.goto(f"{hall['url']}/board/{year}")
        expect(page.locator("#now-count")).to_have_text("Đã chấm 4/6", timeout=10_000)
        expect(page.locator("#board-rows tr")).to_have_count(count)
        assert page.locator("#board").get_attribute("data-rows") == str(count)
        for width, height in PROJECTORS:
            page.set_viewport_size({"width": width, "height": height})
            g = page.evaluate(GEOMETRY, "#board-rows tr, #board-now, .board-head")
            assert (g["scrollWidth"], g["scrollHeight"]) == (width, height), (year, width, height)
            assert len(g["boxes"]) == count + 2
            outside = [b for b in g["boxes"] if not inside(b, width, height)]
            assert outside == [], (year, width, height, outside)
            # large type: a row's text is never smaller than 11 px, and grows with the screen
            size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#board-rows td.team')).fontSize)")
            assert size >= 11, (year, width, height, size)
            shot(page, f"board-{year}-{width}x{height}")
        # WCAG AA: every text of the rows and the banner at least 4.5:1 against its background
        assert page.evaluate(CONTRAST) >= 4.5
        # long titles are shortened on the projector (an ellipsis), whole in their tooltip
        shortened = page.evaluate("""() => [...document.querySelectorAll('#board-rows .entry-title')]
            .filter(e => e.scrollWidth > e.clientWidth && e.title === e.textContent).length""")
        assert shortened > 0
    assert missing == []
    context.close()


def test_livestream_overlay_keeps_every_row_inside_the_title_safe_area(hall, chromium):
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    for year, count in EDITIONS:
        page.goto(f"{hall['url']}/board/{year}/overlay")
        expect(page.locator("#board-rows tr")).to_have_count(count, timeout=10_000)
        assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgba(0, 0, 0, 0)"
        for width, height in ((1280, 720), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            g = page.evaluate(GEOMETRY, "#board-rows tr, #board-now, .board-head > div")
            outside = [b for b in g["boxes"] if not inside(b, width, height, margin=0.05)]
            assert outside == [], (year, width, height, outside)
        shot(page, f"overlay-{year}-1920x1080")
    context.close()


def test_board_and_results_on_phones_have_cards_and_no_sideways_scroll(hall, chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    for path, cards, name in (("/board/2019", "#board-rows tr", "board-2019"),
                              (f"/board/{TWENTY_YEAR}", "#board-rows tr", f"board-{TWENTY_YEAR}"),
                              ("/editions/2019/results", "#results tbody tr", "results-2019")):
        page.goto(hall["url"] + path)
        page.wait_for_selector(cards, timeout=10_000)
        for width, height in PHONES:
            page.set_viewport_size({"width": width, "height": height})
            g = page.evaluate(GEOMETRY, cards)
            assert g["scrollWidth"] == width, (path, width)
            assert all(b[0] >= 0 and b[2] <= width for b in g["boxes"]), (path, width)
            assert page.evaluate(f"() => getComputedStyle(document.querySelector('{cards}')).display") == "grid"
            shot(page, f"phone-{name}-{width}x{height}")
    # the entry title folds: closed, then whole once opened
    first = page.locator("#results tbody tr").first.locator("details.entry-details")
    assert first.get_attribute("open") is None
    first.locator("summary").click()
    expect(first.locator("p")).to_have_text(
        "Tổ chức cơ sở dữ liệu tổng hợp dùng chung và tích hợp, liên kết, chia sẻ dữ liệu trong giải quyết "
        "thủ tục hành chính cho công dân, tổ chức")
    page.goto(f"{hall['url']}/board/2019")
    expect(page.locator("#board-rows tr details.entry-more")).to_have_count(12)
    context.close()


def test_results_page_on_a_laptop_has_no_sideways_scroll(hall, chromium):
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{hall['url']}/editions/2019/results")
    for width, height in ((1280, 720), (1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        g = page.evaluate(GEOMETRY, "#results tbody tr")
        assert g["scrollWidth"] == width
        assert len(g["boxes"]) == 12
        shot(page, f"results-2019-{width}x{height}")
    context.close()


def test_desk_runs_the_show_at_1366x768_without_scrolling(hall, desk_page):
    page = desk_page
    for year, team, count in ((2019, "Bệnh viện Đa khoa tỉnh Khánh Hòa", 12),
                              (TWENTY_YEAR, "Liên quân Sở Công Thương và các đơn vị phối hợp", 20)):
        page.goto(f"{hall['url']}/control?edition={year}")
        page.wait_for_selector("#conn.online", timeout=10_000)
        expect(page.locator("#btn-primary")).to_have_text("Đóng chấm · Xử lý tình huống", timeout=10_000)
        expect(page.locator("#desk-stage")).to_have_text(team)
        expect(page.locator("#desk-count")).to_have_text("Đã chấm 4/6")
        expect(page.locator("#judge-tiles li")).to_have_count(6)
        expect(page.locator("#judge-tiles li.marked")).to_have_count(4)
        expect(page.locator("#entry-select option")).to_have_count(count)
        expect(page.locator("#entry-select option:checked")).to_have_text(f"{count - 2}. {team}")
        g = page.evaluate(GEOMETRY, "#btn-primary, #judge-tiles, #present-desk, .desk-ceremony, #btn-close, #btn-reveal")
        assert (g["scrollWidth"], g["scrollHeight"]) == (1366, 768), year
        assert [inside(b, 1366, 768) for b in g["boxes"]] == [True] * 6, g["boxes"]
        shot(page, f"desk-{year}-1366x768")
    # arrow keys never change the team selection (they belong to the presenter's shortcuts)
    page.select_option("#entry-select", index=3)
    chosen = page.input_value("#entry-select")
    page.focus("#entry-select")
    for key in ("ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"):
        page.keyboard.press(key)
    assert page.input_value("#entry-select") == chosen
    # the full grid is on its own tab
    page.click("#tab-grid")
    expect(page.locator("#panel-grid")).to_be_visible()
    expect(page.locator("#panel-run")).to_be_hidden()
    expect(page.locator("#desk-grid tr")).to_have_count(21)
    shot(page, f"desk-grid-{TWENTY_YEAR}-1366x768")
    page.click("#tab-run")


def test_tablet_shows_keypad_send_and_connection_without_scrolling(hall, chromium):
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    page = context.new_page()
    page.goto(f"{hall['url']}/j/{hall['token']}")
    expect(page.locator("#segment-rules")).to_have_text("Điểm tối đa 15 · bước 0,1", timeout=10_000)
    expect(page.locator("#conn")).to_have_text("Đã kết nối")
    for width, height in TABLETS:
        page.set_viewport_size({"width": width, "height": height})
        g = page.evaluate(GEOMETRY, "#keypad, #submit-mark, #conn, #mark-input, #segment-name")
        assert (g["scrollWidth"], g["scrollHeight"]) == (width, height), (width, height)
        assert [inside(b, width, height) for b in g["boxes"]] == [True] * 5, (width, height, g["boxes"])
        shot(page, f"judge-{width}x{height}")
    context.close()


def test_broadcast_graphics_transparent_inside_title_safe_area(hall, chromium):
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    cases = [
        ("/board/2019/graphics/lower-third", "#lower-third", "#lt-team", "Bệnh viện Đa khoa tỉnh Khánh Hòa"),
        ("/board/2019/graphics/score-bug?seconds=0", "#score-bug", "#sb-scores", "Kiến thức CCHC 6,00"),
        (f"/board/{TWENTY_YEAR}/graphics/standings", "#st-rows li", "#st-rows li:first-child .st-total", "88,50"),
    ]
    for path, selector, text_at, text in cases:
        page.goto(hall["url"] + path)
        expect(page.locator(text_at)).to_have_text(text, timeout=10_000)
        assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgba(0, 0, 0, 0)"
        assert page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor") == "rgba(0, 0, 0, 0)"
        for width, height in ((1920, 1080), (1280, 720)):
            page.set_viewport_size({"width": width, "height": height})
            g = page.evaluate(GEOMETRY, selector)
            assert g["boxes"] and all(inside(b, width, height, margin=0.05) for b in g["boxes"]), (path, width, g)
        page.set_viewport_size({"width": 1920, "height": 1080})
        shot(page, "graphic-" + path.split("/")[-1].split("?")[0])
    expect(page.locator("#st-rows li")).to_have_count(20)
    response = page.goto(f"{hall['url']}/board/2019/graphics/credits")
    assert response.status == 404
    context.close()


def finish_finals(app) -> None:
    """Both finals marked and published to the end (in this process: the boards catch up by seq)."""
    from contest_app.models import Edition

    with app.app_context():
        for year in (2019, TWENTY_YEAR):
            edition = db.session.scalar(db.select(Edition).where(Edition.year == year))
            complete(edition, prefix=str(year))
        db.session.commit()
        db.session.remove()


def test_ceremony_driven_by_the_desk_fills_the_board(hall, chromium, desk_page):
    desk = desk_page
    desk.goto(f"{hall['url']}/control?edition=2019")
    desk.wait_for_selector("#conn.online", timeout=10_000)
    # mid-final the ceremony is refused: starting it would reveal prizes over unpublished scores
    desk.click("#btn-ceremony-next")
    expect(desk.locator("#desk-message")).to_contain_text("Chưa thể công bố giải: còn điểm chưa công bố",
                                                          timeout=10_000)
    finish_finals(hall["app"])
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    board = context.new_page()
    board.goto(f"{hall['url']}/board/2019")
    expect(board.locator("#board-rows tr")).to_have_count(12, timeout=10_000)
    expect(board.locator("#ceremony")).to_be_hidden()
    desk.reload()
    desk.wait_for_selector("#conn.online", timeout=10_000)
    expect(desk.locator("#ceremony-now")).to_have_text("Chưa bắt đầu.")
    expect(desk.locator("#btn-primary")).to_have_text("Bắt đầu lễ trao giải", timeout=10_000)
    desk.click("#btn-primary")
    expect(desk.locator("#ceremony-now")).to_contain_text("Bước 1/13", timeout=10_000)
    expect(board.locator("#ceremony-prize")).to_have_text("Giải Khuyến khích", timeout=10_000)
    assert board.get_attribute("#ceremony", "class") == "ceremony tier-4"
    for width, height in PROJECTORS[:3]:
        board.set_viewport_size({"width": width, "height": height})
        g = board.evaluate(GEOMETRY, ".ceremony-card, #ceremony-team, #ceremony-score")
        assert all(inside(b, width, height) for b in g["boxes"]), (width, height, g["boxes"])
    shot(board, "board-ceremony-1920x1080")
    desk.click("#btn-ceremony-previous")
    expect(desk.locator("#desk-message")).to_have_text("Đang ở bước đầu tiên của lễ trao giải.")
    desk.click("#btn-ceremony-stop")
    expect(board.locator("#ceremony")).to_be_hidden(timeout=10_000)
    # the prizes stay revealed: the side awards join the board, and every row still fits
    expect(board.locator("#board-awards")).to_be_visible()
    for width, height in PROJECTORS:
        board.set_viewport_size({"width": width, "height": height})
        g = board.evaluate(GEOMETRY, "#board-rows tr, #board-now, #board-awards")
        assert len(g["boxes"]) == 14
        assert [b for b in g["boxes"] if not inside(b, width, height)] == [], (width, height)

    # 20 finalists: walk the ceremony to its end, the standings with the prizes fit every projector
    board.goto(f"{hall['url']}/board/{TWENTY_YEAR}")
    expect(board.locator("#board-rows tr")).to_have_count(20, timeout=10_000)
    desk.goto(f"{hall['url']}/control?edition={TWENTY_YEAR}")
    desk.wait_for_selector("#conn.online", timeout=10_000)
    desk.click("#btn-ceremony-next")
    expect(desk.locator("#ceremony-now")).to_contain_text("Bước 1/8", timeout=10_000)
    for step in range(2, 9):
        desk.click("#btn-ceremony-next")
        expect(desk.locator("#ceremony-now")).to_contain_text(f"Bước {step}/8", timeout=10_000)
    expect(desk.locator("#ceremony-now")).to_have_text("Bước 8/8 · Bảng xếp hạng chung cuộc")
    expect(board.locator("#board-final-title")).to_be_visible(timeout=10_000)
    expect(board.locator("#ceremony")).to_be_hidden()
    expect(board.locator("#board-rows .prize")).to_have_count(7)
    assert board.locator("#board-rows tr").first.locator(".prize").get_attribute("class") == "prize tier-1"
    for width, height in PROJECTORS:
        board.set_viewport_size({"width": width, "height": height})
        g = board.evaluate(GEOMETRY, "#board-rows tr, #board-final-title")
        assert len(g["boxes"]) == 21
        assert [b for b in g["boxes"] if not inside(b, width, height)] == [], (width, height)
        if width == 1920:
            shot(board, f"board-standings-{TWENTY_YEAR}-1920x1080")
    context.close()
