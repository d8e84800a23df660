"""Which question bank an edition draws its quiz and situation sets from.

An edition keeps its choice in ``Edition.question_bank`` (a folder of ``question_banks/``);
without one it uses the history bank of its own year, else the newest current bank
(``catalog.bank_for_edition``). A history bank is offered only to its own edition, and the
choice is locked once the draw is confirmed (the teams' sets come from it). Flushes only.
"""
from __future__ import annotations

from contest_app.models import Edition
from contest_app.question_banks.catalog import BankFolder, bank_for_edition, bank_folders, offered_banks
from contest_app.services.trust.audit import record_event
from contest_app.services.final.draw import banks_catalog_root, get_draw
from contest_app.services.errors import Conflict, ValidationError


def bank_choices(edition: Edition) -> list[BankFolder]:
    """The banks an organiser may choose for ``edition``."""
    return offered_banks(banks_catalog_root(), year=edition.year)


def current_bank(edition: Edition) -> BankFolder | None:
    """The bank ``edition`` uses now (its choice, or the default)."""
    return bank_for_edition(banks_catalog_root(), year=edition.year, chosen=edition.question_bank)


def set_question_bank(*, edition: Edition, bank: str, actor: str) -> BankFolder:
    """Make ``edition`` draw its sets from the bank folder ``bank``; audited.

    Refused for an unknown bank, a history bank of another edition, or after the draw
    has been confirmed.
    """
    draw = get_draw(edition)
    if draw is not None and draw.is_confirmed:
        raise Conflict(
            "Kết quả bốc thăm đã được xác nhận: không thể đổi ngân hàng câu hỏi của kỳ thi.",
            code="draw_locked",
        )
    folders, _ = bank_folders(banks_catalog_root())
    folder = next((f for f in folders if f.name == bank), None)
    if folder is None:
        names = ", ".join(f.name for f in folders) or "không có"
        raise ValidationError(f"Không có ngân hàng câu hỏi “{bank}” (có: {names}).", code="unknown_bank")
    if folder.is_history and folder.edition_year != edition.year:
        raise ValidationError(
            f"Ngân hàng “{folder.name}” là lịch sử của kỳ thi năm {folder.edition_year}, "
            "không dùng cho kỳ thi khác.",
            code="history_bank",
        )
    before = edition.question_bank
    edition.question_bank = folder.name
    record_event(
        actor=actor, action="question_bank_chosen", edition_id=edition.id, object_type="edition",
        object_id=edition.id, before={"question_bank": before}, after={"question_bank": folder.name},
    )
    return folder
