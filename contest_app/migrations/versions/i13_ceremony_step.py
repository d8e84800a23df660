"""live_state.ceremony_step: the prize ceremony's step shown on the board

Revision ID: i13_01
Revises: i12_01
"""
from alembic import op
import sqlalchemy as sa


revision = "i13_01"
down_revision = "i12_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("live_state") as batch_op:
        batch_op.add_column(sa.Column("ceremony_step", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("live_state") as batch_op:
        batch_op.drop_column("ceremony_step")
