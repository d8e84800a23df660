"""The preliminary round, scripted end to end: 95 entries → 52 → 12, on SQLite and PostgreSQL."""
from __future__ import annotations

from collections import Counter
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from contest_app import demo_data as data
from contest_app.enums import Role, RoundKind, RoundStatus
from contest_app.extensions import db
from contest_app.models import AuditEvent, PreliminaryScore, User
from contest_app.services.rounds import excel_import, preliminary, qualifying, registration
from contest_app.services.trust.audit import verify_chain
from contest_app.services.demo import ensure_units
from contest_app.services.errors import Conflict, PermissionDenied, ValidationError
from contest_app.services.rounds.round_figures import round_figures
from tests.services.rounds_helpers import new_edition, workbook_bytes

HASH = None


def _user(username: str, role: Role, unit=None) -> User:
    """An account made directly (one password hash for all keeps the script fast)."""
    global HASH
    user = User(username=username, display_name=username, role=role.value, unit_id=unit.id if unit else None)
    if HASH is None:
        user.set_password("mat-khau-123")
        HASH = user.password_hash
    user.password_hash = HASH
    db.session.add(user)
    db.session.flush()
    return user


def split(total: Decimal, criteria) -> dict[int, Decimal]:
    """Points per criterion summing exactly to ``total`` (proportional, remainder on the last)."""
    values = {}
    for c in criteria[:-1]:
        values[c.id] = (total * c.max_points / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    values[criteria[-1].id] = total - sum(values.values())
    return values


#: Group of each of the 52 qualified entries (index 0..51): 32 / 13 / 4 / 2 / 1.
QUALIFIED_GROUPS = [1] * 32 + [2] * 13 + [3] * 4 + [4] * 2 + [5]
FINALISTS = set(range(9)) | {9, 33, 46}
EXCEL_ROWS = range(40, 60)


def judge_totals(i: int) -> list[Decimal]:
    """The three judges' totals for qualified entry ``i`` (J1, J2, J3)."""
    if i == 9:
        return [Decimal("74"), Decimal("75"), Decimal("76")]  # mean exactly 75.00: passes
    if i == 11:
        return [Decimal("75.00"), Decimal("74.98"), Decimal("74.99")]  # mean 74.99: fails
    if i == 10:
        return [None, Decimal("75.00"), Decimal("74.99")]  # J1's own unit; mean 74.995: fails
    if i in FINALISTS:
        base = Decimal(76 + i % 15)
    else:
        base = Decimal(50 + (i * 7) % 24) + Decimal("0.25")
    return [base - 1, base + Decimal("1.5"), base - Decimal("0.5")]


def run_script(app):
    units = ensure_units()
    ordered = [units[name] for name, _block in data.UNITS]
    edition = new_edition()
    organiser = _user("btc", Role.ORGANISER)
    focal = {}
    plan = []  # (index, unit, title, group)
    for i in range(95):
        unit = ordered[i % len(ordered)]
        group = QUALIFIED_GROUPS[i] if i < 52 else (i % 5) + 1
        plan.append((i, unit, f"Mô hình số {i + 1}: cải tiến quy trình lĩnh vực {i * 13 % 97}", group))
    # 20 entries by Excel, the rest by the registration service (as each unit's focal point).
    report = excel_import.import_workbook(
        edition=edition,
        data=workbook_bytes(entries=[(t, "", g, u.name, "") for i, u, t, g in plan if i in EXCEL_ROWS]),
        actor=organiser,
    )
    assert len(report.entries) == 20
    for i, unit, title, group in plan:
        if unit.id not in focal:
            focal[unit.id] = _user(f"daumoi{unit.id}", Role.FOCAL_POINT, unit)
        if i not in EXCEL_ROWS:
            registration.create_entry(edition=edition, unit=unit, title=title, group=group, actor=focal[unit.id])
    entries = {e.title: e for e in registration.list_entries(edition=edition)}
    by_index = {i: entries[title] for i, _u, title, _g in plan}
    for i, entry in by_index.items():
        qualifying.record_decision(entry=entry, passed=i < 52, score="80" if i < 52 else "60",
                                   note="", actor=focal[entry.unit_id])
    judges = [
        _user("gk1", Role.PRELIMINARY_JUDGE, units["Sở Nội vụ"]),
        _user("gk2", Role.PRELIMINARY_JUDGE, units["Sở Tư pháp"]),
        _user("gk3", Role.PRELIMINARY_JUDGE, None),
    ]
    for judge in judges:
        preliminary.assign_judge(edition=edition, judge=judge, cluster=None, actor=organiser)
    criteria = preliminary.rubric(edition)
    return edition, organiser, judges, by_index, criteria, plan


def score_all(edition, judges, by_index, criteria):
    for i in range(52):
        entry = by_index[i]
        for judge, total in zip(judges, judge_totals(i), strict=True):
            if judge.unit_id == entry.unit_id:
                continue
            preliminary.record_scores(edition=edition, judge=judge, entry=entry, values=split(total, criteria))


def test_scripted_edition_95_52_12_cutoff_exact(any_app):
    edition, organiser, judges, by_index, criteria, plan = run_script(any_app)
    db.session.commit()
    assert registration.count_entries(edition) == 95

    # Judge 1 (Sở Nội vụ) is never offered the entry of Sở Nội vụ (index 10), judge 2 that of Sở Tư pháp.
    offered = {j.username: {e.id for e in preliminary.entries_for_judge(edition=edition, judge=j)} for j in judges}
    assert by_index[10].id not in offered["gk1"] and len(offered["gk1"]) == 51
    assert by_index[16].id not in offered["gk2"] and len(offered["gk2"]) == 51
    assert len(offered["gk3"]) == 52
    assert by_index[60].id not in offered["gk3"]  # failed qualifying: not in the preliminary round

    with pytest.raises(Conflict) as exc:
        preliminary.close_round(edition=edition, actor=organiser)
    assert exc.value.message.startswith("Còn 52 mô hình, sáng kiến chưa có điểm:")

    score_all(edition, judges, by_index, criteria)
    db.session.commit()

    scores = preliminary.entry_scores(edition)
    assert scores[by_index[9].id].mean == Fraction(75)
    assert scores[by_index[11].id].mean == Fraction(7499, 100)
    assert scores[by_index[10].id].mean == Fraction(74995, 1000)
    assert scores[by_index[10].id].judges == 2

    with pytest.raises(Conflict) as exc:
        preliminary.publish_finalists(edition=edition, actor=organiser)
    assert exc.value.message == "Phải kết thúc vòng sơ khảo trước khi công bố danh sách vào chung khảo."

    finalists = preliminary.close_round(edition=edition, actor=organiser)
    db.session.commit()
    expected = {by_index[i].id for i in range(52) if Fraction(sum(t for t in judge_totals(i) if t is not None))
                / len([t for t in judge_totals(i) if t is not None]) >= 75}
    assert {e.id for e in finalists} == expected == {by_index[i].id for i in FINALISTS}
    assert len(finalists) == 12
    assert by_index[9].preliminary_status == RoundStatus.PASSED.value
    assert by_index[9].preliminary_score == Decimal("75.00")
    assert by_index[11].preliminary_status == RoundStatus.FAILED.value
    assert by_index[11].preliminary_score == Decimal("74.99")
    assert by_index[10].preliminary_status == RoundStatus.FAILED.value
    assert by_index[10].preliminary_score == Decimal("74.99")  # 74.995 is cut, never shown as 75,00
    assert by_index[60].preliminary_status == RoundStatus.PENDING.value

    published = preliminary.publish_finalists(edition=edition, actor=organiser)
    db.session.commit()
    assert [e.id for e in published][-1] == by_index[9].id  # 75.00 is the lowest finalist

    figures = round_figures(edition)
    assert figures.totals == [95, 52, 12]
    assert list(figures.round(RoundKind.PRELIMINARY).by_group.values()) == [32, 13, 4, 2, 1]
    assert list(figures.round(RoundKind.FINAL).by_group.values()) == [10, 1, 1, 0, 0]
    script_blocks = Counter(u.block for i, u, _t, _g in plan if i < 52)
    assert {k: v for k, v in figures.round(RoundKind.PRELIMINARY).by_block.items() if v} == dict(script_blocks)
    assert sum(figures.round(RoundKind.QUALIFYING).by_group.values()) == 95

    # Audited: the import, every qualifying decision, the close and the publish; the chain holds.
    actions = Counter(db.session.scalars(select(AuditEvent.action)))
    assert actions["import.excel"] == 1
    assert actions["qualifying.decide"] == 95
    assert actions["preliminary.close"] == 1 and actions["preliminary.publish"] == 1
    assert verify_chain() == []

    # Closed: no more scores.
    with pytest.raises(Conflict):
        preliminary.record_scores(edition=edition, judge=judges[2], entry=by_index[0],
                                  values=split(Decimal(80), criteria))


def test_judge_forced_on_own_unit_entry_is_refused_and_nothing_stored(any_app):
    units = ensure_units()
    edition = new_edition()
    organiser = _user("btc", Role.ORGANISER)
    entry = registration.create_entry(edition=edition, unit=units["Sở Nội vụ"], title="Khu dân cư điện tử",
                                      group=1, actor=organiser)
    qualifying.record_decision(entry=entry, passed=True, actor=organiser)
    judge = _user("gk1", Role.PRELIMINARY_JUDGE, units["Sở Nội vụ"])
    preliminary.assign_judge(edition=edition, judge=judge, cluster=None, actor=organiser)
    db.session.commit()
    assert preliminary.entries_for_judge(edition=edition, judge=judge) == []
    criteria = preliminary.rubric(edition)
    with pytest.raises(PermissionDenied) as exc:
        preliminary.record_scores(edition=edition, judge=judge, entry=entry, values=split(Decimal(90), criteria))
    assert exc.value.message == "Giám khảo không được chấm mô hình, sáng kiến của chính đơn vị mình."
    db.session.rollback()
    assert db.session.scalar(select(func.count(PreliminaryScore.id))) == 0


def test_judge_of_a_cluster_is_offered_only_its_units(any_app):
    units = ensure_units()
    edition = new_edition()
    organiser = _user("btc", Role.ORGANISER)
    cluster = registration.create_cluster(
        edition=edition, name="Cụm 3", unit_ids=[units["UBND thành phố Cam Ranh"].id, units["UBND huyện Cam Lâm"].id],
        actor=organiser)
    inside = registration.create_entry(edition=edition, unit=units["UBND huyện Cam Lâm"], title="QR code", group=1)
    outside = registration.create_entry(edition=edition, unit=units["Sở Y tế"], title="Bệnh án điện tử", group=1)
    for e in (inside, outside):
        qualifying.record_decision(entry=e, passed=True, actor=organiser)
    judge = _user("gk", Role.PRELIMINARY_JUDGE, units["Sở Nội vụ"])
    preliminary.assign_judge(edition=edition, judge=judge, cluster=cluster, actor=organiser)
    assert preliminary.entries_for_judge(edition=edition, judge=judge) == [inside]
    with pytest.raises(PermissionDenied) as exc:
        preliminary.record_scores(edition=edition, judge=judge, entry=outside,
                                  values=split(Decimal(80), preliminary.rubric(edition)))
    assert exc.value.message == "Mô hình, sáng kiến này không thuộc phạm vi chấm được phân công cho bạn."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("26", "Tiêu chí “Tính mới, sáng tạo”: điểm phải từ 0 đến 25."),
        ("-1", "Tiêu chí “Tính mới, sáng tạo”: điểm phải từ 0 đến 25."),
        ("abc", "Tiêu chí “Tính mới, sáng tạo”: “abc” không phải là một số."),
        ("NaN", "Tiêu chí “Tính mới, sáng tạo”: “NaN” không phải là một số."),
        ("12.345", "Tiêu chí “Tính mới, sáng tạo”: chỉ được có tối đa 2 chữ số thập phân."),
        ("", "Tiêu chí “Tính mới, sáng tạo”: chưa nhập điểm."),
    ],
)
def test_score_out_of_range_or_not_a_number_is_refused(app, value, message):
    units = ensure_units()
    edition = new_edition()
    organiser = _user("btc", Role.ORGANISER)
    entry = registration.create_entry(edition=edition, unit=units["Sở Y tế"], title="Bệnh án điện tử", group=1)
    qualifying.record_decision(entry=entry, passed=True, actor=organiser)
    judge = _user("gk", Role.PRELIMINARY_JUDGE, None)
    preliminary.assign_judge(edition=edition, judge=judge, cluster=None, actor=organiser)
    criteria = preliminary.rubric(edition)
    values = split(Decimal(80), criteria)
    values[criteria[0].id] = value
    with pytest.raises(ValidationError) as exc:
        preliminary.record_scores(edition=edition, judge=judge, entry=entry, values=values)
    assert exc.value.message == message
    assert db.session.scalar(select(func.count(PreliminaryScore.id))) == 0


