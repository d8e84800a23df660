"""A small open edition with two units, their focal points, teams and entries, for the view tests."""
from __future__ import annotations

from dataclasses import dataclass

from contest_app.extensions import db
from contest_app.models import Edition, Entry, Team, Unit, User
from contest_app.services.rounds import dossiers, registration
from contest_app.services.trust.accounts import create_user
from contest_app.services.demo import ensure_units
from tests.services.rounds_helpers import new_edition, tiny_pdf

PASSWORD = "mat-khau-123"


@dataclass
class World:
    edition: Edition
    unit_a: Unit
    unit_b: Unit
    organiser: User
    focal_a: User
    focal_b: User
    judge: User
    team_a: Team
    team_b: Team
    entry_a: Entry
    entry_b: Entry


def build_world() -> World:
    units = ensure_units()
    edition = new_edition()
    unit_a, unit_b = units["Sở Nội vụ"], units["Sở Y tế"]
    organiser = create_user(username="btc", role="organiser", password=PASSWORD, display_name="Ban Tổ chức")
    focal_a = create_user(username="daumoi_a", role="focal_point", password=PASSWORD, unit_id=unit_a.id,
                          display_name="Đầu mối Sở Nội vụ")
    focal_b = create_user(username="daumoi_b", role="focal_point", password=PASSWORD, unit_id=unit_b.id,
                          display_name="Đầu mối Sở Y tế")
    judge = create_user(username="giamkhao", role="preliminary_judge", password=PASSWORD, unit_id=unit_a.id,
                        display_name="Giám khảo A")
    team_a = registration.create_team(edition=edition, unit=unit_a, name="Đội Sở Nội vụ", actor=focal_a)
    team_b = registration.create_team(edition=edition, unit=unit_b, name="Đội Sở Y tế", actor=focal_b)
    entry_a = registration.create_entry(edition=edition, unit=unit_a, title="Khu dân cư điện tử", group=1,
                                        team=team_a, actor=focal_a)
    entry_b = registration.create_entry(edition=edition, unit=unit_b, title="Bệnh án điện tử", group=3,
                                        summary="Số hóa bệnh án", team=team_b, actor=focal_b)
    dossiers.store_dossier(entry=entry_b, filename="benh-an.pdf", data=tiny_pdf(), actor=focal_b)
    db.session.commit()
    return World(edition, unit_a, unit_b, organiser, focal_a, focal_b, judge, team_a, team_b, entry_a, entry_b)
