"""Negotiation and settlement at the edges: offers and their audit, notes and consent at their
length limits, the settlement's checks one day either side, a plan's count and months, each
instalment state on both sides of its day, the missed-instalment list, the money card's words,
the letters' terms, and the page's summary."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseapp.cases import lifecycle
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, NotFound, StaleEdit
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.settlements import services
from caseapp.settlements.services import Consent
from tests.settlements.test_settlements import HANDLER, eur, floored_case, pay, planned
from tests.conftest import TODAY

LONG = "x" * 2000


def audit_of(session, action, subject_id):
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                    AuditEvent.subject_id == subject_id)).one()


def message(call, *args, error=InvalidInput, **kwargs) -> str:
    with pytest.raises(error) as refused:
        call(*args, **kwargs)
    return str(refused.value)


# --- offers -----------------------------------------------------------------------------------------

def test_an_offer_is_recorded_with_its_note_trimmed_and_audited(db_session):
    case = floored_case(db_session)
    offer = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("700.00"),
                                made_on=TODAY - timedelta(days=2), note="  by phone  ")
    assert (offer.side, offer.amount, offer.note, offer.made_on, offer.recorded_by, offer.state) == \
        ("recipient", eur("700.00"), "by phone", TODAY - timedelta(days=2), "handler", "open")
    event = audit_of(db_session, "settlement.offer_made", offer.id)
    assert (event.subject_type, event.case_id, event.reason, event.details) == (
        "settlement_offer", case.id, "by phone",
        {"side": "recipient", "amount": "700.00 EUR", "made_on": (TODAY - timedelta(days=2)).isoformat()})
    blank = services.make_offer(db_session, HANDLER, case, side="firm", amount=eur("900.00"), made_on=TODAY,
                                note="   ")
    assert blank.note is None
    assert services.offers_of(db_session, case.id) == [offer, blank]


def test_an_offers_note_holds_two_thousand_characters_and_not_one_more(db_session):
    case = floored_case(db_session)
    offer = services.make_offer(db_session, HANDLER, case, side="firm", amount=eur("900.00"), made_on=TODAY,
                                note=LONG)
    assert offer.note == LONG
    assert message(services.make_offer, db_session, HANDLER, case, side="firm", amount=eur("900.00"),
                   made_on=TODAY, note=LONG + "x") == "Note: at most 2,000 characters."


@pytest.mark.parametrize("stage,words", [(lifecycle.CLOSED, "closed"), (lifecycle.PAID, "paid")])
def test_no_offers_on_a_closed_or_paid_case(db_session, stage, words):
    case = floored_case(db_session, stage)
    assert message(services.make_offer, db_session, HANDLER, case, side="firm", amount=eur("900.00"),
                   made_on=TODAY) == f"Case {case.ref} is {words}; no more offers."


def test_an_offer_must_be_money_of_more_than_nothing(db_session):
    case = floored_case(db_session)
    for amount in (eur("0.00"), eur("-1.00")):
        assert message(services.make_offer, db_session, HANDLER, case, side="firm", amount=amount,
                       made_on=TODAY) == "Amount: an offer or settlement must be more than 0.00 EUR."
    assert services.make_offer(db_session, HANDLER, case, side="firm", amount=eur("0.01"),
                               made_on=TODAY).amount == eur("0.01")
    assert message(services.make_offer, db_session, HANDLER, case, side="firm", amount="900",
                   made_on=TODAY) == "Amount: give the amount as money in the case's currency."
    assert message(services.make_offer, db_session, HANDLER, case, side="firm", amount=Money.parse("5", "USD"),
                   made_on=TODAY) == f"Amount: case {case.ref} is in EUR; give the amount in EUR."
    assert message(services.make_offer, db_session, HANDLER, case, side="judge", amount=eur("5"),
                   made_on=TODAY) == "By: 'judge' is not who made an offer; use one of firm, recipient."


def test_another_cases_offer_or_a_missing_one_is_not_found(db_session):
    case, other = floored_case(db_session), floored_case(db_session)
    offer = services.make_offer(db_session, HANDLER, other, side="firm", amount=eur("900.00"), made_on=TODAY)
    assert message(services.get_offer, db_session, case, offer.id, error=NotFound) == \
        f"Case {case.ref} has no offer {offer.id}."
    assert message(services.get_offer, db_session, case, 10**8, error=NotFound) == \
        f"Case {case.ref} has no offer {10**8}."
    assert services.get_offer(db_session, other, offer.id) is offer


def test_a_rejected_offer_is_audited_with_the_reason(db_session):
    case = floored_case(db_session)
    offer = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("300.00"), made_on=TODAY)
    services.reject_offer(db_session, Actor(None, "lawyer"), case, offer.id, note="  far too low ",
                          seen_version=offer.version)
    assert (offer.state, offer.decided_by) == ("rejected", "lawyer") and offer.decided_at is not None
    event = audit_of(db_session, "settlement.offer_rejected", offer.id)
    assert (event.actor_name, event.subject_type, event.case_id, event.from_state, event.to_state, event.reason,
            event.details) == ("lawyer", "settlement_offer", case.id, "open", "rejected", "far too low",
                               {"amount": "300.00 EUR"})


def test_a_stale_decision_names_the_offer(db_session):
    case = floored_case(db_session)
    offer = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("900.00"), made_on=TODAY)
    assert message(services.reject_offer, db_session, HANDLER, case, offer.id, seen_version=offer.version + 1,
                   error=StaleEdit).startswith(f"Offer {offer.id} ")


def test_an_accepted_offer_is_audited_with_its_floor_and_consent(db_session):
    case = floored_case(db_session)
    above = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("800.00"), made_on=TODAY)
    services.accept_offer(db_session, HANDLER, case, above.id)
    event = audit_of(db_session, "settlement.offer_accepted", above.id)
    assert (event.subject_type, event.case_id, event.from_state, event.to_state, event.details) == (
        "settlement_offer", case.id, "open", "accepted",
        {"amount": "800.00 EUR", "floor": "800.00 EUR", "below_floor": False, "consent": None})
    below = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("799.99"), made_on=TODAY)
    services.accept_offer(db_session, HANDLER, case, below.id, consent=Consent.of("Anna", "phone", TODAY))
    assert audit_of(db_session, "settlement.offer_accepted", below.id).details == {
        "amount": "799.99 EUR", "floor": "800.00 EUR", "below_floor": True,
        "consent": ["Anna", "phone", TODAY.isoformat()]}


# --- consent ------------------------------------------------------------------------------------------

def test_consent_is_kept_with_its_spaces_collapsed():
    assert Consent.of("  Anna   Client ", " e-mail\tof 20 Nov ", TODAY) == Consent("Anna Client", "e-mail of 20 Nov",
                                                                                   TODAY)
    assert Consent.of(None, None, None) is None


@pytest.mark.parametrize("by,how,on,missing", [
    ("", "phone", TODAY, "who consented"), ("Anna", None, TODAY, "how"), ("Anna", "phone", None, "when"),
    (None, None, TODAY, "who consented, how"),
])
def test_consent_names_what_is_missing(by, how, on, missing):
    assert message(Consent.of, by, how, on) == \
        f"Consent: say {missing} (the client's consent needs who, how and when)."


def test_consent_holds_two_hundred_characters_each_and_not_one_more():
    assert Consent.of("a" * 200, "b" * 200, TODAY).by == "a" * 200
    for by, how in (("a" * 201, "b"), ("a", "b" * 201)):
        assert message(Consent.of, by, how, TODAY) == "Consent: who and how in at most 200 characters each."


def test_the_floor_is_shown_rounded_up_with_its_percent(db_session):
    case = floored_case(db_session, floor_bp=5250, claimed="100.01")        # 52.5% of 100.01 = 52.50525
    floor = services.floor_of(db_session, case)
    assert (floor.amount, floor.percent) == (eur("52.51"), "52.5%")
    exact = services.floor_of(db_session, floored_case(db_session, floor_bp=5000, claimed="100.00"))
    assert exact.amount == eur("50.00")
    assert message(services.accept_offer, db_session, HANDLER, case,
                   services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("52.50"),
                                       made_on=TODAY).id) == (
        "Consent: 52.50 EUR is below the client's floor of 52.51 EUR (52.5% of the claimed 100.01 EUR); "
        "record the client's consent (who, how, when) to accept it.")


# --- recording a settlement ------------------------------------------------------------------------------

def settle(session, case, **kwargs):
    values = {"amount": eur("900.00"), "covers": "work 1", "agreed_on": TODAY, "today": TODAY, **kwargs}
    return services.record_settlement(session, HANDLER, case, **values)


def test_a_settlement_is_agreed_today_at_the_latest(db_session):
    case = floored_case(db_session)
    assert message(settle, db_session, case, agreed_on=TODAY + timedelta(days=1)) == \
        "Agreed on: 2026-11-24 is after today; record a settlement once agreed."
    assert settle(db_session, case, agreed_on=TODAY).agreed_on == TODAY


def test_the_first_instalment_falls_on_the_day_agreed_at_the_earliest(db_session):
    case = floored_case(db_session)
    yesterday = TODAY - timedelta(days=1)
    assert message(settle, db_session, case, agreed_on=TODAY, instalments=2, first_due=yesterday) == \
        "First due: 2026-11-22 is before the day agreed 2026-11-23."
    settlement = settle(db_session, case, agreed_on=yesterday, instalments=2, first_due=yesterday)
    assert [i.due_on for i in settlement.instalments] == [TODAY, date(2026, 12, 22)]   # Sunday 22nd: Monday


def test_what_a_settlement_covers_is_said_in_at_most_two_thousand_characters(db_session):
    case = floored_case(db_session)
    assert message(settle, db_session, case, covers=" \n ") == \
        "Covers: say what the settlement covers (works, period of use, costs)."
    assert message(settle, db_session, case, covers=LONG + "x") == "Covers: at most 2,000 characters."
    assert settle(db_session, case, covers="  work 1,\n  2025  ").covers == "work 1, 2025"
    assert settle(db_session, floored_case(db_session), covers=LONG).covers == LONG


def test_a_settlement_on_an_offer_must_be_the_accepted_offers_amount(db_session):
    case = floored_case(db_session)
    offer = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("850.00"), made_on=TODAY)
    assert message(settle, db_session, case, amount=eur("850.00"), offer_id=offer.id) == \
        f"Offer {offer.id} is open; accept it before settling on it."
    services.accept_offer(db_session, HANDLER, case, offer.id)
    assert message(settle, db_session, case, amount=eur("860.00"), offer_id=offer.id) == \
        f"Amount: offer {offer.id} was for 850.00 EUR, not 860.00 EUR."
    settlement = settle(db_session, case, amount=eur("850.00"), offer_id=offer.id)
    assert settlement.offer_id == offer.id


def test_a_single_payment_has_no_plan_unless_its_day_is_set(db_session):
    plain = settle(db_session, floored_case(db_session), instalments=None)
    assert plain.instalments == []
    dated = settle(db_session, floored_case(db_session), instalments=1, first_due=date(2026, 12, 1))
    assert [(i.number, i.amount, i.due_on) for i in dated.instalments] == [(1, eur("900.00"), date(2026, 12, 1))]


def test_a_recorded_settlement_is_audited_and_moves_the_case_with_a_note(db_session):
    case = floored_case(db_session, lifecycle.FINAL_DEMAND)
    consent = Consent.of("Anna", "phone", TODAY)
    settlement = settle(db_session, case, amount=eur("500.00"), instalments=2, first_due=date(2026, 12, 1),
                        consent=consent)
    assert (settlement.consent_by, settlement.consent_how, settlement.consent_on) == ("Anna", "phone", TODAY)
    assert (settlement.state, settlement.recorded_by, settlement.stage_at_agreement, settlement.in_court) == \
        ("active", "handler", "final_demand", False)
    event = audit_of(db_session, "settlement.recorded", settlement.id)
    assert (event.subject_type, event.case_id) == ("settlement", case.id)
    assert event.details == {"amount": "500.00 EUR", "covers": "work 1", "agreed_on": TODAY.isoformat(),
                             "in_court": False, "offer": None,
                             "instalments": [[1, "250.00 EUR", "2026-12-01"], [2, "250.00 EUR", "2027-01-04"]],
                             "consent": ["Anna", "phone", TODAY.isoformat()]}
    moved = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.action == "case.stage_changed")).one()
    assert (moved.from_state, moved.to_state, moved.reason) == \
        ("final_demand", "settled", "Settled for 500.00 EUR in 2 instalments")
    single = floored_case(db_session)
    settle(db_session, single)
    assert db_session.scalars(select(AuditEvent.reason).where(
        AuditEvent.case_id == single.id, AuditEvent.action == "case.stage_changed")).one() == "Settled for 900.00 EUR"
    assert audit_of(db_session, "settlement.recorded",
                    services.settlement_of(db_session, single.id).id).details["instalments"] == []


def test_a_case_settled_without_a_record_keeps_its_stage_and_its_stage_before_settling(db_session):
    """A case moved to settled (or paid) before its settlement was recorded: the record keeps
    its stage, and the settlement is in court when the case was settled from the lawyer or court."""
    from caseapp.cases import services as cases

    case = floored_case(db_session, lifecycle.COURT)
    cases.change_stage(db_session, HANDLER, case, lifecycle.SETTLED, today=TODAY)
    settlement = settle(db_session, case)
    assert case.stage == lifecycle.SETTLED and settlement.in_court and settlement.stage_at_agreement == "settled"
    outside = floored_case(db_session, lifecycle.COLLECTION)
    cases.change_stage(db_session, HANDLER, outside, lifecycle.SETTLED, today=TODAY)
    cases.change_stage(db_session, HANDLER, outside, lifecycle.LEGAL, today=TODAY)
    cases.change_stage(db_session, HANDLER, outside, lifecycle.SETTLED, today=TODAY)   # settled again, from legal
    assert settle(db_session, outside).in_court is True
    paid = floored_case(db_session, lifecycle.PAID)                          # no move on file: its own stage
    assert settle(db_session, paid).in_court is False and paid.stage == lifecycle.PAID
    given = floored_case(db_session, lifecycle.PAID)
    assert settle(db_session, given, in_court=True).in_court is True         # said after the fact
    moving = floored_case(db_session, lifecycle.OFFER_SENT)
    assert settle(db_session, moving, in_court=True).in_court is False       # a live case: its stage decides


def test_settlements_by_case_gives_each_cases_active_settlement(db_session):
    (one, first), (two, second) = planned(db_session), planned(db_session)
    none = floored_case(db_session)
    services.cancel_settlement(db_session, HANDLER, two, reason="nothing paid", to_stage="collection", today=TODAY)
    ids = [one.id, two.id, none.id, *range(10**6, 10**6 + 1000)]      # more than a thousand: every active one read
    assert services.settlements_by_case(db_session, ids + [one.id]) == {one.id: first}
    assert services.settlements_by_case(db_session, [*range(-1000, 0), one.id]) == {one.id: first}   # 1,001 ids
    assert services.settlements_by_case(db_session, [*range(-999, 0), one.id]) == {one.id: first}    # 1,000: by id
    assert services.settlements_by_case(db_session, [*range(-1000, 0), none.id]) == {}              # 1,001, none settled
    assert services.settlements_by_case(db_session, [two.id]) == {}                                # cancelled: not active
    assert services.settlements_by_case(db_session, []) == {}


# --- cancelling -------------------------------------------------------------------------------------------

def test_a_cancellation_reason_holds_two_thousand_characters_and_is_audited(db_session):
    case, settlement = planned(db_session)
    assert message(services.cancel_settlement, db_session, HANDLER, case, reason=LONG + "x",
                   to_stage="collection", today=TODAY) == "Reason: at most 2,000 characters."
    assert message(services.cancel_settlement, db_session, HANDLER, case, reason="x", to_stage="closed\n" * 5,
                   today=TODAY) == ("Move to: 'closed\\nclosed\\nclosed'… is not collection or legal; a case "
                                    "whose settlement is cancelled goes to collection or to the lawyer.")
    services.cancel_settlement(db_session, HANDLER, case, reason=LONG, to_stage="collection", today=TODAY)
    event = audit_of(db_session, "settlement.cancelled", settlement.id)
    assert (event.subject_type, event.case_id, event.from_state, event.to_state, event.reason, event.details) == (
        "settlement", case.id, "active", "cancelled", LONG,
        {"amount": "900.00 EUR", "received": "0.00 EUR", "to_stage": "collection"})
    moved = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.action == "case.stage_changed",
                                                        AuditEvent.to_state == "collection")).one()
    assert moved.reason == f"Settlement of 900.00 EUR cancelled: {LONG}"
    assert case.stage == lifecycle.COLLECTION


def test_only_a_settled_case_has_its_settlement_cancelled(db_session):
    case, _ = planned(db_session)
    case.stage = lifecycle.PAID
    assert message(services.cancel_settlement, db_session, HANDLER, case, reason="x", to_stage="legal",
                   today=TODAY) == (f"Case {case.ref} is paid, not settled: only a settlement still being paid "
                                    "is cancelled.")
    bare = floored_case(db_session)
    assert message(services.cancel_settlement, db_session, HANDLER, bare, reason="x", to_stage="legal",
                   today=TODAY) == f"Case {bare.ref} has no settlement to cancel."


# --- the plan ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("count", [0, 61, True, 2.0, "3", None])
def test_a_plan_has_a_whole_number_of_instalments_from_one_to_sixty(count):
    assert message(services.instalment_plan, eur("100.00"), count, TODAY, country="DE") == \
        "Instalments: give a whole number from 1 to 60."


def test_a_plan_of_one_and_of_sixty_instalments(db_session):
    [only] = services.instalment_plan(eur("100.00"), 1, date(2026, 12, 1), country="DE")
    assert (only.number, only.amount, only.due_on) == (1, eur("100.00"), date(2026, 12, 1))
    plan = services.instalment_plan(eur("100.00"), 60, date(2026, 12, 1), country="DE")
    assert [p.number for p in plan] == list(range(1, 61)) and plan[-1].due_on == date(2031, 11, 3)


def test_a_plan_keeps_the_day_of_the_month_or_the_months_last_day():
    assert [services.add_months(date(2026, 1, 31), n) for n in range(4)] == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert services.add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert services.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert services.add_months(date(2026, 11, 15), 13) == date(2027, 12, 15)


def test_a_plans_dates_move_to_the_regions_working_day():
    """6 January is a holiday in Bavaria, not in Berlin."""
    bavaria = services.instalment_plan(eur("20.00"), 2, date(2026, 12, 6), country="DE", subdivision="BY")
    berlin = services.instalment_plan(eur("20.00"), 2, date(2026, 12, 6), country="DE", subdivision="BE")
    assert [p.due_on for p in bavaria] == [date(2026, 12, 7), date(2027, 1, 7)]
    assert [p.due_on for p in berlin] == [date(2026, 12, 7), date(2027, 1, 6)]


# --- instalment states --------------------------------------------------------------------------------------

def test_an_instalment_is_due_on_its_day_and_overdue_the_day_after(db_session):
    case, settlement = planned(db_session)          # 300.00 on 1 Dec 2026 (a Tuesday)
    due = settlement.instalments[0].due_on
    [on_the_day, *_] = services.instalment_states(db_session, settlement, due)
    [next_day, *_] = services.instalment_states(db_session, settlement, due + timedelta(days=1))
    assert (on_the_day.state, next_day.state) == ("due", "overdue")
    assert on_the_day.missed_from == date(2026, 12, 8) and on_the_day.raised_on is None
    assert on_the_day.words == "due on 2026-12-01"
    assert next_day.words == "overdue since 2026-12-01 (300.00 EUR to pay)"
    [missed, *_] = services.instalment_states(db_session, settlement, date(2026, 12, 9))
    assert missed.state == "missed" and missed.words == "missed: 300.00 EUR unpaid since 2026-12-01"


def test_money_received_covers_the_instalments_in_order(db_session):
    case, settlement = planned(db_session)
    states = services.instalment_states(db_session, settlement, TODAY, paid=eur("300.01"))
    assert [(s.state, s.covered) for s in states] == [("paid", eur("300.00")), ("part paid", eur("0.01")),
                                                       ("due", eur("0.00"))]
    assert states[0].words == "paid" and states[1].words == "part paid: 299.99 EUR to pay by 2027-01-04"
    assert [s.state for s in services.instalment_states(db_session, settlement, TODAY, paid=eur("299.99"))] == \
        ["part paid", "due", "due"]
    assert [s.state for s in services.instalment_states(db_session, settlement, TODAY, paid=eur("900.00"))] == \
        ["paid", "paid", "paid"]
    assert [s.covered for s in services.instalment_states(db_session, settlement, TODAY, paid=eur("-5.00"))] == \
        [eur("0.00")] * 3
    pay(db_session, case, "300.00", costs="0.01")
    assert [s.state for s in services.instalment_states(db_session, settlement, TODAY)] == \
        ["paid", "part paid", "due"]


def test_a_settlements_plan_missed_after_the_grace_is_listed_once(db_session):
    case, settlement = planned(db_session)
    first = settlement.instalments[0]
    last_grace_day = services.missed_from(first.due_on)

    def listed(day):
        return [m for m in services.missed_instalments(db_session, day) if m.case_id == case.id]

    assert listed(last_grace_day) == []
    pay(db_session, case, "100.00")
    [missed] = listed(last_grace_day + timedelta(days=1))
    assert missed == services.MissedInstalment(case.id, settlement.id, first.id, 1, first.due_on, eur("200.00"))
    services.mark_raised(db_session, first.id, last_grace_day + timedelta(days=1))
    assert first.raised_on == last_grace_day + timedelta(days=1)
    assert listed(last_grace_day + timedelta(days=2)) == []
    later = services.missed_from(settlement.instalments[1].due_on) + timedelta(days=1)
    assert [m.number for m in listed(later)] == [2]
    services.cancel_settlement(db_session, HANDLER, case, reason="gave up", to_stage="legal", today=TODAY)
    assert listed(later) == []                      # a cancelled settlement has nothing missed


# --- received, due, the money card ---------------------------------------------------------------------------

def test_money_received_until_a_day_and_what_is_left_to_pay(db_session):
    case, settlement = planned(db_session)
    assert services.due_on_case(db_session, floored_case(db_session).id) is None
    pay(db_session, case, "100.00", costs="10.00", day=TODAY)
    pay(db_session, case, "50.00", day=TODAY + timedelta(days=3))
    assert services.received(db_session, case.id, "EUR", until=TODAY) == eur("110.00")
    assert services.received(db_session, case.id, "EUR") == eur("160.00")
    assert services.due_on_case(db_session, case.id) == eur("740.00")
    pay(db_session, case, "740.00")
    assert services.due_on_case(db_session, case.id) == eur("0.00")
    pay(db_session, case, "5.00")                       # paid too much: nothing is due, never less
    assert services.due_on_case(db_session, case.id) == eur("0.00")
    assert services.money_card(db_session, case).outstanding == eur("0.00")


def test_the_money_card_in_words(db_session):
    case, _ = planned(db_session)
    pay(db_session, case, "100.00", over="2.50")
    assert services.money_card(db_session, case).rows() == [
        ("Claimed", eur("1000.00"), "what the case claims from the recipient"),
        ("Settled", eur("900.00"), "the amount agreed in the settlement"),
        ("Paid", eur("102.50"), "received on the case: claim, interest and costs, with 2.50 EUR paid too much "
                                "(to refund)"),
        ("Outstanding", eur("800.00"), "still to pay towards the settlement"),
        ("Paid out", eur("0.00"), "split in payout batches (the client's share and the firm's)"),
    ]
    unsettled = floored_case(db_session)
    rows = services.money_card(db_session, unsettled).rows()
    assert rows[1] == ("Settled", None, "no settlement recorded")
    assert rows[2] == ("Paid", eur("0.00"), "received on the case: claim, interest and costs")
    assert rows[3] == ("Outstanding", eur("1000.00"),
                       "still to pay towards the claim and the costs advanced (nothing settled yet)")


def test_without_a_settlement_the_costs_the_firm_advanced_are_owed_on_top_of_the_claim(db_session):
    case = floored_case(db_session)
    ledger.post(db_session, HANDLER, kind="costs_advanced", description="court fee", booked_on=TODAY,
                lines=[ledger.debit("costs_advanced", eur("40.00"), case_id=case.id), ledger.credit("bank", eur("40.00"))])
    pay(db_session, case, "200.00", costs="15.00")
    card = services.money_card(db_session, case)
    assert card.outstanding == eur("825.00") and card.paid == eur("215.00")   # 1000 - 200 + (40 - 15)
    pay(db_session, case, "0.01", costs="30.00")   # costs paid beyond what was advanced: not taken off the claim
    assert services.money_card(db_session, case).outstanding == eur("799.99")
    pay(db_session, case, "900.00")
    assert services.money_card(db_session, case).outstanding == eur("0.00")


# --- letters and the page ------------------------------------------------------------------------------------------

def test_the_letters_terms_of_a_plan_and_of_a_single_payment(db_session):
    case, settlement = planned(db_session)
    assert services.letter_terms(db_session, floored_case(db_session)) is None
    terms = services.letter_terms(db_session, case)
    assert (terms["amount"], terms["covers"], terms["instalments"], terms["first_due"], terms["paid"],
            terms["agreed_on"]) == (eur("900.00"), "x", 3, date(2026, 12, 1), None, TODAY)
    assert [(p.number, p.amount, p.due_on) for p in terms["plan"]] == \
        [(i.number, i.amount, i.due_on) for i in settlement.instalments]
    pay(db_session, case, "120.00")
    assert services.letter_terms(db_session, case)["paid"] == eur("120.00")
    single = floored_case(db_session)
    settle(db_session, single)
    terms = services.letter_terms(db_session, single)
    assert (terms["instalments"], terms["plan"], terms["first_due"]) == (1, [], None)


def test_the_negotiation_and_settlement_at_a_glance(db_session):
    case, settlement = planned(db_session)
    offer = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("700.00"), made_on=TODAY,
                                note="first")
    below = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("750.00"), made_on=TODAY)
    services.accept_offer(db_session, HANDLER, case, below.id, consent=Consent.of("Anna", "phone", TODAY))
    pay(db_session, case, "300.00")
    shown = services.show(db_session, case, date(2026, 12, 2))
    assert shown == {
        "case": case.ref, "stage": "settled", "claimed": "1000.00", "currency": "EUR",
        "floor": "800.00", "floor_percent": "80%",
        "offers": [
            {"id": offer.id, "side": "recipient", "amount": "700.00", "made_on": TODAY.isoformat(), "note": "first",
             "state": "open", "by": "handler", "version": offer.version, "at_or_above_floor": False, "consent": None},
            {"id": below.id, "side": "recipient", "amount": "750.00", "made_on": TODAY.isoformat(), "note": None,
             "state": "accepted", "by": "handler", "version": below.version, "at_or_above_floor": False,
             "consent": {"by": "Anna", "how": "phone", "on": TODAY.isoformat()}},
        ],
        "settlement": {
            "id": settlement.id, "amount": "900.00", "covers": "x", "agreed_on": TODAY.isoformat(), "in_court": False,
            "instalments": [
                {"number": 1, "amount": "300.00", "due_on": "2026-12-01", "covered": "300.00", "state": "paid"},
                {"number": 2, "amount": "300.00", "due_on": "2027-01-04", "covered": "0.00", "state": "due"},
                {"number": 3, "amount": "300.00", "due_on": "2027-02-01", "covered": "0.00", "state": "due"}]},
        "money": {"claimed": "1000.00", "settled": "900.00", "paid": "300.00", "outstanding": "600.00",
                  "paid_out": "0.00"},
    }
    bare = services.show(db_session, floored_case(db_session), TODAY)
    assert bare["settlement"] is None and bare["offers"] == [] and bare["money"]["settled"] is None


def test_two_missed_instalments_of_one_settlement_are_listed_once_each_in_settlement_order(db_session):
    (case, settlement), (other, _) = planned(db_session), planned(db_session)
    day = services.missed_from(settlement.instalments[1].due_on) + timedelta(days=1)
    listed = [(m.case_id, m.number) for m in services.missed_instalments(db_session, day)
              if m.case_id in (case.id, other.id)]
    assert listed == [(case.id, 1), (case.id, 2), (other.id, 1), (other.id, 2)]


def test_settled_from_the_latest_settling_in_time_even_when_recorded_out_of_order(db_session):
    """The stage before settling is the one of the latest move to settled by when it happened
    (an imported history may be entered out of order), the last entered at the same moment,
    and later events of other kinds (a note) do not count."""
    from caseapp.cases import services as cases

    def settled_twice():
        case = floored_case(db_session, lifecycle.COLLECTION)
        cases.change_stage(db_session, HANDLER, case, lifecycle.SETTLED, today=TODAY)
        cases.change_stage(db_session, HANDLER, case, lifecycle.LEGAL, today=TODAY)
        cases.change_stage(db_session, HANDLER, case, lifecycle.SETTLED, today=TODAY)
        first, second = db_session.scalars(select(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.to_state == lifecycle.SETTLED).order_by(AuditEvent.id)).all()
        return case, first, second

    case, from_collection, from_legal = settled_twice()
    from_collection.occurred_at = from_legal.occurred_at + timedelta(minutes=5)
    db_session.flush()
    assert settle(db_session, case).in_court is False
    case, from_collection, from_legal = settled_twice()
    from_collection.occurred_at = from_legal.occurred_at
    db_session.flush()
    assert settle(db_session, case).in_court is True
    noted = floored_case(db_session, lifecycle.COURT)
    cases.change_stage(db_session, HANDLER, noted, lifecycle.SETTLED, today=TODAY)
    cases.add_note(db_session, HANDLER, noted, "the recipient will pay in March")
    assert settle(db_session, noted).in_court is True


def test_settlements_by_case_beyond_two_thousand_ids(db_session):
    case, settlement = planned(db_session)
    assert services.settlements_by_case(db_session, [*range(-2500, 0), case.id]) == {case.id: settlement}


def test_a_cancellation_needs_a_reason_and_a_fresh_copy_of_the_case(db_session):
    case, settlement = planned(db_session)
    for reason in (None, "", " \t "):
        assert message(services.cancel_settlement, db_session, HANDLER, case, reason=reason, to_stage="collection",
                       today=TODAY) == ("Reason: say why the settlement is cancelled (e.g. the second instalment "
                                        "was not paid).")
    assert message(services.cancel_settlement, db_session, HANDLER, case, reason="x", to_stage="collection",
                   today=TODAY, seen_version=case.version - 1, error=StaleEdit).startswith(f"Case {case.ref} was changed")
    assert settlement.state == "active"


def test_a_case_with_the_lawyer_is_named_so_when_its_settlement_cannot_be_cancelled(db_session):
    case, _ = planned(db_session)
    case.stage = lifecycle.LEGAL
    assert message(services.cancel_settlement, db_session, HANDLER, case, reason="x", to_stage="legal",
                   today=TODAY).startswith(f"Case {case.ref} is with lawyer, not settled")


def test_a_paid_case_recorded_late_was_settled_from_the_stage_before_settling_not_before_paying(db_session):
    from caseapp.cases import services as cases

    case = floored_case(db_session, lifecycle.COURT)
    cases.change_stage(db_session, HANDLER, case, lifecycle.SETTLED, today=TODAY)
    cases.change_stage(db_session, HANDLER, case, lifecycle.PAID, today=TODAY)
    assert settle(db_session, case).in_court is True and case.stage == lifecycle.PAID
