"""Registration before the rounds: units, clusters, teams, entries and their dossiers,
and who may see or change them.

A focal point (cán bộ đầu mối) acts only for their own unit; organisers act for all.
Everything here flushes and never commits; the caller commits once.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from contest_app.enums import Block, Role, RoundStatus
from contest_app.extensions import db
from contest_app.models import (
    Cluster,
    ClusterUnit,
    Edition,
    Entry,
    Mark,
    PreliminaryAssignment,
    Team,
    TeamMember,
    ThematicGroup,
    Unit,
    User,
)
from contest_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from contest_app.services.rounds.preliminary import is_closed
from contest_app.services.rounds.similarity import similar_entries
from contest_app.services.trust.accounts import create_user
from contest_app.services.trust.audit import actor_name, record_event
from contest_app.services.trust.lock_guard import ensure_unlocked

OTHER_UNIT = "Bạn chỉ được xem và sửa đội thi, mô hình, sáng kiến của đơn vị mình."

BLOCK_BY_LABEL = {b.label.casefold(): b for b in Block}
BLOCK_ALIASES = {
    "khối sở": Block.DEPARTMENT,
    "sở, ban, ngành": Block.DEPARTMENT,
    "khối sở, ban, ngành": Block.DEPARTMENT,
    "ngành dọc": Block.VERTICAL,
    "cơ quan ngành dọc": Block.VERTICAL,
    "cấp huyện": Block.DISTRICT,
    "ubnd cấp huyện": Block.DISTRICT,
    "cấp xã": Block.COMMUNE,
    "ubnd cấp xã": Block.COMMUNE,
    "đơn vị sự nghiệp": Block.PUBLIC_SERVICE,
}


def parse_block(text: str) -> Block | None:
    """The block named by its code or its Vietnamese label (case-insensitive), or None."""
    key = " ".join((text or "").split()).casefold()
    if not key:
        return None
    for block in Block:
        if key == block.value:
            return block
    return BLOCK_BY_LABEL.get(key) or BLOCK_ALIASES.get(key)


def normalise_name(text: str) -> str:
    """A name compared for duplicates: NFC, single spaces, case-folded."""
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


# --- access -----------------------------------------------------------------------------


def ensure_unit_access(*, user: User, unit_id: int) -> None:
    """Refuse a focal point acting for another unit; organisers act for every unit."""
    if user.has_role(Role.ORGANISER):
        return
    if user.has_role(Role.FOCAL_POINT) and user.unit_id is not None and user.unit_id == unit_id:
        return
    raise PermissionDenied(OTHER_UNIT, code="other_unit")


def _unit_object_for(user: User, model, object_id: int, not_found: str, code: str):
    """A unit's entry or team, if this user may see it (missing and foreign ones are both
    refused; only an organiser is told that it does not exist)."""
    obj = db.session.get(model, object_id)
    if obj is None:
        if user.has_role(Role.ORGANISER):
            raise NotFound(not_found, code=code)
        raise PermissionDenied(OTHER_UNIT, code="other_unit")
    ensure_unit_access(user=user, unit_id=obj.unit_id)
    return obj


def get_entry_for(*, user: User, entry_id: int) -> Entry:
    """The entry, if this user may see it (missing and foreign entries are both refused)."""
    return _unit_object_for(user, Entry, entry_id, f"Không tìm thấy mô hình, sáng kiến có mã {entry_id}.",
                            "entry_not_found")


def get_team_for(*, user: User, team_id: int) -> Team:
    """The team, if this user may see it."""
    return _unit_object_for(user, Team, team_id, f"Không tìm thấy đội thi có mã {team_id}.", "team_not_found")


# --- units and clusters ---------------------------------------------------------------------


def list_units() -> list[Unit]:
    """Every unit, by block then name."""
    order = {b.value: i for i, b in enumerate(Block)}
    units = list(db.session.scalars(select(Unit)))
    return sorted(units, key=lambda u: (order.get(u.block, 99), u.name))


def find_unit(name: str) -> Unit | None:
    """The unit of this name (spacing and case ignored), or None."""
    key = normalise_name(name)
    if not key:
        return None
    for unit in db.session.scalars(select(Unit)):
        if normalise_name(unit.name) == key:
            return unit
    return None


def create_unit(*, name: str, block: str, actor: User | None = None) -> Unit:
    """Add a unit to the directory; refuse an empty or taken name or an unknown block."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Tên đơn vị không được để trống.", code="unit_name_required")
    parsed = parse_block(block)
    if parsed is None:
        raise ValidationError(f"Khối “{block}” không hợp lệ. Các khối: {block_choices_text()}.", code="bad_block")
    if find_unit(name) is not None:
        raise Conflict(f"Đơn vị “{name}” đã có trong danh mục.", code="unit_exists")
    unit = Unit(name=name, block=parsed.value)
    db.session.add(unit)
    db.session.flush()
    record_event(actor=actor_name(actor), action="unit.create", object_type="unit", object_id=unit.id,
                 after={"name": unit.name, "block": unit.block})
    return unit


