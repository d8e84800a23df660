"""The live final's integrity in a real headless Chromium (issue 12): hall, tablets and desk in
separate browser contexts, several checks per session to keep it fast.

One session walks the failures seen before: partial scores leaking to the public pages, the
hall seeing a slip before the desk closes, ranks before any reveal, a tablet wiping an
off-step mark, closing that loses an offline judge's mark, an offline reload, the guide box,
the presenter's keys on /control, and a tablet and a desk catching up a missed message.
"""
from __future__ import annotations

import pytest
import socketio as sio_client
from playwright.sync_api import expect

from contest_app.extensions import db
from tests.draw_helpers import write_banks
from tests.e2e.conftest import SECRET, free_port, start_server, stop_server
from tests.e2e.test_live_final import open_desk

pytestmark = pytest.mark.e2e

KNOWLEDGE = "Kiến thức CCHC"


@pytest.fixture
def final_server(tmp_path):
    """A server process: the 2019 demo without marks, test banks, a confirmed draw, the people."""
    from contest_app.models import Edition
    from contest_app.services.trust.accounts import create_user
    from contest_app.services.demo import load_demo
    from contest_app.services.final.draw import confirm_draw, prepare_draw
    from contest_app.services.final.judge_access import edition_credentials
    from tests.conftest import build_app

    banks = write_banks(tmp_path / "banks", time_seconds=30)
    uri = f"sqlite:///{tmp_path / 'final.sqlite'}"
    app = build_app(uri, SECRET_KEY=SECRET, QUESTION_BANKS_DIR=str(banks))
    with app.app_context():
        db.create_all()
        edition = load_demo(with_marks=False)
        create_user(username="dieukhien", role="control", password="mat-khau-123", display_name="Bàn điều khiển")
        prepare_draw(edition=edition, actor="btc")
        draw = confirm_draw(edition=edition, actor="btc")
        tokens = {c.judge.seat: c.token for c in edition_credentials(db.session.get(Edition, edition.id))}
        db.session.commit()
        slots = draw.result["slots"]
        edition_id = edition.id
        db.session.remove()
    port = free_port()
    proc = start_server(port, {"CONTEST_DATABASE_URL": uri, "CONTEST_QUESTION_BANKS_DIR": str(banks)})

    class Live:
        url = f"http://127.0.0.1:{port}"

    live = Live()
    live.app, live.edition_id, live.tokens, live.slots = app, edition_id, tokens, slots
    try:
        yield live
    finally:
        stop_server(proc)
        with app.app_context():
            db.engine.dispose()


def judge_socket(live, seat):
    client = sio_client.SimpleClient()
    client.connect(live.url, namespace="/judge", auth={"token": live.tokens[seat]}, transports=["websocket"],
                   wait_timeout=10)
    return client


def send(client, entry_id, key, value, tag):
    reply = client.call("submit_mark", {"entry_id": entry_id, "segment_key": key, "value": value,
                                        "idempotency_key": f"e2e-{tag}"}, timeout=10)
    assert reply["ok"] is True, reply
    return reply


def tablet(browser, live, seat):
    ctx = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True, locale="vi-VN")
    page = ctx.new_page()
    page.goto(f"{live.url}/j/{live.tokens[seat]}")
    page.wait_for_selector("#conn.online", timeout=10_000)
    return ctx, page


def desk_open(desk, entry_id, key):
    desk.select_option("#entry-select", str(entry_id))
    desk.select_option("#segment-select", key)
    desk.click("#btn-open")
    expect(desk.locator("#desk-message")).to_have_text("Đã mở chấm.", timeout=10_000)


