"""Client and work use cases."""
from __future__ import annotations

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.filestore import FileStore
from caseapp.core.images import thumbnail_bytes
from caseapp.rightsholders.models import RightsHolder, Work

# Larger images are refused as possible decompression bombs.
MAX_PIXELS = 100_000_000


def add_client(session: Session, actor: Actor, *, name: str, country: str, kind: str = "photographer",
               email: str | None = None, language: str = "en") -> RightsHolder:
    client = RightsHolder(name=name, country=country.upper(), kind=kind, email=email, language=language)
    session.add(client)
    session.flush()
    audit.record(session, actor, "client.added", "rights_holder", client.id, details={"name": name})
    return client


def add_work(session: Session, store: FileStore, actor: Actor, *, rights_holder_id: int,
             title: str, data: bytes) -> Work:
    """Store an image as a work of a client, with its thumbnail."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        thumb, width, height = thumbnail_bytes(data)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise InvalidInput(
            f"'{title}' is not an image we can read ({error.__class__.__name__}: {error}). "
            "Upload a JPEG, PNG, WebP or GIF file."
        ) from None
    work = Work(rights_holder_id=rights_holder_id, title=title, file_sha256=store.put(data),
                thumbnail_sha256=store.put(thumb), width=width, height=height)
    session.add(work)
    session.flush()
    audit.record(session, actor, "work.added", "work", work.id,
                 details={"title": title, "sha256": work.file_sha256})
    return work


def get_client(session: Session, client_id: int) -> RightsHolder:
    client = session.get(RightsHolder, client_id)
    if client is None:
        raise NotFound(f"No client with id {client_id}; `caseapp cases list` and the Clients page show them.")
    return client


def client_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every client, by name: for filters and pickers."""
    return [tuple(row) for row in session.execute(
        select(RightsHolder.id, RightsHolder.name).order_by(RightsHolder.name))]


def documented_fee(session: Session, work_id: int) -> "Money | None":
    """What the client documented selling a licence to this work for (their sales history),
    which a claim uses instead of the fee table. Clients cannot document sales yet: None."""
    return None