def block_choices_text() -> str:
    return "; ".join(b.label for b in Block)


def create_cluster(*, edition: Edition, name: str, unit_ids: list[int], actor: User | None = None) -> Cluster:
    """Create a cluster (cụm) of units for the edition's preliminary round.

    A unit belongs to at most one cluster of an edition.
    """
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Tên cụm không được để trống.", code="cluster_name_required")
    if db.session.scalar(select(Cluster).where(Cluster.edition_id == edition.id, Cluster.name == name)):
        raise Conflict(f"Cụm “{name}” đã có trong kỳ thi này.", code="cluster_exists")
    taken = {
        cu.unit_id: cu
        for cu in db.session.scalars(
            select(ClusterUnit).join(Cluster).where(Cluster.edition_id == edition.id)
        )
    }
    cluster = Cluster(edition_id=edition.id, name=name)
    for unit_id in dict.fromkeys(unit_ids):
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            raise NotFound(f"Không tìm thấy đơn vị có mã {unit_id}.", code="unit_not_found")
        if unit_id in taken:
            raise Conflict(f"Đơn vị “{unit.name}” đã thuộc một cụm khác của kỳ thi này.", code="unit_in_cluster")
        cluster.units.append(ClusterUnit(unit_id=unit_id))
    db.session.add(cluster)
    db.session.flush()
    record_event(actor=actor_name(actor), action="cluster.create", edition_id=edition.id, object_type="cluster",
                 object_id=cluster.id, after={"name": name, "unit_ids": list(dict.fromkeys(unit_ids))})
    return cluster


def list_clusters(edition: Edition) -> list[Cluster]:
    return list(db.session.scalars(select(Cluster).where(Cluster.edition_id == edition.id).order_by(Cluster.name)))


def cluster_of_unit(edition: Edition, unit_id: int) -> Cluster | None:
    return db.session.scalar(
        select(Cluster).join(ClusterUnit).where(Cluster.edition_id == edition.id, ClusterUnit.unit_id == unit_id)
    )


# --- teams and entries ----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    full_name: str
    role: str = "Thành viên"
    position: str = ""


def parse_members(text: str) -> list[MemberInput]:
    """Members written one per line (or separated by “;”) as “Họ tên - vai trò - chức vụ”."""
    members = []
    for raw in re.split(r"[;\n]", text or ""):
        parts = [p.strip() for p in raw.split(" - ")]
        if not parts or not parts[0]:
            continue
        members.append(
            MemberInput(full_name=parts[0], role=parts[1] if len(parts) > 1 and parts[1] else "Thành viên",
                        position=" - ".join(parts[2:]) if len(parts) > 2 else "")
        )
    return members


