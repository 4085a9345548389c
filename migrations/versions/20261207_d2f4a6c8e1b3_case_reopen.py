"""cases: closed_from_stage — the stage a closed case returns to when it is reopened (issue 17:
closing and reopening a case)

Cases closed before this migration get it from their closing event on the audit trail (the
`case.stage_changed` event to 'closed': its from_state; closed while on hold, the stage the
hold event came from). A closed case with no closing event keeps none and reopens to checking
(caseapp.cases.lifecycle.reopen_target).

Revision ID: d2f4a6c8e1b3
Revises: c1e3a5b7d9f2
Create Date: 2026-12-02 17:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd2f4a6c8e1b3'
down_revision = 'c1e3a5b7d9f2'
branch_labels = None
depends_on = None

# The stages a case may return to (every open stage but on hold), as lifecycle names them then.
RETURNS_TO = ('new', 'checking', 'ready', 'offer_sent', 'reminder_sent', 'final_demand', 'collection',
              'legal', 'court', 'enforcement', 'settled', 'paid')


def upgrade() -> None:
    op.add_column('case', sa.Column('closed_from_stage', sa.String(length=20), nullable=True))
    bind = op.get_bind()
    # Each closed case's stage changes, oldest first: the last move to 'closed' names the stage it
    # was closed from; if that was 'on hold', the last move to 'on hold' before it names the stage.
    rows = bind.execute(sa.text(
        "SELECT e.case_id, e.from_state, e.to_state FROM audit_event e "
        "JOIN \"case\" c ON c.id = e.case_id "
        "WHERE c.stage = 'closed' AND e.action = 'case.stage_changed' "
        "ORDER BY e.case_id, e.occurred_at, e.id"))
    held_from: dict[int, str | None] = {}
    closed_from: dict[int, str | None] = {}
    for case_id, from_state, to_state in rows:
        if to_state == 'on_hold':
            held_from[case_id] = from_state
        elif to_state == 'closed':
            closed_from[case_id] = held_from.get(case_id) if from_state == 'on_hold' else from_state
    update = sa.text('UPDATE "case" SET closed_from_stage = :stage WHERE id = :id')
    values = [{"id": case_id, "stage": stage} for case_id, stage in closed_from.items() if stage in RETURNS_TO]
    for start in range(0, len(values), 1000):
        bind.execute(update, values[start:start + 1000])


def downgrade() -> None:
    # (SQLite drops a column in place since 3.35: the case table and its queue indexes stay.)
    op.drop_column('case', 'closed_from_stage')
