"""page indexes: the unassigned tab's count, the party behind a site, the lawyer's desk, cases by
their claimed amount (issue 20)

Four reads the load test (100,000 cases, 33,000 parties) found scanning whole tables. The queue's "Unassigned" tab counts open unassigned cases under the handler's filters (counted
up to cases.services.QUEUE_COUNT_CAP). With a country filter the count scanned the case table
(19-34 ms at 100,000 cases in the load test); this partial index over the open unassigned cases
answers it from the index alone. The triage page looks up the party on file for each site it shows
(parties.services.parties_for_sites): by an index on party.site instead of a scan of every
party (7.6 ms a view). The lawyer's desk selects the cases with the lawyer, in court, in
enforcement or on hold from them (about 7,700 of 100,000): from a partial index holding their id
and next due date alone, instead of visiting 6,000 pages of the case table (17 ms). The unmatched
payments page suggests the cases owing each payment's amount: found by (currency, claimed amount)
instead of reading every case (10-18 ms). Follows the hit tally (c4e8a1f3b9d2).

Revision ID: d7a2c5e8f1b4
Revises: c4e8a1f3b9d2
Create Date: 2026-12-16 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd7a2c5e8f1b4'
down_revision = 'c4e8a1f3b9d2'
branch_labels = None
depends_on = None

_UNASSIGNED = "stage <> 'closed' AND assignee_id IS NULL"
_WITH_THE_LAWYER = "'legal', 'court', 'enforcement'"
_DESK = f"stage IN ({_WITH_THE_LAWYER}) OR (stage = 'on_hold' AND held_from_stage IN ({_WITH_THE_LAWYER}))"


def upgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_unassigned_country_stage', ['country', 'stage'], unique=False,
                              postgresql_where=sa.text(_UNASSIGNED), sqlite_where=sa.text(_UNASSIGNED))
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_site'), ['site'], unique=False)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_desk', ['id', 'next_due_on'], unique=False,
                              postgresql_where=sa.text(_DESK), sqlite_where=sa.text(_DESK))
        batch_op.create_index('ix_case_currency_claimed', ['currency', 'claimed_minor'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_currency_claimed')
        batch_op.drop_index('ix_case_desk', postgresql_where=sa.text(_DESK), sqlite_where=sa.text(_DESK))
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_site'))
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_unassigned_country_stage',
                            postgresql_where=sa.text(_UNASSIGNED), sqlite_where=sa.text(_UNASSIGNED))
