"""`caseapp cases`: list cases."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from caseapp.core.cli import COUNTRY, Text, WholeNumber, date_option, refusals, session, transaction

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



@click.command("escalate")
@date_option("--today", default=None, help="Escalate as of this day (default: today in the firm's time zone).")
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per case, one per line.")
@with_appcontext
def escalate_command(today, dry_run, as_json) -> None:
    """The daily escalation: move the cases whose deadline passed, with the next letter.

    Run it once a day (cron: `caseapp escalate`); a second run on the same day changes nothing."""
    from caseapp.cases.escalation import escalate
    from caseapp.core.audit import Actor
    from caseapp.core.clock import today as clock_today

    with transaction() as current:
        steps = escalate(current, Actor.system("escalation"), today=today or clock_today(), dry_run=dry_run)
    for step in steps:
        click.echo(json.dumps(step.as_dict(), ensure_ascii=False) if as_json else str(step))
    if not as_json:
        changed = sum(step.changed for step in steps)
        click.echo(f"{changed} case(s) {'would be ' if dry_run else ''}escalated"
                   + (f", {len(steps) - changed} left as they are." if len(steps) > changed else "."))


COMMANDS = (cases_group, escalate_command)
