"""Proof that a client owns a work: the evidence (the original file, earlier publication,
registration, licence sales, agencies), the checks that weigh it (each with its reason), the
work's status (unverified / verified / disputed), conflicts with another client's portfolio
found by the engine, and what stops a case from leaving its checks stage."""
from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date

import pycountry
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from caseapp.clients.models import (DISPUTED, UNVERIFIED, VERIFIED, WORK_STATUSES, Client, LicenceSale, Work,
                                    WorkConflict)
from caseapp.config import STOCK_AGENCY_SITES
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.models import utcnow
from caseapp.core.money import Money
from caseapp.core.records import check_version

OK, WARNING, PROBLEM, UNKNOWN = "ok", "warning", "problem", "unknown"
STATUS_LABELS = {UNVERIFIED: "Unverified", VERIFIED: "Verified", DISPUTED: "Disputed"}
# The engine's score above which two clients' works are the same image (config
# CASEAPP_CONFLICT_MIN_SCORE; index_work takes it as a parameter).
CONFLICT_MIN_SCORE = 0.8
ORIGINAL_MAX_BYTES = 200 * 1024 * 1024
MAX_TEXT = 2000


def get_work(session: Session, work_id: int) -> Work:
    work = session.get(Work, work_id)
    if work is None:
        raise NotFound(f"There is no work {work_id}; the Works page lists them.")
    return work


def _text(value, field: str, *, limit: int = 300, required: bool = False) -> str | None:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if not text:
        if required:
            raise InvalidInput(f"{field}: write something; it is required.")
        return None
    if len(text) > limit:
        raise InvalidInput(f"{field}: at most {limit} characters (this has {len(text)}).")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r" for ch in text):
        raise InvalidInput(f"{field}: control characters (a tab, an escape) are not allowed.")
    return text


def _past(day: date | None, field: str, today: date) -> date | None:
    if day is not None and day > today:
        raise InvalidInput(f"{field}: {day.isoformat()} is in the future; give the day it happened.")
    return day


# --- evidence --------------------------------------------------------------------------------

_REGISTRATION = re.compile(r"(VA|VAU|VAD)\s*-?\s*([0-9]{1,2})-([0-9]{3})-([0-9]{3})")
_REGISTRATION_COMPACT = re.compile(r"(VA|VAU|VAD)([0-9]{10})")


def registration_number(text: str) -> str:
    """A US Copyright Office registration number for a visual-arts work: 'VA 2-123-456'
    (published), 'VAu 1-234-567' (unpublished), 'VAd …'; also the compact 'VA0002123456'.
    Returned in the Office's own form ('VA 2-123-456')."""
    typed = (text or "").strip().upper()
    match = _REGISTRATION.fullmatch(typed)
    if match:
        prefix, a, b, c = match.groups()
    else:
        compact = _REGISTRATION_COMPACT.fullmatch(typed.replace(" ", ""))
        if not compact:
            raise InvalidInput(f"US registration: {text[:30]!r} is not a Copyright Office number for an image; "
                               "write it like VA 2-123-456 or VAu 1-234-567.")
        prefix, digits = compact.groups()
        a, b, c = str(int(digits[:4])), digits[4:7], digits[7:]
    if int(a) == 0:
        raise InvalidInput(f"US registration: {text[:30]!r} has no series number; write it like VA 2-123-456.")
    return f"{prefix[:2]}{prefix[2:].lower()} {int(a)}-{b}-{c}"


def country_code(text: str, field: str = "Country of first publication") -> str:
    code = (text or "").strip().upper()
    if not (len(code) == 2 and code.isascii() and code.isalpha() and pycountry.countries.get(alpha_2=code)):
        raise InvalidInput(f"{field}: {text[:30]!r} is not an ISO country code; write two letters, e.g. US or DE.")
    return code


def _url(text: str | None) -> str | None:
    url = _text(text, "Earlier publication URL", limit=2000)
    if url is None:
        return None
    if not re.fullmatch(r"https?://[^\s/]+\.[^\s]*", url):
        raise InvalidInput(f"Earlier publication URL: {url[:30]!r} is not a web address; it starts with https://.")
    return url


EVIDENCE_FIELDS = ("first_published_url", "first_published_on", "publication_country", "us_registration_number",
                   "us_registered_on", "us_applied_on", "agencies")


