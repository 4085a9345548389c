"""a client's letter policy: status letters when their cases change stage, and offers that go
out without a handler once a case passed the ownership gate and is feasible

Two settings of the client (they were firm-wide settings while the letters domain was being
built). Existing clients: status letters on (clients should hear how their cases go), offers
without a handler off (a person sends them, as before).

Revision ID: c4e7a9d2b5f1
Revises: b8d4f2a6c1e9
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4e7a9d2b5f1'
down_revision = 'b8d4f2a6c1e9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('client', sa.Column('status_letters', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('client', sa.Column('offers_without_handler', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('offers_without_handler')
        batch_op.drop_column('status_letters')
