"""hit tally: how many hits each client has in each status, kept by the database (issue 20)

The triage page's tabs showed `count(*) … GROUP BY status` over every hit on every view and after
every decision: about 140 ms at a million hits, the largest part of the page under load. Now
triggers on `hit` note every change as a row of `hit_tally_change` (client, status, +n/-n) in the
transaction that writes the hits (an insert, a decision, an undo, a delete, a cascade); the tabs
read `hit_tally` plus the changes not yet folded into it (hits.services.fold_tally, after an
ingest and daily), so the figure read is always the one a count would give.

The triggers only append rows: two transactions writing hits of one client never wait for each
other (a tally row updated by every write would be locked until its transaction commits, and two
bulk decisions reaching two clients in opposite order would deadlock). TRUNCATE (which fires no
row triggers) empties the tally on PostgreSQL.

PostgreSQL: statement-level triggers with transition tables (one change row per client and status
a statement, however many hits it writes). SQLite: row-level triggers (it has no other kind).
Follows the jobs (b7c3d9e2a4f1).

Revision ID: c4e8a1f3b9d2
Revises: b7c3d9e2a4f1
Create Date: 2026-12-15 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4e8a1f3b9d2'
down_revision = 'b7c3d9e2a4f1'
branch_labels = None
depends_on = None


_POSTGRESQL = [
    """
    CREATE FUNCTION hit_tally_note() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO hit_tally_change (client_id, status, n)
            SELECT client_id, status, count(*) FROM new_hits GROUP BY client_id, status;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO hit_tally_change (client_id, status, n)
            SELECT client_id, status, -count(*) FROM old_hits GROUP BY client_id, status;
        ELSE
            INSERT INTO hit_tally_change (client_id, status, n)
            SELECT client_id, status, sum(d) FROM (
                SELECT client_id, status, -1 AS d FROM old_hits
                UNION ALL SELECT client_id, status, 1 FROM new_hits) AS moves
            GROUP BY client_id, status HAVING sum(d) <> 0;
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER hit_tally_insert AFTER INSERT ON hit REFERENCING NEW TABLE AS new_hits "
    "FOR EACH STATEMENT EXECUTE FUNCTION hit_tally_note()",
    "CREATE TRIGGER hit_tally_delete AFTER DELETE ON hit REFERENCING OLD TABLE AS old_hits "
    "FOR EACH STATEMENT EXECUTE FUNCTION hit_tally_note()",
    "CREATE TRIGGER hit_tally_update AFTER UPDATE ON hit REFERENCING OLD TABLE AS old_hits NEW TABLE AS new_hits "
    "FOR EACH STATEMENT EXECUTE FUNCTION hit_tally_note()",
    """
    CREATE FUNCTION hit_tally_clear() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM hit_tally_change;
        DELETE FROM hit_tally;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER hit_tally_truncate AFTER TRUNCATE ON hit FOR EACH STATEMENT EXECUTE FUNCTION hit_tally_clear()",
]

_SQLITE = [
    """
    CREATE TRIGGER hit_tally_insert AFTER INSERT ON hit BEGIN
        INSERT INTO hit_tally_change (client_id, status, n) VALUES (NEW.client_id, NEW.status, 1);
    END
    """,
    """
    CREATE TRIGGER hit_tally_delete AFTER DELETE ON hit BEGIN
        INSERT INTO hit_tally_change (client_id, status, n) VALUES (OLD.client_id, OLD.status, -1);
    END
    """,
    """
    CREATE TRIGGER hit_tally_update AFTER UPDATE OF client_id, status ON hit
    WHEN OLD.client_id IS NOT NEW.client_id OR OLD.status IS NOT NEW.status BEGIN
        INSERT INTO hit_tally_change (client_id, status, n) VALUES (OLD.client_id, OLD.status, -1);
        INSERT INTO hit_tally_change (client_id, status, n) VALUES (NEW.client_id, NEW.status, 1);
    END
    """,
]

_TRIGGERS = ("hit_tally_insert", "hit_tally_delete", "hit_tally_update", "hit_tally_truncate")


def upgrade() -> None:
    op.create_table(
        'hit_tally',
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('client_id', 'status', name=op.f('pk_hit_tally')),
    )
    op.create_table(
        'hit_tally_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hit_tally_change')),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:   # no hit written between the fill and the triggers
        op.execute("LOCK TABLE hit IN SHARE ROW EXCLUSIVE MODE")
    op.execute("INSERT INTO hit_tally (client_id, status, n) "
               "SELECT client_id, status, count(*) FROM hit GROUP BY client_id, status")
    for statement in _POSTGRESQL if postgresql else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON hit" if postgresql else f"DROP TRIGGER IF EXISTS {trigger}")
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS hit_tally_note()")
        op.execute("DROP FUNCTION IF EXISTS hit_tally_clear()")
    op.drop_table('hit_tally_change')
    op.drop_table('hit_tally')
