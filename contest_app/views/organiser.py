"""The organisers' pages (Ban Tổ chức): units directory, clusters, accounts and roles,
edition settings, teams and entries, Excel import, the qualifying deadline, the
preliminary rubric, judges, closing and publishing, duplicates, figures per round.

Views are thin: they read the form, call a service, commit once, and redirect.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from contest_app.enums import Aggregation, Block, RevealMode, Role, RoundStatus, SideAwardMethod
from contest_app.extensions import db
from contest_app.live import broadcast
from contest_app.formatting import vn_moment
from contest_app.models import Cluster, Edition, Entry, PreliminaryAssignment, Unit, User
from contest_app.services.demo import ensure_units
from contest_app.reports.csvfile import check_form, csv_bytes
from contest_app.reports.excel import SCORE_FORMAT, table_workbook
from contest_app.services.errors import NotFound, ValidationError
from contest_app.services.final import bank_choice
from contest_app.services.final.publication import results_changed
from contest_app.services.final.setup_checklist import checklist as build_checklist
from contest_app.services.trust.inputs import require_decimal
from contest_app.services.rounds import (
    edition_rules,
    excel_import,
    preliminary,
    qualifying,
    registration,
    round_figures,
    similarity,
)
from contest_app.services.rounds.editions import (
    LOOPBACK_WARNING,
    create_edition,
    get_edition,
    is_loopback,
    list_editions,
    public_base,
    set_public_url,
)
from contest_app.services.trust.audit import actor_name, record_event
from contest_app.views.helpers import flash_form_errors, roles_required, view_action
from contest_app.views.validators import DecimalText, IntText, column_length

bp = Blueprint("organiser", __name__, url_prefix="/organiser")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


#: The figures per round are the report's too: the secretariat reads them as organisers do.
SHARED_WITH_SECRETARIAT = frozenset({"organiser.figures", "organiser.figures_csv", "organiser.figures_xlsx"})


@roles_required(Role.ORGANISER)
def _organisers_only():
    return None


@roles_required(Role.ORGANISER, Role.SECRETARIAT)
def _organisers_or_secretariat():
    return None


@bp.before_request
def _check_role():
    """Every page here is for organisers only, but the figures, which the secretariat shares."""
    if request.endpoint in SHARED_WITH_SECRETARIAT:
        return _organisers_or_secretariat()
    return _organisers_only()


def _unit_choices(blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(0, blank)] if blank else []
    return choices + [SelectChoice(u.id, f"{u.name} ({u.block_label})") for u in registration.list_units()]


class EditionForm(FlaskForm):
    number = StringField("Lần tổ chức (số)", validators=[
        DataRequired(message="Vui lòng nhập lần tổ chức."),
        IntText(minimum=1, maximum=1000, message="Lần tổ chức và năm phải là số nguyên. Lần tổ chức: từ 1 đến 1000.")])
    year = StringField("Năm tổ chức", validators=[
        DataRequired(message="Vui lòng nhập năm tổ chức."),
        IntText(minimum=1990, maximum=2100, message="Lần tổ chức và năm phải là số nguyên. Năm tổ chức: từ 1990 đến 2100.")])
    title = StringField("Tên kỳ thi (bỏ trống: “Lần thứ … - năm …”)",
                        validators=[column_length(Edition.title, "Tên kỳ thi")])
    copy_from = SelectField("Tạo từ kỳ thi trước (sao chép điều lệ, thang điểm, cụm đơn vị)", coerce=int, default=0)


NUMBER = r"^\s*\d+([.,]\d+)?\s*$"
NOT_A_NUMBER = "Phải là một số (dùng dấu phẩy hoặc dấu chấm thập phân)."


class SegmentRow(Form):
    key = HiddenField()
    name = StringField("Tên phần thi")
    short_name = StringField("Tên ngắn")
    max_score = StringField("Điểm tối đa", validators=[Optional(), Regexp(NUMBER, message=NOT_A_NUMBER)])
    mark_step = StringField("Bước điểm", default="0,1", validators=[Optional(), Regexp(NUMBER, message=NOT_A_NUMBER)])
    aggregation = SelectField("Cách tính", choices=[SelectChoice(a.value, a.label) for a in Aggregation])
    order = IntegerField("Thứ tự", validators=[Optional(), NumberRange(1, 99, message="Thứ tự từ 1 đến 99.")])
    tie_break = IntegerField("Xét khi đồng điểm", validators=[
        Optional(), NumberRange(1, 99, message="Thứ tự xét từ 1 đến 99.")])


class TierRow(Form):
    name = StringField("Hạng giải")
    count = IntegerField("Số lượng", validators=[Optional(), NumberRange(1, 100, message="Số lượng từ 1 đến 100.")])
    amount = StringField("Tiền thưởng (đồng)", validators=[Optional(), Regexp(r"^\s*[\d.]+\s*$",
                                                                           message="Tiền thưởng là số nguyên (đồng).")])


class SideAwardRow(Form):
    id = HiddenField()
    name = StringField("Tên giải phụ")
    amount = StringField("Tiền thưởng (đồng)", validators=[Optional(), Regexp(r"^\s*[\d.]+\s*$",
                                                                           message="Tiền thưởng là số nguyên (đồng).")])
    method = SelectField("Cách chọn", choices=[
        SelectChoice(SideAwardMethod.COMMITTEE.value, "Ban Tổ chức quyết định"),
        SelectChoice(SideAwardMethod.BEST_SEGMENT.value, "Điểm cao nhất phần thi, trong các đội không đạt giải chính")])
    segment_key = SelectField("Phần thi xét", choices=[])


class CriterionRow(Form):
    name = StringField("Tiêu chí")
    max_points = StringField("Điểm tối đa", validators=[Optional(), Regexp(NUMBER, message=NOT_A_NUMBER)])


class RulesForm(FlaskForm):
    segments = FieldList(FormField(SegmentRow), min_entries=1)
    judges_per_panel = IntegerField("Số giám khảo chung khảo", validators=[
        DataRequired(message="Vui lòng nhập số giám khảo."), NumberRange(1, 15, message="Số giám khảo từ 1 đến 15.")])
    reveal_mode = SelectField("Công bố điểm từng phần thi", choices=[
        SelectChoice(RevealMode.ALL_IN.value, "Tự động khi đủ điểm của mọi giám khảo"),
        SelectChoice(RevealMode.DESK.value, "Khi bàn điều khiển bấm công bố")])
    prize_tiers = FieldList(FormField(TierRow), min_entries=1)
    side_awards = FieldList(FormField(SideAwardRow), min_entries=0)
    preliminary_cutoff = StringField("Điểm sàn vào chung khảo", validators=[
        DataRequired(message="Vui lòng nhập điểm sàn."), Regexp(NUMBER, message=NOT_A_NUMBER)])
    rubric = FieldList(FormField(CriterionRow), min_entries=0)
    reason = TextAreaField("Lý do thay đổi (bắt buộc khi đã có điểm chấm)")


class UnitForm(FlaskForm):
    name = StringField("Tên đơn vị", validators=[DataRequired(message="Vui lòng nhập tên đơn vị."),
                                                 column_length(Unit.name, "Tên đơn vị")])
    block = SelectField("Khối", choices=[SelectChoice(b.value, b.label) for b in Block])


class AccountForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired(message="Vui lòng nhập tên đăng nhập."),
                                                         column_length(User.username, "Tên đăng nhập")])
    display_name = StringField("Họ và tên", validators=[column_length(User.display_name, "Họ và tên")])
    password = PasswordField("Mật khẩu", validators=[DataRequired(message="Vui lòng nhập mật khẩu."),
                                                  Length(max=200, message="Mật khẩu dài tối đa 200 ký tự.")])
    role = SelectField("Vai trò", choices=[SelectChoice(r.value, r.label) for r in Role])
    unit_id = SelectField("Đơn vị", coerce=int)


class RoleForm(FlaskForm):
    role = SelectField("Vai trò", choices=[SelectChoice(r.value, r.label) for r in Role])
    unit_id = SelectField("Đơn vị", coerce=int)
    active = BooleanField("Đang hoạt động")


class SettingsForm(FlaskForm):
    rules_reference = StringField("Điều lệ", validators=[column_length(Edition.rules_reference, "Điều lệ")])
    preliminary_cutoff = StringField("Điểm sàn vào chung khảo", validators=[
        DataRequired(message="Vui lòng nhập điểm sàn."),
        DecimalText(minimum=0, maximum=100, places=2,
                    message="Điểm sàn phải là một số từ 0 đến 100, tối đa 2 chữ số thập phân.")])
    report_number = StringField("Số báo cáo", validators=[column_length(Edition.report_number, "Số báo cáo")])
    report_date = DateField("Ngày báo cáo", validators=[Optional()])
    issuing_body = StringField("Cơ quan ban hành", validators=[column_length(Edition.issuing_body, "Cơ quan ban hành")])
    qualifying_deadline = DateTimeLocalField("Hạn chót vòng loại", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    public_url = StringField("Địa chỉ công khai cho mã QR và đường dẫn in ra (bỏ trống: dùng CONTEST_PUBLIC_URL)")


class ClusterForm(FlaskForm):
    name = StringField("Tên cụm", validators=[DataRequired(message="Vui lòng nhập tên cụm."),
                                              column_length(Cluster.name, "Tên cụm")])
    units = SelectMultipleField("Các đơn vị", coerce=int)


class ImportForm(FlaskForm):
    file = FileField("Tệp Excel (.xlsx)", validators=[FileRequired(message="Vui lòng chọn tệp Excel.")])


class AssignForm(FlaskForm):
    judge = SelectField("Giám khảo", coerce=int)
    cluster = SelectField("Phạm vi", coerce=int)


class ReviewForm(FlaskForm):
    entry_a = StringField(validators=[DataRequired()])
    entry_b = StringField(validators=[DataRequired()])
    note = TextAreaField("Ghi chú", validators=[Length(max=5000, message="Ghi chú dài tối đa 5000 ký tự.")])


# --- home, units, accounts -------------------------------------------------------------------


@bp.get("/")
def home():
    """The organisers' start page: the editions."""
    return render_template("organiser/home.html", editions=list_editions())