def record_evidence(session: Session, actor: Actor, work: Work, *, today: date, seen_version: int | None,
                    **values) -> dict:
    """Set the work's evidence: earlier publication (URL and date), country of first
    publication, US registration (number and date) or a pending application (its date),
    agencies that sell it. Only the fields given change; "" clears one. Audited with what
    changed; a stale edit is refused."""
    check_version(f"Work {work.id}", work, seen_version)
    unknown = set(values) - set(EVIDENCE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown evidence: {', '.join(sorted(unknown))}.")
    clean: dict = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, str) and not value.strip():
            clean[key] = None
            continue
        if key == "first_published_url":
            clean[key] = _url(value)
        elif key == "publication_country":
            clean[key] = country_code(value)
        elif key == "us_registration_number":
            clean[key] = registration_number(value)
        elif key == "agencies":
            names = [_text(line, "Agencies", limit=200) for line in str(value).splitlines()]
            names = [n for n in dict.fromkeys(names) if n]
            if len(names) > 50:
                raise InvalidInput("Agencies: at most 50, one a line.")
            clean[key] = "\n".join(names) or None
        else:   # dates
            labels = {"first_published_on": "Earlier publication date", "us_registered_on": "US registration date",
                      "us_applied_on": "US application date"}
            if not isinstance(value, date):
                raise InvalidInput(f"{labels[key]}: give a date (YYYY-MM-DD).")
            clean[key] = _past(value, labels[key], today)
    merged = {k: clean.get(k, getattr(work, k)) for k in EVIDENCE_FIELDS}
    if merged["us_registered_on"] and not merged["us_registration_number"]:
        raise InvalidInput("US registration date: give the registration number too (e.g. VA 2-123-456).")
    if merged["us_registration_number"] and not merged["us_registered_on"]:
        raise InvalidInput("US registration number: give its effective date of registration too.")
    if merged["us_applied_on"] and merged["us_registered_on"] and merged["us_applied_on"] > merged["us_registered_on"]:
        raise InvalidInput("US application date: it is after the registration date; an application comes first.")
    changes = {}
    for key, value in clean.items():
        before = getattr(work, key)
        if before != value:
            changes[key] = [None if before is None else str(before), None if value is None else str(value)]
            setattr(work, key, value)
    if changes:
        session.flush()
        audit.record(session, actor, "work.evidence_recorded", "work", work.id, details=changes)
    return changes


def add_original(session: Session, store, actor: Actor, work: Work, *, data: bytes, filename: str,
                 seen_version: int | None, max_bytes: int = ORIGINAL_MAX_BYTES) -> str:
    """Keep the original or RAW file (any type) in the file store as evidence; the work
    records its SHA-256 and name. Audited."""
    check_version(f"Work {work.id}", work, seen_version)
    name = _text(filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] if filename else "", "File name", limit=255)
    if not data:
        raise InvalidInput("The original file is empty: choose the camera's original or RAW file.")
    if len(data) > max_bytes:
        raise InvalidInput(f"The original file is {len(data):,} bytes; at most {max_bytes:,} are kept.")
    sha = store.put(data)
    before = work.original_sha256
    work.original_sha256, work.original_filename = sha, name or "original"
    session.flush()
    audit.record(session, actor, "work.original_added", "work", work.id,
                 details={"sha256": sha, "filename": work.original_filename, "bytes": len(data), "replaced": before})
    return sha


def add_sale(session: Session, actor: Actor, work: Work, *, sold_on: date, licensee: str, usage: str,
             price: Money, today: date, document_sha256: str | None = None) -> LicenceSale:
    """A licence the client sold for the work: evidence, and what a claim uses instead of the
    fee table (documented_fee). Audited."""
    from caseapp.feasibility.services import per_eur

    _past(sold_on, "Sold on", today)
    try:
        per_eur(price.currency)
    except InvalidInput:
        raise InvalidInput(f"Currency: caseapp has no exchange rate for {price.currency}, so a claim could not use "
                           "this sale; give the price in EUR or the currency of the invoice's country.") from None
    if price.minor <= 0:
        raise InvalidInput("Price: a licence sold for nothing is no evidence of its price; give the amount paid.")
    sale = LicenceSale(work_id=work.id, sold_on=sold_on, licensee=_text(licensee, "Licensee", limit=200, required=True),
                       usage=_text(usage, "Usage", limit=300, required=True), price_minor=price.minor,
                       currency=price.currency, document_sha256=document_sha256, created_by=actor.name)
    session.add(sale)
    session.flush()
    audit.record(session, actor, "work.sale_added", "work", work.id,
                 details={"sale": sale.id, "sold_on": sold_on.isoformat(), "licensee": sale.licensee,
                          "usage": sale.usage, "price": str(price)})
    return sale


