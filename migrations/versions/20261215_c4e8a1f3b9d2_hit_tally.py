"""hit tally: how many hits each client has in each status, kept by the database (issue 20)

The triage page's tabs showed `count(*) … GROUP BY status` over every hit on every view and after
every decision: about 140 ms at a million hits, the largest part of the page under load. The
tally holds the same figures, kept in step by triggers on `hit` in the same transaction as the
change (an insert, a decision, an undo, a delete or a client's cascade), so the figure read is
always the one a count would give; reading it is a dozen rows. Filled from the hits already
there. Follows the jobs (b7c3d9e2a4f1).

PostgreSQL: statement-level triggers with transition tables (one upsert per client and status a
statement, however many hits it writes; rows written in key order, so two transactions take the
tally's row locks in the same order). SQLite: row-level triggers (it has no other kind).

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
    CREATE FUNCTION hit_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO hit_tally (client_id, status, n)
            SELECT client_id, status, count(*) FROM new_hits GROUP BY client_id, status ORDER BY client_id, status
            ON CONFLICT (client_id, status) DO UPDATE SET n = hit_tally.n + EXCLUDED.n;
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE hit_tally SET n = hit_tally.n - gone.n
            FROM (SELECT client_id, status, count(*) AS n FROM old_hits GROUP BY client_id, status) AS gone
            WHERE hit_tally.client_id = gone.client_id AND hit_tally.status = gone.status;
        ELSE
            INSERT INTO hit_tally (client_id, status, n)
            SELECT client_id, status, sum(d) FROM (
                SELECT client_id, status, -1 AS d FROM old_hits
                UNION ALL SELECT client_id, status, 1 FROM new_hits) AS moves
            GROUP BY client_id, status HAVING sum(d) <> 0 ORDER BY client_id, status
            ON CONFLICT (client_id, status) DO UPDATE SET n = hit_tally.n + EXCLUDED.n;
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER hit_tally_insert AFTER INSERT ON hit REFERENCING NEW TABLE AS new_hits "
    "FOR EACH STATEMENT EXECUTE FUNCTION hit_tally_keep()",
    "CREATE TRIGGER hit_tally_delete AFTER DELETE ON hit REFERENCING OLD TABLE AS old_hits "
    "FOR EACH STATEMENT EXECUTE FUNCTION hit_tally_keep()",
    "CREATE TRIGGER hit_tally_update AFTER UPDATE ON hit REFERENCING OLD TABLE AS old_hits NEW TABLE AS new_hits "
    "FOR EACH STATEMENT EXECUTE FUNCTION hit_tally_keep()",
]

_SQLITE = [
    """
    CREATE TRIGGER hit_tally_insert AFTER INSERT ON hit BEGIN
        INSERT INTO hit_tally (client_id, status, n) VALUES (NEW.client_id, NEW.status, 1)
        ON CONFLICT (client_id, status) DO UPDATE SET n = n + 1;
    END
    """,
    """
    CREATE TRIGGER hit_tally_delete AFTER DELETE ON hit BEGIN
        UPDATE hit_tally SET n = n - 1 WHERE client_id = OLD.client_id AND status = OLD.status;
    END
    """,
    """
    CREATE TRIGGER hit_tally_update AFTER UPDATE OF client_id, status ON hit
    WHEN OLD.client_id IS NOT NEW.client_id OR OLD.status IS NOT NEW.status BEGIN
        UPDATE hit_tally SET n = n - 1 WHERE client_id = OLD.client_id AND status = OLD.status;
        INSERT INTO hit_tally (client_id, status, n) VALUES (NEW.client_id, NEW.status, 1)
        ON CONFLICT (client_id, status) DO UPDATE SET n = n + 1;
    END
    """,
]


def upgrade() -> None:
    op.create_table(
        'hit_tally',
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('client_id', 'status', name=op.f('pk_hit_tally')),
    )
    if op.get_bind().dialect.name == "postgresql":   # no hit written between the fill and the triggers
        op.execute("LOCK TABLE hit IN SHARE ROW EXCLUSIVE MODE")
    op.execute("INSERT INTO hit_tally (client_id, status, n) "
               "SELECT client_id, status, count(*) FROM hit GROUP BY client_id, status")
    for statement in _POSTGRESQL if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    for trigger in ("hit_tally_insert", "hit_tally_delete", "hit_tally_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON hit" if op.get_bind().dialect.name == "postgresql"
                   else f"DROP TRIGGER IF EXISTS {trigger}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS hit_tally_keep()")
    op.drop_table('hit_tally')
