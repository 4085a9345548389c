"""The `caseapp` command. Every command acts on the database that
CASEAPP_DATABASE_URL names (default: the SQLite file under instance/)."""
from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from caseapp import create_app
from caseapp.core.security import ROLES

@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_default_commands=False,
             add_version_option=False)
def main() -> None:
    """caseapp: the back office of an image-copyright enforcement firm."""


def _session():
    from caseapp.extensions import get_session

    return get_session()


@contextlib.contextmanager
def _refusals():
    """A rule's refusal (DomainError) stops the command with the rule's message."""
    from caseapp.core.errors import DomainError

    try:
        yield
    except DomainError as error:
        raise click.ClickException(str(error)) from None


@contextlib.contextmanager
def _transaction():
    """The session, committed at the end of the block; a refusal rolls everything back and
    stops the command with the rule's message (nothing half-written)."""
    session = _session()
    with _refusals():
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# --- serve -------------------------------------------------------------------------------

@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug/--no-debug", default=False)
@with_appcontext
def serve(host: str, port: int, debug: bool) -> None:
    """Serve the app (development server; put a WSGI server in front in production)."""
    from caseapp.core.schema import current_revision
    from caseapp.extensions import get_db

    if current_revision(get_db().engine) is None:
        raise click.ClickException("The database is empty: run `caseapp db upgrade` first.")
    click.echo(f"caseapp on http://{host}:{port}/  (Ctrl+C stops it)")
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    app.debug = debug
    run_simple(host, port, app, use_reloader=False, use_debugger=debug, threaded=True)


# --- db -----------------------------------------------------------------------------------

@main.group("db")
def db_group() -> None:
    """The database schema (Alembic migrations)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or migrate the database, then sync roles and permissions."""
    from caseapp.core import schema

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    schema.upgrade(url, revision)
    current_app.appbuilder.sm.sync_permissions()
    click.echo(f"Database at {_safe_url(url)} is at revision {revision}; roles synced.")


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
        raise click.ClickException("Models and migrations differ: write a migration.")
    click.echo("Models and migrations agree.")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# --- roles ----------------------------------------------------------------------------------

@main.group("roles")
def roles_group() -> None:
    """Roles and the permission matrix."""


@roles_group.command("sync")
@with_appcontext
def roles_sync() -> None:
    """Make the roles in the database match the permission matrix."""
    current_app.appbuilder.sm.sync_permissions()
    click.echo("Roles synced with the permission matrix.")


@roles_group.command("matrix")
def roles_matrix() -> None:
    """Print the permission matrix as Markdown (docs/permissions.md)."""
    from caseapp.core.security import render_markdown

    click.echo(render_markdown(), nl=False)


# --- users ----------------------------------------------------------------------------------

@main.group("users")
def users_group() -> None:
    """People who log in."""


@users_group.command("create")
@click.argument("login")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.password_option()
@with_appcontext
def users_create(login, role, first_name, last_name, password) -> None:
    """Add a user with one role."""
    try:
        added = current_app.appbuilder.sm.ensure_user(login, role, first_name or login,
                                                      last_name or "-", password)
    except (LookupError, RuntimeError) as error:
        raise click.ClickException(str(error)) from None
    if not added:
        raise click.ClickException(f"User {login} exists already.")
    click.echo(f"User {login} ({role}) created.")


# --- demo -----------------------------------------------------------------------------------

