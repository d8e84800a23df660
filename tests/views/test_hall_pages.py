"""The hall's pages over HTTP: the favicon, the broadcast graphics, the desk's run screen."""
from __future__ import annotations

import re

from contest_app.extensions import db


def test_favicon_served_where_browsers_ask(client):
    response = client.get("/favicon.ico")
    data = response.data
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert len(data) > 1000


def test_every_page_links_the_favicon(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert '<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48 64x64">' in page


def _demo(app):
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=False)
    db.session.commit()
    return edition


def test_graphic_pages_carry_their_parameters(app, client):
    _demo(app)
    page = client.get("/board/2019/graphics/lower-third?side=right&safe=1").get_data(as_text=True)
    assert 'class="graphic-body graphic-lower-third show-safe"' in page
    assert 'data-side="right"' in page
    assert '<section class="lower-third side-right" id="lower-third" hidden>' in page
    bug = client.get("/board/2019/graphics/score-bug?seconds=0").get_data(as_text=True)
    assert 'data-seconds="0"' in bug
    standings = client.get("/board/2019/graphics/standings?top=5").get_data(as_text=True)
    assert 'data-top="5"' in standings
    assert "<title>Bảng xếp hạng toàn khung hình · Lần thứ 4 - năm 2019</title>" in standings


def test_graphic_parameters_out_of_range_fall_back_to_defaults(app, client):
    _demo(app)
    page = client.get("/board/2019/graphics/standings?top=99&seconds=abc&safe=yes").get_data(as_text=True)
    assert 'data-top="20"' in page
    assert 'data-seconds="15"' in page
    assert "show-safe" not in page
    assert 'data-side="left"' in page


def test_unknown_graphic_or_edition_not_found(app, client):
    _demo(app)
    assert client.get("/board/2019/graphics/credits").status_code == 404
    assert client.get("/board/1999/graphics/lower-third").status_code == 404


def test_desk_page_has_run_and_grid_tabs(app, client, make_user, login):
    _demo(app)
    make_user("dieukhien", role="control")
    login("dieukhien")
    page = client.get("/control?edition=2019").get_data(as_text=True)
    assert re.search(r'id="panel-run" role="tabpanel"[^>]*>', page)
    assert re.search(r'id="panel-grid" role="tabpanel" aria-labelledby="tab-grid" hidden>', page)
    assert '<button type="button" class="btn primary desk-primary" id="btn-primary" disabled>Đang tải…</button>' in page
    assert page.index('id="desk-grid"') > page.index('id="panel-grid"')
