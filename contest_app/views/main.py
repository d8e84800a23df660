"""Public pages: the list of editions and the results of a final."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, g, render_template
from flask_login import current_user

from contest_app.enums import Role
from contest_app.services.final.publication import public_results
from contest_app.services.final.results import compute_results
from contest_app.services.rounds.editions import get_edition, list_editions

bp = Blueprint("main", __name__)

#: Who sees the provisional results ("tạm tính") instead of what is published.
INSIDERS = (Role.SECRETARIAT.value, Role.ORGANISER.value, Role.CONTROL.value)


def sees_provisional() -> bool:
    # Load the user of this request: an app context shared with sockets (tests, some servers)
    # must not carry another connection's user here.
    g.pop("_login_user", None)
    return bool(current_user and current_user.is_authenticated and current_user.has_role(*INSIDERS))


def results_for_viewer(edition) -> tuple[dict, bool]:
    """The results as this viewer may read them, and whether they are provisional values."""
    results = compute_results(edition)
    if sees_provisional():
        data = results.to_dict()
        public = public_results(edition, results)
        data["published"] = public["published"]
        provisional = not (public["published"]["all_scores"] and public["published"]["prizes"])
        return data, provisional
    return public_results(edition, results), False


@bp.get("/")
def index():
    """List the editions."""
    return render_template("main/index.html", editions=list_editions())


@bp.get("/favicon.ico")
def favicon():
    """The site's icon, where every browser asks for it first."""
    # Bytes, not an open file: a response nobody reads (a HEAD, a test client) leaves no file handle open.
    data = (Path(current_app.static_folder) / "favicon.ico").read_bytes()
    response = current_app.response_class(data, mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/editions/<ref>/results")
def results(ref: str):
    """Show the results of an edition's final (``ref`` is its id or its year): what is published,
    or the provisional values for the organisers, the secretariat and the desk."""
    edition = get_edition(ref)
    table, provisional = (None, False) if edition.figures_only else results_for_viewer(edition)
    return render_template("main/results.html", edition=edition, table=table, provisional=provisional)
