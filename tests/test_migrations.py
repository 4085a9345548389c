"""Alembic owns the schema: the migrated database and the models agree."""
from __future__ import annotations

import warnings

import pytest

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect, text

from caseapp.core import schema
from caseapp.extensions import make_engine


def test_models_and_migrations_agree(app):
    from caseapp.extensions import get_db

    with app.app_context():
        assert schema.drift(get_db().engine) == []


@pytest.mark.parametrize("name", ["ix_case_queue_mine", "ix_case_queue_unassigned"])
def test_queue_indexes_exist(app, name):
    """The queue's expression indexes, which the drift check cannot compare on SQLite."""
    from caseapp.extensions import get_db

    engine = None
    with app.app_context():
        engine = get_db().engine
    query = ("SELECT sql FROM sqlite_master WHERE name = :name" if engine.name == "sqlite"
             else "SELECT indexdef FROM pg_indexes WHERE indexname = :name")
    with engine.connect() as connection:
        definition = connection.execute(text(query), {"name": name}).scalar_one().lower()
    assert "coalesce(expected_value_eur_minor" in definition and "<> 'closed'" in definition


def test_drift_check_catches_a_missing_migration(app):
    """The check above is real: a table only the models know is reported."""
    from caseapp.core.models import metadata
    from caseapp.extensions import get_db

    extra = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(extra)
    Table("not_migrated", extra, Column("id", Integer, primary_key=True))
    with app.app_context(), get_db().engine.connect() as connection, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        differences = compare_metadata(MigrationContext.configure(connection), extra)
    assert [d[0] for d in differences] == ["add_table"]


def test_downgrade_to_empty_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    schema.upgrade(url)
    engine = make_engine(url)
    assert {"case", "ab_user", "audit_event"} <= set(inspect(engine).get_table_names())
    schema.downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    schema.upgrade(url)
    assert schema.drift(engine) == []
    engine.dispose()


