"""audit_event: indexes for the audit trail page's keyset pages, newest first (issue 17): the
whole trail and a period by time, and by who acted (a person's id, a system job's name) and by
kind of event; a case's events already have ix_audit_event_case_time

Revision ID: f4b6d8e2a1c5
Revises: d2f4a6c8e1b3
Create Date: 2026-12-02 17:30:00
"""
from alembic import op


revision = 'f4b6d8e2a1c5'
down_revision = 'd2f4a6c8e1b3'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_audit_event_time': ['occurred_at', 'id'],
    'ix_audit_event_actor_time': ['actor_id', 'occurred_at', 'id'],
    'ix_audit_event_actor_name_time': ['actor_name', 'occurred_at', 'id'],
    'ix_audit_event_action_time': ['action', 'occurred_at', 'id'],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, 'audit_event', columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name='audit_event')
