"""`caseapp ledger`: the trial balance for the accountant who scripts month-end."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from caseapp.core.cli import date_option, session as shared_session


@click.group("ledger")
def ledger_group() -> None:
    """The double-entry ledger under payments and payouts."""


@ledger_group.command("balance")
@date_option("--until", help="Only what was booked up to this day (default: everything).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: accounts and the sum per currency.")
@with_appcontext
def ledger_balance(until, as_json: bool) -> None:
    """Print the trial balance: each account's debits, credits and balance; each currency sums to zero."""
    from caseapp.ledger import services

    with shared_session() as session:
        rows = services.trial_balance(session, until=until)
        totals = services.totals(rows)
    if as_json:
        click.echo(json.dumps({
            "until": until.isoformat() if until else None,
            "accounts": [{"account": r.account, "currency": r.currency, "debit": r.debit.amount_text(),
                          "credit": (r.credit * -1).amount_text(), "balance": r.balance.amount_text()} for r in rows],
            "totals": {c: t.amount_text() for c, t in totals.items()},
            "balanced": all(t.minor == 0 for t in totals.values())}))
        return
    if not rows:
        click.echo("Nothing is posted yet.")
    for r in rows:
        click.echo(f"{r.account:16} {r.currency} debit {r.debit.amount_text():>14} credit {(r.credit * -1).amount_text():>14} "
                   f"balance {r.balance.amount_text():>14}")
    for currency, total in totals.items():
        click.echo(f"sum in {currency}: {total.amount_text()} ({'balanced' if total.minor == 0 else 'NOT BALANCED'})")


COMMANDS = (ledger_group,)


@ledger_group.command("reconcile")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to reconcile, e.g. 2026-11.")
@click.option("--bank-balance", "bank_balance", metavar="AMOUNT",
              help="The bank statement's balance at month end in EUR (when payments cannot tell it).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the three figures and each difference.")
@with_appcontext
def ledger_reconcile(month: str, bank_balance, as_json: bool) -> None:
    """The three-way reconciliation of client money: bank, ledger, clients, and each difference."""
    from caseapp.core.cli import Refused, refusals
    from caseapp.core.errors import InvalidInput
    from caseapp.core.money import Money
    from caseapp.payouts import reconcile

    balance = None
    if bank_balance is not None:
        try:
            balance = Money.parse_plain(bank_balance.removeprefix("-"), "EUR")
        except InvalidInput as error:
            raise Refused(f"--bank-balance {error}") from None
        if bank_balance.startswith("-"):
            balance = balance * -1
    from flask import current_app

    with refusals(), shared_session() as session:
        result = reconcile.reconcile(session, month, balance, current_app.config.get("CASEAPP_FIRM_IBAN") or None)
    data = result.as_data()
    if as_json:
        click.echo(json.dumps(data))
        return
    click.echo(f"{month}: bank statement {data['bank_statement']} + in transit {data['in_transit']} - the firm's "
               f"own {data['firm_money_in_account']} = client money {data['bank_client_money']}; ledger "
               f"{data['ledger_client_money']}; clients {data['clients_sum']}: "
               + ("they agree." if result.agreed else f"{len(result.differences)} difference(s)."))
    for t in data["in_transit_items"]:
        click.echo(f"  in transit {t['in_transit']}: batch {t['batch']}, {t['name']} ({t['transfer']}): "
                   + ("on the statement, not yet booked (confirm the batch)" if not t["booked"] else
                      "booked, not yet on the statement"))
    if data["firm_money_parts"]:
        click.echo("  the firm's own: " + ", ".join(f"{k} {v}" for k, v in data["firm_money_parts"].items()))
    for d in data["differences"]:
        click.echo(f"- {d['what']} ({d['amount']})")
        for line in d["statement_lines"][:50]:
            click.echo(f"    statement line: payment {line['payment']} ({line['booked_on']}): {line['amount']} "
                       f"{line['counterparty'] or ''} {(line['remittance'] or '')[:60]}".rstrip())
        for e in d["entries"][:50]:
            click.echo(f"    entry {e['entry']} ({e['booked_on']}, {e['account']}, client {e['client']}, "
                       f"case {e['case']}): {e['amount']} {e['description'][:80]}")
