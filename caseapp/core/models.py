"""Model base and mixins shared by every domain.

All tables, FAB's security tables and ours, live on one metadata (FAB's
`Model`), which Alembic owns: see migrations/.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone

from flask_appbuilder import Model
from sqlalchemy import DateTime, Integer, MetaData
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

# Constraint names are predictable, so migrations can name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = Model.metadata
metadata.naming_convention = NAMING_CONVENTION


# How far the clock is set off real time (the demo runs on its own "today"): see `clock_set_to`.
_OFFSET: ContextVar[timedelta] = ContextVar("caseapp_clock_offset", default=timedelta(0))


def utcnow() -> datetime:
    return datetime.now(timezone.utc) + _OFFSET.get()


@contextmanager
def clock_set_to(moment: datetime):
    """Inside the block `utcnow()` starts at `moment` and runs on, so that what a job writes
    (created_at, audit events) is dated in its own day: the demo built for a past "today"
    records nothing after that day."""
    token = _OFFSET.set(moment - datetime.now(timezone.utc))
    try:
        yield
    finally:
        _OFFSET.reset(token)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC timestamps")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class VersionedMixin:
    """Rows that people edit carry a version counter. SQLAlchemy refuses a
    concurrent flush (StaleDataError); services compare the version the user
    saw with `check_version` and refuse a stale edit with a message."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}


__all__ = ["Model", "metadata", "utcnow", "UTCDateTime", "TimestampMixin", "VersionedMixin"]
