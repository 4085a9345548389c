"""jobs: background work and how far it got (issue 20)

job: one piece of background work (kind, state queued/running/done/failed, done of total, a
message, a JSON result such as a link or counts, how many times a worker began it), who started
it and when it was created, started and finished. Written by the work as it goes (core.jobs),
read by the page that started it (/jobs/<id>) and `caseapp jobs`. Follows the filings
(f111c0a7e5d2).

Revision ID: b7c3d9e2a4f1
Revises: f111c0a7e5d2
Create Date: 2026-12-14 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c3d9e2a4f1'
down_revision = 'f111c0a7e5d2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('started_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['started_by'], ['ab_user.id'], name=op.f('fk_job_started_by_ab_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_started_by_created', ['started_by', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_started_by_created')
    op.drop_table('job')
