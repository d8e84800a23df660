from datetime import date
from decimal import Decimal
from fractions import Fraction

from contest_app.reports.numbers import vn, vn_date, vn_money, vn_short


def test_vn_rounds_once_half_up_with_decimal_comma():
    assert vn(Fraction(86, 12)) == "7,17"
    assert vn(Decimal("58.825")) == "58,83"
    assert vn(Decimal("1234.5")) == "1.234,50"
    assert vn(Decimal("-0.25")) == "-0,25"
    assert vn(None) == ""


def test_vn_short_drops_trailing_zeros_like_the_report():
    assert vn_short(Decimal("9.50")) == "9,5"
    assert vn_short(Decimal("14.60")) == "14,6"
    assert vn_short(Decimal("10")) == "10"
    assert vn_short(Decimal("75.00")) == "75"
    assert vn_short(Fraction(7058, 120)) == "58,82"


def test_vn_money_uses_dots_for_thousands():
    assert vn_money(Decimal("1000000")) == "1.000.000"


def test_vn_date_pads_days_below_ten_and_january_february():
    assert vn_date(date(2019, 10, 29)) == "29/10/2019"
    assert vn_date(date(2019, 10, 4)) == "04/10/2019"
    assert vn_date(date(2019, 5, 14)) == "14/5/2019"
    assert vn_date(date(2020, 1, 31)) == "31/01/2020"
    assert vn_date(None) == "…"
