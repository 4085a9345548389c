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
