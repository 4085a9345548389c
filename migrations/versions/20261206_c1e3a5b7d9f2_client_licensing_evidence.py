"""clients: licensing_evidence — what the client documented of their own licensing (none, or
proof of professional work), which decides the rate a claim uses when a work has no sales of its
own (issue 15: amounts by evidence)

Revision ID: c1e3a5b7d9f2
Revises: b9d3f5a7c2e6
Create Date: 2026-12-02 09:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c1e3a5b7d9f2'
down_revision = 'b9d3f5a7c2e6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('client') as batch_op:
        batch_op.add_column(sa.Column('licensing_evidence', sa.String(length=12), nullable=False,
                                      server_default='none'))


def downgrade() -> None:
    with op.batch_alter_table('client') as batch_op:
        batch_op.drop_column('licensing_evidence')