def create_team(*, edition: Edition, unit: Unit, name: str, members: list[MemberInput] = (),
                actor: User | None = None) -> Team:
    """Register a team of a unit; refuse an empty name or a name the unit already uses."""
    if actor is not None:
        ensure_unit_access(user=actor, unit_id=unit.id)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Tên đội thi không được để trống.", code="team_name_required")
    for team in db.session.scalars(select(Team).where(Team.edition_id == edition.id, Team.unit_id == unit.id)):
        if normalise_name(team.name) == normalise_name(name):
            raise Conflict(f"Đơn vị “{unit.name}” đã có đội thi “{name}”.", code="team_exists")
    team = Team(edition_id=edition.id, unit_id=unit.id, name=name)
    for m in members:
        team.members.append(TeamMember(full_name=m.full_name, role=m.role, position=m.position))
    db.session.add(team)
    db.session.flush()
    record_event(actor=actor_name(actor), action="team.create", edition_id=edition.id, object_type="team",
                 object_id=team.id, after={"name": name, "unit_id": unit.id, "members": [m.full_name for m in members]})
    return team


def update_team(*, team: Team, name: str, members: list[MemberInput], actor: User) -> Team:
    """Rename a team and replace its members."""
    ensure_unit_access(user=actor, unit_id=team.unit_id)
    ensure_unlocked(db.session.get(Edition, team.edition_id))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Tên đội thi không được để trống.", code="team_name_required")
    before = {"name": team.name, "members": [m.full_name for m in team.members]}
    team.name = name
    team.members.clear()
    for m in members:
        team.members.append(TeamMember(full_name=m.full_name, role=m.role, position=m.position))
    db.session.flush()
    record_event(actor=actor_name(actor), action="team.update", edition_id=team.edition_id, object_type="team",
                 object_id=team.id, before=before, after={"name": name, "members": [m.full_name for m in members]})
    return team


def find_group(edition: Edition, ref: str | int | None) -> ThematicGroup | None:
    """The edition's thematic group named by its number ("3", "Nhóm 3") or its name."""
    text = " ".join(str(ref if ref is not None else "").split())
    if not text:
        return None
    match = re.fullmatch(r"(?i)(?:nhóm\s*)?(\d+)(?:\.0+)?", text)
    groups = list(db.session.scalars(select(ThematicGroup).where(ThematicGroup.edition_id == edition.id)))
    for group in groups:
        if match and group.number == int(match.group(1)):
            return group
        if normalise_name(group.name) == normalise_name(text):
            return group
    return None


def entry_exists(*, edition: Edition, unit_id: int, title: str, exclude_id: int | None = None) -> bool:
    """Whether the unit already registered an entry of this title in the edition."""
    key = normalise_name(title)
    for entry in db.session.scalars(select(Entry).where(Entry.edition_id == edition.id, Entry.unit_id == unit_id)):
        if entry.id != exclude_id and normalise_name(entry.title) == key:
            return True
    return False


def _check_entry_fields(edition: Edition, unit: Unit, title: str, group_ref, team: Team | None,
                        exclude_id: int | None = None) -> tuple[str, ThematicGroup]:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError("Tên mô hình, sáng kiến không được để trống.", code="title_required")
    group = find_group(edition, group_ref)
    if group is None:
        numbers = ", ".join(str(g.number) for g in edition.thematic_groups)
        raise ValidationError(f"Không có nhóm “{group_ref}” trong kỳ thi này (các nhóm: {numbers}).", code="unknown_group")
    if team is not None and (team.unit_id != unit.id or team.edition_id != edition.id):
        raise ValidationError("Đội thi không thuộc đơn vị này.", code="team_other_unit")
    if entry_exists(edition=edition, unit_id=unit.id, title=title, exclude_id=exclude_id):
        raise Conflict(f"Đơn vị “{unit.name}” đã đăng ký mô hình, sáng kiến “{title}”.", code="entry_exists")
    return title, group


def create_entry(*, edition: Edition, unit: Unit, title: str, summary: str = "", group: str | int | None,
                 team: Team | None = None, actor: User | None = None) -> Entry:
    """Register an entry of a unit in a thematic group; refuse an empty title, an unknown
    group or a title the unit already registered."""
    if actor is not None:
        ensure_unit_access(user=actor, unit_id=unit.id)
    title, group_obj = _check_entry_fields(edition, unit, title, group, team)
    entry = Entry(edition_id=edition.id, unit_id=unit.id, team_id=team.id if team else None,
                  thematic_group_id=group_obj.id, title=title, summary=(summary or "").strip())
    db.session.add(entry)
    db.session.flush()
    record_event(actor=actor_name(actor), action="entry.create", edition_id=edition.id, object_type="entry",
                 object_id=entry.id, after=entry_snapshot(entry))
    return entry


