"""The `caseapp` command. Every command acts on the database that
CASEAPP_DATABASE_URL names (default: the SQLite file under instance/)."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from caseapp import create_app
from caseapp.core.cli import Refused, Text, WholeNumber, session
from caseapp.domains import cli_commands

class CaseappGroup(FlaskGroup):
    """Flask's group without the commands installed packages plug in (FAB's `fab`: create-db makes
    tables outside the migrations, create-admin, create-user and reset-password change people
    outside the permission matrix and the audit trail; Flask-Limiter's `limiter`): `caseapp` offers
    its own commands only, each one checked with hostile input (tests/test_cli_hostile.py)."""

    def _load_plugin_commands(self) -> None:
        self._loaded_plugin_commands = True


@click.group(cls=CaseappGroup, create_app=lambda: create_app(), add_default_commands=False,
             add_version_option=False)
def main() -> None:
    """caseapp: the back office of an image-copyright enforcement firm."""


# --- serve -------------------------------------------------------------------------------

@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, type=Text(253), help="The address to listen on.")
@click.option("--port", default=5000, show_default=True, type=WholeNumber(1, 65535))
@click.option("--workers", default=None, type=WholeNumber(1, 64),
              help="Serve with gunicorn in this many worker processes (production; JSON logs unless "
                   "CASEAPP_LOG_FORMAT says otherwise). Without it: the development server.")
@click.option("--threads", default=1, show_default=True, type=WholeNumber(1, 64),
              help="With --workers: threads a worker serves requests on.")
@click.option("--timeout", default=60, show_default=True, type=WholeNumber(5, 3600),
              help="With --workers: seconds a request may take before its worker is restarted.")
@click.option("--debug/--no-debug", default=False, help="The development server's debugger (never with --workers).")
@with_appcontext
def serve(host: str, port: int, workers: int | None, threads: int, timeout: int, debug: bool) -> None:
    """Serve the app: the development server (plain http, `make run`), or with --workers N
    gunicorn (caseapp.wsgi:app) behind a TLS reverse proxy (docs/operations.md)."""
    from caseapp.core.schema import current_revision
    from caseapp.extensions import get_db

    if current_revision(get_db().engine) is None:
        raise Refused("The database is empty: run `caseapp db upgrade` first.")
    app = current_app._get_current_object()
    from caseapp.clients.works_index import ensure_saved, store_and_engine

    try:
        ensure_saved(store_and_engine(app.config)[1])   # /health finds an index from the first start
    except ValueError as error:   # another shard count, other feature settings: rebuild, as it says
        raise Refused(f"The matching index cannot be opened: {error} (docs/operations.md, Matching shards).")
    if workers:
        if debug:
            raise Refused("--debug is the development server's: leave it out with --workers.")
        _gunicorn(host, port, workers=workers, threads=threads, timeout=timeout)
        return
    click.echo(f"caseapp on http://{host}:{port}/  (Ctrl+C stops it)")
    from werkzeug.serving import run_simple

    from caseapp.config import plain_http

    plain_http(app.config)   # the development server speaks plain http (unless CASEAPP_HTTPS says a proxy does TLS)
    app.debug = debug
    run_simple(host, port, app, use_reloader=False, use_debugger=debug, threaded=True)


def gunicorn_options(host: str, port: int, *, workers: int, threads: int, timeout: int, json_logs: bool) -> dict:
    """gunicorn's settings for `serve --workers`: our own request log lines (caseapp.core.logs),
    not gunicorn's access log; its own messages as JSON too when the logs are JSON."""
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": timeout,
        "graceful_timeout": 30,
        # Idle keep-alive connections are kept longer than a proxy's or a client's own idle time
        # (nginx upstream and most load balancers: 60 s). With gunicorn's 2 s, a client that
        # reuses a connection the server is closing at that moment gets a reset: the load test's
        # people, clicking every 1-3 s, saw it as failed requests.
        "keepalive": 75,
        "accesslog": None,
        "errorlog": "-",
        "proc_name": "caseapp",
    }
    if json_logs:
        handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        options["logconfig_dict"] = {
            "version": 1, "disable_existing_loggers": False,
            "formatters": {"json": {"()": "caseapp.core.logs.JsonFormatter"}},
            "handlers": {"error_console": handler},
            "root": {"level": "INFO", "handlers": []},
            # gunicorn writes its access line whenever a log configuration is given: off, since
            # caseapp.core.logs writes one a request, without the query values
            "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
                        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False}},
        }
    return options


