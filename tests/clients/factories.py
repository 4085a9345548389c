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


# A signed mandate on file (its SHA-256): a case's checks stage needs one (the gate).
MANDATE_SHA256 = "d" * 64


def make_client(session, name: str | None = None, *, mandate: bool = True, evidence: str = "professional") -> Client:
    """A client; with a signed mandate on file unless `mandate=False` (tests of the gate); with
    proof of professional work on file (claims at the fee table) unless `evidence="none"`."""
    client = services.add_client(session, FACTORY, name=name or f"Client {next(_serial)}", country="DE",
                                 licensing_evidence=evidence)
    if mandate:
        client.mandate_sha256, client.mandate_filename = MANDATE_SHA256, "mandate.pdf"
        session.flush()
    return client


def make_work(session, holder: Client, *, verified: bool = True) -> Work:
    """A work of `holder`, verified unless `verified=False` (tests of ownership and the gate)."""
    template = session.scalars(select(Work).limit(1)).first()
    item = Work(client_id=holder.id, title=f"Work {next(_serial)}",
                file_sha256=template.file_sha256, thumbnail_sha256=template.thumbnail_sha256,
                width=template.width, height=template.height,
                **({"status": "verified", "status_reason": "factory: verified", "status_by": "factory"}
                   if verified else {}))
    session.add(item)
    session.flush()
    return item