@bp.route("/units", methods=["GET", "POST"])
def units():
    """The units directory, and adding a unit."""
    form = UnitForm()
    if form.validate_on_submit():
        with view_action() as action:
            unit = registration.create_unit(name=form.name.data, block=form.block.data, actor=current_user)
            action.succeed(f"Đã thêm đơn vị “{unit.name}”.")
        if action.ok:
            return redirect(url_for(".units"))
    return render_template("organiser/units.html", form=form, units=registration.list_units())


@bp.post("/units/seed")
def seed_units():
    """Add the units named in the seed reports that are missing."""
    before = len(registration.list_units())
    ensure_units()
    added = len(registration.list_units()) - before
    record_event(actor=actor_name(current_user), action="unit.seed",
                              object_type="unit", after={"added": added})
    db.session.commit()
    flash(f"Đã thêm {added} đơn vị từ các báo cáo.", "success")
    return redirect(url_for(".units"))


@bp.route("/accounts", methods=["GET", "POST"])
def accounts():
    """Accounts and roles: the list and a form to create one."""
    form = AccountForm()
    form.unit_id.choices = _unit_choices("— Không thuộc đơn vị —")
    if form.validate_on_submit():
        with view_action() as action:
            user = registration.create_account(
                username=form.username.data.strip(), role=form.role.data, password=form.password.data,
                display_name=form.display_name.data.strip(), unit_id=form.unit_id.data or None, actor=current_user)
            action.succeed(f"Đã tạo tài khoản “{user.username}” ({user.role_label}).")
        if action.ok:
            return redirect(url_for(".accounts"))
    users = registration.list_users()
    role_forms = {}
    for u in users:
        rf = RoleForm(prefix=f"u{u.id}", formdata=None, role=u.role, unit_id=u.unit_id or 0, active=u.active)
        rf.unit_id.choices = form.unit_id.choices
        role_forms[u.id] = rf
    return render_template("organiser/accounts.html", form=form, users=users, role_forms=role_forms)


