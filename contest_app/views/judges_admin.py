"""The secretariat's (and organisers') pages for the final judges: adding, editing, seating and
removing them, login links and PINs, the printable QR sheet (on the hall's public address),
revoking and regenerating access, correcting a closed segment's mark, and the audit log."""
from __future__ import annotations

import base64
import io

import qrcode
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from contest_app.enums import Role
from contest_app.extensions import db
from contest_app.live import broadcast
from contest_app.models import Entry, Judge, LateMark
from contest_app.formatting import vn_decimal
from contest_app.services.errors import NotFound
from contest_app.services.final import final_judges, judge_access, live_state, publication
from contest_app.services.final.judging import correct_mark, marks_of, window_of
from contest_app.services.final.results import finalists
from contest_app.services.rounds.editions import LOOPBACK_WARNING, is_loopback
from contest_app.services.rounds.registration import list_units
from contest_app.services.trust.audit import list_events, record_event, verify_chain
from contest_app.views.board import public_url
from contest_app.views.control import default_edition
from contest_app.views.helpers import flash_form_errors, roles_required, view_action
from contest_app.views.validators import form_id, form_mark

bp = Blueprint("judges_admin", __name__, url_prefix="/secretariat")

MANAGERS = (Role.SECRETARIAT.value, Role.ORGANISER.value)

ACTION_LABELS = {
    "mark_corrected": "Sửa điểm",
    "judge_access_revoked": "Thu hồi mã đăng nhập giám khảo",
    "judge_access_regenerated": "Cấp mã đăng nhập mới cho giám khảo",
    "segment_reopened": "Mở lại phần thi đã đóng",
    "live_reset": "Đặt lại trạng thái trực tiếp",
    "judge.add": "Thêm giám khảo chung khảo",
    "judge.update": "Sửa thông tin giám khảo chung khảo",
    "judge.seat": "Đổi ghế giám khảo chung khảo",
    "judge.remove": "Xóa giám khảo chung khảo",
    "judges.qr_sheet": "In phiếu mã QR giám khảo",
}


class JudgeForm(FlaskForm):
    name = StringField("Họ và tên", validators=[DataRequired(message="Vui lòng nhập họ và tên giám khảo."),
                                                Length(max=200, message="Họ và tên dài quá 200 ký tự.")])
    title = StringField("Chức danh", validators=[Length(max=200, message="Chức danh dài quá 200 ký tự.")])
    unit_id = SelectField("Đơn vị công tác", coerce=int, default=0)
    seat = IntegerField("Ghế số (bỏ trống: xếp sau cùng)", validators=[
        Optional(), NumberRange(1, 99, message="Số ghế từ 1 đến 99.")])


def _unit_choices() -> list[SelectChoice]:
    return [SelectChoice(0, "— Không thuộc đơn vị dự thi —")] + [SelectChoice(u.id, u.name) for u in list_units()]


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
        {"judge": c.judge, "url": public_url("judge.token_login", edition=edition, token=c.token), "pin": c.pin,
         "version": c.version}
        for c in creds
    ]


def _loopback_warning(edition) -> str | None:
    address = public_url("judge.tablet", edition=edition)
    return LOOPBACK_WARNING.format(address=address) if is_loopback(address) else None


@bp.route("/judges", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def judges():
    """The final judges with their access state, and the form to add one."""
    edition = default_edition()
    form = JudgeForm()
    form.unit_id.choices = _unit_choices()
    status = 200
    if form.validate_on_submit():
        with view_action() as action:
            judge = final_judges.add_judge(edition=edition, name=form.name.data, title=form.title.data or "",
                                           unit_id=form.unit_id.data or None, seat=form.seat.data, actor=_actor())
            action.succeed(f"Đã thêm giám khảo {judge.name} (ghế {judge.seat}).")
        if action.ok:
            return redirect(url_for("judges_admin.judges", edition=edition.year))
        status = action.error.status
    elif request.method == "POST":
        status = 400
    links = _links(edition)
    desk = live_state.desk_state(edition)
    db.session.commit()
    presence = {j["id"]: j for j in desk["judges"]}
    edit_forms = {}
    for link in links:
        j = link["judge"]
        f = JudgeForm(prefix=f"j{j.id}", formdata=None, name=j.name, title=j.title, unit_id=j.unit_id or 0, seat=j.seat)
        f.unit_id.choices = form.unit_id.choices
        edit_forms[j.id] = f
    return render_template("judges_admin/judges.html", edition=edition, links=links, presence=presence, form=form,
                           edit_forms=edit_forms, loopback_warning=_loopback_warning(edition)), status


@bp.get("/judges/qr-sheet")
@roles_required(*MANAGERS)
def qr_sheet():
    """The A4 print-ready sheet: one QR code (personal login link) and PIN per judge."""
    edition = default_edition()
    links = _links(edition)
    if links:
        record_event(actor=_actor(), action="judges.qr_sheet", edition_id=edition.id, object_type="edition",
                     object_id=edition.id, after={"judges": [link["judge"].id for link in links],
                                                  "address": public_url("judge.tablet", edition=edition)})
    db.session.commit()
    for link in links:
        link["qr"] = qr_png_data_uri(link["url"])
    return render_template("judges_admin/qr_sheet.html", edition=edition, links=links,
                           loopback_warning=_loopback_warning(edition))


@bp.post("/judges/<int:judge_id>/edit")
@roles_required(*MANAGERS)
def edit_judge(judge_id: int):
    """Correct a final judge's name, title, unit, and seat (the judge on that seat swaps)."""
    judge = _judge(judge_id)
    form = JudgeForm(prefix=f"j{judge.id}")
    form.unit_id.choices = _unit_choices()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("judges_admin.judges", edition=judge.edition_id))
    with view_action() as action:
        final_judges.update_judge(judge=judge, name=form.name.data, title=form.title.data or "",
                                  unit_id=form.unit_id.data or None, actor=_actor())
        if form.seat.data and form.seat.data != judge.seat:
            final_judges.move_judge(judge=judge, seat=form.seat.data, actor=_actor())
        action.succeed(f"Đã cập nhật giám khảo {judge.name} (ghế {judge.seat}).")
    return redirect(url_for("judges_admin.judges", edition=judge.edition_id))


@bp.post("/judges/<int:judge_id>/delete")
@roles_required(*MANAGERS)
def delete_judge(judge_id: int):
    """Remove a final judge who has not marked."""
    judge = _judge(judge_id)
    edition_id, name = judge.edition_id, judge.name
    judge_id = judge.id
    with view_action(f"Đã xóa giám khảo {name}.") as action:
        final_judges.remove_judge(judge=judge, actor=_actor())
    if action.ok:
        broadcast.judge_revoked(judge_id)  # a removed judge's tablet is signed out at once
    return redirect(url_for("judges_admin.judges", edition=edition_id))


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
