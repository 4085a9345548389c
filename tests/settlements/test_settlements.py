"""Negotiation and settlement: the client's floor on both sides of the edge, consent, one
settlement per case with instalments that add up and fall on working days, stale edits refused,
the missed-instalment escalation, the money card, and the letters from the recorded settlement."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from caseapp.cases import lifecycle
from caseapp.cases.escalation import escalate
from caseapp.clients import contracts
from caseapp.core.audit import Actor
from caseapp.core.errors import IllegalTransition, InvalidInput, StaleEdit
from caseapp.core.money import Money
from caseapp.deadlines import services as deadlines
from caseapp.ledger import services as ledger
from caseapp.settlements import services
from caseapp.settlements.services import Consent
from tests.cases.factories import make_case
from tests.clients.factories import make_client
from tests.conftest import TODAY

HANDLER = Actor(None, "handler")
ROBOT = Actor.system("escalation")


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def floored_case(session, stage=lifecycle.OFFER_SENT, *, floor_bp=8000, claimed="1000.00"):
    """A case of a client whose floor is `floor_bp` of the claim (1000.00 at 80%: 800.00)."""
    holder = make_client(session)
    contracts.change_contract(session, HANDLER, holder.id, share_out_of_court_bp=5000, share_in_court_bp=4000,
                              settlement_floor_bp=floor_bp)
    return make_case(session, stage, holder=holder, claimed=claimed)


# --- the floor and consent ------------------------------------------------------------------------

def test_an_offer_at_the_floor_may_be_accepted_by_the_handler(db_session):
    case = floored_case(db_session)
    offer = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("800.00"), made_on=TODAY)
    accepted = services.accept_offer(db_session, HANDLER, case, offer.id)
    assert accepted.state == "accepted" and accepted.consent_by is None


def test_an_offer_one_cent_below_the_floor_needs_the_clients_consent(db_session):
    case = floored_case(db_session)
    offer = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("799.99"), made_on=TODAY)
    with pytest.raises(InvalidInput, match="Consent: 799.99 EUR is below the client's floor of 800.00 EUR"):
        services.accept_offer(db_session, HANDLER, case, offer.id)
    assert offer.state == "open"
    consent = Consent.of("Anna Client", "e-mail of 20 Nov", TODAY - timedelta(days=3))
    accepted = services.accept_offer(db_session, HANDLER, case, offer.id, consent=consent)
    assert (accepted.state, accepted.consent_by, accepted.consent_how, accepted.consent_on) == \
        ("accepted", "Anna Client", "e-mail of 20 Nov", TODAY - timedelta(days=3))


def test_a_consent_needs_who_how_and_when():
    with pytest.raises(InvalidInput, match="Consent: say how, when"):
        Consent.of("Anna", "", None)
    assert Consent.of("", " ", None) is None


def test_a_fractional_floor_is_compared_exactly(db_session):
    case = floored_case(db_session, floor_bp=3350, claimed="100.00")    # 33.5% of 100.00 = 33.50 exactly
    assert services.floor_of(db_session, case).allows(eur("33.50"))
    assert not services.floor_of(db_session, case).allows(eur("33.49"))
    case2 = floored_case(db_session, floor_bp=3350, claimed="100.01")   # 33.50335: the floor rounds up
    floor = services.floor_of(db_session, case2)
    assert floor.amount == eur("33.51") and floor.allows(eur("33.51")) and not floor.allows(eur("33.50"))


def test_a_stale_decision_is_refused_and_a_decided_offer_stays(db_session):
    case = floored_case(db_session)
    offer = services.make_offer(db_session, HANDLER, case, side="firm", amount=eur("900.00"), made_on=TODAY)
    with pytest.raises(StaleEdit):
        services.accept_offer(db_session, HANDLER, case, offer.id, seen_version=offer.version + 1)
    services.reject_offer(db_session, HANDLER, case, offer.id, seen_version=offer.version)
    with pytest.raises(InvalidInput, match="rejected already"):
        services.accept_offer(db_session, HANDLER, case, offer.id)


def test_an_offer_in_another_currency_or_of_nothing_is_refused(db_session):
    case = floored_case(db_session)
    with pytest.raises(InvalidInput, match="in EUR"):
        services.make_offer(db_session, HANDLER, case, side="recipient", amount=Money.parse("5", "USD"), made_on=TODAY)
    with pytest.raises(InvalidInput, match="By:"):
        services.make_offer(db_session, HANDLER, case, side="judge", amount=eur("5"), made_on=TODAY)


# --- the settlement ---------------------------------------------------------------------------------

def test_recording_a_settlement_moves_the_case_and_plans_instalments_on_working_days(db_session):
    case = floored_case(db_session, lifecycle.COURT)
    settlement = services.record_settlement(
        db_session, HANDLER, case, amount=eur("1000.01"), covers="work 1, 2025-2026, costs included",
        agreed_on=TODAY, today=TODAY, instalments=3, first_due=date(2026, 12, 26), seen_version=case.version)
    assert case.stage == lifecycle.SETTLED and settlement.in_court and settlement.stage_at_agreement == "court"
    amounts = [i.amount for i in settlement.instalments]
    assert amounts == [eur("333.34"), eur("333.34"), eur("333.33")]
    assert Money.sum(amounts, "EUR") == settlement.amount
    # 26 Dec 2026 is a Saturday and Boxing Day: the first moves to Monday 28 Dec.
    assert [i.due_on for i in settlement.instalments] == [date(2026, 12, 28), date(2027, 1, 26), date(2027, 2, 26)]
    for i in settlement.instalments:
        assert deadlines.next_working_day("DE", i.due_on) == i.due_on
    assert services.due_on_case(db_session, case.id) == eur("1000.01")


def test_out_of_court_and_one_settlement_per_case(db_session):
    case = floored_case(db_session, lifecycle.REMINDER_SENT)
    first = services.record_settlement(db_session, HANDLER, case, amount=eur("800.00"), covers="work 1",
                                       agreed_on=TODAY, today=TODAY)
    assert not first.in_court and first.instalments == []
    with pytest.raises(InvalidInput, match="one settlement per case"):
        services.record_settlement(db_session, HANDLER, case, amount=eur("900.00"), covers="again",
                                   agreed_on=TODAY, today=TODAY)


def test_a_settlement_below_the_floor_needs_consent_or_an_accepted_offer(db_session):
    case = floored_case(db_session)
    with pytest.raises(InvalidInput, match="Consent:"):
        services.record_settlement(db_session, HANDLER, case, amount=eur("500.00"), covers="x", agreed_on=TODAY,
                                   today=TODAY)
    offer = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("500.00"), made_on=TODAY)
    services.accept_offer(db_session, HANDLER, case, offer.id, consent=Consent.of("Anna", "phone", TODAY))
    settlement = services.record_settlement(db_session, HANDLER, case, amount=eur("500.00"), covers="x",
                                            agreed_on=TODAY, today=TODAY, offer_id=offer.id)
    assert settlement.offer_id == offer.id and case.stage == lifecycle.SETTLED


def test_stale_case_and_illegal_stage_are_refused(db_session):
    case = floored_case(db_session)
    with pytest.raises(StaleEdit):
        services.record_settlement(db_session, HANDLER, case, amount=eur("900.00"), covers="x", agreed_on=TODAY,
                                   today=TODAY, seen_version=case.version - 1 if case.version > 1 else 99)
    new_case = floored_case(db_session, lifecycle.NEW)
    with pytest.raises(IllegalTransition):
        services.record_settlement(db_session, HANDLER, new_case, amount=eur("900.00"), covers="x",
                                   agreed_on=TODAY, today=TODAY)
    with pytest.raises(InvalidInput, match="First due"):
        services.record_settlement(db_session, HANDLER, case, amount=eur("900.00"), covers="x", agreed_on=TODAY,
                                   today=TODAY, instalments=2)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minor=st.integers(min_value=1, max_value=10**13), count=st.integers(min_value=1, max_value=60),
       currency=st.sampled_from(["EUR", "JPY", "KWD"]))
def test_instalments_add_up_and_none_is_negative(minor, count, currency):
    amount = Money(minor, currency)
    plan = services.instalment_plan(amount, count, date(2026, 1, 31), country="DE")
    assert Money.sum((p.amount for p in plan), currency) == amount
    assert all(p.amount.minor >= 0 for p in plan) and len(plan) == count
    assert max(p.amount.minor for p in plan) - min(p.amount.minor for p in plan) <= 1
    assert [p.due_on for p in plan] == sorted(p.due_on for p in plan)


# --- money received, instalments, escalation ------------------------------------------------------

def pay(session, case, amount: str, *, costs: str | None = None, over: str | None = None, day=TODAY):
    """A payment matched to the case, posted as the payments engineer does."""
    lines = [ledger.credit("collected", eur(amount), case_id=case.id, client_id=case.client_id)]
    total = eur(amount)
    if costs:
        lines.append(ledger.credit("costs_advanced", eur(costs), case_id=case.id))
        total = total + eur(costs)
    if over:
        lines.append(ledger.credit("overpaid", eur(over), case_id=case.id))
        total = total + eur(over)
    return ledger.post(session, HANDLER, kind="payment_received", description="paid", booked_on=day,
                       lines=[ledger.debit("bank", total), *lines], case_id=case.id)


def planned(session, *, first_due=date(2026, 12, 1)):
    case = floored_case(session)
    settlement = services.record_settlement(session, HANDLER, case, amount=eur("900.00"), covers="x",
                                            agreed_on=TODAY, today=TODAY, instalments=3, first_due=first_due)
    return case, settlement


def test_a_broken_settlement_is_cancelled_and_the_claim_is_due_again(db_session):
    from caseapp.core.audit import AuditEvent
    from caseapp.payments import services as payments

    case, settlement = planned(db_session)          # 900.00 on a claim of 1,000.00, in three instalments
    pay(db_session, case, "300.00")
    with pytest.raises(InvalidInput, match="Reason: say why"):
        services.cancel_settlement(db_session, HANDLER, case, reason="  ", to_stage="collection", today=TODAY)
    with pytest.raises(InvalidInput, match="not collection or legal"):
        services.cancel_settlement(db_session, HANDLER, case, reason="x", to_stage="closed", today=TODAY)
    with pytest.raises(StaleEdit):
        services.cancel_settlement(db_session, HANDLER, case, reason="x", to_stage="collection", today=TODAY,
                                   seen_version=case.version - 1)
    assert settlement.state == "active" and case.stage == lifecycle.SETTLED
    assert payments.claim_due(db_session, case) == eur("600.00")

    services.cancel_settlement(db_session, HANDLER, case, reason="second instalment not paid",
                               to_stage="legal", today=TODAY)
    assert settlement.state == "cancelled" and case.stage == lifecycle.LEGAL
    assert services.settlement_of(db_session, case.id) is None
    assert payments.claim_due(db_session, case) == eur("700.00")       # the claim less what was paid
    assert services.money_card(db_session, case).outstanding == eur("700.00")
    event = db_session.query(AuditEvent).filter_by(action="settlement.cancelled", subject_id=settlement.id).one()
    assert event.reason == "second instalment not paid" and event.details["received"] == "300.00 EUR"
    with pytest.raises(InvalidInput, match="no settlement to cancel"):
        services.cancel_settlement(db_session, HANDLER, case, reason="again", to_stage="collection", today=TODAY)
    # a settlement already paid (the case is paid) is not cancelled
    paid, _ = planned(db_session)
    paid.stage = lifecycle.PAID
    with pytest.raises(InvalidInput, match="not settled"):
        services.cancel_settlement(db_session, HANDLER, paid, reason="x", to_stage="collection", today=TODAY)


def test_instalment_states_follow_the_money_received(db_session):
    case, settlement = planned(db_session)   # 300.00 each on 1 Dec, 4 Jan (1 Jan is a holiday), 1 Feb
    pay(db_session, case, "350.00")
    states = services.instalment_states(db_session, settlement, date(2026, 12, 2))
    assert [s.state for s in states] == ["paid", "part paid", "due"]
    assert states[1].covered == eur("50.00")
    late = services.missed_from(settlement.instalments[1].due_on)
    assert services.instalment_states(db_session, settlement, late)[1].state == "overdue"
    assert services.instalment_states(db_session, settlement, late + timedelta(days=1))[1].state == "missed"
    assert services.due_on_case(db_session, case.id) == eur("550.00")


def test_a_reversed_payment_is_no_longer_money_received(db_session):
    case, settlement = planned(db_session)
    payment = pay(db_session, case, "300.00")
    ledger.reverse(db_session, HANDLER, payment.id, reason="returned by the bank", booked_on=TODAY)
    assert services.received(db_session, case.id, "EUR") == eur("0.00")


def test_a_missed_instalment_is_raised_once_after_the_grace(db_session):
    case, settlement = planned(db_session)
    due = settlement.instalments[0].due_on
    last_grace_day = services.missed_from(due)

    def run(day):
        return [s for s in escalate(db_session, ROBOT, today=day, issue_letter=lambda *a, **k: None,
                                    send_letter=None, status_letters="none", auto_offer_clients="none")
                if s.ref == case.ref]

    assert run(last_grace_day) == []                      # within the grace: nothing
    steps = run(last_grace_day + timedelta(days=1))
    assert [(s.action, s.note) for s in steps] == [("raised", "Instalment 1 missed: remind or escalate")]
    assert case.next_step == "Instalment 1 missed: remind or escalate"
    assert case.next_due_on == last_grace_day + timedelta(days=1)
    assert run(last_grace_day + timedelta(days=1)) == []   # idempotent
    assert run(last_grace_day + timedelta(days=2)) == []   # raised once


def test_a_paid_instalment_is_not_raised(db_session):
    case, settlement = planned(db_session)
    pay(db_session, case, "300.00")
    day = services.missed_from(settlement.instalments[0].due_on) + timedelta(days=1)
    steps = escalate(db_session, ROBOT, today=day, issue_letter=lambda *a, **k: None, send_letter=None,
                     status_letters="none", auto_offer_clients="none")
    assert [s for s in steps if s.ref == case.ref] == []


def test_the_money_card(db_session):
    case, settlement = planned(db_session)
    pay(db_session, case, "300.00", costs="20.00")
    pay(db_session, case, "600.00", over="5.00")
    ledger.post(db_session, HANDLER, kind="payout_split", description="batch 1", booked_on=TODAY,
                lines=[ledger.debit("collected", eur("300.00"), case_id=case.id, client_id=case.client_id),
                       ledger.credit("client_payable", eur("150.00"), client_id=case.client_id),
                       ledger.credit("revenue", eur("150.00"))])
    card = services.money_card(db_session, case)
    assert card.claimed == eur("1000.00") and card.settled == eur("900.00")
    assert card.paid == eur("925.00") and card.overpaid == eur("5.00")
    assert card.outstanding == eur("0.00") and card.paid_out == eur("300.00")
    assert [row[0] for row in card.rows()] == ["Claimed", "Settled", "Paid", "Outstanding", "Paid out"]
    unsettled = floored_case(db_session)
    card = services.money_card(db_session, unsettled)
    assert card.settled is None and card.outstanding == eur("1000.00") and card.paid_out == eur("0.00")


# --- letters from the recorded settlement ----------------------------------------------------------

def test_the_letters_take_the_recorded_settlement(db_session, app):
    from caseapp.letters import context

    case, settlement = planned(db_session, first_due=TODAY + timedelta(days=10))
    variables = context.build(db_session, case, "instalment_agreement", "en", today=TODAY, settings=app.config)
    assert variables["settlement"].amount == eur("900.00")
    assert [(i.amount, i.due_on) for i in variables["settlement"].instalments] == \
        [(i.amount, i.due_on) for i in settlement.instalments]
    assert variables["settlement"].covers == "x"
    confirmation = context.build(db_session, case, "settlement_confirmation", "en", today=TODAY, settings=app.config,
                                 inputs={"amount": "950.00"})          # inputs still override
    assert confirmation["settlement"].amount == eur("950.00")