def test_downgrade_and_upgrade_keep_the_data(tmp_path):
    """SQLite alters a table by copying it: nothing that refers to it may be lost on the way."""
    from caseapp import create_app
    from caseapp.core.audit import Actor
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_db
    from caseapp.hits import services
    from caseapp.hits.models import NO_MATCH, Hit
    from tests.conftest import TODAY

    url = f"sqlite:///{tmp_path / 'data.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "CASEAPP_INSTANCE_PATH": str(tmp_path)})
    build_demo_database(app, cases=20, works=4, hits=8, today=TODAY)
    with app.app_context():
        session = get_db().session()
        from sqlalchemy import select as select_

        ids = list(session.scalars(select_(Hit.id)))
        services.decide(session, Actor(None, "t"), ids, NO_MATCH, selection="all", today=TODAY)
        session.commit()
        get_db().dispose()

    def counts():
        engine = make_engine(url)
        with engine.connect() as connection:
            found = {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                     for table in ("case", "case_item", "hit", "hit_decision_item", "audit_event")}
        engine.dispose()
        return found

    before = counts()
    assert before["case_item"] and before["hit_decision_item"] == len(ids)
    schema.downgrade(url, "a3f1c2d4e5b6")
    assert counts() == before
    schema.upgrade(url)
    assert counts() == before
    engine = make_engine(url)
    assert schema.drift(engine) == []
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    engine.dispose()


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_the_renames_keep_what_refers_to_the_old_names(tmp_path, backend_name):
    """Migration e5b8f3a1c7d2 (one name for one idea): rows keep their keys, the audit trail
    names its subjects by the new table names, a hand-made grant on the parties' pages stays
    (its resource renamed), and going back restores every old name."""
    from tests.conftest import PG_URL, _postgres_database

    if backend_name == "postgresql" and not PG_URL:
        pytest.skip("PostgreSQL only (set CASEAPP_TEST_DATABASE_URL)")
    url, drop = (f"sqlite:///{tmp_path / 'renames.db'}", None) if backend_name == "sqlite" else _postgres_database()
    try:
        schema.upgrade(url, "d4a7e1c9b2f0")
        engine = make_engine(url)
        with engine.begin() as c:
            c.execute(text("INSERT INTO rights_holder (name, kind, country, language, created_at, updated_at, version) "
                           "VALUES ('Studio', 'photographer', 'DE', 'de', '2026-01-01', '2026-01-01', 1)"))
            c.execute(text("INSERT INTO infringer (name, kind, website, country, language, created_at, updated_at, "
                           "version) VALUES ('Shop GmbH', 'company', 'shop.example', 'DE', 'de', '2026-01-01', "
                           "'2026-01-01', 1)"))
            c.execute(text("INSERT INTO audit_event (occurred_at, actor_name, action, subject_type, subject_id) "
                           "VALUES ('2026-01-01', 't', 'party.added', 'infringer', 1)"))
            c.execute(text("INSERT INTO ab_view_menu (name) VALUES ('Infringer')"))
        schema.upgrade(url)
        with engine.connect() as c:
            assert c.execute(text("SELECT id, site FROM party")).one() == (1, "shop.example")
            assert c.execute(text("SELECT name FROM client")).scalar_one() == "Studio"
            assert c.execute(text("SELECT subject_type FROM audit_event")).scalar_one() == "party"
            assert c.execute(text("SELECT name FROM ab_view_menu")).scalars().all() == ["Party"]
        assert schema.drift(engine) == []
        schema.downgrade(url, "d4a7e1c9b2f0")
        with engine.connect() as c:
            assert c.execute(text("SELECT id, website FROM infringer")).one() == (1, "shop.example")
            assert c.execute(text("SELECT subject_type FROM audit_event")).scalar_one() == "infringer"
            assert c.execute(text("SELECT name FROM ab_view_menu")).scalars().all() == ["Infringer"]
        engine.dispose()
    finally:
        if drop:
            drop()


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_existing_clients_get_the_default_contract_and_their_cases_keep_it(tmp_path, backend_name):
    """Migration a7c3e9f1b2d4: every client gets the default terms (70% / 50%) from the day it
    was added, each of its cases is tied to that contract, works start unverified, and the
    queue's expression indexes survive the copy of the case table on SQLite."""
    from tests.conftest import PG_URL, _postgres_database

    if backend_name == "postgresql" and not PG_URL:
        pytest.skip("PostgreSQL only (set CASEAPP_TEST_DATABASE_URL)")
    url, drop = (f"sqlite:///{tmp_path / 'contracts.db'}", None) if backend_name == "sqlite" else _postgres_database()
    try:
        schema.upgrade(url, "f2c9d8e4a6b1")
        engine = make_engine(url)
        with engine.begin() as c:
            for name in ("Studio", "Agency"):
                c.execute(text("INSERT INTO client (name, kind, country, language, created_at, updated_at, version) "
                               f"VALUES ('{name}', 'photographer', 'DE', 'de', '2026-01-0{1 if name == 'Studio' else 2}', "
                               "'2026-01-01', 1)"))
            c.execute(text("INSERT INTO party (name, kind, site, country, language, created_at, updated_at, version) "
                           "VALUES ('Shop GmbH', 'company', 'shop.example', 'DE', 'de', '2026-01-01', '2026-01-01', 1)"))
            c.execute(text("INSERT INTO work (client_id, title, file_sha256, thumbnail_sha256, width, height, "
                           "created_at, updated_at) VALUES (2, 'Dune', 'a', 'b', 10, 10, '2026-01-01', '2026-01-01')"))
            c.execute(text('INSERT INTO "case" (ref, client_id, party_id, country, stage, currency, claimed_minor, '
                           "stage_changed_at, created_at, updated_at, version, next_due_on, next_step) VALUES ('C-2026-000001', 2, 1, 'DE', "
                           "'new', 'EUR', 100, '2026-01-03', '2026-01-03', '2026-01-03', 1, '2026-01-05', 'Start checks')"))
        schema.upgrade(url)
        with engine.connect() as c:
            contracts = c.execute(text("SELECT id, client_id, share_out_of_court_bp, share_in_court_bp "
                                       "FROM client_contract ORDER BY client_id")).all()
            assert [tuple(r[1:]) for r in contracts] == [(1, 7000, 5000), (2, 7000, 5000)]
            agency_contract = contracts[1][0]
            assert c.execute(text('SELECT contract_id FROM "case"')).scalar_one() == agency_contract
            assert c.execute(text("SELECT status, version FROM work")).one() == ("unverified", 1)
        assert schema.drift(engine) == []
        if backend_name == "sqlite":
            with engine.connect() as c:
                names = set(c.execute(text("SELECT name FROM sqlite_master WHERE type='index' "
                                           "AND tbl_name='case'")).scalars())
            assert {"ix_case_queue_mine", "ix_case_queue_unassigned"} <= names
        schema.downgrade(url, "f2c9d8e4a6b1")
        with engine.connect() as c:
            assert c.execute(text('SELECT ref FROM "case"')).scalar_one() == "C-2026-000001"
        engine.dispose()
    finally:
        if drop:
            drop()


