"""Trust commands: verify the audit chain, check an exported result, back up and restore.

They call services (audit, lock, backup) and never re-implement them; ``register``
adds them to the app's command line.
"""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from contest_app.cli_errors import CommandError
from contest_app.extensions import db
from contest_app.models import AuditEvent
from contest_app.services.errors import ServiceError
from contest_app.services.rounds.editions import get_edition
from contest_app.services.trust.audit import verify_chain
from contest_app.services.trust.backup import backup_database, restore_database
from contest_app.services.final.lock import check_export

audit_cli = AppGroup("audit", help="Nhật ký kiểm tra (chuỗi băm).")


@audit_cli.command("verify")
@click.option("--head", "expected_head", default=None,
              help="Mã băm của bản ghi cuối đã lưu bên ngoài (in trên phụ lục, hoặc từ “audit head”).")
def audit_verify_command(expected_head: str | None) -> None:
    """Kiểm tra chuỗi nhật ký (có khóa) và đối chiếu từng điểm trong CSDL với nhật ký."""
    from sqlalchemy import func, select

    from contest_app.models import Mark
    from contest_app.services.trust.audit import chain_head, verify_chain, verify_marks

    problems = sorted(verify_chain() + verify_marks(), key=lambda p: p.event_id)
    if expected_head:
        wanted = expected_head.strip().split(":")[-1].lower()
        found = db.session.scalar(select(AuditEvent).where(AuditEvent.hash == wanted))
        if found is None:
            from contest_app.services.trust.audit import ChainProblem

            problems.insert(0, ChainProblem(0, f"Không tìm thấy bản ghi có mã băm {wanted} (mã đã lưu bên ngoài): "
                                               "nhật ký đã bị cắt bớt hoặc bị tính lại."))
    if problems:
        click.echo(f"Chuỗi nhật ký KHÔNG toàn vẹn: {len(problems)} lỗi (lỗi đầu tiên trước).", err=True)
        for problem in problems:
            click.echo(f"- {problem.message}", err=True)
        raise SystemExit(1)
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    marks = db.session.scalar(select(func.count()).select_from(Mark))
    click.echo(f"Chuỗi nhật ký toàn vẹn: {count} bản ghi; {marks} điểm khớp với nhật ký.")
    head = chain_head()
    if head is not None:
        # Deleting the newest records leaves a valid chain; keeping this line outside the
        # database (minutes, printed appendix) is what reveals such a truncation later.
        click.echo(f"Mã băm của bản ghi cuối (#{head[0]}): {head[1]}")


@audit_cli.command("head")
def audit_head_command() -> None:
    """In mã băm của bản ghi cuối (dạng id:mã) để lưu bên ngoài ứng dụng."""
    from contest_app.services.trust.audit import chain_head

    head = chain_head()
    if head is None:
        raise CommandError("Nhật ký chưa có bản ghi nào.")
    click.echo(f"{head[0]}:{head[1]}")


@click.command("verify-results")
@click.option("--edition", "edition_ref", required=True, help="Mã hoặc năm của kỳ thi.")
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False), help="Tệp JSON kết quả đã xuất.")
@with_appcontext
def verify_results_command(edition_ref: str, path: str) -> None:
    """Đối chiếu dấu vân tay của tệp kết quả đã xuất với bản ghi khóa kết quả."""
    try:
        edition = get_edition(edition_ref)
    except ServiceError as exc:
        raise CommandError(exc.message) from None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"Không tìm thấy tệp “{path}”.") from None
    except (UnicodeDecodeError, ValueError):
        raise CommandError(f"Tệp “{path}” không phải là JSON hợp lệ.") from None
    try:
        check = check_export(edition=edition, data=data)
    except ServiceError as exc:
        raise CommandError(exc.message) from None
    click.echo(f"Dấu vân tay của tệp:      {check.computed}")
    click.echo(f"Dấu vân tay lúc khóa:     {check.stored or '(chưa khóa)'}")
    if not check.ok:
        for message in check.messages:
            click.echo(f"- {message}", err=True)
        raise SystemExit(1)
    click.echo(f"Khớp: tệp đúng là kết quả đã khóa của {edition.title}.")


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Tệp sao lưu sẽ ghi.")
@click.option(
    "--format",
    "fmt",
    default="auto",
    type=click.Choice(["auto", "sqlite", "jsonl"]),
    help="sqlite (bản sao SQLite) hoặc jsonl (zip JSON-lines, dùng được cho mọi CSDL); mặc định theo CSDL.",
)
@with_appcontext
def backup_command(out: str, fmt: str) -> None:
    """Sao lưu toàn bộ cơ sở dữ liệu vào một tệp (chạy được khi ứng dụng đang hoạt động)."""
    try:
        summary = backup_database(out=out, fmt=fmt)
    except ServiceError as exc:
        raise CommandError(exc.message) from None
    click.echo(
        f"Đã sao lưu {summary.rows} dòng của {len(summary.tables)} bảng vào {summary.path} (định dạng {summary.format})."
    )


@click.command("restore")
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False), help="Tệp sao lưu.")
@click.option("--force", is_flag=True, help="Xóa dữ liệu hiện có trước khi khôi phục.")
@with_appcontext
def restore_command(path: str, force: bool) -> None:
    """Khôi phục cơ sở dữ liệu từ một tệp sao lưu (vào cơ sở dữ liệu trống)."""
    try:
        summary = restore_database(path=path, force=force)
    except ServiceError as exc:
        raise CommandError(exc.message) from None
    click.echo(f"Đã khôi phục {summary.rows} dòng của {len(summary.tables)} bảng từ {summary.path}.")
    problems = verify_chain()
    if problems:
        click.echo(f"Cảnh báo: chuỗi nhật ký sau khi khôi phục có {len(problems)} lỗi.", err=True)
        raise SystemExit(1)
    click.echo("Chuỗi nhật ký sau khi khôi phục: toàn vẹn.")


def register(app: Flask) -> None:
    """Add the trust commands to ``app``'s command line."""
    for command in (audit_cli, verify_results_command, backup_command, restore_command):
        app.cli.add_command(command)
