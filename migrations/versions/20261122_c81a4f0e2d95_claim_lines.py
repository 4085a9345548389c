"""how a case's claim is made up, line by line

Revision ID: c81a4f0e2d95
Revises: b5d2e8f41a67
Create Date: 2026-11-22 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c81a4f0e2d95'
down_revision = 'b5d2e8f41a67'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('case', sa.Column('claim_lines', sa.JSON(), nullable=True))


def downgrade() -> None:
    import warnings

    # a batch copy of `case` on SQLite: its expression indexes (the queue's) are put back after
    op.drop_index('ix_case_queue_mine', table_name='case')
    op.drop_index('ix_case_queue_unassigned', table_name='case')
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        with op.batch_alter_table('case', schema=None) as batch_op:
            batch_op.drop_column('claim_lines')
    open_ = "stage <> 'closed'"
    value_key = sa.text('coalesce(expected_value_eur_minor, -1000000000000000000) DESC')
    op.create_index('ix_case_queue_mine', 'case', ['assignee_id', 'next_due_on', value_key, 'id'], unique=False,
                    postgresql_where=sa.text(open_), sqlite_where=sa.text(open_))
    op.create_index('ix_case_queue_unassigned', 'case', ['next_due_on', value_key, 'id'], unique=False,
                    postgresql_where=sa.text(f"{open_} AND assignee_id IS NULL"),
                    sqlite_where=sa.text(f"{open_} AND assignee_id IS NULL"))
