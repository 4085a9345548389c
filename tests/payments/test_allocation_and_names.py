"""The rules of a payment that need no bank file: § 367(1) BGB (costs, then interest, then the
claim, the rest overpaid), what a case still owes, the case reference in a remittance text and
how alike a payer's name is to a party's."""
from __future__ import annotations

from datetime import date

from caseapp.cases import lifecycle
from caseapp.core.audit import Actor
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.payments import services
from tests.cases.factories import make_case

ACTOR = Actor.system("test")
DAY = date(2026, 11, 20)


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def parts(a: services.Allocation) -> tuple[str, str, str, str]:
    return (a.costs.amount_text(), a.interest.amount_text(), a.claim.amount_text(), a.excess.amount_text())


# --- § 367(1) BGB -----------------------------------------------------------------------------------

def test_a_payment_goes_to_costs_then_interest_then_the_claim():
    owed = dict(costs=eur("38.00"), interest=eur("12.00"), claim=eur("300.00"))
    assert parts(services.allocate(eur("30.00"), **owed)) == ("30.00", "0.00", "0.00", "0.00")
    assert parts(services.allocate(eur("38.00"), **owed)) == ("38.00", "0.00", "0.00", "0.00")
    assert parts(services.allocate(eur("38.01"), **owed)) == ("38.00", "0.01", "0.00", "0.00")
    assert parts(services.allocate(eur("50.00"), **owed)) == ("38.00", "12.00", "0.00", "0.00")
    assert parts(services.allocate(eur("50.01"), **owed)) == ("38.00", "12.00", "0.01", "0.00")
    assert parts(services.allocate(eur("100.00"), **owed)) == ("38.00", "12.00", "50.00", "0.00")


def test_exactly_what_is_owed_leaves_nothing_overpaid_one_cent_more_is_overpaid():
    owed = dict(costs=eur("38.00"), interest=eur("12.00"), claim=eur("300.00"))
    assert parts(services.allocate(eur("349.99"), **owed)) == ("38.00", "12.00", "299.99", "0.00")
    assert parts(services.allocate(eur("350.00"), **owed)) == ("38.00", "12.00", "300.00", "0.00")
    assert parts(services.allocate(eur("350.01"), **owed)) == ("38.00", "12.00", "300.00", "0.01")
    assert services.allocate(eur("350.01"), **owed).total == eur("350.01")


def test_a_negative_amount_owed_takes_nothing_of_a_payment():
    """A credit balance on costs (recovered twice) is not owed: the payment goes on to the claim."""
    allocation = services.allocate(eur("100.00"), costs=eur("-20.00"), interest=eur("-1.00"), claim=eur("80.00"))
    assert parts(allocation) == ("0.00", "0.00", "80.00", "20.00")


def test_what_a_case_owes_by_kind(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="300.00")
    ledger.post(db_session, ACTOR, kind="costs_advanced", description="court fee", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", eur("38.00"), case_id=case.id),
                       ledger.credit("bank", eur("38.00"))])
    assert parts(services.due_on(db_session, case)) == ("38.00", "0.00", "300.00", "0.00")
    assert services.interest_due(db_session, case) == eur("0.00")
    assert services.case_money(db_session, case).paid == eur("0.00")      # nothing received yet


def test_costs_recovered_by_hand_beyond_what_was_advanced_are_not_owed(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="300.00")
    ledger.post(db_session, ACTOR, kind="costs_advanced", description="refund of a fee", booked_on=DAY,
                lines=[ledger.debit("bank", eur("10.00")),
                       ledger.credit("costs_advanced", eur("10.00"), case_id=case.id)])
    assert services.costs_due(db_session, case) == eur("0.00")
    assert services.case_money(db_session, case).outstanding == eur("300.00")


def test_a_claim_lowered_below_what_was_paid_owes_nothing(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="100.00")
    ledger.post(db_session, ACTOR, kind="payment_received", description="paid", booked_on=DAY,
                lines=[ledger.debit("bank", eur("100.00")),
                       ledger.credit("collected", eur("100.00"), case_id=case.id, client_id=case.client_id)])
    assert services.claim_due(db_session, case) == eur("0.00")
    case.claimed_minor = 8000
    assert services.claim_due(db_session, case) == eur("0.00")
    case.claimed_minor = 10001
    assert services.claim_due(db_session, case) == eur("0.01")


