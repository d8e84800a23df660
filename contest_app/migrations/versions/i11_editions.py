"""edition: preliminary spread threshold and public address

Revision ID: i11_01
Revises: i18_01
"""
from alembic import op
import sqlalchemy as sa

revision = "i11_01"
down_revision = "i18_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("edition") as batch:
        batch.add_column(sa.Column("preliminary_spread_threshold", sa.Numeric(precision=8, scale=2),
                                   nullable=False, server_default="20.00"))
        batch.add_column(sa.Column("public_url", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("edition") as batch:
        batch.drop_column("public_url")
        batch.drop_column("preliminary_spread_threshold")
