"""Registration: units, clusters, teams, entries, dossiers and who may act for which unit."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from contest_app import demo_data as data
from contest_app.extensions import db
from contest_app.models import Entry, Unit, User
from contest_app.services.rounds import dossiers, registration
from contest_app.services.demo import ensure_units
from contest_app.services.errors import Conflict, PermissionDenied, ValidationError
from tests.services.rounds_helpers import new_edition, tiny_docx, tiny_pdf


def _focal(unit) -> User:
    user = User(username=f"dm{unit.id}", role="focal_point", unit_id=unit.id, password_hash="x")
    db.session.add(user)
    db.session.flush()
    return user


def test_units_seeded_from_reports_with_their_blocks(any_app):
    units = ensure_units()
    assert len(units) == len(data.UNITS) == 49
    assert units["UBND huyện Cam Lâm"].block_label == "UBND cấp huyện"
    assert units["Cục Thuế tỉnh"].block_label == "Cơ quan ngành dọc"
    assert units["UBND xã Diên An (huyện Diên Khánh)"].block_label == "UBND cấp xã"


def test_create_unit_refuses_bad_block_and_duplicate(any_app):
    ensure_units()
    with pytest.raises(ValidationError) as exc:
        registration.create_unit(name="Sở ABC", block="khối lạ")
    assert exc.value.message.startswith("Khối “khối lạ” không hợp lệ. Các khối: Khối Sở, ban, ngành;")
    with pytest.raises(Conflict) as exc:
        registration.create_unit(name="  sở nội  vụ ", block="Khối Sở")
    assert exc.value.message == "Đơn vị “sở nội vụ” đã có trong danh mục."
    unit = registration.create_unit(name="Trung tâm Hành chính công", block="Đơn vị sự nghiệp")
    assert unit.block == "public_service"


def test_focal_point_acts_only_for_own_unit(any_app):
    units = ensure_units()
    edition = new_edition()
    mine, other = units["Sở Nội vụ"], units["Sở Y tế"]
    focal = _focal(mine)
    with pytest.raises(PermissionDenied) as exc:
        registration.create_entry(edition=edition, unit=other, title="Bệnh án điện tử", group=1, actor=focal)
    assert exc.value.message == "Bạn chỉ được xem và sửa đội thi, mô hình, sáng kiến của đơn vị mình."
    foreign = registration.create_entry(edition=edition, unit=other, title="Bệnh án điện tử", group=1)
    with pytest.raises(PermissionDenied):
        registration.get_entry_for(user=focal, entry_id=foreign.id)
    with pytest.raises(PermissionDenied):  # a missing id looks the same as a foreign one
        registration.get_entry_for(user=focal, entry_id=99999)
    with pytest.raises(PermissionDenied):
        dossiers.store_dossier(entry=foreign, filename="a.pdf", data=tiny_pdf(), actor=focal)
    assert db.session.scalar(select(func.count(Entry.id))) == 1


def test_entry_rules_title_group_duplicate(any_app):
    units = ensure_units()
    edition = new_edition()
    unit = units["Sở Tư pháp"]
    with pytest.raises(ValidationError) as exc:
        registration.create_entry(edition=edition, unit=unit, title="   ", group=1)
    assert exc.value.message == "Tên mô hình, sáng kiến không được để trống."
    with pytest.raises(ValidationError) as exc:
        registration.create_entry(edition=edition, unit=unit, title="Sổ tay", group="Nhóm 6")
    assert exc.value.message == "Không có nhóm “Nhóm 6” trong kỳ thi này (các nhóm: 1, 2, 3, 4, 5)."
    registration.create_entry(edition=edition, unit=unit, title="Sổ tay pháp luật", group="Nhóm 2")
    with pytest.raises(Conflict) as exc:
        registration.create_entry(edition=edition, unit=unit, title="SỔ TAY  pháp luật", group=2)
    assert exc.value.message == "Đơn vị “Sở Tư pháp” đã đăng ký mô hình, sáng kiến “SỔ TAY pháp luật”."
    # The same title from another unit is a different entry.
    registration.create_entry(edition=edition, unit=units["Sở Y tế"], title="Sổ tay pháp luật", group=2)


def test_dossier_type_checked_by_content_and_stored_under_random_name(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    units = ensure_units()
    edition = new_edition()
    entry = registration.create_entry(edition=edition, unit=units["Sở Y tế"], title="Bệnh án", group=1)
    organiser = User(username="btc", role="organiser", password_hash="x")
    db.session.add(organiser)
    assert dossiers.sniff_dossier(tiny_pdf()) == "pdf"
    assert dossiers.sniff_dossier(tiny_docx()) == "docx"
    import io
    import zipfile

    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("xl/workbook.xml", "<x/>")
    for bad in (b"<html>", other_zip.getvalue(), b"PK\x03\x04broken"):
        with pytest.raises(ValidationError) as exc:
            dossiers.store_dossier(entry=entry, filename="ho-so.pdf", data=bad, actor=organiser)
        assert exc.value.code == "bad_file_type"
    dossiers.store_dossier(entry=entry, filename="C:\\Users\\a\\Đề cương.docx", data=tiny_docx(), actor=organiser)
    assert entry.dossier_name == "Đề cương.docx"
    assert len(entry.dossier_path) == len("dossiers/") + 32 + len(".docx")
    assert dossiers.dossier_file(entry).read_bytes() == (tmp_path / entry.dossier_path).read_bytes()


def test_cluster_units_and_teams(any_app):
    units = ensure_units()
    edition = new_edition()
    cluster = registration.create_cluster(edition=edition, name="Cụm 5", unit_ids=[
        units["UBND thị xã Ninh Hòa"].id, units["UBND huyện Vạn Ninh"].id])
    assert registration.cluster_of_unit(edition, units["UBND huyện Vạn Ninh"].id) == cluster
    team = registration.create_team(edition=edition, unit=units["UBND huyện Vạn Ninh"], name="Đội Vạn Ninh",
                                    members=registration.parse_members("Lê Văn C - Đội trưởng\nPhạm Thị D"))
    assert [(m.full_name, m.role) for m in team.members] == [("Lê Văn C", "Đội trưởng"), ("Phạm Thị D", "Thành viên")]
    with pytest.raises(Conflict):
        registration.create_team(edition=edition, unit=units["UBND huyện Vạn Ninh"], name="đội vạn ninh")
    assert db.session.scalar(select(func.count(Unit.id))) == len(data.UNITS)


def test_seed_units_command_adds_missing_units_once(runner):
    result = runner.invoke(args=["seed-units"])
    assert result.exit_code == 0
    assert result.output == f"Đã thêm {len(data.UNITS)} đơn vị; danh mục có {len(data.UNITS)} đơn vị.\n"
    again = runner.invoke(args=["seed-units"])
    assert again.output == f"Đã thêm 0 đơn vị; danh mục có {len(data.UNITS)} đơn vị.\n"
