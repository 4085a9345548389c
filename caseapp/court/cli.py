"""`caseapp court`: the lawyer's court work from a terminal — record a court case, post a cost
advanced, set a hearing or a court deadline, record the decision and enforcement steps, list the
desk and export the court calendar (.ics). `--user LOGIN` names the lawyer acting, checked against
the permission the page would ask (docs/permissions.md) and audited. Each command is one unit of
work; bad input is refused in one line."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from caseapp.core.cli import LOGIN, Refused, Text, acting_user, date_option, refusals, session, transaction
from caseapp.court import COURT
from caseapp.court.models import COST_KINDS, ENFORCEMENT_KINDS, OUTCOMES

AMOUNT = Text(30, r"[0-9]{1,12}(\.[0-9]{1,3})?", "an amount such as 38.00 (a dot before the cents)")
REF = Text(20, r"[A-Za-z0-9-]{1,20}", "a case reference such as C-2026-000123")
ROUTE = Text(40, r"[a-z0-9-]{1,40}", "a route id such as mahnverfahren or european-small-claims")
NAME = Text(200)
ADDRESS = Text(1000)
FILE_NUMBER = Text(60)
NOTE = Text(2000)
WHEN = Text(40, r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:?[0-9]{2})",
            "a time with its zone such as 2027-01-12T10:00+01:00 (or Z for UTC)")


def _user(login: str):
    """The lawyer acting: an active user whose role holds (Court, write)."""
    return acting_user(login, option="--user", may=("write", COURT), who="a lawyer")


def _today(value=None):
    from caseapp.core.clock import today

    return value or today()


def _money(text: str | None, case, option: str):
    from caseapp.core.errors import InvalidInput
    from caseapp.core.money import Money

    if text is None:
        return None
    try:
        return Money.parse_plain(text, case.currency)
    except InvalidInput as error:
        raise Refused(f"{option} {error}") from None


def _when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace(" ", "T").replace("Z", "+00:00"))
    except ValueError:
        raise Refused(f"--at {text!r} is not a time: write it as 2027-01-12T10:00+01:00.") from None


def _case(s, ref: str):
    from caseapp.cases.services import get_case

    return get_case(s, ref)


@click.group("court")
def court_group() -> None:
    """Court cases: the court, costs advanced, hearings, deadlines, the decision, enforcement; the desk."""


@court_group.command("record")
@click.option("--case", "ref", required=True, type=REF, help="The case reference, e.g. C-2026-000123.")
@click.option("--route", "route_id", type=ROUTE, help="The route of the case's country (jurisdictions/<CC>.toml).")
@click.option("--court", "court_name", type=NAME, help="The court, e.g. Amtsgericht Köln.")
@click.option("--address", "court_address", type=ADDRESS,
              help="The court's postal address; separate its lines with '\\n' or '|'.")
@click.option("--procedure", type=NAME, help="The procedure in your words, e.g. Mahnverfahren.")
@click.option("--file-number", "file_number", type=FILE_NUMBER, help="The court's file number.")
@date_option("--filed-on", "filed_on", help="The day it was filed (moves a case with the lawyer to In court).")
@click.option("--user", "login", required=True, type=LOGIN, help="The lawyer recording it.")
@with_appcontext
def record_command(ref, route_id, court_name, court_address, procedure, file_number, filed_on, login) -> None:
    """Record the case's court case, or correct the current one."""
    from caseapp.court import services

    actor = _user(login)
    address = court_address.replace("\\n", "\n").replace("|", "\n") if court_address else None
    with transaction() as s:
        case = _case(s, ref)
        current = services.court_case_of(s, case.id)
        court_case = services.record_court_case(
            s, actor, case, route_id=route_id if route_id is not None else (current.route_id if current else None),
            court_name=court_name if court_name is not None else (current.court_name if current else None),
            court_address=address if address is not None else (current.court_address if current else None),
            procedure=procedure if procedure is not None else (current.procedure if current else None),
            file_number=file_number if file_number is not None else (current.file_number if current else None),
            filed_on=filed_on if filed_on is not None else (current.filed_on if current else None), today=_today())
        click.echo(f"Court case of {case.ref}: {court_case.court_name or 'court not recorded'}, "
                   f"{court_case.status}; the case is {case.stage}.")


@court_group.command("cost")
@click.option("--case", "ref", required=True, type=REF, help="The case reference.")
@click.option("--kind", required=True, type=click.Choice(COST_KINDS), help="Which cost the firm advanced.")
@click.option("--amount", required=True, type=AMOUNT, help="The amount, in the case's currency.")
@date_option("--paid-on", "paid_on", help="The day it was paid (default: today).")
@click.option("--user", "login", required=True, type=LOGIN, help="The lawyer recording it.")
@with_appcontext
def cost_command(ref, kind, amount, paid_on, login) -> None:
    """Post a cost advanced (court fee, lawyer's fee) to the ledger on the case."""
    from caseapp.court import services

    actor = _user(login)
    with transaction() as s:
        case = _case(s, ref)
        cost = services.record_cost(s, actor, case, kind=kind, amount=_money(amount, case, "--amount"),
                                    paid_on=_today(paid_on), today=_today())
        click.echo(f"{cost.amount} posted as costs advanced on {case.ref}.")


