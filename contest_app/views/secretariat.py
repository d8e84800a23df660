"""The secretariat's pages: Phụ lục I and II (print page, Word, Excel, CSV, PDF), the
report's figures, the award lists, judge consistency, the editions history and the
follow-up of finalists' plans. Every number comes from ``compute_results``."""
from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from contest_app.enums import Role
from contest_app.models import Edition
from contest_app.enums import PlanKind, PlanStatus, ReplicationStatus
from contest_app.reports import charts
from contest_app.reports.appendix import build_appendices
from contest_app.reports.awards import all_award_lines, side_award_lines
from contest_app.reports.csvfile import appendix_csv, check_form, csv_bytes
from contest_app.reports.excel import MONEY_FORMAT, SCORE_FORMAT, appendix_workbook, table_workbook
from contest_app.formatting import vn, vn_count, vn_date, vn_short
from contest_app.reports.figures import figure_sentences, figures_data, report_counts
from contest_app.reports.pdf import appendix_pdf, certificates_pdf, official_pdf
from contest_app.reports.report import ReportInputs, build_certificates, build_letter, build_report
from contest_app.reports.word import appendix_document, certificates_document, official_document
from contest_app.services.errors import Conflict, ValidationError
from contest_app.question_banks.analysis import fmt as item_figure
from contest_app.services.final.consistency import consistency_report
from contest_app.services.final.item_analysis import item_analysis
from contest_app.services.final.lock import is_locked
from contest_app.services.final.results import EditionResults, compute_results
from contest_app.services.outputs import documents
from contest_app.services.outputs.followup import STATE_LABELS, followup_rows, record_followup, summary
from contest_app.services.outputs.history import ROUND_LABELS, history_table, save_figures_edition
from contest_app.services.rounds import round_figures
from contest_app.services.rounds.editions import get_edition, list_editions
from contest_app.views.helpers import roles_required, view_action

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")

STAFF = (Role.SECRETARIAT.value, Role.ORGANISER.value)
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}


def _results(ref: str) -> tuple[Edition, EditionResults]:
    edition = get_edition(ref)
    if edition.figures_only:
        raise Conflict(
            f"Kỳ thi {edition.title} chỉ có số liệu tổng hợp, không có điểm từng đội.", code="figures_only"
        )
    results = compute_results(edition)
    # Every secretariat page of this edition shows "DỰ THẢO — chưa đủ điểm" and what is
    # missing while marks are missing (templates/secretariat/_draft.html).
    g.completeness = results.completeness
    return edition, results


def _download(data: bytes, fmt: str, name: str) -> Response:
    return send_file(io.BytesIO(data), mimetype=MIME[fmt], as_attachment=True, download_name=f"{name}.{fmt}")


def _actor() -> str:
    return current_user.username


def _today() -> date:
    text = request.args.get("today", "").strip()
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"Ngày “{text}” không hợp lệ: hãy nhập theo dạng NNNN-TT-NN.", code="invalid_date") from None


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


@bp.get("/")
@roles_required(*STAFF)
def index():
    """List the editions with the secretariat's outputs of each."""
    return render_template("secretariat/index.html", editions=list_editions())


@bp.get("/<ref>/appendix")
@roles_required(*STAFF)
def appendix(ref: str):
    """Phụ lục I and II as a page to print (A4, header rows repeated on each page)."""
    edition, results = _results(ref)
    return render_template("print/appendix.html", edition=edition, app=build_appendices(results), vn=vn)


@bp.get("/<ref>/appendix.<fmt>")
@roles_required(*STAFF)
def appendix_file(ref: str, fmt: str):
    """Phụ lục I and II as Word, Excel, CSV or PDF."""
    form = check_form(request.args.get("form"))
    makers = {"docx": appendix_document, "xlsx": appendix_workbook, "pdf": appendix_pdf,
              "csv": lambda app: appendix_csv(app, form=form)}
    if fmt not in makers:
        raise ValidationError(f"Định dạng “{fmt}” không được hỗ trợ: chọn docx, xlsx, csv hoặc pdf.", code="format")
    edition, results = _results(ref)
    return _download(makers[fmt](build_appendices(results)), fmt, f"phu-luc-{edition.year}")


