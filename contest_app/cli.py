"""Flask commands. They call services and never re-implement them."""
from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import with_appcontext

from contest_app.cli_banks import register as register_bank_commands
from contest_app.cli_deploy import register as register_deploy_commands
from contest_app.cli_draw import register as register_draw_commands
from contest_app.cli_errors import fail as _fail
from contest_app.cli_rounds import register as register_rounds_commands
from contest_app.cli_trust import register as register_trust_commands
from contest_app.enums import Role
from contest_app.extensions import db
from contest_app.live.commands import COMMANDS as live_commands
from contest_app.question_banks.commands import banks_cli
from contest_app.reports.csvfile import PLAIN, csv_text
from contest_app.services.demo import load_demo
from contest_app.services.errors import ServiceError
from contest_app.services.final.results import compute_results
from contest_app.services.rounds.editions import get_edition
from contest_app.services.trust.accounts import create_user


@click.command("load-demo")
@click.option("--with-marks", is_flag=True, help="Thêm điểm của sáu giám khảo tái tạo đúng kết quả đã công bố.")
@with_appcontext
def load_demo_command(with_marks: bool) -> None:
    """Nạp dữ liệu mẫu: cuộc thi lần thứ 4 - năm 2019."""
    try:
        edition = load_demo(with_marks=with_marks)
    except ServiceError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Đã nạp dữ liệu mẫu: {edition.title} (mã {edition.id}){' kèm điểm chấm' if with_marks else ''}.")


@click.command("create-user")
@click.option("--username", required=True, help="Tên đăng nhập.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="Vai trò.")
@click.option("--password", default=None, help="Mật khẩu (bỏ trống để được hỏi).")
@click.option("--name", "display_name", default="", help="Họ và tên hiển thị.")
@click.option("--unit-id", type=int, default=None, help="Mã đơn vị (cho cán bộ đầu mối).")
@with_appcontext
def create_user_command(username: str, role: str, password: str | None, display_name: str, unit_id: int | None) -> None:
    """Tạo tài khoản người dùng."""
    if password is None:
        password = click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
    try:
        user = create_user(
            username=username, role=role, password=password, display_name=display_name, unit_id=unit_id
        )
    except ServiceError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Đã tạo tài khoản “{user.username}” với vai trò {user.role_label}.")


EXPORT_COLUMNS = ["rank", "tied", "order", "team", "entry_title"]


def results_csv(data: dict) -> str:
    """The results as CSV text (one row per finalist, in rank order); while marks are
    missing, the first line is the warning "DỰ THẢO — chưa đủ điểm. Còn thiếu: …"."""
    keys = [s["key"] for s in data["segments"]]
    rows = [
        [row["rank"], "1" if row["tied"] else "0", row["order"] or "", row["team"], row["entry_title"]]
        + [row["scores"][k] or "" for k in keys]
        + [row["total"], row["prize"] or "", "; ".join(row["side_awards"])]
        for row in data["rows"]
    ]
    rows.append(["", "", "", "ĐIỂM TRUNG BÌNH", ""] + [data["averages"][k] or "" for k in keys]
                + [data["averages"]["total"] or "", "", ""])
    # The command line's CSV is for programs: the plain form, through the app's one writer.
    return csv_text(EXPORT_COLUMNS + keys + ["total", "prize", "side_awards"], rows, form=PLAIN, lineterminator="\n",
                    first_line=data.get("completeness", {}).get("label", ""))


@click.command("export-results")
@click.option("--edition", "edition_ref", required=True, help="Mã hoặc năm của kỳ thi.")
@click.option("--format", "fmt", default="json", help="json hoặc csv.")
@with_appcontext
def export_results_command(edition_ref: str, fmt: str) -> None:
    """In kết quả vòng chung khảo (JSON hoặc CSV)."""
    fmt = fmt.lower()
    if fmt not in ("json", "csv"):
        _fail(f"Định dạng “{fmt}” không được hỗ trợ: chọn json hoặc csv.")
    try:
        edition = get_edition(edition_ref)
    except ServiceError as exc:
        _fail(exc.message)
    data = compute_results(edition).to_dict()
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(results_csv(data), nl=False)


def register_commands(app: Flask) -> None:
    """Register every command of the app, the feature modules' included."""
    for command in (load_demo_command, create_user_command, export_results_command, banks_cli, *live_commands):
        app.cli.add_command(command)
    register_trust_commands(app)
    register_draw_commands(app)
    register_bank_commands(app)
    register_rounds_commands(app)
    register_deploy_commands(app)
