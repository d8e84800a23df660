"""Flask commands for the rounds before the final. They call services and never re-implement them."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from contest_app.extensions import db
from contest_app.models import Unit
from contest_app.services.demo import ensure_units
from contest_app.services.trust.audit import record_event


@click.command("seed-units")
@with_appcontext
def seed_units_command() -> None:
    """Thêm vào danh mục các đơn vị nêu trong các báo cáo (nếu còn thiếu)."""
    from sqlalchemy import func, select


    before = db.session.scalar(select(func.count(Unit.id))) or 0
    units = ensure_units()
    added = len(units) - before
    record_event(actor="dòng lệnh", action="unit.seed", object_type="unit", after={"added": added})
    db.session.commit()
    click.echo(f"Đã thêm {added} đơn vị; danh mục có {len(units)} đơn vị.")


def register(app: Flask) -> None:
    """Register the rounds commands."""
    app.cli.add_command(seed_units_command)
