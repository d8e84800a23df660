"""``flask banks use`` and ``flask banks analyse``: the bank commands that need the database.

They join the ``banks`` group of ``question_banks.commands`` (which stays free of the
database and of ``services``) and call ``services.final`` only.
"""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import Edition
from contest_app.question_banks.analysis import fmt
from contest_app.question_banks.commands import banks_cli
from contest_app.services.errors import ServiceError
from contest_app.services.final.bank_choice import set_question_bank
from contest_app.services.final.item_analysis import item_analysis


def _edition(year: int) -> Edition:
    edition = db.session.scalar(select(Edition).where(Edition.year == year))
    if edition is None:
        click.echo(f"Không có kỳ thi năm {year}.", err=True)
        raise SystemExit(1)
    return edition


@click.command("use")
@click.option("--edition", "year", type=int, required=True, help="Năm của kỳ thi.")
@click.option("--bank", "bank", required=True, help="Tên ngân hàng (thư mục trong question_banks/, ví dụ 2027).")
def use_command(year: int, bank: str) -> None:
    """Chọn ngân hàng câu hỏi cho một kỳ thi (bốc thăm lấy bộ đề từ ngân hàng này)."""
    edition = _edition(year)
    try:
        folder = set_question_bank(edition=edition, bank=bank, actor="dòng lệnh")
    except ServiceError as error:
        db.session.rollback()
        click.echo(error.message, err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"{edition.label} dùng ngân hàng câu hỏi {folder.label}.")


@click.command("analyse")
@click.option("--edition", "year", type=int, required=True, help="Năm của kỳ thi (ví dụ 2019).")
def analyse_command(year: int) -> None:
    """Phân tích câu hỏi sau chung khảo: độ khó, độ phân biệt từng câu, các câu nên loại."""
    edition = _edition(year)
    try:
        sets = item_analysis(edition)
    except ServiceError as error:
        click.echo(error.message, err=True)
        raise SystemExit(1) from None
    click.echo(f"Phân tích câu hỏi trắc nghiệm – {edition.label}")
    click.echo("p: độ khó (tỷ lệ đội trả lời đúng); r: tương quan điểm nhị phân với phần còn lại "
               "của bộ đề; D: chỉ số nhóm trên – nhóm dưới 27%.")
    retire = []
    for analysis in sets:
        caution = f" ({analysis.caution})" if analysis.caution else ""
        click.echo(f"Bộ đề trắc nghiệm số {analysis.number}: {analysis.teams} đội{caution}.")
        for item in analysis.items:
            click.echo(
                f"  {item.code}: đúng {item.correct}/{item.teams}; p = {fmt(item.p)}; "
                f"r = {fmt(item.r_pb)}; D = {fmt(item.d_27)}"
            )
            retire += [f"  {item.code}: {reason}" for reason in item.retire]
    click.echo("Câu nên loại hoặc xem lại:" if retire else "Không có câu nào cần loại.")
    for line in retire:
        click.echo(line)


def register(app: Flask) -> None:
    """Add the database-backed commands to the ``banks`` group (``register_commands`` adds the group)."""
    banks_cli.add_command(use_command)
    banks_cli.add_command(analyse_command)
