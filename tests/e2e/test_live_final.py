"""End to end in a real headless Chromium: the desk opens, six judges mark, the board shows it,
and a judge who goes offline gets their mark in exactly once."""
from __future__ import annotations

import re

import pytest
import socketio as sio_client
from playwright.sync_api import expect
from sqlalchemy import func, select

from contest_app.extensions import db

pytestmark = pytest.mark.e2e


def seed_people(live):
    """Issue the judges' credentials and a desk account; return the tokens by seat."""
    from contest_app.models import Edition
    from contest_app.services.trust.accounts import create_user
    from contest_app.services.final.judge_access import edition_credentials

    with live.app.app_context():
        creds = edition_credentials(db.session.get(Edition, live.edition_id))
        create_user(username="dieukhien", role="control", password="mat-khau-123", display_name="Bàn điều khiển")
        tokens = {c.judge.seat: (c.judge.id, c.token) for c in creds}
        entries = [e.id for e in __import__("contest_app.services.final.results", fromlist=["finalists"]).finalists(
            db.session.get(Edition, live.edition_id))]
        db.session.commit()
        db.session.remove()
    return tokens, entries


def open_desk(browser, live):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live.url}/auth/login")
    page.fill("#username", "dieukhien")
    page.fill("#password", "mat-khau-123")
    page.click("button[type=submit]")
    page.goto(f"{live.url}/control?edition=2019")
    page.wait_for_selector("#conn.online", timeout=10_000)
    page.wait_for_selector("#entry-select option", state="attached", timeout=10_000)
    return context, page


def desk_open(page, entry_id: int, segment_key: str) -> None:
    page.select_option("#entry-select", str(entry_id))
    page.select_option("#segment-select", segment_key)
    page.click("#btn-open")
    expect(page.locator("#desk-message")).to_have_text("Đã mở chấm.", timeout=10_000)
    page.evaluate("() => { document.getElementById('desk-message').textContent = ''; }")


def scripted_judge(live, token: str) -> sio_client.SimpleClient:
    client = sio_client.SimpleClient()
    client.connect(live.url, namespace="/judge", auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return client


def count_marks(live, judge_id: int, entry_id: int, segment_key: str) -> tuple[int, int]:
    from contest_app.models import Mark, MarkSubmission, Segment

    with live.app.app_context():
        seg = db.session.scalar(select(Segment).where(Segment.edition_id == live.edition_id, Segment.key == segment_key))
        marks = db.session.scalar(select(func.count()).select_from(Mark).where(
            Mark.judge_id == judge_id, Mark.entry_id == entry_id, Mark.segment_id == seg.id))
        subs = db.session.scalar(select(func.count()).select_from(MarkSubmission).where(
            MarkSubmission.judge_id == judge_id, MarkSubmission.entry_id == entry_id,
            MarkSubmission.segment_id == seg.id))
        db.session.remove()
    return marks, subs


def test_live_tablet_board_and_offline_resend_exactly_once(live_server, browser):
    live = live_server
    tokens, entries = seed_people(live)
    first = entries[0]
    desk_ctx, desk = open_desk(browser, live)

    board_ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    board = board_ctx.new_page()
    board.goto(f"{live.url}/board/2019")
    board.wait_for_selector(f"#board-rows tr[data-entry='{first}']", timeout=10_000)

    desk_open(desk, first, "knowledge")
    expect(board.locator("#now-count")).to_have_text("Đã chấm 0/6", timeout=10_000)

    # Judges 2..6 mark through the documented protocol (python-socketio client).
    others = []
    for seat in range(2, 7):
        client = scripted_judge(live, tokens[seat][1])
        others.append(client)
        reply = client.call("submit_mark", {"entry_id": first, "segment_key": "knowledge", "value": "8,5",
                                            "idempotency_key": f"e2e-{seat}-knowledge"}, timeout=10)
        assert reply["ok"] is True, reply
    expect(board.locator("#now-count")).to_have_text("Đã chấm 5/6", timeout=10_000)

    # Judge 1 on a tablet in Chromium: log in by the QR link, submit, see the stored value.
    tablet_ctx = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True)
    tablet = tablet_ctx.new_page()
    judge1_id, token1 = tokens[1]
    tablet.goto(f"{live.url}/j/{token1}")
    assert tablet.url.endswith("/judge")
    tablet.wait_for_selector("#mark-form:not([hidden])", timeout=10_000)
    assert tablet.inner_text("#segment-rules") == "Điểm tối đa 10 · bước 0,1"
    tablet.fill("#mark-input", "11")
    tablet.click("#submit-mark")
    assert tablet.inner_text("#mark-error") == "Điểm không được vượt quá 10 (điểm tối đa của phần thi)."
    tablet.fill("#mark-input", "8,5")
    tablet.click("#submit-mark")
    expect(tablet.locator("#mark-stored")).to_have_text("Đã lưu: 8,5 điểm", timeout=10_000)

    # All six are in and the desk closes: the board publishes the segment score (reveal_mode all_in).
    desk.click("#btn-close")
    cell = f"#board-rows tr[data-entry='{first}'] td.seg"
    expect(board.locator(cell).first).to_have_text("8,50", timeout=10_000)
    assert board.inner_text(f"#board-rows tr[data-entry='{first}'] td.total") == "8,50"

    # The situation segment: the tablet goes offline, the judge submits, then comes back.
    desk_open(desk, first, "situation")
    expect(tablet.locator("#segment-rules")).to_have_text("Điểm tối đa 15 · bước 0,1", timeout=10_000)
    tablet_ctx.set_offline(True)
    tablet.fill("#mark-input", "12,4")
    tablet.click("#submit-mark")
    expect(tablet.locator("#unsent")).to_have_text("Còn 1 điểm chưa gửi", timeout=5_000)
    assert tablet.is_visible("#unsent")
    tablet.wait_for_timeout(1500)
    assert count_marks(live, judge1_id, first, "situation") == (0, 0)
    tablet_ctx.set_offline(False)
    expect(tablet.locator("#mark-stored")).to_have_text("Đã lưu: 12,4 điểm", timeout=20_000)
    assert tablet.is_hidden("#unsent")
    # Reloading (a second chance to resend) changes nothing: the mark arrived exactly once.
    tablet.reload()
    tablet.wait_for_selector("#conn.online", timeout=10_000)
    tablet.wait_for_timeout(1000)
    assert count_marks(live, judge1_id, first, "situation") == (1, 1)
    assert re.fullmatch(r"Đã chấm 1/6", board.inner_text("#now-count"))

    for client in others:
        client.disconnect()
    for ctx in (tablet_ctx, board_ctx, desk_ctx):
        ctx.close()
