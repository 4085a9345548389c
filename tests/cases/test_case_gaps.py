"""Gaps a mutation run of cases.services found in the slow functions (issue 16): the open case
found for a site, a move's stale-edit refusal, and what a move that is not a closure records."""
from __future__ import annotations

import pytest

from caseapp.cases import lifecycle, services
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import StaleEdit
from tests.cases.factories import make_case
from tests.conftest import TODAY
from tests.parties.factories import make_party

ACTOR = Actor(None, "tester")


def test_the_open_case_for_a_site_is_the_one_against_that_sites_party(db_session):
    """A client's open case against one site is not offered for another site of the client."""
    case = make_case(db_session)
    elsewhere = make_party(db_session)
    assert services.open_case_on_site(db_session, case.client_id, case.party.site) is case
    assert services.open_case_on_site(db_session, case.client_id, elsewhere.site) is None


def test_a_stale_move_is_refused_naming_the_case(db_session):
    case = make_case(db_session)
    with pytest.raises(StaleEdit) as refused:
        services.change_stage(db_session, ACTOR, case, lifecycle.CHECKING, today=TODAY,
                              seen_version=case.version - 1)
    assert str(refused.value).startswith(f"Case {case.ref} ")
    assert case.stage == lifecycle.NEW


def test_a_move_that_is_not_a_closure_records_no_closure_reason(db_session):
    """A reason passed with an ordinary move (a form sends one) is not written as a closure."""
    case = make_case(db_session)
    services.change_stage(db_session, ACTOR, case, lifecycle.CHECKING, today=TODAY, reason="duplicate",
                          note="checking the licence")
    event = db_session.query(AuditEvent).filter_by(case_id=case.id, action="case.stage_changed").one()
    assert (event.reason, event.details) == ("checking the licence", None)
    assert case.closure_reason is None
