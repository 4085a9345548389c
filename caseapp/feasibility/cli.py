"""`caseapp feasibility`: assess a claim, price it, check and document the country rules."""
from __future__ import annotations

import json

import click

from caseapp.core.cli import (COUNTRY, SUBDIVISION, Refused, Text, WholeNumber, amount_option, currency_option,
                              date_option, refusals)

# --- feasibility ------------------------------------------------------------------------------

@click.group("feasibility")
def feasibility_group() -> None:
    """Per-country rules: is a claim feasible, what is it worth."""


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value) if value else None


@feasibility_group.command("assess")
@click.option("--country", required=True, type=COUNTRY, help="ISO country code of the party, e.g. DE.")
@click.option("--subdivision", type=SUBDIVISION, default=None, help="State or region (for holidays), e.g. NW.")
@amount_option("--amount", required=True, help="The amount claimed, e.g. 450.00 (digits, a dot, the currency's "
                                               "decimals; no comma, no sign).")
@currency_option("--currency", required=True, help="ISO currency of the amount, e.g. EUR.")
@click.option("--commercial", type=click.Choice(["yes", "no", "unknown"]), default="unknown", show_default=True)
@click.option("--address", type=click.Choice(["yes", "no", "unknown"]), default="unknown", show_default=True)
@date_option("--infringed-on", required=True, help="First day of the infringement, YYYY-MM-DD.")
@date_option("--known-on", default=None, help="Day the client learned of it and of the party (default: infringed-on).")
@date_option("--last-seen", default=None,
             help="Last day the use was seen online (default: infringed-on, a one-off use); only its days "
                  "still within the limitation count.")
@date_option("--us-registered-on", default=None, help="US Copyright Office registration date, if any.")
@date_option("--us-applied-on", default=None, help="Date a US registration application was filed, if pending.")
@click.option("--work-country", type=COUNTRY, default=None,
              help="Country of the work's first publication (default: the client's).")
@click.option("--client-country", type=COUNTRY, default=None,
              help="Country the client lives in or is established in, e.g. DE.")
@click.option("--private", "pursue_private", type=click.Choice(["pursue", "skip"]), default="skip", show_default=True,
              help="The client's policy on private, non-commercial recipients.")
@click.option("--works", type=WholeNumber(1, 1000), default=1, show_default=True, help="Works in the claim.")
@date_option("--today", default=None, help="Assess as of this day (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
def feasibility_assess(country, subdivision, amount, currency, commercial, address, infringed_on, known_on, last_seen,
                       us_registered_on, us_applied_on, work_country, client_country, pursue_private, works, today,
                       as_json) -> None:
    """Is a claim feasible: every reason, the route, the expected value, the limitation."""
    from caseapp.core.clock import today as clock_today
    from caseapp.feasibility.services import assess

    client_country = client_country.upper() if client_country else None
    with refusals():
        result = assess(country, amount=amount, commercial=_yes_no(commercial),
                        address=_yes_no(address), infringed_on=infringed_on, known_on=known_on, last_seen=last_seen,
                        us_registered_on=us_registered_on, us_applied_on=us_applied_on,
                        work_country=(work_country.upper() if work_country else client_country),
                        client_country=client_country, subdivision=subdivision, works=works,
                        pursue_private=pursue_private == "pursue", today=today or clock_today())
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
@click.option("--country", required=True, type=COUNTRY)
@click.option("--usage", required=True, type=Text(40), help="web-editorial, web-commercial, ecommerce-product, social-media, "
                                             "advertising or print.")
@click.option("--months", type=WholeNumber(1, 1200), help="How long the image was used (months, rounded up).")
@click.option("--days", type=WholeNumber(1, 36600), help="How long the image was used, in days (instead of --months: "
                                                        "a week's use is priced as a week).")
@click.option("--size", type=Text(20), default="medium", show_default=True, help="small, medium or large.")
@click.option("--images", type=WholeNumber(1, 1000), default=1, show_default=True)
@click.option("--evidence", type=click.Choice(("none", "professional", "sales")), default="none", show_default=True,
              help="The photographer's own licensing, as documented: none (what courts award without proof), "
                   "professional (proof of professional work: the fee table), sales (their sales of the work: "
                   "give --fee).")
@click.option("--fee", "documented", type=Text(30, r"[0-9]{1,12}(\.[0-9]{1,2})?", "an amount such as 450.00"),
              help="With --evidence sales: the documented licence fee per image, in EUR.")
@click.option("--credit-missing", is_flag=True, help="The photo credit was missing.")
@click.option("--amateur", is_flag=True, help="The photographer is an amateur (courts' lower rate).")
@click.option("--private", is_flag=True, help="The user is a private person (a non-commercial use).")
@click.option("--registered", type=click.Choice(("yes", "no")), default="no", show_default=True,
              help="US: the work was registered in time for statutory damages (17 U.S.C. § 412).")
@click.option("--flagrant", is_flag=True, help="Watermark or copyright notices were removed (UK: additional damages).")
@click.option("--fault/--no-fault", default=None,
              help="Austria: the infringement was culpable (§ 87(3) UrhG doubles the fee; default: yes, unless "
                   "--private).")
@click.option("--floor-percent", type=WholeNumber(0, 100), default=None,
              help="The client's lowest acceptable share of the total (default 60).")
@click.option("--json", "as_json", is_flag=True)
def feasibility_amount(country, usage, months, days, size, images, evidence, documented, credit_missing, amateur,
                       private, registered, flagrant, fault, floor_percent, as_json) -> None:
    """The amount to claim, line by line, with its total and floor."""
    from caseapp.core.money import Money
    from caseapp.feasibility.services import DEFAULT_FLOOR_PERCENT, claim_amount

    with refusals():
        result = claim_amount(country, usage=usage, months=months, days=days, size=size, images=images,
                              evidence=evidence, documented_fee=Money.parse(documented, "EUR") if documented else None,
                              credit_missing=credit_missing, amateur=amateur, private=private,
                              registered=registered == "yes", flagrant=flagrant, fault=fault,
                              floor_percent=DEFAULT_FLOOR_PERCENT if floor_percent is None else floor_percent)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    for line in result.lines:
        click.echo(f"{line.amount.format():>14}  {line.label}  [{line.basis}]")
    click.echo(f"{result.total.format():>14}  total (floor {result.floor.format()})"
               + ("  · figures are estimates" if result.estimate else ""))
    for note in result.notes:
        click.echo(f"  note: {note}")


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
