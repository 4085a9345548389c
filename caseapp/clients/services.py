"""Client and work use cases."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from flask_babel import gettext, ngettext
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.money import shown
from caseapp.core.records import ReferenceRecords, add_record, clean_values, edit_record, text_or_none
from caseapp.core.filestore import FileStore
from caseapp.core.images import thumbnail_bytes
from caseapp.clients.exif import ExifFacts
from caseapp.clients.models import LEGAL_FORMS, LICENSING_EVIDENCE, TAX_STATUSES, Client, Work
from caseapp.clients.tax import clean_vat_id

if TYPE_CHECKING:
    from caseapp.core.money import Money


CLIENT_KINDS = ("photographer", "agency", "publisher", "estate")
CLIENT_FIELDS = ("name", "kind", "email", "country", "language", "pursues_private_users", "status_letters",
                 "offers_without_handler", "legal_form",
                 "contact_name", "phone", "street", "postcode", "city", "tax_status", "vat_id",
                 "licensing_evidence")
# Free text and how long each may be (the columns' lengths).
_TEXT_LIMITS = {"name": 200, "email": 254, "contact_name": 200, "phone": 50, "street": 200, "postcode": 20,
                "city": 100}
_LABELS = {"name": "Name", "email": "E-mail", "contact_name": "Contact", "phone": "Phone", "street": "Street",
           "postcode": "Postcode", "city": "City"}


def _clean_client(values: dict[str, Any]) -> dict[str, Any]:
    """The fields one by one; the VAT ID (which depends on the country) is checked with the
    whole record (`_check_client`)."""
    clean = clean_values(values, record="client", fields=CLIENT_FIELDS, kinds=CLIENT_KINDS)
    for flag in ("pursues_private_users", "status_letters", "offers_without_handler"):
        if flag in clean:
            clean[flag] = clean[flag] in (True, "y", "yes", "true", "1", "on")
    for field, limit in _TEXT_LIMITS.items():
        value = clean.get(field)
        if value is not None and (len(value) > limit or not value.isprintable()):
            raise InvalidInput(f"{_LABELS[field]}: at most {limit} characters on one line "
                               f"({len(value)} given{', with a line break or tab' if not value.isprintable() else ''}).")
    if "email" in clean and clean["email"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", clean["email"]):
        raise InvalidInput(gettext("E-mail: %(value)s is not an e-mail address (name@example.com).",
                                   value=shown(clean["email"])))
    if "legal_form" in clean:
        clean["legal_form"] = clean["legal_form"] or "person"
        if clean["legal_form"] not in LEGAL_FORMS:
            raise InvalidInput(f"Legal form: {shown(clean['legal_form'])} is not one of {', '.join(LEGAL_FORMS)}.")
    if "tax_status" in clean:
        clean["tax_status"] = clean["tax_status"] or "private"
        if clean["tax_status"] not in TAX_STATUSES:
            raise InvalidInput(f"Tax status: {shown(clean['tax_status'])} is not one of {', '.join(TAX_STATUSES)} "
                               "(a private person, a small business exempt from VAT, a business charging VAT).")
    if "licensing_evidence" in clean:
        clean["licensing_evidence"] = clean["licensing_evidence"] or "none"
        if clean["licensing_evidence"] not in LICENSING_EVIDENCE:
            raise InvalidInput(f"Licensing evidence: {shown(clean['licensing_evidence'])} is not one of "
                               f"{', '.join(LICENSING_EVIDENCE)} (none on file, or proof of professional work).")
    return clean


def _check_client(client: Client) -> None:
    """The rules across fields, on the record as it will be: a company is no private person,
    and a VAT ID is valid and of the client's country (Greece: EL)."""
    if client.legal_form == "company" and client.tax_status == "private":
        raise InvalidInput(gettext("Tax status: a company is not a private person; choose small_business or "
                                   "standard."))
    client.vat_id = clean_vat_id(client.vat_id, client.country)


