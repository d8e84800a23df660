"""The control desk (/control): stage, open/close marking, reveals, judges × teams grid.

The page only renders; every action goes through the Socket.IO namespace /control.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from contest_app.enums import Role
from contest_app.extensions import db
from contest_app.models import Edition
from contest_app.services.rounds.editions import get_edition
from contest_app.services.errors import NotFound
from contest_app.views.helpers import roles_required

bp = Blueprint("control", __name__)


def default_edition() -> Edition:
    """The edition named by ``?edition=``, else the newest edition that has a final to run."""
    ref = request.args.get("edition")
    if ref:
        return get_edition(ref)
    edition = db.session.scalar(
        select(Edition).where(Edition.figures_only.is_(False)).order_by(Edition.year.desc()).limit(1)
    )
    if edition is None:
        raise NotFound("Chưa có kỳ thi nào để điều khiển.")
    return edition


@bp.get("/control")
@roles_required(Role.CONTROL.value, Role.SECRETARIAT.value, Role.ORGANISER.value)
def desk():
    """The desk page."""
    edition = default_edition()
    return render_template("control/desk.html", edition=edition)
