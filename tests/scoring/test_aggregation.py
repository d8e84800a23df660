from decimal import Decimal
from fractions import Fraction

import pytest

from contest_app.scoring import MEAN, TRIMMED_MEAN, display, display_str, segment_score


@pytest.mark.parametrize(
    ("marks", "method", "exact", "shown"),
    [
        (["8", "9", "9", "8", "8", "9"], MEAN, Fraction(17, 2), "8.50"),
        (["7", "7", "7", "7", "7", "8"], MEAN, Fraction(43, 6), "7.17"),
        (["14.6"] * 6, MEAN, Fraction(73, 5), "14.60"),
        (["1", "2", "2"], MEAN, Fraction(5, 3), "1.67"),
        (["0.125", "0"], MEAN, Fraction(1, 16), "0.06"),
        # drop the highest (10) and the lowest (2): mean of 6, 7, 7, 8 = 7
        (["2", "6", "7", "7", "8", "10"], TRIMMED_MEAN, Fraction(7), "7.00"),
        # only one of several equal extremes is dropped
        (["5", "5", "5", "9", "9", "9"], TRIMMED_MEAN, Fraction(7), "7.00"),
        (["4", "8"], TRIMMED_MEAN, Fraction(6), "6.00"),
        (["60.1", "61.3", "59.9", "75", "40", "61.1"], TRIMMED_MEAN, Fraction(303, 5), "60.60"),
    ],
)
def test_segment_score_table(marks, method, exact, shown):
    score = segment_score([Decimal(m) for m in marks], method)
    assert score == exact
    assert display_str(score) == shown


def test_segment_score_without_marks_is_none():
    assert segment_score([], MEAN) is None
    assert display_str(None) is None


def test_segment_score_rejects_unknown_method():
    with pytest.raises(ValueError, match="unknown aggregation method"):
        segment_score([Decimal(1)], "median")


def test_segment_score_refuses_floats():
    with pytest.raises(TypeError):
        segment_score([0.1, 0.2], MEAN)


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Fraction(7165, 1000), 2, Decimal("7.17")),
        (Fraction(7164999, 1000000), 2, Decimal("7.16")),
        (Fraction(-1005, 1000), 2, Decimal("-1.01")),
        (Fraction(86, 12), 2, Decimal("7.17")),
        (Fraction(1, 3), 0, Decimal("0")),
        (Decimal("0.5"), 0, Decimal("1")),
        (Fraction(2150, 3), 2, Decimal("716.67")),
    ],
)
def test_display_rounds_half_up_once(value, places, shown):
    assert display(value, places) == shown