@bp.get("/<ref>/figures")
@roles_required(*STAFF)
def figures(ref: str):
    """The report's figures as sentences to paste, with the finalists' chart."""
    edition, results = _results(ref)
    counts = report_counts(edition, round_figures.round_figures(edition), documents.finalists_by_block(edition))
    return render_template(
        "secretariat/figures.html",
        edition=edition,
        results=results,
        counts=counts,
        count_text=vn_count,
        sentences=figure_sentences(results),
        chart=charts.segment_scores_chart(results),
        vn=vn,
        vn_short=vn_short,
    )


@bp.get("/<ref>/figures.json")
@roles_required(*STAFF)
def figures_json(ref: str):
    """The same figures as real numbers."""
    _edition, results = _results(ref)
    data = {**figures_data(results), "completeness": results.completeness.to_dict()}
    body = json.dumps(data, ensure_ascii=False, default=_json_default, indent=2)
    return Response(body, mimetype=MIME["json"])


AWARD_HEADERS = ["Loại giải", "Tên giải", "Đội thi", "Đơn vị", "Tên mô hình, sáng kiến", "Điểm", "Giá trị (đồng)"]


def _award_rows(lines) -> list[list[Any]]:
    return [[a.kind, a.award, a.team, a.unit, a.entry_title, a.score, a.amount] for a in lines]


@bp.get("/<ref>/awards")
@roles_required(*STAFF)
def awards(ref: str):
    """The side awards (name, amount, team) and every award for the certificates."""
    edition, results = _results(ref)
    units = {entry_id: p.units for entry_id, p in documents.finalist_people(edition).items()}
    return render_template(
        "secretariat/awards.html",
        edition=edition,
        side=side_award_lines(results, units),
        everything=all_award_lines(results, units),
        unresolved=results.unresolved_ties,
    )


@bp.get("/<ref>/awards.<fmt>")
@roles_required(*STAFF)
def awards_file(ref: str, fmt: str):
    """Every award (main and side) for certificates, as CSV or Excel."""
    edition, results = _results(ref)
    units = {entry_id: p.units for entry_id, p in documents.finalist_people(edition).items()}
    rows = _award_rows(all_award_lines(results, units))
    draft = results.completeness.label()
    if fmt == "csv":
        data = csv_bytes(AWARD_HEADERS, rows, form=check_form(request.args.get("form")), first_line=draft)
        return _download(data, "csv", f"giai-thuong-{edition.year}")
    if fmt == "xlsx":
        data = table_workbook("Giải thưởng", AWARD_HEADERS, rows, formats={5: SCORE_FORMAT, 6: MONEY_FORMAT},
                              caption=draft or None)
        return _download(data, "xlsx", f"giai-thuong-{edition.year}")
    raise ValidationError(f"Định dạng “{fmt}” không được hỗ trợ: chọn csv hoặc xlsx.", code="format")


@bp.get("/<ref>/item-analysis")
@roles_required(*STAFF)
def item_analysis_page(ref: str):
    """Each quiz item's difficulty and discrimination after the final, and the items to retire."""
    edition = get_edition(ref)
    try:
        sets, problem = item_analysis(edition), None
    except ValidationError as exc:
        sets, problem = [], exc.message
    return render_template("secretariat/item_analysis.html", edition=edition, sets=sets, problem=problem,
                           figure=item_figure)


