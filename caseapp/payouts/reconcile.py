"""The month-end three-way reconciliation of client money (as trust accounting does it).

The model: the firm's client-money account holds client money, and the firm's own money that
has not been moved out yet (commission, VAT; less the bank fees it paid). Every cent on it came
in through a statement the ledger books: the account is reconciled from its first statement on,
and a balance it had before that (an opening balance nobody booked) is a difference, not a
figure to assume. Three figures must agree to the cent at month end:

1. the bank: the closing balance of the account's latest statement booked by month end
   (payments.services.bank_statement_balance, or the figure the accountant types)
   + items in transit (payouts.services.transfers: a payout transfer the statement shows that the
     ledger has not booked yet, the batch not confirmed: the ledger still holds it for the client;
     less one the ledger booked that the statement does not show yet: the bank still holds it;
     less a refund recorded (booked) that the statement does not show paid yet:
     payments.services.refund_transfers)
   - the firm's own money in the account (revenue, VAT payable, interest, costs recovered, less
     bank fees: each account's figure is shown)
   = client money per the bank;
2. the ledger's client-money accounts (ledger.models.CLIENT_MONEY_ACCOUNTS: suspense, collected,
   client payable, overpaid) at month end;
3. the sum of every client's balance, each client's collected and payable entries attributed
   through its cases (an entry whose client is not its case's client is a difference), plus
   what is held for no client yet (suspense, overpaid).

A difference between 1 and 2 is explained where it can be, each with what is behind it: the
statement's debits nobody booked (a bank fee, the firm's money moved to its office account:
`payments.services.book_debit`), with the statement
lines; an opening balance of the first statement the ledger does not have; what is left, with the
month's bank entries of the ledger to tick against the statement. An accountant signs a month off
(stored, audited)."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.cases import services as cases
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.formatting import money
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.payouts import services as payouts
from caseapp.payouts.models import Reconciliation

CURRENCY = "EUR"
ACCOUNT_WORDS = ledger.ACCOUNT_WORDS
CLIENT_MONEY = ("suspense", "collected", "client_payable", "overpaid")
FIRM_ACCOUNTS = ("revenue", "vat_payable", "interest", "costs_advanced", "bank_fees", "office_transfers")


def _unexplained(rest: Money) -> str:
    """The reconciliation's "the bank holds more (less) client money" difference in the page's language."""
    if rest.minor > 0:
        return gettext("The bank holds %(amount)s more client money than the ledger, not explained by a line of the "
                       "statement: a payment not imported, an entry booked but not on the statement, a statement "
                       "missing. The ledger's bank entries of the month are listed to tick against the statement.",
                       amount=money(rest))
    return gettext("The bank holds %(amount)s less client money than the ledger, not explained by a line of the "
                   "statement: a payment not imported, an entry booked but not on the statement, a statement "
                   "missing. The ledger's bank entries of the month are listed to tick against the statement.",
                   amount=money(rest * -1))


def month_bounds(month: str) -> tuple[date, date]:
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", str(month or ""))
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2200:
        raise InvalidInput(f"--month: {str(month)[:20]!r} is not a month: write it as YYYY-MM, e.g. 2026-11.")
    year, number = int(match.group(1)), int(match.group(2))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def statement_balance(session: Session, until: date, account: str | None = None) -> Money | None:
    """The bank statement's balance at `until` (payments: the latest statement booked by then)."""
    from caseapp.payments import services as payments

    return payments.bank_statement_balance(session, until, account)


def _transfer_keys(line) -> set[str]:
    """What names a payout transfer on a statement line: its end-to-end id, and a credit note
    number (GS-batch-client) in its reference (a transfer made by hand)."""
    keys = set(re.findall(r"GS-[0-9]+-[0-9]+", line.remittance or ""))
    if line.end_to_end_id:
        keys.add(line.end_to_end_id)
    return keys