@bp.post("/accounts/<int:user_id>/role")
def change_role(user_id: int):
    """Change an account's role, unit or active flag."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"Không tìm thấy tài khoản có mã {user_id}.")
    form = RoleForm(prefix=f"u{user_id}")
    form.unit_id.choices = _unit_choices("— Không thuộc đơn vị —")
    if not form.validate_on_submit():
        flash("Dữ liệu vai trò không hợp lệ.", "danger")
        return redirect(url_for(".accounts"))
    with view_action() as action:
        registration.change_role(user=user, role=form.role.data, unit_id=form.unit_id.data or None,
                                 active=form.active.data, actor=current_user)
        action.succeed(f"Đã cập nhật vai trò của “{user.username}”: {user.role_label}.")
    return redirect(url_for(".accounts"))


# --- an edition -----------------------------------------------------------------------------


@bp.route("/editions/new", methods=["GET", "POST"])
def new_edition():
    """Create an edition with the default rules of 2019 or those of a previous edition."""
    form = EditionForm()
    form.copy_from.choices = [SelectChoice(0, "— Không, dùng điều lệ mặc định (năm 2019) —")] + [
        SelectChoice(e.id, e.title) for e in list_editions() if not e.figures_only]
    if form.validate_on_submit():
        with view_action() as action:
            number, year = (str(form.number.data).strip(), str(form.year.data).strip())
            if not number.isdigit() or not year.isdigit():
                raise ValidationError("Lần tổ chức và năm phải là số nguyên.", code="not_a_number")
            source = get_edition(form.copy_from.data) if form.copy_from.data else None
            edition = create_edition(number=int(number), year=int(year), title=form.title.data or "",
                                     actor=current_user.username, copy_from=source)
            origin = f"sao chép từ {source.title}" if source else "điều lệ mặc định"
            action.succeed(f"Đã tạo kỳ thi “{edition.title}” ({origin}); hãy kiểm tra điều lệ.")
        if action.ok:
            return redirect(url_for(".rules", edition_id=edition.id))
    return render_template("organiser/edition_new.html", form=form, edition=None)


@bp.route("/editions/<int:edition_id>/settings", methods=["GET", "POST"])
def settings(edition_id: int):
    """An edition's rules, cutoff, report details and the qualifying deadline."""
    edition = get_edition(edition_id)
    rnd = qualifying.qualifying_round(edition)
    deadline = rnd.deadline.astimezone(qualifying.LOCAL_TZ).replace(tzinfo=None) if rnd.deadline else None
    form = SettingsForm(obj=edition, qualifying_deadline=deadline)
    if request.method == "GET":
        form.preliminary_cutoff.data = f"{edition.preliminary_cutoff:.2f}"
    if form.validate_on_submit():
        with view_action() as action:
            cutoff = require_decimal(form.preliminary_cutoff.data, int_digits=3, places=2, code="bad_cutoff",
                                     message="Điểm sàn phải là một số từ 0 đến 100, tối đa 2 chữ số thập phân.")
            registration.update_edition_settings(
                edition=edition, actor=current_user, rules_reference=form.rules_reference.data.strip(),
                preliminary_cutoff=cutoff, report_number=form.report_number.data.strip(),
                report_date=form.report_date.data, issuing_body=form.issuing_body.data.strip())
            qualifying.set_deadline(edition=edition, deadline=form.qualifying_deadline.data, actor=current_user)
            set_public_url(edition=edition, url=form.public_url.data, actor=actor_name(current_user))
            action.succeed("Đã lưu cài đặt kỳ thi.")
        if action.ok:
            return redirect(url_for(".settings", edition_id=edition.id))
    base = public_base(edition)
    warning = LOOPBACK_WARNING.format(address=base or request.url_root.rstrip("/")) \
        if is_loopback(base or request.url_root) else None
    return render_template("organiser/settings.html", form=form, edition=edition, rnd=rnd,
                           format_local=vn_moment, loopback_warning=warning)


