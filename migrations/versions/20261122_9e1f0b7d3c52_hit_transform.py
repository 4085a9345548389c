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
    op.add_column('hit', sa.Column('transform', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('hit', 'transform')   # SQLite 3.35+ drops a column in place (no table copy)
