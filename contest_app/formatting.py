"""Numbers, money and dates written the Vietnamese way: the one formatting module.

Built on Babel's ``vi`` locale (decimal comma, dot for thousands). Rounding happens once, here,
through ``contest_app.scoring.display``: half up (ROUND_HALF_UP) from the exact value, so Babel
only ever lays out a value that already has its final digits. For prose, pages, prints and the
live board; exports (CSV, Excel, JSON) carry ``rounded`` numbers, never these strings.
"""
from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from contest_app.scoring import display

LOCALE = "vi"
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Exact = Fraction | Decimal | int


def _exact(value: Any) -> Exact:
    """A float or a string becomes the Decimal it reads as (never a binary float)."""
    if isinstance(value, (Fraction, Decimal, int)) and not isinstance(value, bool):
        return value
    return Decimal(str(value))


def rounded(value: Any, places: int = 2) -> Decimal | None:
    """The displayed value as a real number (for Excel cells, CSV and JSON)."""
    if value is None or value == "":
        return None
    return display(_exact(value), places)


def _layout(value: Any, places: int, digit: str) -> str:
    if type(value) in (Fraction, Decimal, int):
        return _layout_exact(value, places, digit)
    return _layout_exact.__wrapped__(value, places, digit)


@functools.lru_cache(maxsize=4096)
def _layout_exact(value: Exact, places: int, digit: str) -> str:
    # Memoised on the exact number (equal numbers of any of these types hash alike and are laid
    # out alike): the live board lays out the same few dozen scores after every mark.
    shown = rounded(value, places)
    if shown is None:
        return ""
    pattern = "#,##0" + ("." + digit * places if places > 0 else "")
    return format_decimal(shown, format=pattern, locale=LOCALE)


def vn(value: Any, places: int = 2) -> str:
    """``places`` decimals with a decimal comma and dots for thousands: 7,17; 1.234,50; 88,50."""
    return _layout(value, places, "0")


def vn_short(value: Any, places: int = 2) -> str:
    """Like ``vn`` but without trailing zeros, as the report writes points: 9,5; 10; 58,82."""
    return _layout(value, places, "#")


def vn_score(value: Any) -> str | None:
    """A score for the board: 2 decimals with a decimal comma ("7,17"), or None."""
    return None if value is None else vn(value, 2)


@functools.lru_cache(maxsize=1024)
def vn_decimal(value: Decimal) -> str:
    """A mark, a maximum or a step as typed, without trailing zeros and without rounding: 10; 0,1; 7,5."""
    exponent = value.normalize().as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return format_decimal(value, format="0" + ("." + "#" * places if places else ""), locale=LOCALE)


def vn_percent(value: Any, places: int = 1) -> str:
    """A share (0..1) as a percentage with a decimal comma, half up: 0,5882 -> "58,8%"."""
    shown = rounded(_exact(value) * 100, places) if value is not None else None
    return "" if shown is None else f"{vn_short(shown, places)}%"


def vn_money(value: Any) -> str:
    """An amount in whole đồng, half up, dots for thousands: 10.000.000 (the caller writes "đồng")."""
    shown = rounded(value, 0)
    return "" if shown is None else format_decimal(shown, format="#,##0", locale=LOCALE)


def vn_date(value: date | None) -> str:
    """A date as administrative documents write it (Decree 30/2020/NĐ-CP): days below 10
    and the months January and February take a leading zero: 29/10/2019, 04/10/2019,
    14/5/2019, 31/01/2020. ``None`` gives the placeholder "…"."""
    if value is None:
        return "…"
    return format_date(value, "dd/MM/yyyy" if value.month < 3 else "dd/M/yyyy", locale=LOCALE)


def vn_day(value: date | datetime) -> str:
    """A date in tables and CSV files, always two-digit day and month: 31/01/2020, 14/05/2019
    (a moment is shown in Khánh Hòa's time, with its hour: 31/01/2020 17:00)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return format_datetime(value, "dd/MM/yyyy HH:mm", tzinfo=LOCAL_TZ, locale=LOCALE)
    return format_date(value, "dd/MM/yyyy", locale=LOCALE)


def vn_count(n: int) -> str:
    """A count as administrative reports write it: two digits below ten (05, 09), else as is (12, 95)."""
    return f"{n:02d}"


def vn_moment(moment: datetime) -> str:
    """A moment as people in Khánh Hòa read it: 17:00 ngày 15/08/2019 (a naive time is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment, "HH:mm 'ngày' dd/MM/yyyy", tzinfo=LOCAL_TZ, locale=LOCALE)
