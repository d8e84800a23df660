"""``flask banks …`` commands: check the question banks, import quiz questions.

Registered by the application factory with ``app.cli.add_command(banks_cli)``.
Commands only print and exit; the rules live in ``loader`` and ``importers``.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import click
from flask.cli import AppGroup

from contest_app.paths import QUESTION_BANKS_DIR
from contest_app.question_banks.importers import FORMATS, ImportRejected, import_quiz_file
from contest_app.question_banks.catalog import bank_folders
from contest_app.question_banks.checks import check_law, check_quality
from contest_app.question_banks.loader import (
    QUIZ_DIR,
    BankError,
    check_banks,
    parse_date,
    parse_positive_decimal,
    parse_quiz_text,
)
from contest_app.question_banks.register import REGISTER_FILE, load_register
from contest_app.question_banks.writer import write_quiz_set

DEFAULT_ROOT = QUESTION_BANKS_DIR

banks_cli = AppGroup("banks", help="Kiểm tra và nhập ngân hàng câu hỏi (trắc nghiệm, tình huống).")


def _print_errors(errors: list[BankError]) -> None:
    for error in errors:
        click.echo(str(error), err=True)


def _in_folder(folder_name: str | None, errors: list[BankError]) -> list[BankError]:
    """Name files relative to the banks' root (``2027/quiz/bo-de-1.txt``)."""
    if not folder_name:
        return list(errors)
    return [
        BankError(f"{folder_name}/{e.file}" if e.file else folder_name, e.line, e.message) for e in errors
    ]


def _warn(warnings: list[BankError]) -> None:
    for w in warnings:
        where = (f"{w.file}:{w.line}" if w.line else w.file) if w.file else ""
        click.echo(f"{where}: Cảnh báo: {w.message}" if where else f"Cảnh báo: {w.message}", err=True)


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise click.BadParameter(f"'{value}' không phải ngày (NNNN-TT-NN, ví dụ 2026-12-01).")
    return day


@banks_cli.command("check", with_appcontext=False)
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_ROOT,
    show_default=True,
    help="Thư mục các ngân hàng câu hỏi (mỗi ngân hàng một thư mục có bank.toml), "
    "hoặc một ngân hàng (chứa quiz/ và situations/).",
)
@click.option("--as-of", "as_of", default=None,
              help="Ngày đối chiếu pháp luật (NNNN-TT-NN); mặc định: valid_as_of của từng tệp.")
@click.option("--bank", "bank_name", default=None,
              help="Chỉ kiểm tra ngân hàng này (tên thư mục, ví dụ 2027); in cả cảnh báo của ngân hàng lịch sử.")
@click.option("--register", "register_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Sổ văn bản pháp luật (mặc định: legal_register.csv của thư mục gốc).")
def check_command(root: Path, as_of: str | None, bank_name: str | None, register_path: Path | None) -> None:
    """Kiểm tra ngân hàng câu hỏi: định dạng, văn bản còn hiệu lực, chất lượng; báo lỗi kèm tệp và dòng."""
    day = _parse_day(as_of)
    folders, errors = bank_folders(root)
    multi = not (Path(root) / QUIZ_DIR).is_dir()
    if bank_name is not None:
        chosen = [f for f in folders if f.name == bank_name]
        if not chosen:
            names = ", ".join(f.name for f in folders) or "không có"
            click.echo(f"Không có ngân hàng '{bank_name}' (có: {names}).", err=True)
            raise SystemExit(1)
        folders = chosen
    if register_path is None:
        register_path = Path(root) / REGISTER_FILE
        if not register_path.is_file():
            register_path = DEFAULT_ROOT / REGISTER_FILE
    register, register_errors = load_register(register_path)
    errors = list(errors) + register_errors
    warnings: list[BankError] = []
    summary = []
    quiz_sets = quiz_count = situation_sets = situation_count = 0
    for folder in folders:
        prefix = folder.name if multi else None
        banks, format_errors = check_banks(folder.path)
        errors += _in_folder(prefix, format_errors)
        law = check_law(banks, as_of=None if folder.is_history else day, register=register)
        quality = check_quality(banks, strict=not folder.is_history)
        if folder.is_history:
            # Kept as it was used: its findings are history, shown when asked for by name.
            found = law.errors + quality.warnings
            if bank_name is not None:
                warnings += _in_folder(prefix, found)
            summary.append(
                f"Ngân hàng {folder.label}: {len(banks.quiz_sets)} bộ đề trắc nghiệm, "
                f"{len(banks.situation_sets)} bộ tình huống; {len(found)} cảnh báo"
                + ("." if bank_name is not None else f" (xem: --bank {folder.name}).")
            )
            continue
        errors += _in_folder(prefix, law.errors + quality.errors)
        warnings += _in_folder(prefix, quality.warnings)
        when = f"ngày {day:%d/%m/%Y}" if day else "ngày valid_as_of của từng tệp"
        summary.append(f"Ngân hàng {folder.label}, đối chiếu pháp luật {when}:")
        summary += [f"  {stats.line()}" for stats in quality.stats]
        quiz_sets += len(banks.quiz_sets)
        quiz_count += banks.quiz_count
        situation_sets += len(banks.situation_sets)
        situation_count += banks.situation_count
    for line in summary:
        click.echo(line)
    _warn(warnings)
    if errors:
        _print_errors(errors)
        click.echo(f"Không hợp lệ: {len(errors)} lỗi.", err=True)
        raise SystemExit(1)
    click.echo(
        f"Hợp lệ: {quiz_sets} bộ đề trắc nghiệm ({quiz_count} câu), "
        f"{situation_sets} bộ tình huống ({situation_count} tình huống)."
    )


