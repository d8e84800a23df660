from fractions import Fraction as F

from contest_app.scoring import Standing, Tier, UnresolvedTie, allocate_prizes, rank_entries

TIERS_2019 = [Tier("Giải Nhất", 1), Tier("Giải Nhì", 1), Tier("Giải Ba", 2), Tier("Giải Khuyến khích", 3)]
TIERS_2013 = [Tier("Giải Nhất", 1), Tier("Giải Nhì", 1), Tier("Giải Ba", 1), Tier("Giải Khuyến khích", 6)]


def ranked_totals(totals, tie_break=()):
    return rank_entries([Standing(name, {"presentation": F(t)}) for name, t in totals], tie_break)


def test_2019_tiers_on_distinct_totals():
    ranked = ranked_totals([(f"t{i}", 100 - i) for i in range(12)])
    allocation = allocate_prizes(ranked, TIERS_2019)
    assert allocation.prizes == {
        "t0": "Giải Nhất",
        "t1": "Giải Nhì",
        "t2": "Giải Ba",
        "t3": "Giải Ba",
        "t4": "Giải Khuyến khích",
        "t5": "Giải Khuyến khích",
        "t6": "Giải Khuyến khích",
    }
    assert allocation.unresolved_ties == []


def test_2013_tiers_give_six_consolation_prizes():
    ranked = ranked_totals([(f"t{i}", 100 - i) for i in range(10)])
    allocation = allocate_prizes(ranked, TIERS_2013)
    assert [allocation.prize_of(f"t{i}") for i in range(10)] == [
        "Giải Nhất", "Giải Nhì", "Giải Ba",
        "Giải Khuyến khích", "Giải Khuyến khích", "Giải Khuyến khích",
        "Giải Khuyến khích", "Giải Khuyến khích", "Giải Khuyến khích",
        None,
    ]


def test_tie_inside_one_tier_is_settled():
    # places 3 and 4 are both Giải Ba
    ranked = ranked_totals([("a", 90), ("b", 85), ("c", 80), ("d", 80), ("e", 70)])
    allocation = allocate_prizes(ranked, TIERS_2019)
    assert allocation.prize_of("c") == "Giải Ba"
    assert allocation.prize_of("d") == "Giải Ba"
    assert allocation.unresolved_ties == []


def test_tie_across_first_and_second_prize_goes_to_committee():
    ranked = ranked_totals([("a", 90), ("b", 90), ("c", 80)])
    allocation = allocate_prizes(ranked, TIERS_2019)
    assert allocation.prize_of("a") is None
    assert allocation.prize_of("b") is None
    assert allocation.prize_of("c") == "Giải Ba"
    assert allocation.unresolved_ties == [UnresolvedTie(rank=1, entry_ids=("a", "b"), tiers=("Giải Nhất", "Giải Nhì"))]


def test_tie_across_the_last_prize_boundary_goes_to_committee():
    totals = [("p1", 95), ("p2", 94), ("p3", 93), ("p4", 92), ("p5", 91), ("p6", 90), ("x", 89), ("y", 89), ("z", 70)]
    allocation = allocate_prizes(ranked_totals(totals), TIERS_2019)
    assert allocation.prize_of("p6") == "Giải Khuyến khích"
    assert allocation.prize_of("x") is None and allocation.prize_of("y") is None
    assert allocation.unresolved_ties == [
        UnresolvedTie(rank=7, entry_ids=("x", "y"), tiers=("Giải Khuyến khích", None))
    ]


def test_tie_below_the_prizes_is_not_a_problem():
    totals = [(f"p{i}", 100 - i) for i in range(7)] + [("x", 50), ("y", 50)]
    allocation = allocate_prizes(ranked_totals(totals), TIERS_2019)
    assert allocation.unresolved_ties == []
    assert allocation.prize_of("x") is None


def test_tie_break_resolves_a_boundary_tie():
    ranked = rank_entries(
        [
            Standing("a", {"knowledge": F(10), "presentation": F(70)}),
            Standing("b", {"knowledge": F(5), "presentation": F(75)}),
        ],
        ("presentation", "knowledge"),
    )
    allocation = allocate_prizes(ranked, TIERS_2019)
    assert allocation.prizes == {"b": "Giải Nhất", "a": "Giải Nhì"}
