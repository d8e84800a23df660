"""The desk follows the final by notices: a writer never builds the desk's state itself.

After a judge's mark the desks receive ``desk_changed`` (coalesced: at most one per
``DESK_INTERVAL`` per edition and process) and fetch their state with ``get_desk``; the
whole state is pushed (``desk_updated``) only to a desk that has just connected.
"""
from __future__ import annotations

import time

import pytest

from contest_app.live import broadcast
from contest_app.live import events as ev
from tests.live.conftest import ack, entry_ids


@pytest.fixture
def fresh_coalescing(monkeypatch):
    """No notice pending or recently sent from an earlier test; a long interval to observe coalescing."""
    monkeypatch.setattr(broadcast, "_desk_last", {})
    monkeypatch.setattr(broadcast, "_desk_pending", set())
    monkeypatch.setattr(broadcast, "DESK_INTERVAL", 2.0)


def _events(client, name):
    return [m for m in client.get_received(ev.CONTROL_NS) if m["name"] == name]


def _mark(judge, entry_id, value, tag):
    reply = ack(judge, ev.SUBMIT_MARK, {"entry_id": entry_id, "segment_key": "knowledge", "value": value,
                                        "idempotency_key": f"notice-{tag}"})
    assert reply["ok"] is True, reply
    return reply


def test_a_mark_sends_the_desk_a_notice_and_get_desk_has_the_mark(app, desk, judge_client, live_demo,
                                                                 fresh_coalescing):
    first = entry_ids(live_demo)[0]
    assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    time.sleep(2.1)  # let the open_segment's notice (and its trailing one) go out
    desk.get_received(ev.CONTROL_NS)
    judge = judge_client(3)
    judge_id = ack(judge, ev.GET_STATE)["state"]["judge"]["id"]

    _mark(judge, first, "7,5", "a1")

    received = desk.get_received(ev.CONTROL_NS)
    names = [m["name"] for m in received]
    assert names.count(ev.DESK_CHANGED) == 1, names
    assert ev.DESK_UPDATED not in names  # the writer never builds nor pushes the whole desk
    notice = next(m for m in received if m["name"] == ev.DESK_CHANGED)
    assert notice["args"] == [{"edition_id": live_demo.id}]
    recorded = next(m for m in received if m["name"] == ev.MARK_RECORDED)
    assert recorded["args"] == [{"judge_id": judge_id, "entry_id": first, "segment_key": "knowledge", "count": 1}]

    reply = ack(desk, ev.GET_DESK, {}, ev.CONTROL_NS)
    assert reply["ok"] is True
    assert reply["desk"]["grid"][str(first)] == [judge_id]
    cell = reply["desk"]["windows"][f"{first}:knowledge"]
    assert (cell["open"], cell["count"], cell["expected"], cell["provisional"]) == (True, 1, 6, "7,50")
    missing = [j["judge_id"] for j in reply["desk"]["missing"]]
    assert len(missing) == 5 and judge_id not in missing


def test_notices_are_coalesced_to_one_per_interval(app, desk, judge_client, live_demo, fresh_coalescing):
    first = entry_ids(live_demo)[0]
    assert ack(desk, ev.OPEN_SEGMENT, {"entry_id": first, "segment_key": "knowledge"}, ev.CONTROL_NS)["ok"]
    # the open_segment's notice went out at once; the three marks within the interval wait for one
    assert len(_events(desk, ev.DESK_CHANGED)) == 1
    for seat in (1, 2, 3):
        _mark(judge_client(seat), first, "8", f"c{seat}")
    assert _events(desk, ev.DESK_CHANGED) == []
    deadline = time.monotonic() + 5.0
    notices = []
    while time.monotonic() < deadline and not notices:
        time.sleep(0.1)
        notices = _events(desk, ev.DESK_CHANGED)
    assert len(notices) == 1  # one trailing notice carries the three marks
    time.sleep(0.3)
    assert _events(desk, ev.DESK_CHANGED) == []
    reply = ack(desk, ev.GET_DESK, {}, ev.CONTROL_NS)
    assert len(reply["desk"]["grid"][str(first)]) == 3
    assert reply["desk"]["windows"][f"{first}:knowledge"]["count"] == 3


def test_a_desk_that_connects_gets_the_whole_state_pushed(app, desk, live_demo):
    received = desk.get_received(ev.CONTROL_NS)
    pushed = [m for m in received if m["name"] == ev.DESK_UPDATED]
    assert len(pushed) == 1
    state = pushed[0]["args"][0]["desk"]
    assert state["edition"]["year"] == 2019
    assert len(state["judges"]) == 6 and len(state["entries"]) == 12
