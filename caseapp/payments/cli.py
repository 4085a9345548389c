"""`caseapp payments`: import bank statements, assign an unmatched payment, refund an overpayment."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.core.cli import (LOGIN, ROW_ID, Refused, acting_user, Text, amount_option, currency_option, transaction)

CASE_REF = Text(20, r"[Cc]-?[0-9]{4}-?[0-9]{6}", "a case reference like C-2026-000123")


def _accountant(login: str | None, action: str):
    """The person acting (`--user LOGIN`): an active user whose role may `action` payments."""
    from caseapp.payments import PAYMENT

    return acting_user(login, option="--user", may=(action, PAYMENT), who="an accountant")


def _ref(value: str) -> str:
    digits = "".join(c for c in value if c.isdigit())
    return f"C-{digits[:4]}-{digits[4:]}"


@click.group("payments")
def payments_group() -> None:
    """Incoming payments: bank statements, matching to cases, refunds."""


@payments_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--user", "login", type=LOGIN, help="The accountant who imports (default: the system, 'import').")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: file, statements, entries, matched, unmatched, duplicates, errors, results.")
@with_appcontext
def payments_import(file: Path, login: str | None, as_json: bool) -> None:
    """Import a bank statement FILE (camt.053.001.08 or .02 XML, or the CSV layout of
    docs/accountant-guide.md): all of it or, when an entry cannot be read, nothing (one line names it).
    A file or an entry imported before books nothing again."""
    from caseapp.core.audit import Actor
    from caseapp.core.clock import today
    from caseapp.core.filestore import FileStore
    from caseapp.payments import services

    actor = _accountant(login, "write") if login else Actor.system("payments import")
    data = file.read_bytes()
    store = FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])
    try:
        with transaction() as session:
            result = services.import_statement(session, store, actor, data, filename=file.name, today=today())
            summary = result.as_dict()
    except Refused as error:
        if as_json:
            click.echo(json.dumps({"file": file.name, "errors": 1, "error": error.message, "entries": 0,
                                   "matched": 0, "unmatched": 0, "duplicates": 0, "statements": [], "results": []}))
        raise
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    if summary["duplicate_file"]:
        click.echo(f"{file.name} was imported before: nothing booked ({summary['entries']} entries).")
        return
    click.echo(f"{file.name}: {summary['entries']} entries; {summary['matched']} matched, "
               f"{summary['unmatched']} unmatched (queue), {summary['returns']} returns, "
               f"{summary['other_debits']} other debits, {summary['duplicates']} already imported.")


@payments_group.command("assign")
@click.argument("payment_id", type=ROW_ID, metavar="PAYMENT")
@click.option("--case", "case_ref", required=True, type=CASE_REF, help="The case, e.g. C-2026-000123.")
@click.option("--user", "login", required=True, type=LOGIN, help="The accountant who assigns.")
@click.option("--json", "as_json", is_flag=True, help="The result as one JSON object.")
@with_appcontext
def payments_assign(payment_id: int, case_ref: str, login: str, as_json: bool) -> None:
    """Assign an unmatched PAYMENT (its id in the queue) to a case and book it there."""
    from caseapp.core.clock import today
    from caseapp.payments import services

    actor = _accountant(login, "write")
    with transaction() as session:
        parts = services.assign(session, actor, payment_id, _ref(case_ref), today=today())
    row = {"payment": payment_id, "case": _ref(case_ref), "costs": parts.costs.amount_text(),
           "interest": parts.interest.amount_text(), "claim": parts.claim.amount_text(),
           "overpaid": parts.excess.amount_text()}
    click.echo(json.dumps(row) if as_json else
               f"Payment {payment_id} booked to {row['case']}: costs {row['costs']}, claim {row['claim']}, "
               f"overpaid {row['overpaid']}.")


@payments_group.command("refund")
@click.argument("case_ref", type=CASE_REF, metavar="CASE")
@currency_option("--currency", default=None, help="The currency of --amount (the case's).")
@amount_option("--amount", help="How much to refund (default: all that is overpaid).")
@click.option("--user", "login", required=True, type=LOGIN, help="The accountant who refunds.")
@click.option("--json", "as_json", is_flag=True, help="The refund as one JSON object.")
@with_appcontext
def payments_refund(case_ref: str, currency, amount, login: str, as_json: bool) -> None:
    """Refund what CASE's payer paid too much: booked (OVERPAID to BANK) and listed as a transfer to make."""
    from caseapp.core.clock import today
    from caseapp.core.money import Money
    from caseapp.payments import services

    actor = _accountant(login, "write")
    with transaction() as session:
        row = services.refund(session, actor, _ref(case_ref), today=today(), amount=amount)
        out = {"refund": row.id, "case": _ref(case_ref), "amount": Money(row.amount_minor, row.currency).amount_text(),
               "currency": row.currency, "payee": row.payee_name, "iban": row.payee_iban, "state": row.state}
    click.echo(json.dumps(out) if as_json else
               f"Refund {out['refund']}: {out['amount']} {out['currency']} to {out['payee'] or 'the payer'} "
               f"({out['iban'] or 'no IBAN known: transfer by hand'}), to transfer.")


@payments_group.command("book-debit")
@click.argument("payment_id", type=ROW_ID, metavar="PAYMENT")
@click.option("--as", "kind", required=True, type=click.Choice(("fee", "office")),
              help="fee: a bank fee (the firm pays it); office: the firm's commission or VAT moved to its office "
                   "account.")
@click.option("--user", "login", required=True, type=LOGIN, help="The accountant who books it.")
@click.option("--json", "as_json", is_flag=True, help="The booking as one JSON object.")
@with_appcontext
def payments_book_debit(payment_id: int, kind: str, login: str, as_json: bool) -> None:
    """Book PAYMENT, a debit of the bank statement that nobody booked (the reconciliation lists
    it), on the statement's day: as a bank fee, or as the firm's own money moved to its office
    account."""
    from caseapp.payments import services

    from caseapp.core.money import Money

    actor = _accountant(login, "write")
    with transaction() as session:
        booked = services.book_debit(session, actor, payment_id, kind)
        line = next(e for e in booked.entries if e.amount_minor > 0)
        out = {"payment": payment_id, "as": kind, "transaction": booked.id, "booked_on": booked.booked_on.isoformat(),
               "amount": Money(line.amount_minor, line.currency).amount_text(), "currency": line.currency}
    click.echo(json.dumps(out) if as_json else
               f"Payment {payment_id} booked as {services.DEBIT_KINDS[kind][2]}: {out['amount']} on "
               f"{out['booked_on']} (ledger transaction {out['transaction']}).")


COMMANDS = (payments_group,)
