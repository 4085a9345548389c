"""Parties for tests, made through the parties' service as a handler's page makes them."""
from __future__ import annotations

import itertools

from caseapp.core.audit import Actor
from caseapp.parties import services
from caseapp.parties.models import Party

_serial = itertools.count(1)
FACTORY = Actor.system("factory")


def make_party(session, country: str = "DE", **fields) -> Party:
    n = next(_serial)
    values = {"name": f"Party {n} GmbH", "street": "Hauptstraße 1", "postal_code": "10115", "city": "Berlin",
              "site": f"party{n}.example", **fields}
    return services.add_party(session, FACTORY, country=country, **values)
