"""Alembic environment: the whole schema (FAB's security tables and ours)."""
from __future__ import annotations

from alembic import context

import caseapp.models  # noqa: F401  (every model on the metadata)
from caseapp.core.models import metadata
from caseapp.extensions import make_engine

config = context.config
target_metadata = metadata


def render_item(type_, obj, autogen_context):
    """Autogenerate writes our column types as plain SQLAlchemy types, so that a migration
    never imports application code (it must keep working when the application changes)."""
    from caseapp.core.models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    # SQLite rebuilds a table to alter it (batch mode: copy, DROP, rename). With foreign keys
    # enforced, the DROP would first delete every row that refers to it (ON DELETE CASCADE:
    # case items, decision records...). So they are off while migrating (the pragma only
    # works outside a transaction, hence the driver's connection), checked, then on again.
    if sqlite and not connection.in_transaction():
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=sqlite, compare_type=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"The migration left rows pointing nowhere (table, row, parent): {broken[:5]}")
    if sqlite and not connection.in_transaction():
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
