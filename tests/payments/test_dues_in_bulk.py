"""What every payable case owes, computed for all of them at once (`dues_by_case`, what the
unmatched-payments page and a statement import use over 100,000 cases), is what `due_on` says case
by case. Checked here on the demo data, and inside the payment property tests of test_payments.py
(costs advanced, part payments, returns, settled cases) through `assert_bulk_agrees`."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from caseapp.cases.models import Case
from caseapp.core.audit import Actor
from caseapp.core.money import Money
from caseapp.payments import services
from caseapp.payments.services import PAYABLE_STAGES, due_on

DAY = date(2026, 11, 3)


def assert_bulk_agrees(session) -> dict:
    payable = list(session.scalars(select(Case).where(Case.stage.in_(PAYABLE_STAGES))))
    bulk = services.dues_by_case(session)
    assert list(bulk) == [c.id for c in sorted(payable, key=lambda c: (PAYABLE_STAGES.index(c.stage), c.id))]
    for case in payable:
        assert bulk[case.id] == due_on(session, case), case.ref
    return bulk


def test_bulk_dues_equal_due_on_for_every_payable_case(db_session):
    assert len(assert_bulk_agrees(db_session)) >= 10, "the demo data has payable cases"


def test_asked_for_amounts_only_the_cases_owing_them(db_session):
    every = services.dues_by_case(db_session)
    some = list(every.items())[:3]
    amounts = {(owed.costs.currency, owed.total.minor) for _, owed in some}
    asked = services.dues_by_case(db_session, amounts=amounts)
    assert asked == {case_id: owed for case_id, owed in every.items()
                     if (owed.costs.currency, owed.total.minor) in amounts}
    assert {case_id for case_id, _ in some} <= set(asked)
    assert services.dues_by_case(db_session, amounts=set()) == {}


def test_settled_cases_and_costs_advanced_in_bulk(db_session):
    """A settled case with costs advanced on it, another case with costs only: both branches of
    claim_due, summed per case over the ledger."""
    from caseapp.ledger import services as ledger
    from caseapp.settlements import services as settlements

    actor = Actor.system("test")
    settled, costly = db_session.scalars(select(Case).where(Case.stage == "offer_sent", Case.currency == "EUR")
                                         .order_by(Case.id).limit(2))
    for case in (settled, costly):
        ledger.post(db_session, actor, kind="costs_advanced", description="court fee", booked_on=DAY,
                    lines=[ledger.debit("costs_advanced", Money(3800, "EUR"), case_id=case.id),
                           ledger.credit("office_transfers", Money(3800, "EUR"))])
    agreed = Money(settled.claimed_minor, "EUR")
    settlements.record_settlement(db_session, actor, settled, amount=agreed, covers="all", agreed_on=DAY, today=DAY)
    bulk = assert_bulk_agrees(db_session)
    assert bulk[costly.id].costs == Money(3800, "EUR")
    assert bulk[settled.id].costs + bulk[settled.id].claim == agreed


def test_ledger_entries_in_another_currency_than_the_cases_do_not_count_in_bulk(db_session):
    """Costs advanced in pounds on a euro case, and money collected in pounds on it: what the
    case owes in euros is computed from its euro entries alone, in bulk as by `due_on`."""
    from caseapp.ledger import services as ledger

    actor = Actor.system("test")
    case = db_session.scalars(select(Case).where(Case.stage == "offer_sent", Case.currency == "EUR")
                              .order_by(Case.id)).first()
    ledger.post(db_session, actor, kind="costs_advanced", description="court fee", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", Money(2500, "GBP"), case_id=case.id),
                       ledger.credit("office_transfers", Money(2500, "GBP"))])
    ledger.post(db_session, actor, kind="costs_advanced", description="court fee", booked_on=DAY,
                lines=[ledger.debit("costs_advanced", Money(1200, "EUR"), case_id=case.id),
                       ledger.credit("office_transfers", Money(1200, "EUR"))])
    bulk = assert_bulk_agrees(db_session)
    assert bulk[case.id].costs == Money(1200, "EUR")
    assert bulk[case.id].claim == Money(case.claimed_minor, "EUR")
