"""The case page's settlement section: a handler cancels a broken settlement (the case goes to
collection or the lawyer); an accountant reads the section but has no form and cannot post."""
from __future__ import annotations

from caseapp.cases import lifecycle
from caseapp.core.audit import Actor
from caseapp.core.money import Money
from caseapp.settlements import services
from tests.cases.factories import make_case
from tests.conftest import TODAY


def test_a_handler_cancels_a_broken_settlement_from_the_case_page(db_session, client_as):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="500.00")
    settlement = services.record_settlement(db_session, Actor.system("test"), case, amount=Money.parse("500.00", "EUR"),
                                            covers="the photo, 2025", agreed_on=TODAY, today=TODAY)
    url = f"/cases/{case.ref}/settlement/cancel"
    accountant = client_as("accountant")
    page = accountant.get(f"/cases/{case.ref}")
    assert b'id="settlement"' in page.data and b"cancel the settlement" not in page.data
    assert accountant.post(url, data={"reason": "x", "to_stage": "collection"}).status_code == 403
    assert settlement.state == "active"

    handler = client_as("handler")
    assert b"cancel the settlement" in handler.get(f"/cases/{case.ref}").data
    refused = handler.post(url, data={"reason": " ", "to_stage": "collection", "version": case.version},
                           follow_redirects=True)
    assert b"Reason: say why" in refused.data and settlement.state == "active"
    done = handler.post(url, data={"reason": "nothing paid by the due date", "to_stage": "collection",
                                   "version": case.version}, follow_redirects=True)
    assert b"cancelled" in done.data
    db_session.refresh(case)
    db_session.refresh(settlement)
    assert settlement.state == "cancelled" and case.stage == lifecycle.COLLECTION
