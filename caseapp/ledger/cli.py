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