def _rules_form(edition) -> RulesForm:
    """The rules form, filled from the edition on GET, with blank rows to add to."""
    if request.method == "POST":
        form = RulesForm()
    else:
        tie = {key: i for i, key in enumerate(edition.tie_break or [], start=1)}
        form = RulesForm(data={
            "segments": [{"key": s.key, "name": s.name, "short_name": s.short_name,
                          "max_score": vn_plain(s.max_score), "mark_step": vn_plain(s.mark_step),
                          "aggregation": s.aggregation, "order": s.order, "tie_break": tie.get(s.key)}
                         for s in sorted(edition.segments, key=lambda s: s.order)] + [{"mark_step": "0,1"}],
            "judges_per_panel": edition.judges_per_panel, "reveal_mode": edition.reveal_mode,
            "prize_tiers": [{"name": t.name, "count": t.count, "amount": "" if t.amount is None else f"{t.amount:.0f}"}
                            for t in edition.prize_tiers] + [{}, {}],
            "side_awards": [{"id": str(a.id), "name": a.name, "amount": "" if a.amount is None else f"{a.amount:.0f}",
                             "method": a.method, "segment_key": a.segment_key or ""}
                            for a in edition_rules.side_awards(edition)] + [{}, {}],
            "preliminary_cutoff": vn_plain(edition.preliminary_cutoff),
            "rubric": [{"name": c.name, "max_points": vn_plain(c.max_points)} for c in preliminary.rubric(edition)]
            + [{}, {}],
        })
    choices = [SelectChoice("", "—")] + [SelectChoice(s.key, s.short_name or s.name)
                                         for s in sorted(edition.segments, key=lambda s: s.order)]
    for row in form.side_awards:
        row.form.segment_key.choices = choices
    return form


def _rubric_changed(edition, criteria: list[tuple[str, str]]) -> bool:
    """Whether the typed criteria differ from the stored rubric (blank rows ignored)."""
    typed = []
    for name, points in criteria:
        name = " ".join(name.split())
        if not name and not points.strip():
            continue
        try:
            typed.append((name, Decimal(points.strip().replace(",", "."))))
        except InvalidOperation:
            return True
    return typed != [(c.name, Decimal(c.max_points)) for c in preliminary.rubric(edition)]


def vn_plain(value) -> str:
    """A decimal as typed in a form: no trailing zeros, decimal comma (75; 0,1; 7,5)."""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