@main.command("demo")
@click.option("--cases", default=400, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--works", default=40, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--hits", default=150, show_default=True, type=click.IntRange(0, 100_000),
              help="Undecided hits to triage (copies of the works on demo sites).")
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--if-empty", is_flag=True, help="Only load when there are no cases yet.")
@with_appcontext
def demo(cases: int, works: int, hits: int, seed: int, if_empty: bool) -> None:
    """Load demo data: users (one per role), clients, works, parties, cases in every stage, hits."""
    from sqlalchemy import func, select
    from tqdm import tqdm

    from caseapp.cases.models import Case
    from caseapp.core.clock import today
    from caseapp.demo.setup import add_demo_users, load_demo_cases

    try:
        created = add_demo_users(current_app)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    existing = _session().scalar(select(func.count()).select_from(Case))
    if if_empty and existing:
        click.echo(f"Demo data already there ({existing} cases); nothing loaded.")
    else:
        with tqdm(total=cases, desc="demo cases", unit="case", file=sys.stderr, disable=None) as bar:
            summary = load_demo_cases(current_app, cases=cases, works=works, hits=hits, seed=seed,
                                      today=today(), progress=bar.update)
        click.echo(f"Loaded {summary.cases} cases, {summary.parties} parties, "
                   f"{summary.works} works of {summary.clients} clients, {summary.hits} hits to triage.")
    from caseapp.demo.setup import DEMO_USERS, demo_password

    click.echo("\nDemo logins (user / password):")
    for login, role, _first, _last in DEMO_USERS:
        mark = " (new)" if login in created else ""
        click.echo(f"  {login:<11} {demo_password(login):<16} {role}{mark}")


# --- cases ----------------------------------------------------------------------------------

@main.group("cases")
def cases_group() -> None:
    """Cases."""


