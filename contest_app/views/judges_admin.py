"""The secretariat's pages for the final judges: login links and PINs, the printable QR sheet,
revoking and regenerating access, correcting a closed segment's mark, and the audit log."""
from __future__ import annotations

import base64
import io

import qrcode
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from contest_app.enums import Role
from contest_app.extensions import db
from contest_app.live import broadcast
from contest_app.models import Entry, Judge, LateMark
from contest_app.formatting import vn_decimal
from contest_app.services.errors import NotFound
from contest_app.services.final import judge_access, live_state, publication
from contest_app.services.final.judging import correct_mark, marks_of, window_of
from contest_app.services.final.results import finalists
from contest_app.services.trust.audit import list_events, verify_chain
from contest_app.views.board import public_url
from contest_app.views.control import default_edition
from contest_app.views.helpers import roles_required, view_action
from contest_app.views.validators import form_id, form_mark

bp = Blueprint("judges_admin", __name__, url_prefix="/secretariat")

MANAGERS = (Role.SECRETARIAT.value, Role.ORGANISER.value)

ACTION_LABELS = {
    "mark_corrected": "Sửa điểm",
    "judge_access_revoked": "Thu hồi mã đăng nhập giám khảo",
    "judge_access_regenerated": "Cấp mã đăng nhập mới cho giám khảo",
    "segment_reopened": "Mở lại phần thi đã đóng",
    "live_reset": "Đặt lại trạng thái trực tiếp",
}


def _actor() -> str:
    return f"{current_user.display_name} ({current_user.username})"


def qr_png_data_uri(text: str) -> str:
    """A QR code as a PNG data URI (qrcode + pillow)."""
    image = qrcode.make(text, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _links(edition):
    creds = judge_access.edition_credentials(edition)
    return [
        {"judge": c.judge, "url": public_url("judge.token_login", token=c.token), "pin": c.pin, "version": c.version}
        for c in creds
    ]


@bp.get("/judges")
@roles_required(*MANAGERS)
def judges():
    """The final judges with their access state."""
    edition = default_edition()
    links = _links(edition)
    desk = live_state.desk_state(edition)
    db.session.commit()
    presence = {j["id"]: j for j in desk["judges"]}
    return render_template("judges_admin/judges.html", edition=edition, links=links, presence=presence)


@bp.get("/judges/qr-sheet")
@roles_required(*MANAGERS)
def qr_sheet():
    """The A4 print-ready sheet: one QR code (personal login link) and PIN per judge."""
    edition = default_edition()
    links = _links(edition)
    db.session.commit()
    for link in links:
        link["qr"] = qr_png_data_uri(link["url"])
    return render_template("judges_admin/qr_sheet.html", edition=edition, links=links)


def _judge(judge_id: int) -> Judge:
    judge = db.session.get(Judge, judge_id)
    if judge is None:
        raise NotFound("Không tìm thấy giám khảo.", code="judge_not_found")
    return judge


@bp.post("/judges/<int:judge_id>/revoke")
@roles_required(*MANAGERS)
def revoke(judge_id: int):
    """Revoke a judge's link, PIN and tablet session."""
    judge = _judge(judge_id)
    judge_access.revoke(judge=judge, actor=_actor())
    db.session.commit()
    broadcast.judge_revoked(judge.id)
    flash(f"Đã thu hồi mã đăng nhập của {judge.name}.", "success")
    return redirect(url_for("judges_admin.judges", edition=judge.edition_id))


@bp.post("/judges/<int:judge_id>/regenerate")
@roles_required(*MANAGERS)
def regenerate(judge_id: int):
    """Issue a new link and PIN for a judge (the old ones stop working)."""
    judge = _judge(judge_id)
    judge_access.regenerate(judge=judge, actor=_actor())
    db.session.commit()
    broadcast.judge_revoked(judge.id)
    flash(f"Đã cấp mã đăng nhập mới cho {judge.name}. Hãy in lại phiếu mã QR.", "success")
    return redirect(url_for("judges_admin.judges", edition=judge.edition_id))


@bp.route("/marks", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT.value)
def marks():
    """Every mark of the final, and the form to correct one after its segment is closed."""
    edition = default_edition()
    if request.method == "POST":
        with view_action() as action:
            judge = _judge(form_id(request.form.get("judge_id")))
            entry = db.session.get(Entry, form_id(request.form.get("entry_id")))
            if entry is None:
                raise NotFound("Không tìm thấy đội thi.")
            segment = live_state.get_segment(edition, request.form.get("segment_key"))
            correct_mark(actor=current_user, judge=judge, entry=entry, segment=segment,
                         value=form_mark(request.form.get("value")), reason=request.form.get("reason", ""))
            change = publication.results_changed(edition, touched=(window_of(entry, segment),))
            action.succeed("Đã sửa điểm và ghi vào nhật ký.")
        if action.error:
            return redirect(url_for("judges_admin.marks", edition=edition.year))
        broadcast.results_changed(change)
        db.session.rollback()
        return redirect(url_for("judges_admin.marks", edition=edition.year))
    judges = judge_access.final_judges(edition)
    entries = finalists(edition)
    segments = sorted(edition.segments, key=lambda s: s.order)
    table = {(m.entry_id, m.segment_id, m.judge_id): vn_decimal(m.value) for m in marks_of(edition)}
    late = [live_state.late_mark_info(m) for m in live_state.late_marks(edition)]
    return render_template("judges_admin/marks.html", edition=edition, judges=judges, entries=entries,
                           segments=segments, table=table, late=late)


@bp.post("/marks/late/<int:late_id>")
@roles_required(Role.SECRETARIAT.value)
def late_mark(late_id: int):
    """Accept a late mark (it becomes the judge's mark) or reject it with a reason; audited."""
    edition = default_edition()
    actor = f"{current_user.display_name} ({current_user.username})"
    with view_action() as action:
        if request.form.get("decision") == "accept":
            _late, window = live_state.accept_late_mark(edition=edition, late_mark_id=late_id, actor=actor)
            action.succeed("Đã nhận điểm nộp muộn và ghi vào nhật ký.")
        else:
            live_state.reject_late_mark(edition=edition, late_mark_id=late_id, actor=actor,
                                        reason=request.form.get("reason", ""))
            window = None
            action.succeed("Đã ghi lý do không nhận điểm nộp muộn.")
        info = live_state.late_mark_info(db.session.get(LateMark, late_id))
        change = publication.results_changed(edition, touched=(window,))
    if action.ok:
        broadcast.results_changed(change)
        broadcast.mark_status(info["judge_id"], info)
        db.session.rollback()
    return redirect(url_for("judges_admin.marks", edition=edition.year))


@bp.get("/audit")
@roles_required(Role.SECRETARIAT.value, Role.ORGANISER.value)
def audit():
    """The audit log of the edition, newest first, with the chain's check."""
    edition = default_edition()
    events = list_events(edition_id=edition.id)
    problems = verify_chain()
    return render_template("judges_admin/audit.html", edition=edition, events=events, problems=problems,
                           labels=ACTION_LABELS)
