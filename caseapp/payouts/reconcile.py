"""The month-end three-way reconciliation of client money (as trust accounting does it):

1. the bank: the statement's balance at month end (payments.services.bank_statement_balance,
   or the figure the accountant types), plus payouts in transit (batches exported, not yet
   confirmed: the bank has paid them, the ledger books the transfer when it is confirmed), less
   the firm's own money still in the account (commission, VAT and interest not yet moved out,
   less the costs it advanced and the bank fees, as the ledger has them);
2. the ledger's client-money accounts (ledger.models.CLIENT_MONEY_ACCOUNTS: suspense,
   collected, client payable, overpaid) at month end;
3. the sum of every client's balance, each client's collected and payable entries attributed
   through its cases (an entry whose client is not its case's client is a difference), plus
   what is held for no client yet (suspense, overpaid).

Each difference is listed with the entries behind it. An accountant signs a month off (stored,
audited)."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.cases import services as cases
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.payouts import services as payouts
from caseapp.payouts.models import Reconciliation

CURRENCY = "EUR"
CLIENT_MONEY = ("suspense", "collected", "client_payable", "overpaid")
FIRM_ACCOUNTS = ("revenue", "vat_payable", "interest", "costs_advanced", "bank_fees")


def month_bounds(month: str) -> tuple[date, date]:
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", str(month or ""))
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2200:
        raise InvalidInput(f"--month: {str(month)[:20]!r} is not a month: write it as YYYY-MM, e.g. 2026-11.")
    year, number = int(match.group(1)), int(match.group(2))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def statement_balance(session: Session, until: date) -> Money | None:
    """The bank statement's balance at `until` (payments: the latest statement booked by then)."""
    from caseapp.payments import services as payments

    return payments.bank_statement_balance(session, until)


@dataclass
class Difference:
    what: str
    amount: Money
    entries: list = field(default_factory=list)   # ledger.EntryRow


@dataclass
class Result:
    month: str
    until: date
    bank_statement: Money
    in_transit: Money
    firm_money: Money
    bank_client_money: Money
    ledger_client_money: Money
    clients_sum: Money
    per_client: dict
    differences: list[Difference]

    @property
    def agreed(self) -> bool:
        return not self.differences

    def as_data(self) -> dict:
        def entry(e):
            return {"entry": e.entry_id, "transaction": e.transaction_id, "account": e.account, "client": e.client_id,
                    "case": e.case_id, "amount": e.amount.amount_text(), "booked_on": e.booked_on.isoformat(),
                    "kind": e.kind, "description": e.description}
        return {"month": self.month, "until": self.until.isoformat(), "currency": CURRENCY,
                "bank_statement": self.bank_statement.amount_text(), "in_transit": self.in_transit.amount_text(),
                "firm_money_in_account": self.firm_money.amount_text(),
                "bank_client_money": self.bank_client_money.amount_text(),
                "ledger_client_money": self.ledger_client_money.amount_text(),
                "clients_sum": self.clients_sum.amount_text(), "agreed": self.agreed,
                "differences": [{"what": d.what, "amount": d.amount.amount_text(),
                                 "entries": [entry(e) for e in d.entries]} for d in self.differences]}


