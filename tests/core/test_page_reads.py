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
