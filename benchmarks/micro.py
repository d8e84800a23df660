"""Micro-benchmarks: results computation, the board page's weight, the Word appendix.

    python -m benchmarks.micro [--quick] [--json out.json]

- ``compute_results`` for 200 finalists × 3 segments × 6 judges (3,600 marks), built in a
  temporary SQLite file on top of the 2019 demo edition (its segments, prize tiers and side
  awards); one mark is changed before each timed call (as in a live final) and each call starts
  from a fresh session, so it includes loading from the database; also with nothing cached.
  Target: under 15 ms.
- The board page with everything it loads: GET the board page of the demo edition (2019, with
  marks), then every same-origin script, stylesheet, image and icon it references, every
  ``url()`` in those stylesheets (fonts) and every ``data-*-url`` its script fetches (the
  snapshot), and sum the bytes (uncompressed; gzip shown beside). Target: under 150 KB.
- The desk's whole state (``get_desk``, built on the desk's own process after a ``desk_changed``
  notice) for the 2019 demo final, from a fresh session each call. No target: a figure for the
  cost of each watching desk (at most ten notices a second).
- A judge's first mark in an open window through the ``/judge`` handler (Flask-SocketIO's test
  client, no board connected): the work of a mark before its broadcast. No target.
- The Word appendix (Phụ lục I and II) for 100 finalists: compute the results, lay out the
  appendices and write the .docx. Target: under 1 s.

Medians of several calls after one warm-up call. Figures, not assertions.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urljoin, urlparse


def _median_ms(fn: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), times


def build_app(db_path: Path):
    """contest_app on a fresh SQLite file, schema created."""
    from contest_app import create_app
    from contest_app.config import TestConfig
    from contest_app.extensions import db

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_path}"
        SQLALCHEMY_ENGINE_OPTIONS: dict = {}
        WTF_CSRF_ENABLED = False
        CONTEST_CHECK_BOARD_DELTA = False  # the tests' check of every patched board is not production's work

    app = create_app(Cfg)
    with app.app_context():
        db.create_all()
    return app


def build_edition(entries: int, seed: int = 2019) -> int:
    """The 2019 demo edition grown to ``entries`` finalists, every judge marking every segment.

    Marks are random on each segment's step grid (deterministic seed). Commits; returns the id.
    """
    from contest_app.enums import RoundStatus
    from contest_app.extensions import db
    from contest_app.models import Entry, Judge, Mark, Team, Unit
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=False)
    db.session.flush()
    existing = len(
        [e for e in db.session.query(Entry).filter_by(edition_id=edition.id) if e.preliminary_status == RoundStatus.PASSED.value]
    )
    for i in range(existing + 1, entries + 1):
        unit = Unit(name=f"Đơn vị thử nghiệm số {i}")
        db.session.add(unit)
        db.session.flush()
        team = Team(edition_id=edition.id, unit_id=unit.id, name=f"Đội thử nghiệm số {i}")
        db.session.add(team)
        db.session.flush()
        db.session.add(
            Entry(
                edition_id=edition.id, unit_id=unit.id, team_id=team.id, title=f"Mô hình thử nghiệm số {i}",
                qualifying_status=RoundStatus.PASSED.value, preliminary_status=RoundStatus.PASSED.value, final_order=i,
            )
        )
    db.session.flush()
    rng = random.Random(seed)
    judges = list(db.session.query(Judge).filter_by(edition_id=edition.id).order_by(Judge.seat))
    finalists = list(db.session.query(Entry).filter_by(edition_id=edition.id))
    marks = []
    for entry in finalists:
        for seg in edition.segments:
            steps = int(seg.max_score / seg.mark_step)
            for judge in judges:
                value = seg.mark_step * rng.randint(steps // 2, steps)
                marks.append(Mark(judge_id=judge.id, entry_id=entry.id, segment_id=seg.id, value=value))
    db.session.add_all(marks)
    db.session.commit()
    return edition.id


def bench_results(tmp: Path, entries: int, repeats: int) -> dict[str, Any]:
    """``compute_results`` as a live final calls it: one mark changed (and committed) before each call.

    Each call starts from a fresh session, so it includes loading everything from the database;
    the segment scores of the cells the mark did not touch come from the previous call. Also
    measured: the same with nothing cached (``forget_results`` before each call: the first call
    of a process). Wall and CPU time (the machine is shared: CPU time is the steadier figure).
    The last result is checked equal to a computation from nothing.
    """
    from contest_app.extensions import db
    from contest_app.models import Edition, Mark, Segment
    from contest_app.services.final.results import compute_results, forget_results

    app = build_app(tmp / "results.sqlite")
    with app.app_context():
        edition_id = build_edition(entries)
        mark_count = db.session.query(Mark).count()
        mark_ids = [m for (m,) in db.session.query(Mark.id).order_by(Mark.id)]
        rng = random.Random(17)

        def change_one_mark() -> None:
            mark = db.session.get(Mark, rng.choice(mark_ids))
            step = db.session.get(Segment, mark.segment_id).mark_step
            mark.value = mark.value - step if mark.value - step >= 0 else mark.value + step
            db.session.commit()
            db.session.remove()

        def timed(prepare: Callable[[], None]) -> tuple[list[float], list[float]]:
            walls, cpus = [], []
            for i in range(repeats + 1):
                prepare()
                db.session.remove()
                t0, c0 = time.perf_counter(), time.process_time()
                results = compute_results(db.session.get(Edition, edition_id))
                wall, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
                assert len(results.rows) == entries
                if i:  # the first call warms up
                    walls.append(wall)
                    cpus.append(cpu)
            return walls, cpus

        per_mark, per_mark_cpu = timed(change_one_mark)
        warm = compute_results(db.session.get(Edition, edition_id)).fingerprint()
        forget_results()
        exact = compute_results(db.session.get(Edition, edition_id)).fingerprint() == warm
        cold, cold_cpu = timed(lambda: (change_one_mark(), forget_results()))
        db.session.remove()
    value = statistics.median(per_mark)
    return {
        "name": f"compute_results: {entries} entries × 3 segments × 6 judges, one mark changed",
        "goal": "compute_results",
        "value": value, "unit": "ms", "target": "< 15 ms", "met": value < 15,
        "min_ms": min(per_mark), "cpu_ms": statistics.median(per_mark_cpu),
        "cold_ms": statistics.median(cold), "cold_cpu_ms": statistics.median(cold_cpu),
        "same_as_cold": exact,
        "samples_ms": [round(t, 2) for t in per_mark], "cold_samples_ms": [round(t, 2) for t in cold],
        "marks": mark_count,
    }


_REF = re.compile(r"""<(?:script|img|link|source)\b[^>]*?\b(?:src|href)=["']([^"']+)["'][^>]*>""", re.I)
_LINK_REL = re.compile(r"""<link\b[^>]*\brel=["']([^"']+)["']""", re.I)
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
_LOADED_RELS = {"stylesheet", "icon", "shortcut icon", "preload", "modulepreload", "apple-touch-icon", "manifest"}


def page_weight(client, path: str) -> dict[str, Any]:
    """Bytes of ``path`` and of every same-origin resource it loads (scripts, styles, fonts, images)."""
    resp = client.get(path)
    if resp.status_code != 200:
        raise RuntimeError(f"GET {path} answered {resp.status_code}")
    html = resp.get_data()
    files = {path: len(html)}
    gz = {path: len(gzip.compress(html))}
    queue: list[str] = []
    text = html.decode("utf-8", "replace")
    for tag in re.finditer(r"<(?:script|img|link|source)\b[^>]*>", text, re.I):
        tag_text = tag.group(0)
        if tag_text.lower().startswith("<link"):
            rel = _LINK_REL.search(tag_text)
            if not rel or rel.group(1).lower() not in _LOADED_RELS:
                continue
        ref = _REF.match(tag_text)
        if ref:
            queue.append(urljoin(path, ref.group(1)))
    # what the page's script fetches on load (data-*-url attributes: the snapshot)
    for match in re.finditer(r"""\bdata-[\w-]*url=["']([^"']+)["']""", text):
        queue.append(urljoin(path, match.group(1)))
    external = []
    while queue:
        url = queue.pop(0)
        parsed = urlparse(url)
        if parsed.scheme or parsed.netloc:
            external.append(url)
            continue
        local = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if parsed.path in files:
            continue
        res = client.get(local)
        body = res.get_data()
        res.close()
        if res.status_code != 200:
            raise RuntimeError(f"GET {local} (referenced by the board page) answered {res.status_code}")
        files[parsed.path] = len(body)
        gz[parsed.path] = len(gzip.compress(body))
        if parsed.path.endswith(".css"):
            for match in _CSS_URL.finditer(body.decode("utf-8", "replace")):
                ref = match.group(1).strip()
                if not ref.startswith("data:"):
                    queue.append(urljoin(parsed.path, ref))
    return {"files": files, "gzip": gz, "external": external}


def bench_board(tmp: Path) -> dict[str, Any]:
    from contest_app.extensions import db
    from contest_app.services.demo import load_demo

    app = build_app(tmp / "board.sqlite")
    with app.app_context():
        edition = load_demo(with_marks=True)
        db.session.commit()
        ids = (edition.id, edition.year)
    rules = {r.rule for r in app.url_map.iter_rules()}
    candidates = [p for p in ("/board/<edition_ref>", "/board/<ref>", "/board/<int:edition_id>", "/board/<edition>") if p in rules]
    board_rules = sorted(r for r in rules if r.startswith("/board"))
    if not board_rules:
        return {"name": "board page + everything it loads", "skipped": "no /board page yet", "target": "< 150 KB"}
    client = app.test_client()
    last_error = None
    for ref in (ids[1], ids[0]):
        try:
            weight = page_weight(client, f"/board/{ref}")
            break
        except RuntimeError as exc:
            last_error = exc
    else:
        return {"name": "board page + everything it loads", "skipped": f"{last_error}", "target": "< 150 KB", "rules": board_rules}
    total = sum(weight["files"].values())
    return {
        "name": "board page + everything it loads",
        "value": total / 1024, "unit": "KB", "target": "< 150 KB", "met": total < 150 * 1024,
        "gzip_kb": sum(weight["gzip"].values()) / 1024,
        "files": weight["files"], "external": weight["external"], "candidates": candidates,
    }


def bench_desk(tmp: Path, repeats: int) -> dict[str, Any]:
    """The desk's whole state (what ``get_desk`` builds after a ``desk_changed`` notice), 2019 demo final."""
    from contest_app.extensions import db
    from contest_app.models import Edition
    from contest_app.services.demo import load_demo
    from contest_app.services.final.live_state import desk_state

    app = build_app(tmp / "desk.sqlite")
    with app.app_context():
        edition_id = load_demo(with_marks=True).id
        db.session.commit()

        def once() -> None:
            db.session.remove()
            desk_state(db.session.get(Edition, edition_id))

        value, times = _median_ms(once, repeats)
        db.session.remove()
    return {
        "name": "desk state (get_desk), 2019 final: 12 teams × 3 segments × 6 judges",
        "value": value, "unit": "ms", "target": "—", "met": None, "min_ms": min(times),
        "samples_ms": [round(t, 1) for t in times],
    }


