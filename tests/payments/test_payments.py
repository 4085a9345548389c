"""Payments: camt.053 and CSV read, imported once, matched to cases and booked (§ 367 BGB order),
returns undone, overpayments refunded; the ledger balances whatever comes in."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from caseapp.cases import lifecycle
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput
from caseapp.core.filestore import FileStore
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.payments import services
from caseapp.payments.models import Payment
from caseapp.payments.statements import Line, read_file, write_camt053
from tests.cases.factories import make_case

ACTOR = Actor.system("test")
DAY = date(2026, 11, 20)
IBAN = "DE89370400440532013000"
PAYER = "DE02120300000000202051"

from tests.payments.test_dues_in_bulk import assert_bulk_agrees


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def camt(*lines: Line, sid: str = "S1", opening: str = "0.00", statements=None) -> bytes:
    return write_camt053(statements or [{"id": sid, "iban": IBAN, "currency": "EUR", "opening": eur(opening),
                                         "closing_on": DAY, "lines": list(lines)}])


@pytest.fixture()
def store(tmp_path):
    return FileStore(tmp_path / "files")


def run(session, store, data: bytes, name: str = "s.xml"):
    return services.import_statement(session, store, ACTOR, data, filename=name, today=DAY)


def balanced(session) -> bool:
    return all(t.minor == 0 for t in ledger.totals(ledger.trial_balance(session)).values())


# --- reading ----------------------------------------------------------------------------------------

def test_camt053_several_statements_batched_entry_reversal_and_debit():
    data = camt(statements=[
        {"id": "S1", "iban": IBAN, "currency": "EUR", "opening": eur("100.00"), "closing_on": DAY, "lines": [
            Line(eur("450.00"), DAY, "Bergwerk GmbH", PAYER, "C-2026-000123", "R1", "E1"),
            Line(eur("30.00"), DAY, parts=[Line(eur("10.00"), DAY, "A", None, "a", "R2a"),
                                           Line(eur("20.00"), DAY, "B", None, "b", "R2b")]),
            Line(eur("450.00"), DAY, "Bergwerk GmbH", PAYER, None, "R3", "E1", direction="debit", reversal=True,
                 return_reason="AC04")]},
        {"id": "S2", "iban": IBAN, "currency": "EUR", "opening": eur("130.00"), "closing_on": date(2026, 11, 21),
         "lines": [Line(eur("5.00"), DAY, None, None, "fee", None, direction="debit")]}])
    parsed = read_file(data)
    assert parsed.format == "camt.053.001.08"
    assert [(s.ref, s.opening, s.closing) for s in parsed.statements] == [
        ("S1", eur("100.00"), eur("130.00")), ("S2", eur("130.00"), eur("125.00"))]
    e = parsed.entries
    assert [x.amount for x in e] == [eur("450.00"), eur("10.00"), eur("20.00"), eur("450.00"), eur("5.00")]
    assert [x.reference for x in e[:4]] == ["R1", "R2a", "R2b", "R3"]
    assert e[3].reversal and e[3].return_reason == "AC04" and e[3].end_to_end_id == "E1"
    assert e[4].direction == "debit" and e[4].reference.startswith("sha256:")


def test_a_file_that_does_not_validate_is_refused_naming_where():
    data = camt(Line(eur("1.00"), DAY, "X", None, "r", "R1")).replace(b"<CdtDbtInd>CRDT</CdtDbtInd><Sts>",
                                                                      b"<CdtDbtInd>CREDIT</CdtDbtInd><Sts>")
    with pytest.raises(InvalidInput, match=r"does not validate against camt.053.001.08.xsd \(statement S1, entry 1\) at /Document/.*Ntry/CdtDbtInd: value must be one of"):
        read_file(data)
    with pytest.raises(InvalidInput, match="not well-formed"):
        read_file(b"<Document>")


def test_a_file_s_entities_are_not_expanded(tmp_path):
    """A statement is data: an external entity (a file on the server) is neither read nor shown."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = camt(Line(eur("1.00"), DAY, "X", None, "ENTITY-HERE", "R1"))
    data = data.replace(b"<Document", f'<!DOCTYPE Document [<!ENTITY s SYSTEM "file://{secret}">]><Document'.encode(), 1)
    data = data.replace(b"ENTITY-HERE", b"&s;")
    with pytest.raises(InvalidInput, match=r"declares a document type") as refused:
        read_file(data)
    assert "TOP-SECRET" not in str(refused.value)


