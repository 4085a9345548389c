"""Client and work use cases."""
from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.money import shown
from caseapp.core.records import ReferenceRecords, add_record, clean_values, edit_record, text_or_none
from caseapp.core.filestore import FileStore
from caseapp.core.images import thumbnail_bytes
from caseapp.clients.models import LEGAL_FORMS, TAX_STATUSES, Client, Work
from caseapp.clients.tax import clean_vat_id

if TYPE_CHECKING:
    from caseapp.core.money import Money


CLIENT_KINDS = ("photographer", "agency", "publisher", "estate")
CLIENT_FIELDS = ("name", "kind", "email", "country", "language", "pursues_private_users", "legal_form",
                 "contact_name", "phone", "street", "postcode", "city", "tax_status", "vat_id")
# Free text and how long each may be (the columns' lengths).
_TEXT_LIMITS = {"name": 200, "email": 254, "contact_name": 200, "phone": 50, "street": 200, "postcode": 20,
                "city": 100}
_LABELS = {"name": "Name", "email": "E-mail", "contact_name": "Contact", "phone": "Phone", "street": "Street",
           "postcode": "Postcode", "city": "City"}


def _clean_client(values: dict[str, Any]) -> dict[str, Any]:
    """The fields one by one; the VAT ID (which depends on the country) is checked with the
    whole record (`_check_client`)."""
    clean = clean_values(values, record="client", fields=CLIENT_FIELDS, kinds=CLIENT_KINDS)
    if "pursues_private_users" in clean:
        clean["pursues_private_users"] = clean["pursues_private_users"] in (True, "y", "yes", "true", "1", "on")
    for field, limit in _TEXT_LIMITS.items():
        value = clean.get(field)
        if value is not None and (len(value) > limit or not value.isprintable()):
            raise InvalidInput(f"{_LABELS[field]}: at most {limit} characters on one line "
                               f"({len(value)} given{', with a line break or tab' if not value.isprintable() else ''}).")
    if "email" in clean and clean["email"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", clean["email"]):
        raise InvalidInput(f"E-mail: {shown(clean['email'])} is not an e-mail address (name@example.com).")
    if "legal_form" in clean:
        clean["legal_form"] = clean["legal_form"] or "person"
        if clean["legal_form"] not in LEGAL_FORMS:
            raise InvalidInput(f"Legal form: {shown(clean['legal_form'])} is not one of {', '.join(LEGAL_FORMS)}.")
    if "tax_status" in clean:
        clean["tax_status"] = clean["tax_status"] or "private"
        if clean["tax_status"] not in TAX_STATUSES:
            raise InvalidInput(f"Tax status: {shown(clean['tax_status'])} is not one of {', '.join(TAX_STATUSES)} "
                               "(a private person, a small business exempt from VAT, a business charging VAT).")
    return clean


def _check_client(client: Client) -> None:
    """The rules across fields, on the record as it will be: a company is no private person,
    and a VAT ID is valid and of the client's country (Greece: EL)."""
    if client.legal_form == "company" and client.tax_status == "private":
        raise InvalidInput("Tax status: a company is not a private person; choose small_business or standard.")
    client.vat_id = clean_vat_id(client.vat_id, client.country)


_clients = ReferenceRecords(
    Client, subject="client", clean=_clean_client,
    missing="No client with id {id}; `caseapp clients show` and the Clients page show them.",
    in_use="the client has works or cases; they stay with the client.")
get_client, delete_client = _clients.get, _clients.delete


def add_client(session: Session, actor: Actor, *, name: str, country: str, kind: str = "photographer",
               email: str | None = None, language: str = "en", pursues_private_users: bool = False,
               legal_form: str = "person", tax_status: str = "private", vat_id: str | None = None,
               contact_name: str | None = None, phone: str | None = None, street: str | None = None,
               postcode: str | None = None, city: str | None = None) -> Client:
    clean = _clean_client(dict(
        name=name, country=country, kind=kind, email=email, language=language,
        pursues_private_users=pursues_private_users, legal_form=legal_form, tax_status=tax_status,
        vat_id=vat_id, contact_name=contact_name, phone=phone, street=street, postcode=postcode, city=city))
    client = Client(**clean)
    _check_client(client)
    return add_record(session, actor, client, "client")


def edit_client(session: Session, actor: Actor, client_id: int, *, seen_version: int | None,
                **values: Any) -> Client:
    """Change a client's fields (the version seen is checked; each change audited). The VAT
    ID is checked against the country the client will have."""
    client = get_client(session, client_id)
    clean = _clean_client(values)
    after = {field: clean.get(field, getattr(client, field)) for field in ("legal_form", "tax_status", "country",
                                                                          "vat_id")}
    probe = SimpleNamespace(**after)
    _check_client(probe)
    if "vat_id" in clean or "country" in clean:
        clean["vat_id"] = probe.vat_id
    edit_record(session, actor, client, clean, subject="client", what=f"Client {client}", seen_version=seen_version)
    return client


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
    which a claim uses instead of the fee table. Clients cannot document sales yet: None."""
    return None


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


# --- the signed mandate ---------------------------------------------------------------------

MANDATE_MAX_BYTES = 20 * 1024 * 1024
_MANDATE_KINDS = ((b"%PDF-", "PDF"), (b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"))


def record_mandate(session: Session, store: FileStore, actor: Actor, client_id: int, filename: str,
                   data: bytes, signed_on, *, today=None, max_bytes: int = MANDATE_MAX_BYTES) -> Client:
    """Keep the client's signed mandate (a PDF, JPEG or PNG, told by its content) in the file
    store, with the day it was signed (not in the future). A new mandate replaces the one on
    file (the old file stays in the store and in the audit trail). Audited."""
    from datetime import date

    from caseapp.core.clock import today as today_

    client = get_client(session, client_id)
    name = " ".join(str(filename or "").replace("/", " ").replace("\\", " ").split())[:255] or "mandate"
    if not data:
        raise InvalidInput("Mandate: the file is empty; choose the signed mandate (PDF, JPEG or PNG).")
    if len(data) > max_bytes:
        raise InvalidInput(f"Mandate: the file has {len(data) // (1024 * 1024)} MB; at most "
                           f"{max_bytes // (1024 * 1024)} MB (scan it at a lower resolution).")
    kind = next((label for magic, label in _MANDATE_KINDS if data.startswith(magic)), None)
    if kind is None:
        raise InvalidInput(f"Mandate: {shown(name)} is not a PDF, JPEG or PNG file (by its content); scan or "
                           "save the signed mandate as one of those.")
    if not isinstance(signed_on, date):
        raise InvalidInput("Signed on: the day the client signed the mandate is needed (YYYY-MM-DD).")
    if signed_on > (today or today_()):
        raise InvalidInput(f"Signed on: {signed_on.isoformat()} is in the future; give the day the client signed.")
    before = client.mandate_sha256
    client.mandate_sha256 = store.put(data)
    client.mandate_filename = name
    client.mandate_signed_on = signed_on
    session.flush()
    audit.record(session, actor, "client.mandate_recorded", "client", client.id,
                 details={"sha256": client.mandate_sha256, "filename": name, "kind": kind,
                          "signed_on": signed_on.isoformat(), "replaces": before})
    return client


# --- what must be in place before a client's cases go out -------------------------------------

@dataclass(frozen=True)
class Missing:
    """One thing missing before the client's cases can go out: `code` (no_mandate,
    works_unverified, works_disputed, no_bank_account), in `words`, and the works' status
    it concerns (to link to them), if any."""
    code: str
    words: str
    work_status: str | None = None
    count: int = 0


def work_status_counts(session: Session, client_id: int) -> dict[str, int]:
    """How many of the client's works are unverified, verified, disputed."""
    from sqlalchemy import func

    from caseapp.clients.models import WORK_STATUSES

    counts = dict(session.execute(select(Work.status, func.count()).where(Work.client_id == client_id)
                                  .group_by(Work.status)).all())
    return {status: counts.get(status, 0) for status in WORK_STATUSES}


