"""The accountant's side of payments: the unmatched queue and its suggestions, assigning a payment
by hand, refunding an overpayment (exactly what is overpaid, not a cent more), the refunds and
debits the bank reconciliation lists, and booking a debit nobody booked as a fee or an office
transfer."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from caseapp.cases import lifecycle
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, NotFound, StaleEdit
from caseapp.core.filestore import FileStore
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.ledger.models import LedgerTransaction
from caseapp.payments import services
from caseapp.payments.models import Payment, Refund
from caseapp.payments.statements import Line, write_camt053
from tests.cases.factories import make_case

ACTOR = Actor.system("test")
DAY = date(2026, 11, 20)
IBAN = "DE89370400440532013000"
OWN = "DE44500105175407324931"             # an account of our own, only these tests' statements
OWN_TYPED = "de44 5001 0517 5407 3249 31"  # as a person types it
PAYER = "DE02120300000000202051"


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def camt(*lines: Line, sid: str = "S1", opening: str = "0.00", iban: str = IBAN, closing_on: date = DAY) -> bytes:
    return write_camt053([{"id": sid, "iban": iban, "currency": "EUR", "opening": eur(opening),
                           "closing_on": closing_on, "lines": list(lines)}])


@pytest.fixture()
def store(tmp_path):
    return FileStore(tmp_path / "files")


def run(session, store, data: bytes):
    return services.import_statement(session, store, ACTOR, data, filename="s.xml", today=DAY)


def payment(session, reference: str) -> Payment:
    return session.scalar(select(Payment).where(Payment.bank_reference == reference))


def events(session, action: str, subject_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                         AuditEvent.subject_id == subject_id)
                                .order_by(AuditEvent.id)))


def overpay(session, store, case, amount: str, reference: str, *, name: str = "P", iban: str = PAYER,
            booked_on: date = DAY):
    run(session, store, camt(Line(eur(amount), booked_on, name, iban, case.ref, reference), sid=reference))
    return payment(session, reference)


# --- the unmatched queue ----------------------------------------------------------------------------

def test_a_payment_that_does_not_exist_is_named(db_session):
    with pytest.raises(NotFound, match=r"^There is no payment 987654321\.$"):
        services.get_payment(db_session, 987654321)


def test_the_queue_lists_unmatched_credits_oldest_first_with_their_sums(db_session, store):
    count, sums = services.unmatched_summary(db_session)
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    run(db_session, store, camt(Line(eur("3.00"), date(2026, 11, 19), "N", None, "x", "UQ-2"),
                                Line(eur("1.00"), date(2026, 11, 17), "N", None, case.ref, "UQ-M"),
                                Line(eur("2.00"), date(2026, 11, 18), "N", None, "x", "UQ-1"),
                                Line(eur("4.00"), date(2026, 11, 19), "N", None, "x", "UQ-3"),
                                Line(eur("9.00"), DAY, "N", None, "x", "UQ-D", direction="debit"), sid="UQ"))
    mine = [p.bank_reference for p in services.unmatched_payments(db_session, limit=10_000)
            if p.bank_reference.startswith("UQ-")]
    assert mine == ["UQ-1", "UQ-2", "UQ-3"]
    assert {(p.status, p.direction) for p in services.unmatched_payments(db_session, limit=10_000)} == {
        ("unmatched", "credit")}
    after_count, after_sums = services.unmatched_summary(db_session)
    assert after_count == count + 3
    assert after_sums["EUR"] == sums.get("EUR", eur("0.00")) + eur("9.00")
    total = len(services.unmatched_payments(db_session, limit=10_000))
    assert len(services.unmatched_payments(db_session, limit=total - 1)) == total - 1
    assert len(services.unmatched_payments(db_session)) == min(total, 200)


def test_suggestions_are_open_cases_owing_exactly_the_amount_best_name_first(db_session, store):
    names = ["Meerblick Foto", "Zugvogel Kunst", "Bergsee Pixel", "Sturmwind Verlag", "Falkenauge Bilder",
             "Falkenauge Bild"]
    cases = []
    for name in names:
        case = make_case(db_session, lifecycle.OFFER_SENT, claimed="818.18")
        case.party.name = name
        cases.append(case)
    other = make_case(db_session, lifecycle.OFFER_SENT, claimed="818.19")
    other.party.name = "Falkenauge Bild"
    db_session.flush()
    run(db_session, store, camt(Line(eur("818.18"), DAY, "Someone Unknown", None, "x", "SG-0"),
                                Line(eur("818.18"), DAY, "Falkenauge Bild", None, "x", "SG-1"), sid="SG"))
    first, second = payment(db_session, "SG-0"), payment(db_session, "SG-1")
    assert first.status == second.status == "unmatched"            # two look-alikes: no automatic match
    found = services.suggestions(db_session, [second, first])
    assert [c.ref for c in found[second.id][:2]] == [cases[5].ref, cases[4].ref]
    assert len(found[second.id]) == 5 and other.ref not in [c.ref for c in found[second.id]]
    assert set(found) == {first.id, second.id}
    assert services.suggestions(db_session, []) == {}
    run(db_session, store, camt(Line(eur("818.17"), DAY, "Falkenauge Bild", None, "x", "SG-2"), sid="SG-2"))
    assert services.suggestions(db_session, [payment(db_session, "SG-2")]) == {payment(db_session, "SG-2").id: []}


def test_assigning_books_out_of_suspense_and_pays_the_case(db_session, store):
    case = make_case(db_session, lifecycle.FINAL_DEMAND, claimed="60.00")
    run(db_session, store, camt(Line(eur("70.00"), DAY, "Mystery", PAYER, "thanks", "AS-1"), sid="AS"))
    waiting = payment(db_session, "AS-1")
    receipt, suspense = waiting.receipt_transaction_id, ledger.balance(db_session, "suspense")
    allocation = services.assign(db_session, ACTOR, waiting.id, case.ref, today=DAY, seen_version=waiting.version)
    assert (allocation.claim, allocation.excess) == (eur("60.00"), eur("10.00"))
    assert (waiting.status, waiting.case_id, waiting.matched_by, waiting.claim_minor, waiting.excess_minor) == (
        "matched", case.id, "manual", 6000, 1000)
    assert waiting.receipt_transaction_id == receipt and waiting.allocation_transaction_id not in (None, receipt)
    posted = db_session.get(LedgerTransaction, waiting.allocation_transaction_id)
    assert (posted.kind, posted.description, posted.case_id, posted.source) == (
        "payment_applied", f"{case.ref}: Mystery, thanks", case.id, f"payment {waiting.id}")
    assert ledger.balance(db_session, "suspense") == suspense + eur("70.00")
    assert case.stage == lifecycle.PAID and services.overpaid(db_session, case) == eur("10.00")
    [assigned] = events(db_session, "payment.assigned", waiting.id)
    assert (assigned.subject_type, assigned.from_state, assigned.to_state, assigned.case_id, assigned.details) == (
        "payment", "unmatched", "matched", case.id, {"case": case.ref})
    [applied] = events(db_session, "payment.applied", waiting.id)
    assert (applied.case_id, applied.details) == (case.id, {
        "amount": "70.00 EUR", "costs": "0.00 EUR", "interest": "0.00 EUR", "claim": "60.00 EUR",
        "overpaid": "10.00 EUR", "matched_by": "manual"})


def test_assigning_refuses_a_stale_page_a_debit_and_another_currency(db_session, store):
    dollars = make_case(db_session, lifecycle.OFFER_SENT, claimed="60.00", currency="USD")
    run(db_session, store, camt(Line(eur("70.00"), DAY, "Mystery", None, "thanks", "AR-1"),
                                Line(eur("5.00"), DAY, "Bank", None, "fee", "AR-2", direction="debit"), sid="AR"))
    waiting, fee = payment(db_session, "AR-1"), payment(db_session, "AR-2")
    with pytest.raises(StaleEdit, match=rf"^Payment {waiting.id} was changed by someone else"):
        services.assign(db_session, ACTOR, waiting.id, dollars.ref, today=DAY, seen_version=waiting.version + 1)
    with pytest.raises(InvalidInput, match=rf"^Payment {fee.id} is other_debit, not waiting in the unmatched queue\.$"):
        services.assign(db_session, ACTOR, fee.id, dollars.ref, today=DAY)
    with pytest.raises(InvalidInput, match=rf"^Payment {waiting.id} is in EUR; {dollars.ref} is in USD: book it by "
                                           r"hand\.$"):
        services.assign(db_session, ACTOR, waiting.id, dollars.ref, today=DAY)


def test_a_debit_is_never_in_the_queue_even_if_marked_unmatched(db_session, store):
    run(db_session, store, camt(Line(eur("5.00"), DAY, "Bank", None, "fee", "AD-1", direction="debit"), sid="AD"))
    fee = payment(db_session, "AD-1")
    fee.status = "unmatched"
    db_session.flush()
    count, sums = services.unmatched_summary(db_session)
    assert fee not in services.unmatched_payments(db_session, limit=10_000)
    fee.status = "other_debit"
    db_session.flush()
    assert services.unmatched_summary(db_session) == (count, sums)
    fee.status = "unmatched"
    db_session.flush()
    with pytest.raises(InvalidInput, match="not waiting in the unmatched queue"):
        services.assign(db_session, ACTOR, fee.id, "C-2026-000001", today=DAY)


def test_assigning_to_a_case_that_cannot_become_paid_leaves_its_stage(db_session, store):
    case = make_case(db_session, lifecycle.READY, claimed="25.00")
    run(db_session, store, camt(Line(eur("25.00"), DAY, "Mystery", None, "thanks", "AN-1"), sid="AN"))
    services.assign(db_session, ACTOR, payment(db_session, "AN-1").id, case.ref, today=DAY)
    assert case.stage == lifecycle.READY and services.claim_due(db_session, case) == eur("0.00")


def test_a_case_lists_its_payments_by_day_and_what_they_paid(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    run(db_session, store, camt(Line(eur("20.00"), date(2026, 11, 19), "P", PAYER, case.ref, "CP-2", "E-CP-2"),
                                Line(eur("30.00"), date(2026, 11, 18), "P", PAYER, case.ref, "CP-1", "E-CP-1"),
                                Line(eur("40.00"), date(2026, 11, 19), "P", PAYER, case.ref, "CP-3", "E-CP-3"),
                                sid="CP"))
    run(db_session, store, camt(Line(eur("20.00"), DAY, "P", PAYER, None, "CP-4", "E-CP-2", direction="debit",
                                     reversal=True), sid="CP-R"))
    assert [p.bank_reference for p in services.case_payments(db_session, case.id)] == ["CP-1", "CP-2", "CP-3",
                                                                                       "CP-4"]
    money = services.case_money(db_session, case)
    assert (money.claimed, money.paid, money.outstanding, money.overpaid) == (
        eur("100.00"), eur("70.00"), eur("30.00"), eur("0.00"))


# --- refunds ----------------------------------------------------------------------------------------

def test_a_refund_of_exactly_what_is_overpaid_and_not_a_cent_more(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    overpay(db_session, store, case, "112.00", "RF-1")
    with pytest.raises(InvalidInput, match=rf"^Amount: {case.ref} has 12.00 EUR overpaid; 12.01 EUR is more than "
                                           r"that\.$"):
        services.refund(db_session, ACTOR, case.ref, today=DAY, amount=eur("12.01"))
    with pytest.raises(InvalidInput, match=rf"^{case.ref} has nothing overpaid to refund\.$"):
        services.refund(db_session, ACTOR, case.ref, today=DAY, amount=eur("0.00"))
    with pytest.raises(InvalidInput, match=rf"^{case.ref} has nothing overpaid to refund\.$"):
        services.refund(db_session, ACTOR, case.ref, today=DAY, amount=eur("-1.00"))
    with pytest.raises(InvalidInput, match=rf"^Amount: {case.ref} is in EUR, not USD\.$"):
        services.refund(db_session, ACTOR, case.ref, today=DAY, amount=Money.parse("1.00", "USD"))
    part = services.refund(db_session, ACTOR, case.ref, today=DAY, amount=eur("0.01"))
    assert part.amount_minor == 1 and services.overpaid(db_session, case) == eur("11.99")
    rest = services.refund(db_session, ACTOR, case.ref, today=DAY, amount=eur("11.99"))
    assert rest.amount_minor == 1199 and services.overpaid(db_session, case) == eur("0.00")
    assert [r.id for r in services.case_refunds(db_session, case.id)] == [part.id, rest.id]


def test_a_refund_goes_to_the_latest_overpayer_and_is_booked_and_audited(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    overpay(db_session, store, case, "105.00", "RL-1", name="First Payer", iban=PAYER, booked_on=date(2026, 11, 18))
    overpay(db_session, store, case, "7.00", "RL-2", name="Second Payer", iban="DE75512108001245126199",
            booked_on=date(2026, 11, 19))
    overpay(db_session, store, case, "3.00", "RL-3", name="Third Payer", iban="DE12500105170648489890",
            booked_on=date(2026, 11, 17))
    bank = ledger.balance(db_session, "bank")
    row = services.refund(db_session, ACTOR, case.ref, today=date(2026, 11, 23))
    assert (row.amount_minor, row.currency, row.payee_name, row.payee_iban, row.remittance, row.requested_by,
            row.state, row.case_id) == (1500, "EUR", "Second Payer", "DE75512108001245126199",
                                        f"Refund of overpayment {case.ref}", ACTOR.name, "to_transfer", case.id)
    posted = db_session.get(LedgerTransaction, row.transaction_id)
    assert (posted.kind, posted.description, posted.booked_on, posted.case_id, posted.client_id, posted.source) == (
        "refund", f"{case.ref}: overpayment refunded", date(2026, 11, 23), case.id, case.client_id,
        f"refund {case.ref}")
    assert ledger.balance(db_session, "bank") == bank - eur("15.00")
    [audited] = events(db_session, "payment.refunded", row.id)
    assert (audited.subject_type, audited.case_id, audited.details) == (
        "payment_refund", case.id, {"amount": "15.00 EUR", "payee": "Second Payer", "iban": "DE75512108001245126199"})
    assert row in services.refunds_to_transfer(db_session)


def test_an_overpayment_booked_by_hand_is_refunded_to_nobody_named(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    ledger.post(db_session, ACTOR, kind="payment_received", description="by hand", booked_on=DAY,
                lines=[ledger.debit("bank", eur("5.00")), ledger.credit("overpaid", eur("5.00"), case_id=case.id)])
    row = services.refund(db_session, ACTOR, case.ref, today=DAY)
    assert (row.amount_minor, row.payee_name, row.payee_iban) == (500, None, None)


def test_the_refunds_the_bank_paid_are_matched_to_its_debits(db_session, store):
    one = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    two = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    overpay(db_session, store, one, "130.00", "RT-1")
    overpay(db_session, store, two, "110.00", "RT-2")
    late = services.refund(db_session, ACTOR, one.ref, today=date(2026, 11, 22), amount=eur("10.00"))
    first = services.refund(db_session, ACTOR, one.ref, today=date(2026, 11, 20), amount=eur("10.00"))
    second = services.refund(db_session, ACTOR, one.ref, today=date(2026, 11, 21), amount=eur("10.00"))
    third = services.refund(db_session, ACTOR, two.ref, today=date(2026, 11, 21), amount=eur("10.00"))
    run(db_session, store, camt(Line(eur("10.00"), date(2026, 11, 22), "P", PAYER, f"Refund {one.ref}", "RT-D1",
                                     direction="debit"),
                                Line(eur("10.00"), date(2026, 11, 22), "P", PAYER, f"Refund {two.ref}", "RT-D2",
                                     direction="debit"),
                                Line(eur("9.99"), date(2026, 11, 22), "P", PAYER, f"Refund {one.ref}", "RT-D3",
                                     direction="debit"), sid="RT-D", iban=OWN))
    debits = services.other_debits(db_session, date(2026, 11, 22), account=OWN)
    found = {t.refund_id: t for t in services.refund_transfers(db_session, date(2026, 11, 21), debits)}
    assert late.id not in found
    d1, d2 = payment(db_session, "RT-D1"), payment(db_session, "RT-D2")
    assert (found[first.id].shown_on, found[first.id].payment_id, found[first.id].in_transit) == (
        date(2026, 11, 22), d1.id, eur("0.00"))
    assert (found[second.id].shown_on, found[second.id].payment_id, found[second.id].in_transit) == (
        None, None, eur("-10.00"))
    assert (found[third.id].case_ref, found[third.id].amount, found[third.id].booked_on, found[third.id].payment_id) \
        == (two.ref, eur("10.00"), date(2026, 11, 21), d2.id)
    assert late.id in {t.refund_id for t in services.refund_transfers(db_session, date(2026, 11, 22), debits)}
    services.book_debit(db_session, ACTOR, d1.id, "office")
    debits = services.other_debits(db_session, date(2026, 11, 22), account=OWN)
    found = {t.refund_id: t for t in services.refund_transfers(db_session, date(2026, 11, 21), debits)}
    assert found[first.id].shown_on is None            # a debit booked as something else pays no refund


def test_no_refunds_no_transfers(db_session):
    db_session.execute(Refund.__table__.delete())
    assert services.refund_transfers(db_session, DAY, []) == []


# --- the statements as the reconciliation reads them ------------------------------------------------

def test_the_statement_balance_of_an_account_up_to_a_day(db_session, store):
    """The latest statement by its closing day, whichever file came first."""
    run(db_session, store, camt(Line(eur("7.00"), date(2031, 2, 20), "X", None, "x", "SB-b"), sid="SB-2",
                                opening="1005.00", iban=OWN, closing_on=date(2031, 2, 20)))
    run(db_session, store, camt(Line(eur("5.00"), date(2031, 2, 10), "X", None, "x", "SB-a"), sid="SB-1",
                                opening="1000.00", iban=OWN, closing_on=date(2031, 2, 10)))
    account = OWN_TYPED
    assert services.bank_statement_balance(db_session, date(2031, 2, 9), account) is None
    assert services.bank_statement_balance(db_session, date(2031, 2, 10), account) == eur("1005.00")
    assert services.bank_statement_balance(db_session, date(2031, 2, 19), account) == eur("1005.00")
    assert services.bank_statement_balance(db_session, date(2031, 2, 20), account) == eur("1012.00")
    assert services.bank_statement_balance(db_session, date(2031, 2, 20), IBAN) != eur("1012.00")
    assert services.bank_statement_balance(db_session, date(2031, 2, 20)) == eur("1012.00")
    assert services.first_statement(db_session, account=account) == (eur("1000.00"), date(2031, 2, 10))


def test_the_first_statement_starts_at_its_first_entry(db_session, store):
    run(db_session, store, camt(Line(eur("5.00"), date(2031, 3, 2), "X", None, "x", "FS-a"),
                                Line(eur("6.00"), date(2031, 3, 1), "X", None, "x", "FS-b"), sid="FS-1",
                                opening="250.00", iban=OWN, closing_on=date(2031, 3, 5)))
    run(db_session, store, camt(Line(eur("5.00"), date(2031, 3, 9), "X", None, "x", "FS-c"), sid="FS-2",
                                opening="261.00", iban=OWN, closing_on=date(2031, 3, 10)))
    assert services.first_statement(db_session, account=OWN_TYPED) == (eur("250.00"), date(2031, 3, 1))
    assert services.first_statement(db_session, account="DE00 0000 0000 0000 0000 00") is None
    earliest = services.first_statement(db_session)
    assert earliest is not None and earliest[1] <= date(2031, 3, 1)


def test_the_debits_up_to_a_day_of_an_account_and_a_currency(db_session, store):
    run(db_session, store, camt(Line(eur("4.90"), date(2031, 4, 2), "Sparkasse", None, "Kontofuehrung", "OD-2",
                                     "E-OD-2", direction="debit"),
                                Line(eur("1.10"), date(2031, 4, 1), None, PAYER, "Porto", "OD-1", direction="debit"),
                                Line(eur("8.00"), date(2031, 4, 3), "Late", None, "x", "OD-3", direction="debit"),
                                Line(eur("9.00"), date(2031, 4, 1), "Credit", None, "x", "OD-4", "E-OD-4"),
                                Line(eur("9.00"), date(2031, 4, 2), "Credit", None, None, "OD-5", "E-OD-4",
                                     direction="debit", reversal=True),
                                sid="OD", iban=OWN, closing_on=date(2031, 4, 3)))
    lines = services.other_debits(db_session, date(2031, 4, 2), account=OWN_TYPED)
    assert [line.reference for line in lines] == ["OD-1", "OD-2"]
    fee = lines[1]
    assert fee.as_data() == {"payment": payment(db_session, "OD-2").id, "booked_on": "2031-04-02",
                             "amount": "-4.90", "counterparty": "Sparkasse", "iban": None,
                             "remittance": "Kontofuehrung", "reference": "OD-2", "end_to_end_id": "E-OD-2",
                             "booked": False}
    assert (lines[0].counterparty, lines[0].iban, lines[0].amount) == (None, PAYER, eur("1.10"))
    assert services.other_debits(db_session, date(2031, 4, 2), currency="USD", account=OWN) == []
    assert "OD-1" not in [line.reference for line in services.other_debits(db_session, date(2031, 4, 2),
                                                                            account=IBAN)]
    assert {"OD-1", "OD-2"} <= {line.reference for line in services.other_debits(db_session, date(2031, 4, 2))}


def test_a_csv_debit_counts_for_every_account(db_session, store):
    data = (b"booked_on,value_on,amount,currency,payer_name,payer_iban,remittance,bank_reference\n"
            b"2031-05-01,,-3.00,EUR,,,fee,CSVD-1\n")
    services.import_statement(db_session, store, ACTOR, data, filename="d.csv", today=DAY)
    assert [line.reference for line in services.other_debits(db_session, date(2031, 5, 1), account=OWN)] == ["CSVD-1"]


# --- booking a debit nobody booked ------------------------------------------------------------------

@pytest.mark.parametrize("kind, account, transaction_kind, words", [
    ("fee", "bank_fees", "bank_fee", "A bank fee"),
    ("office", "office_transfers", "office_transfer", "The firm's own money moved to its office account")])
def test_a_debit_is_booked_once_as_a_fee_or_an_office_transfer(db_session, store, kind, account, transaction_kind,
                                                               words):
    run(db_session, store, camt(Line(eur("4.90"), date(2026, 11, 18), "Sparkasse", None, "Kontofuehrung", "BD-1",
                                     direction="debit"), sid="BD"))
    debit = payment(db_session, "BD-1")
    bank, target = ledger.balance(db_session, "bank"), ledger.balance(db_session, account)
    posted = services.book_debit(db_session, ACTOR, debit.id, kind, seen_version=debit.version)
    assert (posted.kind, posted.description, posted.booked_on, posted.source) == (
        transaction_kind, f"{words}: Sparkasse, Kontofuehrung", date(2026, 11, 18), f"payment {debit.id}")
    assert ledger.balance(db_session, "bank") == bank - eur("4.90")
    assert ledger.balance(db_session, account) == target + eur("4.90")
    assert debit.receipt_transaction_id == posted.id
    [audited] = events(db_session, "payment.debit_booked", debit.id)
    assert audited.subject_type == "payment"
    assert audited.details == {"as": kind, "amount": "4.90 EUR", "booked_on": "2026-11-18",
                               "transaction": posted.id}
    with pytest.raises(InvalidInput, match=rf"^Payment {debit.id} is booked already \(ledger transaction "
                                           rf"{posted.id}\)\.$"):
        services.book_debit(db_session, ACTOR, debit.id, kind)


def test_a_debit_without_a_name_or_text_is_the_bank_s(db_session, store):
    run(db_session, store, camt(Line(eur("1.00"), DAY, None, None, None, "BN-1", direction="debit"),
                                Line(eur("2.00"), DAY, "Sparkasse", None, "Gebuehr MAX", "BN-2", direction="debit"),
                                sid="BN"))
    posted = services.book_debit(db_session, ACTOR, payment(db_session, "BN-1").id, "fee")
    assert posted.description == "A bank fee: the bank"
    posted = services.book_debit(db_session, ACTOR, payment(db_session, "BN-2").id, "fee")
    assert posted.description == "A bank fee: Sparkasse, Gebuehr MAX"


def test_booking_a_debit_refuses_an_unknown_kind_a_credit_a_return_and_a_stale_page(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    run(db_session, store, camt(Line(eur("10.00"), DAY, "P", PAYER, case.ref, "BR-1", "E-BR"),
                                Line(eur("10.00"), DAY, "P", PAYER, None, "BR-2", "E-BR", direction="debit",
                                     reversal=True),
                                Line(eur("2.00"), DAY, "Bank", None, "fee", "BR-3", direction="debit"), sid="BR"))
    credit, back, fee = payment(db_session, "BR-1"), payment(db_session, "BR-2"), payment(db_session, "BR-3")
    with pytest.raises(InvalidInput, match=r"^As: 'a very long kind of ' is not what a debit is booked as; use "
                                           r"fee or office\.$"):
        services.book_debit(db_session, ACTOR, fee.id, "a very long kind of debit")
    with pytest.raises(InvalidInput, match=rf"^Payment {credit.id} is a credit \(returned\): only a debit of the "
                                           r"statement that is not a return is booked as a bank fee\.$"):
        services.book_debit(db_session, ACTOR, credit.id, "fee")
    with pytest.raises(InvalidInput, match=rf"^Payment {back.id} is a debit \(return\): only a debit of the "
                                           r"statement that is not a return is booked as the firm's own money"):
        services.book_debit(db_session, ACTOR, back.id, "office")
    with pytest.raises(StaleEdit, match=rf"^Payment {fee.id} was changed by someone else"):
        services.book_debit(db_session, ACTOR, fee.id, "fee", seen_version=fee.version + 1)
    assert fee.receipt_transaction_id is None


def test_the_imports_are_listed_newest_first(db_session, store):
    one = run(db_session, store, camt(Line(eur("1.00"), DAY, "N", None, "x", "IL-1"), sid="IL-1"))
    two = run(db_session, store, camt(Line(eur("1.00"), DAY, "N", None, "x", "IL-2"), sid="IL-2"))
    assert [i.id for i in services.imports(db_session, limit=2)] == [two.import_id, one.import_id]
    assert len(list(services.imports(db_session, limit=1))) == 1
    for n in range(3, 22):    # past the page's 20, whatever the demo brought
        run(db_session, store, camt(Line(eur("1.00"), DAY, "N", None, "x", f"IL-{n}"), sid=f"IL-{n}"))
    assert len(list(services.imports(db_session, limit=1000))) > 20
    assert len(list(services.imports(db_session))) == 20


def test_a_refund_of_a_given_amount_needs_something_overpaid(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    overpay(db_session, store, case, "100.00", "RN-1")
    with pytest.raises(InvalidInput, match=rf"^{case.ref} has nothing overpaid to refund\.$"):
        services.refund(db_session, ACTOR, case.ref, today=DAY, amount=eur("1.00"))


def test_one_cent_overpaid_is_refunded_to_the_latest_payer_of_the_day(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    overpay(db_session, store, case, "100.01", "RC-1", name="Cent Payer")
    overpay(db_session, store, case, "0.01", "RC-2", name="Later Payer", iban="DE75512108001245126199")
    ledger.post(db_session, ACTOR, kind="costs_advanced", description="court fee", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", eur("3.00"), case_id=case.id),
                       ledger.credit("bank", eur("3.00"))])
    overpay(db_session, store, case, "3.00", "RC-3", name="Costs Payer", booked_on=date(2026, 11, 21))
    assert payment(db_session, "RC-3").excess_minor == 0
    row = services.refund(db_session, ACTOR, case.ref, today=DAY)
    assert (row.amount_minor, row.payee_name) == (2, "Later Payer")


def test_the_first_statement_with_an_opening_balance_and_one_without_entries(db_session, store):
    no_opening = camt(Line(eur("1.00"), date(2031, 6, 1), "X", None, "x", "FO-a"), sid="FO-1", iban=OWN,
                      closing_on=date(2031, 6, 1)).replace(b"<Cd>OPBD</Cd>", b"<Cd>ITBD</Cd>")
    run(db_session, store, no_opening)
    run(db_session, store, camt(sid="FO-2", opening="40.00", iban=OWN, closing_on=date(2031, 6, 8)))
    assert services.first_statement(db_session, account=OWN) == (eur("40.00"), date(2031, 6, 8))


def test_the_imports_page_lists_the_latest_twenty(db_session, store):
    head = b"booked_on,value_on,amount,currency,payer_name,payer_iban,remittance,bank_reference\n"
    made = [services.import_statement(db_session, store, ACTOR, head + f"2026-11-20,,1.00,EUR,N,,x,IM-{i}\n".encode(),
                                      filename=f"{i}.csv", today=DAY).import_id for i in range(21)]
    assert [i.id for i in services.imports(db_session)] == made[::-1][:20]


def test_two_statements_closing_the_same_day_the_later_one_counts(db_session, store):
    run(db_session, store, camt(Line(eur("5.00"), date(2031, 7, 1), "X", None, "x", "SD-a"), sid="SD-1",
                                opening="100.00", iban=OWN, closing_on=date(2031, 7, 1)))
    run(db_session, store, camt(Line(eur("6.00"), date(2031, 7, 1), "X", None, "x", "SD-b"), sid="SD-2",
                                opening="105.00", iban=OWN, closing_on=date(2031, 7, 1)))
    assert services.bank_statement_balance(db_session, date(2031, 7, 1), OWN) == eur("111.00")


def test_an_account_written_with_spaces_in_the_file_is_found_without_them(db_session, store):
    """A statement may name its account by another scheme than the IBAN (Othr/Id), spaces and all."""
    data = camt(Line(eur("2.50"), date(2031, 8, 3), "Bank", None, "fee", "SP-1", direction="debit"), sid="SP",
                opening="70.00", iban=OWN, closing_on=date(2031, 8, 3))
    data = data.replace(f"<IBAN>{OWN}</IBAN>".encode(), b"<Othr><Id>de44 5001 0517 5407 3249 31</Id></Othr>")
    run(db_session, store, data)
    assert services.bank_statement_balance(db_session, date(2031, 8, 3), OWN) == eur("67.50")
    assert services.first_statement(db_session, account=OWN) == (eur("70.00"), date(2031, 8, 3))
    assert [line.reference for line in services.other_debits(db_session, date(2031, 8, 3), account=OWN)] == ["SP-1"]


def test_a_refund_is_not_sent_to_a_payer_whose_money_the_bank_took_back(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    run(db_session, store, camt(Line(eur("110.00"), date(2026, 11, 18), "A Payer", PAYER, case.ref, "RB-1", "E-RB-1"),
                                Line(eur("5.00"), date(2026, 11, 19), "B Payer", "DE75512108001245126199", case.ref,
                                     "RB-2", "E-RB-2"), sid="RB"))
    run(db_session, store, camt(Line(eur("5.00"), date(2026, 11, 19), "B Payer", "DE75512108001245126199", None,
                                     "RB-3", "E-RB-2", direction="debit", reversal=True), sid="RB-R"))
    row = services.refund(db_session, ACTOR, case.ref, today=DAY)
    assert (row.amount_minor, row.payee_name, row.payee_iban) == (1000, "A Payer", PAYER)


def test_the_first_statement_is_the_earliest_closed_whatever_the_import_order(db_session, store):
    """A statement without a closing balance has no day to start from and is passed over."""
    open_only = camt(Line(eur("1.00"), date(2031, 9, 1), "X", None, "x", "FE-0"), sid="FE-0", opening="10.00",
                     iban=OWN, closing_on=date(2031, 9, 1)).replace(b"<Cd>CLBD</Cd>", b"<Cd>ITBD</Cd>")
    run(db_session, store, open_only)
    run(db_session, store, camt(Line(eur("1.00"), date(2031, 9, 9), "X", None, "x", "FE-2"), sid="FE-2",
                                opening="31.00", iban=OWN, closing_on=date(2031, 9, 10)))
    run(db_session, store, camt(Line(eur("1.00"), date(2031, 9, 4), "X", None, "x", "FE-1"), sid="FE-1",
                                opening="30.00", iban=OWN, closing_on=date(2031, 9, 5)))
    assert services.first_statement(db_session, account=OWN) == (eur("30.00"), date(2031, 9, 4))


def test_exactly_one_cent_overpaid_can_be_refunded(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    overpay(db_session, store, case, "100.01", "OC1-1", name="Cent Payer")
    row = services.refund(db_session, ACTOR, case.ref, today=DAY)
    assert (row.amount_minor, row.payee_name) == (1, "Cent Payer")


def test_the_queue_sum_leaves_out_a_debit_whatever_its_status(db_session, store):
    run(db_session, store, camt(Line(eur("5.00"), DAY, "Bank", None, "fee", "QS-1", direction="debit"), sid="QS"))
    count, sums = services.unmatched_summary(db_session)
    fee = payment(db_session, "QS-1")
    fee.status = "unmatched"
    db_session.flush()
    assert services.unmatched_summary(db_session) == (count, sums)


def test_a_case_with_nothing_received_shows_nothing_paid(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    money = services.case_money(db_session, case)
    assert (money.paid, money.outstanding, money.overpaid) == (eur("0.00"), eur("100.00"), eur("0.00"))


def test_a_dollar_case_overpaid_in_dollars_is_refunded_in_dollars(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00", currency="USD")
    usd = Money.parse("110.00", "USD")
    run(db_session, store, write_camt053([{"id": "USD-1", "iban": IBAN, "currency": "USD",
                                           "opening": Money.parse("0.00", "USD"), "closing_on": DAY,
                                           "lines": [Line(usd, DAY, "P", PAYER, case.ref, "USD-1")]}]))
    assert services.overpaid(db_session, case) == Money.parse("10.00", "USD")
    row = services.refund(db_session, ACTOR, case.ref, today=DAY)
    assert (row.amount_minor, row.currency) == (1000, "USD") and case.stage == lifecycle.PAID