@bp.route("/editions/<int:edition_id>/rules", methods=["GET", "POST"])
def rules(edition_id: int):
    """The edition's rules (Điều lệ): final segments, panel, reveal, tie-break, prizes, side awards, cutoff."""
    edition = get_edition(edition_id)
    form = _rules_form(edition)
    if form.validate_on_submit():
        data = edition_rules.Rules(
            segments=[edition_rules.SegmentRule(
                key=r.form.key.data or "", name=r.form.name.data, short_name=r.form.short_name.data,
                max_score=r.form.max_score.data, mark_step=r.form.mark_step.data or "0.1",
                aggregation=r.form.aggregation.data, order=r.form.order.data, tie_break=r.form.tie_break.data)
                for r in form.segments],
            judges_per_panel=form.judges_per_panel.data, reveal_mode=form.reveal_mode.data,
            prize_tiers=[edition_rules.TierRule(name=r.form.name.data, count=r.form.count.data,
                                                amount=(r.form.amount.data or "").replace(".", ""))
                         for r in form.prize_tiers],
            side_awards=[edition_rules.SideAwardRuleInput(
                id=int(r.form.id.data) if (r.form.id.data or "").isdigit() else None, name=r.form.name.data,
                amount=(r.form.amount.data or "").replace(".", ""), method=r.form.method.data,
                segment_key=r.form.segment_key.data or None) for r in form.side_awards],
            preliminary_cutoff=form.preliminary_cutoff.data)
        criteria = [(r.form.name.data or "", r.form.max_points.data or "") for r in form.rubric]
        with view_action("Đã lưu điều lệ kỳ thi.") as action:
            edition_rules.update_rules(edition=edition, rules=data, actor=actor_name(current_user),
                                       reason=form.reason.data or "")
            if _rubric_changed(edition, criteria):
                preliminary.set_rubric(edition=edition, criteria=criteria, actor=current_user)
            change = results_changed(edition)  # new maxima, aggregation or tiers: the board follows
        if action.ok:
            broadcast.results_changed(change)
            return redirect(url_for(".rules", edition_id=edition.id))
    elif request.method == "POST":
        flash("Điều lệ chưa được lưu: hãy sửa các ô báo lỗi.", "danger")
    status = 400 if request.method == "POST" else 200
    return render_template("organiser/rules.html", form=form, edition=edition,
                           marked=bool(edition_rules.marks_by_segment(edition))), status


def item_url(edition, endpoint: str) -> str:
    """The page that fixes a checklist item."""
    if endpoint.startswith("organiser.") and endpoint not in ("organiser.units", "organiser.home"):
        return url_for(endpoint, edition_id=edition.id)
    if endpoint == "present.draw_page":
        return url_for(endpoint, ref=edition.year)
    if endpoint.startswith(("judges_admin.", "control.")):
        return url_for(endpoint, edition=edition.year)
    return url_for(endpoint)


@bp.get("/editions/<int:edition_id>/checklist")
def checklist(edition_id: int):
    """The setup checklist: every item red or green, with the page that fixes it."""
    edition = get_edition(edition_id)
    items = build_checklist(edition)
    db.session.rollback()
    return render_template("organiser/checklist.html", edition=edition, items=items,
                           urls={i.key: item_url(edition, i.endpoint) for i in items})


class QuestionBankForm(FlaskForm):
    # The service refuses a bank that is not offered, with a Vietnamese message.
    bank = SelectField("Ngân hàng câu hỏi", validate_choice=False,
                       validators=[DataRequired(message="Vui lòng chọn ngân hàng câu hỏi.")])


@bp.route("/editions/<int:edition_id>/question-bank", methods=["GET", "POST"])
def question_bank(edition_id: int):
    """The question bank the edition's final draws its quiz and situation sets from."""
    edition = get_edition(edition_id)
    choices = bank_choice.bank_choices(edition)
    current = bank_choice.current_bank(edition)
    form = QuestionBankForm(bank=current.name if current else None)
    form.bank.choices = [(f.name, f.label) for f in choices]
    if form.validate_on_submit():
        with view_action() as action:
            folder = bank_choice.set_question_bank(edition=edition, bank=form.bank.data,
                                                   actor=actor_name(current_user))
            action.succeed(f"Kỳ thi dùng ngân hàng câu hỏi “{folder.name}”.")
        if action.ok:
            return redirect(url_for(".question_bank", edition_id=edition.id))
    return render_template("organiser/question_bank.html", form=form, edition=edition, current=current)


