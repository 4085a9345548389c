"""The schema is Alembic's: migrations/ builds every table, FAB's included."""
from __future__ import annotations

import warnings

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from caseapp.core.resources import folder

MIGRATIONS = folder("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    check_upgrade_target(revision)
    command.upgrade(alembic_config(url), revision)


def check_upgrade_target(revision: str) -> None:
    """'head', or the id of a migration in migrations/versions (a unique prefix will do). A
    relative step ('-5' is a step down), 'base' and unknown ids are refused before anything runs."""
    import re

    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from caseapp.core.errors import InvalidInput

    if revision == "head":
        return
    found = None
    if re.fullmatch(r"[0-9a-z_]{1,64}", revision) and revision not in ("base", "heads"):
        try:
            found = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision)
        except CommandError:
            found = None
    if found is None:
        raise InvalidInput("is not a migration to upgrade to: use head (the default) or the id of a migration "
                           "in migrations/versions.")


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def drift(engine) -> list:
    """Differences between the models and the migrated database ([] = in step)."""
    import caseapp.models  # noqa: F401
    from caseapp.core.models import metadata

    with engine.connect() as connection, warnings.catch_warnings():
        # Expression indexes (the queue's) cannot be reflected on SQLite;
        # tests/test_migrations.py checks that one by name instead.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, metadata)
