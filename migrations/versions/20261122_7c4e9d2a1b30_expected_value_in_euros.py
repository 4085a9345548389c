"""expected value in euro cents: the queue orders cases in different currencies fairly

Revision ID: 7c4e9d2a1b30
Revises: 52efdc8b439f
Create Date: 2026-11-22 02:40:00
"""
from decimal import Decimal
from fractions import Fraction

from alembic import op
import sqlalchemy as sa


revision = '7c4e9d2a1b30'
down_revision = '52efdc8b439f'
branch_labels = None
depends_on = None

OPEN = "stage <> 'closed'"

# Units of each currency per euro, as the country files (jurisdictions/) had them when this
# migration was written (estimates of late 2025), and each currency's minor digits. Kept
# here so that the migration converts the same way whatever the application says later.
PER_EUR = {"AED": "3.97", "ARS": "1100", "AUD": "1.65", "BRL": "6.0", "CAD": "1.5", "CHF": "0.94",
           "CNY": "7.8", "CZK": "25.2", "DKK": "7.46", "GBP": "0.85", "HKD": "8.4", "HUF": "400", "ILS": "4.0",
           "INR": "92", "ISK": "150", "JPY": "165", "KRW": "1450", "MXN": "19.5", "NOK": "11.7", "NZD": "1.8",
           "PLN": "4.3", "RON": "4.98", "RUB": "100", "SEK": "11.4", "SGD": "1.45", "TRY": "37", "UAH": "45",
           "USD": "1.08", "ZAR": "19.5"}
NO_MINOR_UNITS = {"ISK", "JPY", "KRW"}


def _euro_cents(minor: int, currency: str) -> int | None:
    """`minor` units of `currency` in euro cents, rounded half away from zero; None for a
    currency this migration has no rate for (its expected value is valued again later)."""
    if currency not in PER_EUR:
        return None
    digits = 0 if currency in NO_MINOR_UNITS else 2
    value = Fraction(minor) * Fraction(100, 10 ** digits) / Fraction(Decimal(PER_EUR[currency]))
    whole, rest = divmod(abs(value), 1)
    rounded = int(whole) + (1 if rest >= Fraction(1, 2) else 0)
    return rounded if value >= 0 else -rounded


def _queue_indexes(column: str) -> None:
    value_key = sa.text(f'coalesce({column}, -1000000000000000000) DESC')
    op.create_index('ix_case_queue_mine', 'case', ['assignee_id', 'next_due_on', value_key, 'id'],
                    unique=False, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.create_index('ix_case_queue_unassigned', 'case', ['next_due_on', value_key, 'id'], unique=False,
                    postgresql_where=sa.text(f"{OPEN} AND assignee_id IS NULL"),
                    sqlite_where=sa.text(f"{OPEN} AND assignee_id IS NULL"))


def upgrade() -> None:
    # (a plain ADD COLUMN: a batch copy of the table on SQLite would not keep the expression indexes)
    op.add_column('case', sa.Column('expected_value_eur_minor', sa.BigInteger(), nullable=True))
    # Existing values converted at the rates of the country files of the time (PER_EUR).
    bind = op.get_bind()
    case = sa.table('case', sa.column('id'), sa.column('currency'), sa.column('expected_value_minor'),
                    sa.column('expected_value_eur_minor'))
    for currency, in bind.execute(sa.select(case.c.currency).distinct()).all():
        if currency == 'EUR':
            bind.execute(case.update().where(case.c.currency == 'EUR')
                         .values(expected_value_eur_minor=case.c.expected_value_minor))
            continue
        rows = bind.execute(sa.select(case.c.id, case.c.expected_value_minor)
                            .where(case.c.currency == currency, case.c.expected_value_minor.is_not(None))).all()
        for start in range(0, len(rows), 5000):
            chunk = rows[start:start + 5000]
            bind.execute(case.update().where(case.c.id == sa.bindparam('case_id'))
                         .values(expected_value_eur_minor=sa.bindparam('eur')),
                         [{'case_id': r.id, 'eur': _euro_cents(r.expected_value_minor, currency)}
                          for r in chunk])
    op.drop_index('ix_case_queue_mine', table_name='case')
    op.drop_index('ix_case_queue_unassigned', table_name='case')
    _queue_indexes('expected_value_eur_minor')


def downgrade() -> None:
    op.drop_index('ix_case_queue_mine', table_name='case')
    op.drop_index('ix_case_queue_unassigned', table_name='case')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('expected_value_eur_minor')
    _queue_indexes('expected_value_minor')