@bp.get("/<ref>/consistency")
@roles_required(*STAFF)
def consistency(ref: str):
    """Judge consistency after the final: deviations, spreads and flagged marks."""
    edition, results = _results(ref)
    report = consistency_report(edition=edition, results=results)
    deviation_charts = {
        part.key: charts.deviation_chart(
            f"Độ lệch trung bình của giám khảo · {part.name}",
            [j.judge for j in part.judges],
            [j.mean_deviation for j in part.judges],
            threshold=part.allowed,
        )
        for part in report.segments
    }
    return render_template(
        "secretariat/consistency.html", edition=edition, report=report, charts=deviation_charts, vn=vn
    )


HISTORY_HEADERS = ["TT", "Vòng loại", "Vòng Sơ khảo", "Vòng Chung khảo", "Cơ cấu giải thưởng Vòng chung khảo"]


def _history_rows(table) -> list[list[Any]]:
    rows = [[r.label, r.qualifying, r.preliminary, r.final, r.prize_structure] for r in table.rows]
    return rows


@bp.get("/history")
def history():
    """The contest across its editions (section 3.1 of the 2019 report), with a chart. Public."""
    table = history_table()
    chart = charts.grouped_bars_chart(
        "Số mô hình, sáng kiến qua các lần tổ chức",
        [r.label for r in table.rows],
        [charts.Series(ROUND_LABELS[k], tuple(getattr(r, k) for r in table.rows)) for k in ROUND_LABELS],
    )
    can_edit = current_user.is_authenticated and current_user.has_role(Role.ORGANISER.value)
    return render_template("secretariat/history.html", table=table, chart=chart, can_edit=can_edit)


@bp.get("/history.<fmt>")
def history_file(fmt: str):
    """The editions table with its totals, as CSV or Excel (numbers as numbers)."""
    table = history_table()
    rows = _history_rows(table)
    totals = [["Tổng cộng", table.totals["qualifying"], table.totals["preliminary"], table.totals["final"], ""]]
    if fmt == "csv":
        # Counts as the report writes them: "09", "41".
        padded = [[r[0], *(vn_count(v) for v in r[1:4]), r[4]] for r in rows + totals]
        data = csv_bytes(HISTORY_HEADERS, padded, form=check_form(request.args.get("form")))
        return _download(data, "csv", "tong-hop-cac-lan-to-chuc")
    if fmt == "xlsx":
        data = table_workbook("Các lần tổ chức", HISTORY_HEADERS, rows, formats={1: "00", 2: "00", 3: "00"}, footer=totals)
        return _download(data, "xlsx", "tong-hop-cac-lan-to-chuc")
    raise ValidationError(f"Định dạng “{fmt}” không được hỗ trợ: chọn csv hoặc xlsx.", code="format")


TIER_SLOTS = 6


def _tier_pairs(form) -> list[tuple[str, str]]:
    return [(form.get(f"tier_name_{i}", ""), form.get(f"tier_count_{i}", "")) for i in range(TIER_SLOTS)]