def test_csv_layout_and_a_bad_line():
    good = (b"booked_on,value_on,amount,currency,payer_name,payer_iban,remittance,bank_reference\n"
            b"2026-11-20,2026-11-20,450.00,EUR,Bergwerk GmbH,DE02 1203 0000 0000 2020 51,C-2026-000123,B1\n"
            b"2026-11-20,,-12.50,EUR,,,fee,\n")
    entries = read_file(good).entries
    assert entries[0].amount == eur("450.00") and entries[0].payer_iban == PAYER and entries[0].reference == "B1"
    assert entries[1].direction == "debit" and entries[1].reference.startswith("sha256:")
    with pytest.raises(InvalidInput, match="CSV line 3: amount '12.5x' is not an amount"):
        read_file(good.replace(b"-12.50", b"12.5x"))
    with pytest.raises(InvalidInput, match="lacks the column"):
        read_file(b"date,amount\n2026-01-01,1\n")


# --- importing once ---------------------------------------------------------------------------------

def test_importing_twice_and_an_overlapping_file_book_nothing_twice(db_session, store):
    a = Line(eur("10.00"), DAY, "Nobody", None, "no ref", "OV-1")
    b = Line(eur("20.00"), DAY, "Nobody", None, "no ref", "OV-2")
    first = run(db_session, store, camt(a))
    assert first.as_dict()["unmatched"] == 1
    again = run(db_session, store, camt(a))
    assert again.duplicate_file and again.as_dict()["duplicates"] == 1
    overlap = run(db_session, store, camt(a, b, sid="S2"))
    assert [r["result"] for r in overlap.rows] == ["duplicate", "unmatched"]
    assert db_session.scalar(select(func.count()).select_from(Payment)
                             .where(Payment.bank_reference.in_(["OV-1", "OV-2"]))) == 2
    assert balanced(db_session)


def test_a_bad_entry_refuses_the_whole_file(db_session, store):
    bad = (b"booked_on,value_on,amount,currency,payer_name,payer_iban,remittance,bank_reference\n"
           b"2026-11-20,,1.00,EUR,A,,x,OK-1\n2026-13-40,,1.00,EUR,A,,x,OK-2\n")
    with pytest.raises(InvalidInput, match="CSV line 3: booked_on '2026-13-40' is not a date"):
        run(db_session, store, bad, "bad.csv")
    assert db_session.scalar(select(Payment.id).where(Payment.bank_reference == "OK-1")) is None


# --- matching ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["{ref}", "c {y} {n}", "C-{y}-{n}".lower(), "c{y}{n}", "Rechnung {ref}, danke"])
def test_matching_by_reference_tolerates_spacing_and_case(db_session, store, written):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    y, n = case.ref[2:6], case.ref[7:]
    text = written.format(ref=case.ref, y=y, n=n)
    result = run(db_session, store, camt(Line(eur("40.00"), DAY, "Someone", None, text, f"REF-{text}")))
    assert result.rows[0]["result"] == "matched" and result.rows[0]["case"] == case.ref
    assert services.claim_due(db_session, case) == eur("60.00")


def test_matching_by_amount_and_name_both_sides(db_session, store):
    case = make_case(db_session, lifecycle.REMINDER_SENT, claimed="333.33")
    name = case.party.name
    assert services.name_similarity(name.upper() + " GmbH", name) >= services.NAME_THRESHOLD
    assert services.name_similarity("Bergwerk Media", "Bergwerk") < services.NAME_THRESHOLD
    miss = run(db_session, store, camt(Line(eur("333.33"), DAY, "Quite Other Person", None, "Lizenz", "AN-1")))
    assert miss.rows[0]["result"] == "unmatched"
    wrong_amount = run(db_session, store, camt(Line(eur("333.32"), DAY, name, None, "Lizenz", "AN-2"), sid="S2"))
    assert wrong_amount.rows[0]["result"] == "unmatched"
    hit = run(db_session, store, camt(Line(eur("333.33"), DAY, name.upper(), None, "Lizenz", "AN-3"), sid="S3"))
    assert hit.rows[0]["result"] == "matched" and hit.rows[0]["matched_by"] == "amount_name"
    assert db_session.get(type(case), case.id).stage == lifecycle.PAID