@court_group.command("hearing")
@click.option("--case", "ref", required=True, type=REF, help="The case reference.")
@click.option("--at", "at", required=True, type=WHEN, help="When, with its time zone: 2027-01-12T10:00+01:00.")
@click.option("--where", "place", type=NAME, help="Where: the court room.")
@click.option("--note", type=NOTE, help="A note.")
@click.option("--user", "login", required=True, type=LOGIN, help="The lawyer recording it.")
@with_appcontext
def hearing_command(ref, at, place, note, login) -> None:
    """Add a hearing to the case's court case (and the court calendar)."""
    from caseapp.court import services

    actor = _user(login)
    with transaction() as s:
        hearing = services.add_hearing(s, actor, _case(s, ref), at=_when(at), place=place, note=note)
        click.echo(f"Hearing {hearing.id} on {hearing.at.isoformat()} added to {ref}.")


@court_group.command("deadline")
@click.option("--case", "ref", required=True, type=REF, help="The case reference.")
@date_option("--due-on", "due_on", required=True, help="The day it is due.")
@click.option("--what", required=True, type=NOTE, help="What is due, e.g. reply to the defence.")
@click.option("--user", "login", required=True, type=LOGIN, help="The lawyer recording it.")
@with_appcontext
def deadline_command(ref, due_on, what, login) -> None:
    """Add a court deadline to the case's court case (and the court calendar)."""
    from caseapp.court import services

    actor = _user(login)
    with transaction() as s:
        deadline = services.add_deadline(s, actor, _case(s, ref), due_on=due_on, what=what)
        click.echo(f"Court deadline {deadline.id} on {deadline.due_on.isoformat()} added to {ref}.")


@court_group.command("decision")
@click.option("--case", "ref", required=True, type=REF, help="The case reference.")
@date_option("--on", "decided_on", required=True, help="The day the court decided.")
@click.option("--outcome", required=True, type=click.Choice(OUTCOMES), help="Won, partly won or lost.")
@click.option("--awarded", required=True, type=AMOUNT, help="The amount awarded (0 when lost).")
@click.option("--costs", "costs_awarded", default="0", show_default=True, type=AMOUNT, help="The costs awarded.")
@click.option("--user", "login", required=True, type=LOGIN, help="The lawyer recording it.")
@with_appcontext
def decision_command(ref, decided_on, outcome, awarded, costs_awarded, login) -> None:
    """Record the court's decision (won: the claim becomes what the party now owes)."""
    from caseapp.court import services

    actor = _user(login)
    with transaction() as s:
        case = _case(s, ref)
        services.record_decision(s, actor, case, decided_on=decided_on, outcome=outcome,
                                 awarded=_money(awarded, case, "--awarded"),
                                 costs_awarded=_money(costs_awarded, case, "--costs"), today=_today())
        click.echo(f"Decision on {case.ref} recorded: {outcome}; the claim is {case.claimed}.")


@court_group.command("enforce")
@click.option("--case", "ref", required=True, type=REF, help="The case reference.")
@click.option("--kind", required=True, type=click.Choice(ENFORCEMENT_KINDS), help="The step taken.")
@date_option("--on", "taken_on", help="The day it was taken (default: today).")
@click.option("--note", type=NOTE, help="A note.")
@click.option("--amount", type=AMOUNT, help="What it brought, in the case's currency.")
@click.option("--user", "login", required=True, type=LOGIN, help="The lawyer recording it.")
@with_appcontext
def enforce_command(ref, kind, taken_on, note, amount, login) -> None:
    """Record an enforcement step on a decision won."""
    from caseapp.court import services

    actor = _user(login)
    with transaction() as s:
        case = _case(s, ref)
        services.add_enforcement_step(s, actor, case, taken_on=_today(taken_on), kind=kind, note=note,
                                      amount=_money(amount, case, "--amount"), today=_today())
        click.echo(f"Enforcement step on {case.ref} recorded; the case is {case.stage}.")


@court_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of lines.")
@with_appcontext
def list_command(as_json) -> None:
    """The lawyer's desk: cases with the lawyer, in court and in enforcement, by next court date."""
    from caseapp.court import services

    with refusals():
        rows = services.listing(session(), _today())
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['case']}  {row['stage']:<12} {row['country']}  {row['next'] or '—':<10}  "
                   f"{row['court'] or '—'}  {row['waits_for']}")


@court_group.command("calendar")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The .ics file to write (its folder must exist).")
@date_option("--since", "since", help="From this day (default: today).")
@with_appcontext
def calendar_command(out: Path, since) -> None:
    """Export the court calendar (hearings, court deadlines) as an iCalendar file."""
    from caseapp.court import services

    with refusals():
        entries = services.calendar(session(), since=_today(since))
        data = services.ics(entries)
    try:
        out.write_bytes(data)
    except OSError as error:
        raise Refused(f"--out {out}: cannot write the file ({error.strerror or error}).") from None
    click.echo(f"Wrote {out}: {len(entries)} hearings and court deadlines.")


COMMANDS = [court_group]
