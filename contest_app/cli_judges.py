"""Flask commands for the final's judges. They call services and never re-implement them."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from contest_app.cli_errors import CommandError
from contest_app.extensions import db
from contest_app.services.errors import ServiceError
from contest_app.services.final.final_judges import add_judge, find_unit
from contest_app.services.rounds.editions import get_edition


@click.group("judges")
def judges_cli() -> None:
    """Ban Giám khảo vòng chung khảo."""


@judges_cli.command("add")
@click.option("--edition", "edition_ref", required=True, help="Mã hoặc năm của kỳ thi.")
@click.option("--name", required=True, help="Họ và tên giám khảo.")
@click.option("--seat", default=None, help="Số ghế (bỏ trống: ngồi sau các giám khảo đã có).")
@click.option("--unit", default=None, help="Tên đơn vị công tác (đúng như trong danh mục).")
@click.option("--title", default="", help="Chức danh.")
@with_appcontext
def add_command(edition_ref: str, name: str, seat: str | None, unit: str | None, title: str) -> None:
    """Thêm một giám khảo chung khảo."""
    try:
        edition = get_edition(edition_ref)
        unit_row = find_unit(unit)
        judge = add_judge(edition=edition, name=name, seat=seat, title=title,
                          unit_id=unit_row.id if unit_row else None, actor="dòng lệnh")
    except ServiceError as exc:
        db.session.rollback()
        raise CommandError(exc.message) from None
    db.session.commit()
    where = f", đơn vị {judge.unit.name}" if judge.unit else ""
    click.echo(f"Đã thêm giám khảo {judge.name} (ghế {judge.seat}{where}) vào {edition.title}.")


def register(app: Flask) -> None:
    """Register the judges commands."""
    app.cli.add_command(judges_cli)
