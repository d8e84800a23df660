"""Excel import: all or nothing, every bad row named by row number and column."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from contest_app.extensions import db
from contest_app.models import AuditEvent, Entry, Team, Unit
from contest_app.services.rounds import registration
from contest_app.services.demo import ensure_units
from contest_app.services.errors import ValidationError
from contest_app.services.rounds.excel_import import ImportRejected, build_template, import_workbook
from tests.services.rounds_helpers import new_edition, workbook_bytes


def _counts():
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (Unit, Team, Entry, AuditEvent))


def test_bad_rows_import_nothing_and_every_row_is_named(any_app):
    units = ensure_units()
    edition = new_edition()
    registration.create_entry(edition=edition, unit=units["Sở Tư pháp"], title="Sổ tay pháp luật điện tử", group=2)
    db.session.commit()
    before = _counts()
    data = workbook_bytes(
        units=[("Trung tâm Phục vụ hành chính công", "Đơn vị sự nghiệp"), ("Ban Quản lý chợ", "Khối XYZ")],
        teams=[("Đội Tư pháp", "Sở Tư pháp", "Nguyễn Văn A - Đội trưởng; Trần Thị B - Thành viên")],
        entries=[
            ("Một cửa điện tử cấp xã", "Tóm tắt", 1, "Sở Tư pháp", "Đội Tư pháp"),           # row 2: good
            ("Cổng dịch vụ công", "", 2, "Sở ABC", ""),                                      # row 3: missing unit
            ("Ví điện tử công vụ", "", 7, "Sở Tài chính", ""),                                # row 4: unknown group
            ("", "Chỉ có tóm tắt", 3, "Sở Y tế", ""),                                         # row 5: empty title
            ("Một cửa  điện tử cấp xã", "", 1, "Sở Tư pháp", ""),                             # row 6: duplicate in file
            ("Sổ tay pháp luật điện tử", "", 2, "Sở Tư pháp", ""),                            # row 7: already stored
            ("Phòng họp không giấy", "", 5, "Trung tâm Phục vụ hành chính công", ""),         # row 8: good (new unit)
        ],
    )
    with pytest.raises(ImportRejected) as exc:
        import_workbook(edition=edition, data=data)
    db.session.rollback()
    assert exc.value.message == "Tệp có 6 dòng lỗi; chưa nhập dữ liệu nào. Hãy sửa các dòng dưới đây rồi tải lên lại."
    assert [str(p) for p in exc.value.problems] == [
        "Trang “Đơn vị”, dòng 3, cột “Khối”: khối “Khối XYZ” không hợp lệ; chọn một trong: Khối Sở, ban, ngành; "
        "Cơ quan ngành dọc; UBND cấp huyện; UBND cấp xã; Đơn vị sự nghiệp.",
        "Trang “Mô hình, sáng kiến”, dòng 3, cột “Đơn vị”: không tìm thấy đơn vị “Sở ABC”.",
        "Trang “Mô hình, sáng kiến”, dòng 4, cột “Nhóm”: không có nhóm “7” (các nhóm: 1, 2, 3, 4, 5).",
        "Trang “Mô hình, sáng kiến”, dòng 5, cột “Tên mô hình, sáng kiến”: tên mô hình, sáng kiến không được để trống.",
        "Trang “Mô hình, sáng kiến”, dòng 6, cột “Tên mô hình, sáng kiến”: trùng với dòng 2: cùng tên mô hình, sáng kiến và đơn vị.",
        "Trang “Mô hình, sáng kiến”, dòng 7, cột “Tên mô hình, sáng kiến”: đơn vị “Sở Tư pháp” đã đăng ký mô hình, sáng kiến “Sổ tay pháp luật điện tử”.",
    ]
    assert exc.value.problems[1].text == "Dòng 3, cột “Đơn vị”: không tìm thấy đơn vị “Sở ABC”."
    assert _counts() == before


def test_good_file_imports_units_teams_and_entries(any_app):
    ensure_units()
    edition = new_edition()
    data = workbook_bytes(
        units=[("Trung tâm Phục vụ hành chính công", "đơn vị sự nghiệp")],
        teams=[("Đội Tư pháp", "Sở Tư pháp", "Nguyễn Văn A - Đội trưởng - Chuyên viên; Trần Thị B")],
        entries=[("Một cửa điện tử cấp xã", "Tóm tắt", "Nhóm 1", "Sở Tư pháp", "Đội Tư pháp"),
                 ("Phòng họp không giấy", "", 5.0, "Trung tâm Phục vụ hành chính công", "")],
    )
    report = import_workbook(edition=edition, data=data)
    db.session.commit()
    assert report.summary == "Đã nhập 1 đơn vị, 1 đội thi, 2 mô hình, sáng kiến."
    unit = registration.find_unit("Trung tâm Phục vụ hành chính công")
    assert unit.block == "public_service"
    team = report.teams[0]
    assert [(m.full_name, m.role, m.position) for m in team.members] == [
        ("Nguyễn Văn A", "Đội trưởng", "Chuyên viên"), ("Trần Thị B", "Thành viên", "")]
    first, second = report.entries
    assert (first.team_id, first.thematic_group.number, first.summary) == (team.id, 1, "Tóm tắt")
    assert (second.unit_id, second.thematic_group.number) == (unit.id, 5)
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "import.excel")) == 1


def test_not_an_excel_file_is_refused(app):
    edition = new_edition()
    with pytest.raises(ValidationError) as exc:
        import_workbook(edition=edition, data=b"%PDF-1.4 not excel")
    assert exc.value.message == "Tệp tải lên không phải là tệp Excel (.xlsx) hợp lệ."


def test_missing_header_column_is_named(app):
    ensure_units()
    edition = new_edition()
    from io import BytesIO

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Mô hình, sáng kiến"
    ws.append(["Tên mô hình, sáng kiến", "Đơn vị"])
    ws.append(["Một cửa", "Sở Tư pháp"])
    out = BytesIO()
    wb.save(out)
    with pytest.raises(ImportRejected) as exc:
        import_workbook(edition=edition, data=out.getvalue())
    assert [p.text for p in exc.value.problems] == ["Dòng 1, cột “Nhóm”: thiếu cột này ở dòng tiêu đề."]


def test_template_round_trips_as_an_empty_import(app):
    edition = new_edition()
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(build_template(edition)))
    assert wb.sheetnames == ["Hướng dẫn", "Đơn vị", "Đội thi", "Mô hình, sáng kiến"]
    assert [c.value for c in wb["Mô hình, sáng kiến"][1]] == ["Tên mô hình, sáng kiến", "Tóm tắt", "Nhóm", "Đơn vị", "Đội thi"]
    with pytest.raises(ValidationError) as exc:
        import_workbook(edition=edition, data=build_template(edition))
    assert exc.value.message == "Tệp không có dòng dữ liệu nào để nhập."


def test_data_in_another_sheet_names_the_sheets_expected(app):
    from io import BytesIO

    from openpyxl import Workbook

    edition = new_edition()
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["Tên mô hình, sáng kiến", "Tóm tắt", "Nhóm", "Đơn vị", "Đội thi"])
    wb.active.append(["Một cửa số", "", 1, "Sở Y tế", ""])
    out = BytesIO()
    wb.save(out)
    with pytest.raises(ValidationError) as exc:
        import_workbook(edition=edition, data=out.getvalue())
    assert exc.value.message == (
        "Tệp không có dòng dữ liệu nào để nhập. Dữ liệu phải nằm trong các trang “Đơn vị”, “Đội thi”, "
        "“Mô hình, sáng kiến” (tệp có các trang “Sheet1”); hãy đổi tên trang hoặc chép dữ liệu sang tệp mẫu.")
