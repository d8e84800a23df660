"""deployment_setting: the fingerprint of the secret key the database was used with

Revision ID: i18_01
Revises: i14_01
"""
from alembic import op
import sqlalchemy as sa


revision = "i18_01"
down_revision = "i14_01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deployment_setting",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade():
    op.drop_table("deployment_setting")
