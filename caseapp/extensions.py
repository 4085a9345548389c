"""The app's shared services: the database (engine + session) and AppBuilder.

Each `create_app()` builds its own; code inside a request or command reaches
them through `get_db()` / `current_app.appbuilder`. Services never import this:
they take a session.
"""
from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for `url`. SQLite gets what it needs to behave like a real
    database: foreign keys, WAL, a busy timeout, and real transactions
    (pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's recipe).

    SQLite transactions start with BEGIN IMMEDIATE: a transaction that read
    first and writes later would otherwise fail at once with "database is
    locked" when another connection wrote in between (busy_timeout cannot help
    there). Writers queue instead; readers in WAL mode are never blocked.

    A statement that fails is reported (and logged) without the values caseapp gave it: they are
    people's names, addresses and bank accounts, which the logs should not keep (docs/personal-data.md;
    the database's own message may still quote a conflicting key, docs/operations.md "Logs")."""
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "timeout": 30}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(url, connect_args=connect_args, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Database:
    """Engine and a scoped session, removed at the end of each app context."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        self.engine = make_engine(url, **engine_kwargs)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.session: scoped_session[Session] = scoped_session(self.session_factory)

    def init_app(self, app: Flask) -> None:
        app.extensions["caseapp_db"] = self

        @app.teardown_appcontext
        def _remove_session(_exc):
            self.session.remove()

    def dispose(self) -> None:
        self.session.remove()
        self.engine.dispose()


def get_db() -> Database:
    return current_app.extensions["caseapp_db"]


def get_session() -> Session:
    return get_db().session()
