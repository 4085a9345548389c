"""`caseapp parties`: look a site up (who runs it, where, commercial or not), merge duplicate
parties, look up the parties whose address was never checked. `caseapp infringers lookup` is the
same command under the issue's old word (hidden)."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.core.cli import LOGIN, ROW_ID, Refused, Text, WholeNumber, acting_user, refusals, transaction


@click.group("parties")
def parties_group() -> None:
    """Parties: address lookup, commercial check, merging duplicates."""


def _print_lookup(found: dict) -> None:
    chosen = found["chosen"]
    click.echo(f"{found['url']}" + (f" → {found['final_url']}" if found["final_url"] != found["url"] else ""))
    if chosen:
        address = ", ".join(str(chosen[k]) for k in ("name", "street", "postal_code", "city", "country") if chosen.get(k))
        click.echo(f"address: {address} (from {chosen['source'].replace('_', ' ')}, {chosen['confidence']}, "
                   f"{chosen.get('source_url') or ''})")
    else:
        click.echo("address: none found")
    for other in found["candidates"]:
        if other is not chosen and other != chosen:
            address = ", ".join(str(other[k]) for k in ("name", "street", "postal_code", "city", "country") if other.get(k))
            click.echo(f"  also: {address} (from {other['source'].replace('_', ' ')}, {other['confidence']})")
    for label, key in (("VAT IDs", "vat_ids"), ("register numbers", "register_numbers"), ("phones", "phones")):
        click.echo(f"{label}: {', '.join(found[key]) or 'none found'}")
    verdict = found["commercial"]
    click.echo(f"commercial: {verdict['verdict']} (score {verdict['score']})")
    for reason in verdict["reasons"]:
        click.echo(f"  {reason['weight']:+d} {reason['signal'].replace('_', ' ')}: {reason['detail']}")


@click.command("lookup")
@click.argument("url", type=Text(2000))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--store", is_flag=True, help="Keep what was found on the site's party (a new party if none): "
                                              "the candidates, the best as its address, the verdict.")
@with_appcontext
def lookup_command(url: str, as_json: bool, store: bool) -> None:
    """Look a site up: its legal notice, its schema.org data and its domain registration give
    address candidates (each with its source and confidence); the VAT IDs, register numbers and
    phones found; the commercial verdict with its reasons. Stores nothing without --store."""
    from caseapp.core.audit import Actor
    from caseapp.core.errors import InvalidInput
    from caseapp.parties.lookup.chain import lookup
    from caseapp.parties.lookup.pages import configured_fetcher

    try:
        result = lookup(url, fetcher=configured_fetcher(current_app.config))
    except InvalidInput as error:
        raise Refused(f"{error}. Nothing was looked up.") from None
    found = result.as_dict()
    if store:
        from caseapp.parties.services import lookup_site

        with transaction() as session:
            party, _ = lookup_site(session, Actor.system("parties lookup"), url, found=result)
            found["party_id"] = party.id
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
    else:
        _print_lookup(found)


parties_group.add_command(lookup_command)


@parties_group.command("lookup-due")
@click.option("--limit", type=WholeNumber(1, 10000), default=100, show_default=True,
              help="At most this many parties in one run.")
@click.option("--dry-run", is_flag=True, help="Only list the parties that are due.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a party.")
@with_appcontext
def lookup_due(limit: int, dry_run: bool, as_json: bool) -> None:
    """Look up the sites of the parties whose address was never checked (daily: `caseapp beat`
    queues it, or cron). Each party on its own: a site that cannot be fetched is one line, and the
    others go on. With a broker (CASEAPP_BROKER_URL) the lookups are queued for the workers."""
    from caseapp.core.audit import Actor
    from caseapp.core.cli import session as current_session
    from caseapp.core.errors import InvalidInput
    from caseapp.core.uow import unit_of_work
    from caseapp.parties import services
    from caseapp.parties.lookup.chain import lookup
    from caseapp.parties.lookup.pages import configured_fetcher

    due = [(p.id, p.site) for p in services.parties_due_lookup(current_session(), limit)]
    from caseapp.core.jobs import broker_configured, enqueue

    if not dry_run and broker_configured(current_app):   # the workers look them up, one task per party
        for party_id, _site in due:
            enqueue(current_app, "parties.lookup_party", party_id)
        click.echo(json.dumps({"queued": [party_id for party_id, _ in due]}) if as_json else
                   f"{len(due)} address lookups queued for the workers (caseapp worker).")
        return
    fetcher, actor, failed = configured_fetcher(current_app.config), Actor.system("parties lookup-due"), 0
    for party_id, site in due:
        row = {"party_id": party_id, "site": site}
        if not dry_run:
            try:
                result = lookup(f"https://{site}/", fetcher=fetcher)
                with refusals(), unit_of_work(current_session()) as session:
                    party, _ = services.lookup_site(session, actor, result.url, party_id=party_id, found=result)
                    row.update(address_source=party.address_source, commercial=party.commercial)
            except InvalidInput as error:
                failed += 1
                row["error"] = str(error)
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        elif row.get("error"):
            click.echo(f"party #{party_id} ({site}): {row['error']}", err=True)
        else:
            click.echo(f"party #{party_id} ({site})" + ("" if dry_run else
                       f": address from {row.get('address_source') or 'nowhere'}, {row.get('commercial')}"))
    if not as_json:
        click.echo(f"{len(due)} parties due" + ("" if dry_run else f", {failed} could not be looked up") + ".",
                   err=True)


IANA_RDAP = "https://data.iana.org/rdap/"
BOOTSTRAP_FILES = {"dns": "dns.json", "asn": "asn.json", "ipv4": "ipv4.json", "ipv6": "ipv6.json",
                   "object": "object-tags.json"}


@parties_group.command("rdap-bootstrap")
@click.option("--source", type=Text(2000), default=IANA_RDAP, show_default=True,
              help="Where IANA's RDAP bootstrap files are (dns.json, asn.json, ipv4.json, ipv6.json, object-tags.json).")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="The file to write (default: CASEAPP_RDAP_BOOTSTRAP).")
@with_appcontext
def rdap_bootstrap(source: str, out: str | None) -> None:
    """Refresh the RDAP bootstrap file the address lookup reads (which registry answers for which
    top-level domain), through the safe fetcher. Written whole or not at all."""
    import os
    import tempfile
    import time
    from pathlib import Path
    from urllib.parse import urljoin

    from caseapp.core.errors import InvalidInput
    from caseapp.core.http import fetch

    target = Path(out or current_app.config["CASEAPP_RDAP_BOOTSTRAP"])
    data: dict = {"timestamp": int(time.time())}
    for kind, name in BOOTSTRAP_FILES.items():
        url = urljoin(source.rstrip("/") + "/", name)
        try:
            body, _ = fetch(url, 5 * 1024 * 1024, private_ok=current_app.config["CASEAPP_FETCH_PRIVATE"])
            data[kind] = json.loads(body)
        except InvalidInput as error:
            raise Refused(f"{error}. The bootstrap file was not changed.") from None
        except ValueError:
            raise Refused(f"{url} is not JSON. The bootstrap file was not changed.") from None
        if not isinstance(data[kind], dict) or not data[kind].get("services"):
            raise Refused(f"{url} lists no services. The bootstrap file was not changed.")
    if not target.parent.is_dir():      # never made up: a typo would scatter folders over the disk
        raise Refused(f"--out: the folder {target.parent} does not exist. The bootstrap file was not written.")
    try:
        with tempfile.NamedTemporaryFile("w", dir=target.parent, delete=False, suffix=".tmp", encoding="utf-8") as tmp:
            json.dump(data, tmp)
        os.replace(tmp.name, target)
    except OSError as error:
        raise Refused(f"cannot write {target}: {error.strerror or error}") from None
    click.echo(f"RDAP bootstrap written to {target}: {len(data['dns']['services'])} groups of top-level domains.")


@parties_group.command("merge")
@click.argument("keep_id", type=ROW_ID)
@click.argument("other_id", type=ROW_ID)
@click.option("--user", "login", required=True, type=LOGIN, help="Who merges (a handler or a lawyer).")
@with_appcontext
def merge(keep_id: int, other_id: int, login: str) -> None:
    """Merge party OTHER_ID into KEEP_ID (they share a VAT ID, register number or address): its
    cases and its site move, it keeps its history and is marked merged."""
    from caseapp.parties import PARTY
    from caseapp.parties.services import merge_parties

    with transaction() as session:
        actor = acting_user(login, option="--user", may=("merge", PARTY), who="a handler or a lawyer")
        keep = merge_parties(session, actor, keep_id, other_id)
        click.echo(f"Party #{other_id} merged into #{keep.id} ({keep.name}).")


@click.group("infringers", hidden=True)
def infringers_group() -> None:
    """The parties' commands under the issue's old word (see `caseapp parties`)."""


infringers_group.add_command(lookup_command)

COMMANDS = [parties_group, infringers_group]