def test_unmatched_then_assigned_is_audited(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="50.00")
    run(db_session, store, camt(Line(eur("50.00"), DAY, "Mystery", None, "thanks", "UN-1")))
    payment = db_session.scalar(select(Payment).where(Payment.bank_reference == "UN-1"))
    assert payment in services.unmatched_payments(db_session)
    assert ledger.balance(db_session, "suspense") <= eur("-50.00")
    services.assign(db_session, ACTOR, payment.id, case.ref.lower().replace("-", " "), today=DAY,
                    seen_version=payment.version)
    assert payment.status == "matched" and payment.matched_by == "manual" and payment.claim_minor == 5000
    assert case.stage == lifecycle.PAID
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.assigned",
                                                      AuditEvent.subject_id == payment.id)) is not None
    with pytest.raises(InvalidInput, match="not waiting"):
        services.assign(db_session, ACTOR, payment.id, case.ref, today=DAY)
    assert balanced(db_session)


# --- § 367 BGB, paid, overpaid, refund, returns -----------------------------------------------------

def test_costs_first_then_claim_under_and_over_payment_and_refund(db_session, store):
    case = make_case(db_session, lifecycle.SETTLED, claimed="300.00")
    ledger.post(db_session, ACTOR, kind="costs_advanced", description="court fee", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", eur("38.00"), case_id=case.id), ledger.credit("bank", eur("38.00"))])
    under = run(db_session, store, camt(Line(eur("50.00"), DAY, "P", PAYER, case.ref, "P367-1")))
    assert (under.rows[0]["costs"], under.rows[0]["interest"], under.rows[0]["claim"]) == ("38.00", "0.00", "12.00")
    assert case.stage == lifecycle.SETTLED
    assert services.case_money(db_session, case).outstanding == eur("288.00")
    over = run(db_session, store, camt(Line(eur("300.00"), DAY, "P", PAYER, case.ref, "P367-2"), sid="S2"))
    assert (over.rows[0]["costs"], over.rows[0]["claim"], over.rows[0]["overpaid"]) == ("0.00", "288.00", "12.00")
    assert case.stage == lifecycle.PAID
    assert services.overpaid(db_session, case) == eur("12.00")
    refund = services.refund(db_session, ACTOR, case.ref, today=DAY)
    assert refund.amount_minor == 1200 and refund.payee_iban == PAYER and refund.state == "to_transfer"
    assert services.overpaid(db_session, case) == eur("0.00")
    with pytest.raises(InvalidInput, match="nothing overpaid"):
        services.refund(db_session, ACTOR, case.ref, today=DAY)
    assert balanced(db_session)


def test_a_return_undoes_the_booking_and_reopens_the_due_amount(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="200.00")
    run(db_session, store, camt(Line(eur("80.00"), DAY, "P", PAYER, case.ref, "RT-1", "E2E-RT")))
    assert services.claim_due(db_session, case) == eur("120.00")
    collected = ledger.balance(db_session, "collected", case_id=case.id)
    back = run(db_session, store, camt(Line(eur("80.00"), DAY, "P", PAYER, None, "RT-2", "E2E-RT", direction="debit",
                                            reversal=True, return_reason="AC04"), sid="S2"))
    assert back.rows[0]["result"] == "return"
    assert services.claim_due(db_session, case) == eur("200.00")
    assert ledger.balance(db_session, "collected", case_id=case.id) == collected + eur("80.00")
    original = db_session.scalar(select(Payment).where(Payment.bank_reference == "RT-1"))
    assert original.status == "returned"
    assert balanced(db_session)


@pytest.mark.parametrize("stage, back_to", [(lifecycle.OFFER_SENT, lifecycle.COLLECTION),
                                             (lifecycle.SETTLED, lifecycle.SETTLED)])
def test_a_return_reopens_a_paid_case(db_session, store, stage, back_to):
    """Paid in full, then the bank takes the money back: the case owes again (not 'paid')."""
    case = make_case(db_session, stage, claimed="150.00")
    if stage == lifecycle.SETTLED:
        from caseapp.settlements import services as settlements
        settlements.record_settlement(db_session, ACTOR, case, amount=eur("150.00"), covers="all", agreed_on=DAY,
                                      today=DAY)
    run(db_session, store, camt(Line(eur("150.00"), DAY, "P", PAYER, case.ref, f"RP-{case.id}", f"E-RP-{case.id}")))
    assert case.stage == lifecycle.PAID
    run(db_session, store, camt(Line(eur("150.00"), DAY, "P", PAYER, None, f"RP-{case.id}-r", f"E-RP-{case.id}",
                                     direction="debit", reversal=True, return_reason="MD06"), sid="S2"))
    assert case.stage == back_to
    assert services.case_money(db_session, case).outstanding == eur("150.00")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.action == "case.stage_changed")
                               .order_by(AuditEvent.id.desc())).first()
    assert (event.from_state, event.to_state) == (lifecycle.PAID, back_to)
    assert balanced(db_session)