def _existing_codes(root: Path, out: Path) -> dict[str, str]:
    """Codes already used in the bank ``out`` is written to, except in ``out`` itself.

    Codes are unique within one bank; with a root of several banks, the bank is the one
    holding ``out``, else every current bank.
    """
    folders, _ = bank_folders(root)
    out = out.resolve()
    holding = [f for f in folders if f.path.resolve() in out.parents]
    codes = {}
    for folder in holding or [f for f in folders if not f.is_history]:
        banks, _ = check_banks(folder.path)
        for quiz_set in banks.quiz_sets:
            for q in quiz_set.questions:
                if (folder.path / q.file).resolve() != out:
                    codes[q.code] = f"{q.file}:{q.line}"
        for situation_set in banks.situation_sets:
            for s in situation_set.situations:
                codes[s.code] = f"{s.file}:{s.line}"
    return codes


@banks_cli.command("import", with_appcontext=False)
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
@click.option("--basis", default=None,
              help="Căn cứ pháp lý cho câu không ghi căn cứ (GIFT, Aiken), ví dụ '118/2025/NĐ-CP, Điều 14'.")
@click.option("--time", "time_seconds", type=click.IntRange(min=1), default=None,
              help="Thời gian (giây) cho câu không ghi thời gian (GIFT, Aiken).")
@click.option("--points", default=None, help="Điểm cho câu không ghi điểm (GIFT, Aiken).")
@click.option("--code-prefix", default=None,
              help="Tiền tố mã cho câu không có mã (mặc định KT<set>-).")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_ROOT,
              help="Ngân hàng hiện có, để kiểm tra trùng mã.")
@click.option("--valid-as-of", "valid_as_of", default=None,
              help="Ngày đối chiếu pháp luật ghi vào khối đầu tệp (NNNN-TT-NN).")
@click.option("--force", is_flag=True, help="Ghi đè tệp đích nếu đã có.")
def import_command(
    file: Path, fmt: str, set_number: int, out: Path, title: str | None, topic: str | None,
    source: str | None, basis: str | None, time_seconds: int | None, points: str | None,
    code_prefix: str | None, root: Path, valid_as_of: str | None, force: bool,
) -> None:
    """Chuyển tệp GIFT, Aiken hoặc Excel thành một bộ đề trắc nghiệm; câu nào lỗi thì không ghi gì."""
    day = _parse_day(valid_as_of)
    if out.exists() and not force:
        click.echo(f"Tệp {out} đã có; dùng --force để ghi đè. Không ghi gì.", err=True)
        raise SystemExit(1)
    if points is not None and parse_positive_decimal(points) is None:
        click.echo(f"Điểm '--points {points}' không hợp lệ: phải là số lớn hơn 0.", err=True)
        raise SystemExit(1)
    defaults = {
        key: value for key, value in (
            ("topic", topic), ("source", source), ("basis", basis),
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
        questions, set_number=set_number, title=title or f"Bộ đề trắc nghiệm số {set_number}",
        valid_as_of=day,
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

