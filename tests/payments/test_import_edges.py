"""Importing a bank statement, at its edges: what the import reports and records, which case a
credit is matched to (a reference that almost matches, an amount one cent off, two look-alike
payers), what the ledger and the audit trail say, when a case is paid and when a return reopens it."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from caseapp.cases import lifecycle
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.filestore import FileStore
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.ledger.models import LedgerTransaction
from caseapp.payments import services
from caseapp.payments.models import BankStatement, Payment, StatementImport
from caseapp.payments.statements import Line, write_camt053
from tests.cases.factories import make_case

ACTOR = Actor.system("test")
DAY = date(2026, 11, 20)
IBAN = "DE89370400440532013000"
PAYER = "DE02120300000000202051"
OTHER_PAYER = "DE75512108001245126199"


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def camt(*lines: Line, sid: str = "S1", opening: str = "0.00", iban: str = IBAN) -> bytes:
    return write_camt053([{"id": sid, "iban": iban, "currency": "EUR", "opening": eur(opening), "closing_on": DAY,
                           "lines": list(lines)}])


@pytest.fixture()
def store(tmp_path):
    return FileStore(tmp_path / "files")


def run(session, store, data: bytes, name: str = "s.xml"):
    return services.import_statement(session, store, ACTOR, data, filename=name, today=DAY)


def payment(session, reference: str) -> Payment:
    return session.scalar(select(Payment).where(Payment.bank_reference == reference))


def named_case(session, stage, claimed: str, name: str, **kw):
    case = make_case(session, stage, claimed=claimed, **kw)
    case.party.name = name
    session.flush()
    return case


def transaction(session, transaction_id) -> LedgerTransaction:
    return session.get(LedgerTransaction, transaction_id)


def events(session, action: str, subject_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                         AuditEvent.subject_id == subject_id)
                                .order_by(AuditEvent.id)))


# --- what an import reports and records -------------------------------------------------------------

def test_an_import_reports_each_entry_and_counts_them(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="200.00")
    run(db_session, store, camt(Line(eur("5.00"), DAY, "Early", None, "nothing", "IR-0"), sid="IR-A"))
    data = camt(Line(eur("80.00"), DAY, "Payer One", PAYER, f"Invoice {case.ref}", "IR-1", "E-IR-1"),
                Line(eur("12.34"), DAY, "Nobody Known", None, "no reference", "IR-2"),
                Line(eur("5.00"), DAY, "Early", None, "nothing", "IR-0"),
                Line(eur("80.00"), DAY, "Payer One", PAYER, None, "IR-3", "E-IR-1", direction="debit",
                     reversal=True, return_reason="AC04"),
                Line(eur("4.90"), DAY, None, None, "Kontofuehrung", "IR-4", direction="debit"),
                sid="IR-B", opening="100.00")
    result = run(db_session, store, data, "november.xml")
    summary = result.as_dict()
    assert {k: summary[k] for k in ("file", "format", "duplicate_file", "entries", "matched", "unmatched", "returns",
                                    "other_debits", "duplicates", "errors")} == {
        "file": "november.xml", "format": "camt.053.001.08", "duplicate_file": False, "entries": 5, "matched": 1,
        "unmatched": 1, "returns": 1, "other_debits": 1, "duplicates": 1, "errors": 0}
    assert (summary["import"], summary["sha256"]) == (result.import_id, result.sha256) and len(result.sha256) == 64
    assert summary["statements"] == [{"id": "IR-B", "account": IBAN, "opening": "100.00", "closing": "112.44",
                                      "closing_on": "2026-11-20", "currency": "EUR"}]
    matched, unmatched, duplicate, returned, fee = summary["results"]
    first = payment(db_session, "IR-1")
    assert matched == {"entry": "statement IR-B, entry 1", "reference": "IR-1", "payment": first.id,
                       "amount": "80.00", "currency": "EUR", "direction": "credit", "result": "matched",
                       "case": case.ref, "matched_by": "reference", "costs": "0.00", "interest": "0.00",
                       "claim": "80.00", "overpaid": "0.00"}
    assert unmatched == {"entry": "statement IR-B, entry 2", "reference": "IR-2",
                         "payment": payment(db_session, "IR-2").id, "amount": "12.34", "currency": "EUR",
                         "direction": "credit", "result": "unmatched"}
    assert duplicate == {"entry": "statement IR-B, entry 3", "reference": "IR-0", "result": "duplicate"}
    assert returned == {"entry": "statement IR-B, entry 4", "reference": "IR-3",
                        "payment": payment(db_session, "IR-3").id, "amount": "80.00", "currency": "EUR",
                        "direction": "debit", "result": "return", "returns": first.id, "reason": "AC04"}
    assert fee == {"entry": "statement IR-B, entry 5", "reference": "IR-4", "payment": payment(db_session, "IR-4").id,
                   "amount": "4.90", "currency": "EUR", "direction": "debit", "result": "other_debit"}
    record = db_session.get(StatementImport, result.import_id)
    assert (record.filename, record.entries, record.duplicates, record.matched, record.unmatched) == (
        "november.xml", 5, 1, 1, 1)
    assert record.imported_by == ACTOR.name and store.exists(result.sha256)
    [audited] = events(db_session, "payment_import.imported", record.id)
    assert audited.subject_type == "payment_import"
    assert audited.details == {"file": "november.xml", "sha256": result.sha256, "format": "camt.053.001.08",
                               "statements": ["IR-B"], "entries": 5, "matched": 1, "unmatched": 1,
                               "duplicates": 1}
    statement = db_session.scalar(select(BankStatement).where(BankStatement.statement_ref == "IR-B"))
    assert (statement.account, statement.opening_minor, statement.closing_minor, statement.import_id) == (
        IBAN, 10000, 11244, record.id)
    assert {p.statement_id for p in db_session.scalars(select(Payment).where(Payment.import_id == record.id))} \
        == {statement.id}


def test_a_file_imported_again_books_nothing_and_records_no_import(db_session, store):
    data = camt(Line(eur("7.00"), DAY, "Nobody", None, "x", "TW-1"), sid="TW")
    first = run(db_session, store, data, "a.xml")
    again = run(db_session, store, data, "b.xml")
    assert again.duplicate_file and again.import_id is None and again.statements == []
    assert again.rows == [{"entry": "statement TW, entry 1", "reference": "TW-1", "result": "duplicate"}]
    assert again.sha256 == first.sha256 and again.format == "camt.053.001.08"
    assert db_session.scalar(select(StatementImport.id).where(StatementImport.filename == "b.xml")) is None


def test_a_file_without_a_name_is_recorded_as_statement_and_a_long_name_is_cut(db_session, store):
    one = run(db_session, store, camt(Line(eur("7.00"), DAY, "N", None, "x", "FN-1"), sid="FN-1"), "")
    two = run(db_session, store, camt(Line(eur("7.00"), DAY, "N", None, "x", "FN-2"), sid="FN-2"), "x" * 300)
    assert db_session.get(StatementImport, one.import_id).filename == "statement"
    assert db_session.get(StatementImport, two.import_id).filename == "x" * 255


def test_a_statement_imported_again_in_a_later_file_keeps_its_row(db_session, store):
    run(db_session, store, camt(Line(eur("7.00"), DAY, "N", None, "x", "SR-1"), sid="SR"))
    later = run(db_session, store, camt(Line(eur("7.00"), DAY, "N", None, "x", "SR-1"),
                                        Line(eur("8.00"), DAY, "N", None, "y", "SR-2"), sid="SR"))
    [row] = db_session.scalars(select(BankStatement).where(BankStatement.statement_ref == "SR"))
    assert payment(db_session, "SR-2").statement_id == row.id and row.import_id != later.import_id


def test_a_csv_entry_belongs_to_no_statement(db_session, store):
    data = (b"booked_on,value_on,amount,currency,payer_name,payer_iban,remittance,bank_reference\n"
            b"2026-11-20,2026-11-21,9.99,EUR,Csv Payer,,nothing,CSV-1\n")
    result = run(db_session, store, data, "s.csv")
    assert result.format == "csv" and result.statements == []
    entry = payment(db_session, "CSV-1")
    assert (entry.statement_id, entry.value_on, entry.booked_on, entry.status) == (
        None, date(2026, 11, 21), DAY, "unmatched")


# --- the ledger and the audit trail of a matched and an unmatched credit ---------------------------

def test_a_matched_credit_is_booked_from_the_bank_to_the_case(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    ledger.post(db_session, ACTOR, kind="costs_advanced", description="court fee", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", eur("20.00"), case_id=case.id),
                       ledger.credit("bank", eur("20.00"))])
    run(db_session, store, camt(Line(eur("130.00"), date(2026, 11, 19), "Payer One", PAYER, case.ref, "LB-1",
                                     "E-LB-1"), sid="LB"))
    booked = payment(db_session, "LB-1")
    assert (booked.status, booked.case_id, booked.matched_by, booked.end_to_end_id) == (
        "matched", case.id, "reference", "E-LB-1")
    assert (booked.costs_minor, booked.interest_minor, booked.claim_minor, booked.excess_minor) == (2000, 0, 10000,
                                                                                                    1000)
    assert booked.receipt_transaction_id == booked.allocation_transaction_id is not None
    posted = transaction(db_session, booked.receipt_transaction_id)
    assert (posted.kind, posted.description, posted.booked_on, posted.case_id, posted.client_id, posted.source) == (
        "payment_received", f"{case.ref}: Payer One, {case.ref}", date(2026, 11, 19), case.id, case.client_id,
        f"payment {booked.id}")
    assert ledger.balance(db_session, "costs_advanced", case_id=case.id) == eur("0.00")
    assert ledger.balance(db_session, "collected", case_id=case.id) == eur("-100.00")
    assert ledger.balance(db_session, "collected", client_id=case.client_id) == eur("-100.00")
    assert services.overpaid(db_session, case) == eur("10.00")
    [applied] = events(db_session, "payment.applied", booked.id)
    assert (applied.subject_type, applied.case_id) == ("payment", case.id)
    assert applied.details == {"amount": "130.00 EUR", "costs": "20.00 EUR", "interest": "0.00 EUR",
                               "claim": "100.00 EUR", "overpaid": "10.00 EUR", "matched_by": "reference"}
    assert case.stage == lifecycle.PAID


def test_a_credit_without_payer_or_text_says_so_in_the_ledger(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    run(db_session, store, camt(Line(eur("10.00"), DAY, None, None, case.ref, "PU-1"),
                                Line(eur("11.00"), DAY, None, None, None, "PU-2"), sid="PU"))
    matched, unmatched = payment(db_session, "PU-1"), payment(db_session, "PU-2")
    assert transaction(db_session, matched.receipt_transaction_id).description == f"{case.ref}: payer unknown, " \
                                                                                   f"{case.ref}"
    posted = transaction(db_session, unmatched.receipt_transaction_id)
    assert (posted.kind, posted.description, posted.source, posted.case_id) == (
        "payment_received", "Unmatched: payer unknown,", f"payment {unmatched.id}", None)
    assert unmatched.allocation_transaction_id is None and unmatched.case_id is None


def test_an_unmatched_credit_waits_in_suspense_with_its_text(db_session, store):
    before = ledger.balance(db_session, "suspense")
    run(db_session, store, camt(Line(eur("12.34"), DAY, "Mystery Payer", None, "Lizenz Foto", "SU-1"), sid="SU"))
    unmatched = payment(db_session, "SU-1")
    assert transaction(db_session, unmatched.receipt_transaction_id).description == \
        "Unmatched: Mystery Payer, Lizenz Foto"
    assert ledger.balance(db_session, "suspense") == before - eur("12.34")
    assert (unmatched.status, unmatched.matched_by, unmatched.case_id) == ("unmatched", None, None)
    assert (unmatched.costs_minor, unmatched.interest_minor, unmatched.claim_minor, unmatched.excess_minor) == (
        0, 0, 0, 0)


def test_a_bank_fee_is_recorded_but_not_booked_at_import(db_session, store):
    bank = ledger.balance(db_session, "bank")
    run(db_session, store, camt(Line(eur("4.90"), DAY, "Sparkasse", None, "fee", "BF-1", direction="debit"),
                                sid="BF"))
    fee = payment(db_session, "BF-1")
    assert (fee.status, fee.receipt_transaction_id, fee.allocation_transaction_id, fee.direction) == (
        "other_debit", None, None, "debit")
    assert ledger.balance(db_session, "bank") == bank


# --- matching: by reference -------------------------------------------------------------------------

def test_an_unknown_reference_is_passed_over_for_the_next_one(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    run(db_session, store, camt(Line(eur("10.00"), DAY, "P", None, f"C-1999-999999 then {case.ref}", "UR-1"),
                                sid="UR"))
    assert payment(db_session, "UR-1").case_id == case.id


def test_a_reference_that_almost_matches_matches_nothing(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    almost = case.ref[:-6] + "9" + case.ref[-5:]          # one digit off: no such case
    if almost == case.ref:
        almost = case.ref[:-6] + "8" + case.ref[-5:]
    result = run(db_session, store, camt(Line(eur("10.00"), DAY, "P", None, f"{almost} {case.ref}0", "AM-1"),
                                         sid="AM"))
    assert result.rows[0]["result"] == "unmatched"
    assert services.claim_due(db_session, case) == eur("100.00")


def test_the_same_reference_twice_in_a_file_is_looked_up_once_and_both_matched(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    result = run(db_session, store, camt(Line(eur("30.00"), DAY, "P", None, case.ref, "TR-1"),
                                         Line(eur("70.00"), DAY, "P", None, case.ref.lower(), "TR-2"), sid="TR"))
    assert [(r["result"], r["claim"]) for r in result.rows] == [("matched", "30.00"), ("matched", "70.00")]
    assert case.stage == lifecycle.PAID


def test_a_payment_in_another_currency_than_its_case_is_not_booked_to_it(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00", currency="USD")
    result = run(db_session, store, camt(Line(eur("100.00"), DAY, "P", None, case.ref, "CU-1"), sid="CU"))
    assert result.rows[0]["result"] == "unmatched"
    assert case.stage == lifecycle.OFFER_SENT


# --- matching: by amount and payer name -------------------------------------------------------------

def test_by_amount_exactly_what_is_owed_not_a_cent_more_or_less(db_session, store):
    case = named_case(db_session, lifecycle.FINAL_DEMAND, "987.65", "Lichtwerk Brandt")
    less = run(db_session, store, camt(Line(eur("987.64"), DAY, "Lichtwerk Brandt", None, "Foto", "BA-1"), sid="BA1"))
    more = run(db_session, store, camt(Line(eur("987.66"), DAY, "Lichtwerk Brandt", None, "Foto", "BA-2"), sid="BA2"))
    assert [less.rows[0]["result"], more.rows[0]["result"]] == ["unmatched", "unmatched"]
    exact = run(db_session, store, camt(Line(eur("987.65"), DAY, "LICHTWERK BRANDT GMBH", None, "Foto", "BA-3"),
                                        sid="BA3"))
    assert (exact.rows[0]["result"], exact.rows[0]["case"], exact.rows[0]["matched_by"]) == (
        "matched", case.ref, "amount_name")
    assert payment(db_session, "BA-3").matched_by == "amount_name"
    assert case.stage == lifecycle.PAID


def test_by_amount_a_payer_name_at_the_threshold_matches_one_letter_less_does_not(db_session, store):
    case = named_case(db_session, lifecycle.COLLECTION, "876.54", "abcdefghijklmnopqrst")
    below = run(db_session, store, camt(Line(eur("876.54"), DAY, "abcdefghijklmnopwxyz", None, "x", "NT-1"),
                                        sid="NT1"))
    assert below.rows[0]["result"] == "unmatched"
    at = run(db_session, store, camt(Line(eur("876.54"), DAY, "abcdefghijklmnopqxyz", None, "x", "NT-2"), sid="NT2"))
    assert at.rows[0]["result"] == "matched" and at.rows[0]["case"] == case.ref


def test_by_amount_no_payer_name_matches_nothing(db_session, store):
    named_case(db_session, lifecycle.COLLECTION, "765.43", "Nordlicht Verlag")
    result = run(db_session, store, camt(Line(eur("765.43"), DAY, None, None, "x", "NP-1"), sid="NP"))
    assert result.rows[0]["result"] == "unmatched"


def test_by_amount_two_look_alike_cases_owing_it_match_neither(db_session, store):
    one = named_case(db_session, lifecycle.OFFER_SENT, "654.32", "Studio Kranich")
    two = named_case(db_session, lifecycle.REMINDER_SENT, "654.32", "Studio Kranich")
    result = run(db_session, store, camt(Line(eur("654.32"), DAY, "Studio Kranich", None, "x", "TL-1"), sid="TL"))
    assert result.rows[0]["result"] == "unmatched"
    assert (one.stage, two.stage) == (lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT)


@pytest.mark.parametrize("stage", [lifecycle.READY, lifecycle.PAID, lifecycle.CLOSED])
def test_by_amount_a_case_that_expects_no_money_is_not_matched(db_session, store, stage):
    named_case(db_session, stage, "543.21", "Grauwal Medien")
    result = run(db_session, store, camt(Line(eur("543.21"), DAY, "Grauwal Medien", None, "x", "NS-1"), sid="NS"))
    assert result.rows[0]["result"] == "unmatched"


@pytest.mark.parametrize("stage", services.PAYABLE_STAGES)
def test_by_amount_every_stage_that_expects_money_is_matched(db_session, store, stage):
    case = named_case(db_session, stage, "432.19", "Seeadler Druck")
    result = run(db_session, store, camt(Line(eur("432.19"), DAY, "Seeadler Druck", None, "x", "PS-1"), sid="PS"))
    assert result.rows[0]["result"] == "matched" and result.rows[0]["case"] == case.ref


def test_by_amount_a_case_owing_one_cent_is_matched(db_session, store):
    case = named_case(db_session, lifecycle.COLLECTION, "0.01", "Kleinstbetrag Zahler")
    result = run(db_session, store, camt(Line(eur("0.01"), DAY, "Kleinstbetrag Zahler", None, "x", "OC-1"), sid="OC"))
    assert result.rows[0]["result"] == "matched" and result.rows[0]["case"] == case.ref


def test_by_amount_what_is_owed_is_kept_current_within_a_file(db_session, store):
    """Part paid by reference, the rest by amount and name in the same file: the second entry
    matches what is owed after the first; a third of the old amount matches nothing."""
    case = named_case(db_session, lifecycle.COLLECTION, "321.00", "Wanderfalke Foto")
    result = run(db_session, store, camt(Line(eur("1.00"), DAY, "Someone Else", None, "no ref", "KC-0"),
                                         Line(eur("21.00"), DAY, "Wanderfalke Foto", None, case.ref, "KC-1"),
                                         Line(eur("300.00"), DAY, "Wanderfalke Foto", None, "Rest", "KC-2"),
                                         Line(eur("321.00"), DAY, "Wanderfalke Foto", None, "again", "KC-3"),
                                         Line(eur("300.00"), DAY, "Wanderfalke Foto", None, "again", "KC-4"),
                                         sid="KC"))
    assert [r["result"] for r in result.rows] == ["unmatched", "matched", "matched", "unmatched", "unmatched"]
    assert result.rows[2]["matched_by"] == "amount_name" and case.stage == lifecycle.PAID


def test_by_amount_a_case_paid_earlier_in_the_file_is_not_matched_again(db_session, store):
    case = named_case(db_session, lifecycle.COLLECTION, "234.56", "Eisvogel Grafik")
    result = run(db_session, store, camt(Line(eur("234.56"), DAY, "Eisvogel Grafik", None, "x", "PA-1"),
                                         Line(eur("234.56"), DAY, "Eisvogel Grafik", None, "x", "PA-2"), sid="PA"))
    assert [r["result"] for r in result.rows] == ["matched", "unmatched"]
    assert services.overpaid(db_session, case) == eur("0.00")


def test_by_amount_a_case_the_bank_took_money_back_from_is_matched_again_in_the_file(db_session, store):
    case = named_case(db_session, lifecycle.COLLECTION, "345.67", "Kormoran Design")
    result = run(db_session, store, camt(Line(eur("345.67"), DAY, "Kormoran Design", PAYER, "x", "RA-1", "E-RA-1"),
                                         Line(eur("345.67"), DAY, "Kormoran Design", PAYER, None, "RA-2", "E-RA-1",
                                              direction="debit", reversal=True),
                                         Line(eur("345.67"), DAY, "Kormoran Design", PAYER, "y", "RA-3", "E-RA-3"),
                                         sid="RA"))
    assert [r["result"] for r in result.rows] == ["matched", "return", "matched"]
    assert result.rows[2]["case"] == case.ref and case.stage == lifecycle.PAID


# --- paid in full -----------------------------------------------------------------------------------

@pytest.mark.parametrize("paid, stage, overpaid", [("149.99", lifecycle.REMINDER_SENT, "0.00"),
                                                    ("150.00", lifecycle.PAID, "0.00"),
                                                    ("150.01", lifecycle.PAID, "0.01")])
def test_a_case_is_paid_when_exactly_what_it_owes_is_received(db_session, store, paid, stage, overpaid):
    case = make_case(db_session, lifecycle.REMINDER_SENT, claimed="150.00")
    run(db_session, store, camt(Line(eur(paid), DAY, "P", None, case.ref, "PF-1"), sid="PF"))
    assert case.stage == stage and services.overpaid(db_session, case) == eur(overpaid)
    if stage == lifecycle.PAID:
        event = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                            AuditEvent.action == "case.stage_changed")).first()
        assert (event.from_state, event.to_state) == (lifecycle.REMINDER_SENT, lifecycle.PAID)
        assert event.reason == "Paid in full: the bank statement shows the due amount received."


def test_two_payments_in_one_file_that_together_cover_the_case_pay_it(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="150.00")
    run(db_session, store, camt(Line(eur("100.00"), DAY, "P", None, case.ref, "TP-1"),
                                Line(eur("50.00"), DAY, "P", None, case.ref, "TP-2"), sid="TP"))
    assert case.stage == lifecycle.PAID
    assert (payment(db_session, "TP-2").claim_minor, payment(db_session, "TP-2").excess_minor) == (5000, 0)


# --- returns ----------------------------------------------------------------------------------------

def test_a_return_finds_its_credit_by_payer_account_when_it_has_no_end_to_end_id(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="200.00")
    run(db_session, store, camt(Line(eur("50.00"), date(2026, 11, 18), "P", PAYER, case.ref, "RI-1"),
                                Line(eur("50.00"), date(2026, 11, 19), "P", PAYER, case.ref, "RI-2"),
                                Line(eur("50.00"), DAY, "Q", OTHER_PAYER, case.ref, "RI-3"),
                                Line(eur("60.00"), DAY, "P", PAYER, case.ref, "RI-4"), sid="RI"))
    run(db_session, store, camt(Line(eur("50.00"), DAY, "P", PAYER, None, "RI-5", direction="debit",
                                     return_reason="MD06"), sid="RI-R"))
    assert [payment(db_session, r).status for r in ("RI-1", "RI-2", "RI-3", "RI-4")] == [
        "matched", "returned", "matched", "matched"]
    back = payment(db_session, "RI-5")
    assert (back.status, back.returns_payment_id, back.case_id) == ("return", payment(db_session, "RI-2").id,
                                                                   case.id)
    assert services.claim_due(db_session, case) == eur("50.00")


def test_a_return_by_end_to_end_id_takes_back_that_credit_not_the_latest(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="200.00")
    run(db_session, store, camt(Line(eur("50.00"), date(2026, 11, 18), "P", PAYER, case.ref, "RE-1", "E-RE-1"),
                                Line(eur("50.00"), DAY, "P", PAYER, case.ref, "RE-2", "E-RE-2"), sid="RE"))
    run(db_session, store, camt(Line(eur("50.00"), DAY, "P", PAYER, None, "RE-3", "E-RE-1", direction="debit",
                                     reversal=True), sid="RE-R"))
    assert [payment(db_session, r).status for r in ("RE-1", "RE-2")] == ["returned", "matched"]


def test_a_return_whose_end_to_end_id_is_unknown_falls_back_to_the_payer_account(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="200.00")
    run(db_session, store, camt(Line(eur("50.00"), DAY, "P", PAYER, case.ref, "RF-1", "E-RF-1"), sid="RF"))
    run(db_session, store, camt(Line(eur("50.00"), DAY, "P", PAYER, None, "RF-2", "E-UNKNOWN", direction="debit",
                                     reversal=True), sid="RF-R"))
    assert payment(db_session, "RF-1").status == "returned"


def test_a_return_of_another_amount_or_without_a_trace_goes_to_suspense(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="200.00")
    run(db_session, store, camt(Line(eur("50.00"), DAY, "P", PAYER, case.ref, "RS-1", "E-RS-1"), sid="RS"))
    suspense, bank = ledger.balance(db_session, "suspense"), ledger.balance(db_session, "bank")
    result = run(db_session, store, camt(Line(eur("49.99"), DAY, "P", PAYER, None, "RS-2", "E-RS-1",
                                              direction="debit", reversal=True, return_reason="AC04"),
                                         Line(eur("50.00"), DAY, "P", None, None, "RS-3", direction="debit",
                                              reversal=True), sid="RS-R"))
    assert [(r["result"], r["returns"]) for r in result.rows] == [("return", None), ("return", None)]
    assert payment(db_session, "RS-1").status == "matched"
    assert ledger.balance(db_session, "suspense") == suspense + eur("99.99")
    assert ledger.balance(db_session, "bank") == bank - eur("99.99")
    lone = payment(db_session, "RS-2")
    posted = transaction(db_session, lone.receipt_transaction_id)
    assert (posted.kind, posted.description, posted.source) == (
        "payment_returned", f"Return without its original: returned by the bank (AC04), payment {lone.id}",
        f"payment {lone.id}")
    assert transaction(db_session, payment(db_session, "RS-3").receipt_transaction_id).description == \
        f"Return without its original: returned by the bank (reversal), payment {payment(db_session, 'RS-3').id}"
    [audited] = events(db_session, "payment.returned", lone.id)
    assert (audited.subject_type, audited.details) == ("payment", {"original": None, "reason": "AC04"})


def test_a_returned_credit_is_not_returned_twice(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="200.00")
    run(db_session, store, camt(Line(eur("50.00"), DAY, "P", PAYER, case.ref, "RT2-1", "E-RT2"), sid="RT2"))
    run(db_session, store, camt(Line(eur("50.00"), DAY, "P", PAYER, None, "RT2-2", "E-RT2", direction="debit",
                                     reversal=True), sid="RT2-R"))
    second = run(db_session, store, camt(Line(eur("50.00"), DAY, "P", PAYER, None, "RT2-3", "E-RT2",
                                              direction="debit", reversal=True), sid="RT2-S"))
    assert second.rows[0]["returns"] is None
    assert services.claim_due(db_session, case) == eur("200.00")


def test_a_return_of_an_unmatched_credit_clears_it_from_suspense(db_session, store):
    before = ledger.balance(db_session, "suspense")
    run(db_session, store, camt(Line(eur("33.00"), DAY, "Nobody", PAYER, "no ref", "RU-1", "E-RU"),
                                Line(eur("33.00"), DAY, "Nobody", PAYER, None, "RU-2", "E-RU", direction="debit",
                                     reversal=True, return_reason="AM05"), sid="RU"))
    original, back = payment(db_session, "RU-1"), payment(db_session, "RU-2")
    assert (original.status, back.returns_payment_id, back.case_id) == ("returned", original.id, None)
    assert ledger.balance(db_session, "suspense") == before
    [audited] = events(db_session, "payment.returned", original.id)
    assert (audited.subject_type, audited.from_state, audited.to_state, audited.reason, audited.case_id) == (
        "payment", "unmatched", "returned", "AM05", None)
    assert audited.details == {"return_payment": back.id, "amount": "33.00 EUR"}


def test_a_return_of_an_assigned_credit_undoes_the_assignment_and_the_receipt(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="40.00")
    suspense, bank = ledger.balance(db_session, "suspense"), ledger.balance(db_session, "bank")
    run(db_session, store, camt(Line(eur("40.00"), DAY, "Nobody", PAYER, "no ref", "RA2-1", "E-RA2"), sid="RA2"))
    original = payment(db_session, "RA2-1")
    services.assign(db_session, ACTOR, original.id, case.ref, today=DAY)
    assert case.stage == lifecycle.PAID
    run(db_session, store, camt(Line(eur("40.00"), DAY, "Nobody", PAYER, None, "RA2-2", "E-RA2", direction="debit",
                                     reversal=True, return_reason="MD06"), sid="RA2-R"))
    assert ledger.balance(db_session, "suspense") == suspense and ledger.balance(db_session, "bank") == bank
    assert services.claim_due(db_session, case) == eur("40.00") and case.stage == lifecycle.COLLECTION
    [audited] = events(db_session, "payment.returned", original.id)
    assert (audited.from_state, audited.case_id, audited.reason) == ("matched", case.id, "MD06")


def test_a_returned_overpayment_leaves_a_paid_case_paid(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    run(db_session, store, camt(Line(eur("100.00"), DAY, "P", PAYER, case.ref, "RO-1", "E-RO-1"),
                                Line(eur("25.00"), DAY, "P", PAYER, case.ref, "RO-2", "E-RO-2"), sid="RO"))
    assert case.stage == lifecycle.PAID and services.overpaid(db_session, case) == eur("25.00")
    run(db_session, store, camt(Line(eur("25.00"), DAY, "P", PAYER, None, "RO-3", "E-RO-2", direction="debit",
                                     reversal=True), sid="RO-R"))
    assert case.stage == lifecycle.PAID and services.overpaid(db_session, case) == eur("0.00")


def test_a_return_on_a_case_not_yet_paid_leaves_its_stage(db_session, store):
    case = make_case(db_session, lifecycle.REMINDER_SENT, claimed="100.00")
    run(db_session, store, camt(Line(eur("30.00"), DAY, "P", PAYER, case.ref, "RN-1", "E-RN-1"), sid="RN"))
    run(db_session, store, camt(Line(eur("30.00"), DAY, "P", PAYER, None, "RN-2", "E-RN-1", direction="debit",
                                     reversal=True), sid="RN-R"))
    assert case.stage == lifecycle.REMINDER_SENT and services.claim_due(db_session, case) == eur("100.00")


def test_a_reopened_case_says_why_and_what_is_due(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="150.00")
    run(db_session, store, camt(Line(eur("150.00"), DAY, "P", PAYER, case.ref, "RW-1", "E-RW-1"), sid="RW"))
    run(db_session, store, camt(Line(eur("150.00"), date(2026, 11, 21), "P", PAYER, None, "RW-2", "E-RW-1",
                                     direction="debit", reversal=True, return_reason="MD06"), sid="RW-R"))
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.action == "case.stage_changed")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.to_state == lifecycle.COLLECTION
    assert event.reason == "Owed again: 150.00 EUR returned by the bank (MD06); 150.00 EUR is due."
    reversal = transaction(db_session, payment(db_session, "RW-2").receipt_transaction_id)
    assert reversal.booked_on == date(2026, 11, 21)
    assert reversal.reverses_id == payment(db_session, "RW-1").receipt_transaction_id


def test_by_amount_a_credit_naming_an_unknown_reference_is_still_matched_by_amount_and_name(db_session, store):
    """A reference that is no case's is no reason to skip the amount-and-name match, whether the
    entry comes first in its file or after entries without a reference."""
    alone = named_case(db_session, lifecycle.COLLECTION, "456.78", "Rotkehlchen Atelier")
    after = named_case(db_session, lifecycle.COLLECTION, "456.79", "Blaumeise Studio")
    first = run(db_session, store, camt(Line(eur("456.78"), DAY, "Rotkehlchen Atelier", None, "C-1999-999999",
                                             "UK-1"), sid="UK1"))
    second = run(db_session, store, camt(Line(eur("1.00"), DAY, "Someone Else", None, "no ref", "UK-2"),
                                         Line(eur("456.79"), DAY, "Blaumeise Studio", None, "C-1999-999999", "UK-3"),
                                         sid="UK2"))
    assert (first.rows[0]["result"], first.rows[0].get("case")) == ("matched", alone.ref)
    assert (second.rows[1]["result"], second.rows[1].get("case")) == ("matched", after.ref)


def test_a_bank_fee_before_a_credit_in_the_same_file_leaves_the_credit_booked(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    run(db_session, store, camt(Line(eur("4.90"), DAY, "Sparkasse", None, "fee", "FC-1", direction="debit"),
                                Line(eur("10.00"), DAY, "P", None, case.ref, "FC-2"),
                                Line(eur("11.00"), DAY, "P", None, "no ref", "FC-3"), sid="FC"))
    credit, unmatched = payment(db_session, "FC-2"), payment(db_session, "FC-3")
    assert credit.receipt_transaction_id == credit.allocation_transaction_id is not None
    assert unmatched.receipt_transaction_id is not None and unmatched.allocation_transaction_id is None
    assert services.claim_due(db_session, case) == eur("90.00") and credit.version == 1


def test_a_statement_without_a_closing_or_an_opening_balance_says_none(db_session, store):
    data = camt(Line(eur("7.00"), DAY, "N", None, "x", "NB-1"), sid="NB", opening="5.00")
    no_closing = data.replace(b"<Cd>CLBD</Cd>", b"<Cd>ITBD</Cd>")
    result = run(db_session, store, no_closing)
    assert result.statements == [{"id": "NB", "account": IBAN, "opening": "5.00", "closing": None,
                                  "closing_on": None, "currency": "EUR"}]
    row = db_session.scalar(select(BankStatement).where(BankStatement.statement_ref == "NB"))
    assert (row.opening_minor, row.closing_minor, row.closing_on) == (500, None, None)
    no_opening = camt(Line(eur("7.00"), DAY, "N", None, "x", "NO-1"), sid="NO").replace(b"<Cd>OPBD</Cd>",
                                                                                      b"<Cd>ITBD</Cd>")
    assert run(db_session, store, no_opening).statements[0]["opening"] is None


def test_more_entries_than_one_lookup_takes_still_finds_each_one_booked_before(db_session, store):
    """The bank references already booked are looked up 500 at a time: the 501st entry, booked
    by an earlier file, is a duplicate all the same; the queue shows the oldest 200."""
    head = b"booked_on,value_on,amount,currency,payer_name,payer_iban,remittance,bank_reference\n"
    run(db_session, store, head + b"2026-11-01,,1.00,EUR,Early,,nothing,KR-LAST\n", "early.csv")
    lines = [f"2026-11-20,,1.00,EUR,Bulk,,nothing,KR-{i:03d}\n".encode() for i in range(500)]
    result = run(db_session, store, head + b"".join(lines) + b"2026-11-01,,1.00,EUR,Early,,nothing,KR-LAST\n",
                 "bulk.csv")
    assert result.rows[-1]["result"] == "duplicate" and result.as_dict()["duplicates"] == 1
    assert result.count("unmatched") == 500
    assert len(services.unmatched_payments(db_session)) == 200


def test_costs_still_owed_equal_to_the_claim_are_not_paid(db_session, store):
    """Costs 60.00 and a claim of 50.00: 10.00 paid leaves 50.00 of costs and 50.00 of claim owed."""
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="50.00")
    ledger.post(db_session, ACTOR, kind="costs_advanced", description="court fee", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", eur("60.00"), case_id=case.id),
                       ledger.credit("bank", eur("60.00"))])
    run(db_session, store, camt(Line(eur("10.00"), DAY, "P", PAYER, case.ref, "CE-1", "E-CE-1"), sid="CE"))
    assert case.stage == lifecycle.OFFER_SENT
    assert services.case_money(db_session, case).outstanding == eur("100.00")
    run(db_session, store, camt(Line(eur("10.00"), DAY, "Nobody", None, "no ref", "CE-2"), sid="CE-2"))
    services.assign(db_session, ACTOR, payment(db_session, "CE-2").id, case.ref, today=DAY)
    assert case.stage == lifecycle.OFFER_SENT


def test_a_returned_payment_of_costs_and_claim_alike_reopens_the_case(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="50.00")
    ledger.post(db_session, ACTOR, kind="costs_advanced", description="court fee", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", eur("50.00"), case_id=case.id),
                       ledger.credit("bank", eur("50.00"))])
    run(db_session, store, camt(Line(eur("100.00"), DAY, "P", PAYER, case.ref, "CR-1", "E-CR-1"), sid="CR"))
    assert case.stage == lifecycle.PAID
    run(db_session, store, camt(Line(eur("100.00"), DAY, "P", PAYER, None, "CR-2", "E-CR-1", direction="debit",
                                     reversal=True), sid="CR-R"))
    assert case.stage == lifecycle.COLLECTION
    assert services.case_money(db_session, case).outstanding == eur("100.00")


def test_a_return_without_end_to_end_id_takes_back_the_latest_credit_by_day_then_by_arrival(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="500.00")
    run(db_session, store, camt(Line(eur("20.00"), date(2026, 11, 19), "P", PAYER, case.ref, "LD-1"),
                                Line(eur("20.00"), date(2026, 11, 18), "P", PAYER, case.ref, "LD-2"),
                                Line(eur("30.00"), date(2026, 11, 18), "P", PAYER, case.ref, "LD-3"),
                                Line(eur("30.00"), date(2026, 11, 18), "P", PAYER, case.ref, "LD-4"), sid="LD"))
    run(db_session, store, camt(Line(eur("20.00"), DAY, "P", PAYER, None, "LD-5", direction="debit", reversal=True),
                                Line(eur("30.00"), DAY, "P", PAYER, None, "LD-6", direction="debit", reversal=True),
                                sid="LD-R"))
    assert [payment(db_session, f"LD-{i}").status for i in range(1, 5)] == ["returned", "matched", "matched",
                                                                           "returned"]


def test_a_return_in_another_currency_does_not_take_back_a_euro_credit(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="500.00")
    run(db_session, store, camt(Line(eur("20.00"), DAY, "P", PAYER, case.ref, "CY-1", "E-CY"), sid="CY"))
    usd = Money.parse("20.00", "USD")
    data = write_camt053([{"id": "CY-R", "iban": IBAN, "currency": "USD", "opening": Money.parse("0.00", "USD"),
                           "closing_on": DAY, "lines": [Line(usd, DAY, "P", PAYER, None, "CY-2", "E-CY",
                                                             direction="debit", reversal=True)]}])
    result = run(db_session, store, data)
    assert result.rows[0]["returns"] is None and payment(db_session, "CY-1").status == "matched"


def test_matching_one_credit_by_hand_finds_its_case_by_reference_then_by_amount(db_session):
    from types import SimpleNamespace

    case = named_case(db_session, lifecycle.COLLECTION, "612.34", "Schwalbe Lichtbild")
    entry = SimpleNamespace(remittance=f"C-1999-999999, {case.ref}", amount=eur("1.00"), payer_name="X")
    assert services.match_case(db_session, entry) == (case, "reference")
    entry = SimpleNamespace(remittance="nothing", amount=eur("612.34"), payer_name="Schwalbe Lichtbild")
    assert services.match_case(db_session, entry) == (None, None)
    assert services.match_case(db_session, entry, services._Candidates(db_session)) == (case, "amount_name")


def test_the_same_bank_reference_twice_in_one_file_is_booked_once(db_session, store):
    result = run(db_session, store, camt(Line(eur("9.00"), DAY, "N", None, "x", "SF-1"),
                                         Line(eur("9.00"), DAY, "N", None, "x", "SF-1"), sid="SF"))
    assert [r["result"] for r in result.rows] == ["unmatched", "duplicate"]
    assert db_session.get(StatementImport, result.import_id).duplicates == 1


def test_the_same_statement_id_on_two_accounts_is_two_statements(db_session, store):
    other = "DE75512108001245126199"
    run(db_session, store, camt(Line(eur("9.00"), DAY, "N", None, "x", "TA-1"), sid="TA", opening="1.00"))
    run(db_session, store, camt(Line(eur("8.00"), DAY, "N", None, "x", "TA-2"), sid="TA", opening="2.00", iban=other))
    first, second = payment(db_session, "TA-1"), payment(db_session, "TA-2")
    assert db_session.get(BankStatement, first.statement_id).account == IBAN
    assert db_session.get(BankStatement, second.statement_id).account == other
    assert services.bank_statement_balance(db_session, DAY, other) == eur("10.00")


def test_a_case_reopened_by_a_reversal_without_a_reason_says_reversal(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="150.00")
    run(db_session, store, camt(Line(eur("150.00"), DAY, "P", PAYER, case.ref, "RV-1", "E-RV-1"), sid="RV"))
    run(db_session, store, camt(Line(eur("150.00"), DAY, "P", PAYER, None, "RV-2", "E-RV-1", direction="debit",
                                     reversal=True), sid="RV-R"))
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.action == "case.stage_changed")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.reason == "Owed again: 150.00 EUR returned by the bank (reversal); 150.00 EUR is due."


def test_a_payment_assigned_by_hand_leaving_costs_equal_to_the_claim_does_not_pay_the_case(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="50.00")
    ledger.post(db_session, ACTOR, kind="costs_advanced", description="court fee", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", eur("60.00"), case_id=case.id),
                       ledger.credit("bank", eur("60.00"))])
    run(db_session, store, camt(Line(eur("10.00"), DAY, "Nobody", None, "no ref", "CH-1"), sid="CH"))
    services.assign(db_session, ACTOR, payment(db_session, "CH-1").id, case.ref, today=DAY)
    assert case.stage == lifecycle.OFFER_SENT
    assert services.case_money(db_session, case).outstanding == eur("100.00")


def test_a_credit_matched_without_any_text_is_booked_with_the_payer_alone(db_session, store):
    case = named_case(db_session, lifecycle.COLLECTION, "678.91", "Stieglitz Photo")
    run(db_session, store, camt(Line(eur("678.91"), DAY, "Stieglitz Photo", None, None, "NX-1"), sid="NX"))
    booked = payment(db_session, "NX-1")
    assert (booked.case_id, booked.matched_by) == (case.id, "amount_name")
    assert transaction(db_session, booked.receipt_transaction_id).description == f"{case.ref}: Stieglitz Photo,"


def test_a_matched_credit_is_money_in_the_bank_not_in_suspense(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    bank, suspense = ledger.balance(db_session, "bank"), ledger.balance(db_session, "suspense")
    run(db_session, store, camt(Line(eur("40.00"), DAY, "P", None, case.ref, "MB-1"), sid="MB"))
    assert ledger.balance(db_session, "bank") == bank + eur("40.00")
    assert ledger.balance(db_session, "suspense") == suspense


def test_a_bank_reference_longer_than_its_column_is_cut_to_100_characters(db_session, store):
    """camt.053 caps a reference at 35 characters; the CSV layout does not: the first 100 are kept."""
    long_ref = "R" * 100 + "-TAIL-OF-TWENTY-CHAR"
    data = (b"booked_on,value_on,amount,currency,payer_name,payer_iban,remittance,bank_reference\n"
            b"2026-11-20,2026-11-21,9.99,EUR,Csv Payer,,nothing," + long_ref.encode() + b"\n")
    run(db_session, store, data, "long.csv")
    assert payment(db_session, "R" * 100) is not None and payment(db_session, long_ref) is None


def test_a_file_too_large_is_refused_by_its_name(db_session, store):
    from caseapp.core.errors import InvalidInput
    from caseapp.payments.statements import MAX_FILE_BYTES

    with pytest.raises(InvalidInput, match=r"^october\.xml is larger than \d+ MB; split it\.$"):
        run(db_session, store, b" " * (MAX_FILE_BYTES + 1), "october.xml")
    assert db_session.scalars(select(StatementImport).where(StatementImport.filename == "october.xml")).all() == []


@pytest.mark.parametrize("second_names_its_case, built", [(True, 0), (False, 1)])
def test_the_open_cases_owing_money_are_read_only_when_a_credit_names_no_case(db_session, store, monkeypatch,
                                                                             second_names_its_case, built):
    """Matching by amount reads every open case's dues (slow at 100,000 cases): a file whose
    credits all name their cases never reads them; the first credit that names none reads them once."""
    built_times = []

    class Counted(services._Candidates):
        def __init__(self, *args, **kwargs):
            built_times.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(services, "_Candidates", Counted)
    one, two = (make_case(db_session, lifecycle.OFFER_SENT, claimed="80.00") for _ in range(2))
    data = camt(Line(eur("80.00"), DAY, "Payer One", PAYER, f"Invoice {one.ref}", "LZ-1"),
                Line(eur("80.00"), DAY, "Payer Two", OTHER_PAYER,
                     f"Invoice {two.ref}" if second_names_its_case else "no reference", "LZ-2"),
                sid="LZ")
    run(db_session, store, data)
    assert len(built_times) == built
