"""Negotiation and settlement where the other tests left a rule unwatched: the offers' order by
day then by entry, a stale settlement named in full, the plan's days by the case's own country,
what is due to the cent, and the money card of a case that is not in euros beside other cases'
money."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from caseapp.cases import lifecycle
from caseapp.clients import contracts
from caseapp.core.errors import InvalidInput, StaleEdit
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.settlements import services
from tests.cases.factories import make_case
from tests.clients.factories import make_client
from tests.conftest import TODAY
from tests.settlements.test_settlements import HANDLER, eur, floored_case, pay, planned


def message(call, *args, error=InvalidInput, **kwargs) -> str:
    with pytest.raises(error) as refused:
        call(*args, **kwargs)
    return str(refused.value)


def settle(session, case, **kwargs):
    values = {"amount": Money.parse("900.00", case.currency), "covers": "work 1", "agreed_on": TODAY,
              "today": TODAY, **kwargs}
    return services.record_settlement(session, HANDLER, case, **values)


def foreign_case(session, *, country="DE", currency="EUR", claimed="1000.00", stage=lifecycle.OFFER_SENT):
    holder = make_client(session)
    contracts.change_contract(session, HANDLER, holder.id, share_out_of_court_bp=5000, share_in_court_bp=4000,
                              settlement_floor_bp=8000)
    return make_case(session, stage, holder=holder, claimed=claimed, country=country, currency=currency)


# --- offers ------------------------------------------------------------------------------------------

def test_offers_are_listed_by_the_day_made_before_the_order_entered(db_session):
    case = floored_case(db_session)
    later = services.make_offer(db_session, HANDLER, case, side="firm", amount=eur("950.00"), made_on=TODAY)
    earlier = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("600.00"),
                                  made_on=TODAY - timedelta(days=1))
    assert services.offers_of(db_session, case.id) == [earlier, later]


# --- recording a settlement --------------------------------------------------------------------------

def test_a_settlement_on_a_stale_copy_of_the_case_is_refused_naming_the_case(db_session):
    case = floored_case(db_session)
    assert message(settle, db_session, case, seen_version=case.version - 1, error=StaleEdit) == (
        f"Case {case.ref} was changed by someone else while you were editing it (you saw version "
        f"{case.version - 1}, it is now at version {case.version}). Reload the page to see their change, "
        "then make yours again.")
    assert services.settlement_of(db_session, case.id) is None
    assert settle(db_session, case, seen_version=case.version).amount == eur("900.00")


def test_a_plans_days_are_the_working_days_of_the_cases_country(db_session):
    """14 July 2026 is a Tuesday and France's national day; the firm's own calendar works on it."""
    case = foreign_case(db_session, country="FR")
    settlement = settle(db_session, case, instalments=2, first_due=date(2026, 7, 14), agreed_on=date(2026, 7, 1))
    assert [i.due_on for i in settlement.instalments] == [date(2026, 7, 15), date(2026, 8, 14)]


def test_a_settlement_without_an_offer_records_none(db_session):
    case = floored_case(db_session)
    settlement = settle(db_session, case)
    assert settlement.offer_id is None
    from tests.settlements.test_settlement_edges import audit_of
    assert audit_of(db_session, "settlement.recorded", settlement.id).details["offer"] is None


# --- what is due ---------------------------------------------------------------------------------------

def test_one_cent_left_to_pay_is_due_and_nothing_left_is_zero(db_session):
    case, _ = planned(db_session)
    pay(db_session, case, "899.99")
    assert services.due_on_case(db_session, case.id) == eur("0.01")
    pay(db_session, case, "0.01")
    assert services.due_on_case(db_session, case.id) == eur("0.00")


# --- the money card --------------------------------------------------------------------------------------

def usd(text: str) -> Money:
    return Money.parse(text, "USD")


def pay_usd(session, case, amount: str, *, costs: str | None = None, over: str | None = None, day=TODAY):
    lines = [ledger.credit("collected", usd(amount), case_id=case.id, client_id=case.client_id)]
    total = usd(amount)
    if costs:
        lines.append(ledger.credit("costs_advanced", usd(costs), case_id=case.id))
        total = total + usd(costs)
    if over:
        lines.append(ledger.credit("overpaid", usd(over), case_id=case.id))
        total = total + usd(over)
    return ledger.post(session, HANDLER, kind="payment_received", description="paid", booked_on=day,
                       lines=[ledger.debit("bank", total), *lines], case_id=case.id)


def busy_neighbour(session):
    """Another case with money of every kind in euros and in dollars: none of it is ours."""
    other = foreign_case(session)
    pay(session, other, "70.00", costs="7.00", over="3.00")
    ledger.post(session, HANDLER, kind="costs_advanced", description="court fee", booked_on=TODAY,
                lines=[ledger.debit("costs_advanced", eur("55.00"), case_id=other.id),
                       ledger.credit("bank", eur("55.00"))])
    ledger.post(session, HANDLER, kind="payout", description="paid out", booked_on=TODAY,
                lines=[ledger.debit("collected", eur("20.00"), case_id=other.id, client_id=other.client_id),
                       ledger.credit("bank", eur("20.00"))])
    dollars = foreign_case(session, currency="USD")
    pay_usd(session, dollars, "40.00", costs="4.00", over="1.00")
    ledger.post(session, HANDLER, kind="payout", description="paid out", booked_on=TODAY,
                lines=[ledger.debit("collected", usd("9.00"), case_id=dollars.id, client_id=dollars.client_id),
                       ledger.credit("bank", usd("9.00"))])
    return other


def test_the_money_card_of_a_dollar_case_counts_its_own_dollars_only(db_session):
    busy_neighbour(db_session)
    case = foreign_case(db_session, currency="USD")
    ledger.post(db_session, HANDLER, kind="costs_advanced", description="court fee", booked_on=TODAY,
                lines=[ledger.debit("costs_advanced", usd("30.00"), case_id=case.id),
                       ledger.credit("bank", usd("30.00"))])
    pay_usd(db_session, case, "100.00", costs="10.00", over="2.50")
    ledger.post(db_session, HANDLER, kind="payout", description="paid out", booked_on=TODAY,
                lines=[ledger.debit("collected", usd("60.00"), case_id=case.id, client_id=case.client_id),
                       ledger.credit("bank", usd("60.00"))])
    card = services.money_card(db_session, case)
    # claim 1000 - 100 collected + (30 advanced - 10 recovered) in costs
    assert card == services.MoneyCard(usd("1000.00"), None, usd("112.50"), usd("2.50"), usd("920.00"), usd("60.00"))
    settle(db_session, case)
    card = services.money_card(db_session, case)
    assert card == services.MoneyCard(usd("1000.00"), usd("900.00"), usd("112.50"), usd("2.50"), usd("790.00"),
                                      usd("60.00"))


def test_the_money_card_of_a_euro_case_beside_other_cases_money(db_session):
    busy_neighbour(db_session)
    case = floored_case(db_session)
    assert services.money_card(db_session, case) == services.MoneyCard(
        eur("1000.00"), None, eur("0.00"), eur("0.00"), eur("1000.00"), eur("0.00"))
    pay(db_session, case, "100.00", over="1.00")
    assert services.money_card(db_session, case) == services.MoneyCard(
        eur("1000.00"), None, eur("101.00"), eur("1.00"), eur("900.00"), eur("0.00"))


# --- ties, which only PostgreSQL shows (SQLite reads ties in id order whatever the query says) -----------------

def test_offers_made_the_same_day_are_listed_in_the_order_entered_even_when_stored_out_of_order(db_session):
    """Offers with the same day come in the order entered (their id), not in the order the
    database happens to read them: here the later id is stored first."""
    from caseapp.settlements.models import SettlementOffer

    case = floored_case(db_session)
    start = 10**9
    for offset in (1, 0):
        db_session.add(SettlementOffer(id=start + offset, case_id=case.id, side="firm", amount_minor=90000 + offset,
                                       currency="EUR", made_on=TODAY, recorded_by="handler", state="open"))
        db_session.flush()
    assert [o.id for o in services.offers_of(db_session, case.id)] == [start, start + 1]


def test_settled_from_the_last_entered_of_several_settlings_at_the_same_moment(db_session):
    """Three moves to settled at the same moment (an import): the stage before settling is the one
    of the last entered (from legal, in court), whatever order the database stores them in."""
    from sqlalchemy import select

    from caseapp.cases import services as cases
    from caseapp.core.audit import AuditEvent

    case = floored_case(db_session, lifecycle.COLLECTION)
    for stage in (lifecycle.SETTLED, lifecycle.COLLECTION, lifecycle.SETTLED, lifecycle.LEGAL, lifecycle.SETTLED):
        cases.change_stage(db_session, HANDLER, case, stage, today=TODAY)
    first, second, third = db_session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.to_state == lifecycle.SETTLED).order_by(AuditEvent.id)).all()
    assert [e.from_state for e in (first, second, third)] == ["collection", "collection", "legal"]
    for moved in (third, second):          # stored after the first, the third before the second
        moved.occurred_at = first.occurred_at
        db_session.flush()
    assert settle(db_session, case).in_court is True


# --- more of the settlement's checks and days ----------------------------------------------------------------

def test_a_settlement_that_says_nothing_of_what_it_covers_is_refused(db_session):
    case = floored_case(db_session)
    assert message(settle, db_session, case, covers=None) == \
        "Covers: say what the settlement covers (works, period of use, costs)."
    assert services.settlement_of(db_session, case.id) is None


def test_a_plan_of_two_or_more_needs_its_first_day_and_one_payment_does_not(db_session):
    case = floored_case(db_session)
    assert message(settle, db_session, case, instalments=2) == \
        "First due: an instalment plan needs the first instalment's due date."
    assert settle(db_session, case, instalments=1).instalments == []


def test_a_plans_days_are_the_working_days_of_the_recipients_region(db_session):
    """6 January 2026 is a Tuesday and Epiphany, a holiday in Bavaria but not in all Germany."""
    case = floored_case(db_session)
    case.party.subdivision = "BY"
    db_session.flush()
    settlement = settle(db_session, case, instalments=2, first_due=date(2026, 1, 6), agreed_on=date(2026, 1, 2))
    assert [i.due_on for i in settlement.instalments] == [date(2026, 1, 7), date(2026, 2, 6)]


# --- received until a day, raised instalments, missed ones in order -----------------------------------------

def test_costs_recovered_after_the_day_are_not_received_by_it(db_session):
    case, _ = planned(db_session)
    pay(db_session, case, "100.00", costs="10.00", day=TODAY)
    pay(db_session, case, "20.00", costs="5.00", day=TODAY + timedelta(days=1))
    assert services.received(db_session, case.id, "EUR", until=TODAY) == eur("110.00")
    assert services.received(db_session, case.id, "EUR", until=TODAY + timedelta(days=1)) == eur("135.00")
    assert services.received(db_session, case.id, "EUR", until=TODAY - timedelta(days=1)) == eur("0.00")


def test_an_instalments_state_says_when_it_was_raised(db_session):
    case, settlement = planned(db_session)
    day = services.missed_from(settlement.instalments[0].due_on) + timedelta(days=1)
    services.mark_raised(db_session, settlement.instalments[0].id, day)
    states = services.instalment_states(db_session, settlement, day)
    assert [(s.number, s.state, s.raised_on) for s in states] == [(1, "missed", day), (2, "due", None),
                                                                 (3, "due", None)]


def test_missed_instalments_of_many_settlements_come_in_settlement_order(db_session):
    """(Both databases happen to read them in id order here; the test below makes PostgreSQL hash them.)"""
    made = [planned(db_session) for _ in range(6)]
    day = services.missed_from(made[0][1].instalments[0].due_on) + timedelta(days=1)
    mine = {case.id for case, _ in made}
    listed = [m.settlement_id for m in services.missed_instalments(db_session, day) if m.case_id in mine]
    assert listed == sorted(s.id for _, s in made)


# --- the money card: overpaid and outstanding at their edges ------------------------------------------------

def refund(session, case, amount: str):
    ledger.post(session, HANDLER, kind="refund", description="refunded", booked_on=TODAY,
                lines=[ledger.debit("overpaid", eur(amount), case_id=case.id), ledger.credit("bank", eur(amount))])


def test_what_was_paid_too_much_is_less_what_was_refunded_and_never_below_nothing(db_session):
    case, _ = planned(db_session)
    pay(db_session, case, "100.00", over="3.00")
    refund(db_session, case, "1.00")
    card = services.money_card(db_session, case)
    assert (card.overpaid, card.paid) == (eur("2.00"), eur("102.00"))
    refund(db_session, case, "1.99")
    card = services.money_card(db_session, case)
    assert (card.overpaid, card.paid) == (eur("0.01"), eur("100.01"))
    refund(db_session, case, "0.01")
    assert services.money_card(db_session, case).overpaid == eur("0.00")
    refund(db_session, case, "0.50")            # refunded more than was paid too much: nothing is owed back
    card = services.money_card(db_session, case)
    assert (card.overpaid, card.paid) == (eur("0.00"), eur("100.00"))


def test_one_cent_outstanding_on_the_card_and_then_nothing(db_session):
    case, _ = planned(db_session)
    pay(db_session, case, "899.99")
    assert services.money_card(db_session, case).outstanding == eur("0.01")
    pay(db_session, case, "0.01")
    assert services.money_card(db_session, case).outstanding == eur("0.00")
    unsettled = floored_case(db_session)
    pay(db_session, unsettled, "999.99")
    assert services.money_card(db_session, unsettled).outstanding == eur("0.01")


# --- a second settlement, and one on an offer, as the audit keeps them -----------------------------------------

def test_a_live_cases_own_stage_decides_even_when_it_was_settled_from_court_before(db_session):
    """Settled in court, the settlement broken and the case sent to collection: a new settlement
    agreed in collection is out of court (the earlier settling does not count)."""
    case = floored_case(db_session, lifecycle.COURT)
    first = settle(db_session, case)
    assert first.in_court is True
    services.cancel_settlement(db_session, HANDLER, case, reason="nothing paid", to_stage=lifecycle.COLLECTION,
                               today=TODAY)
    assert case.stage == lifecycle.COLLECTION
    second = settle(db_session, case, amount=eur("950.00"))
    assert (second.in_court, second.stage_at_agreement, case.stage) == (False, "collection", lifecycle.SETTLED)


def test_a_settlement_on_an_offer_is_audited_with_the_offer(db_session):
    from tests.settlements.test_settlement_edges import audit_of

    case = floored_case(db_session)
    offer = services.make_offer(db_session, HANDLER, case, side="recipient", amount=eur("850.00"), made_on=TODAY)
    services.accept_offer(db_session, HANDLER, case, offer.id)
    settlement = settle(db_session, case, amount=eur("850.00"), offer_id=offer.id)
    details = audit_of(db_session, "settlement.recorded", settlement.id).details
    assert (details["offer"], details["amount"], details["in_court"]) == (offer.id, "850.00 EUR", False)


def test_missed_instalments_come_in_settlement_order_when_the_database_hashes_the_distinct(db_session):
    """On PostgreSQL with sorting discouraged, DISTINCT is done by hashing and comes out in no
    order: only the query's ORDER BY keeps the list in settlement order."""
    from sqlalchemy import text

    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite always reads the settlements in id order")
    made = [planned(db_session) for _ in range(12)]
    db_session.execute(text("SET LOCAL enable_sort = off"))
    day = services.missed_from(made[0][1].instalments[0].due_on) + timedelta(days=1)
    mine = {case.id for case, _ in made}
    listed = [m.settlement_id for m in services.missed_instalments(db_session, day) if m.case_id in mine]
    assert listed == sorted(s.id for _, s in made)
