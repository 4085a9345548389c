"""The court split through the payouts service: a case that never reached court is split out of court
(70/30), one that reached court and was then paid keeps the in-court split (50/50)."""
from __future__ import annotations

import pytest

from caseapp.cases import lifecycle
from caseapp.cases import services as cases
from caseapp.core.audit import Actor
from caseapp.payouts import services as payouts
from tests.cases.factories import make_case
from tests.clients.factories import make_client
from tests.conftest import TODAY
from tests.payouts.factories import DAY, collect

ANTON = Actor(None, "anton")


def _item(session, holder):
    line = next(line for line in payouts.draft(session, ANTON, DAY).lines if line.client_id == holder.id)
    return line.items[0]


@pytest.mark.parametrize("path, in_court, share", [
    ((lifecycle.COLLECTION, lifecycle.PAID), False, 7000),                   # never reached court
    ((lifecycle.LEGAL, lifecycle.PAID), True, 5000),                         # with the lawyer, then paid
    ((lifecycle.LEGAL, lifecycle.COURT, lifecycle.PAID), True, 5000),        # in court, then paid
])
def test_a_case_that_reached_court_keeps_the_in_court_split(db_session, path, in_court, share):
    holder = make_client(db_session)
    holder.country, holder.tax_status = "US", "standard"    # no VAT: the split alone
    case = make_case(db_session, lifecycle.FINAL_DEMAND, holder=holder)
    for target in path:
        cases.change_stage(db_session, ANTON, case, target, today=TODAY)
    assert case.stage == lifecycle.PAID
    assert (case.court_since == TODAY) is in_court
    collect(db_session, case, "100.01")
    item = _item(db_session, holder)
    assert (item.in_court, item.share_bp) == (in_court, share)
    assert item.client_share_minor == (7001 if share == 7000 else 5001)


def test_court_since_is_set_once_and_never_cleared(db_session):
    case = make_case(db_session, lifecycle.FINAL_DEMAND)
    cases.change_stage(db_session, ANTON, case, lifecycle.LEGAL, today=TODAY)
    cases.change_stage(db_session, ANTON, case, lifecycle.SETTLED, today=TODAY.replace(day=24))
    cases.change_stage(db_session, ANTON, case, lifecycle.LEGAL, today=TODAY.replace(day=25))
    cases.change_stage(db_session, ANTON, case, lifecycle.PAID, today=TODAY.replace(day=26))
    assert case.court_since == TODAY and cases.is_in_court(case)
