"""Posting to the ledger and reading it. `post` refuses a transaction that does not balance to
zero in each currency (nothing is written); posted entries never change: `reverse` posts the
mirror image. Balances are sums of entries, so they are always what the entries say."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from flask_babel import lazy_gettext
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from caseapp.core import audit, bulk
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.models import utcnow
from caseapp.core.money import Money
from caseapp.core.page_reads import reading_a_page, remembered
from caseapp.ledger.models import ACCOUNTS, LedgerEntry, LedgerTransaction


@dataclass(frozen=True)
class Line:
    """One entry of a transaction to post: `amount` positive = debit, negative = credit."""
    account: str
    amount: Money
    client_id: int | None = None
    case_id: int | None = None


def debit(account: str, amount: Money, **scope) -> Line:
    return Line(account, amount, **scope)


def credit(account: str, amount: Money, **scope) -> Line:
    return Line(account, Money(-amount.minor, amount.currency), **scope)


@dataclass(frozen=True)
class Posting:
    """One transaction to post with `post_many`."""
    kind: str
    description: str
    booked_on: date
    lines: tuple[Line, ...]
    case_id: int | None = None
    client_id: int | None = None
    source: str | None = None


def _checked(kind: str, lines: Iterable[Line]) -> list[Line]:
    """The non-zero lines of a transaction; refused unless they balance to zero in each currency."""
    lines = [line for line in lines if line.amount.minor]
    if not lines:
        raise InvalidInput(f"Ledger: a {kind} transaction of nothing is not posted.")
    totals: dict[str, int] = {}
    for line in lines:
        if line.account not in ACCOUNTS:
            raise InvalidInput(f"Ledger: {line.account!r} is not an account; use one of {', '.join(ACCOUNTS)}.")
        totals[line.amount.currency] = totals.get(line.amount.currency, 0) + line.amount.minor
    unbalanced = {currency: total for currency, total in totals.items() if total}
    if unbalanced:
        raise InvalidInput("Ledger: the transaction does not balance: "
                           + ", ".join(f"{Money(t, c)} off in {c}" for c, t in unbalanced.items())
                           + "; nothing was posted.")
    return lines


def _audit_details(kind: str, booked_on: date, source: str | None, lines: list[Line], reverses_id: int | None):
    return {"kind": kind, "booked_on": booked_on.isoformat(), "source": source,
            "lines": [[l.account, str(l.amount), l.client_id, l.case_id] for l in lines], "reverses": reverses_id}


def post(session: Session, actor: Actor, *, kind: str, description: str, booked_on: date, lines: Iterable[Line],
         case_id: int | None = None, client_id: int | None = None, source: str | None = None,
         reverses_id: int | None = None) -> LedgerTransaction:
    """Post one transaction: its lines must balance to zero in each currency; zero lines are
    dropped (a transaction of nothing is refused). Audited."""
    lines = _checked(kind, lines)
    transaction = LedgerTransaction(kind=kind, description=description[:2000], booked_on=booked_on,
                                    posted_by=actor.name, case_id=case_id, client_id=client_id, source=source,
                                    reverses_id=reverses_id)
    transaction.entries = [LedgerEntry(account=line.account, client_id=line.client_id, case_id=line.case_id,
                                       amount_minor=line.amount.minor, currency=line.amount.currency)
                           for line in lines]
    session.add(transaction)
    session.flush()
    audit.record(session, actor, "ledger.posted", "ledger_transaction", transaction.id, case_id=case_id,
                 details=_audit_details(kind, booked_on, source, lines, reverses_id))
    return transaction


def post_many(session: Session, actor: Actor, postings: list[Posting]) -> list[int]:
    """Post many transactions at once (bulk INSERTs: a statement of 10,000 entries, a payout
    batch): each is checked as `post` checks it, and one refused refuses them all before anything
    is written. Audited one event per transaction, as `post`. Returns their ids, in order."""
    checked = [_checked(p.kind, p.lines) for p in postings]
    if not postings:
        return []
    now = utcnow()
    ids = bulk.insert_rows(session, LedgerTransaction.__table__, [
        {"kind": p.kind, "description": p.description[:2000], "booked_on": p.booked_on, "posted_at": now,
         "posted_by": actor.name, "case_id": p.case_id, "client_id": p.client_id, "source": p.source,
         "reverses_id": None} for p in postings], ids=True)
    bulk.insert_rows(session, LedgerEntry.__table__, [
        {"transaction_id": tid, "account": line.account, "client_id": line.client_id, "case_id": line.case_id,
         "amount_minor": line.amount.minor, "currency": line.amount.currency}
        for tid, lines in zip(ids, checked) for line in lines])
    audit.record_many(session, actor, [
        {"action": "ledger.posted", "subject_type": "ledger_transaction", "subject_id": tid, "case_id": p.case_id,
         "details": _audit_details(p.kind, p.booked_on, p.source, lines, None)}
        for tid, p, lines in zip(ids, postings, checked)])
    return ids


def reverse(session: Session, actor: Actor, transaction_id: int, *, reason: str, booked_on: date) -> LedgerTransaction:
    """Correct a posted transaction by posting its mirror image (the original stays); once only."""
    original = session.get(LedgerTransaction, transaction_id)
    if original is None:
        raise NotFound(f"There is no ledger transaction {transaction_id}.")
    if session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == original.id)):
        raise InvalidInput(f"Ledger transaction {original.id} was reversed already.")
    if original.reverses_id is not None:
        raise InvalidInput(f"Ledger transaction {original.id} is itself a reversal; post a new transaction instead.")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise InvalidInput("Reason: say why the transaction is reversed (the ledger keeps it).")
    lines = [Line(e.account, Money(-e.amount_minor, e.currency), e.client_id, e.case_id) for e in original.entries]
    return post(session, actor, kind=f"reversal of {original.kind}"[:40], booked_on=booked_on,
                description=f"Reverses transaction {original.id}: {reason}", lines=lines,
                case_id=original.case_id, client_id=original.client_id, source=original.source,
                reverses_id=original.id)


@remembered
def balance(session: Session, account: str, currency: str = "EUR", *, client_id: int | None = None,
            case_id: int | None = None, until: date | None = None) -> Money:
    """An account's balance (debit positive), for one client or case if given, up to a day."""
    query = select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
        LedgerEntry.account == account, LedgerEntry.currency == currency)
    if client_id is not None:
        query = query.where(LedgerEntry.client_id == client_id)
    if case_id is not None:
        query = query.where(LedgerEntry.case_id == case_id)
    if until is not None:
        query = query.join(LedgerTransaction).where(LedgerTransaction.booked_on <= until)
    return Money(int(session.scalar(query)), currency)


