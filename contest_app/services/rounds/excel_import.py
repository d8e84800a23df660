"""Excel import of units, teams and entries, and the template to fill in.

The workbook has three sheets (any may be empty or absent): “Đơn vị”, “Đội thi” and
“Mô hình, sáng kiến”. The whole file is checked first; a file with any bad row imports
nothing and every bad row is reported by sheet, row number and column, in Vietnamese.
Flushes; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy import select

from contest_app.enums import Block
from contest_app.extensions import db
from contest_app.models import Edition, Entry, Team, TeamMember, Unit, User
from contest_app.services.errors import ValidationError
from contest_app.services.rounds import registration as reg
from contest_app.services.trust.audit import actor_name, record_event

SHEET_UNITS = "Đơn vị"
SHEET_TEAMS = "Đội thi"
SHEET_ENTRIES = "Mô hình, sáng kiến"
SHEET_GUIDE = "Hướng dẫn"

COL_UNIT_NAME = "Tên đơn vị"
COL_BLOCK = "Khối"
COL_TEAM_NAME = "Tên đội thi"
COL_UNIT = "Đơn vị"
COL_MEMBERS = "Thành viên"
COL_TITLE = "Tên mô hình, sáng kiến"
COL_SUMMARY = "Tóm tắt"
COL_GROUP = "Nhóm"
COL_TEAM = "Đội thi"

COLUMNS = {
    SHEET_UNITS: [COL_UNIT_NAME, COL_BLOCK],
    SHEET_TEAMS: [COL_TEAM_NAME, COL_UNIT, COL_MEMBERS],
    SHEET_ENTRIES: [COL_TITLE, COL_SUMMARY, COL_GROUP, COL_UNIT, COL_TEAM],
}
REQUIRED = {
    SHEET_UNITS: [COL_UNIT_NAME, COL_BLOCK],
    SHEET_TEAMS: [COL_TEAM_NAME, COL_UNIT],
    SHEET_ENTRIES: [COL_TITLE, COL_GROUP, COL_UNIT],
}


@dataclass(frozen=True)
class RowProblem:
    """One bad cell: where it is and what is wrong, in Vietnamese."""

    sheet: str
    row: int
    column: str
    message: str

    @property
    def text(self) -> str:
        return f"Dòng {self.row}, cột “{self.column}”: {self.message}"

    def __str__(self) -> str:
        return f"Trang “{self.sheet}”, {self.text[0].lower()}{self.text[1:]}"


@dataclass
class ImportReport:
    """What an import created."""

    units: list[Unit] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    entries: list = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (f"Đã nhập {len(self.units)} đơn vị, {len(self.teams)} đội thi, "
                f"{len(self.entries)} mô hình, sáng kiến.")


class ImportRejected(ValidationError):
    """A file with bad rows: nothing imported; ``problems`` lists every bad row."""

    def __init__(self, problems: list[RowProblem]):
        rows = len({(p.sheet, p.row) for p in problems})
        super().__init__(
            f"Tệp có {rows} dòng lỗi; chưa nhập dữ liệu nào. Hãy sửa các dòng dưới đây rồi tải lên lại.",
            code="import_rejected",
            problems=[str(p) for p in problems],
        )
        self.problems = problems


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _read_sheet(workbook, sheet: str, problems: list[RowProblem]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a sheet as (row number, {column: text}); blank rows skipped."""
    if sheet not in workbook.sheetnames:
        return []
    ws = workbook[sheet]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    names = [_cell_text(h) for h in header]
    index = {}
    for i, name in enumerate(names):
        for col in COLUMNS[sheet]:
            if reg.normalise_name(name) == reg.normalise_name(col):
                index[col] = i
    data = []
    body = [(n, row) for n, row in enumerate(rows, start=2) if any(_cell_text(v) for v in row)]
    if not body:
        return []
    for col in REQUIRED[sheet]:
        if col not in index:
            problems.append(RowProblem(sheet, 1, col, "thiếu cột này ở dòng tiêu đề."))
    if any(p.sheet == sheet and p.row == 1 for p in problems):
        return []
    for n, row in body:
        data.append((n, {col: _cell_text(row[i]) if i < len(row) else "" for col, i in index.items()}))
    return data


