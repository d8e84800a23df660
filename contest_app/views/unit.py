"""The unit focal points' pages (cán bộ đầu mối): their unit's teams and entries, dossiers,
and the qualifying round. Organisers may open them too, for any unit (``?unit_id=``).

Every route that takes a team or entry id checks, through the registration service, that
the person may act for that entry's unit; anything else is refused in Vietnamese (403)
and nothing changes.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.fields.choices import SelectChoice
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from contest_app.enums import Role, RoundStatus
from contest_app.extensions import db
from contest_app.formatting import vn_moment
from contest_app.models import Edition, Team, Unit
from contest_app.services.rounds import dossiers, qualifying, registration
from contest_app.services.rounds.editions import get_edition, list_editions
from contest_app.services.errors import NotFound, PermissionDenied
from contest_app.views.helpers import roles_required, view_action
from contest_app.views.validators import DecimalText, column_length

bp = Blueprint("unit", __name__, url_prefix="/unit")


@bp.before_request
@roles_required(Role.FOCAL_POINT, Role.ORGANISER)
def _units_only():
    """Focal points and organisers only."""
    return None


class TeamForm(FlaskForm):
    name = StringField("Tên đội thi", validators=[DataRequired(message="Vui lòng nhập tên đội thi."),
                                                  column_length(Team.name, "Tên đội thi")])
    members = TextAreaField("Thành viên (mỗi dòng một người: Họ tên - Vai trò - Chức vụ)",
                            validators=[Length(max=5000, message="Danh sách thành viên dài tối đa 5000 ký tự.")])


class EntryForm(FlaskForm):
    title = StringField("Tên mô hình, sáng kiến",
                        validators=[Length(max=1000, message="Tên mô hình, sáng kiến dài tối đa 1000 ký tự.")])
    summary = TextAreaField("Tóm tắt", validators=[Length(max=10000, message="Tóm tắt dài tối đa 10000 ký tự.")])
    group = SelectField("Nhóm", coerce=int)
    team = SelectField("Đội thi", coerce=int)
    dossier = FileField("Hồ sơ (đề cương, thuyết minh): PDF hoặc DOCX")


class DossierForm(FlaskForm):
    dossier = FileField("Hồ sơ (PDF hoặc DOCX)")


class QualifyingForm(FlaskForm):
    decision = RadioField("Kết quả", choices=[SelectChoice("passed", "Đạt — gửi lên vòng sơ khảo cấp tỉnh"),
                                              SelectChoice("failed", "Không đạt")],
                          validators=[DataRequired(message="Vui lòng chọn kết quả.")])
    score = StringField("Điểm (không bắt buộc)", validators=[Optional(), DecimalText(
        minimum=0, maximum=100, places=2, message="Điểm vòng loại phải là một số từ 0 đến 100, tối đa 2 chữ số thập phân.")])
    note = TextAreaField("Ghi chú", validators=[Length(max=5000, message="Ghi chú dài tối đa 5000 ký tự.")])


def _unit_for_request() -> Unit:
    """The unit the page is about: the focal point's own, or ``?unit_id=`` for organisers."""
    if current_user.has_role(Role.ORGANISER):
        raw = request.values.get("unit_id", "")
        unit = db.session.get(Unit, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
        if unit is None:
            raise NotFound("Hãy chọn một đơn vị (tham số unit_id).", code="unit_required")
        return unit
    if current_user.unit_id is None:
        raise PermissionDenied("Tài khoản của bạn chưa được gắn với đơn vị nào.", code="no_unit")
    asked = request.values.get("unit_id", "")
    if asked and asked != str(current_user.unit_id):
        raise PermissionDenied(registration.OTHER_UNIT, code="other_unit")
    return db.session.get(Unit, current_user.unit_id)


def _open_edition(edition_id: int) -> Edition:
    edition = get_edition(edition_id)
    if edition.figures_only:
        raise NotFound("Kỳ thi này chỉ có số liệu tổng hợp.", code="figures_only")
    return edition


def _fill_entry_choices(form: EntryForm, edition: Edition, unit_id: int) -> None:
    form.group.choices = [SelectChoice(g.number, f"Nhóm {g.number}: {g.name}") for g in edition.thematic_groups]
    form.team.choices = [SelectChoice(0, "— Chưa chọn đội —")] + [
        SelectChoice(t.id, t.name) for t in registration.list_teams(edition=edition, unit_id=unit_id)]


def _store_upload(entry, field) -> None:
    upload = field.data
    if upload and getattr(upload, "filename", ""):
        dossiers.store_dossier(entry=entry, filename=upload.filename, data=upload.read(), actor=current_user)


@bp.get("/")
def home():
    """Go to the newest open edition."""
    editions = [e for e in list_editions() if not e.figures_only]
    if not editions:
        return render_template("unit/no_edition.html")
    args = {"unit_id": request.args["unit_id"]} if "unit_id" in request.args else {}
    return redirect(url_for(".edition", edition_id=editions[0].id, **args))


@bp.get("/editions/<int:edition_id>")
def edition(edition_id: int):
    """The unit's teams and entries in an edition, and the qualifying deadline."""
    edition_ = _open_edition(edition_id)
    unit = _unit_for_request()
    rnd = qualifying.qualifying_round(edition_)
    db.session.commit()
    return render_template(
        "unit/edition.html", edition=edition_, unit=unit, rnd=rnd,
        teams=registration.list_teams(edition=edition_, unit_id=unit.id),
        entries=registration.list_entries(edition=edition_, unit_id=unit.id),
        deadline_passed=qualifying.deadline_passed(edition_), format_local=vn_moment,
        unit_arg=unit.id if current_user.has_role(Role.ORGANISER) else None,
    )


@bp.route("/editions/<int:edition_id>/teams/new", methods=["GET", "POST"])
def new_team(edition_id: int):
    """Register a team of the unit."""
    edition_ = _open_edition(edition_id)
    unit = _unit_for_request()
    form = TeamForm()
    if form.validate_on_submit():
        with view_action() as action:
            team = registration.create_team(edition=edition_, unit=unit, name=form.name.data,
                                            members=registration.parse_members(form.members.data),
                                            actor=current_user)
            action.succeed(f"Đã đăng ký đội thi “{team.name}”.")
        if action.ok:
            return redirect(url_for(".team", team_id=team.id))
    return render_template("unit/team_form.html", form=form, edition=edition_, unit=unit, team=None)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def team(team_id: int):
    """A team of the unit: see and edit it."""
    team_ = registration.get_team_for(user=current_user, team_id=team_id)
    edition_ = db.session.get(Edition, team_.edition_id)
    form = TeamForm(obj=team_ if request.method == "GET" else None)
    if request.method == "GET":
        form.members.data = "\n".join(
            " - ".join(p for p in (m.full_name, m.role, m.position) if p) for m in team_.members)
    if form.validate_on_submit():
        with view_action() as action:
            registration.update_team(team=team_, name=form.name.data,
                                     members=registration.parse_members(form.members.data), actor=current_user)
            action.succeed("Đã lưu đội thi.")
        if action.ok:
            return redirect(url_for(".team", team_id=team_.id))
    return render_template("unit/team_form.html", form=form, edition=edition_, unit=team_.unit, team=team_)


@bp.route("/editions/<int:edition_id>/entries/new", methods=["GET", "POST"])
def new_entry(edition_id: int):
    """Register an entry of the unit, with its dossier."""
    edition_ = _open_edition(edition_id)
    unit = _unit_for_request()
    form = EntryForm()
    _fill_entry_choices(form, edition_, unit.id)
    if form.validate_on_submit():
        team_ = db.session.get(Team, form.team.data) if form.team.data else None
        with view_action() as action:
            entry = registration.create_entry(edition=edition_, unit=unit, title=form.title.data,
                                              summary=form.summary.data, group=form.group.data, team=team_,
                                              actor=current_user)
            _store_upload(entry, form.dossier)
            action.succeed(f"Đã đăng ký mô hình, sáng kiến “{entry.title}”.")
        if action.error:
            return render_template("unit/entry_form.html", form=form, edition=edition_, unit=unit, entry=None), action.error.status
        return redirect(url_for(".edition", edition_id=edition_.id,
                                **({"unit_id": unit.id} if current_user.has_role(Role.ORGANISER) else {})))
    return render_template("unit/entry_form.html", form=form, edition=edition_, unit=unit, entry=None)


@bp.route("/entries/<int:entry_id>", methods=["GET", "POST"])
def entry(entry_id: int):
    """An entry of the unit: see and edit it, replace its dossier."""
    entry_ = registration.get_entry_for(user=current_user, entry_id=entry_id)
    edition_ = db.session.get(Edition, entry_.edition_id)
    form = EntryForm()
    _fill_entry_choices(form, edition_, entry_.unit_id)
    if request.method == "GET":
        form.title.data = entry_.title
        form.summary.data = entry_.summary
        form.group.data = entry_.thematic_group.number if entry_.thematic_group else None
        form.team.data = entry_.team_id or 0
    if form.validate_on_submit():
        team_ = db.session.get(Team, form.team.data) if form.team.data else None
        with view_action() as action:
            registration.update_entry(entry=entry_, title=form.title.data, summary=form.summary.data,
                                      group=form.group.data, team=team_, actor=current_user)
            _store_upload(entry_, form.dossier)
            action.succeed("Đã lưu mô hình, sáng kiến.")
        if action.error:
            return redirect(url_for(".entry", entry_id=entry_id))
        return redirect(url_for(".entry", entry_id=entry_.id))
    qform = QualifyingForm(formdata=None, decision=entry_.qualifying_status
                           if entry_.qualifying_status in ("passed", "failed") else None,
                           score=entry_.qualifying_score, note=entry_.qualifying_note)
    return render_template("unit/entry_form.html", form=form, qform=qform, edition=edition_, unit=entry_.unit,
                           entry=entry_, deadline_passed=qualifying.deadline_passed(edition_))


@bp.post("/entries/<int:entry_id>/dossier")
def upload_dossier(entry_id: int):
    """Replace an entry's dossier."""
    entry_ = registration.get_entry_for(user=current_user, entry_id=entry_id)
    form = DossierForm()
    if not form.validate_on_submit() or not form.dossier.data:
        flash("Vui lòng chọn tệp hồ sơ.", "danger")
        return redirect(url_for(".entry", entry_id=entry_id))
    with view_action() as action:
        _store_upload(entry_, form.dossier)
        action.succeed("Đã tải lên hồ sơ.")
    return redirect(url_for(".entry", entry_id=entry_id))


@bp.get("/entries/<int:entry_id>/dossier")
def dossier(entry_id: int):
    """Download an entry's dossier (the unit's focal points and organisers only)."""
    entry_ = registration.get_entry_for(user=current_user, entry_id=entry_id)
    path = dossiers.dossier_file(entry_)
    return send_file(path, as_attachment=True, download_name=entry_.dossier_name or path.name,
                     mimetype="application/pdf" if path.suffix == ".pdf" else
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@bp.post("/entries/<int:entry_id>/qualifying")
def decide(entry_id: int):
    """Record the unit's qualifying decision for an entry."""
    entry_ = registration.get_entry_for(user=current_user, entry_id=entry_id)
    form = QualifyingForm()
    if not form.validate_on_submit():
        errors = [e for field in (form.decision, form.score, form.note) for e in field.errors]
        flash(errors[0] if errors else "Vui lòng chọn kết quả vòng loại.", "danger")
        return redirect(url_for(".entry", entry_id=entry_id))
    with view_action() as action:
        qualifying.record_decision(entry=entry_, passed=form.decision.data == RoundStatus.PASSED.value,
                                   score=form.score.data, note=form.note.data, actor=current_user)
        action.succeed(f"Đã ghi nhận kết quả vòng loại: {RoundStatus(entry_.qualifying_status).label}.")
    return redirect(url_for(".entry", entry_id=entry_id))