_clients = ReferenceRecords(
    Client, subject="client", clean=_clean_client,
    missing="No client with id {id}; `caseapp clients show` and the Clients page show them.",
    in_use="the client has works or cases; they stay with the client.")
get_client, delete_client = _clients.get, _clients.delete


def clients_by_id(session: Session, client_ids) -> dict[int, Client]:
    """The clients with these ids, in a few queries (a payout batch reads a thousand)."""
    ids = sorted(set(client_ids))
    found: dict[int, Client] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        found.update((c.id, c) for c in session.scalars(select(Client).where(Client.id.in_(chunk))))
    return found


def add_client(session: Session, actor: Actor, *, name: str, country: str, kind: str = "photographer",
               email: str | None = None, language: str = "en", pursues_private_users: bool = False,
               legal_form: str = "person", tax_status: str = "private", vat_id: str | None = None,
               contact_name: str | None = None, phone: str | None = None, street: str | None = None,
               postcode: str | None = None, city: str | None = None, licensing_evidence: str = "none") -> Client:
    clean = _clean_client(dict(
        name=name, country=country, kind=kind, email=email, language=language,
        pursues_private_users=pursues_private_users, legal_form=legal_form, tax_status=tax_status,
        vat_id=vat_id, contact_name=contact_name, phone=phone, street=street, postcode=postcode, city=city,
        licensing_evidence=licensing_evidence))
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
        raise InvalidInput(gettext("Title: a work needs a title."))
    return {"title": title[:300]}


_works = ReferenceRecords(Work, subject="work", clean=_clean_work, missing="There is no work {id}.",
                          in_use="cases or hits refer to it; it stays.")
get_work, edit_work = _works.get, _works.edit


# Two images are the same image for one client when their perceptual hashes (imagehash pHash
# of their thumbnails) are close at two sizes. The 64-bit hash (stored, indexed) finds the
# candidates: resized and recompressed copies differ in 0-4 of 64 bits, but so do photographs
# taken a moment apart (a stereo pair: 4 bits; a 3% shift: 6 or fewer in half the cases).
# The 256-bit hash of both thumbnails confirms: copies differ in at most 14 of 256 bits,
# a 3% shift in 24 or more. benchmarks/phash_threshold.py measures both (docs/client-onboarding.md, "Works").
DUPLICATE_BITS = 6
CONFIRM_BITS = 20
# ... and only if their shapes agree (width / height within 2%): a crop is another work.
ASPECT_TOLERANCE = 0.02


@dataclass(frozen=True)
class ImageFacts:
    """What adding a work learns from its file: the thumbnail, size, perceptual hash, EXIF."""
    sha256: str
    thumbnail: bytes
    width: int
    height: int
    file_size: int
    phash: str
    exif: ExifFacts


class DuplicateWork(InvalidInput):
    """The client already has this image (same file, or resized / recompressed)."""

    def __init__(self, title: str, work_id: int, work_title: str) -> None:
        super().__init__(f"'{title}' is the same image as work {work_id} ('{work_title}') of this client; "
                         "it was not added again.")
        self.work_id, self.work_title = work_id, work_title


def phash_of_thumbnail(thumbnail: bytes, size: int = 8):
    """The perceptual hash (imagehash pHash, 16 hex digits) of a work, from its thumbnail: the
    320-pixel JPEG every work has (EXIF rotation applied), so a work's hash never needs the
    original decoded again, and new and older works are hashed alike. `size` 16: the
    256-bit hash that confirms a near match (an ImageHash; `a - b` counts differing bits)."""
    import imagehash

    with Image.open(io.BytesIO(thumbnail)) as image:
        found = imagehash.phash(image, hash_size=size)
    return str(found) if size == 8 else found