def sales(session: Session, work_id: int) -> list[LicenceSale]:
    return list(session.scalars(select(LicenceSale).where(LicenceSale.work_id == work_id)
                                .order_by(LicenceSale.sold_on.desc(), LicenceSale.id.desc())))


def documented_fee(session: Session, work_id: int) -> Money | None:
    """The client's documented price for the work: the median of its licence sales (all of
    them, in the currency of the latest sale; an even count takes the lower middle), or None without
    sales. The median, not the latest: one discounted or one exceptional licence does not
    set the claim."""
    from caseapp.feasibility.services import convert

    rows = sales(session, work_id)
    if not rows:
        return None
    currency = rows[0].currency
    # Every sale counts, each converted to that currency: a sale in another currency is no
    # less evidence of the price (left out, one sale in it could set the claim alone).
    prices = sorted(convert(Money(r.price_minor, r.currency), currency).minor for r in rows)
    return Money(statistics.median_low(prices), currency)


# --- the checks ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One check of a work's ownership: `outcome` ok / warning / problem / unknown, and why."""
    code: str
    title: str
    outcome: str
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


# Words in names that say what someone is, not who (legal forms, trades, rights notices).
_NOISE = {"gmbh", "ag", "kg", "ug", "ltd", "llc", "inc", "bv", "b.v", "sa", "sarl", "srl", "spa", "as", "ab",
          "oy", "co", "company", "limited", "photography", "photographie", "photo", "photos", "fotografie",
          "foto", "fotos", "fotografia", "studio", "studios", "images", "pictures", "bildagentur", "agency",
          "copyright", "all", "rights", "reserved", "by", "the", "and", "und", "et", "de", "von", "van",
          "der", "la", "le", "c"}


def name_tokens(text: str | None) -> set[str]:
    """The words of a name that identify someone: case, accents and punctuation ignored
    ('Léna HOFFMANN' = 'lena hoffmann'), legal forms, trades, years and '©' left out."""
    if not text:
        return set()
    plain = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode().lower()
    return {word for word in re.findall(r"[a-z0-9]+", plain)
            if len(word) > 1 and word not in _NOISE and not word.isdigit()}


def _check_name(work: Work, client: Client) -> Check:
    title = "Artist or copyright in the file"
    exif = " / ".join(v for v in (work.artist, work.copyright_notice) if v)
    if not exif:
        return Check("exif_name", title, UNKNOWN, "The file names no artist and no copyright holder (EXIF).")
    mine = name_tokens(client.name) | name_tokens(getattr(client, "contact_name", None))
    theirs = name_tokens(work.artist) | name_tokens(work.copyright_notice)
    if not theirs:
        return Check("exif_name", title, UNKNOWN, f"The file's EXIF ({exif!r}) names no person or firm.")
    shared = mine & theirs
    if shared and (theirs <= mine or mine <= theirs):
        return Check("exif_name", title, OK, f"The file names {exif!r}, which is the client {client.name}.")
    if shared:
        return Check("exif_name", title, WARNING,
                     f"The file names {exif!r}: it shares {', '.join(sorted(shared))!r} with the client's name "
                     f"{client.name!r} but not all of it; check that it is the same person.")
    return Check("exif_name", title, PROBLEM,
                 f"The file names {exif!r}, not the client {client.name!r}: someone else may own it.")


def _check_capture(work: Work, first) -> Check:
    title = "Taken before it was first seen online"
    if work.captured_at is None:
        return Check("capture_time", title, UNKNOWN, "The file has no capture time (EXIF).")
    if first is None:
        return Check("capture_time", title, UNKNOWN,
                     f"Taken {work.captured_at:%Y-%m-%d %H:%M}; the image has not been seen online yet.")
    if work.captured_at < first.found_at:
        return Check("capture_time", title, OK,
                     f"Taken {work.captured_at:%Y-%m-%d}, before its first sighting on {first.site} "
                     f"({first.found_at:%Y-%m-%d}).")
    return Check("capture_time", title, PROBLEM,
                 f"The file says it was taken {work.captured_at:%Y-%m-%d}, after the image was already online "
                 f"on {first.site} ({first.found_at:%Y-%m-%d}): the client's file may be a copy.")


