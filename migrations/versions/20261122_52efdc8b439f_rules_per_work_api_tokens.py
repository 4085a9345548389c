"""rules per work (cleared recipients), the decision that made a rule, API tokens

Revision ID: 52efdc8b439f
Revises: a3f1c2d4e5b6
Create Date: 2026-11-22 01:31:11.841239
"""
from alembic import op
import sqlalchemy as sa



revision = '52efdc8b439f'
down_revision = 'a3f1c2d4e5b6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name=op.f('fk_api_token_user_id_ab_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_api_token_token_sha256'))
    )
    with op.batch_alter_table('domain_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decision_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_domain_rule_client_domain'), type_='unique')
        batch_op.create_unique_constraint('uq_domain_rule_scope', ['rights_holder_id', 'domain', 'work_id'])
        batch_op.create_foreign_key(batch_op.f('fk_domain_rule_decision_id_hit_decision'), 'hit_decision', ['decision_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_domain_rule_work_id_work'), 'work', ['work_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('hit_decision', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_hit_decision_rule_id_domain_rule'), type_='foreignkey')
        batch_op.drop_column('rule_id')



def downgrade() -> None:
    with op.batch_alter_table('hit_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule_id', sa.INTEGER(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_hit_decision_rule_id_domain_rule'), 'domain_rule', ['rule_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('domain_rule', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_domain_rule_work_id_work'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_domain_rule_decision_id_hit_decision'), type_='foreignkey')
        batch_op.drop_constraint('uq_domain_rule_scope', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_domain_rule_client_domain'), ['rights_holder_id', 'domain'])
        batch_op.drop_column('decision_id')
        batch_op.drop_column('work_id')

    op.drop_table('api_token')
