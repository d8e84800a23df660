"""The preliminary judges' pages (Ban Giám khảo vòng sơ khảo): the entries assigned to
them (never one of their own unit), the scoresheet per criterion, and the dossiers.

A request for an entry the judge may not score is refused by the service in Vietnamese
(403) and nothing is stored.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from contest_app.enums import Role
from contest_app.extensions import db
from contest_app.models import Entry
from contest_app.services.rounds import dossiers, preliminary
from contest_app.services.rounds.editions import get_edition, list_editions
from contest_app.services.errors import Conflict, NotFound, ValidationError
from contest_app.formatting import vn
from contest_app.views.helpers import roles_required

bp = Blueprint("prelim", __name__, url_prefix="/prelim")


@bp.before_request
@roles_required(Role.PRELIMINARY_JUDGE)
def _judges_only():
    """Preliminary judges only."""
    return None


def _entry(edition, entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None:
        raise NotFound(f"Không tìm thấy mô hình, sáng kiến có mã {entry_id}.", code="entry_not_found")
    preliminary.check_may_score(edition=edition, judge=current_user, entry=entry)
    return entry


@bp.get("/")
def home():
    """The editions in which this judge has entries to score."""
    mine = [(e, preliminary.entries_for_judge(edition=e, judge=current_user))
            for e in list_editions() if not e.figures_only]
    mine = [(e, entries) for e, entries in mine if entries]
    if len(mine) == 1:
        return redirect(url_for(".edition", edition_id=mine[0][0].id))
    return render_template("prelim/home.html", editions=mine)


@bp.get("/editions/<int:edition_id>")
def edition(edition_id: int):
    """The entries assigned to this judge with the totals they gave."""
    edition_ = get_edition(edition_id)
    entries = preliminary.entries_for_judge(edition=edition_, judge=current_user)
    criteria = preliminary.rubric(edition_)
    db.session.commit()
    totals = {}
    for e in entries:
        values = preliminary.judge_scores(judge=current_user, entry=e)
        totals[e.id] = sum(values.values()) if len(values) == len(criteria) else None
    return render_template("prelim/edition.html", edition=edition_, entries=entries, totals=totals,
                           closed=preliminary.is_closed(edition_))


@bp.route("/editions/<int:edition_id>/entries/<int:entry_id>", methods=["GET", "POST"])
def score(edition_id: int, entry_id: int):
    """The scoresheet of one entry: points per criterion."""
    edition_ = get_edition(edition_id)
    entry = _entry(edition_, entry_id)
    criteria = preliminary.rubric(edition_)
    form = FlaskForm()
    values = {c.id: v for c, v in ((c, preliminary.judge_scores(judge=current_user, entry=entry).get(c.id))
                                   for c in criteria)}
    error = None
    version = preliminary.sheet_version(judge=current_user, entry=entry)
    if form.validate_on_submit():
        submitted = {c.id: request.form.get(f"c{c.id}", "") for c in criteria}
        try:
            total = preliminary.record_scores(edition=edition_, judge=current_user, entry=entry, values=submitted,
                                              version=request.form.get("version") or None)
        except (ValidationError, Conflict) as exc:
            db.session.rollback()
            error = exc.message
            if exc.code != "stale_scoresheet":
                values = submitted
        else:
            db.session.commit()
            flash(f"Đã lưu điểm: tổng {vn(total)} điểm.", "success")
            return redirect(url_for(".edition", edition_id=edition_.id))
    db.session.commit()
    status = 400 if error else 200
    return render_template("prelim/score.html", edition=edition_, entry=entry, criteria=criteria, values=values,
                           form=form, error=error, closed=preliminary.is_closed(edition_), version=version), status


@bp.get("/editions/<int:edition_id>/entries/<int:entry_id>/dossier")
def dossier(edition_id: int, entry_id: int):
    """Download the dossier of an entry this judge scores."""
    edition_ = get_edition(edition_id)
    entry = _entry(edition_, entry_id)
    path = dossiers.dossier_file(entry)
    return send_file(path, as_attachment=True, download_name=entry.dossier_name or path.name)