def image_facts(title: str, data: bytes) -> ImageFacts:
    """Decode `data` (bounded: core.images) into what a work keeps; InvalidInput naming the file
    and the reason when it is not an image we can read (unknown, truncated, too big)."""
    import hashlib

    from caseapp.clients.exif import read_exif

    try:
        thumb, width, height = thumbnail_bytes(data)
        with Image.open(io.BytesIO(data)) as image:
            exif = read_exif(image)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as error:
        raise InvalidInput(gettext(
            "'%(title)s' is not an image we can read (%(why)s). Upload a JPEG, PNG, WebP or GIF file.",
            title=title, why=_why_not_an_image(error))) from None
    return ImageFacts(sha256=hashlib.sha256(data).hexdigest(), thumbnail=thumb, width=width, height=height,
                      file_size=len(data), phash=phash_of_thumbnail(thumb), exif=exif)


def _why_not_an_image(error: Exception) -> str:
    if isinstance(error, UnidentifiedImageError):
        return "not an image, or a format we do not read"
    text = str(error)
    if "truncated" in text.lower() or "broken data stream" in text.lower():
        return f"the file is truncated or damaged: {text}"
    return f"{error.__class__.__name__}: {text}"


class Portfolio:
    """A client's works as duplicate detection sees them: (id, title, 64-bit hash, aspect),
    read once (a few bytes a work: tens of thousands are a few MB and one query) and kept in
    step by `import_files` as works are added. Works stored before hashes existed get theirs
    here, from their thumbnails, the first time their client's portfolio is read."""

    def __init__(self, session: Session, store: FileStore, client_id: int) -> None:
        self.session, self.store, self.client_id = session, store, client_id
        self._hashes: list[tuple[int, str, int, float]] | None = None
        self._by_sha: dict[str, tuple[int, str]] = {}

    def load(self) -> list[tuple[int, str, int, float]]:
        if self._hashes is None:
            self._hashes = []
            rows = self.session.execute(select(Work.id, Work.title, Work.phash, Work.width, Work.height,
                                               Work.file_sha256, Work.thumbnail_sha256)
                                        .where(Work.client_id == self.client_id).order_by(Work.id)).all()
            for row in rows:
                phash = row.phash or self._fill(row.id, row.thumbnail_sha256)
                self._by_sha.setdefault(row.file_sha256, (row.id, row.title))
                if phash:
                    self._hashes.append((row.id, row.title, int(phash, 16), row.width / max(row.height, 1)))
        return self._hashes

    def _fill(self, work_id: int, thumbnail_sha256: str) -> str | None:
        """An older work's hash, from its thumbnail, kept (a derived value: the row's version
        and audit trail are left alone, as for the matching signature)."""
        from sqlalchemy import update

        try:
            phash = phash_of_thumbnail(self.store.read(thumbnail_sha256))
        except (OSError, ValueError):
            return None   # its thumbnail is gone: it cannot be compared
        self.session.execute(update(Work).where(Work.id == work_id).values(phash=phash)
                             .execution_options(synchronize_session=False))
        return phash

    def duplicate_of(self, facts: ImageFacts, *, identical_only: bool = False) -> tuple[int, str] | None:
        """(id, title) of the client's work this image repeats, or None. `identical_only`: only
        the same file counts (a person said the near match is a different picture)."""
        hashes = self.load()
        if facts.sha256 in self._by_sha:
            return self._by_sha[facts.sha256]
        if identical_only:
            return None
        mine, aspect = int(facts.phash, 16), facts.width / max(facts.height, 1)
        candidates = sorted(((mine ^ theirs).bit_count(), work_id, title) for work_id, title, theirs, their_aspect
                            in hashes if (mine ^ theirs).bit_count() <= DUPLICATE_BITS
                            and abs(aspect - their_aspect) <= ASPECT_TOLERANCE * their_aspect)
        if not candidates:
            return None
        fine = phash_of_thumbnail(facts.thumbnail, 16)
        for _bits, work_id, title in candidates[:5]:
            if fine - self._fine(work_id) <= CONFIRM_BITS:
                return work_id, title
        return None

    def _fine(self, work_id: int):
        thumbnail = self.session.scalar(select(Work.thumbnail_sha256).where(Work.id == work_id))
        return phash_of_thumbnail(self.store.read(thumbnail), 16)

    def added(self, work: Work) -> None:
        self.load()
        self._by_sha.setdefault(work.file_sha256, (work.id, work.title))
        self._hashes.append((work.id, work.title, int(work.phash, 16), work.width / max(work.height, 1)))


