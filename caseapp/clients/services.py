"""Client and work use cases."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.records import ReferenceRecords, clean_values, text_or_none
from caseapp.core.filestore import FileStore
from caseapp.core.images import thumbnail_bytes
from caseapp.clients.models import Client, Work

if TYPE_CHECKING:
    from caseapp.core.money import Money


CLIENT_KINDS = ("photographer", "agency", "publisher", "estate")
CLIENT_FIELDS = ("name", "kind", "email", "country", "language", "pursues_private_users")


def _clean_client(values: dict[str, Any]) -> dict[str, Any]:
    clean = clean_values(values, record="client", fields=CLIENT_FIELDS, kinds=CLIENT_KINDS)
    if "pursues_private_users" in clean:
        clean["pursues_private_users"] = clean["pursues_private_users"] in (True, "y", "yes", "true", "1", "on")
    return clean


_clients = ReferenceRecords(
    Client, subject="client", clean=_clean_client,
    missing="No client with id {id}; `caseapp cases list` and the Clients page show them.",
    in_use="the client has works or cases; they stay with the client.")
get_client, edit_client, delete_client = _clients.get, _clients.edit, _clients.delete


def add_client(session: Session, actor: Actor, *, name: str, country: str, kind: str = "photographer",
               email: str | None = None, language: str = "en", pursues_private_users: bool = False) -> Client:
    return _clients.add(session, actor, name=name, country=country, kind=kind, email=email, language=language,
                        pursues_private_users=pursues_private_users)


def _clean_work(values: dict[str, Any]) -> dict[str, Any]:
    """A work's title (its image never changes: a new image is a new work)."""
    if set(values) - {"title"}:
        raise InvalidInput("Only a work's title can be changed: a new image is a new work.")
    title = text_or_none(values.get("title"))
    if not title:
        raise InvalidInput("Title: a work needs a title.")
    return {"title": title[:300]}


_works = ReferenceRecords(Work, subject="work", clean=_clean_work, missing="There is no work {id}.",
                          in_use="cases or hits refer to it; it stays.")
get_work, edit_work = _works.get, _works.edit


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


def client_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every client, by name: for filters and pickers."""
    return [tuple(row) for row in session.execute(
        select(Client.id, Client.name).order_by(Client.name))]


def work_titles(session: Session, work_ids) -> dict[int, str]:
    """Each work's title, by id (for lists that name works)."""
    ids = sorted(set(work_ids))
    return dict(session.execute(select(Work.id, Work.title).where(Work.id.in_(ids))).all()) if ids else {}


def documented_fee(session: Session, work_id: int) -> Money | None:
    """What the client documented selling a licence to this work for (their sales history),
    which a claim uses instead of the fee table: the median of the work's licence sales
    (clients.ownership.documented_fee), None without sales."""
    from caseapp.clients.ownership import documented_fee as median_fee

    return median_fee(session, work_id)


@dataclass(frozen=True)
class WorkTerms:
    """What feasibility needs of a case's works: the country of first publication (a US work
    or not) and the US registration (or pending application) the claim can rely on."""
    work_country: str | None
    us_registered_on: date | None
    us_applied_on: date | None


def work_terms(session: Session, work_ids, *, fallback_country: str | None = None) -> WorkTerms:
    """The works' terms for one claim over all of them. The country: a US work among them
    makes it a US claim (registration first, 17 USC § 411(a)), else the country the works
    share, else `fallback_country` (the client's, as before any evidence was recorded).
    Registration: the latest date among the works, and only when every work has one (a claim
    is only as registered as its least registered work); the same for pending applications."""
    ids = sorted(set(work_ids))
    rows = session.execute(select(Work.publication_country, Work.us_registered_on, Work.us_applied_on)
                           .where(Work.id.in_(ids))).all() if ids else []
    countries = {r.publication_country for r in rows if r.publication_country}
    if "US" in countries:
        country = "US"
    elif len(countries) == 1 and all(r.publication_country for r in rows):
        country = countries.pop()
    else:
        country = fallback_country
    registered = [r.us_registered_on for r in rows]
    applied = [r.us_applied_on or r.us_registered_on for r in rows]
    return WorkTerms(country, max(registered) if rows and all(registered) else None,
                     max(applied) if rows and all(applied) else None)


@dataclass(frozen=True)
class ClientTerms:
    """What the rules need of a client: where it is (for cross-border routes and the work's
    country) and its policy on private recipients."""
    country: str
    pursues_private_users: bool


def client_terms(session: Session, client_ids) -> dict[int, ClientTerms]:
    """Each client's terms, by id."""
    ids = sorted(set(client_ids))
    if not ids:
        return {}
    rows = session.execute(select(Client.id, Client.country, Client.pursues_private_users)
                           .where(Client.id.in_(ids)))
    return {row.id: ClientTerms(row.country, bool(row.pursues_private_users)) for row in rows}


def contract_for_new_case(session: Session, client_id: int):
    """The contract a case opened now is worked under (the case keeps it)."""
    from caseapp.clients.contracts import current_contract

    return current_contract(session, client_id)
