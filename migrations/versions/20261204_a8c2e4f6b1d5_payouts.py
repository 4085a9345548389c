"""payouts: batches (state, sums, who drafted/approved/exported/confirmed), a line per client
and an item per collection paid out (UNIQUE on the ledger entry: a collection is paid out once,
ever), and the signed-off monthly three-way reconciliations (issue 14)

Revision ID: a8c2e4f6b1d5
Revises: f7b1d3e5a9c4
Create Date: 2026-12-02 05:44:15.728800
"""
from alembic import op
import sqlalchemy as sa


revision = 'a8c2e4f6b1d5'
down_revision = 'f7b1d3e5a9c4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reconciliation_signoff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('bank_balance_minor', sa.BigInteger(), nullable=False),
    sa.Column('in_transit_minor', sa.BigInteger(), nullable=False),
    sa.Column('ledger_client_money_minor', sa.BigInteger(), nullable=False),
    sa.Column('clients_sum_minor', sa.BigInteger(), nullable=False),
    sa.Column('agreed', sa.Boolean(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_by', sa.String(length=100), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['signed_by_id'], ['ab_user.id'], name=op.f('fk_reconciliation_signoff_signed_by_id_ab_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_signoff'))
    )
    with op.batch_alter_table('reconciliation_signoff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconciliation_signoff_month'), ['month'], unique=False)

    op.create_table('payout_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('collected_minor', sa.BigInteger(), nullable=False),
    sa.Column('to_clients_minor', sa.BigInteger(), nullable=False),
    sa.Column('commission_minor', sa.BigInteger(), nullable=False),
    sa.Column('vat_minor', sa.BigInteger(), nullable=False),
    sa.Column('drafted_by_id', sa.Integer(), nullable=True),
    sa.Column('drafted_by', sa.String(length=100), nullable=False),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('exported_by', sa.String(length=100), nullable=True),
    sa.Column('exported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by', sa.String(length=100), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('split_transaction_id', sa.Integer(), nullable=True),
    sa.Column('transfer_transaction_id', sa.Integer(), nullable=True),
    sa.Column('sepa_sha256', sa.String(length=64), nullable=True),
    sa.Column('sepa_filename', sa.String(length=120), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'approved', 'exported', 'confirmed')", name=op.f('ck_payout_batch_state_known')),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['ab_user.id'], name=op.f('fk_payout_batch_drafted_by_id_ab_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['split_transaction_id'], ['ledger_transaction.id'], name=op.f('fk_payout_batch_split_transaction_id_ledger_transaction'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['transfer_transaction_id'], ['ledger_transaction.id'], name=op.f('fk_payout_batch_transfer_transaction_id_ledger_transaction'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_batch'))
    )
    op.create_table('payout_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('client_name', sa.String(length=200), nullable=False),
    sa.Column('collected_minor', sa.BigInteger(), nullable=False),
    sa.Column('client_share_minor', sa.BigInteger(), nullable=False),
    sa.Column('commission_minor', sa.BigInteger(), nullable=False),
    sa.Column('vat_minor', sa.BigInteger(), nullable=False),
    sa.Column('vat_code', sa.String(length=20), nullable=False),
    sa.Column('vat_basis', sa.Text(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('manual_reason', sa.Text(), nullable=True),
    sa.Column('holder', sa.String(length=200), nullable=True),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('bic', sa.String(length=11), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('statement_sha256', sa.String(length=64), nullable=True),
    sa.Column('statement_number', sa.String(length=40), nullable=True),
    sa.CheckConstraint("method IN ('sepa', 'manual')", name=op.f('ck_payout_line_method_known')),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batch.id'], name=op.f('fk_payout_line_batch_id_payout_batch'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_payout_line_client_id_client'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_line')),
    sa.UniqueConstraint('batch_id', 'client_id', name='client_once')
    )
    with op.batch_alter_table('payout_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_line_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payout_line_client_id'), ['client_id'], unique=False)

    op.create_table('payout_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('ledger_entry_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=40), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('in_court', sa.Boolean(), nullable=False),
    sa.Column('share_bp', sa.Integer(), nullable=False),
    sa.Column('collected_minor', sa.BigInteger(), nullable=False),
    sa.Column('client_share_minor', sa.BigInteger(), nullable=False),
    sa.Column('commission_minor', sa.BigInteger(), nullable=False),
    sa.Column('vat_minor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batch.id'], name=op.f('fk_payout_item_batch_id_payout_batch'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_payout_item_case_id_case'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['ledger_entry_id'], ['ledger_entry.id'], name=op.f('fk_payout_item_ledger_entry_id_ledger_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['line_id'], ['payout_line.id'], name=op.f('fk_payout_item_line_id_payout_line'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_item')),
    sa.UniqueConstraint('ledger_entry_id', name=op.f('uq_payout_item_ledger_entry_id'))
    )
    with op.batch_alter_table('payout_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_item_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payout_item_line_id'), ['line_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payout_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_item_line_id'))
        batch_op.drop_index(batch_op.f('ix_payout_item_batch_id'))

    op.drop_table('payout_item')
    with op.batch_alter_table('payout_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_line_client_id'))
        batch_op.drop_index(batch_op.f('ix_payout_line_batch_id'))

    op.drop_table('payout_line')
    op.drop_table('payout_batch')
    with op.batch_alter_table('reconciliation_signoff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reconciliation_signoff_month'))

    op.drop_table('reconciliation_signoff')
