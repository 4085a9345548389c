"""where the sighting lies on the work (a homography), for the triage overlay

Revision ID: 9e1f0b7d3c52
Revises: 7c4e9d2a1b30
Create Date: 2026-11-22 02:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9e1f0b7d3c52'
down_revision = '7c4e9d2a1b30'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transform', sa.JSON(), nullable=True))


def downgrade() -> None:
    import warnings

    # The copy of `hit` reflects the tables it refers to; `case` has expression indexes
    # (the queue's) that reflection skips with a warning. `case` itself is not copied.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        with op.batch_alter_table('hit', schema=None) as batch_op:
            batch_op.drop_column('transform')
