"""Late marks, panel decisions and the lock's countersignature (issue 12)

Revision ID: i12_01
Revises: i15_01
"""
from alembic import op
import sqlalchemy as sa


revision = "i12_01"
down_revision = "i15_01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "late_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["entry.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["judge_id"], ["judge.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["segment_id"], ["segment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("late_mark", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_late_mark_judge_id"), ["judge_id"], unique=False)
    op.create_table(
        "panel_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("panel_size", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entry_id"], ["entry.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["segment_id"], ["segment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("segment_id", "entry_id"),
    )
    with op.batch_alter_table("panel_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_decision_edition_id"), ["edition_id"], unique=False)
    with op.batch_alter_table("live_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("live_seq", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lock_countersigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lock_countersigned_by", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("live_state", schema=None) as batch_op:
        batch_op.drop_column("live_seq")
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.drop_column("lock_countersigned_by")
        batch_op.drop_column("lock_countersigned_at")
    with op.batch_alter_table("panel_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_decision_edition_id"))
    op.drop_table("panel_decision")
    with op.batch_alter_table("late_mark", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_late_mark_judge_id"))
    op.drop_table("late_mark")
