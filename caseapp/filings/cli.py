"""`caseapp filings`: which court routes are open to a case (and why the others are not), and the
filing of an open route written to a folder (and stored on the case)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from caseapp.core.cli import LOGIN, Refused, Text, acting_user, date_option, refusals, session, transaction

REF = Text(20, r"[A-Za-z0-9-]{1,20}", "a case reference such as C-2026-000123")
ROUTE = Text(40, r"[a-z0-9-]{1,40}", "a route id such as mahnverfahren (see `caseapp filings routes`)")


class RouteClosedError(click.ClickException):
    """A closed route: 'Error: <route> is closed for this case: <every reason>', exit status 1."""

    exit_code = 1


def _today(value):
    from caseapp.core.clock import today

    return value or today()


def _store():
    from flask import current_app

    from caseapp.core.filestore import FileStore

    return FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])


@click.group("filings")
def filings_group() -> None:
    """Court filings: the routes open to a case, and rendering a route's filing."""


@filings_group.command("routes")
@click.option("--case", "ref", required=True, type=REF, help="The case reference, e.g. C-2026-000123.")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of {route, name, open, reasons, missing, limit}.")
@date_option("--today", help="The day the routes are checked on (default: today).")
@with_appcontext
def routes_command(ref, as_json, today) -> None:
    """Every route of the case's country (and the party's region): open, or closed with the reasons."""
    from caseapp.cases.services import load_case_file
    from caseapp.core.formatting import money
    from caseapp.filings import services

    with refusals():
        case = load_case_file(session(), ref)
        checks = services.route_checks(session(), case, today=_today(today))
    if as_json:
        click.echo(json.dumps([c.as_dict() for c in checks], ensure_ascii=False, indent=2))
        return
    if not checks:
        click.echo(f"{case.ref}: no routes are known for {case.country}.")
    for check in checks:
        click.echo(f"{check.route}: {'open' if check.open else 'closed'} — {check.name}"
                   + (f" (up to {money(check.limit)})" if check.limit else ""))
        for reason in check.reasons + check.notes:
            click.echo(f"  - {reason}")


@filings_group.command("render")
@click.option("--case", "ref", required=True, type=REF, help="The case reference, e.g. C-2026-000123.")
@click.option("--route", "route_id", required=True, type=ROUTE, help="The route's id (caseapp filings routes).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder the files are written to (made if its parent exists).")
@click.option("--user", "login", type=LOGIN,
              help="The lawyer generating it (Filing write); default: the command line itself.")
@date_option("--today", help="The filing's date (default: today).")
@with_appcontext
def render_command(ref, route_id, out, login, today) -> None:
    """Render the route's filing into --out and store it on the case (files in the file store, their
    SHA-256 on the case, audited). A closed route writes nothing: exit status 1 and one line saying
    what is missing or which limit the claim is over."""
    from caseapp.cases.services import load_case_file
    from caseapp.filings import FILING, services

    actor = acting_user(login, option="--user", may=("write", FILING), default="filings render")
    if not str(out).strip() or str(out) == ".":
        raise Refused("--out: give the folder the files are written to.")
    if out.exists() and not out.is_dir():
        raise Refused(f"--out: {out} is a file; give a folder.")
    if not out.exists() and not out.parent.is_dir():
        raise Refused(f"--out: {out.parent} does not exist; give a folder that exists or one to make inside an "
                      "existing folder (nothing was written).")
    with transaction() as current:
        case = load_case_file(current, ref)
        try:
            filing = services.generate(current, actor, case, route_id, store=_store(), today=_today(today))
        except services.RouteClosed as closed:
            raise RouteClosedError(str(closed)) from None
        files = [(f.name, f.file_sha256) for f in filing.files]
        route, language = filing.route_id, filing.language
    store = _store()
    try:
        out.mkdir(exist_ok=True)   # one new folder at most, inside one that exists
        for name, sha in files:
            (out / name).write_bytes(store.read(sha))
    except OSError as error:
        raise Refused(f"--out: cannot write into {out}: {error.strerror}.") from None
    click.echo(f"{ref}: {route} in {language}, stored on the case")
    for name, sha in files:
        click.echo(f"{out / name}  sha256 {sha}")


COMMANDS = (filings_group,)
