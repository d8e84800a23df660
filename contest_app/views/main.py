"""Public pages: the list of editions and the results of a final."""
from __future__ import annotations

from flask import Blueprint, render_template

from contest_app.services.rounds.editions import get_edition, list_editions
from contest_app.services.final.results import compute_results

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """List the editions."""
    return render_template("main/index.html", editions=list_editions())


@bp.get("/editions/<ref>/results")
def results(ref: str):
    """Show the results table of an edition's final (``ref`` is its id or its year)."""
    edition = get_edition(ref)
    results = compute_results(edition) if not edition.figures_only else None
    return render_template("main/results.html", edition=edition, results=results)
