"""``flask banks …`` commands: check the question banks, import quiz questions.

Registered by the application factory with ``app.cli.add_command(banks_cli)``.
Commands only print and exit; the rules live in ``loader`` and ``importers``.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click
from flask.cli import AppGroup

from contest_app.paths import QUESTION_BANKS_DIR
from contest_app.question_banks.importers import FORMATS, ImportRejected, import_quiz_file
from contest_app.question_banks.loader import (
    BankError,
    check_banks,
    parse_positive_decimal,
    parse_quiz_text,
)
from contest_app.question_banks.writer import write_quiz_set

DEFAULT_ROOT = QUESTION_BANKS_DIR

banks_cli = AppGroup("banks", help="Kiểm tra và nhập ngân hàng câu hỏi (trắc nghiệm, tình huống).")


def _print_errors(errors: list[BankError]) -> None:
    for error in errors:
        click.echo(str(error), err=True)


@banks_cli.command("check")
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_ROOT,
    show_default=True,
    help="Thư mục ngân hàng câu hỏi (chứa quiz/ và situations/).",
)
def check_command(root: Path) -> None:
    """Kiểm tra toàn bộ ngân hàng câu hỏi; báo mọi lỗi kèm tệp và dòng."""
    banks, errors = check_banks(root)
    if errors:
        _print_errors(errors)
        click.echo(f"Không hợp lệ: {len(errors)} lỗi.", err=True)
        raise SystemExit(1)
    click.echo(
        f"Hợp lệ: {len(banks.quiz_sets)} bộ đề trắc nghiệm ({banks.quiz_count} câu), "
        f"{len(banks.situation_sets)} bộ tình huống ({banks.situation_count} tình huống)."
    )


def _existing_codes(root: Path, out: Path) -> dict[str, str]:
    """Codes already used under ``root``, except in the file being replaced."""
    if not root.is_dir():
        return {}
    banks, _ = check_banks(root)
    out = out.resolve()
    codes = {}
    for quiz_set in banks.quiz_sets:
        for q in quiz_set.questions:
            if (root / q.file).resolve() != out:
                codes[q.code] = f"{q.file}:{q.line}"
    for situation_set in banks.situation_sets:
        for s in situation_set.situations:
            codes[s.code] = f"{s.file}:{s.line}"
    return codes


@banks_cli.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="Định dạng tệp nguồn.")
@click.option("--set", "set_number", type=click.IntRange(min=1), required=True,
              help="Số bộ đề sẽ ghi.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Tệp bộ đề sẽ ghi (định dạng của question_banks/).")
@click.option("--title", default=None, help="Tên bộ đề (mặc định: 'Bộ đề trắc nghiệm số N').")
@click.option("--topic", default=None, help="Chủ đề cho câu không ghi chủ đề (GIFT, Aiken).")
@click.option("--source", default=None, help="Nguồn cho câu không ghi nguồn (GIFT, Aiken).")
@click.option("--time", "time_seconds", type=click.IntRange(min=1), default=None,
              help="Thời gian (giây) cho câu không ghi thời gian (GIFT, Aiken).")
@click.option("--points", default=None, help="Điểm cho câu không ghi điểm (GIFT, Aiken).")
@click.option("--code-prefix", default=None,
              help="Tiền tố mã cho câu không có mã (mặc định KT<set>-).")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_ROOT,
              help="Ngân hàng hiện có, để kiểm tra trùng mã.")
@click.option("--force", is_flag=True, help="Ghi đè tệp đích nếu đã có.")
def import_command(
    file: Path, fmt: str, set_number: int, out: Path, title: str | None, topic: str | None,
    source: str | None, time_seconds: int | None, points: str | None,
    code_prefix: str | None, root: Path, force: bool,
) -> None:
    """Chuyển tệp GIFT, Aiken hoặc Excel thành một bộ đề trắc nghiệm; câu nào lỗi thì không ghi gì."""
    if out.exists() and not force:
        click.echo(f"Tệp {out} đã có; dùng --force để ghi đè. Không ghi gì.", err=True)
        raise SystemExit(1)
    if points is not None and parse_positive_decimal(points) is None:
        click.echo(f"Điểm '--points {points}' không hợp lệ: phải là số lớn hơn 0.", err=True)
        raise SystemExit(1)
    defaults = {
        key: value for key, value in (
            ("topic", topic), ("source", source),
            ("time", str(time_seconds) if time_seconds else None), ("points", points),
        ) if value
    }
    try:
        questions = import_quiz_file(
            file, fmt, set_number=set_number, defaults=defaults, code_prefix=code_prefix
        )
    except ImportRejected as rejected:
        _print_errors(rejected.errors)
        click.echo(
            f"Không nhập được: tệp có {len(rejected.errors)} lỗi. Không ghi gì.", err=True
        )
        raise SystemExit(1) from None
    existing = _existing_codes(root, out)
    clashes = [
        BankError(file.name, q.line, f"Mã {q.code} đã có trong {existing[q.code]}.")
        for q in questions if q.code in existing
    ]
    text = write_quiz_set(
        questions, set_number=set_number, title=title or f"Bộ đề trắc nghiệm số {set_number}"
    )
    check_errors: list[BankError] = []
    parse_quiz_text(text, out.name, check_errors)  # the file we write must load back
    if clashes or check_errors:
        _print_errors(clashes + check_errors)
        click.echo("Không nhập được. Không ghi gì.", err=True)
        raise SystemExit(1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    total = sum((q.points for q in questions), Decimal(0))
    click.echo(
        f"Đã ghi {len(questions)} câu (tổng {format(total.normalize(), 'f')} điểm) "
        f"vào {out} (bộ đề số {set_number})."
    )