def test_live_final_integrity_in_chromium(final_server, browser):
    live = final_server
    first, second, third = (s["entry_id"] for s in live.slots[:3])
    hall_ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    board = hall_ctx.new_page()
    board.goto(f"{live.url}/board/2019")
    board.wait_for_selector(f"#board-rows tr[data-entry='{first}']", timeout=10_000)
    # Before anything is published: drawn order, no rank, never "all tied".
    assert board.locator("#board-rows td.rank").all_inner_texts() == [""] * 12
    desk_ctx, desk = open_desk(browser, live)
    # The presenter's script is loaded once on /control and its keys follow no form field.
    assert desk.locator("script[src*='present_desk.js']").count() == 1

    desk_open(desk, first, "knowledge")
    scripted = {seat: judge_socket(live, seat) for seat in (2, 3, 4, 5)}
    for seat, value in ((2, "6"), (3, "6,5"), (4, "7")):
        send(scripted[seat], first, "knowledge", value, f"partial-{seat}")
    expect(board.locator("#now-count")).to_have_text("Đã chấm 3/6", timeout=10_000)
    # 1. Nothing partial leaks: the public JSON and page show no score, rank or prize.
    data = hall_ctx.request.get(f"{live.url}/editions/2019/results.json").json()
    row = next(r for r in data["rows"] if r["entry_id"] == first)
    assert (row["scores"]["knowledge"], row["total"], row["rank"], row["prize"]) == (None, None, None, None)
    page = hall_ctx.new_page()
    page.goto(f"{live.url}/editions/2019/results")
    assert "6,50" not in page.inner_text("main") and "Giải Nhất" not in page.inner_text("main")
    expect(page.locator("#draft")).to_contain_text("DỰ THẢO — chưa đủ điểm.")
    # The desk starts choosing the next window; the updates that follow must not undo its choice.
    desk.select_option("#segment-select", "situation")

    # 2. The tablet checks like the server and never wipes what the judge typed.
    t1_ctx, t1 = tablet(browser, live, 1)
    t1.wait_for_selector("#mark-form:not([hidden])", timeout=10_000)
    t1.fill("#mark-input", "8,55")
    t1.click("#submit-mark")
    assert t1.inner_text("#mark-error") == "Điểm phải là bội số của 0,1 (ví dụ 7,5)."
    assert t1.input_value("#mark-input") == "8,55"
    t1.fill("#mark-input", "7")
    t1.click("#submit-mark")
    card = t1.locator("#my-marks-list li").first
    expect(card).to_have_attribute("data-status", "saved", timeout=10_000)
    assert card.inner_text().startswith(f"{row['team']} · {KNOWLEDGE}: 7 điểm — Đã lưu lúc ")
    expect(desk.locator("#desk-count")).to_have_text("Đã chấm 4/6", timeout=10_000)
    assert desk.input_value("#segment-select") == "situation"
    assert t1.input_value("#mark-input") == ""
    card.locator("button.edit-mark").click()
    assert t1.input_value("#mark-input") == "7"

    # 3. Six of six while open: the hall still sees no score (a slip may be fixed); closed: published.
    send(scripted[5], first, "knowledge", "8", "slip-5")
    t6_ctx, t6 = tablet(browser, live, 6)
    t6.wait_for_selector("#mark-form:not([hidden])", timeout=10_000)
    t6.fill("#mark-input", "8")
    t6.click("#submit-mark")
    expect(t6.locator("#mark-stored")).to_have_text("Đã lưu: 8 điểm", timeout=10_000)
    expect(board.locator("#now-count")).to_have_text("Đã chấm 6/6", timeout=10_000)
    cell = board.locator(f"#board-rows tr[data-entry='{first}'] td.seg").first
    assert cell.inner_text() != "7,08"
    desk.click("#btn-close")
    expect(cell).to_have_text("7,08", timeout=10_000)  # (6 + 6,5 + 7 + 7 + 8 + 8) / 6
    expect(board.locator(f"#board-rows tr[data-entry='{first}'] td.rank")).to_have_text("1")

    # 4. Closing never loses a mark: an offline tablet queues, survives a reload, arrives late.
    desk_open(desk, second, "knowledge")
    for seat in (2, 3, 4, 5):
        send(scripted[seat], second, "knowledge", "9", f"second-{seat}")
    t1.fill("#mark-input", "9")
    t1.click("#submit-mark")
    expect(t1.locator("#mark-stored")).to_have_text("Đã lưu: 9 điểm", timeout=10_000)
    expect(t6.locator("#segment-name")).to_contain_text(KNOWLEDGE, timeout=10_000)
    t6_ctx.set_offline(True)
    t6.fill("#mark-input", "8,5")
    t6.click("#submit-mark")
    expect(t6.locator("#unsent")).to_have_text("Còn 1 điểm chưa gửi", timeout=5_000)
    t6.reload()  # offline: the service worker serves the page, the queue is still there
    expect(t6.locator("#keypad")).to_be_visible(timeout=10_000)
    expect(t6.locator("#unsent")).to_have_text("Còn 1 điểm chưa gửi")
    expect(t6.locator("#my-marks-list li[data-status=waiting]")).to_have_count(1)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    desk.on("dialog", answer)
    desk.click("#btn-close")
    expect(desk.locator("#desk-message")).to_have_text("Đã đóng chấm.", timeout=10_000)
    assert dialogs[0].startswith("Còn 1 giám khảo chưa chấm: Giám khảo 6. Xác nhận để vẫn đóng chấm")
    t6_ctx.set_offline(False)
    late = t6.locator("#my-marks-list li[data-status=late_pending]")
    expect(late).to_have_count(1, timeout=20_000)
    assert "Nộp muộn, chờ quyết định" in late.inner_text()
    second_cell = board.locator(f"#board-rows tr[data-entry='{second}'] td.seg").first
    assert second_cell.inner_text() != "8,92"
    row = desk.locator("#desk-late-table tr").first
    expect(row).to_contain_text("Giám khảo 6", timeout=10_000)
    row.locator("button.accept-late").click()
    expect(second_cell).to_have_text("8,92", timeout=10_000)  # (9 × 5 + 8,5) / 6
    expect(t6.locator("#notice")).to_have_text("Điểm nộp muộn 8,5 đã được chấp nhận.", timeout=10_000)
    # Ranks come from published cells only: the second team leads now.
    expect(board.locator(f"#board-rows tr[data-entry='{second}'] td.rank")).to_have_text("1")

    # 5. The presenter on /control: → shows question 1 first; keys do nothing in a form field;
    #    its team follows the stage.
    desk.select_option("#entry-select", str(third))
    desk.click("#btn-stage")
    expect(desk.locator("#pd-team")).to_have_value(str(third), timeout=10_000)
    desk.locator("body").press("ArrowRight")
    expect(desk.locator("#pd-showing")).to_contain_text("Câu 1/25 · ", timeout=10_000)
    desk.locator("#pd-number").focus()
    desk.locator("#pd-number").press("ArrowRight")
    desk.wait_for_timeout(500)
    expect(desk.locator("#pd-showing")).to_contain_text("Câu 1/25")

    # 6. The guide box shows the suggested answer and marking guide, not ids.
    desk_open(desk, third, "situation")
    expect(t1.locator("#guide")).to_be_visible(timeout=10_000)
    guide = t1.inner_text("#guide-body")
    assert "Gợi ý đáp án" in guide and "Hướng dẫn chấm" in guide and "/ team /" not in guide

    # 7. A message lost (as in a Redis outage): the tablet and the desk catch up by seq.
    from contest_app.models import Edition, Entry
    from contest_app.services.final import live_state
    from contest_app.services.final.publication import results_changed

    with live.app.app_context():
        edition = db.session.get(Edition, live.edition_id)
        live_state.set_stage(edition=edition, entry=db.session.get(Entry, second))
        results_changed(edition, judges_event="stage_changed")  # committed, never broadcast
        db.session.commit()
        team = db.session.get(Entry, second).team.name
        db.session.remove()
    expect(t1.locator("#stage-team")).to_have_text(team, timeout=15_000)
    expect(desk.locator("#desk-stage")).to_have_text(team, timeout=10_000)

    for client in scripted.values():
        client.disconnect()
    for ctx in (t1_ctx, t6_ctx, desk_ctx, hall_ctx):
        ctx.close()