def _kept():
    """True for an entry of a transaction neither reversed nor a reversal: the money received,
    credited and paid out that `movements` and `sums_by_case` count (as if neither happened)."""
    reversed_ids = select(LedgerTransaction.reverses_id).where(LedgerTransaction.reverses_id.is_not(None))
    return and_(LedgerTransaction.reverses_id.is_(None), LedgerTransaction.id.not_in(reversed_ids))


def _not_reversed(query):
    """`query` without a reversed transaction and its reversal (`_kept`)."""
    return query.where(_kept())


_DEBITS = func.coalesce(func.sum(case((LedgerEntry.amount_minor > 0, LedgerEntry.amount_minor), else_=0)), 0)
_CREDITS = func.coalesce(func.sum(case((LedgerEntry.amount_minor < 0, -LedgerEntry.amount_minor), else_=0)), 0)


@remembered
def movements(session: Session, account: str, currency: str = "EUR", *, case_id: int | None = None,
              until: date | None = None) -> tuple[Money, Money]:
    """An account's (debits, credits) for a case, both as positive amounts. A reversed
    transaction and its reversal are both left out (as if neither happened), so a returned
    payment is no longer money received and a reversed payout no longer paid out."""
    if case_id is not None and until is None and reading_a_page():   # a case page asks account by account
        debits, credits = _case_movements(session, case_id, currency).get(account, (0, 0))
        return Money(debits, currency), Money(credits, currency)
    query = _not_reversed(select(_DEBITS, _CREDITS).join(LedgerTransaction)
                          .where(LedgerEntry.account == account, LedgerEntry.currency == currency))
    if case_id is not None:
        query = query.where(LedgerEntry.case_id == case_id)
    if until is not None:
        query = query.where(LedgerTransaction.booked_on <= until)
    debits, credits = session.execute(query).one()
    return Money(int(debits), currency), Money(int(credits), currency)


