"""letters: every letter issued on a case, its file, what it was rendered from, how it was sent

Revision ID: b8d4f2a6c1e9
Revises: a7c3e9f1b2d4
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b8d4f2a6c1e9'
down_revision = 'a7c3e9f1b2d4'
branch_labels = None
depends_on = None

KINDS = ("offer", "reminder", "final_demand", "settlement_confirmation", "instalment_agreement",
         "payment_receipt", "case_closed", "status_update", "warning_letter")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        'letter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('format', sa.String(length=4), nullable=False),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('preview_sha256', sa.String(length=64), nullable=True),
        sa.Column('recipient', sa.String(length=10), nullable=False),
        sa.Column('deadline_on', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_on', sa.Date(), nullable=True),
        sa.Column('sent_to', sa.String(length=300), nullable=True),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('language_note', sa.String(length=300), nullable=True),
        sa.Column('context', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f('ck_letter_kind')),
        sa.CheckConstraint(_in("format", ("pdf", "docx")), name=op.f('ck_letter_format')),
        sa.CheckConstraint(_in("recipient", ("recipient", "client")), name=op.f('ck_letter_recipient')),
        sa.CheckConstraint(_in("status", ("draft", "sent")), name=op.f('ck_letter_status')),
        sa.CheckConstraint("channel IS NULL OR " + _in("channel", ("email", "post")), name=op.f('ck_letter_channel')),
        sa.CheckConstraint("(status = 'sent') = (channel IS NOT NULL AND sent_at IS NOT NULL)",
                           name=op.f('ck_letter_sent_how')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_letter_case_id_case'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letter')),
    )
    op.create_index('ix_letter_case_created', 'letter', ['case_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_letter_case_created', table_name='letter')
    op.drop_table('letter')
