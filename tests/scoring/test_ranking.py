from fractions import Fraction as F

from contest_app.scoring import Standing, rank_entries

TB = ("presentation", "situation", "knowledge")


def st(entry_id, k, s, p):
    return Standing(entry_id, {"knowledge": F(k), "situation": F(s), "presentation": F(p)})


def summary(ranked):
    return [(r.entry_id, r.rank, r.tied, r.total) for r in ranked]


def test_rank_by_total_highest_first():
    ranked = rank_entries([st("a", 5, 10, 50), st("b", 9, 14, 70), st("c", 7, 12, 60)], TB)
    assert summary(ranked) == [("b", 1, False, F(93)), ("c", 2, False, F(79)), ("a", 3, False, F(65))]


def test_tie_broken_by_presentation_first():
    # equal totals 80: b has the higher presentation score
    ranked = rank_entries([st("a", 10, 15, 55), st("b", 5, 10, 65)], TB)
    assert summary(ranked) == [("b", 1, False, F(80)), ("a", 2, False, F(80))]


def test_tie_broken_by_situation_when_presentation_equal():
    ranked = rank_entries([st("a", 9, 11, 60), st("b", 8, 12, 60)], TB)
    assert summary(ranked) == [("b", 1, False, F(80)), ("a", 2, False, F(80))]


def test_unbroken_tie_shares_rank_competition_style():
    ranked = rank_entries(
        [st("a", 8, 12, 60), st("b", 9, 14, 70), st("c", 8, 12, 60), st("d", 1, 1, 1)], TB
    )
    assert summary(ranked) == [
        ("b", 1, False, F(93)),
        ("a", 2, True, F(80)),
        ("c", 2, True, F(80)),
        ("d", 4, False, F(3)),
    ]


def test_custom_tie_break_order():
    ranked = rank_entries([st("a", 10, 10, 60), st("b", 5, 15, 60)], ("knowledge",))
    assert [r.entry_id for r in ranked] == ["a", "b"]


def test_no_tie_break_leaves_equal_totals_tied():
    ranked = rank_entries([st("a", 10, 10, 60), st("b", 5, 15, 60)], ())
    assert summary(ranked) == [("a", 1, True, F(80)), ("b", 1, True, F(80))]


def test_missing_scores_count_as_zero_in_total():
    s = Standing("x", {"knowledge": F(5), "situation": None, "presentation": F(60)})
    assert s.total == F(65)