def bench_mark(tmp: Path, windows: int) -> dict[str, Any]:
    """A judge's mark through the ``/judge`` handler, no board connected: the work before the broadcast.

    The 2019 demo final without marks; six judges' tablets (Flask-SocketIO's test client, with
    their tokens) each send their first mark in the open window, then the next team's window
    is opened (untimed, as the desk does); ``windows`` windows, every mark timed from the emit to
    the acknowledgement. Wall and CPU time (one thread: CPU is the handler's own).
    """
    from contest_app.extensions import db, socketio
    from contest_app.live import events as ev
    from contest_app.services.demo import load_demo
    from contest_app.services.final import judge_access, live_state, publication
    from contest_app.services.final.results import finalists

    app = build_app(tmp / "mark.sqlite")
    with app.app_context():
        edition = load_demo(with_marks=False)
        db.session.flush()
        tokens = [c.token for c in judge_access.edition_credentials(edition)]
        cells = [(e.id, s.id) for s in sorted(edition.segments, key=lambda s: s.order) for e in finalists(edition)]
        edition_id = edition.id
        db.session.commit()
    tablets = [socketio.test_client(app, namespace=ev.JUDGE_NS, auth={"token": t}) for t in tokens]
    walls: list[float] = []
    cpus: list[float] = []
    try:
        for n, (entry_id, segment_id) in enumerate(cells[:windows + 1]):
            with app.app_context():
                from contest_app.models import Edition, Entry, Segment

                edition = db.session.get(Edition, edition_id)
                segment = db.session.get(Segment, segment_id)
                live_state.open_segment(edition=edition, entry=db.session.get(Entry, entry_id), segment=segment,
                                        actor="benchmark", confirm_missing=True)
                publication.results_changed(edition)
                db.session.commit()
                key, maximum = segment.key, segment.max_score
            for seat, tablet in enumerate(tablets):
                data = {"entry_id": entry_id, "segment_key": key, "value": str(maximum - seat),
                        "idempotency_key": f"micro-{n:04d}-{seat}"}
                wall, cpu = time.perf_counter(), time.process_time()
                reply = tablet.emit(ev.SUBMIT_MARK, data, namespace=ev.JUDGE_NS, callback=True)
                if n:  # the first window warms up
                    walls.append((time.perf_counter() - wall) * 1000)
                    cpus.append((time.process_time() - cpu) * 1000)
                if not reply.get("ok"):
                    raise RuntimeError(f"submit_mark refused: {reply}")
    finally:
        for tablet in tablets:
            tablet.disconnect(ev.JUDGE_NS)
    with app.app_context():
        from sqlalchemy import func, select

        from contest_app.models import Mark

        stored = db.session.scalar(select(func.count()).select_from(Mark))
        db.session.remove()
    return {
        "name": "a judge's first mark in an open window, handler only (no board), 2019 final",
        "value": statistics.median(walls), "unit": "ms", "target": "—", "met": None, "min_ms": min(walls),
        "cpu_ms": statistics.median(cpus), "marks": len(walls), "stored_marks": stored,
        "samples_ms": [round(t, 2) for t in walls],
    }


