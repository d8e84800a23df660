"""The judge consistency page in a real browser: at 1280 and 1920 px wide, each segment's
chart sits clear of every table (no overlap) and inside the page."""
from __future__ import annotations

import pytest

from contest_app.extensions import db
from tests.e2e.conftest import SECRET, free_port, start_server, stop_server

PASSWORD = "mat-khau-123"


@pytest.fixture
def marked_server(tmp_path):
    """A server on the 2019 demo with the six judges' marks and a secretariat account."""
    from contest_app.services.trust.accounts import create_user
    from contest_app.services.demo import load_demo
    from tests.conftest import build_app

    uri = f"sqlite:///{tmp_path / 'live.sqlite'}"
    app = build_app(uri, SECRET_KEY=SECRET)
    with app.app_context():
        db.create_all()
        load_demo(with_marks=True)
        create_user(username="thuky", role="secretariat", password=PASSWORD)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    proc = start_server(port, {"CONTEST_DATABASE_URL": uri})
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


def _overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.e2e
def test_chart_never_overlaps_the_tables(marked_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{marked_server}/auth/login?next=/secretariat/2019/consistency")
    page.fill("#username", "thuky")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/secretariat/2019/consistency")
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        blocks = page.locator("section.segment-block")
        assert blocks.count() == 3
        for i in range(3):
            block = blocks.nth(i)
            chart = block.locator("figure.chart-box").bounding_box()
            svg = block.locator("figure.chart-box svg").bounding_box()
            assert chart["width"] > 200 and svg["width"] > 200, (width, i, chart)
            for selector in ("table.judges", "table.teams"):
                table = block.locator(selector).bounding_box()
                assert not _overlap(chart, table), (width, i, selector, chart, table)
            # The chart stays inside its box and the page.
            assert svg["x"] >= chart["x"] - 0.5 and svg["x"] + svg["width"] <= chart["x"] + chart["width"] + 0.5
            assert chart["x"] + chart["width"] <= width
    page.close()
