"""`caseapp cases`: list cases, reopen a closed one; `caseapp escalate`: the daily escalation."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from caseapp.cases.lifecycle import REOPEN_REASON_MAX
from caseapp.core.cli import (COUNTRY, LOGIN, Text, WholeNumber, acting_user, date_option, refusals, session,
                              transaction)

REF = Text(20, r"[A-Za-z0-9-]{1,20}", "a case reference such as C-2026-000123")

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



@cases_group.command("reopen")
@click.argument("ref", type=REF)
@click.option("--reason", required=True, type=Text(REOPEN_REASON_MAX),
              help=f"Why the case goes on (required, at most {REOPEN_REASON_MAX:,} characters; it goes on the audit trail).")
@click.option("--user", "login", required=True, type=LOGIN,
              help="The person reopening it (their role must allow reopening: Case can_reopen).")
@date_option("--today", default=None, help="Count the new due date from this day (default: today in the firm's time zone).")
@with_appcontext
def cases_reopen(ref, reason, login, today) -> None:
    """Reopen closed case REF: it returns to the stage it was closed from, with its next step
    and a new due date; the closure reason is cleared."""
    from caseapp.cases import CASE, lifecycle, services
    from caseapp.core.clock import today as clock_today

    actor = acting_user(login, option="--user", may=("reopen", CASE), who="a handler, a lawyer or an admin")
    with transaction() as current:
        case = services.reopen_case(current, actor, services.get_case(current, ref), reason=reason,
                                    today=today or clock_today())
        click.echo(f"{case.ref} reopened: back to {lifecycle.STAGE_LABELS[case.stage]}; next: {case.next_step}, "
                   f"due {case.next_due_on.isoformat()}.")


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
