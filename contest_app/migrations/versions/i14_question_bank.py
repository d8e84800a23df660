"""edition.question_bank: the question bank an edition draws its sets from

Revision ID: i14_01
Revises: i13_01
"""
from alembic import op
import sqlalchemy as sa

revision = "i14_01"
down_revision = "i13_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("edition") as batch_op:
        batch_op.add_column(sa.Column("question_bank", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("edition") as batch_op:
        batch_op.drop_column("question_bank")