# What a step down drops and the step up cannot know again (what people typed), by migration:
# these columns come back empty. Any other column a migration adds must come back filled where
# it held a value (its backfill), or this test fails.
DROPPED_ON_THE_WAY_DOWN: dict[str, set[str]] = {
    # the clients' postal address, VAT id and signed mandate; the works' provenance, file facts
    # and verification (all entered or uploaded by people; unknown before this migration)
    "a7c3e9f1b2d4": {"client.city", "client.contact_name", "client.mandate_filename", "client.mandate_sha256",
                     "client.mandate_signed_on", "client.postcode", "client.street", "client.vat_id",
                     "work.file_size", "work.first_published_on", "work.first_published_url", "work.phash",
                     "work.publication_country", "work.status_at", "work.status_by", "work.status_reason",
                     # US registrations and pending applications (the filings' showcase fills them)
                     "work.us_applied_on", "work.us_registered_on", "work.us_registration_number"},
    "9e1f0b7d3c52": {"hit.transform"},          # where the copy lies on the work: the engine's answer then
    "c81a4f0e2d95": {"case.claim_lines"},       # the itemised claim as the handler priced it
    # what the address lookup found on the party's site (its numbers, where the address came from,
    # the commercial verdict): unknown before it, found again by looking the site up
    "a5c7e9f1b3d6": {"party.address_checked_at", "party.address_source", "party.address_source_url",
                     "party.commercial", "party.commercial_reasons", "party.commercial_score",
                     "party.register_number", "party.vat_id"},
}


# What a step up fills again with a value of its own (a default, or one derived from other
# columns) rather than the one people chose: the value may differ, it may not be empty.
REFILLED_WITH_A_GUESS: dict[str, set[str]] = {
    # the default terms become each client's contract; legal form, tax status and a work's
    # verification start at their defaults
    "a7c3e9f1b2d4": {"case.contract_id", "client.legal_form", "client.tax_status", "work.status", "work.version"},
    "c1e3a5b7d9f2": {"client.licensing_evidence"},                  # 'none' until someone records it
    "f2c9d8e4a6b1": {"case_item.last_seen_at", "sighting.last_seen_at"},   # the day first seen
}
# Tables a step up fills from another table: table -> (the other table, the column naming it).
BACKFILLED_TABLES = {"client_contract": ("client", "client_id")}


def _table_values(engine) -> dict[str, dict[tuple, dict[str, object]]]:
    """Every row of every table, keyed by its primary key: {table: {key: {column: value}}}."""
    found: dict[str, dict[tuple, dict[str, object]]] = {}
    with engine.connect() as connection:
        inspector = inspect(connection)
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            columns = [c["name"] for c in inspector.get_columns(table)]
            key = inspector.get_pk_constraint(table)["constrained_columns"] or columns
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).mappings()
            found[table] = {tuple(row[k] for k in key): dict(row) for row in rows}
    return found


