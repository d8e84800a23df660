"""What a person may type, checked before anything is computed or stored.

One place for the rules every edge shares (Socket.IO payloads, forms, importers):
numbers written with ASCII digits only and a bounded number of digits (checked on the
text, BEFORE any Decimal arithmetic could round), no NUL or control characters, and
every text no longer than the column it goes into (``guard_lengths`` checks every
flush, so importers and services are covered too).
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any

from sqlalchemy import String, event
from sqlalchemy.orm import Session

from contest_app.services.errors import ValidationError

#: A decimal number as people type it: ASCII digits, one decimal point or comma, no sign,
#: no exponent. Integer and fraction digits are bounded so that no arithmetic can round.
_DECIMAL = re.compile(r"(?:[0-9]{1,%d}(?:[.,][0-9]{0,%d})?|[.,][0-9]{1,%d})")
INT_DIGITS = 6
PLACES = 6
#: Columns without a declared length (Text) still hold no more than this.
TEXT_LIMIT = 20_000
NOT_A_NUMBER = "“{value}” không phải là một số hợp lệ (chỉ dùng chữ số 0–9 và một dấu phẩy thập phân, tối đa {digits} chữ số phần nguyên và {places} chữ số thập phân)."
CONTROL = "Nội dung có ký tự điều khiển không hợp lệ (ví dụ ký tự NUL); vui lòng nhập lại."
TOO_LONG = "“{label}” dài {length} ký tự, vượt quá {limit} ký tự cho phép."
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def decimal_text(raw: Any, *, int_digits: int = INT_DIGITS, places: int = PLACES,
                 allow_minus: bool = False) -> Decimal | None:
    """The exact Decimal written in ``raw``, or None when it is not a plain bounded number.

    Accepts an int, a float (by its shortest repr), a Decimal or a string ("8,5", " 9.5 ");
    refuses booleans, signs (so "-0" too), exponents, NaN, infinities, non-ASCII digits
    ("８", "٨"), and more than ``int_digits`` integer or ``places`` decimal digits. With
    ``allow_minus`` a negative number comes back negative (for the caller's "below 0"
    message) but a negative zero ("-0") is still refused.
    """
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float):
        text = repr(raw)
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            return None
        text = format(raw, "f")
    elif isinstance(raw, str):
        text = raw.strip(" \t")
    else:
        return None
    negative = allow_minus and text.startswith("-")
    if negative:
        text = text[1:]
    pattern = _DECIMAL.pattern % (int_digits, places, places)
    if len(text) > int_digits + places + 1 or not re.fullmatch(pattern, text):
        return None
    value = Decimal(text.replace(",", "."))
    if negative:
        return -value if value else None
    return value


def require_decimal(raw: Any, *, int_digits: int = INT_DIGITS, places: int = PLACES, code: str = "not_a_number",
                    message: str | None = None) -> Decimal:
    """``decimal_text`` or a Vietnamese ValidationError."""
    value = decimal_text(raw, int_digits=int_digits, places=places)
    if value is None:
        shown = str(raw)[:20] + ("…" if len(str(raw)) > 20 else "")
        raise ValidationError(
            message or NOT_A_NUMBER.format(value=printable(shown), digits=int_digits, places=places), code=code
        )
    return value


def printable(text: str) -> str:
    """``text`` with control characters removed (to quote it back in a message)."""
    return "".join(c for c in text if not _is_control(c))


def _is_control(char: str) -> bool:
    return char not in _ALLOWED_CONTROLS and unicodedata.category(char) in ("Cc", "Cs")


def has_control(text: str) -> bool:
    """True when ``text`` holds NUL or another control character (tab and newlines are allowed)."""
    return any(_is_control(c) for c in text)


def check_text(text: Any, *, label: str, limit: int | None) -> None:
    """Refuse (ValidationError, Vietnamese) a text with control characters or longer than ``limit``."""
    if not isinstance(text, str):
        return
    if has_control(text):
        raise ValidationError(CONTROL, code="control_characters")
    if limit is not None and len(text) > limit:
        raise ValidationError(TOO_LONG.format(label=label, length=len(text), limit=limit), code="too_long")


#: Vietnamese names of the columns people fill in, for the messages (others use the column name).
LABELS = {
    "name": "Tên", "title": "Tên/tiêu đề", "username": "Tên đăng nhập", "display_name": "Họ và tên",
    "summary": "Tóm tắt", "members": "Thành viên", "reason": "Lý do", "note": "Ghi chú",
    "rules_reference": "Điều lệ", "report_number": "Số báo cáo", "issuing_body": "Cơ quan ban hành",
    "leader": "Trưởng nhóm", "topic": "Chủ đề", "source": "Nguồn", "stem": "Câu hỏi", "code": "Mã",
    "short_name": "Tên viết tắt", "contact": "Liên hệ", "filename": "Tên tệp",
}


def _check_instance(obj: Any) -> None:
    mapper = getattr(obj, "__mapper__", None)
    if mapper is None:
        return
    check_row(type(obj), {
        column.key: getattr(obj, mapper.get_property_by_column(column).key, None)
        for column in mapper.columns if isinstance(column.type, String) and column.key in mapper.attrs
    })


def check_row(model: Any, values: dict[str, Any]) -> None:
    """Check the texts of a row of ``model`` given as a dict of its columns, as a flushed row's are."""
    for column in model.__mapper__.columns:
        value = values.get(column.key)
        if isinstance(value, str) and isinstance(column.type, String):
            check_text(value, label=LABELS.get(column.key, column.key), limit=column.type.length or TEXT_LIMIT)


def guard_lengths(session_class: Any = Session) -> None:
    """Check every new or changed row's texts (length, control characters) before each flush."""
    if getattr(session_class, "_contest_length_guard", False):
        return

    @event.listens_for(session_class, "before_flush")
    def _before_flush(session, _context, _instances):  # pragma: no cover - exercised through flushes
        for obj in list(session.new) + list(session.dirty):
            _check_instance(obj)

    session_class._contest_length_guard = True