def add_work(session: Session, store: FileStore, actor: Actor, *, client_id: int,
             title: str, data: bytes, facts: ImageFacts | None = None,
             portfolio: Portfolio | None = None, keep_near_duplicates: bool = False) -> Work:
    """Store an image as a work of a client, with its thumbnail, size, perceptual hash and
    EXIF facts (GPS never). The same image again for the same client (same bytes, or within
    DUPLICATE_BITS of a work's hash) is refused as DuplicateWork naming the first work;
    `keep_near_duplicates`: a person looked and says a near match is a different picture (a
    burst shot, a similar frame), so only the very same file is refused. Audited either way.
    `facts` and `portfolio`: what the caller already computed and read (an import reuses them)."""
    facts = facts or image_facts(title, data)
    found = (portfolio or Portfolio(session, store, client_id)).duplicate_of(
        facts, identical_only=keep_near_duplicates)
    if found is not None:
        raise DuplicateWork(title, *found)
    work = Work(client_id=client_id, title=title, file_sha256=store.put(data),
                thumbnail_sha256=store.put(facts.thumbnail), width=facts.width, height=facts.height,
                file_size=facts.file_size, phash=facts.phash, camera=facts.exif.camera,
                captured_at=facts.exif.captured_at, artist=facts.exif.artist,
                copyright_notice=facts.exif.copyright_notice)
    session.add(work)
    session.flush()
    audit.record(session, actor, "work.added", "work", work.id,
                 details={"title": title, "sha256": work.file_sha256, "phash": work.phash,
                          "near_duplicates_kept": keep_near_duplicates or None})
    return work


@dataclass
class WorkDeletion:
    """What a bulk deletion did: the works deleted, those kept (id -> why), and the store
    files the deleted works named (to remove after commit if nothing else names them)."""
    deleted: list[int]
    kept: dict[int, str]
    files: list[str]

    def message(self) -> str:
        parts = [f"Deleted {len(self.deleted)} work{'s' if len(self.deleted) != 1 else ''}."]
        parts += [f"Work {work_id} was kept: {why}." for work_id, why in sorted(self.kept.items())]
        return " ".join(parts)


MAX_BULK = 10_000


def _bulk_ids(work_ids) -> list[int]:
    ids = sorted(set(int(i) for i in work_ids))
    if not ids:
        raise InvalidInput(gettext("Select at least one work."))
    if len(ids) > MAX_BULK:
        raise InvalidInput(f"{len(ids)} works are more than {MAX_BULK:,} at once; select fewer.")
    return ids


def _works(session: Session, ids: list[int]) -> list[Work]:
    works = session.scalars(select(Work).where(Work.id.in_(ids)).order_by(Work.id)).all()
    missing = sorted(set(ids) - {w.id for w in works})
    if missing:
        raise NotFound(f"There is no work {', '.join(map(str, missing))}; nothing was changed.")
    return works


