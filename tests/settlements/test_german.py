"""The case page's settlement section in German (issue 17): the money card, offers, the
settlement form, flashes and a refusal. (refresh(): see tests/payments/test_german.py.)"""
from __future__ import annotations

from caseapp.cases import lifecycle
from caseapp.core.audit import Actor
from caseapp.core.money import Money
from caseapp.settlements import services
from tests.cases.factories import make_case
from tests.conftest import TODAY

DE = {"Accept-Language": "de"}


def test_the_settlement_section_and_its_messages_in_german(db_session, client_as):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="900.00")
    handler = client_as("handler")
    page = handler.get(f"/cases/{case.ref}", headers=DE).get_data(as_text=True)
    assert "Verhandlung und Vergleich" in page and "Noch keine Angebote." in page and "Vergleich erfassen" in page
    assert "Gefordert" in page and "was der Fall vom Empfänger fordert" in page
    assert "Negotiation and settlement" not in page and "No offers yet" not in page and "Claimed</th>" not in page
    offered = handler.post(f"/cases/{case.ref}/offers", headers=DE, data={"side": "recipient", "amount": "450,00"},
                           follow_redirects=True).get_data(as_text=True)
    assert "erfasst: 450,00" in offered and "der Empfänger" in offered and "offen" in offered
    refused = handler.post(f"/cases/{case.ref}/settlement", headers=DE,
                           data={"amount": "900,00", "covers": " ", "version": case.version},
                           follow_redirects=True).get_data(as_text=True)
    assert "Umfasst: Geben Sie an, was der Vergleich umfasst" in refused and "say what the settlement" not in refused
    db_session.refresh(case)
    recorded = handler.post(f"/cases/{case.ref}/settlement", headers=DE,
                            data={"amount": "900,00", "covers": "das Foto, 2025", "instalments": "3",
                                  "first_due": "2027-06-01", "version": case.version},
                            follow_redirects=True).get_data(as_text=True)
    assert "Vergleich erfasst: 900,00" in recorded and "in 3 Raten." in recorded            # the plural
    assert "fällig am" in recorded and "Rate</th>" in recorded and "Instalment</th>" not in recorded
    settlement = services.settlement_of(db_session, case.id)
    assert settlement is not None and settlement.covers == "das Foto, 2025"


def test_one_instalment_says_the_singular(db_session, client_as):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="500.00")
    services.make_offer(db_session, Actor.system("test"), case, side="recipient",
                        amount=Money.parse("500.00", "EUR"), note=None, made_on=TODAY)
    db_session.commit()
    recorded = client_as("handler").post(f"/cases/{case.ref}/settlement", headers=DE,
                                         data={"amount": "500,00", "covers": "das Foto", "version": case.version},
                                         follow_redirects=True).get_data(as_text=True)
    assert "Vergleich erfasst: 500,00" in recorded and "Raten" not in recorded.split("Vergleich erfasst")[1][:40]
