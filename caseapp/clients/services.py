"""Client and work use cases."""
from __future__ import annotations

from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.records import add_record, clean_values, delete_record, edit_record, text_or_none
from caseapp.core.filestore import FileStore
from caseapp.core.images import thumbnail_bytes
from caseapp.clients.models import Client, Work


CLIENT_KINDS = ("photographer", "agency", "publisher", "estate")
CLIENT_FIELDS = ("name", "kind", "email", "country", "language")


def _clean_client(values: dict[str, Any]) -> dict[str, Any]:
    return clean_values(values, record="client", fields=CLIENT_FIELDS, kinds=CLIENT_KINDS)


def add_client(session: Session, actor: Actor, *, name: str, country: str, kind: str = "photographer",
               email: str | None = None, language: str = "en") -> Client:
    clean = _clean_client({"name": name, "country": country, "kind": kind, "email": email, "language": language})
    return add_record(session, actor, Client(**clean), "client")


def edit_client(session: Session, actor: Actor, client_id: int, *, seen_version: int | None,
                **values: Any) -> Client:
    client = get_client(session, client_id)
    edit_record(session, actor, client, _clean_client(values), subject="client", what=f"Client {client.name}",
                seen_version=seen_version)
    return client


def delete_client(session: Session, actor: Actor, client_id: int) -> None:
    client = get_client(session, client_id)
    delete_record(session, actor, client, subject="client", what=f"Client {client.name}",
                  in_use="the client has works or cases; they stay with the client.")


def get_work(session: Session, work_id: int) -> Work:
    work = session.get(Work, work_id)
    if work is None:
        raise NotFound(f"There is no work {work_id}.")
    return work


def edit_work(session: Session, actor: Actor, work_id: int, *, seen_version: int | None = None,
              title: str) -> Work:
    """A work's title (its image never changes: a new image is a new work)."""
    work = get_work(session, work_id)
    title = text_or_none(title)
    if not title:
        raise InvalidInput("Title: a work needs a title.")
    edit_record(session, actor, work, {"title": title[:300]}, subject="work", what=f"Work {work.title}",
                seen_version=seen_version)
    return work


def add_work(session: Session, store: FileStore, actor: Actor, *, client_id: int,
             title: str, data: bytes) -> Work:
    """Store an image as a work of a client, with its thumbnail."""
    try:
        thumb, width, height = thumbnail_bytes(data)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise InvalidInput(
            f"'{title}' is not an image we can read ({error.__class__.__name__}: {error}). "
            "Upload a JPEG, PNG, WebP or GIF file."
        ) from None
    work = Work(client_id=client_id, title=title, file_sha256=store.put(data),
                thumbnail_sha256=store.put(thumb), width=width, height=height)
    session.add(work)
    session.flush()
    audit.record(session, actor, "work.added", "work", work.id,
                 details={"title": title, "sha256": work.file_sha256})
    return work


def get_client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(f"No client with id {client_id}; `caseapp cases list` and the Clients page show them.")
    return client


def client_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every client, by name: for filters and pickers."""
    return [tuple(row) for row in session.execute(
        select(Client.id, Client.name).order_by(Client.name))]


def work_titles(session: Session, work_ids) -> dict[int, str]:
    """Each work's title, by id (for lists that name works)."""
    ids = sorted(set(work_ids))
    return dict(session.execute(select(Work.id, Work.title).where(Work.id.in_(ids))).all()) if ids else {}


def documented_fee(session: Session, work_id: int) -> "Money | None":
    """What the client documented selling a licence to this work for (their sales history),
    which a claim uses instead of the fee table. Clients cannot document sales yet: None."""
    return None
