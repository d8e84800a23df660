"""The report's narrative, joint teams' partner units, judge consistency relative to each
segment's maximum.

Revision ID: i15_01
Revises: 3250308ad4e8
"""
from alembic import op
import sqlalchemy as sa


revision = "i15_01"
down_revision = "3250308ad4e8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_narrative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("assessment", sa.Text(), nullable=False),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("went_wrong", sa.Text(), nullable=False),
        sa.Column("proposals", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("signer_title", sa.String(length=200), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("letter_number", sa.String(length=60), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=True),
        sa.Column("letter_addressees", sa.Text(), nullable=False),
        sa.Column("letter_recipients", sa.Text(), nullable=False),
        sa.Column("letter_signer_title", sa.String(length=200), nullable=False),
        sa.Column("letter_signer_name", sa.String(length=200), nullable=False),
        sa.Column("certificate_date", sa.Date(), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("edition_id"),
    )
    op.create_table(
        "team_partner_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "unit_id"),
    )
    op.create_index(op.f("ix_team_partner_unit_team_id"), "team_partner_unit", ["team_id"], unique=False)
    with op.batch_alter_table("edition") as batch:
        batch.add_column(sa.Column("deviation_share", sa.Numeric(precision=8, scale=2), nullable=False,
                                   server_default="10"))
        batch.drop_column("deviation_threshold")
    with op.batch_alter_table("edition") as batch:
        batch.alter_column("deviation_share", server_default=None)


def downgrade():
    with op.batch_alter_table("edition") as batch:
        batch.add_column(sa.Column("deviation_threshold", sa.Numeric(precision=8, scale=2), nullable=False,
                                   server_default="2.00"))
        batch.drop_column("deviation_share")
    op.drop_index(op.f("ix_team_partner_unit_team_id"), table_name="team_partner_unit")
    op.drop_table("team_partner_unit")
    op.drop_table("report_narrative")
