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
    op.drop_column('case', 'claim_lines')   # SQLite 3.35+ drops a column in place (no table copy)
