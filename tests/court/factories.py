"""Court cases for tests, made through the court services."""
from __future__ import annotations

from datetime import date

from caseapp.cases import lifecycle
from caseapp.core.audit import Actor
from caseapp.core.money import Money
from caseapp.court import services
from tests.cases.factories import make_case
from tests.conftest import TODAY

LAWYER = Actor(None, "lea")


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def make_court_case(session, stage: str = lifecycle.LEGAL, *, filed_on: date | None = None, route_id="court",
                    country: str = "DE", **fields):
    """A case in `stage` (setup only, as make_case) with a court case recorded through the service."""
    case = make_case(session, stage, country=country, **fields)
    court_case = services.record_court_case(
        session, LAWYER, case, route_id=route_id, court_name="Amtsgericht Köln",
        court_address="Luxemburger Straße 101\n50939 Köln", file_number="123 C 45/26" if filed_on else None,
        filed_on=filed_on, today=TODAY)
    return case, court_case
