"""The hall for the screen tests: the 2019 demo (12 finalists) and a 20-finalist edition (2027).

Both finals are replayed through the services to the same moment: every team before the
last-but-two fully marked and revealed, the next one on stage with its situation segment
open and four of six judges in. The 2027 edition copies 2019's rules and gives its twenty
teams the longest names and titles of the demo, so the board is tested at its fullest; its
scores have no ties, so its ceremony has seven prize cards and the standings.
"""
from __future__ import annotations

from decimal import Decimal

from contest_app import demo_data as data
from contest_app.enums import Aggregation, Panel, RoundStatus
from contest_app.extensions import db

TWENTY_YEAR = 2027
DESK_USER = ("dieukhien", "mat-khau-123")


def build_twenty(units) -> object:
    """An edition of 2027 with the 2019 rules and twenty finalists (the 12 of 2019 and 8 more)."""
    from contest_app.models import Edition, Entry, Judge, PrizeTier, Segment, Team

    edition = Edition(number=5, year=TWENTY_YEAR, title="Lần thứ 5 - năm 2027", contest_name=data.CONTEST_NAME,
                      judges_per_panel=data.JUDGE_COUNT)
    for i, (key, name, short, maximum, step) in enumerate(data.SEGMENTS):
        edition.segments.append(Segment(key=key, name=name, short_name=short, max_score=Decimal(maximum),
                                        mark_step=Decimal(step), order=i + 1, aggregation=Aggregation.MEAN.value))
    for i, (name, count) in enumerate(data.PRIZE_TIERS_2019):
        edition.prize_tiers.append(PrizeTier(name=name, count=count, order=i + 1))
    db.session.add(edition)
    db.session.flush()
    used = {f[0] for f in data.FINALISTS_2019}
    extra_units = [name for name, _block in data.UNITS if name not in used][:8]
    rows = [(u, team, title) for (u, team, title, *_rest) in data.FINALISTS_2019]
    longest = sorted((f[2] for f in data.FINALISTS_2019), key=len, reverse=True)
    rows += [(u, f"Liên quân {u} và các đơn vị phối hợp", longest[i % 4]) for i, u in enumerate(extra_units)]
    for order, (unit_name, team_name, title) in enumerate(rows, start=1):
        unit = units[unit_name]
        team = Team(edition_id=edition.id, unit_id=unit.id, name=team_name)
        db.session.add(team)
        db.session.flush()
        db.session.add(Entry(edition_id=edition.id, unit_id=unit.id, team_id=team.id, title=title,
                             qualifying_status=RoundStatus.PASSED.value,
                             preliminary_status=RoundStatus.PASSED.value, final_order=order))
    db.session.add_all([Judge(edition_id=edition.id, name=f"Giám khảo {i}", title="Thành viên Ban Giám khảo",
                              panel=Panel.FINAL.value, seat=i) for i in range(1, data.JUDGE_COUNT + 1)])
    db.session.flush()
    return edition


def replay(edition, *, on_stage: int, prefix: str) -> None:
    """Teams before ``on_stage`` (0-based) marked in full and revealed; that team's situation open, 4/6 in."""
    from contest_app.services.final import live_state
    from contest_app.services.demo import demo_marks
    from contest_app.services.final.judge_access import edition_credentials
    from contest_app.services.final.judging import record_mark
    from contest_app.services.final.results import finalists

    judges = [c.judge for c in edition_credentials(edition)]
    entries = finalists(edition)
    n = 0
    for t, entry in enumerate(entries[: on_stage + 1]):
        published = list(data.FINALISTS_2019[t % 12][4:7])
        if t >= 12:  # the eight extra teams score 0.1 below the team they copy: no tie anywhere
            published[2] = str(Decimal(published[2]) - Decimal("0.1"))
        for j, (key, score) in enumerate(zip(("knowledge", "situation", "presentation"), published, strict=True)):
            if t == on_stage and key == "presentation":
                break
            seg = live_state.get_segment(edition, key)
            live_state.open_segment(edition=edition, entry=entry, segment=seg, actor="kiểm thử")
            marks = demo_marks(Decimal(score), seg.max_score, seg.mark_step, rotation=t + j)
            limit = 4 if (t == on_stage and key == "situation") else 6
            for judge, value in list(zip(judges, marks, strict=True))[:limit]:
                n += 1
                record_mark(judge_id=judge.id, entry_id=entry.id, segment_key=seg.key, value=value, idempotency_key=f"{prefix}-{n:06d}")
            if limit == 6:
                live_state.close_segment(edition=edition)
                live_state.reveal_segment(edition=edition, entry=entry, segment=seg)
        live_state.refresh_board(edition, publish=True)


def complete(edition, *, prefix: str) -> None:
    """Mark and publish everything still missing: the final is over, ready for the prize ceremony."""
    from sqlalchemy import select

    from contest_app.models import Mark
    from contest_app.services.demo import demo_marks
    from contest_app.services.final import live_state
    from contest_app.services.final.judge_access import edition_credentials
    from contest_app.services.final.judging import record_mark
    from contest_app.services.final.results import finalists

    judges = [c.judge for c in edition_credentials(edition)]
    n = 0
    for t, entry in enumerate(finalists(edition)):
        published = list(data.FINALISTS_2019[t % 12][4:7])
        if t >= 12:
            published[2] = str(Decimal(published[2]) - Decimal("0.1"))
        for j, (key, score) in enumerate(zip(("knowledge", "situation", "presentation"), published, strict=True)):
            seg = live_state.get_segment(edition, key)
            window = live_state.windows_of(edition).get((entry.id, seg.id))
            if window is not None and window.revealed:
                continue
            if window is None or not window.is_open:
                live_state.open_segment(edition=edition, entry=entry, segment=seg, actor="kiểm thử")
            done = set(db.session.scalars(select(Mark.judge_id).where(Mark.entry_id == entry.id,
                                                                      Mark.segment_id == seg.id)))
            marks = demo_marks(Decimal(score), seg.max_score, seg.mark_step, rotation=t + j)
            for judge, value in zip(judges, marks, strict=True):
                if judge.id not in done:
                    n += 1
                    record_mark(judge_id=judge.id, entry_id=entry.id, segment_key=seg.key, value=value,
                                idempotency_key=f"{prefix}-end-{n:06d}")
            live_state.close_segment(edition=edition)
            live_state.reveal_segment(edition=edition, entry=entry, segment=seg)
        live_state.refresh_board(edition, publish=True)


def build_hall(app) -> dict:
    """Load both editions, replay them, add the desk's account; return the 2019 tablet token of seat 6."""
    from contest_app.services.trust.accounts import create_user
    from contest_app.services.demo import ensure_units, load_demo
    from contest_app.services.final.judge_access import edition_credentials

    with app.app_context():
        db.create_all()
        demo = load_demo(with_marks=False)
        twenty = build_twenty(ensure_units())
        replay(demo, on_stage=9, prefix="d")
        replay(twenty, on_stage=17, prefix="t")
        create_user(username=DESK_USER[0], role="control", password=DESK_USER[1], display_name="Bàn điều khiển")
        token = edition_credentials(demo)[5].token
        db.session.commit()
        db.session.remove()
    return {"token": token, "app": app}
