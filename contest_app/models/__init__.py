"""SQLAlchemy models, slim, one module per family. Importing this registers them all."""
from contest_app.models.edition import Edition, PrizeTier, Round, Segment, ThematicGroup
from contest_app.models.unit import Cluster, ClusterUnit, Unit
from contest_app.models.entry import Entry, Team, TeamMember
from contest_app.models.judging import Judge, Mark
from contest_app.models.award import SideAward, SideAwardDecision
from contest_app.models.audit import AuditEvent
from contest_app.models.user import User

__all__ = [
    "AuditEvent",
    "Cluster",
    "ClusterUnit",
    "Edition",
    "Entry",
    "Judge",
    "Mark",
    "PrizeTier",
    "Round",
    "Segment",
    "SideAward",
    "SideAwardDecision",
    "Team",
    "TeamMember",
    "ThematicGroup",
    "Unit",
    "User",
]