def update_entry(*, entry: Entry, title: str, summary: str, group: str | int | None, team: Team | None,
                 actor: User) -> Entry:
    """Change an entry's title, summary, group and team (not once it reached the preliminary round)."""
    ensure_unit_access(user=actor, unit_id=entry.unit_id)
    if entry.qualifying_status != RoundStatus.PENDING.value and not actor.has_role(Role.ORGANISER):
        raise Conflict("Mô hình, sáng kiến đã có kết quả vòng loại, không thể sửa.", code="entry_frozen")
    edition = db.session.get(Edition, entry.edition_id)
    ensure_unlocked(edition)
    title, group_obj = _check_entry_fields(edition, entry.unit, title, group, team, exclude_id=entry.id)
    before = entry_snapshot(entry)
    entry.title = title
    entry.summary = (summary or "").strip()
    entry.thematic_group_id = group_obj.id
    entry.team_id = team.id if team else None
    db.session.flush()
    record_event(actor=actor_name(actor), action="entry.update", edition_id=entry.edition_id, object_type="entry",
                 object_id=entry.id, before=before, after=entry_snapshot(entry))
    return entry


def entry_snapshot(entry: Entry) -> dict:
    return {
        "title": entry.title,
        "unit_id": entry.unit_id,
        "team_id": entry.team_id,
        "thematic_group_id": entry.thematic_group_id,
        "qualifying_status": entry.qualifying_status,
        "preliminary_status": entry.preliminary_status,
    }


def list_entries(*, edition: Edition, unit_id: int | None = None) -> list[Entry]:
    query = select(Entry).where(Entry.edition_id == edition.id)
    if unit_id is not None:
        query = query.where(Entry.unit_id == unit_id)
    return list(db.session.scalars(query.order_by(Entry.unit_id, Entry.id)))


def list_teams(*, edition: Edition, unit_id: int | None = None) -> list[Team]:
    query = select(Team).where(Team.edition_id == edition.id)
    if unit_id is not None:
        query = query.where(Team.unit_id == unit_id)
    return list(db.session.scalars(query.order_by(Team.unit_id, Team.id)))


def count_entries(edition: Edition) -> int:
    return db.session.scalar(select(func.count(Entry.id)).where(Entry.edition_id == edition.id)) or 0


# --- accounts and roles (for the organisers' pages) --------------------------------------------


def create_account(*, username: str, role: str, password: str, display_name: str = "",
                   unit_id: int | None = None, actor: User) -> User:
    """Create an account (services.trust.accounts.create_user) and audit it."""
    user = create_user(username=username, role=role, password=password, display_name=display_name,
                       unit_id=unit_id)
    record_event(actor=actor_name(actor), action="account.create", object_type="user", object_id=user.id,
                 after={"username": user.username, "role": user.role, "unit_id": user.unit_id})
    return user