@bp.route("/editions/<int:edition_id>/clusters", methods=["GET", "POST"])
def clusters(edition_id: int):
    """The edition's clusters (cụm) for the preliminary round."""
    edition = get_edition(edition_id)
    form = ClusterForm()
    form.units.choices = _unit_choices()
    if form.validate_on_submit():
        with view_action() as action:
            cluster = registration.create_cluster(edition=edition, name=form.name.data, unit_ids=form.units.data,
                                                  actor=current_user)
            action.succeed(f"Đã tạo {cluster.name}.")
        if action.ok:
            return redirect(url_for(".clusters", edition_id=edition.id))
    clusters_ = registration.list_clusters(edition)
    edit_forms = {}
    for c in clusters_:
        f = ClusterForm(prefix=f"c{c.id}", formdata=None, name=c.name, units=[cu.unit_id for cu in c.units])
        f.units.choices = form.units.choices
        edit_forms[c.id] = f
    return render_template("organiser/clusters.html", form=form, edition=edition, clusters=clusters_,
                           edit_forms=edit_forms)


def _cluster(edition, cluster_id: int) -> Cluster:
    cluster = db.session.get(Cluster, cluster_id)
    if cluster is None or cluster.edition_id != edition.id:
        raise NotFound("Không tìm thấy cụm này.", code="cluster_not_found")
    return cluster


@bp.post("/editions/<int:edition_id>/clusters/<int:cluster_id>/edit")
def edit_cluster(edition_id: int, cluster_id: int):
    """Rename a cluster and change its units."""
    edition = get_edition(edition_id)
    cluster = _cluster(edition, cluster_id)
    form = ClusterForm(prefix=f"c{cluster.id}")
    form.units.choices = _unit_choices()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".clusters", edition_id=edition.id))
    with view_action() as action:
        registration.update_cluster(cluster=cluster, name=form.name.data, unit_ids=form.units.data, actor=current_user)
        action.succeed(f"Đã cập nhật {cluster.name}.")
    return redirect(url_for(".clusters", edition_id=edition.id))


@bp.post("/editions/<int:edition_id>/clusters/<int:cluster_id>/delete")
def delete_cluster(edition_id: int, cluster_id: int):
    """Delete a cluster no judge is assigned to."""
    edition = get_edition(edition_id)
    cluster = _cluster(edition, cluster_id)
    name = cluster.name
    form = FlaskForm()
    if not form.validate_on_submit():
        raise ValidationError("Biểu mẫu không hợp lệ.", code="bad_form")
    with view_action(f"Đã xóa {name}."):
        registration.delete_cluster(cluster=cluster, actor=current_user)
    return redirect(url_for(".clusters", edition_id=edition.id))


@bp.post("/editions/<int:edition_id>/entries/<int:entry_id>/withdraw")
def withdraw_entry(edition_id: int, entry_id: int):
    """Withdraw an entry ("Rút lui") with a reason."""
    edition = get_edition(edition_id)
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.edition_id != edition.id:
        raise NotFound("Không tìm thấy mô hình, sáng kiến này.", code="entry_not_found")
    form = FlaskForm()
    if not form.validate_on_submit():
        raise ValidationError("Biểu mẫu không hợp lệ.", code="bad_form")
    with view_action(f"Đã ghi nhận “{entry.title}” rút lui."):
        registration.withdraw_entry(entry=entry, reason=request.form.get("reason", ""), actor=current_user)
    return redirect(url_for(".entries", edition_id=edition.id))


@bp.get("/editions/<int:edition_id>/teams")
def teams(edition_id: int):
    """Every team of the edition."""
    edition = get_edition(edition_id)
    return render_template("organiser/teams.html", edition=edition, teams=registration.list_teams(edition=edition))


@bp.get("/editions/<int:edition_id>/entries")
def entries(edition_id: int):
    """Every entry of the edition with its status in each round."""
    edition = get_edition(edition_id)
    return render_template("organiser/entries.html", edition=edition,
                           entries=registration.list_entries(edition=edition), units=registration.list_units())


@bp.route("/editions/<int:edition_id>/import", methods=["GET", "POST"])
def import_excel(edition_id: int):
    """Import units, teams and entries from an Excel file (all or nothing)."""
    edition = get_edition(edition_id)
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        with view_action() as action:
            report = excel_import.import_workbook(edition=edition, data=form.file.data.read(), actor=current_user)
            action.succeed(report.summary)
        if action.error:
            problems = action.error.details.get("problems", [])
            return render_template("organiser/import.html", form=form, edition=edition, problems=problems), 400
        return redirect(url_for(".entries", edition_id=edition.id))
    return render_template("organiser/import.html", form=form, edition=edition, problems=problems)