def _columns(engine) -> set[tuple[str, str]]:
    with engine.connect() as connection:
        inspector = inspect(connection)
        return {(table, c["name"]) for table in inspector.get_table_names() for c in inspector.get_columns(table)}


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_each_migration_down_and_up_again_keeps_every_value(tmp_path, backend_name):
    """On a database full of demo data (cases, hits, letters, payments, payouts), every migration
    is undone (with all those after it) and redone: each value that survived the way down comes
    back unchanged — compared value by value, not by counting rows — and a column the way up
    adds again is never left empty where it held a value (a backfill that writes nulls)."""
    from alembic.script import ScriptDirectory

    from caseapp import create_app
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_db
    from tests.conftest import PG_URL, TODAY, _postgres_database

    if backend_name == "postgresql" and not PG_URL:
        pytest.skip("PostgreSQL only (set CASEAPP_TEST_DATABASE_URL)")
    url, drop = (f"sqlite:///{tmp_path / 'steps.db'}", None) if backend_name == "sqlite" else _postgres_database()
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "CASEAPP_INSTANCE_PATH": str(tmp_path)})
        build_demo_database(app, cases=24, works=4, hits=12, today=TODAY)
        with app.app_context():
            get_db().dispose()
        engine = make_engine(url)
        before = _table_values(engine)
        assert all(before[t] for t in ("case", "hit", "payment", "ledger_entry", "audit_event")), \
            "the demo data must fill the tables the migrations touch"
        revisions = [r.revision for r in ScriptDirectory.from_config(schema.alembic_config(url)).walk_revisions()]
        problems: list[str] = []
        emptied: set[tuple[str, str]] = set()
        refilled: set[tuple[str, str]] = set()
        remade: set[tuple[str, str]] = set()
        for revision, below in zip(revisions, revisions[1:] + ["base"]):
            if below == "base":
                break   # down to nothing keeps nothing: test_downgrade_to_empty_and_back
            schema.downgrade(url, below)
            engine.dispose()
            kept = _columns(engine)
            schema.upgrade(url)
            engine.dispose()
            after = _table_values(engine)
            for table, rows in before.items():
                if not any(t == table for t, _ in kept):
                    if after[table] != rows:
                        remade.add((revision, table))
                    continue
                if set(after[table]) != set(rows):
                    problems.append(f"{revision}: {table} rows {sorted(set(rows) ^ set(after[table]))[:5]} "
                                    "lost or added")
                    continue
                for key, row in rows.items():
                    for column, value in row.items():
                        again = after[table][key].get(column)
                        if (table, column) in kept and again != value:
                            problems.append(f"{revision}: {table}{list(key)}.{column} {value!r} -> {again!r}")
                        elif (table, column) not in kept and value is not None and again is None:
                            emptied.add((revision, f"{table}.{column}"))
                        elif (table, column) not in kept and again != value:
                            refilled.add((revision, f"{table}.{column}"))
            before = after   # the next step down starts from the data as it now is
        assert not problems, "\n".join(problems[:40])
        dropped = {(revision, column) for revision, columns in DROPPED_ON_THE_WAY_DOWN.items() for column in columns}
        assert not emptied - dropped, f"a column the way up should fill is left empty: {sorted(emptied - dropped)}"
        guessed = {(revision, column) for revision, columns in REFILLED_WITH_A_GUESS.items() for column in columns}
        assert not refilled - guessed, f"a column the way up refills differently: {sorted(refilled - guessed)}"
        for revision, table in remade:
            for child, (parent, key) in BACKFILLED_TABLES.items():
                if table == child:
                    assert {r[key] for r in after[child].values()} >= set(k[0] for k in after[parent]), \
                        f"{revision}: {child} was not backfilled for every {parent}"
        assert schema.drift(engine) == []
        engine.dispose()
    finally:
        if drop:
            drop()