def test_bank_statement_balance(db_session, store):
    run(db_session, store, camt(statements=[
        {"id": "BAL-1", "iban": "DE02500105170137075030", "currency": "EUR", "opening": eur("1000.00"),
         "closing_on": date(2031, 1, 10), "lines": [Line(eur("5.00"), date(2031, 1, 10), "X", None, "x", "BAL-a")]},
        {"id": "BAL-2", "iban": "DE02500105170137075030", "currency": "EUR", "opening": eur("1005.00"),
         "closing_on": date(2031, 1, 20), "lines": [Line(eur("7.00"), date(2031, 1, 20), "X", None, "x", "BAL-b")]}]))
    assert services.bank_statement_balance(db_session, date(2031, 1, 15)) == eur("1005.00")
    assert services.bank_statement_balance(db_session, date(2031, 1, 31)) == eur("1012.00")


# --- property: whatever comes in, the ledger balances and each part adds up ------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claimed=st.integers(1, 100_000), costs=st.integers(0, 5_000),
       events=st.lists(st.tuples(st.sampled_from(["pay", "return"]), st.integers(1, 120_000)), min_size=1,
                       max_size=6))
def test_random_payments_keep_the_ledger_whole(db_session, store, claimed, costs, events):
    with db_session.begin_nested() as savepoint:
        case = make_case(db_session, lifecycle.OFFER_SENT, claimed=Money(claimed, "EUR").amount_text())
        if costs:
            ledger.post(db_session, ACTOR, kind="costs_advanced", description="fee", booked_on=DAY,
                        lines=[ledger.debit("costs_advanced", Money(costs, "EUR"), case_id=case.id),
                               ledger.credit("bank", Money(costs, "EUR"))])
        paid = []
        for i, (kind, minor) in enumerate(events):
            if kind == "return" and paid:
                ref, amount, e2e = paid.pop()
                line = Line(amount, DAY, "P", PAYER, None, f"H-{case.id}-{i}-r", e2e, direction="debit",
                            reversal=True, return_reason="AC04")
            else:
                amount = Money(minor, "EUR")
                line = Line(amount, DAY, "P", PAYER, case.ref, f"H-{case.id}-{i}", f"E-{case.id}-{i}")
                paid.append((line.reference, amount, line.end_to_end_id))
            data = camt(line, sid=f"H{case.id}-{i}")
            run(db_session, store, data)
            assert run(db_session, store, data).duplicate_file               # nothing twice
        for payment in db_session.scalars(select(Payment).where(Payment.case_id == case.id,
                                                                Payment.direction == "credit")):
            assert payment.costs_minor + payment.interest_minor + payment.claim_minor + payment.excess_minor \
                == payment.amount_minor
        assert balanced(db_session)
        matched = db_session.scalar(select(func.coalesce(func.sum(Payment.claim_minor), 0))
                                    .where(Payment.case_id == case.id, Payment.status == "matched"))
        assert 0 <= matched <= claimed
        assert_bulk_agrees(db_session)      # the unmatched page's and an import's figures, in bulk
        savepoint.rollback()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(st.tuples(st.sampled_from(["pay", "pay", "pay", "return", "nobody"]), st.integers(0, 1),
                                 st.integers(1, 30_000)), min_size=1, max_size=8))
