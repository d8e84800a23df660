"""Public pages: the list of editions and the results of a final."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory

from contest_app.services.rounds.editions import get_edition, list_editions
from contest_app.services.final.results import compute_results

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """List the editions."""
    return render_template("main/index.html", editions=list_editions())


@bp.get("/favicon.ico")
def favicon():
    """The site's icon, where every browser asks for it first."""
    response = send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                                   max_age=86400)
    return response


@bp.get("/editions/<ref>/results")
def results(ref: str):
    """Show the results table of an edition's final (``ref`` is its id or its year)."""
    edition = get_edition(ref)
    results = compute_results(edition) if not edition.figures_only else None
    return render_template("main/results.html", edition=edition, results=results)
