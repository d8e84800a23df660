"""Flask commands for the live final: the judges' login links and a rehearsal reset."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from contest_app.cli_errors import CommandError
from contest_app.extensions import db
from contest_app.live import broadcast
from contest_app.services.errors import ServiceError
from contest_app.services.final.judge_access import edition_credentials
from contest_app.services.final.live_state import reset_live
from contest_app.services.final.publication import results_changed
from contest_app.services.rounds.editions import get_edition
from contest_app.services.trust.deployment import require_service_secret


@click.command("judge-links")
@click.option("--edition", "edition_ref", required=True, help="Mã hoặc năm của kỳ thi.")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="Địa chỉ máy chủ mà máy tính bảng truy cập.")
@with_appcontext
def judge_links_command(edition_ref: str, base_url: str) -> None:
    """In đường dẫn đăng nhập và mã PIN của từng giám khảo chung khảo."""
    try:
        require_service_secret()
        edition = get_edition(edition_ref)
    except ServiceError as exc:
        db.session.rollback()
        raise CommandError(exc.message) from None
    creds = edition_credentials(edition)
    db.session.commit()
    if not creds:
        raise CommandError(f"Kỳ thi {edition.title} chưa có giám khảo chung khảo.")
    base = base_url.rstrip("/")
    click.echo(f"Giám khảo chung khảo · {edition.title} (trang đăng nhập bằng PIN: {base}/judge)")
    for c in creds:
        click.echo(f"{c.judge.seat}. {c.judge.name}\t{base}/j/{c.token}\tPIN {c.pin}")


@click.command("live-reset")
@click.option("--edition", "edition_ref", required=True, help="Mã hoặc năm của kỳ thi.")
@click.option("--delete-marks", is_flag=True, help="Xóa luôn mọi điểm chấm vòng chung khảo (để tập dượt).")
@click.option("--yes", is_flag=True, help="Không hỏi lại.")
@with_appcontext
def live_reset_command(edition_ref: str, delete_marks: bool, yes: bool) -> None:
    """Đặt lại trạng thái trực tiếp (sân khấu, phần thi đang mở, công bố) của một kỳ thi."""
    try:
        edition = get_edition(edition_ref)
        if delete_marks and not yes:
            click.confirm(f"Xóa mọi điểm chấm vòng chung khảo của {edition.title}?", abort=True)
        deleted = reset_live(edition=edition, actor="dòng lệnh live-reset", delete_marks=delete_marks)
        change = results_changed(edition, judges_event="state_changed")
    except ServiceError as exc:
        db.session.rollback()
        raise CommandError(exc.message) from None
    db.session.commit()
    broadcast.board_updated(change.board)  # through the message queue, open boards redraw at once
    click.echo(f"Đã đặt lại trạng thái trực tiếp của {edition.title}; đã xóa {deleted} điểm chấm.")


COMMANDS = (judge_links_command, live_reset_command)