def missing_before_cases(session: Session, client_id: int) -> list[Missing]:
    """What is missing before the client's cases can go out: the mandate, verified works (none
    unverified or disputed), and, for payouts, a confirmed bank account."""
    from caseapp.clients.banking import payout_account
    from caseapp.clients.models import DISPUTED, UNVERIFIED

    client = get_client(session, client_id)
    missing = []
    if not client.mandate_sha256:
        missing.append(Missing("no_mandate", "No signed mandate on file: upload it with the day it was signed."))
    counts = work_status_counts(session, client.id)
    for status, code, words in ((UNVERIFIED, "works_unverified", "unverified: their ownership is not checked yet"),
                                (DISPUTED, "works_disputed", "disputed: someone else may own them")):
        if counts[status]:
            n = counts[status]
            missing.append(Missing(code, f"{n} work{'s' if n != 1 else ''} {words}.", status, n))
    if payout_account(session, client.id) is None:
        missing.append(Missing("no_bank_account", "No confirmed bank account: payouts need one, confirmed by a "
                                                  "second person."))
    return missing


def works_of(session: Session, client_id: int, *, status: str | None = None, limit: int = 60) -> list[Work]:
    """The client's works (newest first), of one verification status if given."""
    query = select(Work).where(Work.client_id == client_id)
    if status is not None:
        query = query.where(Work.status == status)
    return list(session.scalars(query.order_by(Work.id.desc()).limit(limit)))
