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
from contest_app.services.final.results import compute_results
from contest_app.services.rounds.editions import get_edition, list_editions
from contest_app.services.trust.audit import list_events, verify_chain
from contest_app.services.final.lock import (
    export_results,
    is_locked,
    local_time,
    lock_final,
    lock_problems,
    lock_record,
)
from contest_app.services.trust.ratelimit import init_rate_limits
from contest_app.views.helpers import roles_required, view_action

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
                action.succeed(f"Đã khóa kết quả {edition.title}. Dấu vân tay: {record.after['fingerprint']}.")
            if action.ok:
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
            can_lock=current_user.has_role(Role.SECRETARIAT),
            local_time=local_time,
        ),
        status,
    )


@bp.get("/audit")
@roles_required(*VIEWERS)
def audit():
    """The newest audit records and whether the hash chain holds."""
    edition_id = request.args.get("edition", type=int)
    return render_template(
        "trust/audit.html",
        events=list_events(edition_id=edition_id, limit=300),
        problems=verify_chain(),
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
    body = json.dumps(export_results(edition), ensure_ascii=False, indent=2, sort_keys=True)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="ket-qua-{edition.year}.json"'
    return response


def init_app(app: Flask) -> None:
    """Register the trust blueprints and the rate limits on sign-in and PIN forms."""
    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    init_rate_limits(app)
