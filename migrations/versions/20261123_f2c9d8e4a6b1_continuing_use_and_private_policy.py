"""continuing use and the private-recipient policy: when a sighting (and a case item) was last
seen online, and whether a client pursues private, non-commercial recipients

A use that goes on has a claim for each day (feasibility values only the days still within
the limitation), so the last day it was seen matters as much as the first. Existing rows
start with their first day (a one-off use), as before. Whether private users are pursued
is the client's policy; existing clients keep today's behaviour (not pursued).

Revision ID: f2c9d8e4a6b1
Revises: e5b8f3a1c7d2
Create Date: 2026-11-23 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f2c9d8e4a6b1'
down_revision = 'e5b8f3a1c7d2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('sighting', sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('case_item', sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE sighting SET last_seen_at = found_at")
    op.execute("UPDATE case_item SET last_seen_at = found_at")
    op.add_column('client', sa.Column('pursues_private_users', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    op.drop_column('client', 'pursues_private_users')
    op.drop_column('case_item', 'last_seen_at')
    op.drop_column('sighting', 'last_seen_at')
