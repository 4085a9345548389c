"""Clients and works for tests. A client is made through the clients' service; a work reuses
an image the tests' file store already holds (adding one through `add_work` decodes and
stores an image, which tests/clients and the demo do for real)."""
from __future__ import annotations

import itertools

from sqlalchemy import select

from caseapp.clients import services
from caseapp.clients.models import Client, Work
from caseapp.core.audit import Actor

_serial = itertools.count(1)
FACTORY = Actor.system("factory")


def make_client(session, name: str | None = None) -> Client:
    return services.add_client(session, FACTORY, name=name or f"Client {next(_serial)}", country="DE")


def make_work(session, holder: Client) -> Work:
    template = session.scalars(select(Work).limit(1)).first()
    item = Work(client_id=holder.id, title=f"Work {next(_serial)}",
                file_sha256=template.file_sha256, thumbnail_sha256=template.thumbnail_sha256,
                width=template.width, height=template.height)
    session.add(item)
    session.flush()
    return item