@remembered
def _case_movements(session: Session, case_id: int, currency: str) -> dict[str, tuple[int, int]]:
    """Every account's (debits, credits) on one case in minor units, as `movements` counts them,
    in one query (the case page's money cards ask for four accounts)."""
    rows = session.execute(_not_reversed(
        select(LedgerEntry.account, _DEBITS, _CREDITS).join(LedgerTransaction)
        .where(LedgerEntry.case_id == case_id, LedgerEntry.currency == currency).group_by(LedgerEntry.account)))
    return {account: (int(debits), int(credits)) for account, debits, credits in rows}


def sums_by_case(session: Session, accounts, case_ids) -> dict[tuple[int, str, str], tuple[int, int]]:
    """(case id, currency, account) -> (balance, credits) in minor units, for the cases the query
    `case_ids` selects, in one query: the balance over every entry as `balance` counts it (debit
    positive), the credits as positive amounts the way `movements` counts them (a reversed
    transaction and its reversal both left out). What thousands of open cases owe
    (payments.dues_by_case) without a query per account and currency or a list of ids."""
    credits = func.sum(case((and_(_kept(), LedgerEntry.amount_minor < 0), -LedgerEntry.amount_minor), else_=0))
    query = (select(LedgerEntry.case_id, LedgerEntry.currency, LedgerEntry.account,
                    func.sum(LedgerEntry.amount_minor), credits)
             .join(LedgerTransaction)
             .where(LedgerEntry.account.in_(tuple(accounts)), LedgerEntry.case_id.in_(case_ids))
             .group_by(LedgerEntry.case_id, LedgerEntry.currency, LedgerEntry.account))
    return {(case_id, currency, account): (int(total or 0), int(credited or 0))
            for case_id, currency, account, total, credited in session.execute(query)}


def cases_with_entries(accounts):
    """The query of the ids of the cases any entry on these accounts names (an index-only read), to
    select cases by in SQL (payments.dues_by_case): thousands of ids never travel as parameters."""
    return (select(LedgerEntry.case_id).distinct()
            .where(LedgerEntry.account.in_(tuple(accounts)), LedgerEntry.case_id.is_not(None)))


@dataclass(frozen=True)
class TrialBalanceRow:
    account: str
    currency: str
    debit: Money
    credit: Money

    @property
    def balance(self) -> Money:
        return self.debit + self.credit


def trial_balance(session: Session, *, until: date | None = None) -> list[TrialBalanceRow]:
    """Every account's debits and credits (credits negative) per currency; they sum to zero."""
    positive = func.sum(case((LedgerEntry.amount_minor > 0, LedgerEntry.amount_minor), else_=0))
    negative = func.sum(case((LedgerEntry.amount_minor < 0, LedgerEntry.amount_minor), else_=0))
    query = select(LedgerEntry.account, LedgerEntry.currency, positive, negative).group_by(
        LedgerEntry.account, LedgerEntry.currency).order_by(LedgerEntry.currency, LedgerEntry.account)
    if until is not None:
        query = query.join(LedgerTransaction).where(LedgerTransaction.booked_on <= until)
    return [TrialBalanceRow(account, currency, Money(int(d or 0), currency), Money(int(c or 0), currency))
            for account, currency, d, c in session.execute(query)]


# What each account holds, in the accountant's words (pages and the command).
# In the page's language (lazy): the trial balance and reconciliation pages show them.
ACCOUNT_WORDS = {
    "bank": lazy_gettext("the client-money bank account"),
    "suspense": lazy_gettext("money received, not yet matched to a case"),
    "collected": lazy_gettext("collected on cases, not yet split in a payout batch"),
    "client_payable": lazy_gettext("owed to clients (their share, until paid out)"),
    "revenue": lazy_gettext("the firm's commission"),
    "vat_payable": lazy_gettext("VAT on the commission"),
    "costs_advanced": lazy_gettext("court and lawyer costs the firm advanced"),
    "interest": lazy_gettext("default interest recovered"),
    "overpaid": lazy_gettext("paid too much by a payer, to refund"),
    "bank_fees": lazy_gettext("fees the bank charged"),
    "office_transfers": lazy_gettext("the firm's own money moved to its office account"),
}


