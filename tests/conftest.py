"""Fixtures: an app per database backend (built by running the migrations), a
session per test inside a transaction that is rolled back, logged-in clients
per role, and factories.

The suite runs on SQLite always and on PostgreSQL too when
CASEAPP_TEST_DATABASE_URL names a server (a fresh database is created on it
for the run and dropped afterwards)."""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from caseapp import create_app
from caseapp.core.security import ROLES
from caseapp.demo.setup import DEMO_USERS

PG_URL = os.environ.get("CASEAPP_TEST_DATABASE_URL")
# A folder where the SQLite test database, once built, is kept and copied from by later
# sessions (make mutation sets it: every mutant runs a pytest session of its own, and the
# demo database would otherwise be built again for each). Unset, every session builds it.
TEMPLATE = os.environ.get("CASEAPP_TEST_DB_TEMPLATE")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
TODAY = date(2026, 11, 23)  # a Monday

# The demo users, one (or two) per role: login -> role.
ROLE_USERS = {login: role for login, role, _first, _last in DEMO_USERS}
assert set(ROLE_USERS.values()) == set(ROLES)


def _postgres_database():
    """Create a fresh database on the server; return (url, drop)."""
    server = make_url(PG_URL)
    name = f"caseapp_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright for the whole session: its synchronous API runs an event loop in this thread
    and refuses a second one, so the browser pages (tests/browser) and the captures
    (tests/evidence) launch their Chromium from this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'caseapp.db'}"
        return
    url, drop = _postgres_database()
    yield url
    drop()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The app on a database built by the migrations, with users and a little demo data."""
    from caseapp.demo.setup import build_demo_database

    folder = tmp_path_factory.mktemp("instance")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "tests",
        "CASEAPP_INSTANCE_PATH": str(folder),
        "CASEAPP_FILESTORE_PATH": str(folder / "files"),
        "RATELIMIT_ENABLED": False,   # tests log in often; tests/core/test_sessions.py checks the throttle
        "CASEAPP_CAPTURE_ON_DECIDE": False,   # no Chromium per illegal hit: tests/evidence captures on purpose
        "CASEAPP_LOOKUP_ON_DECIDE": False,    # no site fetched per illegal hit: tests/parties looks up on purpose
        "CASEAPP_MATCHING_COMPACT_AT": 0,     # no compaction thread per deletion: tests/clients/test_compaction.py compacts on purpose
        "CASEAPP_REPORTS_CACHE_SECONDS": 0,   # a kept dashboard would be another test's data: tests/reports keeps them on purpose
    })

    # Tests hold an app context (for the session), so requests share its `g`:
    # forget the logged-in user cached there, as a fresh request would.
    def _fresh_user():
        from flask import g

        g.pop("_login_user", None)
        g.pop("user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_user)
    if not _copy_template(database_url, folder):
        build_demo_database(app, cases=60, works=6, today=TODAY)
        _keep_template(database_url, folder)
    yield app
    from caseapp.extensions import get_db

    with app.app_context():
        get_db().dispose()


def _template_folder() -> str:
    """The kept copy for this code: named by a hash of the migrations, the demo and the code that
    builds it, so a copy made by other code is never used."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted([*root.joinpath("migrations").rglob("*.py"), *root.joinpath("caseapp").rglob("*.py"),
                        Path(__file__)]):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return os.path.join(TEMPLATE, digest.hexdigest()[:16])


def _copy_template(database_url: str, folder) -> bool:
    """Copy the kept SQLite test database and instance folder in place; False if none is kept."""
    if not TEMPLATE or not database_url.startswith("sqlite:///"):
        return False
    kept = _template_folder()
    if not os.path.exists(os.path.join(kept, "caseapp.db")):
        return False
    shutil.copyfile(os.path.join(kept, "caseapp.db"), database_url.removeprefix("sqlite:///"))
    shutil.copytree(os.path.join(kept, "instance"), folder, dirs_exist_ok=True)
    return True


def _keep_template(database_url: str, folder) -> None:
    """Keep a copy: written beside the final place and renamed into it, so a session never
    copies a half-written one (two sessions building at once: the first rename wins)."""
    if not TEMPLATE or not database_url.startswith("sqlite:///"):
        return
    import sqlite3

    kept = _template_folder()
    if os.path.exists(kept):
        return
    draft = f"{kept}.{os.getpid()}.{uuid.uuid4().hex[:6]}"
    os.makedirs(draft)
    source = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    target = sqlite3.connect(os.path.join(draft, "caseapp.db"))
    source.backup(target)   # consistent even with a write-ahead log beside the file
    source.close()
    target.close()
    shutil.copytree(folder, os.path.join(draft, "instance"))
    try:
        os.rename(draft, kept)
    except OSError:   # another session kept one first
        shutil.rmtree(draft, ignore_errors=True)


@pytest.fixture()
def db_session(app):
    """The app's session, bound to a connection whose transaction is rolled
    back after the test: services may commit (a savepoint), nothing stays."""
    from caseapp.extensions import get_db

    with app.app_context():
        db = get_db()
        db.session.remove()
        connection = db.engine.connect()
        # FAB reads session.get_bind().name, which an Engine has and a Connection lacks.
        connection.name = db.engine.name
        outer = connection.begin()
        db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield db.session()
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            db.session.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")


@pytest.fixture()
def users(app, db_session):
    sm = app.appbuilder.sm
    return {login: sm.find_user(username=login) for login in ROLE_USERS}


@pytest.fixture()
def client_as(app, db_session, users):
    """client_as('handler') -> a test client logged in as that user."""

    def make(login: str | None):
        client = app.test_client()
        if login:
            with client.session_transaction() as flask_session:
                flask_session["_user_id"] = str(users[login].id)
                flask_session["_fresh"] = True
                app.appbuilder.sm.begin_web_session(flask_session, users[login])   # as the login page does
        return client

    return make


@pytest.fixture()
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives: `.received` (the
    envelopes) and `.settings` (the app's CASEAPP_SMTP_* values that send through it)."""
    import socket
    from types import SimpleNamespace

    from aiosmtpd.controller import Controller

    received = []

    class Collect:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SimpleNamespace(received=received, settings={
            "CASEAPP_SMTP_HOST": "127.0.0.1", "CASEAPP_SMTP_PORT": port, "CASEAPP_SMTP_SECURITY": "none",
            "CASEAPP_SMTP_FROM": "claims@firm.example"})
    finally:
        controller.stop()


def pytest_collection_modifyitems(config, items):
    """postgres_only tests run only on the PostgreSQL backend."""
    for item in items:
        if item.get_closest_marker("postgres_only") and "[sqlite" in item.nodeid:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only (set CASEAPP_TEST_DATABASE_URL)"))


@pytest.fixture()
def local_fetching(app):
    """Test sites are on 127.0.0.1, which the safe fetcher refuses (core.http): let this app fetch
    from private addresses for the test, and put the setting back after it."""
    before = app.config["CASEAPP_FETCH_PRIVATE"]
    app.config["CASEAPP_FETCH_PRIVATE"] = True
    yield
    app.config["CASEAPP_FETCH_PRIVATE"] = before
