"""``flask draw`` and ``flask verify-draw``: run the draw from the command line, and let anyone
re-check a confirmed draw from its revealed seed. They call ``services.final.draw`` only."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from contest_app.cli_errors import fail as _fail
from contest_app.extensions import db
from contest_app.models import Entry
from contest_app.services.errors import ServiceError
from contest_app.services.final.draw import compute_draw, confirm_draw, get_draw, prepare_draw, team_name, verify_draw
from contest_app.services.rounds.editions import get_edition


def _names(edition) -> dict[int, str]:
    return {e.id: team_name(e) for e in db.session.query(Entry).filter(Entry.edition_id == edition.id)}


def _echo_result(edition, result) -> None:
    names = _names(edition)
    click.echo(f"Kết quả bốc thăm {edition.label} ({len(result.slots)} đội):")
    for s in result.slots:
        rebutter = names.get(s.rebutted_by, f"#{s.rebutted_by}") if s.rebutted_by else "không có"
        click.echo(
            f"  Lượt {s.order}: {names.get(s.entry_id, f'#{s.entry_id}')} (mã {s.entry_id})"
            f" · đội phản biện: {rebutter} · bộ đề trắc nghiệm số {s.quiz_set} · bộ tình huống số {s.situation_set}"
        )


def _edition(ref: str):
    try:
        return get_edition(ref)
    except ServiceError as exc:
        _fail(exc.message)


@click.command("verify-draw")
@click.option("--edition", "edition_ref", required=True, help="Mã hoặc năm của kỳ thi.")
@click.option("--seed", required=True, help="Mã bốc thăm đã được công bố.")
@with_appcontext
def verify_draw_command(edition_ref: str, seed: str) -> None:
    """Tính lại kết quả bốc thăm từ mã bốc thăm và so với kết quả đã xác nhận."""
    edition = _edition(edition_ref)
    try:
        outcome = verify_draw(edition=edition, seed=seed)
    except ServiceError as exc:
        _fail(exc.message)
    draw = get_draw(edition)
    _echo_result(edition, outcome.recomputed)
    click.echo(f"SHA-256 của mã bốc thăm:       {outcome.recomputed.seed_fingerprint}")
    click.echo(f"Dấu vân tay đã công bố trước:  {draw.seed_fingerprint}")
    if not outcome.fingerprint_matches:
        _fail("Không khớp: SHA-256 của mã bốc thăm khác với dấu vân tay đã công bố trước khi bốc thăm.")
    if not outcome.result_matches:
        _fail("Không khớp: kết quả tính lại từ mã bốc thăm khác với kết quả bốc thăm đã xác nhận.")
    click.echo("Khớp: kết quả tính lại từ mã bốc thăm trùng với kết quả bốc thăm đã xác nhận.")


@click.command("draw")
@click.option("--edition", "edition_ref", required=True, help="Mã hoặc năm của kỳ thi.")
@click.option("--step", type=click.Choice(["all", "prepare", "confirm"]), default="all", show_default=True,
              help="prepare: chỉ tạo mã bí mật và in dấu vân tay; confirm: xác nhận bốc thăm đã chuẩn bị; all: cả hai.")
@click.option("--quiz-sets", type=int, default=None, help="Số bộ đề trắc nghiệm (mặc định: theo ngân hàng câu hỏi).")
@click.option("--situation-sets", type=int, default=None, help="Số bộ tình huống (mặc định: theo ngân hàng câu hỏi).")
@click.option("--actor", default="dòng lệnh", show_default=True, help="Người thực hiện, ghi vào nhật ký.")
@with_appcontext
def draw_command(edition_ref: str, step: str, quiz_sets: int | None, situation_sets: int | None, actor: str) -> None:
    """Bốc thăm vòng chung khảo: thứ tự thi, đội phản biện, bộ đề và bộ tình huống."""
    edition = _edition(edition_ref)
    if step in ("all", "prepare"):
        try:
            draw = prepare_draw(edition=edition, actor=actor, quiz_sets=quiz_sets, situation_sets=situation_sets)
        except ServiceError as exc:
            db.session.rollback()
            _fail(exc.message)
        db.session.commit()
        click.echo(f"Đã chuẩn bị bốc thăm {edition.label}: {len(draw.entry_ids)} đội, "
                   f"{draw.quiz_sets} bộ đề trắc nghiệm, {draw.situation_sets} bộ tình huống.")
        click.echo(f"Dấu vân tay SHA-256 của mã bốc thăm: {draw.seed_fingerprint}")
    if step in ("all", "confirm"):
        try:
            draw = confirm_draw(edition=edition, actor=actor)
        except ServiceError as exc:
            db.session.rollback()
            _fail(exc.message)
        db.session.commit()
        click.echo(f"Mã bốc thăm: {draw.seed}")
        _echo_result(edition, compute_draw(draw.seed, draw.entry_ids, draw.quiz_sets, draw.situation_sets))
        click.echo(f"Kiểm tra lại: flask --app contest_app verify-draw --edition {edition.id} --seed {draw.seed}")


def register(app: Flask) -> None:
    """Add the draw commands to ``app``."""
    app.cli.add_command(draw_command)
    app.cli.add_command(verify_draw_command)