def reconcile(session: Session, month: str, bank_balance: Money | None = None) -> Result:
    start, until = month_bounds(month)
    statement = statement_balance(session, until) if bank_balance is None else bank_balance
    if statement is None:
        raise InvalidInput("Bank balance: the payments domain is not there to read the statement's balance; give "
                           "the balance at month end (--bank-balance, e.g. 12345.67).")
    money_rows = ledger.entries(session, CLIENT_MONEY, currency=CURRENCY, until=until)
    firm_rows = ledger.entries(session, FIRM_ACCOUNTS, currency=CURRENCY, until=until)
    bank_rows = ledger.entries(session, ("bank",), currency=CURRENCY, until=until)
    transit = payouts.in_transit(session, until)
    # The firm's own money in the account: its income and liabilities are credits (negative).
    firm = Money(-sum(e.amount.minor for e in firm_rows), CURRENCY)
    bank_client = statement + transit - firm
    ledger_client = Money(-sum(e.amount.minor for e in money_rows), CURRENCY)
    owners = {cid: c.client_id for cid, c in cases.cases_by_id(
        session, {e.case_id for e in money_rows if e.case_id}).items()}
    per_client: dict[int | None, int] = {}
    misattributed, unowned = [], []
    for e in money_rows:
        if e.account in ("collected", "client_payable"):
            owner = owners.get(e.case_id) if e.case_id else e.client_id
            if e.case_id and e.client_id is not None and owner != e.client_id:
                misattributed.append(e)
            if owner is None:
                unowned.append(e)
            per_client[owner] = per_client.get(owner, 0) - e.amount.minor
        else:
            per_client[None] = per_client.get(None, 0) - e.amount.minor   # suspense, overpaid: no client yet
    clients_sum = Money(sum(per_client.values()), CURRENCY)
    differences: list[Difference] = []
    if bank_client != ledger_client:
        gap = bank_client - ledger_client
        month_rows = [e for e in bank_rows if e.booked_on >= start]
        differences.append(Difference(
            f"The bank holds {gap} {'more' if gap.minor > 0 else 'less'} client money than the ledger: a movement on "
            "the statement not booked (a bank fee, a payment not imported) or booked but not on the statement. "
            "The ledger's bank entries of the month are listed to tick against the statement.", gap, month_rows))
    if misattributed:
        total = Money(-sum(e.amount.minor for e in misattributed), CURRENCY)
        differences.append(Difference(
            "Entries booked to a client that is not their case's client (a payment booked to the wrong client): "
            "the client balances differ from the ledger's by these.", total, misattributed))
    if unowned:
        differences.append(Difference("Client money booked to no client and no case.",
                                      Money(-sum(e.amount.minor for e in unowned), CURRENCY), unowned))
    if clients_sum != ledger_client:
        differences.append(Difference("The clients' balances do not add up to the ledger's client money.",
                                      clients_sum - ledger_client, []))
    return Result(month, until, statement, transit, firm, bank_client, ledger_client, clients_sum,
                  {k: Money(v, CURRENCY) for k, v in per_client.items()}, differences)


def sign_off(session: Session, actor: Actor, month: str, bank_balance: Money | None = None,
             note: str | None = None) -> Reconciliation:
    """Store the month's reconciliation as the accountant signs it off (with its figures). A month
    that does not agree is signed off only with a note saying why. Audited."""
    result = reconcile(session, month, bank_balance)
    text = " ".join(str(note or "").split()) or None
    if text and len(text) > 2000:
        raise InvalidInput("Note: at most 2000 characters.")
    if not result.agreed and not text:
        raise InvalidInput(f"Note: {month} does not agree ({len(result.differences)} difference(s)); say why you "
                           "sign it off anyway, or correct the ledger first.")
    row = Reconciliation(month=month, currency=CURRENCY, bank_balance_minor=result.bank_statement.minor,
                         in_transit_minor=result.in_transit.minor,
                         ledger_client_money_minor=result.ledger_client_money.minor,
                         clients_sum_minor=result.clients_sum.minor, agreed=result.agreed,
                         figures=result.as_data(), note=text, signed_by_id=actor.user_id, signed_by=actor.name)
    session.add(row)
    session.flush()
    audit.record(session, actor, "reconciliation.signed_off", "reconciliation_signoff", row.id, reason=text,
                 details={"month": month, "agreed": result.agreed, "bank": result.bank_statement.amount_text(),
                          "ledger_client_money": result.ledger_client_money.amount_text(),
                          "differences": len(result.differences)})
    return row


def sign_offs(session: Session, month: str | None = None) -> list[Reconciliation]:
    query = select(Reconciliation).order_by(Reconciliation.id.desc())
    if month:
        query = query.where(Reconciliation.month == month)
    return list(session.scalars(query.limit(24)))
