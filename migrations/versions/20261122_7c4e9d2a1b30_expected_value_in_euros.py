"""expected value in euro cents: the queue orders cases in different currencies fairly

Revision ID: 7c4e9d2a1b30
Revises: 52efdc8b439f
Create Date: 2026-11-22 02:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7c4e9d2a1b30'
down_revision = '52efdc8b439f'
branch_labels = None
depends_on = None

OPEN = "stage <> 'closed'"


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
    # Existing values converted at the rates of the country files (jurisdictions/).
    from caseapp.core.money import Money
    from caseapp.feasibility.services import convert

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
                         [{'case_id': r.id, 'eur': convert(Money(r.expected_value_minor, currency), 'EUR').minor}
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
