"""Screenshots of the tablet, the desk and the board (projector and phone) for the README.

The final is replayed through the services up to the tenth team's situation segment,
four judges in. The pictures go to a temporary folder; with CONTEST_UPDATE_SCREENSHOTS=1
they replace those of docs/screenshots/ (the README's).
"""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contest_app import demo_data as data
from contest_app.extensions import db
from tests.e2e.test_live_final import open_desk

pytestmark = pytest.mark.e2e

README_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def replay_until_team_ten(live):
    """Teams 1–9 fully marked and revealed; team 10: knowledge done, situation open with 4/6 marks."""
    from contest_app.models import Edition
    from contest_app.services.final import live_state
    from contest_app.services.trust.accounts import create_user
    from contest_app.services.demo import demo_marks
    from contest_app.services.final.judge_access import edition_credentials
    from contest_app.services.final.judging import record_mark
    from contest_app.services.final.results import finalists

    with live.app.app_context():
        edition = db.session.get(Edition, live.edition_id)
        creds = edition_credentials(edition)
        judges = [c.judge for c in creds]
        entries = finalists(edition)
        n = 0
        for t, (_u, _team, _title, _g, k, s, p, _total) in enumerate(data.FINALISTS_2019[:10]):
            for j, (key, published) in enumerate((("knowledge", k), ("situation", s), ("presentation", p))):
                if t == 9 and key == "presentation":
                    break
                seg = live_state.get_segment(edition, key)
                live_state.open_segment(edition=edition, entry=entries[t], segment=seg, actor="ảnh chụp")
                marks = demo_marks(Decimal(published), seg.max_score, seg.mark_step, rotation=t + j)
                limit = 4 if (t == 9 and key == "situation") else 6
                for judge, value in list(zip(judges, marks, strict=True))[:limit]:
                    n += 1
                    record_mark(judge_id=judge.id, entry_id=entries[t].id, segment_key=seg.key, value=value, idempotency_key=f"shot-{n:06d}")
                if limit == 6:
                    live_state.close_segment(edition=edition)
                live_state.refresh_board(edition)
        create_user(username="dieukhien", role="control", password="mat-khau-123", display_name="Bàn điều khiển")
        token = creds[5].token
        db.session.commit()
        db.session.remove()
    return token


def test_live_screenshots(live_server, browser, tmp_path):
    live = live_server
    OUT = README_SHOTS if os.environ.get("CONTEST_UPDATE_SCREENSHOTS") == "1" else tmp_path
    token = replay_until_team_ten(live)
    OUT.mkdir(parents=True, exist_ok=True)

    board_ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    board = board_ctx.new_page()
    board.goto(f"{live.url}/board/2019")
    expect(board.locator("#now-count")).to_have_text("Đã chấm 4/6", timeout=10_000)
    board.wait_for_timeout(300)
    board.screenshot(path=str(OUT / "board-projector.png"))

    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                    has_touch=True)
    phone = phone_ctx.new_page()
    phone.goto(f"{live.url}/board/2019")
    expect(phone.locator("#now-count")).to_have_text("Đã chấm 4/6", timeout=10_000)
    phone.screenshot(path=str(OUT / "board-phone.png"), full_page=True)

    tablet_ctx = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True)
    tablet = tablet_ctx.new_page()
    tablet.goto(f"{live.url}/j/{token}")
    expect(tablet.locator("#segment-rules")).to_have_text("Điểm tối đa 15 · bước 0,1", timeout=10_000)
    tablet.fill("#mark-input", "10,4")
    tablet.screenshot(path=str(OUT / "judge.png"))

    desk_ctx, desk = open_desk(browser, live)
    expect(desk.locator("#desk-open")).not_to_have_text("—", timeout=10_000)
    desk.screenshot(path=str(OUT / "control.png"), full_page=True)

    for ctx in (board_ctx, phone_ctx, tablet_ctx, desk_ctx):
        ctx.close()
    for name in ("judge", "control", "board-projector", "board-phone"):
        assert (OUT / f"{name}.png").stat().st_size > 10_000