@dataclass
class Difference:
    what: str
    amount: Money
    entries: list = field(default_factory=list)   # ledger.EntryRow
    lines: list = field(default_factory=list)     # payments.StatementLine: the statement's lines behind it
    shown: str = ""     # `what` in the page's language (the page says it; the sign-off keeps `what`, English)


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
    transit_items: list = field(default_factory=list)    # payouts.Transfer, each with its in_transit
    refund_items: list = field(default_factory=list)     # payments.RefundTransfer not yet on the statement
    firm_parts: dict = field(default_factory=dict)       # account -> the firm's money it accounts for

    @property
    def agreed(self) -> bool:
        return not self.differences

    def as_data(self) -> dict:
        def entry(e):
            return {"entry": e.entry_id, "transaction": e.transaction_id, "account": e.account, "client": e.client_id,
                    "case": e.case_id, "amount": e.amount.amount_text(), "booked_on": e.booked_on.isoformat(),
                    "kind": e.kind, "description": e.description}

        def transit(t):
            return {"batch": t.batch_id, "client": t.client_id, "name": t.client_name,
                    "transfer": t.amount.amount_text(), "in_transit": t.in_transit.amount_text(),
                    "shown_on": t.shown_on.isoformat() if t.shown_on else None, "booked": t.booked,
                    "end_to_end_id": t.end_to_end_id, "credit_note": t.credit_note}
        return {"month": self.month, "until": self.until.isoformat(), "currency": CURRENCY,
                "bank_statement": self.bank_statement.amount_text(), "in_transit": self.in_transit.amount_text(),
                "in_transit_items": [transit(t) for t in self.transit_items],
                "refunds_in_transit": [{"refund": r.refund_id, "case": r.case_ref, "amount": r.amount.amount_text(),
                                        "in_transit": r.in_transit.amount_text(), "booked_on": r.booked_on.isoformat()}
                                       for r in self.refund_items],
                "firm_money_in_account": self.firm_money.amount_text(),
                "firm_money_parts": {k: v.amount_text() for k, v in self.firm_parts.items()},
                "bank_client_money": self.bank_client_money.amount_text(),
                "ledger_client_money": self.ledger_client_money.amount_text(),
                "clients_sum": self.clients_sum.amount_text(), "agreed": self.agreed,
                "differences": [{"what": d.what, "amount": d.amount.amount_text(),
                                 "entries": [entry(e) for e in d.entries],
                                 "statement_lines": [line.as_data() for line in d.lines]}
                                for d in self.differences]}


