"""Item analysis after a final: each quiz item's difficulty and discrimination, per set.

Pure (standard library only). ``analyse_set`` takes the codes of a set's items and, for
each team that drew the set, which items it answered correctly (an item not answered
counts as wrong). For each item it gives:

- ``p``: difficulty, the share of teams that answered it correctly;
- ``r_pb``: the point-biserial correlation between the item (0/1) and the team's score on
  the REST of the set (corrected item-total), or None when it cannot be computed
  (fewer than 3 teams, or no spread);
- ``d_27``: the upper-lower index, share correct among the top 27% of teams minus the
  bottom 27% (at least one team each), or None with fewer than 4 teams;
- ``retire``: the reasons to retire or review the item (Vietnamese): everyone right,
  nobody right, negative discrimination, or weak discrimination (< 0.2) with 10 teams or more.

A final has about a dozen teams over five sets, so a set is usually drawn by two or three
teams: the figures are indicative; ``SetAnalysis.caution`` says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Mapping, Sequence

UPPER_LOWER_SHARE = Decimal("0.27")
WEAK_DISCRIMINATION = Decimal("0.2")
MIN_TEAMS_FOR_WEAK = 10
MIN_TEAMS_RELIABLE = 5


@dataclass(frozen=True)
class ItemStats:
    code: str
    teams: int
    correct: int
    p: Decimal
    r_pb: Decimal | None
    d_27: Decimal | None
    retire: tuple[str, ...]


@dataclass(frozen=True)
class SetAnalysis:
    number: int
    teams: int
    items: tuple[ItemStats, ...]

    @property
    def caution(self) -> str | None:
        if self.teams < MIN_TEAMS_RELIABLE:
            return f"chỉ {self.teams} đội làm bộ đề này: số liệu chỉ mang tính tham khảo"
        return None


def _sqrt(value: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return value.sqrt()


def point_biserial(item: Sequence[int], rest: Sequence[int]) -> Decimal | None:
    """Pearson correlation of a 0/1 item with the rest score (None without spread)."""
    n = len(item)
    if n < 3:
        return None
    right = sum(item)
    if right in (0, n):
        return None
    mean = Decimal(sum(rest)) / n
    variance = sum((Decimal(y) - mean) ** 2 for y in rest) / n
    if variance == 0:
        return None
    mean_1 = Decimal(sum(y for x, y in zip(item, rest) if x)) / right
    mean_0 = Decimal(sum(y for x, y in zip(item, rest) if not x)) / (n - right)
    p = Decimal(right) / n
    return (mean_1 - mean_0) * _sqrt(p * (1 - p)) / _sqrt(variance)


def upper_lower(item: Sequence[int], totals: Sequence[int]) -> Decimal | None:
    """Share correct in the top 27% minus the bottom 27% of teams (by total score)."""
    n = len(item)
    if n < 4:
        return None
    k = max(1, int((UPPER_LOWER_SHARE * n).to_integral_value()))
    order = sorted(range(n), key=lambda i: totals[i], reverse=True)
    upper = sum(item[i] for i in order[:k])
    lower = sum(item[i] for i in order[-k:])
    return Decimal(upper - lower) / k


def analyse_set(
    number: int, codes: Sequence[str], responses: Mapping[object, Mapping[str, bool]]
) -> SetAnalysis:
    """Analyse one set from ``responses`` (team -> item code -> answered correctly)."""
    teams = list(responses)
    matrix = {code: [1 if responses[t].get(code) else 0 for t in teams] for code in codes}
    totals = [sum(matrix[code][i] for code in codes) for i in range(len(teams))]
    items = []
    for code in codes:
        scores = matrix[code]
        n, right = len(scores), sum(scores)
        p = Decimal(right) / n if n else Decimal(0)
        r_pb = point_biserial(scores, [t - x for t, x in zip(totals, scores)])
        d_27 = upper_lower(scores, totals)
        reasons = []
        if n and right == n:
            reasons.append("mọi đội đều trả lời đúng: không phân loại được")
        elif n and right == 0:
            reasons.append("không đội nào trả lời đúng: xem lại đáp án và nội dung câu")
        if (r_pb is not None and r_pb < 0) or (d_27 is not None and d_27 < 0):
            reasons.append("độ phân biệt âm: đội mạnh sai nhiều hơn đội yếu, kiểm tra đáp án")
        elif n >= MIN_TEAMS_FOR_WEAK and r_pb is not None and r_pb < WEAK_DISCRIMINATION:
            reasons.append("độ phân biệt thấp (dưới 0,2)")
        items.append(ItemStats(code, n, right, p, r_pb, d_27, tuple(reasons)))
    return SetAnalysis(number, len(teams), tuple(items))


def fmt(value: Decimal | None) -> str:
    """A figure with 2 decimals and a decimal comma, or a dash."""
    if value is None:
        return "–"
    return format(value.quantize(Decimal("0.01")), "f").replace(".", ",")
