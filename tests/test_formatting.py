from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

from contest_app.formatting import vn, vn_date, vn_decimal, vn_moment, vn_money, vn_percent, vn_score, vn_short


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


def test_vn_money_rounds_half_up_to_whole_dong():
    assert vn_money(Decimal("10000000")) == "10.000.000"
    assert vn_money(Decimal("1000000.5")) == "1.000.001"
    assert vn_money(Decimal("1000000.49")) == "1.000.000"
    assert vn_money(None) == ""


def test_vn_fixed_places_and_percent():
    assert vn(Decimal("88.5")) == "88,50"
    assert vn(Decimal("0.125")) == "0,13"  # half up, not half even
    assert vn(1.005) == "1,01"  # a float is read as the decimal it prints as
    assert vn(Decimal("99.95"), 1) == "100,0"
    assert vn_percent(Decimal("0.58825"), 2) == "58,83%"
    assert vn_percent(Fraction(1, 3)) == "33,3%"


def test_vn_decimal_writes_a_mark_as_typed_and_vn_score_the_board():
    assert vn_decimal(Decimal("10")) == "10"
    assert vn_decimal(Decimal("0.1")) == "0,1"
    assert vn_decimal(Decimal("7.50")) == "7,5"
    assert vn_score(Fraction(86, 12)) == "7,17"
    assert vn_score(None) is None


def test_vn_moment_is_local_time_in_khanh_hoa():
    assert vn_moment(datetime(2019, 8, 15, 10, 0, tzinfo=UTC)) == "17:00 ngày 15/08/2019"
    assert vn_moment(datetime(2019, 12, 31, 20, 5)) == "03:05 ngày 01/01/2020"


def test_vn_day_always_has_two_digit_day_and_month():
    from datetime import UTC, date, datetime

    from contest_app.formatting import vn_day

    assert vn_day(date(2019, 5, 14)) == "14/05/2019"
    assert vn_day(date(2020, 1, 31)) == "31/01/2020"
    assert vn_day(datetime(2019, 10, 4, 1, 30, tzinfo=UTC)) == "04/10/2019 08:30"


def test_vn_count_pads_below_ten_as_the_report_writes_counts():
    from contest_app.formatting import vn_count

    assert [vn_count(n) for n in (1, 9, 12, 95, 262)] == ["01", "09", "12", "95", "262"]
