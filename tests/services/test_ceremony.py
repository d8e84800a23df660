"""The ceremony's cards: built from the results, never while the prizes are not public."""
from __future__ import annotations

import pytest

from contest_app.extensions import db
from contest_app.services.errors import Conflict
from contest_app.services.final.ceremony import ceremony_card, move_ceremony, stop_ceremony
from contest_app.services.final.live_state import state_of
from contest_app.services.final.results import compute_results


@pytest.fixture
def results_2019(app):
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=True)
    db.session.commit()
    return edition, compute_results(edition)


def test_ceremony_card_none_while_prizes_not_public(results_2019):
    _edition, results = results_2019
    assert ceremony_card(results, 0, prizes_public=False) is None
    assert ceremony_card(results, None, prizes_public=True) is None


def test_ceremony_card_top_prize_and_standings(results_2019):
    _edition, results = results_2019
    assert ceremony_card(results, 6, prizes_public=True) == {
        "kind": "prize", "tier": "Giải Nhất", "level": 1, "team": "Sở Nội vụ", "unit": "Sở Nội vụ",
        "title": "Tổ chức cơ sở dữ liệu tổng hợp dùng chung và tích hợp, liên kết, chia sẻ dữ liệu trong giải quyết "
                 "thủ tục hành chính cho công dân, tổ chức",
        "total": "88,50", "rank": 1, "tied": False, "step": 7, "steps": 13,
    }
    assert ceremony_card(results, 12, prizes_public=True) == {"kind": "standings", "step": 13, "steps": 13}


def test_move_ceremony_starts_walks_and_stops(results_2019):
    edition, results = results_2019
    state = state_of(edition)
    state.prizes_revealed = True
    assert move_ceremony(state=state, results=results, by=1) == 0
    assert move_ceremony(state=state, results=results, by=1) == 1
    assert move_ceremony(state=state, results=results, by=-1) == 0
    with pytest.raises(Conflict) as refused:
        move_ceremony(state=state, results=results, by=-1)
    assert (refused.value.code, refused.value.message) == ("ceremony_start", "Đang ở bước đầu tiên của lễ trao giải.")
    stop_ceremony(state=state)
    assert state.ceremony_step is None
