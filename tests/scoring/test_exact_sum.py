"""exact_sum adds per denominator and gives the same exact value as adding one by one."""
from decimal import Decimal
from fractions import Fraction

import pytest

from contest_app.scoring.numbers import exact_sum
from contest_app.scoring.ranking import Standing, rank_entries


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], Fraction(0)),
        ([Decimal("14.20"), Decimal("14.5"), 3, Fraction(1, 3)], Fraction("28.7") + 3 + Fraction(1, 3)),
        ([Fraction(86, 6), Fraction(73, 4), Decimal("-0.01")], Fraction(86, 6) + Fraction(73, 4) - Fraction(1, 100)),
        (["7.165", Decimal("0.005")], Fraction("7.17")),
    ],
)
def test_exact_sum_equals_the_plain_sum(values, expected):
    assert exact_sum(values) == expected
    assert exact_sum(values) == sum((Fraction(Decimal(v)) if isinstance(v, str) else Fraction(v) for v in values), Fraction(0))


def test_exact_sum_refuses_floats():
    with pytest.raises(TypeError):
        exact_sum([0.1])


def test_ranks_on_thirds_and_sixths_keep_exact_ties():
    # 1/3 + 1/6 == 1/2 exactly: a tie that float keys could break
    standings = [
        Standing("a", {"x": Fraction(1, 3), "y": Fraction(1, 6)}),
        Standing("b", {"x": Fraction(1, 2), "y": None}),
        Standing("c", {"x": Decimal("0.49"), "y": Fraction(1, 100)}),
        Standing("d", {"x": Fraction(1, 7), "y": None}),
    ]
    ranked = rank_entries(standings, tie_break=())
    assert [(r.entry_id, r.rank, r.tied) for r in ranked] == [("a", 1, True), ("b", 1, True), ("c", 1, True), ("d", 4, False)]
    assert ranked[0].total == Fraction(1, 2)
