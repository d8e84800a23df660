from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from contest_app.scoring import SideAwardResult, SideAwardRule, decide_side_awards, display_str, segment_statistics

SCORES = {
    "winner": {"situation": F(15)},
    "a": {"situation": F(12)},
    "b": {"situation": F(61, 5)},
    "c": {"situation": F(10)},
}


def test_best_segment_among_eligible_excludes_prize_winners():
    rules = [SideAwardRule("Xử lý tình huống tinh tế", "best_segment", "situation")]
    result = decide_side_awards(rules, SCORES, prize_winners={"winner"})
    assert result == [SideAwardResult("Xử lý tình huống tinh tế", "best_segment", "b", F(61, 5))]


def test_best_segment_may_include_prize_winners_when_allowed():
    rules = [SideAwardRule("X", "best_segment", "situation", exclude_prize_winners=False)]
    assert decide_side_awards(rules, SCORES, {"winner"})[0].entry_id == "winner"


def test_one_award_per_team_skips_a_team_already_picked():
    rules = [
        SideAwardRule("Phản biện sắc sảo", "committee", pick="b"),
        SideAwardRule("Xử lý tình huống tinh tế", "best_segment", "situation"),
    ]
    result = decide_side_awards(rules, SCORES, {"winner"})
    assert [(r.name, r.entry_id) for r in result] == [("Phản biện sắc sảo", "b"), ("Xử lý tình huống tinh tế", "a")]


def test_several_awards_per_team_when_allowed():
    rules = [
        SideAwardRule("Phản biện sắc sảo", "committee", pick="b"),
        SideAwardRule("Xử lý tình huống tinh tế", "best_segment", "situation", one_per_team=False),
    ]
    assert decide_side_awards(rules, SCORES, {"winner"})[1].entry_id == "b"


def test_tie_for_best_is_left_to_the_committee():
    scores = {"a": {"situation": F(12)}, "b": {"situation": F(12)}}
    result = decide_side_awards([SideAwardRule("X", "best_segment", "situation")], scores, set())
    assert result == [SideAwardResult("X", "best_segment", None, F(12), ("a", "b"))]


def test_judges_vote_is_recorded_like_a_pick():
    result = decide_side_awards([SideAwardRule("Y", "judges_vote", pick="c")], SCORES, set())
    assert result[0].entry_id == "c"


def test_statistics_of_the_2019_knowledge_segment():
    scores = dict(enumerate(F(x) for x in ["6", "7", "8", "9.5", "7.5", "4", "8", "7.5", "8.5", "6", "6", "8"]))
    stats = segment_statistics("knowledge", 10, scores)
    assert stats.average == F(86, 12)
    assert display_str(stats.average) == "7.17"
    assert display_str(stats.rate_of_max) == "71.67"
    assert stats.best_score == F("9.5")
    assert stats.best_entry_ids == (3,)
    assert stats.count == 12


def test_statistics_list_every_leader_and_skip_missing_scores():
    stats = segment_statistics("s", 15, {"a": F(14), "b": F(14), "c": None})
    assert stats.best_entry_ids == ("a", "b")
    assert stats.count == 2
    assert display_str(stats.rate_of_max) == "93.33"


@given(st.dictionaries(st.integers(0, 50), st.one_of(st.none(), st.fractions(min_value=0, max_value=100,
                                                                         max_denominator=600)), max_size=40))
@settings(max_examples=300, deadline=None)
def test_statistics_best_is_the_exact_maximum_and_every_leader(scores):
    """The best score and its leaders (compared as integers) are those of the exact Fractions."""
    stats = segment_statistics("s", 75, scores)
    present = {e: s for e, s in scores.items() if s is not None}
    if not present:
        assert (stats.best_score, stats.best_entry_ids) == (None, ())
        return
    best = max(present.values())
    assert stats.best_score == best
    assert stats.best_entry_ids == tuple(e for e, s in present.items() if s == best)