def change_role(*, user: User, role: str, unit_id: int | None, active: bool = True, actor: User) -> User:
    """Change an account's role, unit and active flag; audited as a role change.

    A focal point needs a unit; organisers cannot remove their own organiser role.
    """
    try:
        role_value = Role(role).value
    except ValueError:
        raise ValidationError(f"Vai trò “{role}” không tồn tại.", code="bad_role") from None
    if role_value == Role.FOCAL_POINT.value and unit_id is None:
        raise ValidationError("Cán bộ đầu mối phải thuộc một đơn vị.", code="unit_required")
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã {unit_id}.", code="unit_not_found")
    if user.id == actor.id and (role_value != Role.ORGANISER.value or not active):
        raise Conflict("Bạn không thể tự bỏ vai trò Ban Tổ chức hoặc tự khóa tài khoản của mình.", code="self_demote")
    before = {"role": user.role, "unit_id": user.unit_id, "active": user.active}
    user.role = role_value
    user.unit_id = unit_id
    user.active = active
    db.session.flush()
    record_event(actor=actor_name(actor), action="account.role", object_type="user", object_id=user.id,
                 before=before, after={"role": user.role, "unit_id": user.unit_id, "active": user.active})
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def update_edition_settings(*, edition: Edition, actor: User, **changes) -> Edition:
    """Change an edition's rules reference, cutoff and report details; audited."""
    allowed = {"rules_reference", "preliminary_cutoff", "report_number", "report_date", "issuing_body"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Không thể sửa mục {', '.join(sorted(unknown))}.", code="bad_setting")
    ensure_unlocked(edition)
    if "preliminary_cutoff" in changes:
        cutoff = changes["preliminary_cutoff"]
        if cutoff is None or cutoff < 0 or cutoff > 100:
            raise ValidationError("Điểm sàn vòng sơ khảo phải từ 0 đến 100.", code="bad_cutoff")
        if edition.preliminary_cutoff != cutoff:
            if is_closed(edition):
                raise Conflict("Vòng sơ khảo đã kết thúc; không thể đổi điểm sàn.", code="round_closed")
    def plain(values: dict) -> dict:
        return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}

    before = plain({k: getattr(edition, k) for k in changes})
    for key, value in changes.items():
        setattr(edition, key, value)
    db.session.flush()
    record_event(actor=actor_name(actor), action="edition.settings", edition_id=edition.id, object_type="edition",
                 object_id=edition.id, before=before, after=plain(changes))
    return edition


# --- clusters: edit and delete ----------------------------------------------------------------


def update_cluster(*, cluster: Cluster, name: str, unit_ids: list[int], actor: User | None = None) -> Cluster:
    """Rename a cluster and replace its units (a unit stays in at most one cluster of the edition)."""
    edition = db.session.get(Edition, cluster.edition_id)
    if is_closed(edition):
        raise Conflict("Vòng sơ khảo đã kết thúc; không thể sửa cụm.", code="round_closed")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Tên cụm không được để trống.", code="cluster_name_required")
    clash = db.session.scalar(select(Cluster).where(Cluster.edition_id == cluster.edition_id, Cluster.name == name,
                                                    Cluster.id != cluster.id))
    if clash is not None:
        raise Conflict(f"Cụm “{name}” đã có trong kỳ thi này.", code="cluster_exists")
    taken = {cu.unit_id for cu in db.session.scalars(
        select(ClusterUnit).join(Cluster).where(Cluster.edition_id == cluster.edition_id, Cluster.id != cluster.id))}
    wanted = list(dict.fromkeys(unit_ids))
    for unit_id in wanted:
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            raise NotFound(f"Không tìm thấy đơn vị có mã {unit_id}.", code="unit_not_found")
        if unit_id in taken:
            raise Conflict(f"Đơn vị “{unit.name}” đã thuộc một cụm khác của kỳ thi này.", code="unit_in_cluster")
    before = {"name": cluster.name, "unit_ids": sorted(cu.unit_id for cu in cluster.units)}
    cluster.name = name
    current = {cu.unit_id: cu for cu in cluster.units}
    for unit_id, cu in current.items():
        if unit_id not in wanted:
            cluster.units.remove(cu)
    for unit_id in wanted:
        if unit_id not in current:
            cluster.units.append(ClusterUnit(unit_id=unit_id))
    db.session.flush()
    record_event(actor=actor_name(actor), action="cluster.update", edition_id=cluster.edition_id,
                 object_type="cluster", object_id=cluster.id, before=before,
                 after={"name": name, "unit_ids": sorted(wanted)})
    return cluster


