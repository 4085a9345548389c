"""`caseapp settlements`: offers, acceptance, the settlement and what a case's money looks like,
for the handler who works from a terminal. `--user LOGIN` names the person acting, checked
against the permission the page would ask (docs/permissions.md) and audited."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from caseapp.core.cli import (LOGIN, Refused, Text, acting_user, WholeNumber, ROW_ID, date_option, refusals, session,
                              transaction)
from caseapp.settlements import SETTLEMENT
from caseapp.settlements.models import SIDES

AMOUNT = Text(30, r"[0-9]{1,12}(\.[0-9]{1,3})?", "an amount such as 450.00 (a dot before the cents)")
REF = Text(20, r"[A-Za-z0-9-]{1,20}", "a case reference such as C-2026-000123")
NOTE = Text(2000)
WHO = Text(200)


def _user(login: str, action: str):
    """The person acting (`--user LOGIN`): an active user whose role holds (Settlement, action)."""
    return acting_user(login, option="--user", may=(action, SETTLEMENT))


def _today(value):
    from caseapp.core.clock import today

    return value or today()


def _money(text: str, case):
    from caseapp.core.errors import InvalidInput
    from caseapp.core.money import Money

    try:
        return Money.parse_plain(text, case.currency)
    except InvalidInput as error:
        raise Refused(f"--amount {error}") from None


def _consent(by, how, on):
    from caseapp.settlements.services import Consent

    return Consent.of(by, how, on)


def consent_options(func):
    for option in reversed([
        click.option("--consent-by", type=WHO, help="Below the client's floor: who at the client consented."),
        click.option("--consent-how", type=WHO, help="How they consented (e-mail of 3 May, phone call, ...)."),
        date_option("--consent-on", help="When they consented."),
    ]):
        func = option(func)
    return func


@click.group("settlements")
def settlements_group() -> None:
    """Negotiation and settlement on a case: offers, acceptance, the settlement, instalments."""


@settlements_group.command("offer")
@click.option("--case", "ref", required=True, type=REF, help="The case reference, e.g. C-2026-000123.")
@click.option("--amount", required=True, type=AMOUNT, help="The amount offered, in the case's currency.")
@click.option("--by", "side", type=click.Choice(SIDES), default="recipient", show_default=True,
              help="Who made the offer.")
@click.option("--note", type=NOTE, help="What was said with it.")
@date_option("--on", "made_on", help="The day it was made (default: today).")
@click.option("--user", "login", required=True, type=LOGIN, help="The handler recording it.")
@with_appcontext
def offer_command(ref, amount, side, note, made_on, login) -> None:
    """Record an offer or counter-offer on a case."""
    from caseapp.cases.services import get_case
    from caseapp.settlements import services

    actor = _user(login, "write")
    with transaction() as s:
        case = get_case(s, ref)
        offer = services.make_offer(s, actor, case, side=side, amount=_money(amount, case), note=note,
                                    made_on=_today(made_on))
        floor = services.floor_of(s, case)
        words = "at or above" if floor.allows(offer.amount) else "below"
        click.echo(f"Offer {offer.id} on {case.ref}: {offer.amount} by {services.SIDE_WORDS[side]}, {words} the "
                   f"client's floor of {floor.amount}.")


@settlements_group.command("accept")
@click.option("--case", "ref", required=True, type=REF, help="The case reference.")
@click.option("--offer", "offer_id", required=True, type=ROW_ID, help="The offer to accept.")
@consent_options
@click.option("--user", "login", required=True, type=LOGIN, help="The handler accepting it.")
@with_appcontext
def accept_command(ref, offer_id, consent_by, consent_how, consent_on, login) -> None:
    """Accept an offer: at or above the client's floor, or with the client's recorded consent."""
    from caseapp.cases.services import get_case
    from caseapp.settlements import services

    actor = _user(login, "write")
    with transaction() as s:
        case = get_case(s, ref)
        offer = services.accept_offer(s, actor, case, offer_id, consent=_consent(consent_by, consent_how, consent_on))
        click.echo(f"Offer {offer.id} on {case.ref} accepted: {offer.amount}"
                   + (f" (client's consent: {offer.consent_by}, {offer.consent_how}, {offer.consent_on})"
                      if offer.consent_by else "") + ". Record the settlement next.")


@settlements_group.command("reject")
@click.option("--case", "ref", required=True, type=REF, help="The case reference.")
@click.option("--offer", "offer_id", required=True, type=ROW_ID, help="The offer to reject.")
@click.option("--note", type=NOTE, help="Why.")
@click.option("--user", "login", required=True, type=LOGIN, help="The handler rejecting it.")
@with_appcontext
def reject_command(ref, offer_id, note, login) -> None:
    """Reject an offer."""
    from caseapp.cases.services import get_case
    from caseapp.settlements import services

    actor = _user(login, "write")
    with transaction() as s:
        case = get_case(s, ref)
        offer = services.reject_offer(s, actor, case, offer_id, note=note)
        click.echo(f"Offer {offer.id} on {case.ref} rejected.")


@settlements_group.command("record")
@click.option("--case", "ref", required=True, type=REF, help="The case reference.")
@click.option("--amount", required=True, type=AMOUNT, help="The agreed amount, in the case's currency.")
@click.option("--covers", required=True, type=NOTE, help="What it covers: works, period of use, costs.")
@date_option("--agreed-on", help="The day it was agreed (default: today).")
@click.option("--instalments", type=WholeNumber(1, 60), default=1, show_default=True, help="How many instalments.")
@date_option("--first-due", help="The first instalment's due date (needed with --instalments 2 or more).")
@click.option("--offer", "offer_id", type=ROW_ID, help="The accepted offer it settles on.")
@consent_options
@date_option("--today", help="Today (default: today in the firm's time zone).")
@click.option("--user", "login", required=True, type=LOGIN, help="The handler recording it.")
@with_appcontext
def record_command(ref, amount, covers, agreed_on, instalments, first_due, offer_id, consent_by, consent_how,
                   consent_on, today, login) -> None:
    """Record the settlement agreed on a case (with an instalment plan); the case moves to settled."""
    from caseapp.cases.services import get_case
    from caseapp.settlements import services

    actor = _user(login, "write")
    day = _today(today)
    with transaction() as s:
        case = get_case(s, ref)
        settlement = services.record_settlement(
            s, actor, case, amount=_money(amount, case), covers=covers, agreed_on=agreed_on or day, today=day,
            instalments=instalments, first_due=first_due, offer_id=offer_id,
            consent=_consent(consent_by, consent_how, consent_on))
        click.echo(f"Settlement on {case.ref}: {settlement.amount}" + (" in court" if settlement.in_court else
                                                                       " out of court")
                   + "".join(f"\n  instalment {i.number}: {i.amount} due {i.due_on.isoformat()}"
                             for i in settlement.instalments))


@settlements_group.command("cancel")
@click.option("--case", "ref", required=True, type=REF, help="The case reference.")
@click.option("--reason", required=True, type=NOTE, help="Why (e.g. the second instalment was not paid).")
@click.option("--to", "to_stage", type=click.Choice(("collection", "legal")), default="collection", show_default=True,
              help="Where the case goes: collection or the lawyer.")
@date_option("--today", help="Today (default: today in the firm's time zone).")
@click.option("--user", "login", required=True, type=LOGIN, help="The handler cancelling it.")
@with_appcontext
def cancel_command(ref, reason, to_stage, today, login) -> None:
    """Cancel a case's settlement the recipient stopped keeping to; the case goes to collection or
    the lawyer, and the claim (less what was paid) is due again."""
    from caseapp.cases.services import get_case
    from caseapp.settlements import services

    actor = _user(login, "write")
    with transaction() as s:
        case = get_case(s, ref)
        settlement = services.cancel_settlement(s, actor, case, reason=reason, to_stage=to_stage,
                                                today=_today(today))
        click.echo(f"Settlement {settlement.id} on {case.ref} cancelled; the case is now {case.stage}.")


@settlements_group.command("show")
@click.option("--case", "ref", required=True, type=REF, help="The case reference.")
@date_option("--today", help="Instalment states as of this day (default: today).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: offers, settlement, instalments, money.")
@click.option("--user", "login", required=True, type=LOGIN, help="The person looking (needs Settlement read).")
@with_appcontext
def show_command(ref, today, as_json, login) -> None:
    """Show a case's offers, settlement, instalments and money card."""
    from caseapp.cases.services import get_case
    from caseapp.settlements import services

    _user(login, "read")
    with refusals(), session() as s:
        data = services.show(s, get_case(s, ref), _today(today))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"{data['case']} ({data['stage']}): claimed {data['claimed']} {data['currency']}, client's floor "
               f"{data['floor']} ({data['floor_percent']})")
    for o in data["offers"]:
        click.echo(f"  offer {o['id']}: {o['amount']} by {o['side']} on {o['made_on']} — {o['state']}")
    st = data["settlement"]
    if st:
        click.echo(f"  settlement: {st['amount']} agreed {st['agreed_on']} "
                   f"({'in court' if st['in_court'] else 'out of court'}); covers {st['covers']}")
        for i in st["instalments"]:
            click.echo(f"    instalment {i['number']}: {i['amount']} due {i['due_on']} — {i['state']} "
                       f"(covered {i['covered']})")
    for key, value in data["money"].items():
        click.echo(f"  {key.replace('_', ' ')}: {value if value is not None else '—'}")


COMMANDS = (settlements_group,)
