"""The public board: page, overlay, snapshot JSON, QR code."""
from __future__ import annotations

import pytest

from contest_app.extensions import db


@pytest.fixture
def final(app):
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=True)
    db.session.commit()
    return edition


def test_board_page_public_no_inline_script(client, final):
    page = client.get("/board/2019").get_data(as_text=True)
    assert "Bảng điểm trực tiếp · Lần thứ 4 - năm 2019" in page
    assert "/board/2019/qr.svg" in page and "js/board.js" in page
    assert "<script>" not in page and "style=" not in page


def test_overlay_transparent_without_qr(client, final):
    page = client.get("/board/2019/overlay").get_data(as_text=True)
    assert 'class="board-body overlay"' in page
    assert "qr.svg" not in page


def test_snapshot_json_numbered_and_masked_until_revealed(client, final):
    from contest_app.services.final import live_state

    live_state.reset_live(edition=final, actor="tập dượt")  # marks kept, nothing published
    live_state.refresh_board(final)
    db.session.commit()
    data = client.get("/board/2019/snapshot.json").get_json()
    assert data["ok"] is True and data["seq"] == 1
    snap = data["snapshot"]
    rows = snap["rows"]
    assert len(rows) == 12
    # Marks exist but no segment was published: no score, no total, no rank; drawn order.
    assert {c["status"] for r in rows.values() for c in r["cells"].values()} == {"waiting"}
    assert {(r["total"], r["rank"], r["tied"], r["prize"]) for r in rows.values()} == {(None, None, False, None)}
    assert [rows[str(e)]["order"] for e in snap["order"]] == list(range(1, 13))


def test_snapshot_after_reveals_shows_compute_results(client, final):
    from contest_app.services.final import live_state
    from contest_app.services.final.results import finalists

    for entry in finalists(final):
        for segment in final.segments:
            live_state.reveal_segment(edition=final, entry=entry, segment=segment)
    live_state.reveal_prizes(edition=final)
    live_state.refresh_board(final, publish=True)
    db.session.commit()
    snap = client.get("/board/2019/snapshot.json").get_json()["snapshot"]
    first = snap["rows"][str(snap["order"][0])]
    assert (first["team"], first["rank"], first["total"], first["prize"]) == ("Sở Nội vụ", 1, "88,50", "Giải Nhất")
    assert {k: c["score"] for k, c in first["cells"].items()} == {
        "knowledge": "8,50", "situation": "12,40", "presentation": "67,60"}
    assert len(snap["awards"]) == 5


def test_qr_svg_opens_board(client, final):
    response = client.get("/board/2019/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<?xml")


def test_unknown_edition_404_in_vietnamese(client, final):
    response = client.get("/board/1999")
    assert response.status_code == 404
    assert "Không tìm thấy kỳ thi" in response.get_data(as_text=True)