def delete_cluster(*, cluster: Cluster, actor: User | None = None) -> None:
    """Delete a cluster that no preliminary judge is assigned to."""
    assigned = db.session.scalar(select(func.count(PreliminaryAssignment.id)).where(
        PreliminaryAssignment.cluster_id == cluster.id)) or 0
    if assigned:
        raise Conflict(f"{cluster.name} đang có {assigned} giám khảo được phân công; hãy bỏ phân công trước khi xóa.",
                       code="cluster_in_use")
    before = {"name": cluster.name, "unit_ids": sorted(cu.unit_id for cu in cluster.units)}
    edition_id, cluster_id = cluster.edition_id, cluster.id
    db.session.delete(cluster)
    db.session.flush()
    record_event(actor=actor_name(actor), action="cluster.delete", edition_id=edition_id, object_type="cluster",
                 object_id=cluster_id, before=before)


# --- withdrawing an entry ---------------------------------------------------------------------


def withdraw_entry(*, entry: Entry, reason: str, actor: User) -> Entry:
    """Withdraw an entry ("Rút lui") from the round it is in, with a reason (audited).

    Before the qualifying result the qualifying status becomes withdrawn; after it, the
    preliminary status (a finalist leaves the final too). Refused once the entry has final marks.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("Vui lòng ghi lý do rút lui.", code="reason_required")
    withdrawn = RoundStatus.WITHDRAWN.value
    if withdrawn in (entry.qualifying_status, entry.preliminary_status, entry.final_status):
        raise Conflict(f"Mô hình, sáng kiến “{entry.title}” đã rút lui.", code="already_withdrawn")
    if db.session.scalar(select(func.count(Mark.id)).where(Mark.entry_id == entry.id)):
        raise Conflict("Đội thi đã có điểm chấm chung khảo; không thể rút lui.", code="entry_has_marks")
    before = entry_snapshot(entry)
    if entry.qualifying_status == RoundStatus.PENDING.value:
        entry.qualifying_status = withdrawn
    elif entry.qualifying_status == RoundStatus.PASSED.value and entry.preliminary_status in (
            RoundStatus.PENDING.value, RoundStatus.PASSED.value):
        if entry.preliminary_status == RoundStatus.PASSED.value:
            entry.final_status = withdrawn
            entry.final_order = None
        entry.preliminary_status = withdrawn
    else:
        raise Conflict("Mô hình, sáng kiến đã bị loại; không cần rút lui.", code="entry_out")
    db.session.flush()
    record_event(actor=actor_name(actor), action="entry.withdraw", edition_id=entry.edition_id, object_type="entry",
                 object_id=entry.id, before=before, after=entry_snapshot(entry), reason=reason)
    return entry


# --- what the desk and the registration show --------------------------------------------------


def desk_labels(entries: list[Entry]) -> dict[int, str]:
    """A label per finalist for the desk: the team's name, else the unit's; two finalists that
    would read alike get their initiative's title (shortened) after it."""
    base = {e.id: e.team.name if e.team else e.unit.name for e in entries}
    counts: dict[str, int] = {}
    for label in base.values():
        counts[label] = counts.get(label, 0) + 1
    out = {}
    for e in entries:
        label = base[e.id]
        if counts[label] > 1:
            title = e.title if len(e.title) <= 40 else e.title[:40].rsplit(" ", 1)[0].rstrip(",;:") + "…"
            label = f"{label} — {title}"
        out[e.id] = label
    return out


def near_duplicates(entry: Entry, *, limit: int = 3) -> list[str]:
    """Vietnamese warnings naming up to ``limit`` entries of this or earlier editions that look
    like ``entry`` (services/rounds/similarity's threshold)."""
    edition = db.session.get(Edition, entry.edition_id)
    matches = similar_entries(edition=edition, limit=limit).get(entry.id, [])
    out = []
    for m in matches:
        other_edition = db.session.get(Edition, m.other.edition_id)
        where = "cùng kỳ thi" if m.same_edition else f"kỳ thi năm {other_edition.year}"
        percent = f"{m.similarity:.1f}".replace(".", ",")
        out.append(f"Lưu ý: mô hình, sáng kiến này giống “{m.other.title}” ({m.other.unit.name}, {where}) "
                   f"ở mức {percent}%; Ban Tổ chức sẽ xem xét trùng lặp.")
    return out