def image_size(store, sha256: str) -> tuple[int, int] | None:
    """An image's pixel size from its header only (Pillow opens lazily); None if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(store.path_for(sha256)) as image:
            return image.size
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return None


def _check_size(work: Work, seen, store) -> Check:
    title = "The client's file is the largest"
    if not seen:
        return Check("largest_file", title, UNKNOWN, "The image has not been seen online yet: nothing to compare.")
    sizes = [(s, image_size(store, s.image_sha256)) if store is not None else (s, None) for s in seen]
    known = [(s, size) for s, size in sizes if size]
    if not known:
        return Check("largest_file", title, UNKNOWN, "The sightings' images cannot be read to compare sizes.")
    mine = work.width * work.height
    s, (w, h) = max(known, key=lambda pair: pair[1][0] * pair[1][1])
    if w * h > mine:
        return Check("largest_file", title, PROBLEM,
                     f"A copy on {s.site} is larger ({w}x{h}) than the client's file ({work.width}x{work.height}): "
                     "ask for the original.")
    if w * h == mine:
        return Check("largest_file", title, WARNING,
                     f"A copy on {s.site} is as large ({w}x{h}) as the client's file: it is not the larger one.")
    return Check("largest_file", title, OK,
                 f"The client's file ({work.width}x{work.height}) is larger than every copy seen "
                 f"({len(known)}; the largest {w}x{h} on {s.site}).")


def conflicts_of(session: Session, work_id: int, *, open_only: bool = False) -> list[WorkConflict]:
    query = select(WorkConflict).where(or_(WorkConflict.work_id == work_id, WorkConflict.other_work_id == work_id))
    if open_only:
        query = query.where(WorkConflict.resolved_at.is_(None))
    return list(session.scalars(query.order_by(WorkConflict.id)))


def _other(conflict: WorkConflict, work_id: int) -> int:
    return conflict.other_work_id if conflict.work_id == work_id else conflict.work_id


def _check_conflicts(session: Session, work: Work) -> Check:
    title = "Not in another client's portfolio"
    found = conflicts_of(session, work.id)
    open_ = [c for c in found if c.resolved_at is None]
    if open_:
        names = []
        for c in open_:
            other = session.get(Work, _other(c, work.id))
            names.append(f"work {other.id} {other.title!r} of {other.client.name} (score {c.score:.2f})")
        return Check("other_portfolio", title, PROBLEM,
                     "The same image is in another client's portfolio: " + "; ".join(names) + ". Decide whose it is.")
    if found:
        return Check("other_portfolio", title, OK,
                     f"{len(found)} conflict(s) with another client's work, resolved: " +
                     "; ".join(c.resolution or "" for c in found))
    return Check("other_portfolio", title, OK, "No other client's work is the same image (the engine's search).")


def agency_site(site: str, agency_sites=STOCK_AGENCY_SITES) -> str | None:
    """The stock agency whose site `site` is (a registered domain or a subdomain of one;
    'gettyimages.*' any top-level domain), or None."""
    site = (site or "").lower().rstrip(".")
    for entry in agency_sites:
        if entry.endswith(".*"):
            if re.search(r"(^|\.)" + re.escape(entry[:-2]) + r"\.[a-z]{2,}(\.[a-z]{2})?$", site):
                return entry
        elif site == entry or site.endswith("." + entry):
            return entry
    return None


def _check_agencies(work: Work, seen, agency_sites) -> Check:
    title = "Not sold by a stock agency undeclared"
    on_agencies = sorted({s.site for s in seen if agency_site(s.site, agency_sites)})
    declared = [a for a in (work.agencies or "").splitlines() if a.strip()]
    if not on_agencies:
        return Check("stock_agency", title, OK,
                     "Not seen on any stock-agency site." if seen else "Not seen online yet.")
    if declared:
        return Check("stock_agency", title, OK,
                     f"Seen on {', '.join(on_agencies)}; the client declared that {', '.join(declared)} sell(s) it.")
    return Check("stock_agency", title, PROBLEM,
                 f"Seen on the stock-agency site {', '.join(on_agencies)}, but the client declared no agency: "
                 "the recipient may have bought a licence there. Needs review.")


def _check_registration(work: Work) -> Check:
    title = "Registered (a US work)"
    if not work.publication_country:
        return Check("registration", title, UNKNOWN,
                     "The country of first publication is not recorded: whether it is a US work is unknown.")
    if work.publication_country != "US":
        return Check("registration", title, OK,
                     f"First published in {work.publication_country}: not a US work, no registration needed to sue "
                     "in the US (17 USC § 411(a)); statutory damages there would need a timely one (§ 412).")
    if work.us_registration_number and work.us_registered_on:
        return Check("registration", title, OK,
                     f"Registered as {work.us_registration_number} on {work.us_registered_on.isoformat()}.")
    if work.us_applied_on:
        return Check("registration", title, WARNING,
                     f"Application pending since {work.us_applied_on.isoformat()}: enough for the Copyright Claims "
                     "Board, not for a federal suit (17 USC § 411(a)).")
    return Check("registration", title, WARNING,
                 "A US work with no registration and no application: no US court claim until it is registered "
                 "(17 USC § 411(a)).")


def checks(session: Session, work: Work, *, store=None, agency_sites=STOCK_AGENCY_SITES) -> list[Check]:
    """Every ownership check of the work, each with its reason."""
    from caseapp.hits import services as hits

    seen = hits.sightings_of_work(session, work.id)
    client = work.client
    return [_check_name(work, client), _check_capture(work, seen[0] if seen else None),
            _check_size(work, seen, store), _check_conflicts(session, work),
            _check_agencies(work, seen, agency_sites), _check_registration(work)]


# --- the status --------------------------------------------------------------------------------

def _set_status(session: Session, actor: Actor, work: Work, status: str, reason: str | None, *,
                details: dict | None = None) -> Work:
    previous = work.status
    work.status, work.status_reason, work.status_by, work.status_at = status, reason, actor.name, utcnow()
    session.flush()
    audit.record(session, actor, f"work.{status}", "work", work.id, from_state=previous, to_state=status,
                 reason=reason, details=details)
    return work


def verify(session: Session, actor: Actor, work: Work, *, evidence: str, seen_version: int | None,
           despite: str | None = None, store=None, agency_sites=STOCK_AGENCY_SITES) -> Work:
    """Mark the work verified by `actor`, now, on the `evidence` named (required). Refused
    while a conflict with another client's work is open (resolve it: whose is it?), and while
    a check finds a problem, unless `despite` says why the problem does not stand."""
    check_version(f"Work {work.id}", work, seen_version)
    evidence = _text(evidence, "Evidence", limit=MAX_TEXT)
    if not evidence or len(evidence) < 10:
        raise InvalidInput("Evidence: say what proves the client owns the work (e.g. 'RAW file and the 2019 "
                           "invoice to Bergwerk GmbH'); at least 10 characters.")
    if conflicts_of(session, work.id, open_only=True):
        raise InvalidInput(f"Work {work.id} cannot be verified while the same image is in another client's "
                           "portfolio: resolve the conflict first (whose is it?).")
    despite = _text(despite, "Why the problems do not stand", limit=MAX_TEXT)
    problems = [c for c in checks(session, work, store=store, agency_sites=agency_sites) if c.outcome == PROBLEM]
    if problems and not despite:
        raise InvalidInput(f"Work {work.id} cannot be verified while a check finds a problem: "
                           + " ".join(f"{c.title}: {c.reason}" for c in problems)
                           + " Fix it, or say why it does not stand.")
    reason = evidence + (f" (despite: {despite})" if problems else "")
    return _set_status(session, actor, work, VERIFIED, reason,
                       details={"evidence": evidence, "despite": despite if problems else None,
                                "problems": [c.code for c in problems]})


def dispute(session: Session, actor: Actor, work: Work, *, reason: str, seen_version: int | None) -> Work:
    """Mark the work disputed (its cases cannot leave their checks stage); the reason is required."""
    check_version(f"Work {work.id}", work, seen_version)
    reason = _text(reason, "Reason", limit=MAX_TEXT, required=True)
    return _set_status(session, actor, work, DISPUTED, reason)


def unverify(session: Session, actor: Actor, work: Work, *, reason: str, seen_version: int | None) -> Work:
    """Back to unverified (a verification withdrawn, a dispute settled without a verdict)."""
    check_version(f"Work {work.id}", work, seen_version)
    reason = _text(reason, "Reason", limit=MAX_TEXT, required=True)
    return _set_status(session, actor, work, UNVERIFIED, reason)


def note_on_work(session: Session, actor: Actor, work_id: int, text: str, *, case_id: int | None = None) -> None:
    """Add a line to the work's record (its status reason keeps it, and the audit trail);
    e.g. 'licence shown by … on …, case C-…'."""
    work = get_work(session, work_id)
    work.status_reason = ((work.status_reason + "\n") if work.status_reason else "") + text
    session.flush()
    audit.record(session, actor, "work.noted", "work", work.id, case_id=case_id, reason=text)


# --- conflicts with another client's portfolio ---------------------------------------------------

def find_conflicts(session: Session, engine, work: Work, features, *, min_score: float = CONFLICT_MIN_SCORE,
                   actor: Actor | None = None) -> list[WorkConflict]:
    """The works of other clients that are the same image as `work` (the engine's score at
    least `min_score`): each a conflict (one row a pair, whichever was added first), and both
    works disputed with a reason naming the other. Called when a work is indexed, so a new
    work flags the old one and the old one is flagged whichever came first."""
    actor = actor or Actor.system("conflict check")
    found = [m for m in engine.search([features], 10) if m.ref_id != str(work.id) and m.score >= min_score]
    ids = [int(m.ref_id) for m in found if m.ref_id.isdigit()]
    if not ids:
        return []
    others = {w.id: w for w in session.scalars(select(Work).where(Work.id.in_(ids),
                                                                  Work.client_id != work.client_id))}
    made = []
    for match in found:
        other = others.get(int(match.ref_id)) if match.ref_id.isdigit() else None
        if other is None:
            continue
        conflict = record_conflict(session, actor, work, other, float(match.score))
        if conflict is not None:
            made.append(conflict)
    return made


def record_conflict(session: Session, actor: Actor, work: Work, other: Work, score: float) -> WorkConflict | None:
    """The same image in two clients' portfolios (the engine's `score`): one conflict row a
    pair (the lower work id first), and both works disputed with a reason naming the other.
    None if the pair is known already."""
    low, high = sorted((work.id, other.id))
    exists = session.scalar(select(WorkConflict).where(WorkConflict.work_id == low,
                                                       WorkConflict.other_work_id == high))
    if exists is not None:
        return None
    conflict = WorkConflict(work_id=low, other_work_id=high, score=score)
    session.add(conflict)
    session.flush()
    for mine, theirs in ((work, other), (other, work)):
        _set_status(session, actor, mine, DISPUTED,
                    f"The same image is in {theirs.client.name}'s portfolio as work {theirs.id} "
                    f"{theirs.title!r} (engine score {score:.2f}): decide whose it is.",
                    details={"conflict": conflict.id, "other_work": theirs.id})
    return conflict


def resolve_conflict(session: Session, actor: Actor, conflict_id: int, *, owner_work_id: int, reason: str) -> WorkConflict:
    """Decide whose the image is: the owner's work is verified on that decision (unless
    another conflict of it is still open), the other stays disputed with the reason. Audited."""
    conflict = session.get(WorkConflict, conflict_id)
    if conflict is None:
        raise NotFound(f"There is no conflict {conflict_id}.")
    if conflict.resolved_at is not None:
        raise InvalidInput(f"Conflict {conflict_id} was resolved already by {conflict.resolved_by}.")
    if owner_work_id not in (conflict.work_id, conflict.other_work_id):
        raise InvalidInput(f"Work {owner_work_id} is not one of the two works of conflict {conflict_id} "
                           f"({conflict.work_id} and {conflict.other_work_id}).")
    reason = _text(reason, "Reason", limit=MAX_TEXT, required=True)
    owner, loser = get_work(session, owner_work_id), get_work(session, _other(conflict, owner_work_id))
    conflict.resolved_at, conflict.resolved_by = utcnow(), actor.name
    conflict.resolution = f"{owner.client.name}'s (work {owner.id}): {reason}"
    session.flush()
    audit.record(session, actor, "work.conflict_resolved", "work", owner.id,
                 reason=reason, details={"conflict": conflict.id, "owner_work": owner.id, "other_work": loser.id})
    if not conflicts_of(session, owner.id, open_only=True):
        _set_status(session, actor, owner, VERIFIED, f"Conflict with work {loser.id} resolved in its favour: {reason}")
    _set_status(session, actor, loser, DISPUTED,
                f"The image is {owner.client.name}'s (work {owner.id}), decided by {actor.name}: {reason}")
    return conflict


# --- what a page and a command show ----------------------------------------------------------------

def work_record(session: Session, work: Work, *, store=None, agency_sites=STOCK_AGENCY_SITES) -> dict:
    """The work as `works show --json` prints it: status, evidence, sales, conflicts, checks."""
    def day(value):
        return value.isoformat() if value else None

    conflicts = []
    for c in conflicts_of(session, work.id):
        other = get_work(session, _other(c, work.id))
        conflicts.append({"id": c.id, "other_work": other.id, "other_title": other.title,
                          "other_client": other.client.name, "score": round(c.score, 3),
                          "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None,
                          "resolved_by": c.resolved_by, "resolution": c.resolution})
    return {
        "id": work.id, "title": work.title, "client": {"id": work.client_id, "name": work.client.name},
        "width": work.width, "height": work.height, "file_sha256": work.file_sha256, "version": work.version,
        "status": {"status": work.status, "label": STATUS_LABELS[work.status], "reason": work.status_reason,
                   "by": work.status_by, "at": work.status_at.isoformat() if work.status_at else None},
        "exif": {"camera": work.camera, "captured_at": work.captured_at.isoformat() if work.captured_at else None,
                 "artist": work.artist, "copyright": work.copyright_notice},
        "evidence": {"original_sha256": work.original_sha256, "original_filename": work.original_filename,
                     "first_published_url": work.first_published_url,
                     "first_published_on": day(work.first_published_on),
                     "publication_country": work.publication_country,
                     "us_work": None if work.publication_country is None else work.publication_country == "US",
                     "us_registration_number": work.us_registration_number,
                     "us_registered_on": day(work.us_registered_on), "us_applied_on": day(work.us_applied_on),
                     "agencies": [a for a in (work.agencies or "").splitlines() if a]},
        "sales": [{"id": s.id, "sold_on": s.sold_on.isoformat(), "licensee": s.licensee, "usage": s.usage,
                   "price": Money(s.price_minor, s.currency).amount_text(), "currency": s.currency,
                   "by": s.created_by} for s in sales(session, work.id)],
        "conflicts": conflicts,
        "checks": [c.as_dict() for c in checks(session, work, store=store, agency_sites=agency_sites)],
    }


# --- the gate before a case's first letter ---------------------------------------------------------

@dataclass(frozen=True)
class Blocker:
    """Why a case cannot leave its checks stage: what (a work, the mandate), why, where to fix it."""
    what: str
    why: str
    url: str


def case_blockers(session: Session, client_id: int, work_ids) -> list[Blocker]:
    """What stops a case of the client over these works from leaving its checks stage: each
    work not verified (unverified or disputed, with its reason), and a client without a
    signed mandate on file."""
    blockers = []
    client = session.get(Client, client_id)
    if client is not None and not client.mandate_sha256:
        blockers.append(Blocker(f"Client {client.name}", "no signed mandate on file: upload it on the client's page",
                                f"/clients/{client.id}"))
    ids = sorted(set(work_ids))
    for work in session.scalars(select(Work).where(Work.id.in_(ids)).order_by(Work.id)) if ids else ():
        if work.status == VERIFIED:
            continue
        why = ("its ownership is disputed" if work.status == DISPUTED else "its ownership is not verified yet")
        if work.status_reason and work.status == DISPUTED:
            why += f": {work.status_reason.splitlines()[0]}"
        blockers.append(Blocker(f"Work {work.id} {work.title!r}", why, f"/works/{work.id}"))
    return blockers


def status_chip(status: str) -> str:
    return STATUS_LABELS.get(status, status) if status in WORK_STATUSES else status
