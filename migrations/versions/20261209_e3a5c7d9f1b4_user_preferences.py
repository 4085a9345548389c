"""core: user_preference — a person's own language and time zone (issue 17: the Profile page).
No row, or an empty value: the firm's default (CASEAPP_LOCALE / the browser's language,
CASEAPP_TIMEZONE).

Revision ID: e3a5c7d9f1b4
Revises: f4b6d8e2a1c5
Create Date: 2026-12-09 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e3a5c7d9f1b4'
down_revision = 'f4b6d8e2a1c5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'user_preference',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=True),
        sa.Column('timezone', sa.String(length=64), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name=op.f('fk_user_preference_user_id_ab_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_preference')),
    )


def downgrade() -> None:
    op.drop_table('user_preference')
