"""`caseapp works`: a client's images, imported from a folder and indexed for matching."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.clients.works_index import store_and_engine
from caseapp.core.cli import (COUNTRY, LOGIN, ROW_ID, Refused, Text, amount_option, currency_option, date_option,
                              report, transaction)

@click.group("works")
def works_group() -> None:
    """Clients' works."""


@works_group.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, readable=True, path_type=Path))
@click.option("--client", "client_id", required=True, type=ROW_ID, help="The client (rights holder) id.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, then a summary object.")
@with_appcontext
def works_import(folder, client_id: int, as_json: bool) -> None:
    """Add every image file in FOLDER as a work of the client, and index it for matching."""
    from tqdm import tqdm

    from caseapp.core.audit import Actor
    from caseapp.clients.works_index import import_entries, import_works

    store, engine = store_and_engine(current_app.config)
    with transaction() as session:
        files = len(import_entries(folder))
        rows = []
        with tqdm(total=files, desc="works", unit="file", file=sys.stderr, disable=None) as bar:
            for row in import_works(session, store, engine, Actor.system("works import"), client_id=client_id,
                                    folder=folder):
                rows.append(row)
                report(row, as_json=as_json, label=row["file"])
                bar.update(1)
    engine.save()   # after the works are committed: the index never names a work the database lacks
    summary = {"files": len(rows), "added": sum(r["status"] == "added" for r in rows),
               "errors": sum(r["status"] == "error" for r in rows),
               "skipped": sum(r["status"] == "skipped" for r in rows)}
    click.echo(json.dumps({"summary": summary}) if as_json else
               f"Added {summary['added']} works; {summary['errors']} unreadable, {summary['skipped']} skipped.")



def _person(login: str | None, default: str):
    """The actor: the user `--as` names (who decided), else the command itself."""
    from caseapp.core.audit import Actor

    if not login:
        return Actor.system(default)
    user = current_app.appbuilder.sm.find_user(username=login)
    if user is None:
        raise Refused(f"--as: there is no user {login}; `caseapp users create` adds one.")
    return Actor.of(user)


def _ownership_config() -> dict:
    from caseapp.core.filestore import FileStore

    config = current_app.config
    return {"store": FileStore(config["CASEAPP_FILESTORE_PATH"]), "agency_sites": config["CASEAPP_STOCK_AGENCY_SITES"]}


def _show(work_id: int, as_json: bool) -> None:
    from caseapp.clients import ownership

    with transaction() as session:
        record = ownership.work_record(session, ownership.get_work(session, work_id), **_ownership_config())
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    status = record["status"]
    click.echo(f"Work {record['id']} {record['title']!r} of {record['client']['name']} "
               f"({record['width']}x{record['height']})")
    click.echo(f"Status: {status['label']}" + (f" by {status['by']} at {status['at']}" if status["by"] else "")
               + (f"\n  {status['reason']}" if status["reason"] else ""))
    click.echo("Evidence:")
    for key, value in record["evidence"].items():
        if value not in (None, []):
            click.echo(f"  {key.replace('_', ' ')}: {', '.join(value) if isinstance(value, list) else value}")
    for sale in record["sales"]:
        click.echo(f"Sale {sale['sold_on']} to {sale['licensee']} ({sale['usage']}): {sale['price']} {sale['currency']}")
    for c in record["conflicts"]:
        click.echo(f"Conflict {c['id']} with work {c['other_work']} of {c['other_client']} (score {c['score']}): "
                   + (f"resolved, {c['resolution']}" if c["resolved_at"] else "open"))
    click.echo("Checks:")
    for check in record["checks"]:
        click.echo(f"  [{check['outcome']}] {check['title']}: {check['reason']}")


@works_group.command("show")
@click.argument("work_id", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True, help="The work as one JSON object.")
@with_appcontext
def works_show(work_id: int, as_json: bool) -> None:
    """A work: its status (by whom, when, why), evidence, licence sales, conflicts and every check."""
    _show(work_id, as_json)


@works_group.command("evidence")
@click.argument("work_id", type=ROW_ID)
@click.option("--published-url", type=Text(2000), help="Where the work was published first (https://...).")
@date_option("--published-on", help="When it was published first.")
@click.option("--country", type=COUNTRY, help="Country of first publication (ISO code; US makes it a US work).")
@click.option("--us-registration", type=Text(30), help="US Copyright Office number, e.g. 'VA 2-123-456'.")
@date_option("--us-registered-on", help="The registration's effective date.")
@date_option("--us-applied-on", help="A pending US application's date.")
@click.option("--agency", "agencies", multiple=True, type=Text(200), help="An agency that sells it (repeat).")
@click.option("--original", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
              help="The original or RAW file, kept as evidence.")
