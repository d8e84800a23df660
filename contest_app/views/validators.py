"""WTForms validators shared by the forms: bounded numbers and lengths that match the columns.

A number is checked on its text (ASCII digits, a bounded count of digits, no sign or
exponent) before anything turns it into a Decimal, so "NaN", "1e999" and 30-digit
numbers get a Vietnamese message instead of a server error, and nothing is stored.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from wtforms.validators import Length, StopValidation

from contest_app.services.errors import ValidationError
from contest_app.services.trust.inputs import decimal_text, require_decimal

MAX_ID = 2**63 - 1


class DecimalText:
    """The field holds a plain number between ``minimum`` and ``maximum`` with at most ``places`` decimals."""

    def __init__(self, *, minimum: Decimal | int, maximum: Decimal | int, places: int = 2, message: str) -> None:
        self.minimum, self.maximum, self.places, self.message = Decimal(minimum), Decimal(maximum), places, message
        self.int_digits = len(str(int(self.maximum)))

    def __call__(self, form: Any, field: Any) -> None:
        value = decimal_text(field.data, int_digits=self.int_digits, places=self.places)
        if value is None or not self.minimum <= value <= self.maximum:
            raise StopValidation(self.message)


class IntText:
    """The field holds a whole number between ``minimum`` and ``maximum`` (ASCII digits only)."""

    def __init__(self, *, minimum: int, maximum: int, message: str) -> None:
        self.minimum, self.maximum, self.message = minimum, maximum, message

    def __call__(self, form: Any, field: Any) -> None:
        text = str(field.data if field.data is not None else "").strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 18) or not self.minimum <= int(text) <= self.maximum:
            raise StopValidation(self.message)


def column_length(column: Any, label: str) -> Length:
    """``Length(max=...)`` of the column ``column`` (e.g. ``Team.name``), with a Vietnamese message."""
    limit = column.property.columns[0].type.length
    return Length(max=limit, message=f"{label} dài tối đa {limit} ký tự.")


def form_id(raw: Any) -> int:
    """An id posted by a form: ASCII digits, 1..2^63-1; else a Vietnamese ValidationError."""
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 19) or not 1 <= int(text) <= MAX_ID:
        raise ValidationError("Dữ liệu nhập không hợp lệ: mã không đúng.", code="bad_id")
    return int(text)


def form_mark(raw: Any) -> str:
    """A mark typed in a form, as plain text with bounded digits (the service checks range and step)."""
    return format(require_decimal(raw, int_digits=4, places=4,
                                  message="Điểm phải là một số (ví dụ 8,5), tối đa 4 chữ số thập phân."), "f")
