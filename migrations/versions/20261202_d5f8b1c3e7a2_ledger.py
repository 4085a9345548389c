"""the ledger: double-entry transactions and their entries (debit positive, credit negative),
under payments and payout batches (issue 14); posted entries never change, a correction is a
reversing transaction

Revision ID: d5f8b1c3e7a2
Revises: c4e7a9d2b5f1
Create Date: 2026-12-02 05:36:31.959985
"""
from alembic import op
import sqlalchemy as sa


revision = 'd5f8b1c3e7a2'
down_revision = 'c4e7a9d2b5f1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ledger_transaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('posted_by', sa.String(length=100), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_ledger_transaction_case_id_case'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_ledger_transaction_client_id_client'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reverses_id'], ['ledger_transaction.id'], name=op.f('fk_ledger_transaction_reverses_id_ledger_transaction'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_transaction')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_ledger_transaction_reverses_id'))
    )
    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_transaction_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_transaction_client_id'), ['client_id'], unique=False)

    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=30), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.CheckConstraint("account IN ('bank', 'suspense', 'collected', 'client_payable', 'revenue', 'vat_payable', 'costs_advanced', 'interest', 'overpaid', 'bank_fees')", name=op.f('ck_ledger_entry_account')),
    sa.CheckConstraint('amount_minor <> 0', name=op.f('ck_ledger_entry_not_zero')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_ledger_entry_case_id_case'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_ledger_entry_client_id_client'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transaction.id'], name=op.f('fk_ledger_entry_transaction_id_ledger_transaction'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry'))
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entry_account_case', ['account', 'case_id'], unique=False)
        batch_op.create_index('ix_ledger_entry_account_client', ['account', 'client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_transaction_id'), ['transaction_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entry_transaction_id'))
        batch_op.drop_index('ix_ledger_entry_account_client')
        batch_op.drop_index('ix_ledger_entry_account_case')

    op.drop_table('ledger_entry')
    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_transaction_client_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_transaction_case_id'))

    op.drop_table('ledger_transaction')