def delete_works(session: Session, actor: Actor, work_ids) -> WorkDeletion:
    """Delete the selected works, each audited. A work that a case names (an item, a licence
    defence) or that has hits is kept, and the result says which cases or how many hits; the
    rest of the selection goes. The caller removes the deleted works from the engine's index
    and their store files (`discard_work_files`) after commit."""
    from caseapp.cases.services import cases_of_works
    from caseapp.hits.services import hits_of_works

    ids = _bulk_ids(work_ids)
    works = _works(session, ids)
    cases, hits = cases_of_works(session, ids), hits_of_works(session, ids)
    result = WorkDeletion([], {}, [])
    for work in works:
        if work.id in cases:
            refs = cases[work.id]
            result.kept[work.id] = (f"case{'s' if len(refs) > 1 else ''} {', '.join(refs[:10])}"
                                    f"{' and more' if len(refs) > 10 else ''} name{'s' if len(refs) == 1 else ''} "
                                    "it")
        elif work.id in hits:
            result.kept[work.id] = f"it has {hits[work.id]} hit{'s' if hits[work.id] > 1 else ''} (decide or " \
                                   "remove them on the triage page first)"
        else:
            audit.record(session, actor, "work.deleted", "work", work.id,
                         details={"title": work.title, "client_id": work.client_id, "sha256": work.file_sha256})
            result.deleted.append(work.id)
            result.files += [work.file_sha256, work.thumbnail_sha256]
            session.delete(work)
    session.flush()
    return result


def discard_work_files(session: Session, store: FileStore, sha256s) -> list:
    """After a deletion is committed: remove those files no row names any longer (another
    work, a capture, a letter may still name the same file: it stays)."""
    from caseapp.core.filestore import discard_unreferenced

    return discard_unreferenced(session, [store.path_for(sha) for sha in set(sha256s)])


TITLE_MODES = ("set", "prefix", "suffix")


def retitle_works(session: Session, actor: Actor, work_ids, *, title: str, mode: str = "set") -> list[int]:
    """Give the selected works a title: `set` it, or put it before (`prefix`) or after
    (`suffix`) each one's title. Each change is audited ('work.edited'); the works changed."""
    ids = _bulk_ids(work_ids)
    if mode not in TITLE_MODES:
        raise InvalidInput(f"Mode: '{mode}' is not one of {', '.join(TITLE_MODES)}.")
    text = "" if title is None else str(title)
    if not text.isprintable():
        raise InvalidInput("Title: no control characters (a newline, a tab), please.")
    if not text.strip() and mode == "set":
        raise InvalidInput("Title: a work needs a title.")
    if not text.strip():
        raise InvalidInput(f"Title: give the text to put {'before' if mode == 'prefix' else 'after'} the titles.")
    changed = []
    for work in _works(session, ids):
        new = {"set": text.strip(), "prefix": text + work.title, "suffix": work.title + text}[mode]
        if edit_record(session, actor, work, _clean_work({"title": new}), subject="work",
                       what=f"Work {work}", seen_version=None):
            changed.append(work.id)
    return changed


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


def work_terms_each(session: Session, work_ids) -> dict[int, WorkTerms]:
    """Each work's own terms (its country of first publication, registration, pending
    application), by id, in one query: for lists that estimate each hit on its own. A work
    without a recorded country has None (the caller's fallback, the client's, stands)."""
    ids = sorted(set(work_ids))
    if not ids:
        return {}
    rows = session.execute(select(Work.id, Work.publication_country, Work.us_registered_on, Work.us_applied_on)
                           .where(Work.id.in_(ids)))
    return {row.id: WorkTerms(row.publication_country, row.us_registered_on,
                              row.us_applied_on or row.us_registered_on) for row in rows}


@dataclass(frozen=True)
class ClientTerms:
    """What the rules need of a client: where it is (for cross-border routes and the work's
    country) and its policy on private recipients."""
    country: str
    pursues_private_users: bool
    status_letters: bool = True
    offers_without_handler: bool = False
    licensing_evidence: str = "none"     # the rate a claim uses (feasibility.amounts: none, professional)


def client_terms(session: Session, client_ids) -> dict[int, ClientTerms]:
    """Each client's terms, by id."""
    ids = sorted(set(client_ids))
    if not ids:
        return {}
    rows = session.execute(select(Client.id, Client.country, Client.pursues_private_users, Client.status_letters,
                                  Client.offers_without_handler, Client.licensing_evidence)
                           .where(Client.id.in_(ids)))
    return {row.id: ClientTerms(row.country, bool(row.pursues_private_users), bool(row.status_letters),
                                bool(row.offers_without_handler), row.licensing_evidence or "none") for row in rows}


