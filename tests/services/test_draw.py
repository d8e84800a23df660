"""The draw: the pure computation, prepare/confirm (commit-reveal), locking, audit, verification."""
from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import AuditEvent, DrawAssignment, Entry
from contest_app.services.trust.audit import verify_chain
from contest_app.services.demo import load_demo
from contest_app.services.final.draw import (
    compute_draw,
    confirm_draw,
    get_draw,
    prepare_draw,
    situation_guide_for,
    verify_draw,
)
from contest_app.services.errors import Conflict
from contest_app.services.final.results import finalists
from tests.draw_helpers import write_banks

LOCKED = "Kết quả bốc thăm đã được xác nhận và khóa; không thể bốc thăm lại hay thay đổi."


@pytest.fixture
def edition(any_app, tmp_path):
    """The 2019 demo (twelve finalists) with valid test banks configured; committed."""
    any_app.config["QUESTION_BANKS_DIR"] = str(write_banks(tmp_path / "banks"))
    edition = load_demo(with_marks=False)
    db.session.commit()
    return edition


def test_compute_draw_same_seed_gives_same_draw():
    first = compute_draw("hat-giong", [7, 3, 9, 1], 5, 5)
    again = compute_draw("hat-giong", [1, 3, 7, 9], 5, 5)
    assert first == again
    assert first.seed_fingerprint == hashlib.sha256(b"hat-giong").hexdigest()
    assert compute_draw("hat-giong-khac", [1, 3, 7, 9], 5, 5) != first


def test_compute_draw_known_seed_gives_pinned_draw():
    """A pinned vector: the algorithm must never change silently (old draws must still verify)."""
    result = compute_draw("0123456789abcdef0123456789abcdef", [1, 2, 3, 4, 5, 6], 5, 5)
    assert [(s.order, s.entry_id, s.rebutted_by, s.quiz_set, s.situation_set) for s in result.slots] == PINNED


PINNED = [(1, 5, 2, 4, 5), (2, 1, 3, 1, 3), (3, 6, 4, 2, 4), (4, 3, 5, 5, 1), (5, 4, 1, 3, 2), (6, 2, 6, 1, 1)]


@pytest.mark.parametrize("n", range(2, 15))
def test_compute_draw_no_team_rebuts_itself_over_many_seeds(n):
    ids = [100 + 7 * i for i in range(n)]
    for k in range(300):
        result = compute_draw(f"seed-{n}-{k}", ids, 5, 5)
        slots = result.slots
        assert sorted(s.entry_id for s in slots) == ids
        assert [s.order for s in slots] == list(range(1, n + 1))
        rebutter = {s.entry_id: s.rebutted_by for s in slots}
        assert all(r != e for e, r in rebutter.items())
        # every team rebuts exactly one team, and the rebuttals form one single cycle
        assert sorted(rebutter.values()) == ids
        seen, current = set(), ids[0]
        while current not in seen:
            seen.add(current)
            current = rebutter[current]
        assert len(seen) == n
        if n >= 3:
            assert all(rebutter[r] != e for e, r in rebutter.items())
        for counts in (Counter(s.quiz_set for s in slots), Counter(s.situation_set for s in slots)):
            assert set(counts) <= {1, 2, 3, 4, 5}
            assert max(counts.values()) - min(counts.values()) <= 1
            assert len(counts) == min(n, 5)


def test_compute_draw_two_teams_rebut_each_other():
    result = compute_draw("hai-doi", [4, 8], 5, 5)
    assert {(s.entry_id, s.rebutted_by) for s in result.slots} == {(4, 8), (8, 4)}


def test_compute_draw_lone_team_has_no_rebutter():
    (slot,) = compute_draw("mot-doi", [4], 5, 5).slots
    assert (slot.order, slot.entry_id, slot.rebutted_by) == (1, 4, None)


def test_prepare_draw_shows_fingerprint_equal_to_sha256_of_revealed_seed(edition):
    draw = prepare_draw(edition=edition, actor="btc")
    db.session.commit()
    shown_before = draw.seed_fingerprint
    assert draw.status == "draft" and draw.result is None
    assert (draw.quiz_sets, draw.situation_sets) == (5, 5)
    assert draw.entry_ids == sorted(e.id for e in finalists(edition))
    assert len(draw.entry_ids) == 12
    # the audit trail of the preparation holds the fingerprint, never the seed
    prepared = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "draw_prepared"))
    assert prepared.after["seed_fingerprint"] == shown_before
    assert draw.seed not in str(prepared.after)

    draw = confirm_draw(edition=edition, actor="btc")
    db.session.commit()
    assert len(draw.seed) == 32 and int(draw.seed, 16) >= 0
    assert hashlib.sha256(draw.seed.encode()).hexdigest() == shown_before
    assert draw.result == compute_draw(draw.seed, draw.entry_ids, 5, 5).to_dict()