def test_default_rubric_sums_to_100_and_is_labelled_default(any_app):
    edition = new_edition()
    criteria = preliminary.rubric(edition)
    assert [(c.name, c.max_points) for c in criteria] == [
        ("Tính mới, sáng tạo", Decimal("25")), ("Tính khả thi", Decimal("20")), ("Tính hiệu quả", Decimal("25")),
        ("Khả năng nhân rộng", Decimal("20")), ("Chất lượng hồ sơ, đề cương", Decimal("10")),
    ]
    assert preliminary.rubric_is_default(edition)


def test_rubric_must_sum_to_100(any_app):
    edition = new_edition()
    organiser = _user("btc", Role.ORGANISER)
    with pytest.raises(ValidationError) as exc:
        preliminary.set_rubric(edition=edition, criteria=[("Tính mới", "50"), ("Hiệu quả", "40")], actor=organiser)
    assert exc.value.message == "Tổng điểm tối đa các tiêu chí phải bằng 100 (hiện là 90)."
    rows = preliminary.set_rubric(edition=edition, criteria=[("Tính mới", "60"), ("Hiệu quả", "40,0")], actor=organiser)
    assert [(r.name, r.max_points) for r in rows] == [("Tính mới", Decimal("60")), ("Hiệu quả", Decimal("40.0"))]
    assert not preliminary.rubric_is_default(edition)


def test_cutoff_rule_is_exact():
    assert preliminary.passes(Fraction(75), Decimal("75"))
    assert not preliminary.passes(Fraction(7499, 100), Decimal("75"))
    assert not preliminary.passes(Fraction(74995, 1000), Decimal("75"))
    assert not preliminary.passes(Fraction(224999, 3000), Decimal("75"))
    assert preliminary.shown_score(Fraction(74995, 1000)) == Decimal("74.99")
    assert preliminary.shown_score(Fraction(233, 3)) == Decimal("77.66")
