"""A contract change applies to cases opened after it; each case keeps its terms."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseapp.clients import contracts
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput
from caseapp.core.models import utcnow
from caseapp.core.money import Money
from tests.cases.factories import make_case
from tests.clients.factories import make_client

ACTOR = Actor.system("test")


def test_cases_keep_the_terms_they_were_opened_under(db_session):
    holder = make_client(db_session)
    before = make_case(db_session, holder=holder)
    contracts.change_contract(db_session, ACTOR, holder.id, share_out_of_court_bp=5500, share_in_court_bp=5000,
                              minimum_payout=Money(5000, "EUR"), note="55% from now on")
    after = make_case(db_session, holder=holder)
    old, new = contracts.case_terms(db_session, before), contracts.case_terms(db_session, after)
    assert (old.share_out_of_court_bp, new.share_out_of_court_bp) == (7000, 5500)
    assert contracts.contract_in_words(old).startswith(
        "You receive 70% of what we collect out of court, 50% in court.")
    assert contracts.contract_in_words(new).startswith(
        "You receive 55% of what we collect out of court, 50% in court. We pay out once you are owed at least €50.00.")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "client.contract_changed",
                                                        AuditEvent.subject_id == holder.id)).one()
    assert event.details["share_out_of_court"] == "55%"


def test_both_sides_of_the_moment_a_contract_starts(db_session):
    holder = make_client(db_session)
    start = utcnow() + timedelta(days=3)
    new = contracts.change_contract(db_session, ACTOR, holder.id, share_out_of_court_bp=6000,
                                    share_in_court_bp=4500, starts_at=start)
    just_before = contracts.current_contract(db_session, holder.id, at=start - timedelta(microseconds=1))
    assert just_before.id != new.id and just_before.share_out_of_court_bp == 7000
    assert contracts.current_contract(db_session, holder.id, at=start).id == new.id
    assert make_case(db_session, holder=holder).contract_id == just_before.id    # opened now: the old terms


@pytest.mark.parametrize("typed, bp", [("55", 5500), ("52.5", 5250), ("52,5", 5250), ("100", 10000), ("0", 0), ("70%", 7000)])
def test_shares_are_whole_or_half_percent(typed, bp):
    assert contracts.percent_bp(typed, "Share") == bp


@pytest.mark.parametrize("typed", ["52.25", "101", "-5", "abc", "", "nan", "١٢", "1e2"])
def test_other_shares_are_refused(typed):
    with pytest.raises(InvalidInput, match="^Share: .*whole or half percent"):
        contracts.percent_bp(typed, "Share")


def test_a_contract_cannot_start_in_the_past_or_pay_in_another_currency(db_session):
    holder = make_client(db_session)
    with pytest.raises(InvalidInput, match="cannot start in the past"):
        contracts.change_contract(db_session, ACTOR, holder.id, share_out_of_court_bp=5500, share_in_court_bp=5000,
                                  starts_at=utcnow() - timedelta(days=1))
    with pytest.raises(InvalidInput, match="pays in EUR"):
        contracts.change_contract(db_session, ACTOR, holder.id, share_out_of_court_bp=5500, share_in_court_bp=5000,
                                  minimum_payout=Money(5000, "USD"))
    with pytest.raises(InvalidInput, match="Share in court"):
        contracts.change_contract(db_session, ACTOR, holder.id, share_out_of_court_bp=5500, share_in_court_bp=5025)
