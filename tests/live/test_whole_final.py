"""Acceptance: the whole 2019 final entered through the documented protocol."""
from __future__ import annotations

import json
from decimal import Decimal

from contest_app import demo_data as data
from contest_app.extensions import db
from contest_app.live import events as ev
from contest_app.services.demo import demo_marks
from contest_app.services.final.results import compute_results
from tests.live.conftest import ack, entry_ids
from tests.published_2019 import assert_matches_published


def test_whole_final_through_protocol_matches_published_and_export(app, live_demo, judge_client, desk, board_client, tmp_path):
    judges = [judge_client(seat) for seat in range(1, 7)]
    board = board_client()
    segments = {s.key: s for s in live_demo.segments}
    ids = entry_ids(live_demo)
    n = 0
    for t, (_unit, _team, _title, _group, k, s, p, _total) in enumerate(data.FINALISTS_2019):
        entry_id = ids[t]
        for j, (key, published) in enumerate((("knowledge", k), ("situation", s), ("presentation", p))):
            seg = segments[key]
            opened = ack(desk, ev.OPEN_SEGMENT, {"entry_id": entry_id, "segment_key": key}, ev.CONTROL_NS)
            assert opened["ok"] is True, opened
            marks = demo_marks(Decimal(published), seg.max_score, seg.mark_step, rotation=t + j)
            for seat, (client, value) in enumerate(zip(judges, marks, strict=True), start=1):
                n += 1
                reply = ack(client, ev.SUBMIT_MARK, {
                    "entry_id": entry_id, "segment_key": key, "value": str(value),
                    "idempotency_key": f"final-{seat}-{entry_id}-{key}",
                })
                assert reply["ok"] is True, reply
                assert reply["mark"]["value"] == f"{value:.2f}"
            closed = ack(desk, ev.CLOSE_SEGMENT, {}, ev.CONTROL_NS)
            assert closed["ok"] is True
    assert n == 12 * 3 * 6
    db.session.expire_all()
    results = compute_results(live_demo).to_dict()
    assert_matches_published(results)

    # The board saw every numbered update, without a gap, and ends where the desk ended.
    received = board.get_received(ev.BOARD_NS)
    snapshot = [m for m in received if m["name"] == ev.BOARD_SNAPSHOT]
    updates = [m["args"][0] for m in received if m["name"] == ev.BOARD_UPDATED]
    assert len(snapshot) == 1
    seqs = [snapshot[0]["args"][0]["seq"]] + [u["seq"] for u in updates]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    by_team = {r["team"]: r for r in results["rows"]}
    last_rows = {}
    for u in updates:
        last_rows.update(u["changes"].get("rows", {}))
    nv = next(r for r in last_rows.values() if r["team"] == "Sở Nội vụ")
    assert nv["total"] == "88,50"
    assert nv["rank"] == by_team["Sở Nội vụ"]["rank"] == 1
    assert {k: c["score"] for k, c in nv["cells"].items()} == {
        "knowledge": "8,50", "situation": "12,40", "presentation": "67,60"
    }

    # Same JSON as the CLI export of the --with-marks demo.
    from tests.conftest import build_app
    from contest_app.services.demo import load_demo

    other = build_app(f"sqlite:///{tmp_path / 'with_marks.sqlite'}")
    with other.app_context():
        db.create_all()
        load_demo(with_marks=True)
        db.session.commit()
        exported = other.test_cli_runner().invoke(args=["export-results", "--edition", "2019"])
        assert exported.exit_code == 0, exported.output
        db.session.remove()
        db.engine.dispose()
    expected = json.loads(exported.output)
    # entry ids are the same (same load order); compare the whole document.
    assert results == expected
