"""Reads a page repeats are made once while it renders (core.page_reads), and only then: outside
`page_reads()` every call reads the database, so a write followed by a read sees the write."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from caseapp.core.page_reads import page_reads
from caseapp.ledger import services as ledger


@contextmanager
def counted(session):
    statements = []
    connection = session.connection()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(connection, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", listener)


def test_within_a_page_the_same_read_is_made_once(db_session):
    with counted(db_session) as statements, page_reads():
        first = ledger.balance(db_session, "bank", "EUR")
        again = ledger.balance(db_session, "bank", "EUR")
        other = ledger.balance(db_session, "bank", "USD")              # other arguments: read
        by_keyword = ledger.balance(db_session, "bank", currency="EUR")   # said otherwise: read again
    assert first == again and other.currency == "USD" and by_keyword == first
    assert len(statements) == 3


def test_outside_a_page_every_call_reads(db_session):
    with counted(db_session) as statements:
        ledger.balance(db_session, "bank", "EUR")
        ledger.balance(db_session, "bank", "EUR")
    assert len(statements) == 2


def test_a_page_forgets_what_it_read_when_it_ends(db_session):
    with page_reads():
        ledger.balance(db_session, "bank", "EUR")
    with counted(db_session) as statements, page_reads():
        ledger.balance(db_session, "bank", "EUR")
    assert len(statements) == 1


def test_a_cases_money_by_account_is_one_read_within_a_page_and_the_same_figures(db_session):
    from sqlalchemy import select

    from caseapp.ledger.models import LedgerEntry

    pairs = db_session.execute(select(LedgerEntry.case_id, LedgerEntry.currency).distinct()
                               .where(LedgerEntry.case_id.is_not(None))).all()
    assert pairs, "the demo data books money on some cases"
    accounts = ("collected", "costs_advanced", "overpaid", "bank")
    for case_id, currency in pairs:
        alone = [ledger.movements(db_session, account, currency, case_id=case_id) for account in accounts]
        with counted(db_session) as statements, page_reads():
            together = [ledger.movements(db_session, account, currency, case_id=case_id) for account in accounts]
        assert together == alone
        assert len(statements) == 1
