"""The public live board: projector and phone page, livestream overlay, snapshot JSON, QR code."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from contest_app.extensions import db
from contest_app.services.final import live_state
from contest_app.services.rounds.editions import LOOPBACK_WARNING, get_edition, is_loopback, public_base

bp = Blueprint("board", __name__)


def public_url(endpoint: str, *, edition=None, **values) -> str:
    """An absolute URL as the audience reaches it: the edition's public address, else
    CONTEST_PUBLIC_URL, else the address this request came to."""
    base = public_base(edition) or request.url_root
    return base.rstrip("/") + url_for(endpoint, **values)


@bp.get("/board/<ref>")
def board(ref: str):
    """The live board (16:9 projector, responsive on a phone)."""
    edition = get_edition(ref)
    board_url = public_url("board.board", edition=edition, ref=edition.year)
    warning = LOOPBACK_WARNING.format(address=board_url) if is_loopback(board_url) else None
    return render_template("board/board.html", edition=edition, overlay=False, board_url=board_url,
                           loopback_warning=warning)


@bp.get("/board/<ref>/overlay")
def overlay(ref: str):
    """The board on a transparent background, for a livestream overlay."""
    edition = get_edition(ref)
    return render_template("board/board.html", edition=edition, overlay=True, board_url="")


#: The broadcast graphics (docs/broadcast.md): the page's name in the URL -> its title.
GRAPHICS = {
    "lower-third": "Tên đội đang thi (lower third)",
    "score-bug": "Điểm vừa công bố (score bug)",
    "standings": "Bảng xếp hạng toàn khung hình",
}


@bp.get("/board/<ref>/graphics/<kind>")
def graphic(ref: str, kind: str):
    """A broadcast graphic for OBS or vMix: transparent, inside the 90% title-safe area.

    Parameters (all optional): ``safe=1`` draws the title-safe frame for setting up the
    mixer; ``seconds`` (score bug) how long a new score stays, 0 for always (default 15);
    ``top`` (standings) how many teams, 1–20 (default all); ``side=right`` (lower third).
    """
    edition = get_edition(ref)
    if kind not in GRAPHICS:
        abort(404)
    seconds = request.args.get("seconds", "15")
    top = request.args.get("top", "")
    return render_template(
        "board/graphic.html", edition=edition, kind=kind, title=GRAPHICS[kind],
        safe=request.args.get("safe") == "1",
        seconds=int(seconds) if seconds.isdigit() and int(seconds) <= 3600 else 15,
        top=int(top) if top.isdigit() and 1 <= int(top) <= 20 else 20,
        side="right" if request.args.get("side") == "right" else "left",
    )


@bp.get("/board/<ref>/snapshot.json")
def snapshot(ref: str):
    """The whole board at its current sequence number (a board that saw a gap fetches this)."""
    edition = get_edition(ref)
    data = live_state.board_snapshot(edition)
    db.session.rollback()
    response = jsonify({"ok": True, "edition_id": edition.id, "seq": data["seq"], "snapshot": data})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/board/<ref>/qr.svg")
def qr(ref: str):
    """A QR code (SVG, made on the server) that opens the board on a phone."""
    edition = get_edition(ref)
    image = qrcode.make(public_url("board.board", edition=edition, ref=edition.year), image_factory=qrcode.image.svg.SvgPathImage,
                        box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    return Response(out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=300"})
