"""Figures per round: counts per round, per block and per thematic group."""
from __future__ import annotations

from contest_app.enums import RoundKind
from contest_app.extensions import db
from contest_app.models import Edition
from contest_app.services.rounds import registration
from contest_app.services.demo import load_demo
from contest_app.reports.csvfile import csv_text
from contest_app.services.rounds.round_figures import figures_table, round_figures
from tests.services.rounds_helpers import new_edition


def test_figures_only_edition_uses_its_history(any_app):
    load_demo()
    db.session.commit()
    figures = round_figures(db.session.query(Edition).filter_by(year=2017).one())
    assert figures.totals == [83, 52, 14]
    assert figures.round(RoundKind.PRELIMINARY).by_group == {}


def test_demo_2019_finalists_by_group_and_block(any_app):
    edition = load_demo()
    figures = round_figures(edition)
    assert figures.round(RoundKind.FINAL).total == 12
    assert list(figures.round(RoundKind.FINAL).by_group.values()) == [7, 2, 2, 0, 1]
    assert figures.round(RoundKind.FINAL).by_block == {
        "department": 5, "vertical": 1, "district": 3, "commune": 2, "public_service": 1}


def test_withdrawn_entries_are_not_counted_and_csv(any_app):
    from contest_app.services.demo import ensure_units

    units = ensure_units()
    edition = new_edition()
    a = registration.create_entry(edition=edition, unit=units["Sở Y tế"], title="A", group=1)
    registration.create_entry(edition=edition, unit=units["UBND huyện Cam Lâm"], title="B", group=4)
    a.qualifying_status = "withdrawn"
    figures = round_figures(edition)
    assert figures.totals == [1, 0, 0]
    assert csv_text(*figures_table(figures), form="plain").splitlines() == [
        "Vòng,Tổng số,\"Khối Sở, ban, ngành\",Cơ quan ngành dọc,UBND cấp huyện,UBND cấp xã,Đơn vị sự nghiệp,"
        "Nhóm 1,Nhóm 2,Nhóm 3,Nhóm 4,Nhóm 5",
        "Vòng loại,1,0,0,1,0,0,0,0,0,1,0",
        "Vòng sơ khảo,0,0,0,0,0,0,0,0,0,0,0",
        "Vòng chung khảo,0,0,0,0,0,0,0,0,0,0,0",
    ]
