"""`caseapp letters`: render a letter to a file; issue and send one on a case."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from caseapp.core.cli import Refused, Text, WholeNumber, date_option, refusals, session, transaction
from caseapp.letters.models import KINDS

AMOUNT = Text(30, r"[0-9]{1,12}(\.[0-9]{1,3})?", "an amount such as 450.00 (a dot before the cents)")
LANG = Text(2, r"[A-Za-z]{2}", "a language code: two letters, e.g. de")
REF = Text(20, r"[A-Za-z0-9-]{1,20}", "a case reference such as C-2026-000123")


def _store():
    from flask import current_app

    from caseapp.core.filestore import FileStore

    return FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])


def _inputs(amount, instalments, first_due, paid, costs) -> dict:
    return {k: v for k, v in {"amount": amount, "instalments": instalments, "first_due": first_due, "paid": paid,
                              "costs": costs}.items() if v is not None}


def _today(value):
    from caseapp.core.clock import today

    return value or today()


def letter_inputs(func):
    for option in reversed([
        click.option("--case", "ref", required=True, type=REF, help="The case reference, e.g. C-2026-000123."),
        click.option("--kind", required=True, type=click.Choice(KINDS), help="The kind of letter."),
        click.option("--lang", type=LANG, help="Write it in this language (default: the recipient's country's)."),
        click.option("--amount", type=AMOUNT, help="Settlement kinds: the agreed amount, e.g. 300.00."),
        click.option("--instalments", type=WholeNumber(1, 60), help="instalment_agreement: how many instalments."),
        date_option("--first-due", help="Settlement kinds: when the (first) payment is due."),
        click.option("--paid", type=AMOUNT, help="payment_receipt: the amount received."),
        click.option("--costs", type=AMOUNT, help="warning_letter: the lawyer's costs claimed."),
        date_option("--today", help="The letter's date (default: today)."),
    ]):
        func = option(func)
    return func


@click.group("letters")
def letters_group() -> None:
    """Letters: render, issue, send."""


@letters_group.command("render")
@letter_inputs
@click.option("--format", "fmt", type=click.Choice(("pdf", "docx", "html")), default="pdf", show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="The file to write.")
@with_appcontext
def render_command(ref, kind, lang, amount, instalments, first_due, paid, costs, today, fmt, out) -> None:
    """Render a letter on a case to a file (nothing is recorded)."""
    from caseapp.cases.services import load_case_file
    from caseapp.letters import services

    with refusals():
        case = load_case_file(session(), ref)
        rendered = services.render_letter(session(), _store(), case, kind, language=lang, fmt=fmt,
                                          today=_today(today), inputs=_inputs(amount, instalments, first_due, paid, costs))
    try:
        with open(out, "wb") as handle:
            handle.write(rendered.data)
    except OSError as error:
        raise Refused(f"--out: cannot write {out}: {error.strerror}.") from None
    click.echo(f"{out}: {kind} in {rendered.language}, {len(rendered.data)} bytes"
               + (f" ({rendered.language_note})" if rendered.language_note else ""))


@letters_group.command("issue")
@letter_inputs
@click.option("--send", "channel", type=click.Choice(("email", "post")), help="Send it at once.")
@with_appcontext
def issue_command(ref, kind, lang, amount, instalments, first_due, paid, costs, today, channel) -> None:
    """Issue a letter on a case (stored, on the timeline); --send email|post sends it too."""
    from caseapp.cases.services import load_case_file
    from caseapp.core.audit import Actor
    from caseapp.letters import services

    with transaction() as current:
        case = load_case_file(current, ref)
        letter = services.issue_letter(current, Actor.system("cli"), case, kind, today=_today(today), language=lang,
                                       channel=channel, inputs=_inputs(amount, instalments, first_due, paid, costs),
                                       store=_store())
        click.echo(f"letter {letter.id}: {kind} in {letter.language}, {letter.status}"
                   + (f" by {letter.channel} to {letter.sent_to}" if letter.channel else ""))


@letters_group.command("send")
@click.option("--letter", "letter_id", required=True, type=WholeNumber(1, 2**31 - 1), help="The letter's id.")
@click.option("--by", "channel", required=True, type=click.Choice(("email", "post")))
@date_option("--today", help="The day it is sent (default: today).")
@with_appcontext
def send_command(letter_id, channel, today) -> None:
    """Send an issued letter by email or mark it posted."""
    from caseapp.core.audit import Actor
    from caseapp.letters import services

    with transaction() as current:
        letter = services.get_letter(current, letter_id)
        services.send_letter(current, Actor.system("cli"), letter, channel=channel, today=_today(today),
                             store=_store())
        click.echo(f"letter {letter.id}: sent by {channel} to {letter.sent_to}")


COMMANDS = (letters_group,)
