"""indexes for the triage page: its order within a status, and a work's hits on a site

Revision ID: b5d2e8f41a67
Revises: 9e1f0b7d3c52
Create Date: 2026-11-22 02:45:00
"""
from alembic import op


revision = 'b5d2e8f41a67'
down_revision = '9e1f0b7d3c52'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_hit_status_domain_id', 'hit', ['status', 'domain', 'id'], unique=False)
    op.drop_index('ix_hit_client_status_domain', table_name='hit')
    op.create_index('ix_hit_client_status_domain', 'hit', ['rights_holder_id', 'status', 'domain', 'id'],
                    unique=False)
    op.create_index('ix_hit_domain_work', 'hit', ['domain', 'work_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_hit_domain_work', table_name='hit')
    op.drop_index('ix_hit_client_status_domain', table_name='hit')
    op.create_index('ix_hit_client_status_domain', 'hit', ['rights_holder_id', 'status', 'domain'], unique=False)
    op.drop_index('ix_hit_status_domain_id', table_name='hit')
