"""Trust pages: locking an edition's result, the audit trail, and the fingerprinted export.

``bp`` (under /secretariat/trust) is for the secretariat (the organisers may look);
``public_bp`` serves the results export that anyone may check against the lock.
``init_app`` registers both and the sign-in rate limits: one line in register_blueprints.
"""
from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from contest_app.enums import Role
from contest_app.extensions import db
from contest_app.live import broadcast
from contest_app.services.final import publication
from contest_app.services.final.results import compute_results
from contest_app.services.rounds.editions import get_edition, list_editions
from contest_app.services.trust.audit import list_events, verify_chain, verify_marks
from contest_app.services.final.lock import (
    countersign_lock,
    export_results,
    is_locked,
    local_time,
    lock_final,
    lock_problems,
    lock_record,
    panel_decisions,
    record_panel_decision,
    unlock_final,
    unlock_record,
)
from contest_app.services.trust.ratelimit import init_rate_limits
from contest_app.views.helpers import roles_required, view_action
from contest_app.views.main import sees_provisional

bp = Blueprint("trust", __name__, url_prefix="/secretariat/trust")
public_bp = Blueprint("trust_public", __name__)

VIEWERS = (Role.SECRETARIAT, Role.ORGANISER)


class LockForm(FlaskForm):
    confirm = BooleanField(
        "Tôi đã đối chiếu bảng điểm và xác nhận khóa kết quả. Sau khi khóa, không ai có thể thay đổi điểm.",
        validators=[DataRequired(message="Vui lòng đánh dấu ô xác nhận trước khi khóa kết quả.")],
    )
    reason = TextAreaField(
        "Ghi chú (không bắt buộc)",
        validators=[Length(max=1000, message="Ghi chú không được dài quá 1000 ký tự.")],
    )


@bp.get("/")
@roles_required(*VIEWERS)
def index():
    """List the editions with their lock state, and the state of the audit chain."""
    editions = [e for e in list_editions() if not e.figures_only]
    problems = verify_chain()
    return render_template("trust/index.html", editions=editions, problems=problems, local_time=local_time)


@bp.route("/editions/<ref>/lock", methods=["GET", "POST"])
@roles_required(*VIEWERS)
def lock(ref: str):
    """Show the results' fingerprint and, for the secretariat, lock them after confirmation."""
    edition = get_edition(ref)
    form = LockForm()
    if request.method == "POST":
        if not current_user.has_role(Role.SECRETARIAT):
            return render_template("errors/403.html", message="Chỉ Ban Thư ký được khóa kết quả kỳ thi."), 403
        if form.validate_on_submit():
            with view_action() as action:
                record = lock_final(edition=edition, actor=current_user, reason=(form.reason.data or "").strip())
                change = publication.results_changed(edition)  # a locked result is public as a whole
                action.succeed(f"Đã khóa kết quả {edition.title}. Dấu vân tay: {record.after['fingerprint']}. "
                               "Chờ Ban Tổ chức ký xác nhận.")
            if action.ok:
                broadcast.results_changed(change)
                db.session.rollback()
                return redirect(url_for("trust.lock", ref=edition.id))
            status = action.error.status
        else:
            status = 400
    else:
        status = 200
    results = None if edition.figures_only else compute_results(edition)
    return (
        render_template(
            "trust/lock.html",
            edition=edition,
            form=form,
            results=results,
            fingerprint=results.fingerprint() if results else None,
            problems=[] if is_locked(edition) else lock_problems(edition, results),
            record=lock_record(edition) if is_locked(edition) else None,
            unlocked=unlock_record(edition),
            decisions=panel_decisions(edition),
            can_lock=current_user.has_role(Role.SECRETARIAT),
            can_countersign=current_user.has_role(Role.ORGANISER),
            local_time=local_time,
        ),
        status,
    )


def _act(ref: str, action, done: str):
    """Run a lock-page action through the view pattern and the one "results changed" path."""
    edition = get_edition(ref)
    with view_action() as outcome:
        action(edition)
        change = publication.results_changed(edition)
        outcome.succeed(done)
    if outcome.ok:
        broadcast.results_changed(change)
        db.session.rollback()
    return redirect(url_for("trust.lock", ref=edition.id))


@bp.post("/editions/<ref>/countersign")
@roles_required(Role.ORGANISER)
def countersign(ref: str):
    """The organiser's second signature on the locked result."""
    return _act(ref, lambda e: countersign_lock(edition=e, actor=current_user),
                "Đã ký xác nhận kết quả đã khóa.")


@bp.post("/editions/<ref>/unlock")
@roles_required(*VIEWERS)
def unlock(ref: str):
    """Unlock the result with a written reason (audited; the locked fingerprint becomes void)."""
    return _act(ref, lambda e: unlock_final(edition=e, actor=current_user, reason=request.form.get("reason", "")),
                "Đã mở khóa kết quả; dấu vân tay đã khóa không còn giá trị.")


@bp.post("/editions/<ref>/panel")
@roles_required(*VIEWERS)
def panel(ref: str):
    """Record that a segment's panel is smaller (a judge absent), with a reason."""
    raw_entry = request.form.get("entry_id", "")
    return _act(ref, lambda e: record_panel_decision(
        edition=e, segment_key=request.form.get("segment_key", ""),
        entry_id=int(raw_entry) if raw_entry.isascii() and raw_entry.isdigit() and len(raw_entry) <= 18 else None,
        panel_size=request.form.get("panel_size"), reason=request.form.get("reason", ""), actor=current_user),
        "Đã ghi nhận quyết định về số giám khảo.")


@bp.get("/audit")
@roles_required(*VIEWERS)
def audit():
    """The newest audit records and whether the hash chain holds."""
    edition_id = request.args.get("edition", type=int)
    return render_template(
        "trust/audit.html",
        events=list_events(edition_id=edition_id, limit=300),
        problems=verify_chain() + verify_marks(),
        local_time=local_time,
        show_json=lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True),
    )


@public_bp.get("/editions/<ref>/results.json")
def results_json(ref: str):
    """The results as JSON with their SHA-256 fingerprint and, once locked, the lock record."""
    edition = get_edition(ref)
    if edition.figures_only:
        return Response(
            json.dumps({"ok": False, "code": "figures_only", "message": "Kỳ thi này chỉ có số liệu tổng hợp."}, ensure_ascii=False),
            status=404,
            mimetype="application/json",
        )
    from contest_app.views.main import results_for_viewer

    data, _ = results_for_viewer(edition)  # only what is published (insiders: provisional values)
    published = data["published"]
    if is_locked(edition) or sees_provisional() or (published["all_scores"] and published["prizes"]):
        data = {**export_results(edition), "published": published}  # the whole result, fingerprinted
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="ket-qua-{edition.year}.json"'
    return response


def init_app(app: Flask) -> None:
    """Register the trust blueprints and the rate limits on sign-in and PIN forms."""
    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    init_rate_limits(app)
