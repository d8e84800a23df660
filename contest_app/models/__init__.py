"""SQLAlchemy models, slim, one module per family. Importing this registers them all."""
from contest_app.models.edition import Edition, PrizeTier, Round, Segment, ThematicGroup
from contest_app.models.unit import Cluster, ClusterUnit, Unit
from contest_app.models.entry import Entry, Team, TeamMember
from contest_app.models.judging import Judge, Mark
from contest_app.models.award import SideAward, SideAwardDecision
from contest_app.models.audit import AuditEvent
from contest_app.models.deployment import DeploymentSetting
from contest_app.models.user import User
from contest_app.models.followup import PlanSubmission
from contest_app.models.report import ReportNarrative, TeamPartnerUnit
from contest_app.models.live import JudgeAccess, LateMark, LiveState, MarkSubmission, PanelDecision, SegmentWindow
from contest_app.models.draw import Draw, DrawAssignment, PresenterState, QuizAnswer
from contest_app.models.rounds import DuplicateReview, PreliminaryAssignment, PreliminaryScore, RoundProgress, RubricCriterion

__all__ = [
    "AuditEvent",
    "Cluster",
    "DeploymentSetting",
    "Draw",
    "DrawAssignment",
    "DuplicateReview",
    "ClusterUnit",
    "Edition",
    "Entry",
    "Judge",
    "JudgeAccess",
    "LateMark",
    "LiveState",
    "PanelDecision",
    "MarkSubmission",
    "SegmentWindow",
    "Mark",
    "PreliminaryAssignment",
    "PreliminaryScore",
    "PresenterState",
    "PlanSubmission",
    "PrizeTier",
    "QuizAnswer",
    "ReportNarrative",
    "Round",
    "RoundProgress",
    "RubricCriterion",
    "Segment",
    "SideAward",
    "SideAwardDecision",
    "Team",
    "TeamMember",
    "TeamPartnerUnit",
    "ThematicGroup",
    "Unit",
    "User",
]
