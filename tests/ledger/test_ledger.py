"""The ledger's rules: a transaction balances or is not posted; entries never change, a
reversal mirrors them once; balances and the trial balance are what the entries say."""
from __future__ import annotations

from datetime import date

import pytest

from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.ledger.models import BANK, CLIENT_PAYABLE, COLLECTED, REVENUE, SUSPENSE, LedgerTransaction
from tests.clients.factories import make_client

ACTOR = Actor.system("test")
DAY = date(2026, 11, 23)


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def test_a_transaction_that_does_not_balance_is_not_posted(db_session):
    before = db_session.query(LedgerTransaction).count()
    with pytest.raises(InvalidInput, match="does not balance: .*0.01.*nothing was posted"):
        ledger.post(db_session, ACTOR, kind="payment_received", description="x", booked_on=DAY,
                    lines=[ledger.debit(BANK, eur("100.00")), ledger.credit(SUSPENSE, eur("99.99"))])
    assert db_session.query(LedgerTransaction).count() == before
    with pytest.raises(InvalidInput, match="of nothing"):
        ledger.post(db_session, ACTOR, kind="x", description="x", booked_on=DAY,
                    lines=[ledger.debit(BANK, eur("0.00"))])
    with pytest.raises(InvalidInput, match="not an account"):
        ledger.post(db_session, ACTOR, kind="x", description="x", booked_on=DAY,
                    lines=[ledger.debit("cash", eur("1.00")), ledger.credit(BANK, eur("1.00"))])


def test_balances_reversal_and_trial_balance(db_session):
    """(Deltas: the demo database has postings of its own.)"""
    holder = make_client(db_session)
    bank_before = ledger.balance(db_session, BANK)
    received = ledger.post(db_session, ACTOR, kind="payment_received", description="C-1 paid", booked_on=DAY,
                           lines=[ledger.debit(BANK, eur("100.01")),
                                  ledger.credit(COLLECTED, eur("100.01"), client_id=holder.id)])
    ledger.post(db_session, ACTOR, kind="payout_split", description="batch 1", booked_on=DAY,
                lines=[ledger.debit(COLLECTED, eur("100.01"), client_id=holder.id),
                       ledger.credit(CLIENT_PAYABLE, eur("70.01"), client_id=holder.id),
                       ledger.credit(REVENUE, eur("30.00"))])
    assert ledger.balance(db_session, BANK) - bank_before == eur("100.01")
    assert ledger.balance(db_session, CLIENT_PAYABLE, client_id=holder.id) == eur("-70.01")
    assert ledger.balance(db_session, COLLECTED, client_id=holder.id) == eur("0.00")
    rows = ledger.trial_balance(db_session)
    assert sum(r.balance.minor for r in rows) == 0

    ledger.reverse(db_session, ACTOR, received.id, reason="booked to the wrong case", booked_on=DAY)
    assert ledger.balance(db_session, BANK) == bank_before
    assert [e.amount_minor for e in received.entries] == [10001, -10001]      # the original stays
    with pytest.raises(InvalidInput, match="reversed already"):
        ledger.reverse(db_session, ACTOR, received.id, reason="again", booked_on=DAY)
    # up to the day before: none of this test's postings (they were booked on DAY)
    assert ledger.balance(db_session, COLLECTED, client_id=holder.id) == eur("100.01")
    assert ledger.balance(db_session, COLLECTED, client_id=holder.id, until=date(2026, 11, 22)) == eur("0.00")


def test_post_many_posts_as_post_does_and_refuses_all_for_one_bad(db_session):
    """The bulk path (bank statements, payout batches): the same entries, one audit event per
    transaction, and one unbalanced transaction refuses the whole lot before anything is written."""
    from caseapp.core.audit import AuditEvent
    from caseapp.ledger.models import LedgerEntry

    holder = make_client(db_session)
    bank_before = ledger.balance(db_session, BANK)
    events_before = db_session.query(AuditEvent).filter_by(action="ledger.posted").count()
    good = [ledger.Posting("payment_received", f"C-{i} paid", DAY,
                           (ledger.debit(BANK, eur("10.05")), ledger.credit(COLLECTED, eur("10.05"), client_id=holder.id),
                            ledger.debit(SUSPENSE, eur("0.00"))), client_id=holder.id, source=f"payment {i}")
            for i in range(3)]
    bad = ledger.Posting("payment_received", "bad", DAY, (ledger.debit(BANK, eur("1.00")),
                                                           ledger.credit(SUSPENSE, eur("0.99"))))
    transactions_before = db_session.query(LedgerTransaction).count()
    with pytest.raises(InvalidInput, match="does not balance"):
        ledger.post_many(db_session, ACTOR, [*good, bad])
    assert db_session.query(LedgerTransaction).count() == transactions_before
    assert ledger.post_many(db_session, ACTOR, []) == []

    ids = ledger.post_many(db_session, ACTOR, good)
    assert len(ids) == 3 and ids == sorted(ids)
    assert [db_session.get(LedgerTransaction, i).source for i in ids] == ["payment 0", "payment 1", "payment 2"]
    assert ledger.balance(db_session, BANK) - bank_before == eur("30.15")
    assert ledger.balance(db_session, COLLECTED, client_id=holder.id) == eur("-30.15")
    # the zero line is dropped, as `post` drops it
    assert db_session.query(LedgerEntry).filter(LedgerEntry.transaction_id.in_(ids)).count() == 6
    events = db_session.query(AuditEvent).filter_by(action="ledger.posted").count()
    assert events - events_before == 3
    assert sum(r.balance.minor for r in ledger.trial_balance(db_session)) == 0


def test_the_trial_balance_page_and_command(db_session, client_as, app):
    import json

    from caseapp.cli import main

    ledger.post(db_session, ACTOR, kind="payment_received", description="C-1 paid", booked_on=DAY,
                lines=[ledger.debit(BANK, eur("1234.50"), case_id=None), ledger.credit(SUSPENSE, eur("1234.50"))])
    db_session.commit()
    bank = ledger.balance(db_session, BANK)
    page = client_as("accountant").get("/ledger/").get_data(as_text=True)
    assert "money received, not yet matched to a case" in page and "Sum in EUR (must be zero)" in page
    assert client_as("handler").get("/ledger/").status_code == 403
    result = app.test_cli_runner().invoke(main, ["ledger", "balance", "--json"])
    data = json.loads(result.output)
    [row] = [r for r in data["accounts"] if r["account"] == "bank" and r["currency"] == "EUR"]
    assert data["balanced"] is True and row["balance"] == bank.amount_text()
