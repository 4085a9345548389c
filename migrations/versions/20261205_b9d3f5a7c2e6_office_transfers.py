"""ledger: the account office_transfers (the firm's own money — commission, VAT — moved from the
client-money account to its office account), so the move is booked and the reconciliation agrees
after it (issue 14)

Revision ID: b9d3f5a7c2e6
Revises: a8c2e4f6b1d5
Create Date: 2026-12-02 08:40:00
"""
from alembic import op


revision = 'b9d3f5a7c2e6'
down_revision = 'a8c2e4f6b1d5'
branch_labels = None
depends_on = None

BEFORE = ('bank', 'suspense', 'collected', 'client_payable', 'revenue', 'vat_payable', 'costs_advanced', 'interest',
          'overpaid', 'bank_fees')
AFTER = BEFORE + ('office_transfers',)


def _check(accounts) -> str:
    return "account IN (" + ", ".join(f"'{a}'" for a in accounts) + ")"


def upgrade() -> None:
    with op.batch_alter_table('ledger_entry') as batch_op:
        batch_op.drop_constraint(op.f('ck_ledger_entry_account'), type_='check')
        batch_op.create_check_constraint('account', _check(AFTER))


def downgrade() -> None:
    # Entries already booked to office_transfers (transfers to the office; court costs the office
    # paid, issue 19) are kept: the older code never books the account, and narrowing the check
    # would mean deleting money entries. Only a ledger without them gets the narrower check back.
    import logging

    import sqlalchemy as sa

    booked = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM ledger_entry WHERE account = 'office_transfers'"))
    if booked.scalar():
        logging.getLogger("alembic").warning("ledger_entry: entries on office_transfers are kept; the account stays "
                                             "allowed below b9d3f5a7c2e6")
        return
    with op.batch_alter_table('ledger_entry') as batch_op:
        batch_op.drop_constraint(op.f('ck_ledger_entry_account'), type_='check')
        batch_op.create_check_constraint('account', _check(BEFORE))