def test_a_settled_case_owes_its_settlement_less_the_costs_paid_first(db_session):
    from caseapp.settlements import services as settlements

    case = make_case(db_session, lifecycle.SETTLED, claimed="150.00")
    settlements.record_settlement(db_session, ACTOR, case, amount=eur("150.00"), covers="all", agreed_on=DAY,
                                  today=DAY)
    assert services.claim_due(db_session, case) == eur("150.00")
    ledger.post(db_session, ACTOR, kind="costs_advanced", description="court fee", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", eur("38.00"), case_id=case.id),
                       ledger.credit("bank", eur("38.00"))])
    assert services.claim_due(db_session, case) == eur("112.00")
    ledger.post(db_session, ACTOR, kind="costs_advanced", description="bailiff", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", eur("200.00"), case_id=case.id),
                       ledger.credit("bank", eur("200.00"))])
    assert services.claim_due(db_session, case) == eur("0.00")


def test_a_dollar_case_owes_in_dollars(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="120.00", currency="USD")
    owed = services.due_on(db_session, case)
    assert (owed.costs, owed.interest, owed.claim, owed.excess) == (
        Money.zero("USD"), Money.zero("USD"), Money.parse("120.00", "USD"), Money.zero("USD"))


# --- the reference in a remittance text -------------------------------------------------------------

def test_references_are_found_in_any_spelling_and_in_order():
    assert services.refs_in("c/2026/000123 and C.2025.000001x, AC-2026-000124, C-2026-0001234, C-2026-000125") \
        == ["C-2026-000123", "C-2025-000001", "C-2026-000125"]
    assert services.refs_in(None) == []
    assert services.refs_in("") == []


def test_a_typed_reference_is_written_the_one_way_and_a_non_reference_is_refused():
    assert services.normalise_ref("c 2026 000123") == "C-2026-000123"
    assert services.normalise_ref("see C2026000124, C-2026-000125") == "C-2026-000124"
    import pytest

    from caseapp.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"^Case: 'C-2026-00012' is not a case reference; write it like "
                                           r"C-2026-000123\.$"):
        services.normalise_ref("C-2026-00012")
    with pytest.raises(InvalidInput, match=r"^Case: '012345678901234567890123456789' is not"):
        services.normalise_ref("0123456789012345678901234567890123456789")


# --- a payer's name against a party's ---------------------------------------------------------------

def test_names_are_compared_without_accents_case_dots_and_legal_forms():
    assert services.normalized_name("Café Müller G.m.b.H.") == "cafe muller"
    assert services.normalized_name("BERGWERK G.M.B.H.") == "bergwerk"
    assert services.normalized_name("A.B.C.D. Fotografie") == "abcd fotografie"
    assert services.normalized_name("a.b Studio") == "ab studio"
    assert services.normalized_name("Ölmühle & Co. KG") == "olmuhle"
    assert services.normalized_name("Zoë  Straße-Nord") == "zoe strasse nord"
    assert services.normalized_name(None) == ""
    assert services.normalized_name("GmbH") == ""


def test_name_similarity_ignores_word_order_and_is_nothing_without_a_name():
    assert services.name_similarity("Lune Atelier", "Atelier Lune") == 1.0
    assert services.name_similarity("Atelier Lune", "Atelier Lunes") == 0.96
    assert services.name_similarity("BERGWERK G.M.B.H.", "Bergwerk GmbH") == 1.0
    assert services.name_similarity(None, "Bergwerk") == 0.0
    assert services.name_similarity("Bergwerk", None) == 0.0
    assert services.name_similarity("GmbH", "GmbH") == 0.0      # a legal form alone names nobody


def test_the_name_threshold_is_met_exactly_at_it_and_not_one_letter_below():
    """17 of 20 letters alike is 0.85, the threshold; 16 of 20 (0.80) is not enough."""
    assert services.name_similarity("abcdefghijklmnopqrst", "abcdefghijklmnopqxyz") == services.NAME_THRESHOLD
    assert services.name_similarity("abcdefghijklmnopqrst", "abcdefghijklmnopwxyz") < services.NAME_THRESHOLD


def test_a_name_written_as_one_word_resembles_the_name_in_two():
    """Letter by letter the names are alike though their words, sorted, are not."""
    assert round(services.name_similarity("Weiss Kunst", "Weisskunst"), 4) == 0.9524
    assert services.name_similarity("Kunst Haus Weiss", "Kunsthaus Weis") >= services.NAME_THRESHOLD
