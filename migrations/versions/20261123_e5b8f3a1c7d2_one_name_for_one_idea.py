"""one name for one idea: rights_holder -> client, infringer -> party, domain_rule -> site_rule,
a hit's, sighting's and rule's domain and a party's website -> site

Renames only: every row, key and index is kept. Tables and columns are renamed in place
(ALTER TABLE ... RENAME, which PostgreSQL and SQLite >= 3.26 both do, updating the foreign
keys and indexes that point at them); indexes and constraints get the names the naming
convention gives them now, so that later migrations can name what they drop. On SQLite a
constraint's name can only change by copying its table (batch mode); the case table's
expression indexes, which a copy would lose, are made again afterwards.

Revision ID: e5b8f3a1c7d2
Revises: d4a7e1c9b2f0
Create Date: 2026-11-23 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e5b8f3a1c7d2'
down_revision = 'd4a7e1c9b2f0'
branch_labels = None
depends_on = None

TABLES = [('rights_holder', 'client'), ('infringer', 'party'), ('domain_rule', 'site_rule')]
# Columns by their table's new name.
COLUMNS = [('work', 'rights_holder_id', 'client_id'), ('case', 'rights_holder_id', 'client_id'),
           ('case', 'infringer_id', 'party_id'), ('hit', 'rights_holder_id', 'client_id'),
           ('hit', 'domain', 'site'), ('sighting', 'domain', 'site'), ('site_rule', 'rights_holder_id', 'client_id'),
           ('site_rule', 'domain', 'site'), ('party', 'website', 'site')]
INDEXES = [  # (table, old name, new name, columns under the new names)
    ('work', 'ix_work_rights_holder_id', 'ix_work_client_id', ['client_id']),
    ('case', 'ix_case_rights_holder_id', 'ix_case_client_id', ['client_id']),
    ('case', 'ix_case_infringer_id', 'ix_case_party_id', ['party_id']),
    ('party', 'ix_infringer_country', 'ix_party_country', ['country']),
    ('sighting', 'ix_sighting_domain', 'ix_sighting_site', ['site']),
    ('site_rule', 'ix_domain_rule_domain', 'ix_site_rule_site', ['site']),
    ('hit', 'ix_hit_status_domain_id', 'ix_hit_status_site_id', ['status', 'site', 'id']),
    ('hit', 'ix_hit_client_status_domain', 'ix_hit_client_status_site', ['client_id', 'status', 'site', 'id']),
    ('hit', 'ix_hit_domain_work', 'ix_hit_site_work', ['site', 'work_id']),
]
FOREIGN_KEYS = [  # (table, old name, new name, column, referred table, on delete) under the new names
    ('work', 'fk_work_rights_holder_id_rights_holder', 'fk_work_client_id_client', 'client_id', 'client', 'RESTRICT'),
    ('case', 'fk_case_rights_holder_id_rights_holder', 'fk_case_client_id_client', 'client_id', 'client', 'RESTRICT'),
    ('case', 'fk_case_infringer_id_infringer', 'fk_case_party_id_party', 'party_id', 'party', 'RESTRICT'),
    ('hit', 'fk_hit_rights_holder_id_rights_holder', 'fk_hit_client_id_client', 'client_id', 'client', 'CASCADE'),
    ('site_rule', 'fk_domain_rule_rights_holder_id_rights_holder', 'fk_site_rule_client_id_client', 'client_id',
     'client', 'CASCADE'),
    ('site_rule', 'fk_domain_rule_work_id_work', 'fk_site_rule_work_id_work', 'work_id', 'work', 'CASCADE'),
    ('site_rule', 'fk_domain_rule_decision_id_hit_decision', 'fk_site_rule_decision_id_hit_decision', 'decision_id',
     'hit_decision', 'SET NULL'),
]
UNIQUES = [('site_rule', 'uq_domain_rule_scope', 'uq_site_rule_scope', ['client_id', 'site', 'work_id'])]
PRIMARY_KEYS = [('client', 'pk_rights_holder', 'pk_client'), ('party', 'pk_infringer', 'pk_party'),
                ('site_rule', 'pk_domain_rule', 'pk_site_rule')]
# The audit trail names what an event is about by its table; the permission matrix names
# the parties' pages "Party" now (a grant made by hand is kept).
SUBJECT_TYPES = [('rights_holder', 'client'), ('infringer', 'party'), ('domain_rule', 'site_rule')]
VIEW_MENUS = [('Infringer', 'Party')]

OPEN = "stage <> 'closed'"


def _queue_indexes() -> None:
    """As migration 7c4e9d2a1b30 made them (a copy of the case table on SQLite loses them)."""
    value_key = sa.text('coalesce(expected_value_eur_minor, -1000000000000000000) DESC')
    op.create_index('ix_case_queue_mine', 'case', ['assignee_id', 'next_due_on', value_key, 'id'],
                    unique=False, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.create_index('ix_case_queue_unassigned', 'case', ['next_due_on', value_key, 'id'], unique=False,
                    postgresql_where=sa.text(f"{OPEN} AND assignee_id IS NULL"),
                    sqlite_where=sa.text(f"{OPEN} AND assignee_id IS NULL"))


def _rename(forward: bool) -> None:
    bind = op.get_bind()
    quote = bind.dialect.identifier_preparer.quote
    sqlite = bind.dialect.name == 'sqlite'

    def way(old, new):
        return (old, new) if forward else (new, old)

    def tables():
        for old, new in TABLES:
            a, b = way(old, new)
            op.rename_table(a, b)

    def columns():   # (named by their table's new name)
        for table, old, new in COLUMNS:
            a, b = way(old, new)
            op.execute(f'ALTER TABLE {quote(table)} RENAME COLUMN {quote(a)} TO {quote(b)}')

    if forward:
        tables()
        columns()
        _constraints(True, sqlite)
    else:
        _constraints(False, sqlite)
        columns()
        tables()
    for old, new in SUBJECT_TYPES:
        a, b = way(old, new)
        op.execute(sa.text('UPDATE audit_event SET subject_type = :b WHERE subject_type = :a').bindparams(a=a, b=b))
    for old, new in VIEW_MENUS:
        a, b = way(old, new)
        op.execute(sa.text('UPDATE ab_view_menu SET name = :b WHERE name = :a AND NOT EXISTS '
                           '(SELECT 1 FROM ab_view_menu WHERE name = :b)').bindparams(a=a, b=b))


def _constraints(forward: bool, sqlite: bool) -> None:
    """Index and constraint names. Tables and columns have their new names at this point
    (renamed before it going forward, after it going back)."""
    def way(old, new):
        return (old, new) if forward else (new, old)

    for table, old, new, columns in INDEXES:
        a, b = way(old, new)
        if sqlite:
            op.drop_index(a, table_name=table)
            op.create_index(b, table, columns)
        else:
            op.execute(f'ALTER INDEX {a} RENAME TO {b}')
    if not sqlite:
        for table, old, new, *_ in FOREIGN_KEYS + UNIQUES:
            a, b = way(old, new)
            op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT {a} TO {b}')
        for table, old, new in PRIMARY_KEYS:
            a, b = way(old, new)
            op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT {a} TO {b}')
            # the id sequence follows its table's name
            op.execute(f'ALTER SEQUENCE IF EXISTS {a[3:]}_id_seq RENAME TO {b[3:]}_id_seq')
        return
    # SQLite: a constraint's name lives in its table's definition, so the table is copied.
    tables = []
    for table, *_ in FOREIGN_KEYS + UNIQUES + PRIMARY_KEYS:
        if table not in tables:
            tables.append(table)
    for table in tables:
        with op.batch_alter_table(table, recreate='always') as batch_op:
            for t, old, new, column, referred, on_delete in FOREIGN_KEYS:
                if t == table:
                    a, b = way(old, new)
                    batch_op.drop_constraint(a, type_='foreignkey')
                    batch_op.create_foreign_key(b, referred, [column], ['id'],
                                                ondelete=on_delete)
            for t, old, new, columns in UNIQUES:
                if t == table:
                    a, b = way(old, new)
                    batch_op.drop_constraint(a, type_='unique')
                    batch_op.create_unique_constraint(b, columns)
            for t, old, new in PRIMARY_KEYS:
                if t == table:
                    a, b = way(old, new)
                    batch_op.drop_constraint(a, type_='primary')
                    batch_op.create_primary_key(b, ['id'])
        if table == 'case':
            _queue_indexes()


def upgrade() -> None:
    _rename(True)


def downgrade() -> None:
    _rename(False)
