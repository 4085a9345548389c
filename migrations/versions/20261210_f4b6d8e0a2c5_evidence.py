"""evidence: evidence_capture (a page captured as evidence: the firm's one hash chain, its files in the
store by SHA-256, linked to a hit, a case and a case item), and case_item.offline_since (the first
take-down check that found the image gone: the claim's period of use ends there). Issue 18.

Revision ID: f4b6d8e0a2c5
Revises: e3a5c7d9f1b4
Create Date: 2026-12-10 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f4b6d8e0a2c5'
down_revision = 'e3a5c7d9f1b4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'evidence_capture',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
        sa.Column('previous_manifest_sha256', sa.String(length=64), nullable=True),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('final_url', sa.Text(), nullable=False),
        sa.Column('image_url', sa.Text(), nullable=True),
        sa.Column('http_status', sa.Integer(), nullable=True),
        sa.Column('image_status', sa.Integer(), nullable=True),
        sa.Column('image_present', sa.Boolean(), nullable=True),
        sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('warc_sha256', sa.String(length=64), nullable=True),
        sa.Column('screenshot_sha256', sa.String(length=64), nullable=True),
        sa.Column('html_sha256', sa.String(length=64), nullable=True),
        sa.Column('exchanges_sha256', sa.String(length=64), nullable=True),
        sa.Column('image_sha256', sa.String(length=64), nullable=True),
        sa.Column('image_name', sa.String(length=20), nullable=True),
        sa.Column('report_sha256', sa.String(length=64), nullable=True),
        sa.Column('hit_id', sa.Integer(), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('case_item_id', sa.Integer(), nullable=True),
        sa.Column('requested_by', sa.String(length=100), nullable=False),
        sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('hit', 'on_demand', 'takedown_check')", name=op.f('ck_evidence_capture_kind_known')),
        sa.CheckConstraint("outcome IN ('captured', 'image_gone')", name=op.f('ck_evidence_capture_outcome_known')),
        sa.CheckConstraint('seq >= 1', name=op.f('ck_evidence_capture_seq_positive')),
        sa.ForeignKeyConstraint(['hit_id'], ['hit.id'], name=op.f('fk_evidence_capture_hit_id_hit'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_evidence_capture_case_id_case'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['case_item_id'], ['case_item.id'],
                                name=op.f('fk_evidence_capture_case_item_id_case_item'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_capture')),
        sa.UniqueConstraint('seq', name=op.f('uq_evidence_capture_seq')),
        sa.UniqueConstraint('manifest_sha256', name=op.f('uq_evidence_capture_manifest_sha256')),
        sa.UniqueConstraint('previous_manifest_sha256', name=op.f('uq_evidence_capture_previous_manifest_sha256')),
    )
    with op.batch_alter_table('evidence_capture', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_capture_hit_id'), ['hit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_capture_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_evidence_capture_case_item_time', ['case_item_id', 'captured_at'], unique=False)
    with op.batch_alter_table('case_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offline_since', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_item', schema=None) as batch_op:
        batch_op.drop_column('offline_since')
    with op.batch_alter_table('evidence_capture', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_capture_case_item_time')
        batch_op.drop_index(batch_op.f('ix_evidence_capture_case_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_capture_hit_id'))
    op.drop_table('evidence_capture')
