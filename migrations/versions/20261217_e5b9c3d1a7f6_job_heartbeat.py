"""job heartbeat: when the worker running a job last said it is still at it (issue 20)

A task is delivered again when the broker's visibility timeout passes without its
acknowledgement: after its worker died, and also while a long job is still running. The job's
worker writes `heartbeat_at` every lease/3 seconds (core.jobs.run_job); a delivery that finds the
job running with a recent heartbeat leaves it to that worker and looks again later, instead of
running it a second time or counting an attempt against it (which failed a job running longer
than three visibility timeouts). Follows the page indexes (d7a2c5e8f1b4).

Revision ID: e5b9c3d1a7f6
Revises: d7a2c5e8f1b4
Create Date: 2026-12-17 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e5b9c3d1a7f6'
down_revision = 'd7a2c5e8f1b4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
