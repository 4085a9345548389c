"""filings: court filings generated from a case (issue 19)

filing: one filing generated on a case for one route (route id from jurisdictions/<CC>.toml),
its language, who made it and when; filing_file: its files (name, media type, SHA-256 in the file
store, size). Files never change: a corrected filing is a new filing. Follows the party
addresses (a5c7e9f1b3d6) and the court cases (c0a7c45e1901).

Revision ID: f111c0a7e5d2
Revises: c0a7c45e1901
Create Date: 2026-12-12 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f111c0a7e5d2'
down_revision = 'c0a7c45e1901'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'filing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('route_id', sa.String(length=40), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_filing_case_id_case'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_filing')),
    )
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.create_index('ix_filing_case_created', ['case_id', 'created_at'], unique=False)
    op.create_table(
        'filing_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filing_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('media_type', sa.String(length=100), nullable=False),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['filing_id'], ['filing.id'], name=op.f('fk_filing_file_filing_id_filing'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_file')),
    )
    with op.batch_alter_table('filing_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_file_filing_id'), ['filing_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('filing_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_file_filing_id'))
    op.drop_table('filing_file')
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.drop_index('ix_filing_case_created')
    op.drop_table('filing')
