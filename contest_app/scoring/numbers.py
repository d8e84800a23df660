"""Exact numbers and the one rounding rule for display."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

Number = Decimal | Fraction | int | str


def to_fraction(value: Number) -> Fraction:
    """Convert a Decimal, int, Fraction or decimal string to an exact Fraction."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not exact: pass a Decimal or a string")
    return Fraction(Decimal(value) if isinstance(value, str) else value)


def exact_sum(values: Iterable[Number]) -> Fraction:
    """The exact sum of ``values`` as a Fraction (the same value as adding them one by one).

    Numerators are added per denominator first, so a sum of scores that share a few
    denominators (marks on a 0.01 grid, means over the same panel) costs one Fraction
    addition per distinct denominator instead of one per value.
    """
    numerators: dict[int, int] = {}
    for value in values:
        kind = type(value)
        if kind is Fraction:
            num, den = value.numerator, value.denominator
        elif kind is Decimal:
            num, den = value.as_integer_ratio()
        elif kind is int:
            num, den = value, 1
        else:
            exact = to_fraction(value)
            num, den = exact.numerator, exact.denominator
        numerators[den] = numerators.get(den, 0) + num
    total_num, total_den = 0, 1
    for den, num in numerators.items():
        total_num, total_den = total_num * den + num * total_den, total_den * den
    return Fraction(total_num, total_den)


def display(value: Fraction | Decimal | int | None, places: int = 2) -> Decimal | None:
    """Round an exact value for display: ``places`` decimals, half up (7.165 -> 7.17).

    The value is rounded from its exact form, once; rounded values are never fed
    back into a computation.
    """
    if value is None:
        return None
    exact = to_fraction(value)
    quantum = Decimal(1).scaleb(-places)
    sign = -1 if exact < 0 else 1
    scaled = abs(exact) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return (Decimal(sign * whole) * quantum).quantize(quantum)


def display_str(value: Fraction | Decimal | int | None, places: int = 2) -> str | None:
    """``display`` as a string with exactly ``places`` decimals ("7.17"), or None."""
    shown = display(value, places)
    return None if shown is None else f"{shown:.{places}f}"