@bp.get("/editions/<int:edition_id>/import/template.xlsx")
def import_template(edition_id: int):
    """Download the Excel template."""
    edition = get_edition(edition_id)
    return Response(excel_import.build_template(edition), mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=mau-nhap-du-lieu-{edition.year}.xlsx"})


# --- preliminary round ------------------------------------------------------------------------


@bp.route("/editions/<int:edition_id>/rubric", methods=["GET", "POST"])
def rubric(edition_id: int):
    """The preliminary rubric: criteria and their maxima (summing to 100)."""
    edition = get_edition(edition_id)
    form = FlaskForm()
    if form.validate_on_submit():
        names = request.form.getlist("name")
        points = request.form.getlist("max_points")
        with view_action() as action:
            preliminary.set_rubric(edition=edition, criteria=list(zip(names, points, strict=False)), actor=current_user)
            action.succeed("Đã lưu thang điểm vòng sơ khảo.")
        if action.ok:
            return redirect(url_for(".rubric", edition_id=edition.id))
    criteria = preliminary.rubric(edition)
    db.session.commit()
    return render_template("organiser/rubric.html", form=form, edition=edition, criteria=criteria,
                           is_default=preliminary.rubric_is_default(edition), closed=preliminary.is_closed(edition))


@bp.route("/editions/<int:edition_id>/judges", methods=["GET", "POST"])
def judges(edition_id: int):
    """Assign preliminary judges to a cluster or to the whole round."""
    edition = get_edition(edition_id)
    form = AssignForm()
    judge_users = [u for u in registration.list_users() if u.role == Role.PRELIMINARY_JUDGE.value]
    form.judge.choices = [SelectChoice(u.id, f"{u.display_name} ({u.unit.name if u.unit else 'không thuộc đơn vị'})")
                          for u in judge_users]
    form.cluster.choices = [SelectChoice(0, "Toàn vòng sơ khảo")] + [SelectChoice(c.id, c.name) for c in registration.list_clusters(edition)]
    if form.validate_on_submit():
        cluster = db.session.get(Cluster, form.cluster.data) if form.cluster.data else None
        with view_action() as action:
            preliminary.assign_judge(edition=edition, judge=db.session.get(User, form.judge.data), cluster=cluster,
                                     actor=current_user)
            action.succeed("Đã phân công giám khảo.")
        if action.ok:
            return redirect(url_for(".judges", edition_id=edition.id))
    return render_template("organiser/judges.html", form=form, edition=edition,
                           assignments=preliminary.assignments(edition))


@bp.post("/editions/<int:edition_id>/judges/<int:assignment_id>/delete")
def unassign_judge(edition_id: int, assignment_id: int):
    """Remove a judge's assignment."""
    edition = get_edition(edition_id)
    row = db.session.get(PreliminaryAssignment, assignment_id)
    if row is None or row.edition_id != edition.id:
        raise NotFound("Không tìm thấy phân công này.")
    preliminary.unassign(assignment=row, actor=current_user)
    db.session.commit()
    flash("Đã bỏ phân công.", "success")
    return redirect(url_for(".judges", edition_id=edition.id))


@bp.get("/editions/<int:edition_id>/preliminary")
def preliminary_round(edition_id: int):
    """The preliminary round's progress: every qualified entry, its judges and exact mean."""
    edition = get_edition(edition_id)
    entries_ = preliminary.qualified_entries(edition)
    scores = preliminary.entry_scores(edition)
    db.session.commit()
    cutoff = Decimal(edition.preliminary_cutoff)
    names = preliminary.judge_names(edition)
    threshold = Decimal(edition.preliminary_spread_threshold)
    progress = preliminary.progress(edition)
    db.session.commit()
    return render_template("organiser/preliminary.html", edition=edition, entries=entries_, scores=scores,
                           cutoff=cutoff, passes=preliminary.passes, progress=progress, names=names,
                           threshold=threshold, flagged=lambda s: preliminary.is_spread_flagged(s, threshold),
                           form=FlaskForm())


@bp.get("/editions/<int:edition_id>/preliminary/scoresheets.xlsx")
def scoresheets_xlsx(edition_id: int):
    """Every judge's preliminary scoresheet, in Excel."""
    edition = get_edition(edition_id)
    data = preliminary.scoresheets_xlsx(edition)
    db.session.commit()
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=phieu-cham-so-khao-{edition.year}.xlsx"})


@bp.post("/editions/<int:edition_id>/preliminary/close")
def close_preliminary(edition_id: int):
    """Close the preliminary round: entries at or above the cutoff become finalists."""
    edition = get_edition(edition_id)
    if not FlaskForm().validate_on_submit():
        raise ValidationError("Biểu mẫu không hợp lệ.", code="bad_form")
    with view_action() as action:
        finalists = preliminary.close_round(edition=edition, actor=current_user,
                                            override_reason=request.form.get("override_reason", ""))
        change = results_changed(edition)  # every open board follows
        action.succeed(f"Đã kết thúc vòng sơ khảo: {len(finalists)} mô hình, sáng kiến vào vòng chung khảo.")
    if action.ok:
        broadcast.results_changed(change)
    return redirect(url_for(".preliminary_round", edition_id=edition.id))


@bp.post("/editions/<int:edition_id>/preliminary/publish")
def publish_preliminary(edition_id: int):
    """Publish the finalist list."""
    edition = get_edition(edition_id)
    with view_action() as action:
        preliminary.publish_finalists(edition=edition, actor=current_user)
        change = results_changed(edition)
        action.succeed("Đã công bố danh sách vào vòng chung khảo.")
    if action.error:
        return redirect(url_for(".preliminary_round", edition_id=edition.id))
    broadcast.results_changed(change)  # every open board now lists the finalists in drawn order
    return redirect(url_for(".finalists", edition_id=edition.id))


@bp.get("/editions/<int:edition_id>/finalists")
def finalists(edition_id: int):
    """The finalist list, as published."""
    edition = get_edition(edition_id)
    return render_template("organiser/finalists.html", edition=edition, rows=preliminary.finalist_rows(edition),
                           headers=preliminary.FINALIST_HEADERS, published=preliminary.is_published(edition))


@bp.get("/editions/<int:edition_id>/finalists.csv")
def finalists_csv(edition_id: int):
    edition = get_edition(edition_id)
    data = csv_bytes(preliminary.FINALIST_HEADERS, preliminary.finalist_rows(edition), form=check_form(request.args.get("form")))
    return Response(data, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=danh-sach-chung-khao-{edition.year}.csv"})


@bp.get("/editions/<int:edition_id>/finalists.xlsx")
def finalists_xlsx(edition_id: int):
    edition = get_edition(edition_id)
    data = table_workbook("Danh sách vào chung khảo", preliminary.FINALIST_HEADERS, preliminary.finalist_rows(edition),
                          formats={6: SCORE_FORMAT},
                          caption=f"Danh sách mô hình, sáng kiến vào vòng chung khảo — {edition.title}")
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=danh-sach-chung-khao-{edition.year}.xlsx"})


# --- duplicates and figures --------------------------------------------------------------------


@bp.route("/editions/<int:edition_id>/similarity", methods=["GET", "POST"])
def similar(edition_id: int):
    """Similar entries of this and earlier editions; mark a pair as reviewed."""
    edition = get_edition(edition_id)
    form = ReviewForm()
    if form.validate_on_submit():
        a = db.session.get(Entry, int(form.entry_a.data)) if form.entry_a.data.isdigit() else None
        b = db.session.get(Entry, int(form.entry_b.data)) if form.entry_b.data.isdigit() else None
        if a is None or b is None:
            raise NotFound("Không tìm thấy mô hình, sáng kiến cần đối chiếu.")
        with view_action() as action:
            similarity.mark_reviewed(entry_a=a, entry_b=b, note=form.note.data, actor=current_user)
            action.succeed("Đã ghi nhận cặp mô hình, sáng kiến đã được xem xét.")
        return redirect(url_for(".similar", edition_id=edition.id))
    pairs = similarity.similar_pairs(edition=edition)
    return render_template("organiser/similarity.html", edition=edition, pairs=pairs,
                           threshold=similarity.DEFAULT_THRESHOLD)


@bp.get("/editions/<int:edition_id>/figures")
def figures(edition_id: int):
    """Counts per round, per block and per thematic group."""
    edition = get_edition(edition_id)
    return render_template("organiser/figures.html", edition=edition, figures=round_figures.round_figures(edition),
                           blocks=list(Block))


@bp.get("/editions/<int:edition_id>/figures.csv")
def figures_csv(edition_id: int):
    edition = get_edition(edition_id)
    headers, rows = round_figures.figures_table(round_figures.round_figures(edition))
    data = csv_bytes(headers, rows, form=check_form(request.args.get("form")))
    return Response(data, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=so-lieu-cac-vong-{edition.year}.csv"})


@bp.get("/editions/<int:edition_id>/figures.xlsx")
def figures_xlsx(edition_id: int):
    edition = get_edition(edition_id)
    headers, rows = round_figures.figures_table(round_figures.round_figures(edition))
    data = table_workbook("Số liệu các vòng", headers, [[None if v == "" else v for v in r] for r in rows],
                          caption=f"Số liệu các vòng — {edition.title}")
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=so-lieu-cac-vong-{edition.year}.xlsx"})


STATUS_LABELS = {s.value: s.label for s in RoundStatus}


@bp.app_template_filter("status_label")
def status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)
