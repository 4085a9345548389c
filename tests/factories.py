"""Factories: objects made through the services, as the app makes them."""
from __future__ import annotations

import itertools

from sqlalchemy import select

from caseapp.cases import lifecycle, services
from caseapp.cases.models import Case
from caseapp.core.audit import Actor
from caseapp.core.money import Money
from caseapp.parties.models import Party
from caseapp.clients.models import Client, Work

from tests.conftest import TODAY

_serial = itertools.count(1)


def party(session, country: str = "DE", **fields) -> Party:
    n = next(_serial)
    party = Party(name=fields.pop("name", f"Party {n} GmbH"), country=country,
                          street="Hauptstraße 1", postal_code="10115", city="Berlin",
                          site=f"party{n}.example", **fields)
    session.add(party)
    session.flush()
    return party


def client(session, name: str | None = None) -> Client:
    holder = Client(name=name or f"Client {next(_serial)}", country="DE")
    session.add(holder)
    session.flush()
    return holder


def work(session, holder: Client) -> Work:
    # Reuse a stored demo image: the tests' file store has them.
    template = session.scalars(select(Work).limit(1)).first()
    item = Work(client_id=holder.id, title=f"Work {next(_serial)}",
                file_sha256=template.file_sha256, thumbnail_sha256=template.thumbnail_sha256,
                width=template.width, height=template.height)
    session.add(item)
    session.flush()
    return item


def case(session, stage: str = lifecycle.NEW, *, held_from: str | None = None,
         country: str = "DE", holder: Client | None = None, claimed: str = "450.00",
         currency: str = "EUR", expected: str | None = None, actor: Actor | None = None) -> Case:
    """A case opened through the service, then placed in `stage` (setup only)."""
    holder = holder or client(session)
    opened = services.open_case(
        session, actor or Actor.system("factory"), client_id=holder.id,
        party_id=party(session, country).id,
        items=[services.ItemSpec(work_id=work(session, holder).id, page_url="https://x.example/p/1")],
        claimed=Money.parse(claimed, currency), today=TODAY,
        expected_value=Money.parse(expected, currency) if expected else None,
    )
    if stage != lifecycle.NEW:
        opened.stage = stage
        if stage == lifecycle.ON_HOLD:
            opened.held_from_stage = held_from or lifecycle.OFFER_SENT
        if stage == lifecycle.CLOSED:
            opened.closure_reason = "duplicate"
            opened.next_due_on = None
        session.flush()
    return opened
