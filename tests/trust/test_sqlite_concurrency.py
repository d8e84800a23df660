"""SQLite under concurrent writers: WAL and a busy timeout mean no "database is locked"
reaches a user, and the audit chain stays one unbroken line.

Six writer processes (one per judge, as six tablets behind one server would be if
the server ran several workers) and then six threads each store marks with an audit
record per mark, committing each one; every error is counted.
"""
from __future__ import annotations

import multiprocessing
import threading
from decimal import Decimal

from sqlalchemy import func, select

from contest_app.extensions import db
from contest_app.models import AuditEvent, Mark
from contest_app.services.trust.audit import verify_chain, verify_marks
from contest_app.services.final.results import compute_results
from tests.conftest import build_app
from tests.published_2019 import assert_matches_published


def _plan(edition) -> dict[int, list[tuple[int, int, int, str]]]:
    """Per judge id: (judge, entry, segment, value) of the published demo marks."""
    from contest_app import demo_data as data
    from contest_app.models import Entry, Judge
    from contest_app.services.demo import demo_marks

    judges = list(db.session.scalars(select(Judge).where(Judge.edition_id == edition.id).order_by(Judge.seat)))
    segments = {s.key: s for s in edition.segments}
    entries = {e.final_order: e for e in db.session.scalars(select(Entry).where(Entry.edition_id == edition.id))}
    plan: dict[int, list] = {j.id: [] for j in judges}
    for t, (_u, _team, _title, _g, k, s, p, _total) in enumerate(data.FINALISTS_2019):
        entry = entries[t + 1]
        for j, (key, published) in enumerate((("knowledge", k), ("situation", s), ("presentation", p))):
            seg = segments[key]
            values = demo_marks(Decimal(published), seg.max_score, seg.mark_step, rotation=t + j)
            for judge, value in zip(judges, values, strict=True):
                plan[judge.id].append((judge.id, entry.id, seg.id, str(value)))
    return plan


def write_marks(uri: str, items: list, edition_id: int, app=None) -> dict[str, int]:
    """Store each mark and its audit record in its own transaction; count what went wrong."""
    from sqlalchemy.exc import OperationalError

    from contest_app.services.trust.audit import record_event

    app = app or build_app(uri)
    outcome = {"stored": 0, "locked": 0, "other": 0}
    with app.app_context():
        for judge_id, entry_id, segment_id, value in items:
            try:
                mark = Mark(judge_id=judge_id, entry_id=entry_id, segment_id=segment_id, value=Decimal(value),
                            idempotency_key=f"{judge_id}-{entry_id}-{segment_id}")
                db.session.add(mark)
                db.session.flush()
                record_event(actor=f"judge:{judge_id}", action="mark.record", edition_id=edition_id,
                             object_type="mark", object_id=mark.id, after={"value": value})
                db.session.commit()
                outcome["stored"] += 1
            except OperationalError as exc:
                db.session.rollback()
                outcome["locked" if "locked" in str(exc) else "other"] += 1
            except Exception:  # noqa: BLE001 - counted, and the test asserts zero
                db.session.rollback()
                outcome["other"] += 1
        db.session.remove()
        db.engine.dispose()
    return outcome


def _setup(tmp_path):
    from contest_app.services.demo import load_demo

    uri = f"sqlite:///{tmp_path / 'concurrent.sqlite'}"
    app = build_app(uri)
    ctx = app.app_context()
    ctx.push()
    db.create_all()
    edition = load_demo(with_marks=False)
    db.session.commit()
    return app, ctx, uri, edition


def _check(edition, outcomes, expected=216):
    db.session.expire_all()
    totals = {k: sum(o[k] for o in outcomes) for k in ("stored", "locked", "other")}
    assert totals == {"stored": expected, "locked": 0, "other": 0}
    assert db.session.scalar(select(func.count()).select_from(Mark)) == expected
    # each mark: its "mark_recorded" record and the "mark_state" record every change of a mark gets
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2 * expected
    assert verify_chain() == [] and verify_marks() == []
    assert_matches_published(compute_results(edition).to_dict())
    return totals


def test_six_processes_write_marks_without_database_is_locked(tmp_path):
    app, ctx, uri, edition = _setup(tmp_path)
    try:
        plan = _plan(edition)
        with multiprocessing.get_context("spawn").Pool(len(plan)) as pool:
            outcomes = pool.starmap(write_marks, [(uri, items, edition.id) for items in plan.values()])
        _check(edition, outcomes)
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


def test_six_threads_write_marks_without_database_is_locked(tmp_path):
    app, ctx, uri, edition = _setup(tmp_path)
    try:
        plan = _plan(edition)
        outcomes: list[dict] = []
        # Apps are built here, one after the other: create_app binds shared extensions.
        work = [(build_app(uri), items) for items in plan.values()]
        threads = [
            threading.Thread(target=lambda a=a, items=items: outcomes.append(write_marks(uri, items, edition.id, app=a)))
            for a, items in work
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        _check(edition, outcomes)
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


def write_events(uri: str, count: int, engine_options: dict | None = None, app=None) -> dict[str, int]:
    """Append ``count`` audit records, each in its own transaction with no write before it."""
    from contest_app.services.trust.audit import record_event

    app = app or build_app(uri, engine_options)
    outcome = {"stored": 0, "locked": 0, "other": 0}
    with app.app_context():
        for i in range(count):
            try:
                record_event(actor="thuky", action="edition.update", object_type="edition", object_id=i,
                             after={"i": i})
                db.session.commit()
                outcome["stored"] += 1
            except Exception as exc:  # noqa: BLE001 - counted, and the test asserts zero
                db.session.rollback()
                outcome["locked" if "locked" in str(exc) else "other"] += 1
        db.session.remove()
        db.engine.dispose()
    return outcome


def test_concurrent_audit_only_writers_keep_one_chain_on_sqlite(tmp_path):
    """Before the write lock was taken first, four writers forked the chain (35 breaks in 200)."""
    uri = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    app = build_app(uri)
    with app.app_context():
        db.create_all()
        with multiprocessing.get_context("spawn").Pool(4) as pool:
            outcomes = pool.starmap(write_events, [(uri, 50)] * 4)
        assert {k: sum(o[k] for o in outcomes) for k in ("stored", "locked", "other")} == {
            "stored": 200, "locked": 0, "other": 0
        }
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 200
        assert verify_chain() == []
        db.engine.dispose()


def test_concurrent_audit_writers_keep_one_chain_on_postgres(pg_app, pg_schema):
    from tests.conftest import PG_URL

    options = {"connect_args": {"options": f"-csearch_path={pg_schema}"}}
    outcomes: list[dict] = []
    # The apps are built here, one after the other: create_app binds shared extensions,
    # which is not meant to run in several threads at once.
    apps = [build_app(PG_URL, options) for _ in range(4)]
    threads = [
        threading.Thread(target=lambda a=a: outcomes.append(write_events(PG_URL, 40, options, app=a))) for a in apps
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert {k: sum(o[k] for o in outcomes) for k in ("stored", "locked", "other")} == {
        "stored": 160, "locked": 0, "other": 0
    }
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 160
    assert verify_chain() == []