def _gunicorn(host: str, port: int, *, workers: int, threads: int, timeout: int) -> None:
    """Run gunicorn in this process (its master); each worker builds its own app from
    caseapp.wsgi (no app, database pool or index shared across a fork)."""
    import os

    from gunicorn.app.base import BaseApplication

    os.environ.setdefault("CASEAPP_LOG_FORMAT", "json")   # inherited by the workers
    json_logs = os.environ["CASEAPP_LOG_FORMAT"].lower() == "json"
    if json_logs:
        from caseapp.core.logs import use_json_logs

        use_json_logs()
    from caseapp.extensions import get_db

    get_db().dispose()   # the master's connections are not carried into the workers
    options = gunicorn_options(host, port, workers=workers, threads=threads, timeout=timeout, json_logs=json_logs)

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from caseapp.wsgi import app

            return app

    Server().run()


# --- db -----------------------------------------------------------------------------------

@main.group("db")
def db_group() -> None:
    """The database schema (Alembic migrations)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, type=Text(64),
              help="head, or a revision id of migrations/versions (never a step down).")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or migrate the database, then sync roles and permissions."""
    from caseapp.core import schema

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    from alembic.util import CommandError

    from caseapp.core.errors import InvalidInput
    from caseapp.core.money import shown

    try:
        schema.upgrade(url, revision)
    except (InvalidInput, CommandError) as error:   # checked before any migration runs
        raise Refused(f"--revision {shown(revision)} {error}") from None
    current_app.appbuilder.sm.sync_permissions()
    from caseapp.extensions import get_db

    click.echo(f"Database at {_safe_url(url)} is at revision {schema.current_revision(get_db().engine)}; "
               "roles synced.")


@db_group.command("check")
@with_appcontext
def db_check() -> None:
    """Fail if the models and the migrated database differ."""
    from caseapp.core.schema import drift
    from caseapp.extensions import get_db

    differences = drift(get_db().engine)
    if differences:
        for difference in differences:
            click.echo(f"  {difference}")
        raise Refused("Models and migrations differ: write a migration.")
    click.echo("Models and migrations agree.")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# --- demo -----------------------------------------------------------------------------------

@main.command("demo")
@click.option("--cases", default=400, show_default=True, type=WholeNumber(1, 2_000_000))
@click.option("--works", default=40, show_default=True, type=WholeNumber(1, 10_000))
@click.option("--hits", default=150, show_default=True, type=WholeNumber(0, 100_000),
              help="Undecided hits to triage (copies of the works on demo sites).")
@click.option("--seed", default=2026, show_default=True, type=WholeNumber(0, 2**31 - 1))
@click.option("--if-empty", is_flag=True, help="Only load when there are no cases yet.")
@with_appcontext
def demo(cases: int, works: int, hits: int, seed: int, if_empty: bool) -> None:
    """Load demo data: users (one per role), clients, works, parties, cases in every stage, hits."""
    from tqdm import tqdm

    from caseapp.cases.services import count_cases
    from caseapp.core.clock import today
    from caseapp.demo.setup import add_demo_users, load_demo_cases

    try:
        created = add_demo_users(current_app)
    except LookupError as error:
        raise Refused(str(error)) from None
    existing = count_cases(session())
    if if_empty and existing:
        click.echo(f"Demo data already there ({existing} cases); nothing loaded.")
    else:
        with tqdm(total=cases, desc="demo cases", unit="case", file=sys.stderr, disable=None) as bar:
            summary = load_demo_cases(current_app, cases=cases, works=works, hits=hits, seed=seed,
                                      today=today(), progress=bar.update)
        showcase = (f" (and {summary.showcase} showcase cases with the lawyer, one for each court route)"
                    if summary.showcase else "")
        click.echo(f"Loaded {summary.cases} cases{showcase}, {summary.parties} parties, "
                   f"{summary.works} works of {summary.clients} clients, {summary.hits} hits to triage.")
    from caseapp.demo.setup import DEMO_USERS, demo_password

    click.echo("\nDemo logins (user / password):")
    for login, role, _first, _last in DEMO_USERS:
        mark = " (new)" if login in created else ""
        click.echo(f"  {login:<11} {demo_password(login):<16} {role}{mark}")



for _command in cli_commands():   # each domain's commands (caseapp/<domain>/cli.py)
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