@bp.route("/history/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER.value)
def history_new():
    """Record a past edition by its figures only."""
    return _history_form(None)


@bp.route("/history/<ref>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER.value)
def history_edit(ref: str):
    """Correct the figures of a past edition."""
    return _history_form(get_edition(ref))


def _history_form(edition: Edition | None):
    if request.method == "POST":
        form = request.form
        with view_action() as action:
            saved = save_figures_edition(
                actor=_actor(),
                number=form.get("number"),
                year=form.get("year"),
                qualifying=form.get("qualifying"),
                preliminary=form.get("preliminary"),
                final=form.get("final"),
                tiers=_tier_pairs(form),
                edition=edition,
            )
            action.succeed(f"Đã lưu số liệu {saved.title}.")
        if action.error:
            return render_template("secretariat/history_form.html", edition=edition, values=form,
                                   tiers=_tier_pairs(form)), action.error.status
        return redirect(url_for("secretariat.history"))
    values: dict[str, Any] = {}
    tiers: list[tuple[str, Any]] = [("Giải Nhất", 1), ("Giải Nhì", 1), ("Giải Ba", 1), ("Giải Khuyến khích", 6)]
    if edition is not None:
        h = edition.history or {}
        values = {"number": edition.number, "year": edition.year, **h}
        tiers = [(t.name, t.count) for t in edition.prize_tiers]
    tiers = (tiers + [("", "")] * TIER_SLOTS)[:TIER_SLOTS]
    return render_template("secretariat/history_form.html", edition=edition, values=values, tiers=tiers)


FOLLOWUP_HEADERS = [
    "TT", "Đội thi", "Tên mô hình, sáng kiến", "Giải", "Hình thức", "Hạn nộp", "Ngày nhận",
    "Số, ký hiệu văn bản", "Tình trạng nộp", "Số ngày trễ", "Tình trạng hồ sơ", "Tình trạng nhân rộng", "Ghi chú",
]


@bp.get("/<ref>/followup")
@roles_required(*STAFF)
def followup(ref: str):
    """Plans handed in after the final, overdue ones, and replication."""
    edition, _results_ = _results(ref)
    today = _today()
    rows = followup_rows(edition=edition, today=today)
    return render_template(
        "secretariat/followup.html",
        edition=edition,
        rows=rows,
        counts=summary(rows),
        today=today,
        state_labels=STATE_LABELS,
        kinds=list(PlanKind),
        statuses=list(PlanStatus),
        replications=list(ReplicationStatus),
        vn_date=vn_date,
    )


@bp.post("/<ref>/followup/<int:entry_id>")
@roles_required(*STAFF)
def followup_save(ref: str, entry_id: int):
    """Record one finalist's plan and replication status."""
    edition, _results_ = _results(ref)
    form = request.form
    received = form.get("received_on", "").strip()
    with view_action() as action:
        try:
            received_on = date.fromisoformat(received) if received else None
        except ValueError:
            raise ValidationError(f"Ngày nhận “{received}” không hợp lệ.", code="invalid_date") from None
        record_followup(
            edition=edition,
            entry_id=entry_id,
            actor=_actor(),
            plan_kind=form.get("plan_kind") or None,
            received_on=received_on,
            document_reference=form.get("document_reference", ""),
            status=form.get("status") or None,
            replication_status=form.get("replication_status") or ReplicationStatus.NOT_STARTED.value,
            notes=form.get("notes", ""),
            today=date.today(),
        )
        action.succeed("Đã lưu tình trạng phương án, đề án, kế hoạch.")
    return redirect(url_for("secretariat.followup", ref=edition.year), 303)


@bp.get("/<ref>/followup.<fmt>")
@roles_required(*STAFF)
def followup_file(ref: str, fmt: str):
    """The follow-up list as CSV or Excel."""
    edition, _results_ = _results(ref)
    rows = [
        [
            r.tt, r.team, r.entry_title, r.prize or "", r.plan_kind_label, edition.plan_deadline, r.received_on,
            r.document_reference, r.state_label, r.days_late, r.status_label, r.replication_label, r.notes,
        ]
        for r in followup_rows(edition=edition, today=_today())
    ]
    if fmt == "csv":
        data = csv_bytes(FOLLOWUP_HEADERS, rows, form=check_form(request.args.get("form")))
        return _download(data, "csv", f"theo-doi-sau-cuoc-thi-{edition.year}")
    if fmt == "xlsx":
        data = table_workbook("Theo dõi sau cuộc thi", FOLLOWUP_HEADERS, rows, formats={9: "0"})
        return _download(data, "xlsx", f"theo-doi-sau-cuoc-thi-{edition.year}")
    raise ValidationError(f"Định dạng “{fmt}” không được hỗ trợ: chọn csv hoặc xlsx.", code="format")



# --- the report, the follow-up letter, the certificates ----------------------------------------


def _report_inputs(edition: Edition, results: EditionResults) -> tuple[ReportInputs, dict]:
    people = documents.finalist_people(edition)
    units = {entry_id: p.units for entry_id, p in people.items()}
    counts = report_counts(edition, round_figures.round_figures(edition), documents.finalists_by_block(edition))
    inputs = ReportInputs(
        results=results,
        appendices=build_appendices(results),
        counts=counts,
        history=history_table(),
        narrative=documents.narrative_of(edition),
        awards=all_award_lines(results, units),
        locked=is_locked(edition),
    )
    return inputs, people


def _date_field(form, name: str, label: str) -> date | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{label} “{text}” không hợp lệ: hãy chọn ngày theo lịch.", code="invalid_date") from None


DATE_LABELS = {
    "report_date": "Ngày báo cáo",
    "letter_date": "Ngày công văn",
    "plan_deadline": "Hạn nộp phương án, đề án, kế hoạch",
    "certificate_date": "Ngày ghi trên giấy chứng nhận",
}


@bp.route("/<ref>/report", methods=["GET", "POST"])
@roles_required(*STAFF)
def report(ref: str):
    """The report's narrative blocks, numbers, dates and signers; the report, the letter and
    the certificates to download."""
    edition, _results_ = _results(ref)
    status = 200
    if request.method == "POST":
        form = request.form
        with view_action("Đã lưu nội dung báo cáo, công văn và giấy chứng nhận.") as action:
            dates = {name: _date_field(form, name, label) for name, label in DATE_LABELS.items()}
            documents.save_narrative(
                edition=edition,
                actor=_actor(),
                texts={k: form.get(k, "") for k in documents.TEXT_FIELDS},
                dates=dates,
                report_number=form.get("report_number", ""),
            )
        if action.ok:
            return redirect(url_for("secretariat.report", ref=edition.year), 303)
        status = action.error.status
    narrative = documents.narrative_of(edition)
    values = request.form if request.method == "POST" else None
    return render_template(
        "secretariat/report.html",
        edition=edition,
        narrative=narrative,
        values=values,
        locked=is_locked(edition),
    ), status


@bp.get("/<ref>/report.docx", defaults={"fmt": "docx"})
@bp.get("/<ref>/report.pdf", defaults={"fmt": "pdf"})
@roles_required(*STAFF)
def report_file(ref: str, fmt: str):
    """The report with Phụ lục I and II, as Word or PDF."""
    edition, results = _results(ref)
    document = build_report(_report_inputs(edition, results)[0])
    return _official(document, fmt, f"bao-cao-{edition.year}")


@bp.get("/<ref>/letter.docx", defaults={"fmt": "docx"})
@bp.get("/<ref>/letter.pdf", defaults={"fmt": "pdf"})
@roles_required(*STAFF)
def letter_file(ref: str, fmt: str):
    """The province's follow-up letter, as Word or PDF."""
    edition, results = _results(ref)
    document = build_letter(_report_inputs(edition, results)[0])
    return _official(document, fmt, f"cong-van-phat-huy-{edition.year}")


@bp.get("/<ref>/certificates.docx", defaults={"fmt": "docx"})
@bp.get("/<ref>/certificates.pdf", defaults={"fmt": "pdf"})
@roles_required(*STAFF)
def certificates_file(ref: str, fmt: str):
    """Every certificate (each award, per team and per member) in one Word or PDF file."""
    edition, results = _results(ref)
    inputs, people = _report_inputs(edition, results)
    batch = build_certificates(inputs, people)
    if not batch.certificates:
        raise Conflict("Chưa có giải nào được trao: chưa thể in giấy chứng nhận.", code="no_awards")
    makers = {"docx": certificates_document, "pdf": certificates_pdf}
    return _download(makers[fmt](batch), fmt, f"giay-chung-nhan-{edition.year}")


def _official(document, fmt: str, name: str) -> Response:
    makers = {"docx": official_document, "pdf": official_pdf}
    return _download(makers[fmt](document), fmt, name)
