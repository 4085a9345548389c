"""`caseapp parties`: look a site up (who runs it, where, commercial or not), merge duplicate
parties, look up the parties whose address was never checked. `caseapp infringers lookup` is the
same command under the issue's old word (hidden)."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.core.cli import Refused, Text


@click.group("parties")
def parties_group() -> None:
    """Parties: address lookup, commercial check, merging duplicates."""


def fetcher_for(app):
    """The fetcher and the RDAP bootstrap as the app is configured."""
    from caseapp.parties.lookup import rdap
    from caseapp.parties.lookup.pages import Fetcher

    rdap.load_bootstrap(app.config.get("CASEAPP_RDAP_BOOTSTRAP"))
    return Fetcher(private_ok=app.config["CASEAPP_FETCH_PRIVATE"])


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
@with_appcontext
def lookup_command(url: str, as_json: bool) -> None:
    """Look a site up: its legal notice, its schema.org data and its domain registration give
    address candidates (each with its source and confidence); the VAT IDs, register numbers and
    phones found; the commercial verdict with its reasons. Stores nothing."""
    from caseapp.core.errors import InvalidInput
    from caseapp.parties.lookup.chain import lookup

    try:
        found = lookup(url, fetcher=fetcher_for(current_app)).as_dict()
    except InvalidInput as error:
        raise Refused(f"{error}. Nothing was looked up.") from None
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
    else:
        _print_lookup(found)


parties_group.add_command(lookup_command)


@click.group("infringers", hidden=True)
def infringers_group() -> None:
    """The parties' commands under the issue's old word (see `caseapp parties`)."""


infringers_group.add_command(lookup_command)

COMMANDS = [parties_group, infringers_group]