def test_confirm_draw_locks_audits_and_sets_order_of_appearance(edition):
    prepare_draw(edition=edition, actor="btc")
    draw = confirm_draw(edition=edition, actor="thu-ky")
    db.session.commit()
    assert (draw.status, draw.confirmed_by) == ("confirmed", "thu-ky")
    assert draw.confirmed_at is not None
    rows = db.session.scalars(select(DrawAssignment).order_by(DrawAssignment.appearance_order)).all()
    assert [(r.appearance_order, r.entry_id, r.rebutted_by_entry_id, r.quiz_set, r.situation_set) for r in rows] == [
        (s["order"], s["entry_id"], s["rebutted_by"], s["quiz_set"], s["situation_set"]) for s in draw.result["slots"]
    ]
    for r in rows:
        assert db.session.get(Entry, r.entry_id).final_order == r.appearance_order

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "draw_confirmed"))
    assert (event.actor, event.object_type, event.object_id) == ("thu-ky", "draw", str(draw.id))
    assert event.after["seed"] == draw.seed
    assert event.after["result"] == draw.result
    assert verify_chain() == []

    with pytest.raises(Conflict) as exc:
        prepare_draw(edition=edition, actor="btc")
    assert (exc.value.message, exc.value.code) == (LOCKED, "draw_locked")
    with pytest.raises(Conflict) as exc:
        confirm_draw(edition=edition, actor="btc")
    assert exc.value.message == LOCKED
    db.session.rollback()
    assert get_draw(edition).seed == draw.seed


def test_confirm_draw_without_preparation_is_refused(edition):
    with pytest.raises(Conflict) as exc:
        confirm_draw(edition=edition, actor="btc")
    assert exc.value.message == "Chưa chuẩn bị bốc thăm: hãy tạo mã bốc thăm trước."


def test_confirm_draw_refused_when_finalists_changed(edition):
    prepare_draw(edition=edition, actor="btc")
    db.session.commit()
    finalists(edition)[0].preliminary_status = "failed"
    db.session.flush()
    with pytest.raises(Conflict) as exc:
        confirm_draw(edition=edition, actor="btc")
    assert exc.value.message == (
        "Danh sách đội vào chung khảo đã thay đổi sau khi chuẩn bị bốc thăm; hãy chuẩn bị lại."
    )


def test_prepare_draw_again_replaces_the_draft_seed(edition):
    first = prepare_draw(edition=edition, actor="btc").seed_fingerprint
    second = prepare_draw(edition=edition, actor="btc").seed_fingerprint
    assert first != second
    assert get_draw(edition).seed_fingerprint == second


def test_verify_draw_matches_with_the_seed_and_not_with_another(edition):
    prepare_draw(edition=edition, actor="btc")
    draw = confirm_draw(edition=edition, actor="btc")
    db.session.commit()
    good = verify_draw(edition=edition, seed=draw.seed)
    assert (good.ok, good.fingerprint_matches, good.result_matches) == (True, True, True)
    bad = verify_draw(edition=edition, seed="0" * 32)
    assert (bad.ok, bad.fingerprint_matches, bad.result_matches) == (False, False, False)


def test_verify_draw_without_confirmed_draw_is_refused(edition):
    prepare_draw(edition=edition, actor="btc")
    with pytest.raises(Conflict) as exc:
        verify_draw(edition=edition, seed="abc")
    assert exc.value.message == "Kỳ thi Lần thứ 4 - năm 2019 chưa có kết quả bốc thăm đã xác nhận."


def test_situation_guide_for_gives_drawn_situations_with_guides(edition):
    assert situation_guide_for(edition_id=edition.id, entry_id=finalists(edition)[0].id) is None
    prepare_draw(edition=edition, actor="btc")
    draw = confirm_draw(edition=edition, actor="btc")
    db.session.commit()
    slot = draw.result["slots"][0]
    guide = situation_guide_for(edition_id=edition.id, entry_id=slot["entry_id"])
    n = slot["situation_set"]
    assert guide["situation_set"] == n
    assert guide["title"] == f"Bộ tình huống số {n}"
    assert guide["current_code"] is None
    assert [s["code"] for s in guide["situations"]] == [f"TH{n}-{i}" for i in range(1, 5)]
    first = guide["situations"][0]
    assert first["answer"] == f"Gợi ý đáp án cho tình huống {n}.1: hướng dẫn bổ sung một lần."
    assert first["marking"] == f"Hướng dẫn chấm {n}.1: nêu đúng quy định được 2 điểm."
    assert (first["points"], first["time_seconds"], first["number"]) == ("3.75", 120, 1)
