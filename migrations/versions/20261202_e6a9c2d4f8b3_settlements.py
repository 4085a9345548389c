"""settlements: offers and counter-offers on a case (the client's floor and consent), the settlement
(one active per case, in court or not) and its instalment plan (issue 14)

Revision ID: e6a9c2d4f8b3
Revises: d5f8b1c3e7a2
Create Date: 2026-12-02 05:43:05.873803
"""
from alembic import op
import sqlalchemy as sa


revision = 'e6a9c2d4f8b3'
down_revision = 'd5f8b1c3e7a2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('settlement_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consent_by', sa.String(length=200), nullable=True),
    sa.Column('consent_how', sa.String(length=200), nullable=True),
    sa.Column('consent_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("side IN ('firm', 'recipient')", name=op.f('ck_settlement_offer_side_known')),
    sa.CheckConstraint("state IN ('open', 'accepted', 'rejected')", name=op.f('ck_settlement_offer_state_known')),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_settlement_offer_amount_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_settlement_offer_case_id_case'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_offer'))
    )
    with op.batch_alter_table('settlement_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_offer_case_id'), ['case_id'], unique=False)

    op.create_table('settlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('covers', sa.Text(), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=False),
    sa.Column('in_court', sa.Boolean(), nullable=False),
    sa.Column('stage_at_agreement', sa.String(length=20), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('consent_by', sa.String(length=200), nullable=True),
    sa.Column('consent_how', sa.String(length=200), nullable=True),
    sa.Column('consent_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('active', 'cancelled')", name=op.f('ck_settlement_state_known')),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_settlement_amount_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_settlement_case_id_case'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['offer_id'], ['settlement_offer.id'], name=op.f('fk_settlement_offer_id_settlement_offer'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement'))
    )
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_case_id'), ['case_id'], unique=False)
        batch_op.create_index('uq_settlement_active_case', ['case_id'], unique=True, postgresql_where=sa.text("state = 'active'"), sqlite_where=sa.text("state = 'active'"))

    op.create_table('settlement_instalment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=True),
    sa.CheckConstraint('amount_minor >= 0', name=op.f('ck_settlement_instalment_amount_not_negative')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_settlement_instalment_number_positive')),
    sa.ForeignKeyConstraint(['settlement_id'], ['settlement.id'], name=op.f('fk_settlement_instalment_settlement_id_settlement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_instalment'))
    )
    with op.batch_alter_table('settlement_instalment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_instalment_settlement_id'), ['settlement_id'], unique=False)
        batch_op.create_index('uq_settlement_instalment_number', ['settlement_id', 'number'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('settlement_instalment', schema=None) as batch_op:
        batch_op.drop_index('uq_settlement_instalment_number')
        batch_op.drop_index(batch_op.f('ix_settlement_instalment_settlement_id'))

    op.drop_table('settlement_instalment')
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.drop_index('uq_settlement_active_case', postgresql_where=sa.text("state = 'active'"), sqlite_where=sa.text("state = 'active'"))
        batch_op.drop_index(batch_op.f('ix_settlement_case_id'))

    op.drop_table('settlement')
    with op.batch_alter_table('settlement_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_offer_case_id'))

    op.drop_table('settlement_offer')