@click.option("--as", "login", type=LOGIN, help="Who records it (a user's login).")
@with_appcontext
def works_evidence(work_id, published_url, published_on, country, us_registration, us_registered_on,
                   us_applied_on, agencies, original, login) -> None:
    """Record a work's ownership evidence (only the options given change)."""
    from caseapp.clients import ownership
    from caseapp.core.clock import today
    from caseapp.core.paths import read_bytes

    values = {"first_published_url": published_url, "first_published_on": published_on,
              "publication_country": country, "us_registration_number": us_registration,
              "us_registered_on": us_registered_on, "us_applied_on": us_applied_on,
              "agencies": "\n".join(agencies) if agencies else None}
    if all(v is None for v in values.values()) and original is None:
        raise Refused("Give some evidence: --published-url, --country, --us-registration, --agency, --original ...")
    actor = _person(login, "works evidence")
    with transaction() as session:
        work = ownership.get_work(session, work_id)
        changes = ownership.record_evidence(session, actor, work, today=today(), seen_version=None, **values)
        if original is not None:
            ownership.add_original(session, _ownership_config()["store"], actor, work,
                                   data=read_bytes(original), filename=original.name, seen_version=None,
                                   max_bytes=current_app.config["CASEAPP_ORIGINAL_MAX_BYTES"])
            changes["original"] = original.name
    click.echo(f"Work {work_id}: " + (", ".join(changes) + " recorded." if changes else "nothing changed."))


@works_group.command("sale")
@click.argument("work_id", type=ROW_ID)
@date_option("--on", "sold_on", required=True, help="The day the licence was sold.")
@click.option("--licensee", required=True, type=Text(200), help="Who bought the licence.")
@click.option("--usage", required=True, type=Text(300), help="What for (e.g. 'web, commercial, 1 year').")
@currency_option("--currency", required=True, help="The price's currency (ISO 4217).")
@amount_option("--price", required=True, help="The price paid, e.g. 120.00.")
@click.option("--as", "login", type=LOGIN, help="Who records it (a user's login).")
@with_appcontext
def works_sale(work_id, sold_on, licensee, usage, currency, price, login) -> None:
    """Record a licence the client sold for the work (evidence, and the claim's documented fee)."""
    from caseapp.clients import ownership
    from caseapp.core.clock import today

    actor = _person(login, "works sale")
    with transaction() as session:
        sale = ownership.add_sale(session, actor, ownership.get_work(session, work_id), sold_on=sold_on,
                                  licensee=licensee, usage=usage, price=price, today=today())
    click.echo(f"Sale {sale.id} recorded for work {work_id}: {price} to {licensee}.")


@works_group.command("verify")
@click.argument("work_id", type=ROW_ID)
@click.option("--evidence", required=True, type=Text(2000), help="What proves the client owns it.")
@click.option("--despite", type=Text(2000), help="Why a problem a check finds does not stand.")
@click.option("--as", "login", required=True, type=LOGIN, help="Who verifies (a user's login).")
@with_appcontext
def works_verify(work_id, evidence, despite, login) -> None:
    """Mark a work verified, on the evidence named."""
    from caseapp.clients import ownership

    actor = _person(login, "works verify")
    with transaction() as session:
        ownership.verify(session, actor, ownership.get_work(session, work_id), evidence=evidence, despite=despite,
                         seen_version=None, **_ownership_config())
    click.echo(f"Work {work_id} is verified by {actor.name}.")


@works_group.command("dispute")
@click.argument("work_id", type=ROW_ID)
@click.option("--reason", required=True, type=Text(2000), help="Why its ownership is in doubt.")
@click.option("--as", "login", type=LOGIN, help="Who disputes it (a user's login).")
@with_appcontext
def works_dispute(work_id, reason, login) -> None:
    """Mark a work disputed: its cases cannot leave the checks stage."""
    from caseapp.clients import ownership

    actor = _person(login, "works dispute")
    with transaction() as session:
        ownership.dispute(session, actor, ownership.get_work(session, work_id), reason=reason, seen_version=None)
    click.echo(f"Work {work_id} is disputed.")


@works_group.command("resolve")
@click.argument("conflict_id", type=ROW_ID)
@click.option("--owner", "owner_work_id", required=True, type=ROW_ID, help="The work whose client owns the image.")
@click.option("--reason", required=True, type=Text(2000), help="Why it is theirs.")
@click.option("--as", "login", type=LOGIN, help="Who decides (a user's login).")
@with_appcontext
def works_resolve(conflict_id, owner_work_id, reason, login) -> None:
    """Decide a conflict between two clients' works: the owner's is verified, the other stays disputed."""
    from caseapp.clients import ownership

    actor = _person(login, "works resolve")
    with transaction() as session:
        ownership.resolve_conflict(session, actor, conflict_id, owner_work_id=owner_work_id, reason=reason)
    click.echo(f"Conflict {conflict_id} resolved for work {owner_work_id}.")


COMMANDS = (works_group,)
