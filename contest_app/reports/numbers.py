"""Numbers and dates written the Vietnamese way, for prose and prints (never for exports).

Rounding happens once, through ``contest_app.scoring.display`` (half up from the exact value).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from contest_app.scoring import display

Exact = Fraction | Decimal | int


def _swap_separators(text: str) -> str:
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn(value: Exact | None, places: int = 2) -> str:
    """``places`` decimals with a decimal comma and dots for thousands: 7,17; 1.234,50."""
    if value is None:
        return ""
    return _swap_separators(f"{display(value, places):,.{places}f}")


def vn_short(value: Exact | None, places: int = 2) -> str:
    """Like ``vn`` but without trailing zeros, as the report writes points: 9,5; 10; 58,82."""
    if value is None:
        return ""
    text = f"{display(value, places):,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _swap_separators(text)


def vn_money(value: Exact | None) -> str:
    """An amount in đồng with dots for thousands: 1.000.000."""
    if value is None:
        return ""
    return f"{int(display(value, 0)):,}".replace(",", ".")


def vn_date(value: date | None) -> str:
    """A date as administrative documents write it (Decree 30/2020/NĐ-CP): days below 10
    and the months January and February take a leading zero: 29/10/2019, 04/10/2019,
    14/5/2019, 31/01/2020. ``None`` gives the placeholder "…"."""
    if value is None:
        return "…"
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{value.day:02d}/{month}/{value.year}"


def rounded(value: Exact | None, places: int = 2) -> Decimal | None:
    """The displayed value as a real number (for Excel cells, CSV and JSON)."""
    return display(value, places)
