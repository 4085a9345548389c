"""an audit trail outlives what it describes: audit_event.case_id is a plain number, not a
foreign key that deleted the case's events with the case

Revision ID: d4a7e1c9b2f0
Revises: c81a4f0e2d95
Create Date: 2026-11-23 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd4a7e1c9b2f0'
down_revision = 'c81a4f0e2d95'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_event_case_id_case', type_='foreignkey')


def downgrade() -> None:
    # Events of cases deleted meanwhile would break the key: they lose their case link.
    op.execute('UPDATE audit_event SET case_id = NULL WHERE case_id IS NOT NULL '
               'AND case_id NOT IN (SELECT id FROM "case")')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_audit_event_case_id_case', 'case', ['case_id'], ['id'], ondelete='CASCADE')
