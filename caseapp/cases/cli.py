"""`caseapp cases`: list cases."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from caseapp.core.cli import COUNTRY, Text, WholeNumber, refusals, session

# --- cases ----------------------------------------------------------------------------------

@click.group("cases")
def cases_group() -> None:
    """Cases."""


@cases_group.command("list")
@click.option("--stage", type=Text(40), help="Only cases in this stage.")
@click.option("--country", type=COUNTRY, help="Only cases in this country (ISO code, e.g. DE).")
@click.option("--limit", type=WholeNumber(1, 10_000_000), default=None, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per case, one per line.")
@with_appcontext
def cases_list(stage, country, limit, as_json) -> None:
    """List cases."""
    from caseapp.cases import services

    with refusals():
        cases = services.list_cases(session(), stage=stage, country=country, limit=limit)
        for case in cases:
            if as_json:
                click.echo(json.dumps({
                    "ref": case.ref, "stage": case.stage, "country": case.country,
                    "client": case.client.name, "party": case.party.name,
                    "claimed": case.claimed.amount_text(), "currency": case.currency,
                    "next_due_on": case.next_due_on.isoformat() if case.next_due_on else None,
                    "closure_reason": case.closure_reason,
                }, ensure_ascii=False))
            else:
                click.echo(f"{case.ref}  {case.stage:<13} {case.country}  {case.claimed.format():>12}  "
                           f"{case.party.name}  ({case.client.name})")



COMMANDS = (cases_group,)
