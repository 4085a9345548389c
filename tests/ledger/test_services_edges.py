"""The ledger's rules at their edges: what a posting writes (each field, each entry, the audit
event), what is refused and with which words, a reversal's mirror image, and the reads
(balance, movements, trial balance, open credits, balances per case, entries) on both sides of
their day, currency, client and case filters. Amounts in CHF are this file's own (the demo
books EUR only), so the trial balance of CHF is exactly what a test posted."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from caseapp.cases import lifecycle
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.ledger.models import (BANK, CLIENT_PAYABLE, COLLECTED, OVERPAID, REVENUE, SUSPENSE, VAT_PAYABLE,
                                   LedgerEntry, LedgerTransaction)
from tests.cases.factories import make_case
from tests.clients.factories import make_client

ANTON = Actor(None, "anton")
DAY = date(2026, 11, 23)
BEFORE, AFTER = date(2026, 11, 22), date(2026, 11, 24)


def chf(minor: int) -> Money:
    return Money(minor, "CHF")


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def _pay(session, case, minor: int, *, day: date = DAY, currency: str = "CHF", client_id: int | None = None):
    """A payment received on `case`: debit BANK, credit COLLECTED (case, client)."""
    money = Money(minor, currency)
    return ledger.post(session, ANTON, kind="payment_received", description=f"{case.ref} paid", booked_on=day,
                       case_id=case.id, client_id=client_id or case.client_id, source="payment 1",
                       lines=[ledger.debit(BANK, money, case_id=case.id),
                              ledger.credit(COLLECTED, money, case_id=case.id, client_id=client_id or case.client_id)])


def _event(session, transaction_id: int) -> AuditEvent:
    return session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.posted",
                                                    AuditEvent.subject_type == "ledger_transaction",
                                                    AuditEvent.subject_id == transaction_id)).one()


# --- lines and what is refused --------------------------------------------------------------

def test_a_credit_is_the_negative_amount_in_the_same_currency_and_scope():
    line = ledger.credit(COLLECTED, chf(1234), client_id=7, case_id=9)
    assert line == ledger.Line(COLLECTED, chf(-1234), 7, 9)
    assert ledger.debit(BANK, chf(1234), case_id=9) == ledger.Line(BANK, chf(1234), None, 9)


def test_a_transaction_of_only_zero_lines_is_refused_naming_its_kind(db_session):
    with pytest.raises(InvalidInput, match=r"^Ledger: a bank_fee transaction of nothing is not posted\.$"):
        ledger.post(db_session, ANTON, kind="bank_fee", description="x", booked_on=DAY,
                    lines=[ledger.debit(BANK, chf(0)), ledger.credit(SUSPENSE, chf(0))])


def test_post_many_refuses_a_transaction_of_nothing_naming_its_kind(db_session):
    with pytest.raises(InvalidInput, match=r"^Ledger: a bank_fee transaction of nothing is not posted\.$"):
        ledger.post_many(db_session, ANTON, [ledger.Posting("bank_fee", "x", DAY, (ledger.debit(BANK, chf(0)),))])


def test_an_unknown_account_is_refused_with_the_accounts_to_choose_from(db_session):
    with pytest.raises(InvalidInput) as refused:
        ledger.post(db_session, ANTON, kind="x", description="x", booked_on=DAY,
                    lines=[ledger.debit(BANK, chf(100)), ledger.credit("cash", chf(100))])
    assert str(refused.value) == ("Ledger: 'cash' is not an account; use one of bank, suspense, collected, "
                                  "client_payable, revenue, vat_payable, costs_advanced, interest, overpaid, "
                                  "bank_fees, office_transfers.")


def test_each_currency_balances_on_its_own_and_the_refusal_says_by_how_much(db_session):
    """EUR +1.00 and CHF -1.00 sum to zero minor units, but not in any one currency."""
    before = db_session.query(LedgerTransaction).count()
    with pytest.raises(InvalidInput) as refused:
        ledger.post(db_session, ANTON, kind="x", description="x", booked_on=DAY,
                    lines=[ledger.debit(BANK, eur(100)), ledger.credit(SUSPENSE, chf(100))])
    assert str(refused.value) == ("Ledger: the transaction does not balance: 1.00 EUR off in EUR, "
                                  "-1.00 CHF off in CHF; nothing was posted.")
    with pytest.raises(InvalidInput) as only_one:
        ledger.post(db_session, ANTON, kind="x", description="x", booked_on=DAY,
                    lines=[ledger.debit(BANK, eur(100)), ledger.credit(SUSPENSE, eur(100)),
                           ledger.debit(BANK, chf(5)), ledger.credit(SUSPENSE, chf(4))])
    assert str(only_one.value) == "Ledger: the transaction does not balance: 0.01 CHF off in CHF; nothing was posted."
    assert db_session.query(LedgerTransaction).count() == before


def test_a_one_cent_difference_is_refused_and_zero_lines_are_dropped_from_a_balanced_one(db_session):
    with pytest.raises(InvalidInput, match="does not balance"):
        ledger.post(db_session, ANTON, kind="x", description="x", booked_on=DAY,
                    lines=[ledger.debit(BANK, chf(10001)), ledger.credit(SUSPENSE, chf(10000))])
    posted = ledger.post(db_session, ANTON, kind="x", description="x", booked_on=DAY,
                         lines=[ledger.debit(BANK, chf(10001)), ledger.debit(REVENUE, chf(0)),
                                ledger.credit(SUSPENSE, chf(10001))])
    assert [(e.account, e.amount_minor) for e in posted.entries] == [(BANK, 10001), (SUSPENSE, -10001)]


# --- what a posting writes -----------------------------------------------------------------

def test_post_writes_every_field_every_entry_and_the_audit_event(db_session):
    holder = make_client(db_session)
    case = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    posted = ledger.post(db_session, ANTON, kind="payment_received", description="d" * 2001, booked_on=BEFORE,
                         case_id=case.id, client_id=holder.id, source="payment 12",
                         lines=[ledger.debit(BANK, chf(250), case_id=case.id),
                                ledger.credit(COLLECTED, chf(250), client_id=holder.id, case_id=case.id)])
    db_session.expire_all()
    stored = db_session.get(LedgerTransaction, posted.id)
    assert (stored.kind, stored.description, stored.booked_on, stored.posted_by, stored.case_id, stored.client_id,
            stored.source, stored.reverses_id) == ("payment_received", "d" * 2000, BEFORE, "anton", case.id,
                                                   holder.id, "payment 12", None)
    assert [(e.account, e.client_id, e.case_id, e.amount_minor, e.currency) for e in stored.entries] == [
        (BANK, None, case.id, 250, "CHF"), (COLLECTED, holder.id, case.id, -250, "CHF")]
    event = _event(db_session, posted.id)
    assert (event.actor_name, event.case_id) == ("anton", case.id)
    assert event.details == {"kind": "payment_received", "booked_on": "2026-11-22", "source": "payment 12",
                             "lines": [[BANK, "2.50 CHF", None, case.id], [COLLECTED, "-2.50 CHF", holder.id, case.id]],
                             "reverses": None}


def test_post_many_writes_what_post_writes(db_session):
    holder = make_client(db_session)
    case = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    other = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    postings = [ledger.Posting("payment_received", "e" * 2001, BEFORE,
                               (ledger.debit(BANK, chf(300)), ledger.credit(COLLECTED, chf(300), client_id=holder.id,
                                                                            case_id=case.id)),
                               case_id=case.id, client_id=holder.id, source="payment 1"),
                ledger.Posting("payout_split", "split", DAY,
                               (ledger.debit(COLLECTED, chf(300), client_id=holder.id, case_id=other.id),
                                ledger.credit(REVENUE, chf(300))), case_id=other.id)]
    ids = ledger.post_many(db_session, ANTON, postings)
    db_session.expire_all()
    first, second = (db_session.get(LedgerTransaction, i) for i in ids)
    assert (first.kind, first.description, first.booked_on, first.posted_by, first.case_id, first.client_id,
            first.source, first.reverses_id) == ("payment_received", "e" * 2000, BEFORE, "anton", case.id, holder.id,
                                                 "payment 1", None)
    assert first.posted_at is not None and first.posted_at == second.posted_at
    assert (second.kind, second.case_id, second.client_id, second.source) == ("payout_split", other.id, None, None)
    assert [(e.account, e.client_id, e.case_id, e.amount_minor, e.currency) for e in first.entries] == [
        (BANK, None, None, 300, "CHF"), (COLLECTED, holder.id, case.id, -300, "CHF")]
    assert [(e.account, e.client_id, e.case_id, e.amount_minor) for e in second.entries] == [
        (COLLECTED, holder.id, other.id, 300), (REVENUE, None, None, -300)]
    event = _event(db_session, first.id)
    assert (event.actor_name, event.case_id) == ("anton", case.id)
    assert event.details == {"kind": "payment_received", "booked_on": "2026-11-22", "source": "payment 1",
                             "lines": [[BANK, "3.00 CHF", None, None], [COLLECTED, "-3.00 CHF", holder.id, case.id]],
                             "reverses": None}
    assert _event(db_session, second.id).case_id == other.id


# --- reversal ------------------------------------------------------------------------------

def test_a_reversal_mirrors_every_entry_and_keeps_what_the_original_was_about(db_session):
    holder = make_client(db_session)
    case = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    original = _pay(db_session, case, 4321)
    reversal = ledger.reverse(db_session, ANTON, original.id, reason="  returned\n by   the bank ", booked_on=AFTER)
    assert (reversal.kind, reversal.booked_on, reversal.reverses_id, reversal.case_id, reversal.client_id,
            reversal.source) == ("reversal of payment_received", AFTER, original.id, case.id, holder.id, "payment 1")
    assert reversal.description == f"Reverses transaction {original.id}: returned by the bank"
    assert [(e.account, e.client_id, e.case_id, e.amount_minor, e.currency) for e in reversal.entries] == [
        (BANK, None, case.id, -4321, "CHF"), (COLLECTED, holder.id, case.id, 4321, "CHF")]
    assert _event(db_session, reversal.id).details["reverses"] == original.id


def test_a_reversal_kind_is_cut_to_forty_characters(db_session):
    posted = ledger.post(db_session, ANTON, kind="k" * 40, description="x", booked_on=DAY,
                         lines=[ledger.debit(BANK, chf(1)), ledger.credit(SUSPENSE, chf(1))])
    reversal = ledger.reverse(db_session, ANTON, posted.id, reason="wrong", booked_on=DAY)
    assert reversal.kind == ("reversal of " + "k" * 40)[:40] and len(reversal.kind) == 40


def test_what_cannot_be_reversed_and_why(db_session):
    with pytest.raises(NotFound, match=r"^There is no ledger transaction 987654321\.$"):
        ledger.reverse(db_session, ANTON, 987654321, reason="x", booked_on=DAY)
    posted = ledger.post(db_session, ANTON, kind="x", description="x", booked_on=DAY,
                         lines=[ledger.debit(BANK, chf(1)), ledger.credit(SUSPENSE, chf(1))])
    for blank in ("", "   \n ", None):
        with pytest.raises(InvalidInput, match=r"^Reason: say why the transaction is reversed"):
            ledger.reverse(db_session, ANTON, posted.id, reason=blank, booked_on=DAY)
    reversal = ledger.reverse(db_session, ANTON, posted.id, reason="wrong", booked_on=DAY)
    with pytest.raises(InvalidInput, match=rf"^Ledger transaction {posted.id} was reversed already\.$"):
        ledger.reverse(db_session, ANTON, posted.id, reason="again", booked_on=DAY)
    with pytest.raises(InvalidInput, match=rf"^Ledger transaction {reversal.id} is itself a reversal; post a new"):
        ledger.reverse(db_session, ANTON, reversal.id, reason="undo the undo", booked_on=DAY)


# --- reads ---------------------------------------------------------------------------------

def test_balance_by_account_currency_client_case_and_day(db_session):
    holder, other = make_client(db_session), make_client(db_session)
    case = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    second = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    _pay(db_session, case, 1000, day=DAY)
    _pay(db_session, second, 200, day=AFTER)
    _pay(db_session, case, 30, day=DAY, client_id=other.id)
    _pay(db_session, case, 7, day=DAY, currency="USD")
    assert ledger.balance(db_session, COLLECTED, "CHF", client_id=holder.id) == chf(-1200)
    assert ledger.balance(db_session, COLLECTED, "CHF", client_id=holder.id, until=DAY) == chf(-1000)
    assert ledger.balance(db_session, COLLECTED, "CHF", client_id=holder.id, until=BEFORE) == chf(0)
    assert ledger.balance(db_session, COLLECTED, "CHF", client_id=holder.id, until=AFTER) == chf(-1200)
    assert ledger.balance(db_session, COLLECTED, "CHF", case_id=case.id) == chf(-1030)
    assert ledger.balance(db_session, COLLECTED, "CHF", case_id=case.id, client_id=other.id) == chf(-30)
    assert ledger.balance(db_session, BANK, "CHF", case_id=case.id) == chf(1030)
    assert ledger.balance(db_session, COLLECTED, "USD", case_id=case.id) == Money(-7, "USD")
    assert ledger.balance(db_session, REVENUE, "CHF", case_id=case.id) == chf(0)


def test_balance_is_in_euros_unless_asked(db_session):
    case = make_case(db_session, lifecycle.COLLECTION)
    _pay(db_session, case, 500, currency="EUR")
    _pay(db_session, case, 9, currency="CHF")
    assert ledger.balance(db_session, COLLECTED, case_id=case.id) == eur(-500)
    debits, credits = ledger.movements(db_session, COLLECTED, case_id=case.id)
    assert (debits, credits) == (eur(0), eur(500))


def test_movements_leave_out_a_reversed_transaction_and_its_reversal(db_session):
    case = make_case(db_session, lifecycle.COLLECTION)
    _pay(db_session, case, 1000, day=DAY)
    returned = _pay(db_session, case, 400, day=DAY)
    _pay(db_session, case, 50, day=AFTER)
    ledger.post(db_session, ANTON, kind="payout_split", description="x", booked_on=DAY,
                lines=[ledger.debit(COLLECTED, chf(600), case_id=case.id, client_id=case.client_id),
                       ledger.credit(CLIENT_PAYABLE, chf(600), client_id=case.client_id)])
    ledger.reverse(db_session, ANTON, returned.id, reason="returned", booked_on=DAY)
    assert ledger.movements(db_session, COLLECTED, "CHF", case_id=case.id) == (chf(600), chf(1050))
    assert ledger.movements(db_session, COLLECTED, "CHF", case_id=case.id, until=DAY) == (chf(600), chf(1000))
    assert ledger.movements(db_session, COLLECTED, "CHF", case_id=case.id, until=BEFORE) == (chf(0), chf(0))
    assert ledger.movements(db_session, COLLECTED, "USD", case_id=case.id) == (Money(0, "USD"), Money(0, "USD"))
    # the balance still counts both the reversed payment and its reversal: they cancel
    assert ledger.balance(db_session, COLLECTED, "CHF", case_id=case.id) == chf(-450)


def test_a_movement_of_one_cent_counts(db_session):
    case = make_case(db_session, lifecycle.COLLECTION)
    _pay(db_session, case, 1)
    ledger.post(db_session, ANTON, kind="payout_split", description="x", booked_on=DAY,
                lines=[ledger.debit(COLLECTED, chf(1), case_id=case.id, client_id=case.client_id),
                       ledger.credit(REVENUE, chf(1))])
    assert ledger.movements(db_session, COLLECTED, "CHF", case_id=case.id) == (chf(1), chf(1))
    assert ledger.movements(db_session, BANK, "CHF", case_id=case.id) == (chf(1), chf(0))
    assert [(r.account, r.debit, r.credit) for r in ledger.trial_balance(db_session) if r.currency == "CHF"] == [
        (BANK, chf(1), chf(0)), (COLLECTED, chf(1), chf(-1)), (REVENUE, chf(0), chf(-1))]


def test_movements_of_every_case_when_none_is_named(db_session):
    before = ledger.movements(db_session, COLLECTED, "CHF")
    _pay(db_session, make_case(db_session, lifecycle.COLLECTION), 70)
    _pay(db_session, make_case(db_session, lifecycle.COLLECTION), 30)
    debits, credits = ledger.movements(db_session, COLLECTED, "CHF")
    assert (debits - before[0], credits - before[1]) == (chf(0), chf(100))


def test_the_trial_balance_per_account_and_currency_up_to_a_day(db_session):
    case = make_case(db_session, lifecycle.COLLECTION)
    _pay(db_session, case, 1000, day=DAY)
    _pay(db_session, case, 25, day=AFTER)
    ledger.post(db_session, ANTON, kind="payout_split", description="x", booked_on=DAY,
                lines=[ledger.debit(COLLECTED, chf(1000), case_id=case.id, client_id=case.client_id),
                       ledger.credit(CLIENT_PAYABLE, chf(700), client_id=case.client_id),
                       ledger.credit(REVENUE, chf(250)), ledger.credit(VAT_PAYABLE, chf(50))])

    def rows(until=None):
        return [(r.account, r.currency, r.debit, r.credit, r.balance)
                for r in ledger.trial_balance(db_session, until=until) if r.currency == "CHF"]

    assert rows() == [(BANK, "CHF", chf(1025), chf(0), chf(1025)),
                      (CLIENT_PAYABLE, "CHF", chf(0), chf(-700), chf(-700)),
                      (COLLECTED, "CHF", chf(1000), chf(-1025), chf(-25)),
                      (REVENUE, "CHF", chf(0), chf(-250), chf(-250)),
                      (VAT_PAYABLE, "CHF", chf(0), chf(-50), chf(-50))]
    assert rows(DAY)[0] == (BANK, "CHF", chf(1000), chf(0), chf(1000))
    assert rows(DAY)[2] == (COLLECTED, "CHF", chf(1000), chf(-1000), chf(0))
    assert rows(BEFORE) == []
    everything = ledger.trial_balance(db_session)
    assert [(r.currency, r.account) for r in everything] == sorted((r.currency, r.account) for r in everything)
    assert ledger.totals(everything)["CHF"] == chf(0)


def test_totals_sum_each_currency_on_its_own():
    rows = [ledger.TrialBalanceRow(BANK, "CHF", chf(500), chf(-20)),
            ledger.TrialBalanceRow(REVENUE, "CHF", chf(0), chf(-300)),
            ledger.TrialBalanceRow(BANK, "EUR", eur(90), eur(0))]
    assert ledger.totals(rows) == {"CHF": chf(180), "EUR": eur(90)}
    assert ledger.totals([]) == {}


def test_open_credits_are_the_untaken_unreversed_credits_of_a_case_and_client_up_to_a_day(db_session):
    holder = make_client(db_session)
    case = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    on_day = _pay(db_session, case, 100, day=DAY)
    _pay(db_session, case, 200, day=AFTER)
    reversed_ = _pay(db_session, case, 300, day=DAY)
    ledger.reverse(db_session, ANTON, reversed_.id, reason="returned", booked_on=DAY)   # its debit is no credit
    taken = _pay(db_session, case, 400, day=DAY)
    _pay(db_session, case, 500, day=DAY, currency="USD")
    # a credit without a case, one without a client: not a collection
    ledger.post(db_session, ANTON, kind="x", description="x", booked_on=DAY,
                lines=[ledger.debit(BANK, chf(600)), ledger.credit(COLLECTED, chf(600), client_id=holder.id)])
    ledger.post(db_session, ANTON, kind="x", description="x", booked_on=DAY,
                lines=[ledger.debit(BANK, chf(700)), ledger.credit(COLLECTED, chf(700), case_id=case.id)])
    # a reversal's credit (of a debit) is not a collection either
    split = ledger.post(db_session, ANTON, kind="x", description="x", booked_on=DAY,
                        lines=[ledger.debit(COLLECTED, chf(800), case_id=case.id, client_id=holder.id),
                               ledger.credit(CLIENT_PAYABLE, chf(800), client_id=holder.id)])
    ledger.reverse(db_session, ANTON, split.id, reason="wrong", booked_on=DAY)
    taken_ids = select(LedgerEntry.id).where(LedgerEntry.transaction_id == taken.id)

    def opened(until):
        return [(c.client_id, c.case_id, c.amount_minor, c.booked_on)
                for c in ledger.open_credits(db_session, COLLECTED, until=until, currency="CHF", taken=taken_ids)
                if c.case_id == case.id]

    # a credit of another account on the case and client: not a collection
    ledger.post(db_session, ANTON, kind="overpaid", description="x", booked_on=DAY,
                lines=[ledger.debit(BANK, chf(900)),
                       ledger.credit(OVERPAID, chf(900), case_id=case.id, client_id=holder.id)])
    assert opened(DAY) == [(holder.id, case.id, -100, DAY)]
    of_holder = [c.amount_minor for c in ledger.open_credits(db_session, COLLECTED, until=DAY, currency="CHF",
                                                             taken=taken_ids) if c.client_id == holder.id]
    assert of_holder == [-100]                  # not the credit without a case (-600)
    assert opened(BEFORE) == []
    assert opened(AFTER) == [(holder.id, case.id, -100, DAY), (holder.id, case.id, -200, AFTER)]
    [credit] = [c for c in ledger.open_credits(db_session, COLLECTED, until=DAY, currency="CHF", taken=taken_ids)
                if c.case_id == case.id]
    assert credit.id == on_day.entries[1].id
    usd = ledger.open_credits(db_session, COLLECTED, until=DAY, currency="USD", taken=taken_ids)
    assert [(c.case_id, c.amount_minor) for c in usd if c.case_id == case.id] == [(case.id, -500)]
    # in the order they were booked (entry id), not by day
    late = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    _pay(db_session, late, 1, day=AFTER)
    _pay(db_session, late, 2, day=BEFORE)
    assert [c.amount_minor for c in ledger.open_credits(db_session, COLLECTED, until=AFTER, currency="CHF",
                                                        taken=taken_ids) if c.case_id == late.id] == [-1, -2]


def test_balances_by_case_per_case_and_client_up_to_a_day(db_session):
    holder, other = make_client(db_session), make_client(db_session)
    case = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    second = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    _pay(db_session, case, 100, day=DAY)
    _pay(db_session, case, 10, day=AFTER)
    _pay(db_session, case, 5, day=DAY, client_id=other.id)
    _pay(db_session, second, 40, day=DAY)
    _pay(db_session, case, 3, day=DAY, currency="USD")
    ids = [case.id, second.id]
    assert ledger.balances_by_case(db_session, COLLECTED, currency="CHF", case_ids=ids) == {
        (case.id, holder.id): -110, (case.id, other.id): -5, (second.id, holder.id): -40}
    assert ledger.balances_by_case(db_session, COLLECTED, currency="CHF", until=DAY, case_ids=ids) == {
        (case.id, holder.id): -100, (case.id, other.id): -5, (second.id, holder.id): -40}
    assert ledger.balances_by_case(db_session, COLLECTED, currency="CHF", until=BEFORE, case_ids=ids) == {}
    assert ledger.balances_by_case(db_session, COLLECTED, currency="CHF", case_ids=[second.id, second.id]) == {
        (second.id, holder.id): -40}
    assert ledger.balances_by_case(db_session, BANK, currency="USD", case_ids=ids) == {(case.id, None): 3}
    ledger.post(db_session, ANTON, kind="payout_split", description="x", booked_on=DAY,
                lines=[ledger.debit(COLLECTED, chf(40), case_id=second.id, client_id=holder.id),
                       ledger.credit(CLIENT_PAYABLE, chf(40), client_id=holder.id)])
    assert ledger.balances_by_case(db_session, COLLECTED, currency="CHF", case_ids=[second.id]) == {
        (second.id, holder.id): 0}                                       # split in full: nothing left
    everything = ledger.balances_by_case(db_session, COLLECTED, currency="CHF")
    assert everything[(case.id, holder.id)] == -110 and everything[(second.id, holder.id)] == 0


def test_balances_by_case_reads_a_thousand_case_ids_at_a_time_and_misses_none(db_session):
    """1,001 ids: the case at the 1,001st place (the second chunk's first) is read too."""
    case = make_case(db_session, lifecycle.COLLECTION)
    _pay(db_session, case, 100)
    ids = list(range(case.id - 1000, case.id + 1))
    assert ledger.balances_by_case(db_session, COLLECTED, currency="CHF", case_ids=reversed(ids)) == {
        (case.id, case.client_id): -100}
    many = list(range(case.id - 2000, case.id + 1))
    assert ledger.balances_by_case(db_session, COLLECTED, currency="CHF", case_ids=many) == {
        (case.id, case.client_id): -100}


def test_booked_on_reads_each_transaction_s_day_a_thousand_at_a_time(db_session):
    first = ledger.post(db_session, ANTON, kind="x", description="x", booked_on=BEFORE,
                        lines=[ledger.debit(BANK, chf(1)), ledger.credit(SUSPENSE, chf(1))])
    second = ledger.post(db_session, ANTON, kind="x", description="x", booked_on=AFTER,
                         lines=[ledger.debit(BANK, chf(1)), ledger.credit(SUSPENSE, chf(1))])
    assert ledger.booked_on(db_session, [second.id, None, first.id, 0, first.id]) == {first.id: BEFORE,
                                                                                        second.id: AFTER}
    assert ledger.booked_on(db_session, []) == {}
    below = [-n for n in range(1, 1001)]                       # 1,000 ids no transaction has, before both
    assert ledger.booked_on(db_session, below + [first.id, second.id]) == {first.id: BEFORE, second.id: AFTER}
    many = [-n for n in range(1, 2001)]                        # the first is the 2,001st id, the second the 2,002nd
    assert ledger.booked_on(db_session, many + [first.id, second.id]) == {first.id: BEFORE, second.id: AFTER}


def test_entries_of_some_accounts_between_two_days_oldest_first(db_session):
    case = make_case(db_session, lifecycle.COLLECTION)
    late = _pay(db_session, case, 300, day=AFTER)
    early = _pay(db_session, case, 100, day=BEFORE)
    middle = _pay(db_session, case, 200, day=DAY)
    dollars = _pay(db_session, case, 9, day=DAY, currency="USD")
    mine = {late.id, early.id, middle.id, dollars.id}

    def rows(**days):
        return [(r.account, r.amount, r.booked_on) for r in ledger.entries(db_session, [COLLECTED], currency="CHF",
                                                                          **days) if r.transaction_id in mine]

    assert rows() == [(COLLECTED, chf(-100), BEFORE), (COLLECTED, chf(-200), DAY), (COLLECTED, chf(-300), AFTER)]
    assert rows(since=DAY) == [(COLLECTED, chf(-200), DAY), (COLLECTED, chf(-300), AFTER)]
    assert rows(until=DAY) == [(COLLECTED, chf(-100), BEFORE), (COLLECTED, chf(-200), DAY)]
    assert rows(since=DAY, until=DAY) == [(COLLECTED, chf(-200), DAY)]
    both = [r for r in ledger.entries(db_session, (BANK, COLLECTED), currency="CHF", since=DAY, until=DAY)
            if r.transaction_id == middle.id]
    assert [(r.entry_id, r.account, r.client_id, r.case_id, r.amount, r.kind, r.description) for r in both] == [
        (middle.entries[0].id, BANK, None, case.id, chf(200), "payment_received", f"{case.ref} paid"),
        (middle.entries[1].id, COLLECTED, case.client_id, case.id, chf(-200), "payment_received", f"{case.ref} paid")]
    # a transaction whose credit was entered before its debit: oldest entry first, not by account
    refund = ledger.post(db_session, ANTON, kind="refund", description="r", booked_on=DAY,
                         lines=[ledger.credit(COLLECTED, chf(5), case_id=case.id, client_id=case.client_id),
                                ledger.debit(BANK, chf(5), case_id=case.id)])
    assert [r.account for r in ledger.entries(db_session, (BANK, COLLECTED), currency="CHF", since=DAY, until=DAY)
            if r.transaction_id == refund.id] == [COLLECTED, BANK]