def totals(rows: list[TrialBalanceRow]) -> dict[str, Money]:
    """The sum of every account per currency: zero when the ledger balances."""
    out: dict[str, Money] = {}
    for row in rows:
        out[row.currency] = out.get(row.currency, Money.zero(row.currency)) + row.balance
    return out


@dataclass(frozen=True)
class OpenCredit:
    id: int
    client_id: int
    case_id: int
    amount_minor: int
    booked_on: date


def open_credits(session: Session, account: str, *, until: date, currency: str, taken) -> list[OpenCredit]:
    """The credit entries of `account` (per case and client) booked up to `until` in `currency`
    whose transaction was not reversed and whose id is not in `taken` (a select of entry ids:
    the caller's record of what it used). For payouts: the collections no batch took."""
    query = _not_reversed(
        select(LedgerEntry.id, LedgerEntry.client_id, LedgerEntry.case_id, LedgerEntry.amount_minor,
               LedgerTransaction.booked_on)
        .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerEntry.account == account, LedgerEntry.currency == currency, LedgerEntry.amount_minor < 0,
               LedgerEntry.case_id.is_not(None), LedgerEntry.client_id.is_not(None),
               LedgerTransaction.booked_on <= until, LedgerEntry.id.not_in(taken))
        .order_by(LedgerEntry.id))
    return [OpenCredit(*row) for row in session.execute(query)]


def balances_by_case(session: Session, account: str, *, currency: str, until: date | None = None,
                     case_ids=None) -> dict[tuple[int, int], int]:
    """(case id, client id) -> the account's balance in minor units (debit positive)."""
    query = (select(LedgerEntry.case_id, LedgerEntry.client_id, func.sum(LedgerEntry.amount_minor))
             .where(LedgerEntry.account == account, LedgerEntry.currency == currency)
             .group_by(LedgerEntry.case_id, LedgerEntry.client_id))
    if until is not None:
        query = query.join(LedgerTransaction).where(LedgerTransaction.booked_on <= until)
    result: dict[tuple[int, int], int] = {}
    ids = sorted(set(case_ids)) if case_ids is not None else None
    chunks = [ids[i:i + 1000] for i in range(0, len(ids), 1000)] if ids is not None else [None]
    for chunk in chunks:
        q = query if chunk is None else query.where(LedgerEntry.case_id.in_(chunk))
        for case_id, client_id, total in session.execute(q):
            result[(case_id, client_id)] = int(total or 0)
    return result


@dataclass(frozen=True)
class EntryRow:
    entry_id: int
    transaction_id: int
    account: str
    client_id: int | None
    case_id: int | None
    amount: Money
    booked_on: date
    kind: str
    description: str


def booked_on(session: Session, transaction_ids) -> dict[int, date]:
    """Transaction id -> its accounting day."""
    ids = sorted({i for i in transaction_ids if i})
    out: dict[int, date] = {}
    for start in range(0, len(ids), 1000):
        out.update(session.execute(select(LedgerTransaction.id, LedgerTransaction.booked_on)
                                   .where(LedgerTransaction.id.in_(ids[start:start + 1000]))).tuples().all())
    return out


def entries(session: Session, accounts, *, currency: str, until: date | None = None,
            since: date | None = None) -> list[EntryRow]:
    """The entries of these accounts (oldest first), booked in [since, until]."""
    query = (select(LedgerEntry.id, LedgerEntry.transaction_id, LedgerEntry.account, LedgerEntry.client_id,
                    LedgerEntry.case_id, LedgerEntry.amount_minor, LedgerTransaction.booked_on,
                    LedgerTransaction.kind, LedgerTransaction.description)
             .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.id)
             .where(LedgerEntry.account.in_(tuple(accounts)), LedgerEntry.currency == currency)
             .order_by(LedgerTransaction.booked_on, LedgerEntry.id))
    if until is not None:
        query = query.where(LedgerTransaction.booked_on <= until)
    if since is not None:
        query = query.where(LedgerTransaction.booked_on >= since)
    return [EntryRow(e, t, a, cl, ca, Money(int(m), currency), b, k, d)
            for e, t, a, cl, ca, m, b, k, d in session.execute(query)]
