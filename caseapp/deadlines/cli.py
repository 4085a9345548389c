"""`caseapp deadline`: when a period of days ends under a country's rules."""
from __future__ import annotations

import click

from caseapp.core.cli import COUNTRY, SUBDIVISION, WholeNumber, date_option, refusals


@click.command("deadline")
@click.option("--country", required=True, type=COUNTRY, help="ISO country code of the party, e.g. DE.")
@click.option("--subdivision", type=SUBDIVISION, default=None,
              help="State or region (its public holidays), e.g. NW; default: the country file's.")
@date_option("--from", "start", required=True, help="The day of the event (a letter sent), YYYY-MM-DD.")
@click.option("--days", required=True, type=WholeNumber(0, 3650), help="The period in days, e.g. 14.")
@click.option("--explain", is_flag=True, help="Say why: the rule, each day the end moved past.")
def deadline_command(country, subdivision, start, days, explain) -> None:
    """Print the last day of a letter's deadline (YYYY-MM-DD) under the country's rules."""
    from caseapp.deadlines.services import deadline

    with refusals():
        result = deadline(country, start=start, days=days, subdivision=subdivision)
    click.echo(result.due_on.isoformat())
    if explain:
        for reason in result.reasons:
            click.echo(f"  {reason}")
        if result.moved_by:
            click.echo(f"  moved by: {', '.join(result.moved_by)}")


COMMANDS = (deadline_command,)
