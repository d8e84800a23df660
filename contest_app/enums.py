"""Statuses and kinds used across the app. Imports nothing of the project's."""
from __future__ import annotations

from enum import StrEnum


class Block(StrEnum):
    """The block (khối) a unit belongs to."""

    DEPARTMENT = "department"
    VERTICAL = "vertical"
    DISTRICT = "district"
    COMMUNE = "commune"
    PUBLIC_SERVICE = "public_service"

    @property
    def label(self) -> str:
        return BLOCK_LABELS[self]


BLOCK_LABELS = {
    Block.DEPARTMENT: "Khối Sở, ban, ngành",
    Block.VERTICAL: "Cơ quan ngành dọc",
    Block.DISTRICT: "UBND cấp huyện",
    Block.COMMUNE: "UBND cấp xã",
    Block.PUBLIC_SERVICE: "Đơn vị sự nghiệp",
}


class RoundKind(StrEnum):
    """The three rounds of an edition."""

    QUALIFYING = "qualifying"
    PRELIMINARY = "preliminary"
    FINAL = "final"

    @property
    def label(self) -> str:
        return {
            RoundKind.QUALIFYING: "Vòng loại",
            RoundKind.PRELIMINARY: "Vòng sơ khảo",
            RoundKind.FINAL: "Vòng chung khảo",
        }[self]


class RoundStatus(StrEnum):
    """Where an entry stands in one round."""

    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            RoundStatus.PENDING: "Chưa xét",
            RoundStatus.PASSED: "Đạt",
            RoundStatus.FAILED: "Không đạt",
            RoundStatus.WITHDRAWN: "Rút lui",
        }[self]


class Aggregation(StrEnum):
    """How a segment score is made from the judges' marks."""

    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"

    @property
    def label(self) -> str:
        return {
            Aggregation.MEAN: "Trung bình cộng",
            Aggregation.TRIMMED_MEAN: "Trung bình sau khi bỏ điểm cao nhất và thấp nhất",
        }[self]


class SideAwardMethod(StrEnum):
    """How a side award is decided."""

    BEST_SEGMENT = "best_segment"
    COMMITTEE = "committee"
    JUDGES_VOTE = "judges_vote"

    @property
    def label(self) -> str:
        return {
            SideAwardMethod.BEST_SEGMENT: "Điểm cao nhất phần thi",
            SideAwardMethod.COMMITTEE: "Ban Tổ chức quyết định",
            SideAwardMethod.JUDGES_VOTE: "Ban Giám khảo bình chọn",
        }[self]


class Role(StrEnum):
    """Account roles. Final judges sign in with a personal token, not an account."""

    ORGANISER = "organiser"
    SECRETARIAT = "secretariat"
    CONTROL = "control"
    FOCAL_POINT = "focal_point"
    PRELIMINARY_JUDGE = "preliminary_judge"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ORGANISER: "Ban Tổ chức",
    Role.SECRETARIAT: "Ban Thư ký",
    Role.CONTROL: "Bàn điều khiển / MC",
    Role.FOCAL_POINT: "Cán bộ đầu mối",
    Role.PRELIMINARY_JUDGE: "Giám khảo vòng sơ khảo",
}


class Panel(StrEnum):
    """The judging panel a judge sits on."""

    FINAL = "final"
    PRELIMINARY = "preliminary"


class RevealMode(StrEnum):
    """When the live board reveals a segment score."""

    ALL_IN = "all_in"
    DESK = "desk"


class LateMarkStatus(StrEnum):
    """What became of a mark that reached the server after its segment was closed."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class PlanKind(StrEnum):
    """The form the completed initiative is handed in as."""

    PHUONG_AN = "phuong_an"
    DE_AN = "de_an"
    KE_HOACH = "ke_hoach"

    @property
    def label(self) -> str:
        return {PlanKind.PHUONG_AN: "Phương án", PlanKind.DE_AN: "Đề án", PlanKind.KE_HOACH: "Kế hoạch"}[self]


class PlanStatus(StrEnum):
    """Where the secretariat stands with a finalist's plan."""

    PENDING = "pending"
    RECEIVED = "received"
    REVISION = "revision"
    APPRAISED = "appraised"

    @property
    def label(self) -> str:
        return {
            PlanStatus.PENDING: "Chưa nộp",
            PlanStatus.RECEIVED: "Đã nhận",
            PlanStatus.REVISION: "Yêu cầu bổ sung",
            PlanStatus.APPRAISED: "Đã thẩm định",
        }[self]


class ReplicationStatus(StrEnum):
    """How far an initiative has gone beyond its own unit."""

    NOT_STARTED = "not_started"
    PILOT = "pilot"
    APPLIED = "applied"
    REPLICATED = "replicated"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return {
            ReplicationStatus.NOT_STARTED: "Chưa triển khai",
            ReplicationStatus.PILOT: "Đang thí điểm",
            ReplicationStatus.APPLIED: "Đã áp dụng tại đơn vị",
            ReplicationStatus.REPLICATED: "Đã nhân rộng",
            ReplicationStatus.STOPPED: "Dừng triển khai",
        }[self]
