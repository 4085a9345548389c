"""`caseapp feasibility`: assess a claim, price it, check and document the country rules."""
from __future__ import annotations

import json

import click

from caseapp.core.cli import Refused, refusals

# --- feasibility ------------------------------------------------------------------------------

@click.group("feasibility")
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


def _country(value: str | None, name: str) -> str | None:
    """An ISO country code (two letters), or None."""
    if value is None:
        return None
    if not (len(value) == 2 and value.isascii() and value.isalpha()):
        raise click.BadParameter(f"'{value}' is not a country code; use two letters, e.g. DE.", param_hint=name)
    return value.upper()


@feasibility_group.command("assess")
@click.option("--country", required=True, help="ISO country code of the party, e.g. DE.")
@click.option("--subdivision", default=None, help="State or region (for holidays), e.g. NW.")
@click.option("--amount", required=True, help="The amount claimed, e.g. 450.00.")
@click.option("--currency", required=True, help="ISO currency of the amount, e.g. EUR.")
@click.option("--commercial", type=click.Choice(["yes", "no", "unknown"]), default="unknown", show_default=True)
@click.option("--address", type=click.Choice(["yes", "no", "unknown"]), default="unknown", show_default=True)
@click.option("--infringed-on", required=True, help="First day of the infringement, YYYY-MM-DD.")
@click.option("--known-on", default=None, help="Day the client learned of it and of the party (default: infringed-on).")
@click.option("--last-seen", default=None,
              help="Last day the use was seen online (default: infringed-on, a one-off use); only its days "
                   "still within the limitation count.")
@click.option("--us-registered-on", default=None, help="US Copyright Office registration date, if any.")
@click.option("--us-applied-on", default=None, help="Date a US registration application was filed, if pending.")
@click.option("--work-country", default=None, help="Country of the work's first publication (default: the client's).")
@click.option("--client-country", default=None, help="Country the client lives in or is established in, e.g. DE.")
@click.option("--private", "pursue_private", type=click.Choice(["pursue", "skip"]), default="skip", show_default=True,
              help="The client's policy on private, non-commercial recipients.")
@click.option("--works", type=click.IntRange(1, 1000), default=1, show_default=True, help="Works in the claim.")
@click.option("--today", default=None, help="Assess as of this day (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
def feasibility_assess(country, subdivision, amount, currency, commercial, address, infringed_on, known_on, last_seen,
                       us_registered_on, us_applied_on, work_country, client_country, pursue_private, works, today,
                       as_json) -> None:
    """Is a claim feasible: every reason, the route, the expected value, the limitation."""
    from caseapp.core.clock import today as clock_today
    from caseapp.core.money import Money
    from caseapp.feasibility.services import assess

    client_country = _country(client_country, "--client-country")
    with refusals():
        result = assess(country, amount=Money.parse(amount, currency.upper()), commercial=_yes_no(commercial),
                        address=_yes_no(address), infringed_on=_day(infringed_on, "--infringed-on"),
                        known_on=_day(known_on, "--known-on"), last_seen=_day(last_seen, "--last-seen"),
                        us_registered_on=_day(us_registered_on, "--us-registered-on"),
                        us_applied_on=_day(us_applied_on, "--us-applied-on"),
                        work_country=_country(work_country, "--work-country") or client_country,
                        client_country=client_country, subdivision=subdivision, works=works,
                        pursue_private=pursue_private == "pursue",
                        today=_day(today, "--today") or clock_today())
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

    with refusals():
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
        raise Refused(str(error)) from None
    click.echo(f"{len(countries)} countries and {len(tables)} fee tables are valid.")


@feasibility_group.command("docs")
def feasibility_docs() -> None:
    """Print docs/jurisdictions.md, generated from the country files."""
    from caseapp.feasibility.docs import render_markdown

    click.echo(render_markdown(), nl=False)



COMMANDS = (feasibility_group,)
