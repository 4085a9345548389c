"""hits: sightings, hits, triage decisions, domain rules, work signatures

Revision ID: a3f1c2d4e5b6
Revises: 1595b65f56a0
Create Date: 2026-11-22 01:12:24.323096
"""
from alembic import op
import sqlalchemy as sa



revision = 'a3f1c2d4e5b6'
down_revision = '1595b65f56a0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sighting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('image_url', sa.Text(), nullable=False),
    sa.Column('page_url', sa.Text(), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('image_sha256', sa.String(length=64), nullable=False),
    sa.Column('thumbnail_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sighting')),
    sa.UniqueConstraint('key', name=op.f('uq_sighting_key'))
    )
    with op.batch_alter_table('sighting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sighting_domain'), ['domain'], unique=False)

    op.create_table('domain_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rights_holder_id', sa.Integer(), nullable=True),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rights_holder_id'], ['rights_holder.id'], name=op.f('fk_domain_rule_rights_holder_id_rights_holder'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domain_rule')),
    sa.UniqueConstraint('rights_holder_id', 'domain', name='uq_domain_rule_client_domain')
    )
    with op.batch_alter_table('domain_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_domain_rule_domain'), ['domain'], unique=False)

    op.create_table('hit_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('selection', sa.String(length=300), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_name', sa.String(length=100), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('new', 'legal', 'illegal', 'whitelisted', 'no_match')", name=op.f('ck_hit_decision_status_known')),
    sa.ForeignKeyConstraint(['rule_id'], ['domain_rule.id'], name=op.f('fk_hit_decision_rule_id_domain_rule'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name=op.f('fk_hit_decision_user_id_ab_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hit_decision'))
    )
    op.create_table('work_signature',
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['work_id'], ['work.id'], name=op.f('fk_work_signature_work_id_work'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('work_id', name=op.f('pk_work_signature'))
    )
    op.create_table('hit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sighting_id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('rights_holder_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('new', 'legal', 'illegal', 'whitelisted', 'no_match')", name=op.f('ck_hit_status_known')),
    sa.CheckConstraint('score >= 0 AND score <= 1', name=op.f('ck_hit_score_in_range')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_hit_case_id_case'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decision_id'], ['hit_decision.id'], name=op.f('fk_hit_decision_id_hit_decision'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rights_holder_id'], ['rights_holder.id'], name=op.f('fk_hit_rights_holder_id_rights_holder'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sighting_id'], ['sighting.id'], name=op.f('fk_hit_sighting_id_sighting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['work_id'], ['work.id'], name=op.f('fk_hit_work_id_work'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hit')),
    sa.UniqueConstraint('sighting_id', 'work_id', name='uq_hit_sighting_work')
    )
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hit_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_hit_client_status_domain', ['rights_holder_id', 'status', 'domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_hit_sighting_id'), ['sighting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hit_work_id'), ['work_id'], unique=False)

    op.create_table('hit_decision_item',
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('hit_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=False),
    sa.Column('from_case_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['hit_decision.id'], name=op.f('fk_hit_decision_item_decision_id_hit_decision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hit_id'], ['hit.id'], name=op.f('fk_hit_decision_item_hit_id_hit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('decision_id', 'hit_id', name=op.f('pk_hit_decision_item'))
    )
    with op.batch_alter_table('hit_decision_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hit_decision_item_hit_id'), ['hit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hit_decision_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hit_decision_item_hit_id'))

    op.drop_table('hit_decision_item')
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hit_work_id'))
        batch_op.drop_index(batch_op.f('ix_hit_sighting_id'))
        batch_op.drop_index('ix_hit_client_status_domain')
        batch_op.drop_index(batch_op.f('ix_hit_case_id'))

    op.drop_table('hit')
    op.drop_table('work_signature')
    op.drop_table('hit_decision')
    with op.batch_alter_table('domain_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domain_rule_domain'))

    op.drop_table('domain_rule')
    with op.batch_alter_table('sighting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sighting_domain'))

    op.drop_table('sighting')
