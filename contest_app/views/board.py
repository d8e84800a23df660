"""The public live board: projector and phone page, livestream overlay, snapshot JSON, QR code."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, jsonify, render_template, request, url_for

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