def clients_offering_without_handler(session: Session) -> list[int]:
    """The clients whose feasible, checked cases escalation sends the offer for."""
    return list(session.scalars(select(Client.id).where(Client.offers_without_handler.is_(True))
                                .order_by(Client.id)))


def contract_for_new_case(session: Session, client_id: int):
    """The contract a case opened now is worked under (the case keeps it)."""
    from caseapp.clients.contracts import current_contract

    return current_contract(session, client_id, record=True)


# --- the signed mandate ---------------------------------------------------------------------

MANDATE_MAX_BYTES = 20 * 1024 * 1024
_MANDATE_KINDS = ((b"%PDF-", "PDF"), (b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"))


def record_mandate(session: Session, store: FileStore, actor: Actor, client_id: int, filename: str,
                   data: bytes, signed_on, *, today=None, max_bytes: int = MANDATE_MAX_BYTES,
                   seen_version: int | None = None) -> Client:
    """Keep the client's signed mandate (a PDF, JPEG or PNG, told by its content) in the file
    store, with the day it was signed (not in the future). A new mandate replaces the one on
    file (the old file stays in the store and in the audit trail). Audited. `seen_version`:
    the client's version the page showed; a stale upload is refused (it would replace a
    mandate the person never saw)."""
    from datetime import date

    from caseapp.core.clock import today as today_
    from caseapp.core.records import check_version

    client = get_client(session, client_id)
    check_version(f"Client {client}", client, seen_version)
    from caseapp.core.paths import upload_name

    name = upload_name(filename, "mandate")
    if not data:
        raise InvalidInput(gettext("Mandate: the file is empty; choose the signed mandate (PDF, JPEG or PNG)."))
    if len(data) > max_bytes:
        raise InvalidInput(gettext("Mandate: the file has %(size)d MB; at most %(limit)d MB (scan it at a lower "
                                   "resolution).", size=len(data) // (1024 * 1024), limit=max_bytes // (1024 * 1024)))
    kind = next((label for magic, label in _MANDATE_KINDS if data.startswith(magic)), None)
    if kind is None:
        raise InvalidInput(gettext("Mandate: %(name)s is not a PDF, JPEG or PNG file (by its content); scan or "
                                   "save the signed mandate as one of those.", name=shown(name)))
    if not isinstance(signed_on, date):
        raise InvalidInput(gettext("Signed on: the day the client signed the mandate is needed (YYYY-MM-DD)."))
    if signed_on > (today or today_()):
        raise InvalidInput(gettext("Signed on: %(day)s is in the future; give the day the client signed.",
                                   day=signed_on.isoformat()))
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
        missing.append(Missing("no_mandate", gettext("No signed mandate on file: upload it with the day it was "
                                                     "signed.")))
    counts = work_status_counts(session, client.id)
    for status, code in ((UNVERIFIED, "works_unverified"), (DISPUTED, "works_disputed")):
        n = counts[status]
        if not n:
            continue
        words = (ngettext("%(num)d work unverified: its ownership is not checked yet.",
                          "%(num)d works unverified: their ownership is not checked yet.", n)
                 if status == UNVERIFIED else
                 ngettext("%(num)d work disputed: someone else may own it.",
                          "%(num)d works disputed: someone else may own them.", n))
        missing.append(Missing(code, words, status, n))
    if payout_account(session, client.id) is None:
        missing.append(Missing("no_bank_account", gettext("No confirmed bank account: payouts need one, confirmed "
                                                          "by a second person.")))
    return missing


def works_of(session: Session, client_id: int, *, status: str | None = None, limit: int = 60) -> list[Work]:
    """The client's works (newest first), of one verification status if given."""
    query = select(Work).where(Work.client_id == client_id)
    if status is not None:
        query = query.where(Work.status == status)
    return list(session.scalars(query.order_by(Work.id.desc()).limit(limit)))