def import_workbook(*, edition: Edition, data: bytes, actor: User | None = None) -> ImportReport:
    """Import units, teams and entries from an .xlsx file, all or nothing.

    Checks, per row: an empty required cell, an unknown block, a unit that is neither in
    the directory nor in the file's “Đơn vị” sheet, an unknown thematic group, a team
    unknown for the unit, and duplicates (the same unit, team of a unit, or title of a
    unit twice in the file or already stored). Raises ``ImportRejected`` with every
    problem; otherwise creates everything and records one audit event.
    """
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any parse failure means a bad file
        raise ValidationError("Tệp tải lên không phải là tệp Excel (.xlsx) hợp lệ.", code="bad_workbook") from exc
    problems: list[RowProblem] = []
    unit_rows = _read_sheet(workbook, SHEET_UNITS, problems)
    team_rows = _read_sheet(workbook, SHEET_TEAMS, problems)
    entry_rows = _read_sheet(workbook, SHEET_ENTRIES, problems)
    sheetnames = list(workbook.sheetnames)
    workbook.close()
    if not (unit_rows or team_rows or entry_rows) and not problems:
        expected = ", ".join(f"“{name}”" for name in COLUMNS)
        found = ", ".join(f"“{name}”" for name in sheetnames)
        others = [name for name in sheetnames if name not in COLUMNS and name != SHEET_GUIDE]
        hint = (f" Dữ liệu phải nằm trong các trang {expected} (tệp có các trang {found}); "
                "hãy đổi tên trang hoặc chép dữ liệu sang tệp mẫu.") if others else ""
        raise ValidationError("Tệp không có dòng dữ liệu nào để nhập." + hint, code="empty_workbook",
                              sheets=sheetnames)

    # Units: name -> block (new), or existing Unit.
    existing_units = {reg.normalise_name(u.name): u for u in db.session.scalars(select(Unit))}
    new_units: dict[str, tuple[str, Block]] = {}
    for n, row in unit_rows:
        name, block_text = row.get(COL_UNIT_NAME, ""), row.get(COL_BLOCK, "")
        key = reg.normalise_name(name)
        if not name:
            problems.append(RowProblem(SHEET_UNITS, n, COL_UNIT_NAME, "tên đơn vị không được để trống."))
        elif key in new_units:
            problems.append(RowProblem(SHEET_UNITS, n, COL_UNIT_NAME, f"đơn vị “{name}” bị lặp lại trong tệp."))
        elif key in existing_units:
            problems.append(RowProblem(SHEET_UNITS, n, COL_UNIT_NAME, f"đơn vị “{name}” đã có trong danh mục."))
        block = reg.parse_block(block_text)
        if block is None:
            shown = f"“{block_text}” không hợp lệ" if block_text else "không được để trống"
            problems.append(RowProblem(SHEET_UNITS, n, COL_BLOCK,
                                       f"khối {shown}; chọn một trong: {reg.block_choices_text()}."))
        if name and key not in new_units and key not in existing_units:
            new_units[key] = (name, block or Block.DEPARTMENT)

    def unit_known(name: str) -> bool:
        key = reg.normalise_name(name)
        return key in existing_units or key in new_units

    def check_unit(sheet: str, n: int, unit_name: str) -> None:
        """A team's or an entry's unit: given, and in the database or in this file."""
        if not unit_name:
            problems.append(RowProblem(sheet, n, COL_UNIT, "đơn vị không được để trống."))
        elif not unit_known(unit_name):
            problems.append(RowProblem(sheet, n, COL_UNIT, f"không tìm thấy đơn vị “{unit_name}”."))

    # Teams: (unit key, team key) -> name.
    stored_teams = {
        (reg.normalise_name(t.unit.name), reg.normalise_name(t.name)): t
        for t in db.session.scalars(select(Team).where(Team.edition_id == edition.id))
    }
    new_teams: dict[tuple[str, str], tuple[int, dict[str, str]]] = {}
    for n, row in team_rows:
        name, unit_name = row.get(COL_TEAM_NAME, ""), row.get(COL_UNIT, "")
        if not name:
            problems.append(RowProblem(SHEET_TEAMS, n, COL_TEAM_NAME, "tên đội thi không được để trống."))
        check_unit(SHEET_TEAMS, n, unit_name)
        key = (reg.normalise_name(unit_name), reg.normalise_name(name))
        if name and unit_name:
            if key in new_teams:
                problems.append(RowProblem(SHEET_TEAMS, n, COL_TEAM_NAME,
                                           f"đội thi “{name}” của đơn vị “{unit_name}” bị lặp lại trong tệp."))
            elif key in stored_teams:
                problems.append(RowProblem(SHEET_TEAMS, n, COL_TEAM_NAME,
                                           f"đội thi “{name}” của đơn vị “{unit_name}” đã được đăng ký."))
            else:
                new_teams[key] = (n, row)

    # Entries.
    groups = {g.number: g for g in edition.thematic_groups}
    stored_entries = {
        (e.unit_id, reg.normalise_name(e.title))
        for e in reg.list_entries(edition=edition)
    }
    seen_entries: dict[tuple[str, str], int] = {}
    checked_entries = []
    for n, row in entry_rows:
        title, unit_name = row.get(COL_TITLE, ""), row.get(COL_UNIT, "")
        group_text, team_name = row.get(COL_GROUP, ""), row.get(COL_TEAM, "")
        if not title:
            problems.append(RowProblem(SHEET_ENTRIES, n, COL_TITLE, "tên mô hình, sáng kiến không được để trống."))
        check_unit(SHEET_ENTRIES, n, unit_name)
        group = reg.find_group(edition, group_text)
        if group is None:
            numbers = ", ".join(str(k) for k in sorted(groups))
            shown = f"không có nhóm “{group_text}”" if group_text else "nhóm không được để trống"
            problems.append(RowProblem(SHEET_ENTRIES, n, COL_GROUP, f"{shown} (các nhóm: {numbers})."))
        unit_key = reg.normalise_name(unit_name)
        if team_name and unit_known(unit_name):
            team_key = (unit_key, reg.normalise_name(team_name))
            if team_key not in new_teams and team_key not in stored_teams:
                problems.append(RowProblem(SHEET_ENTRIES, n, COL_TEAM,
                                           f"không tìm thấy đội thi “{team_name}” của đơn vị “{unit_name}”."))
        if title and unit_name:
            key = (unit_key, reg.normalise_name(title))
            unit = existing_units.get(unit_key)
            if key in seen_entries:
                problems.append(RowProblem(SHEET_ENTRIES, n, COL_TITLE,
                                           f"trùng với dòng {seen_entries[key]}: cùng tên mô hình, sáng kiến và đơn vị."))
            elif unit is not None and (unit.id, key[1]) in stored_entries:
                problems.append(RowProblem(SHEET_ENTRIES, n, COL_TITLE,
                                           f"đơn vị “{unit_name}” đã đăng ký mô hình, sáng kiến “{title}”."))
            else:
                seen_entries[key] = n
        checked_entries.append((n, row, group))

    if problems:
        problems.sort(key=lambda p: (list(COLUMNS).index(p.sheet), p.row, COLUMNS[p.sheet].index(p.column)))
        raise ImportRejected(problems)

    report = ImportReport()
    for key, (name, block) in new_units.items():
        unit = Unit(name=name, block=block.value)
        db.session.add(unit)
        existing_units[key] = unit
        report.units.append(unit)
    db.session.flush()
    teams_by_key = dict(stored_teams)
    for key, (_n, row) in new_teams.items():
        unit = existing_units[key[0]]
        team = Team(edition_id=edition.id, unit_id=unit.id, name=row[COL_TEAM_NAME])
        for m in reg.parse_members(row.get(COL_MEMBERS, "")):
            team.members.append(TeamMember(full_name=m.full_name, role=m.role, position=m.position))
        db.session.add(team)
        teams_by_key[key] = team
        report.teams.append(team)
    db.session.flush()
    for _n, row, group in checked_entries:
        unit_key = reg.normalise_name(row[COL_UNIT])
        unit = existing_units[unit_key]
        team = teams_by_key.get((unit_key, reg.normalise_name(row.get(COL_TEAM, "")))) if row.get(COL_TEAM) else None
        entry = Entry(edition_id=edition.id, unit_id=unit.id, team_id=team.id if team else None,
                          thematic_group_id=group.id, title=row[COL_TITLE], summary=row.get(COL_SUMMARY, ""))
        db.session.add(entry)
        report.entries.append(entry)
    db.session.flush()
    record_event(
        actor=actor_name(actor), action="import.excel", edition_id=edition.id, object_type="edition",
        object_id=edition.id,
        after={"units": [u.id for u in report.units], "teams": [t.id for t in report.teams],
               "entries": [e.id for e in report.entries]},
    )
    return report