def bench_word(tmp: Path, entries: int, repeats: int) -> dict[str, Any]:
    name = f"Word appendix (Phụ lục I + II), {entries} finalists"
    try:
        from contest_app.reports.appendix import build_appendices
        from contest_app.reports.word import appendix_document
    except ImportError as exc:
        return {"name": name, "skipped": f"no docx builder: {exc}", "target": "< 1 s"}
    from contest_app.extensions import db
    from contest_app.models import Edition
    from contest_app.services.final.results import compute_results

    app = build_app(tmp / "word.sqlite")
    with app.app_context():
        edition_id = build_edition(entries)
        sizes = []

        def once() -> None:
            db.session.remove()
            results = compute_results(db.session.get(Edition, edition_id))
            sizes.append(len(appendix_document(build_appendices(results))))

        value, times = _median_ms(once, repeats)
        db.session.remove()
    return {
        "name": name, "value": value, "unit": "ms", "target": "< 1000 ms", "met": value < 1000,
        "min_ms": min(times), "samples_ms": [round(t, 1) for t in times], "docx_bytes": sizes[-1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.micro", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--json", default=None, help="write the figures to this file")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 9
    items = []
    with tempfile.TemporaryDirectory(prefix="contest-micro-") as tmp:
        for bench in (
            lambda: bench_results(Path(tmp), 200, repeats),
            lambda: bench_board(Path(tmp)),
            lambda: bench_desk(Path(tmp), repeats),
            lambda: bench_mark(Path(tmp), 4 if args.quick else 12),
            lambda: bench_word(Path(tmp), 100, max(3, repeats // 3)),
        ):
            try:
                items.append(bench())
            except Exception as exc:  # noqa: BLE001 - one failing benchmark does not hide the others
                items.append({"name": getattr(exc, "bench", "micro-benchmark"), "skipped": f"{type(exc).__name__}: {exc}", "target": "—"})
    for item in items:
        if item.get("skipped"):
            print(f"{item['name']}: skipped ({item['skipped']})")
        else:
            verdict = "no target" if item["met"] is None else ("met" if item["met"] else "NOT met")
            print(f"{item['name']}: {item['value']:.1f} {item['unit']} (target {item['target']}: {verdict})")
    if args.json:
        Path(args.json).write_text(json.dumps({"items": items}, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