def test_one_file_books_exactly_what_one_file_per_entry_books(db_session, store, events):
    """The bulk import (what each case owes kept in memory, written at the end) against the
    plainest import there is (one entry a file, everything read from the database in between):
    the same allocation of every payment (§ 367), the same stages, the same ledger."""
    def outcome(one_file: bool):
        with db_session.begin_nested() as savepoint:
            settled = make_case(db_session, lifecycle.SETTLED, claimed="250.00")
            ledger.post(db_session, ACTOR, kind="costs_advanced", description="fee", booked_on=DAY,
                        lines=[ledger.debit("costs_advanced", eur("38.00"), case_id=settled.id),
                               ledger.credit("bank", eur("38.00"))])
            offered = make_case(db_session, lifecycle.OFFER_SENT, claimed="99.99")
            targets, lines, paid = [settled, offered], [], []
            for i, (kind, which, minor) in enumerate(events):
                if kind == "return" and paid:
                    amount, e2e = paid.pop(0)
                    lines.append(Line(amount, DAY, "P", PAYER, None, f"Q-{i}-r", e2e, direction="debit",
                                      reversal=True, return_reason="AC04"))
                else:
                    amount, e2e = Money(minor, "EUR"), f"QE-{i}"
                    text = targets[which].ref if kind == "pay" else f"nothing {i}"
                    lines.append(Line(amount, DAY, "P", PAYER, text, f"Q-{i}", e2e))
                    paid.append((amount, e2e))
            bank_before = ledger.balance(db_session, "bank")
            if one_file:
                run(db_session, store, camt(*lines, sid="Q-ALL"))
            else:
                for i, line in enumerate(lines):
                    run(db_session, store, camt(line, sid=f"Q-{i}"))
            allocations = {p.bank_reference: (p.status, p.costs_minor, p.claim_minor, p.excess_minor)
                           for p in db_session.scalars(select(Payment).where(Payment.bank_reference.like("Q-%")))}
            result = (allocations, [c.stage for c in targets],
                      [services.due_on(db_session, c) for c in targets],
                      [ledger.balance(db_session, a, case_id=c.id) for c in targets
                       for a in ("collected", "costs_advanced", "overpaid")],
                      ledger.balance(db_session, "bank") - bank_before, ledger.balance(db_session, "suspense"))
            assert balanced(db_session)
            assert_bulk_agrees(db_session)
            savepoint.rollback()
        return result

    assert outcome(one_file=True) == outcome(one_file=False)


@pytest.mark.parametrize("settled", [False, True])
def test_the_money_card_and_what_is_due_agree(db_session, store, settled):
    """One outstanding figure on the case page: the money card's (settlements) is what the next
    payments are applied against (payments, § 367), costs advanced included."""
    from caseapp.settlements import services as settlements

    case = make_case(db_session, lifecycle.SETTLED if settled else lifecycle.OFFER_SENT, claimed="300.00")
    if settled:
        settlements.record_settlement(db_session, ACTOR, case, amount=eur("320.00"), covers="all", agreed_on=DAY,
                                      today=DAY)
    ledger.post(db_session, ACTOR, kind="costs_advanced", description="court fee", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", eur("38.00"), case_id=case.id), ledger.credit("bank", eur("38.00"))])
    card = settlements.money_card(db_session, case)
    assert card.outstanding == services.case_money(db_session, case).outstanding == \
        (eur("320.00") if settled else eur("338.00"))
    run(db_session, store, camt(Line(eur("50.00"), DAY, "P", PAYER, case.ref, f"MC-{case.id}")))
    card = settlements.money_card(db_session, case)
    assert card.outstanding == services.case_money(db_session, case).outstanding == \
        (eur("270.00") if settled else eur("288.00"))


def test_a_file_of_a_bank_fee_only_is_imported(db_session, store):
    """Money out that is not a return (a bank fee) is recorded as an other debit, booked by hand."""
    result = run(db_session, store, camt(Line(eur("4.90"), DAY, None, None, "Kontofuehrung", "FEE-ONLY-1",
                                              direction="debit"), sid="FEE-ONLY"))
    assert [row["result"] for row in result.rows] == ["other_debit"]
    fee = db_session.scalar(select(Payment).where(Payment.bank_reference == "FEE-ONLY-1"))
    assert fee.status == "other_debit" and fee.receipt_transaction_id is None