@cases_group.command("list")
@click.option("--stage", help="Only cases in this stage.")
@click.option("--country", help="Only cases in this country (ISO code, e.g. DE).")
@click.option("--limit", type=int, default=None, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per case, one per line.")
@with_appcontext
def cases_list(stage, country, limit, as_json) -> None:
    """List cases."""
    from caseapp.cases import services

    with _refusals():
        cases = services.list_cases(_session(), stage=stage, country=country, limit=limit)
        for case in cases:
            if as_json:
                click.echo(json.dumps({
                    "ref": case.ref, "stage": case.stage, "country": case.country,
                    "client": case.rights_holder.name, "party": case.infringer.name,
                    "claimed": case.claimed.amount_text(), "currency": case.currency,
                    "next_due_on": case.next_due_on.isoformat() if case.next_due_on else None,
                    "closure_reason": case.closure_reason,
                }, ensure_ascii=False))
            else:
                click.echo(f"{case.ref}  {case.stage:<13} {case.country}  {case.claimed.format():>12}  "
                           f"{case.infringer.name}  ({case.rights_holder.name})")


# --- works and hits ------------------------------------------------------------------------

def _store_and_engine():
    from caseapp.core.filestore import FileStore
    from caseapp.hits.services import engine_at

    return FileStore(current_app.config["CASEAPP_FILESTORE_PATH"]), engine_at(current_app.config["CASEAPP_MATCHING_PATH"])


@main.group("works")
def works_group() -> None:
    """Clients' works."""


@works_group.command("import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--client", "client_id", required=True, type=int, help="The client (rights holder) id.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, then a summary object.")
@with_appcontext
def works_import(folder, client_id: int, as_json: bool) -> None:
    """Add every image file in FOLDER as a work of the client, and index it for matching."""
    from tqdm import tqdm

    from caseapp.core.audit import Actor
    from caseapp.hits.services import import_works

    store, engine = _store_and_engine()
    with _transaction() as session:
        files = sum(1 for p in folder.iterdir() if p.is_file()) if folder.is_dir() else 0
        rows = []
        with tqdm(total=files, desc="works", unit="file", file=sys.stderr, disable=None) as bar:
            for row in import_works(session, store, engine, Actor.system("works import"), client_id=client_id,
                                    folder=folder):
                rows.append(row)
                if as_json:
                    click.echo(json.dumps(row, ensure_ascii=False))
                elif row.get("error"):
                    click.echo(f"{row['file']}: {row['error']}", err=True)
                bar.update(1)
    engine.save()   # after the works are committed: the index never names a work the database lacks
    summary = {"files": len(rows), "added": sum(r["status"] == "added" for r in rows),
               "errors": sum(r["status"] == "error" for r in rows),
               "skipped": sum(r["status"] == "skipped" for r in rows)}
    click.echo(json.dumps({"summary": summary}) if as_json else
               f"Added {summary['added']} works; {summary['errors']} unreadable, {summary['skipped']} skipped.")


@main.group("hits")
def hits_group() -> None:
    """Sightings, matches and their triage."""


def _ingest_and_report(sources: list[tuple[str, Path | None, list[tuple[int, str]]]], *, as_json: bool,
                       min_score: float | None, actor_name: str, workers: int) -> None:
    """Ingest numbered lines from each source (name, base folder for image_path, lines);
    one result a line (JSON or errors on stderr), a progress bar, a summary. With workers,
    images are read, fetched and described in that many processes beside this one."""
    from caseapp.hits.services import image_describers

    with image_describers(workers) as pool_map:
        _ingest_sources(sources, as_json=as_json, min_score=min_score, actor_name=actor_name, pool_map=pool_map)


def _ingest_sources(sources, *, as_json: bool, min_score: float | None, actor_name: str, pool_map) -> None:
    from tqdm import tqdm

    from caseapp.core.audit import Actor
    from caseapp.hits.services import ingest, summarise, sync_index

    session = _session()
    store, engine = _store_and_engine()
    sync_index(session, store, engine)
    threshold = current_app.config["CASEAPP_HIT_MIN_SCORE"] if min_score is None else min_score
    rows: list[dict] = []
    with tqdm(total=sum(len(lines) for _, _, lines in sources), desc="sightings", unit="line",
              file=sys.stderr, disable=None) as bar:
        for name, base, lines in sources:
            for row in ingest(session, store, engine, Actor.system(actor_name), lines, base=base, min_score=threshold,
                              pool_map=pool_map, private_ok=current_app.config["CASEAPP_FETCH_PRIVATE"]):
                if len(sources) > 1:
                    row = {"source": name, **row}
                rows.append(row)
                if as_json:
                    click.echo(json.dumps(row, ensure_ascii=False))
                elif row.get("error"):
                    click.echo(f"{name}: {row['error']}", err=True)
                bar.update(1)
                if len(rows) % 500 == 0:
                    session.commit()   # every line is whole on its own (a savepoint each)
    session.commit()
    summary = summarise(rows)
    click.echo(json.dumps({"summary": summary}) if as_json else
               f"Read {summary['read']} sightings: {summary['matched']} matched ({summary['hits_created']} hits), "
               f"{summary['duplicates']} already known, {summary['errors']} errors.")


_JSON_OPTION = click.option("--json", "as_json", is_flag=True,
                            help="One JSON object per input line, then a summary object.")
_MIN_SCORE_OPTION = click.option("--min-score", type=float, default=None,
                                 help="Matches below this score make no hit (default: CASEAPP_HIT_MIN_SCORE).")
_WORKERS_OPTION = click.option("--workers", type=click.IntRange(0, 64),
                               default=max(0, min(8, (os.cpu_count() or 1) - 1)), show_default=True,
                               help="Processes that read, fetch and describe images beside the one that "
                                    "searches and writes (0: all in one process).")


@hits_group.command("ingest")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@_JSON_OPTION
@_MIN_SCORE_OPTION
@_WORKERS_OPTION
@with_appcontext
def hits_ingest(path, as_json: bool, min_score: float | None, workers: int) -> None:
    """Ingest crawler output: a JSON Lines file, or a folder of them (*.jsonl)."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    sources = []
    for file in files:
        with open(file, encoding="utf-8", errors="replace") as handle:
            sources.append((file.name, file.parent, list(enumerate(handle, start=1))))
    _ingest_and_report(sources, as_json=as_json, min_score=min_score, actor_name="hits ingest", workers=workers)


@hits_group.command("fetch")
@click.argument("urls", nargs=-1, required=True)
@_JSON_OPTION
@_MIN_SCORE_OPTION
@_WORKERS_OPTION
@with_appcontext
def hits_fetch(urls: tuple[str, ...], as_json: bool, min_score: float | None, workers: int) -> None:
    """Download web pages, find their images (img, srcset, picture, og:image, linked images)
    and ingest them as sightings."""
    from caseapp.core.errors import InvalidInput
    from caseapp.hits.fetcher import sightings_on

    sources = []
    for url in urls:
        try:
            lines = sightings_on(url, private_ok=current_app.config["CASEAPP_FETCH_PRIVATE"])
        except InvalidInput as error:
            raise click.ClickException(f"{error}. Nothing was ingested.") from None
        if not as_json:
            click.echo(f"{url}: {len(lines)} images found", err=True)
        sources.append((url, None, lines))
    _ingest_and_report(sources, as_json=as_json, min_score=min_score, actor_name="hits fetch", workers=workers)


@hits_group.command("apply-rules")
@click.option("--dry-run", is_flag=True, help="Only say how many undecided hits the rules would change.")
@_MIN_SCORE_OPTION
@with_appcontext
def hits_apply_rules(dry_run: bool, min_score: float | None) -> None:
    """Apply the rules to the undecided hits: whitelisted domains and cleared sites make them
    whitelisted, a score under the minimum no match (each one undoable decision)."""
    from caseapp.core.audit import Actor
    from caseapp.core.clock import today
    from caseapp.hits.services import apply_rules

    session = _session()
    threshold = current_app.config["CASEAPP_HIT_MIN_SCORE"] if min_score is None else min_score
    counts = apply_rules(session, Actor.system("hits apply-rules"), today=today(), min_score=threshold,
                         dry_run=dry_run)
    session.commit()
    verb = "would become" if dry_run else "became"
    click.echo(f"{counts['whitelisted']} undecided hits {verb} whitelisted (whitelists, cleared sites); "
               f"{counts['no_match']} {verb} no match (score under {threshold:.2f}).")


@hits_group.command("whitelist")
@click.argument("domain")
@click.option("--client", "client_id", type=int, default=None, help="Only for this client (default: all).")
@click.option("--dry-run", is_flag=True, help="Only say how many undecided hits the rule would change.")
@with_appcontext
def hits_whitelist(domain: str, client_id: int | None, dry_run: bool) -> None:
    """Whitelist a domain: no hits are made on it, and its undecided hits are whitelisted."""
    from caseapp.core.audit import Actor
    from caseapp.core.clock import today
    from caseapp.hits.services import rule_preview, whitelist_domain

    if dry_run:
        with _refusals():
            count = rule_preview(_session(), domain=domain, client_id=client_id, today=today())
        click.echo(f"{count} undecided hits would be whitelisted.")
        return
    with _transaction() as session:
        decision = whitelist_domain(session, Actor.system("hits whitelist"), domain=domain, client_id=client_id,
                                    today=today())
    click.echo(f"Whitelisted {domain}: {decision.count} hits changed (decision {decision.id}; undo with the "
               "triage page).")


# --- feasibility ------------------------------------------------------------------------------

@main.group("feasibility")
def feasibility_group() -> None:
    """Per-country rules: is a claim feasible, what is it worth."""


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value) if value else None


def _day(value: str | None, name: str):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; use YYYY-MM-DD.", param_hint=name) from None


@feasibility_group.command("assess")
@click.option("--country", required=True, help="ISO country code of the party, e.g. DE.")
@click.option("--subdivision", default=None, help="State or region (for holidays), e.g. NW.")
@click.option("--amount", required=True, help="The amount claimed, e.g. 450.00.")
@click.option("--currency", required=True, help="ISO currency of the amount, e.g. EUR.")
@click.option("--commercial", type=click.Choice(["yes", "no", "unknown"]), default="unknown", show_default=True)
@click.option("--address", type=click.Choice(["yes", "no", "unknown"]), default="unknown", show_default=True)
@click.option("--infringed-on", required=True, help="First day of the infringement, YYYY-MM-DD.")
@click.option("--known-on", default=None, help="Day the client learned of it and of the infringer (default: infringed-on).")
@click.option("--us-registered-on", default=None, help="US Copyright Office registration date, if any.")
@click.option("--works", type=click.IntRange(1, 1000), default=1, show_default=True, help="Works in the claim.")
@click.option("--today", default=None, help="Assess as of this day (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
def feasibility_assess(country, subdivision, amount, currency, commercial, address, infringed_on, known_on,
                       us_registered_on, works, today, as_json) -> None:
    """Is a claim feasible: every reason, the route, the expected value, the limitation."""
    from caseapp.core.clock import today as clock_today
    from caseapp.core.money import Money
    from caseapp.feasibility.services import assess

    with _refusals():
        result = assess(country, amount=Money.parse(amount, currency.upper()), commercial=_yes_no(commercial),
                        address=_yes_no(address), infringed_on=_day(infringed_on, "--infringed-on"),
                        known_on=_day(known_on, "--known-on"),
                        us_registered_on=_day(us_registered_on, "--us-registered-on"), subdivision=subdivision,
                        works=works, today=_day(today, "--today") or clock_today())
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    click.echo(f"{result.country}: {'feasible' if result.feasible else 'NOT feasible'} · route: {result.route_name} · "
               f"expected value {result.expected_value.format()} · limitation ends {result.limitation_ends}")
    for reason in result.reasons:
        click.echo(f"  reason: {reason}")
    for note in result.notes:
        click.echo(f"  note: {note}")
    for figure in result.figures:
        click.echo(f"  {figure.label}: {figure.value} ({'estimate; ' if figure.estimate else ''}{figure.source})")


@feasibility_group.command("amount")
@click.option("--country", required=True)
@click.option("--usage", required=True, help="web-editorial, web-commercial, ecommerce-product, social-media, "
                                             "advertising or print.")
@click.option("--months", type=int, required=True, help="How long the image was used (months, rounded up).")
@click.option("--size", default="medium", show_default=True, help="small, medium or large.")
@click.option("--images", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--credit-missing", is_flag=True, help="The photo credit was missing.")
@click.option("--amateur", is_flag=True, help="The client is an amateur (courts' lower rate).")
@click.option("--floor-percent", type=click.IntRange(0, 100), default=None,
              help="The client's lowest acceptable share of the total (default 60).")
@click.option("--json", "as_json", is_flag=True)
def feasibility_amount(country, usage, months, size, images, credit_missing, amateur, floor_percent, as_json) -> None:
    """The amount to claim, line by line, with its total and floor."""
    from caseapp.feasibility.services import DEFAULT_FLOOR_PERCENT, claim_amount

    with _refusals():
        result = claim_amount(country, usage=usage, months=months, size=size, images=images,
                              credit_missing=credit_missing, amateur=amateur,
                              floor_percent=DEFAULT_FLOOR_PERCENT if floor_percent is None else floor_percent)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    for line in result.lines:
        click.echo(f"{line.amount.format():>14}  {line.label}  [{line.basis}]")
    click.echo(f"{result.total.format():>14}  total (floor {result.floor.format()})"
               + ("  · figures are estimates" if result.estimate else ""))


@feasibility_group.command("check")
def feasibility_check() -> None:
    """Validate every country file and fee table against jurisdictions/schema.json."""
    from caseapp.feasibility.rules import RulesError, load

    try:
        countries, tables = load()
    except RulesError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{len(countries)} countries and {len(tables)} fee tables are valid.")


@feasibility_group.command("docs")
def feasibility_docs() -> None:
    """Print docs/jurisdictions.md, generated from the country files."""
    from caseapp.feasibility.docs import render_markdown

    click.echo(render_markdown(), nl=False)


# --- API tokens -------------------------------------------------------------------------------

@main.group("tokens")
def tokens_group() -> None:
    """API tokens for machines (the crawler)."""


@tokens_group.command("create")
@click.option("--user", "login", required=True, help="The user the token acts as (role Crawler for a crawler).")
@click.option("--name", required=True, help="Who uses the token, e.g. 'crawler eu-1'.")
@with_appcontext
def tokens_create(login: str, name: str) -> None:
    """Issue a token; it is shown once, only its hash is kept."""
    from caseapp.core import tokens
    from caseapp.core.audit import Actor

    user = current_app.appbuilder.sm.find_user(username=login)
    if user is None:
        raise click.ClickException(f"No user {login}: create it first (caseapp users create).")
    with _transaction() as session:
        row, text = tokens.issue(session, Actor.system("tokens create"), name=name, user_id=user.id)
    click.echo(f"Token {row.id} for {login} ({name}); keep it now, it is not shown again:\n{text}")


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def tokens_revoke(token_id: int) -> None:
    """Revoke a token: requests with it are refused from now on."""
    from caseapp.core import tokens
    from caseapp.core.audit import Actor

    with _transaction() as session:
        row = tokens.revoke(session, Actor.system("tokens revoke"), token_id)
    click.echo(f"Token {row.id} ({row.name}) revoked.")


if __name__ == "__main__":  # pragma: no cover
    main()