def build_template(edition: Edition) -> bytes:
    """The .xlsx template: the three sheets with their headers, and a guide sheet."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = SHEET_GUIDE
    lines = [
        f"Mẫu nhập danh sách đơn vị, đội thi và mô hình, sáng kiến — {edition.title}",
        "Mỗi trang tính có dòng tiêu đề ở dòng 1; dữ liệu bắt đầu từ dòng 2. Không đổi tên các cột.",
        "Tệp có bất kỳ dòng lỗi nào sẽ không được nhập; hệ thống báo từng dòng lỗi theo số dòng và tên cột.",
        "Trang “Đơn vị”: chỉ ghi các đơn vị CHƯA có trong danh mục. Cột “Khối” ghi một trong các khối sau:",
        *[f"    {b.label}" for b in Block],
        "Trang “Đội thi”: cột “Thành viên” ghi mỗi người một mục, cách nhau bằng dấu “;”, dạng “Họ tên - Vai trò - Chức vụ”.",
        "Trang “Mô hình, sáng kiến”: cột “Nhóm” ghi số nhóm; cột “Đội thi” có thể để trống. Các nhóm:",
        *[f"    Nhóm {g.number}: {g.name}" for g in edition.thematic_groups],
    ]
    for i, line in enumerate(lines, start=1):
        guide.cell(row=i, column=1, value=line)
    guide["A1"].font = Font(bold=True)
    for sheet, cols in COLUMNS.items():
        ws = workbook.create_sheet(sheet)
        for j, col in enumerate(cols, start=1):
            cell = ws.cell(row=1, column=j, value=col)
            cell.font = Font(bold=True)
            ws.column_dimensions[cell.column_letter].width = 40 if j == 1 else 28
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