def reconcile(session: Session, month: str, bank_balance: Money | None = None,
              account: str | None = None) -> Result:
    """The month's reconciliation. `account`: the client-money account's IBAN (its statements
    only; None: every statement imported). `bank_balance`: the statement's balance at month end
    when no statement of the account is imported."""
    from caseapp.payments import services as payments

    start, until = month_bounds(month)
    statement = payments.bank_statement_balance(session, until, account) if bank_balance is None else bank_balance
    if statement is None:
        raise InvalidInput(gettext("Bank balance: no statement of the client-money account%(account)s is imported up "
                                   "to %(day)s; import it, or give the balance at month end (--bank-balance, e.g. "
                                   "12345.67).", account=" " + account if account else "", day=until.isoformat()))
    # The statement's debits that are not returns: payout transfers (in transit until confirmed) and the rest.
    debits = payments.other_debits(session, until, currency=CURRENCY, account=account)
    shown: dict[str, date] = {}
    for line in debits:
        for key in _transfer_keys(line):
            shown.setdefault(key, line.booked_on)
    all_transfers = payouts.transfers(session, until, shown)
    transfer_keys = {t.end_to_end_id for t in all_transfers if t.end_to_end_id} | {t.credit_note for t in all_transfers}
    transit_items = [t for t in all_transfers if t.in_transit.minor]
    payout_lines = [line for line in debits if _transfer_keys(line) & transfer_keys]
    # Refunds: booked when recorded, paid when the accountant makes the transfer.
    refunds = payments.refund_transfers(session, until, [line for line in debits if line not in payout_lines])
    refund_items = [r for r in refunds if r.in_transit.minor]
    refund_lines = {r.payment_id for r in refunds if r.payment_id}
    transit = Money(sum(t.in_transit.minor for t in transit_items) + sum(r.in_transit.minor for r in refund_items),
                    CURRENCY)
    unbooked = [line for line in debits
                if not line.booked and line not in payout_lines and line.payment_id not in refund_lines]

    money_rows = ledger.entries(session, CLIENT_MONEY, currency=CURRENCY, until=until)
    firm_rows = ledger.entries(session, FIRM_ACCOUNTS, currency=CURRENCY, until=until)
    # The firm's own money in the account: its income and liabilities are credits (negative), what it paid debits.
    firm_parts = {name: Money(-sum(e.amount.minor for e in firm_rows if e.account == name), CURRENCY)
                  for name in FIRM_ACCOUNTS}
    firm_parts = {name: amount for name, amount in firm_parts.items() if amount.minor}
    firm = Money(sum(a.minor for a in firm_parts.values()), CURRENCY)
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
    gap = bank_client - ledger_client
    explained = Money.zero(CURRENCY)
    if unbooked:
        amount = Money(-sum(line.amount.minor for line in unbooked), CURRENCY)
        explained = explained + amount
        differences.append(Difference(
            f"The statement shows {len(unbooked)} debit(s) the ledger has not booked: the bank holds "
            f"{amount * -1} less than the ledger says. A bank fee, or the firm's commission and VAT moved to its "
            "office account: book it (the buttons, or `caseapp payments book-debit PAYMENT --as fee|office --user "
            "LOGIN`); a payout made by hand: put its credit note's number (GS-...) in the transfer's reference; "
            "anything else: find out who took the money.", amount, lines=unbooked,
            shown=ngettext(
                "The statement shows %(num)d debit the ledger has not booked: the bank holds %(amount)s less than the "
                "ledger says. A bank fee, or the firm's commission and VAT moved to its office account: book it (the "
                "buttons, or `caseapp payments book-debit PAYMENT --as fee|office --user LOGIN`); a payout made by "
                "hand: put its credit note's number (GS-...) in the transfer's reference; anything else: find out who "
                "took the money.",
                "The statement shows %(num)d debits the ledger has not booked: the bank holds %(amount)s less than "
                "the ledger says. A bank fee, or the firm's commission and VAT moved to its office account: book it "
                "(the buttons, or `caseapp payments book-debit PAYMENT --as fee|office --user LOGIN`); a payout made "
                "by hand: put its credit note's number (GS-...) in the transfer's reference; anything else: find out "
                "who took the money.", len(unbooked), amount=money(amount * -1))))
    first = payments.first_statement(session, account=account)
    if first is not None and first[1] <= until:
        opening, first_day = first
        before = ledger.balance(session, "bank", CURRENCY, until=first_day - timedelta(days=1))
        if opening.currency == CURRENCY and opening != before:
            amount = opening - before
            explained = explained + amount
            differences.append(Difference(
                f"The account's first imported statement opens at {opening} on {first_day.isoformat()}; the "
                f"ledger's bank account held {before} before that day: an opening balance not booked. Money on "
                "the client-money account belongs to clients: book it to them, or move the firm's out.", amount,
                shown=gettext("The account's first imported statement opens at %(opening)s on %(day)s; the ledger's "
                              "bank account held %(before)s before that day: an opening balance not booked. Money on "
                              "the client-money account belongs to clients: book it to them, or move the firm's out.",
                              opening=money(opening), day=first_day.isoformat(), before=money(before))))
    if gap != explained:
        rest = gap - explained
        month_rows = ledger.entries(session, ("bank",), currency=CURRENCY, since=start, until=until)
        differences.append(Difference(
            f"The bank holds {rest if rest.minor > 0 else rest * -1} {'more' if rest.minor > 0 else 'less'} client "
            "money than the ledger, not explained by a line of the statement: a payment not imported, an entry "
            "booked but not on the statement, a statement missing. The ledger's bank entries of the month are "
            "listed to tick against the statement.", rest, month_rows,
            shown=_unexplained(rest)))
    if misattributed:
        total = Money(-sum(e.amount.minor for e in misattributed), CURRENCY)
        differences.append(Difference(
            "Entries booked to a client that is not their case's client (a payment booked to the wrong client): "
            "the client balances differ from the ledger's by these.", total, misattributed,
            shown=gettext("Entries booked to a client that is not their case's client (a payment booked to the wrong "
                          "client): the client balances differ from the ledger's by these.")))
    if unowned:
        differences.append(Difference("Client money booked to no client and no case.",
                                      Money(-sum(e.amount.minor for e in unowned), CURRENCY), unowned,
                                      shown=gettext("Client money booked to no client and no case.")))
    if clients_sum != ledger_client:
        differences.append(Difference("The clients' balances do not add up to the ledger's client money.",
                                      clients_sum - ledger_client, [],
                                      shown=gettext("The clients' balances do not add up to the ledger's client "
                                                    "money.")))
    return Result(month, until, statement, transit, firm, bank_client, ledger_client, clients_sum,
                  {k: Money(v, CURRENCY) for k, v in per_client.items()}, differences,
                  transit_items=transit_items, refund_items=refund_items, firm_parts=firm_parts)


def sign_off(session: Session, actor: Actor, month: str, bank_balance: Money | None = None,
             note: str | None = None, account: str | None = None) -> Reconciliation:
    """Store the month's reconciliation as the accountant signs it off (with its figures). A month
    that does not agree is signed off only with a note saying why. Audited."""
    result = reconcile(session, month, bank_balance, account)
    text = " ".join(str(note or "").split()) or None
    if text and len(text) > 2000:
        raise InvalidInput("Note: at most 2000 characters.")
    if not result.agreed and not text:
        raise InvalidInput(ngettext("Note: %(month)s does not agree (%(num)d difference(s)); say why you sign it off "
                                    "anyway, or correct the ledger first.",
                                    "Note: %(month)s does not agree (%(num)d difference(s)); say why you sign it off "
                                    "anyway, or correct the ledger first.", len(result.differences), month=month))
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
