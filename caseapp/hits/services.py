"""The rules of the hits domain: the matching index kept in step with the works,
works imported from a folder, crawler sightings ingested, triage decisions (one or
thousands at once, with undo), domain whitelists, and draft cases from illegal hits."""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlparse

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from caseapp.cases import services as cases
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.filestore import FileStore
from caseapp.core.formatting import whole_number
from caseapp.core.images import thumbnail_bytes
from caseapp.core.models import utcnow
from caseapp.core.money import Money
from caseapp.feasibility import services as feasibility
from caseapp.hits.models import (ILLEGAL, LEGAL, NEW, NO_MATCH, STATUS_LABELS, STATUSES, WHITELISTED,
                                 DomainRule, Hit, HitDecision, HitDecisionItem, Sighting, WorkSignature)
from caseapp.rightsholders import services as rightsholders
from caseapp.rightsholders.models import Work

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}
MAX_FETCH_BYTES = 25 * 1024 * 1024
TOP_K = 5


# --- the engine, kept in step with the works --------------------------------------------

_ENGINES: dict[str, object] = {}


def engine_at(path: str):
    """The matching engine whose index lives in `path`, shared by the process and
    reloaded when another process saved a newer index."""
    from matching import Engine

    engine = _ENGINES.get(path)
    if engine is None:
        engine = _ENGINES[path] = Engine.open(path)
    else:
        engine.reload_if_changed()
    return engine


def index_work(session: Session, store: FileStore, engine, work: Work) -> None:
    """Compute (or reuse) the work's signature and put it in the engine's index."""
    from matching import signature, signature_bytes, signature_from_bytes

    stored = session.get(WorkSignature, work.id)
    if stored is None:
        features = signature(store.path_for(work.file_sha256))
        session.add(WorkSignature(work_id=work.id, data=signature_bytes(features)))
    else:
        features = signature_from_bytes(stored.data)
    engine.add(str(work.id), features)


def sync_index(session: Session, store: FileStore, engine) -> dict:
    """Every work in the index, nothing else: signatures computed where missing."""
    ids = set(session.scalars(select(Work.id)))
    indexed = {int(r) for r in engine.ref_ids()}
    added = 0
    for work in session.scalars(select(Work).where(Work.id.in_(ids - indexed))):
        index_work(session, store, engine, work)
        added += 1
    removed = sum(engine.remove(str(r)) for r in indexed - ids)
    if added or removed:
        engine.save()
    return {"added": added, "removed": removed, "works": len(ids)}


_SYNCED: set[str] = set()


def index_in_step(session: Session, store: FileStore, engine) -> None:
    """Sync the index with the works once per process and index folder; from then on
    `import_works` indexes what it adds and `engine_at` reloads what other processes saved
    (a request path must not read every work id each time)."""
    key = str(engine.path)
    if key not in _SYNCED:
        sync_index(session, store, engine)
        _SYNCED.add(key)


def import_works(session: Session, store: FileStore, engine, actor: Actor, *, client_id: int,
                 folder: Path) -> Iterator[dict]:
    """Add every image file in `folder` as a work of the client: stored, thumbnailed,
    described and indexed. One result a file; a broken file is reported and skipped."""
    from matching import DecodeError

    if not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder.")
    rightsholders.get_client(session, client_id)
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            yield {"file": path.name, "status": "skipped", "error": "not an image file (by its name)"}
            continue
        try:
            with session.begin_nested():
                work = rightsholders.add_work(session, store, actor, rights_holder_id=client_id,
                                              title=path.stem, data=path.read_bytes())
                index_work(session, store, engine, work)
        except (InvalidInput, DecodeError) as error:
            yield {"file": path.name, "status": "error", "error": str(error)}
            continue
        yield {"file": path.name, "status": "added", "work": work.id}


# --- ingest ------------------------------------------------------------------------------

def domain_of(url: str) -> str:
    host = (urlparse(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def sighting_key(image_url: str, page_url: str) -> str:
    return hashlib.sha256(f"{image_url}\n{page_url}".encode()).hexdigest()


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to an http(s) address that passes the same checks."""

    def __init__(self, private_ok: bool) -> None:
        super().__init__()
        self.private_ok = private_ok

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_address(newurl, self.private_ok)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _check_address(url: str, private_ok: bool) -> None:
    """Only http(s), and (unless private_ok) only public addresses: a crawler's line must not
    make the server fetch from itself or the firm's network."""
    import ipaddress
    import socket

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InvalidInput(f"cannot fetch {url}: only http and https addresses are fetched")
    if private_ok:
        return
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as error:
        raise InvalidInput(f"could not fetch {url}: {error}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise InvalidInput(f"cannot fetch {url}: {parsed.hostname} is a private or local address "
                               "(set CASEAPP_FETCH_PRIVATE=1 to allow it, e.g. for an intranet crawler)")


def open_url(url: str, limit: int, timeout: float = 10.0, *, private_ok: bool = False) -> tuple[bytes, str]:
    """Download `url` (http/https only, public addresses only unless private_ok, at most
    `limit` bytes): its bytes and content type."""
    _check_address(url, private_ok)
    opener = urllib.request.build_opener(_CheckedRedirects(private_ok))
    request = urllib.request.Request(url, headers={"User-Agent": "caseapp-fetcher/1"})
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(limit + 1)
            content_type = response.headers.get("Content-Type", "")
    except InvalidInput:
        raise
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise InvalidInput(f"could not fetch {url}: {reason}") from None
    if len(data) > limit:
        raise InvalidInput(f"{url} is larger than {limit // (1024 * 1024)} MB; not fetched")
    return data, content_type


def fetch_image(url: str, timeout: float = 10.0, *, private_ok: bool = False) -> bytes:
    """Download an image (http/https only, at most 25 MB)."""
    return open_url(url, MAX_FETCH_BYTES, timeout, private_ok=private_ok)[0]


@dataclass
class Sighted:
    image_url: str
    page_url: str
    found_at: datetime
    image_path: str | None


def parse_sighting(text: str) -> Sighted:
    """One JSON Lines record -> a sighting, or InvalidInput saying what is wrong."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"not valid JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(record, dict):
        raise InvalidInput("expected a JSON object with image_url, page_url and found_at")
    missing = [k for k in ("image_url", "page_url", "found_at") if not record.get(k)]
    if missing:
        raise InvalidInput(f"missing {', '.join(missing)}")
    for key in ("image_url", "page_url"):
        if not isinstance(record[key], str) or urlparse(record[key]).scheme not in ("http", "https"):
            raise InvalidInput(f"{key} must be an http(s) address, not {record[key]!r}")
    try:
        found = datetime.fromisoformat(str(record["found_at"]).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"found_at must be a date and time like 2026-11-21T10:15:00Z, "
                           f"not {record['found_at']!r}") from None
    if found.tzinfo is None:
        found = found.replace(tzinfo=timezone.utc)
    path = record.get("image_path")
    if path is not None and not isinstance(path, str):
        raise InvalidInput("image_path must be a file path")
    return Sighted(record["image_url"], record["page_url"], found, path)


def rule_for(session: Session, rights_holder_id: int, work_id: int, domain: str) -> DomainRule | None:
    """The rule that says no hit is made for this work on `domain` (or a parent domain): the
    client's or a global whitelist, or a clearance for this very work."""
    parts = domain.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)] or [domain]
    return session.scalars(
        select(DomainRule).where(DomainRule.domain.in_(candidates),
                                 (DomainRule.rights_holder_id == rights_holder_id)
                                 | DomainRule.rights_holder_id.is_(None),
                                 DomainRule.work_id.is_(None) | (DomainRule.work_id == work_id))
        .order_by(DomainRule.work_id.is_(None).desc(), DomainRule.rights_holder_id.is_(None))).first()


def ruled_out(session: Session, work: Work, domain: str) -> str | None:
    """Why no hit is made for this work on `domain`, or None: a whitelist, a licence shown
    at triage, or a case closed because that site showed a licence."""
    rule = rule_for(session, work.rights_holder_id, work.id, domain)
    if rule is not None:
        return rule.describe
    ref = cases.licence_shown_on(session, work.id, domain)
    return f"cleared: {domain} showed a licence for work {work.id} in case {ref}" if ref else None


@dataclass
class Described:
    """The heavy half of ingesting a sighting, done without the database (in a worker
    process when ingest runs in parallel): the image's bytes, thumbnail and description."""

    data: bytes
    thumbnail: bytes
    variants: list


def describe_image(job: tuple[str | None, str, bool]) -> Described | str:
    """(file path or None, image URL, may fetch from private addresses) -> the image
    described, or what is wrong with it."""
    from matching.engine import query_signature

    path, url, private_ok = job
    try:
        data = Path(path).read_bytes() if path else fetch_image(url, private_ok=private_ok)
    except (InvalidInput, OSError) as error:
        return str(error)
    try:   # the engine's decoder first: it refuses decompression bombs before Pillow reads them
        variants = query_signature(data)
        return Described(data, thumbnail_bytes(data)[0], variants)
    except Exception as error:  # noqa: BLE001  (any undecodable file is this line's error, not the run's)
        return f"the image is not readable: {error}"


def _serial_map(function, jobs):
    return map(function, jobs)


@contextlib.contextmanager
def image_describers(workers: int):
    """A map function for `ingest` that describes images in `workers` processes beside this
    one (0: in this process). Forkserver processes inherit no database connection."""
    if workers <= 0:
        yield _serial_map
        return
    import multiprocessing

    with multiprocessing.get_context("forkserver").Pool(workers) as pool:
        pool.apply(describe_image, ((None, "x:", False),))   # the workers' imports done before work starts
        yield lambda function, jobs: pool.imap(function, jobs)


def ingest(session: Session, store: FileStore, engine, actor: Actor, lines: Iterable[tuple[int, str]], *,
           base: Path | None, min_score: float, pool_map=_serial_map, batch: int = 32,
           private_ok: bool = False) -> Iterator[dict]:
    """Ingest crawler output, one JSON line at a time; yields one result a line, in order.
    Each line is written whole or not at all (a savepoint each); the caller commits.
    `image_path` is read relative to `base`; without a base (the REST endpoint) images are
    fetched from image_url (never from private, loopback or link-local addresses unless
    `private_ok`). Images are described with `pool_map` (e.g. a process pool's imap),
    `batch` lines at a time; searching and writing stay in this process."""
    numbered = ((n, t) for n, t in lines if t.strip())
    while True:
        chunk = list(itertools.islice(numbered, batch))
        if not chunk:
            return
        checked: list[tuple[dict, Sighted | None, str | None]] = []   # (row, sighting, key) or an answer
        for number, text in chunk:
            row = {"line": number}
            try:
                seen = parse_sighting(text)
                key = sighting_key(seen.image_url, seen.page_url)
                if session.scalar(select(Sighting.id).where(Sighting.key == key)) is not None:
                    checked.append(({**row, "status": "duplicate", "hits": []}, None, None))
                    continue
                if seen.image_path and base is None:
                    raise InvalidInput("image_path is only read from files given to `caseapp hits ingest`; "
                                       "here, leave it out and the image is fetched from image_url")
                if seen.image_path and not (base / seen.image_path).is_file():
                    raise InvalidInput(f"image_path {seen.image_path} not found (relative to {base})")
                checked.append((row, seen, key))
            except InvalidInput as error:
                checked.append(({**row, "status": "error", "error": f"line {number}: {error}", "hits": []},
                                None, None))
        jobs = [(str(base / seen.image_path) if seen.image_path else None, seen.image_url, private_ok)
                for _, seen, _ in checked if seen is not None]
        described = iter(pool_map(describe_image, jobs))
        for row, seen, key in checked:
            if seen is None:
                yield row
                continue
            result = next(described)
            if isinstance(result, str):
                yield {**row, "status": "error", "error": f"line {row['line']}: {result}", "hits": []}
                continue
            if session.scalar(select(Sighting.id).where(Sighting.key == key)) is not None:  # twice in a batch
                yield {**row, "status": "duplicate", "hits": []}
                continue
            yield _record(session, store, engine, row, seen, key, result, min_score)


def _record(session: Session, store: FileStore, engine, row: dict, seen: Sighted, key: str, image: Described,
            min_score: float) -> dict:
    """Search the described image and write the sighting and its hits (a savepoint)."""
    domain = domain_of(seen.page_url)
    found = [m for m in engine.search(image.variants, TOP_K) if m.match and m.score >= min_score]
    works = {w.id: w for w in session.scalars(select(Work).where(Work.id.in_([int(m.ref_id) for m in found])))}
    with session.begin_nested():
        sighting = Sighting(key=key, image_url=seen.image_url, page_url=seen.page_url, domain=domain,
                            found_at=seen.found_at, image_sha256=store.put(image.data),
                            thumbnail_sha256=store.put(image.thumbnail))
        session.add(sighting)
        session.flush()
        created, skipped = [], []
        for m in found:
            work = works.get(int(m.ref_id))
            if work is None:   # removed since the index was saved
                continue
            reason = ruled_out(session, work, domain)
            if reason is not None:
                skipped.append({"work": work.id, "rule": reason})
                continue
            hit = Hit(sighting_id=sighting.id, work_id=work.id, rights_holder_id=work.rights_holder_id,
                      domain=domain, score=m.score, status=NEW,
                      transform=list(m.transform) if m.transform else None)
            session.add(hit)
            created.append(hit)
        session.flush()
    out = {**row, "status": "matched" if created else "no_match",
           "hits": [{"hit": h.id, "work": h.work_id, "score": h.score} for h in created]}
    if skipped:
        out["ruled_out"] = skipped
    return out


def summarise(rows: Iterable[dict]) -> dict:
    rows = list(rows)
    return {"read": len(rows), "matched": sum(r["status"] == "matched" for r in rows),
            "hits_created": sum(len(r.get("hits", [])) for r in rows),
            "duplicates": sum(r["status"] == "duplicate" for r in rows),
            "errors": sum(r["status"] == "error" for r in rows)}


# --- triage ------------------------------------------------------------------------------

# Score bands a handler selects by: (lowest score, score it stays under, words).
BANDS = {"high": (0.9, None, "score 0.90 or more"), "mid": (0.7, 0.9, "score 0.70 to 0.89"),
         "low": (None, 0.7, "score under 0.70")}
AGES = (7, 30, 90, 365)


@dataclass(frozen=True)
class HitFilter:
    """A selection of hits as a handler makes it: by client, status, domain, score band,
    age, or cluster (one sighting matching several works; one work on many pages of a site)."""

    client_id: int | None = None
    status: str | None = NEW
    domain: str | None = None
    band: str | None = None
    older_than_days: int | None = None
    work_id: int | None = None
    sighting_id: int | None = None
    subdomains: bool = False   # the domain's subdomains too (as a whitelist rule covers them)

    @classmethod
    def from_args(cls, args) -> "HitFilter":
        """From a query string or form; values that mean nothing are left out."""
        def number(key: str) -> int | None:
            return whole_number(args.get(key))

        status = args.get("status") or NEW
        status = None if status == "all" else status if status in STATUSES else NEW
        band = args.get("band") if args.get("band") in BANDS else None
        domain = str(args.get("domain") or "").strip().lower() or None
        return cls(number("client"), status, domain, band, number("older"), number("work"), number("sighting"))

    def args(self, **changes) -> dict:
        """The filter as query-string arguments (for links that keep it)."""
        values = {"client": self.client_id, "status": self.status or "all", "domain": self.domain,
                  "band": self.band, "older": self.older_than_days, "work": self.work_id,
                  "sighting": self.sighting_id, **changes}
        return {k: v for k, v in values.items() if v not in (None, "")}

    def describe(self) -> str:
        parts = [STATUS_LABELS[self.status].lower() if self.status else "any status"]
        if self.client_id:
            parts.append(f"client {self.client_id}")
        if self.domain:
            parts.append(f"on {self.domain}")
        if self.band:
            parts.append(BANDS[self.band][2])
        if self.older_than_days:
            parts.append(f"found over {self.older_than_days} days ago")
        if self.work_id:
            parts.append(f"work {self.work_id}")
        if self.sighting_id:
            parts.append(f"sighting {self.sighting_id}")
        return ", ".join(parts)

    @property
    def is_cluster(self) -> bool:
        return bool(self.work_id or self.sighting_id)

    def apply(self, query, today: date):
        if self.client_id is not None:
            query = query.where(Hit.rights_holder_id == self.client_id)
        if self.status is not None:
            query = query.where(Hit.status == self.status)
        if self.domain and self.subdomains:
            pattern = "%." + self.domain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where((Hit.domain == self.domain) | Hit.domain.like(pattern, escape="\\"))
        elif self.domain:
            query = query.where(Hit.domain == self.domain)
        if self.band:
            low, high, _ = BANDS[self.band]
            if low is not None:
                query = query.where(Hit.score >= low)
            if high is not None:
                query = query.where(Hit.score < high)
        if self.work_id is not None:
            query = query.where(Hit.work_id == self.work_id)
        if self.sighting_id is not None:
            query = query.where(Hit.sighting_id == self.sighting_id)
        if self.older_than_days:
            before = datetime.combine(today - timedelta(days=self.older_than_days), time.min, timezone.utc)
            query = query.where(Hit.sighting_id.in_(select(Sighting.id).where(Sighting.found_at < before)))
        return query


def select_hits(session: Session, selection: HitFilter, today: date) -> list[int]:
    """The ids of every hit in the selection."""
    return list(session.scalars(selection.apply(select(Hit.id), today).order_by(Hit.id)))


@dataclass
class TriagePage:
    hits: list[Hit]
    total: int
    next_after: int | None
    sighting_hits: dict[int, int]            # sighting id -> hits it has (a cluster when > 1)
    site_hits: dict[tuple[int, str], int]    # (work id, domain) -> hits of the work on that site
    case_refs: dict[int, str]                # case id -> ref, for hits already in a case


def triage_page(session: Session, selection: HitFilter, today: date, *, after: int | None = None,
                limit: int = 30) -> TriagePage:
    """One page of the selection, grouped by site (so that a site's hits come together),
    keyset-paged after hit `after`; with the cluster sizes the page links to."""
    query = selection.apply(select(Hit), today)
    if after is not None:
        last = session.get(Hit, after)
        if last is not None:
            query = query.where(tuple_(Hit.domain, Hit.id) > tuple_(last.domain, last.id))
    hits = list(session.scalars(query.order_by(Hit.domain, Hit.id).limit(limit + 1)).unique())
    more = len(hits) > limit
    hits = hits[:limit]
    total = session.scalar(selection.apply(select(func.count(Hit.id)), today))
    sighting_ids = {h.sighting_id for h in hits}
    per_sighting = dict(session.execute(select(Hit.sighting_id, func.count()).where(Hit.sighting_id.in_(sighting_ids))
                                        .group_by(Hit.sighting_id)).all()) if hits else {}
    pairs = sorted({(h.domain, h.work_id) for h in hits})
    per_site: dict[tuple[int, str], int] = {}
    if hits:
        rows = session.execute(select(Hit.work_id, Hit.domain, func.count())
                               .where(tuple_(Hit.domain, Hit.work_id).in_(pairs))
                               .group_by(Hit.work_id, Hit.domain)).all()
        per_site = {(w, d): n for w, d, n in rows}
    refs = cases.refs_by_id(session, {h.case_id for h in hits if h.case_id})
    return TriagePage(hits, total or 0, hits[-1].id if more else None, per_sighting, per_site, refs)


def decide(session: Session, actor: Actor, hit_ids: Iterable[int], status: str, *, selection: str,
           today: date, expect_status: str | None = None) -> HitDecision:
    """One decision on any number of hits, in the caller's transaction: every hit's previous
    status is kept for undo; legal hits clear their site for their work (a licence was shown);
    illegal hits become draft cases. With `expect_status`, hits that someone else moved out
    of that status meanwhile are left alone (decision.count says how many changed)."""
    if status not in STATUSES or status == NEW:
        raise InvalidInput(f"'{status}' is not a decision; choose one of legal, illegal, whitelisted, no_match.")
    ids = sorted(set(hit_ids))
    rows, in_cases = [], 0
    for start in range(0, len(ids), 5000):
        query = select(Hit.id, Hit.status, Hit.case_id, Hit.rights_holder_id, Hit.work_id, Hit.domain).where(
            Hit.id.in_(ids[start:start + 5000]), Hit.status != status)
        if expect_status is not None:
            query = query.where(Hit.status == expect_status)
        for row in session.execute(query).all():
            if row.case_id is not None:   # the case decides now: close it (e.g. licence shown) instead
                in_cases += 1
            else:
                rows.append(row)
    decision = HitDecision(status=status, selection=selection[:300], count=len(rows), user_id=actor.user_id,
                           user_name=actor.name, made_at=utcnow())
    session.add(decision)
    session.flush()
    if rows:
        session.execute(insert(HitDecisionItem), [
            {"decision_id": decision.id, "hit_id": r.id, "from_status": r.status, "from_case_id": r.case_id}
            for r in rows])
        changed = [r.id for r in rows]
        for start in range(0, len(changed), 5000):
            session.execute(update(Hit).where(Hit.id.in_(changed[start:start + 5000]))
                            .values(status=status, decision_id=decision.id, decided_at=decision.made_at,
                                    decided_by=actor.name, version=Hit.version + 1)
                            .execution_options(synchronize_session=False))
    session.expire_all()   # the bulk UPDATE went past the identity map
    cleared = _clear_sites(session, actor, decision, {(r.rights_holder_id, r.work_id, r.domain) for r in rows}) \
        if status == LEGAL else 0
    drafted = draft_cases(session, actor, [r.id for r in rows], today) if status == ILLEGAL and rows else []
    audit.record(session, actor, "hits.decided", "hit_decision", decision.id, to_state=status,
                 details={"selection": selection, "count": len(rows), "cases": drafted, "cleared": cleared,
                          "left_in_cases": in_cases})
    session.expire_all()
    decision.left_in_cases = in_cases   # for the message (not stored)
    return decision


def _clear_sites(session: Session, actor: Actor, decision: HitDecision, scopes: set[tuple[int, int, str]]) -> int:
    """A licence was shown: each (client, work, site) becomes a cleared recipient."""
    existing = set(session.execute(select(DomainRule.rights_holder_id, DomainRule.work_id, DomainRule.domain)
                                   .where(DomainRule.work_id.in_({w for _, w, _ in scopes}))).all()) if scopes else set()
    new = sorted(scopes - existing)
    if new:
        now = utcnow()
        session.execute(insert(DomainRule), [
            {"rights_holder_id": c, "work_id": w, "domain": d, "note": "licence shown at triage",
             "created_by": actor.name, "decision_id": decision.id, "created_at": now, "updated_at": now}
            for c, w, d in new])
    return len(new)


DECISION_WORDS = {LEGAL: "legal (licensed)", ILLEGAL: "illegal", WHITELISTED: "whitelisted",
                  NO_MATCH: "no match"}


def decision_summary(session: Session, decision: HitDecision, limit: int = 500) -> dict:
    """What a decision did, in words for the page: how many hits, which draft cases."""
    changed = list(session.scalars(select(HitDecisionItem.hit_id).where(HitDecisionItem.decision_id == decision.id)
                                   .limit(limit)))
    in_cases = session.execute(select(Hit.id, Hit.case_id).where(Hit.decision_id == decision.id,
                                                                 Hit.case_id.is_not(None))).all()
    ref_of = cases.refs_by_id(session, {c for _, c in in_cases})
    refs = sorted(set(ref_of.values()))
    left = getattr(decision, "left_in_cases", 0)
    hits = f"{decision.count} hit{'s' if decision.count != 1 else ''}"
    if decision.selection.startswith("whitelist "):   # the rule counts even when no hit waited
        message = f"Whitelisted {decision.selection.removeprefix('whitelist ')}: {hits} whitelisted. U undoes."
    elif decision.count == 0 and left:
        message = (f"Nothing changed: {'this hit is' if left == 1 else f'these {left} hits are'} in a case; "
                   "open the case and close it (e.g. licence shown) instead.")
    elif decision.count == 0:
        message = ("Nothing changed: these hits were decided already, perhaps by someone else. "
                   "Reload the page to see them as they are.")
    else:
        message = f"{hits} marked {DECISION_WORDS[decision.status]}"
        if refs:
            message += f"; draft case{'s' if len(refs) > 1 else ''} {', '.join(refs)}"
        message += ". U undoes."
        if left:
            message += f" {left} hit{'s' if left != 1 else ''} in cases left as they are: close the case instead."
    return {"message": message, "hits": changed, "cases": refs,
            "case_of": {hit: ref_of[case] for hit, case in in_cases[:limit]}}


def last_decision(session: Session, user_id: int | None, name: str) -> HitDecision | None:
    """The person's latest decision that can still be undone."""
    who = HitDecision.user_id == user_id if user_id is not None else HitDecision.user_name == name
    made_rule = select(DomainRule.id).where(DomainRule.decision_id == HitDecision.id).exists()
    return session.scalars(select(HitDecision).where(who, HitDecision.undone_at.is_(None),
                                                     (HitDecision.count > 0) | made_rule)
                           .order_by(HitDecision.id.desc()).limit(1)).first()


def undo(session: Session, actor: Actor, decision_id: int | None, *, others_allowed: bool = True) -> HitDecision:
    """Put the hits of a decision (None: the actor's last one in force) back as they were,
    unless a later decision changed them; the rules the decision made (a whitelist, cleared
    sites) go with it. Without `others_allowed`, only the person who made it may undo it."""
    if decision_id is None:
        last = last_decision(session, actor.user_id, actor.name)
        if last is None:
            raise InvalidInput("Nothing to undo: you have made no triage decision that is still in force.")
        decision_id = last.id
    decision = session.get(HitDecision, decision_id)
    if decision is None:
        raise NotFound(f"No triage decision {decision_id}.")
    if not others_allowed and decision.user_name != actor.name:
        raise InvalidInput(f"Decision {decision_id} is {decision.user_name}'s: ask them, or an admin, to undo it.")
    if decision.undone_at is not None:
        raise InvalidInput(f"Decision {decision_id} was undone already.")
    items = session.execute(select(HitDecisionItem.hit_id, HitDecisionItem.from_status, Hit.case_id)
                            .join(Hit, Hit.id == HitDecisionItem.hit_id)
                            .where(HitDecisionItem.decision_id == decision_id,
                                   Hit.decision_id == decision_id)).all()
    in_cases = sorted({i.case_id for i in items if i.case_id is not None})
    if in_cases:
        refs = ", ".join(cases.case_refs(session, in_cases))
        raise InvalidInput(f"These hits are in draft case {refs}: close that case (reason: licence shown "
                           "or withdrawn) instead of undoing.")
    by_status: dict[str, list[int]] = {}
    for item in items:
        by_status.setdefault(item.from_status, []).append(item.hit_id)
    for status, ids in by_status.items():
        for start in range(0, len(ids), 5000):
            session.execute(update(Hit).where(Hit.id.in_(ids[start:start + 5000]))
                            .values(status=status, decision_id=None, decided_at=None, decided_by=None,
                                    version=Hit.version + 1)
                            .execution_options(synchronize_session=False))
    decision.undone_at = utcnow()
    session.flush()
    rules = 0
    for rule in session.scalars(select(DomainRule).where(DomainRule.decision_id == decision.id)).all():
        still = None
        if rule.work_id is not None:   # a cleared site: kept while another hit in force says licensed
            still = session.scalar(select(Hit.decision_id).where(
                Hit.status == LEGAL, Hit.work_id == rule.work_id, Hit.domain == rule.domain,
                Hit.rights_holder_id == rule.rights_holder_id, Hit.decision_id.is_not(None)).limit(1))
        if still is not None:
            rule.decision_id = still
        else:
            session.delete(rule)
            rules += 1
    audit.record(session, actor, "hits.undone", "hit_decision", decision.id, from_state=decision.status,
                 details={"selection": decision.selection, "count": len(items), "rules_removed": rules})
    session.flush()
    session.expire_all()
    return decision


def _normal_domain(domain: str) -> str:
    domain = domain_of(domain if "//" in domain else f"http://{domain.strip()}")
    if not domain or "." not in domain:
        raise InvalidInput("Give a domain such as shop.example.com.")
    return domain


def whitelist_domain(session: Session, actor: Actor, *, domain: str, client_id: int | None, today: date,
                     note: str | None = None) -> HitDecision:
    """Whitelist a domain (for one client, or for all): no hits are made on it any more, and
    its undecided hits are whitelisted, in one decision that undo takes back with the rule."""
    domain = _normal_domain(domain)
    scope = DomainRule.rights_holder_id.is_(None) if client_id is None else DomainRule.rights_holder_id == client_id
    rule = session.scalars(select(DomainRule).where(DomainRule.domain == domain, DomainRule.work_id.is_(None),
                                                    scope)).first()
    ids = select_hits(session, HitFilter(client_id=client_id, domain=domain, subdomains=True), today)
    who = "all clients" if client_id is None else rightsholders.get_client(session, client_id).name
    decision = decide(session, actor, ids, WHITELISTED, selection=f"whitelist {domain} for {who}", today=today)
    if rule is None:
        session.add(DomainRule(rights_holder_id=client_id, domain=domain, note=note, created_by=actor.name,
                               decision_id=decision.id))
        session.flush()
    return decision


def rule_preview(session: Session, *, domain: str, client_id: int | None, today: date) -> int:
    """How many undecided hits a whitelist rule would change, before it is applied."""
    return len(select_hits(session, HitFilter(client_id=client_id, domain=_normal_domain(domain), subdomains=True),
                           today))


def apply_rules(session: Session, actor: Actor, *, today: date, min_score: float,
                dry_run: bool = False) -> dict[str, int]:
    """The rules re-applied to the backlog of undecided hits: hits a whitelist or a cleared
    site rules out become whitelisted, hits under the minimum score no match; each as one
    decision (undoable). With dry_run, only the counts."""
    groups = session.execute(select(Hit.rights_holder_id, Hit.work_id, Hit.domain).where(Hit.status == NEW)
                             .distinct()).all()
    works = {w.id: w for w in session.scalars(select(Work).where(Work.id.in_({g.work_id for g in groups})))}
    ruled: list[int] = []
    for client_id, work_id, domain in groups:
        if ruled_out(session, works[work_id], domain):
            ruled += session.scalars(select(Hit.id).where(Hit.status == NEW, Hit.work_id == work_id,
                                                          Hit.domain == domain)).all()
    ruled_set = set(ruled)
    low = [i for i in session.scalars(select(Hit.id).where(Hit.status == NEW, Hit.score < min_score))
           if i not in ruled_set]
    if not dry_run:
        if ruled:
            decide(session, actor, ruled, WHITELISTED, selection="rules re-applied: whitelists and cleared sites",
                   today=today, expect_status=NEW)
        if low:
            decide(session, actor, low, NO_MATCH, selection=f"rules re-applied: score under {min_score:.2f}",
                   today=today, expect_status=NEW)
    return {"whitelisted": len(ruled), "no_match": len(low)}


# --- draft cases -------------------------------------------------------------------------

# Country guessed from the site's top-level domain until address lookup exists.
_GENERIC = {"com", "net", "org", "info", "biz", "io", "co", "app", "blog", "shop", "online", "site", "xyz"}


def country_guess(domain: str) -> str:
    tld = domain.rsplit(".", 1)[-1].upper()
    if tld == "UK":
        return "GB"
    return tld if len(tld) == 2 and tld.lower() not in _GENERIC else "ZZ"


def outlooks(session: Session, hits: Iterable[Hit], today: date) -> dict[int, dict]:
    """Each hit's first estimate, for the triage page: the site's party on file (its country and
    whether its address is known) or a country guessed from the domain; the claim if pursued
    (a commercial web use), feasible or not and why, the route and the expected value."""
    hits = list(hits)
    parties = cases.parties_for_sites(session, {h.domain for h in hits})
    out = {}
    for hit in hits:
        party = parties.get(hit.domain)
        country = party.country if party else country_guess(hit.domain)
        amount, outlook = feasibility.first_estimate(
            country, found_on=hit.sighting.found_at.date(), today=today,
            address=(party.has_postal_address or None) if party else None)
        out[hit.id] = {"feasible": outlook.feasible, "route": outlook.route_name, "country": country,
                       "country_from": (f"party on file: {party.name}" if party else "guessed from the domain"),
                       "expected": outlook.expected_value.format() if amount else "",
                       "amount": amount.total.format() if amount else "",
                       "why": "; ".join(outlook.reasons or outlook.notes)}
    return out


def draft_cases(session: Session, actor: Actor, hit_ids: list[int], today: date) -> list[str]:
    """Illegal hits -> one draft case per client and site; a site with an open case for
    that client gets the hits as new items of that case instead."""
    hits = [hit for start in range(0, len(hit_ids), 5000)
            for hit in session.scalars(select(Hit).where(Hit.id.in_(hit_ids[start:start + 5000]),
                                                         Hit.case_id.is_(None))).all()]
    groups: dict[tuple[int, str], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit.rights_holder_id, hit.domain), []).append(hit)
    refs = []
    for (client_id, domain), group in sorted(groups.items()):
        items = [cases.ItemSpec(work_id=h.work_id, page_url=h.sighting.page_url, image_url=h.sighting.image_url,
                                found_at=h.sighting.found_at) for h in group]
        case = cases.open_case_on_site(session, client_id, domain)
        if case is None:
            party = cases.party_for_site(session, domain, country_guess(domain))
            amount, outlook = feasibility.first_estimate(
                party.country, found_on=min(h.sighting.found_at for h in group).date(), today=today,
                images=len({h.work_id for h in group}), address=party.has_postal_address or None)
            claimed = amount.total if amount else Money(0, "EUR")
            case = cases.open_case(session, actor, rights_holder_id=client_id, infringer_id=party.id, items=items,
                                   claimed=claimed, today=today,
                                   expected_value=outlook.expected_value if amount else None,
                                   claim_lines=amount.lines_as_data() if amount else None)
        else:
            cases.add_items(session, actor, case, items)
        group_ids = [h.id for h in group]
        for start in range(0, len(group_ids), 5000):
            session.execute(update(Hit).where(Hit.id.in_(group_ids[start:start + 5000]))
                            .values(case_id=case.id, version=Hit.version + 1)
                            .execution_options(synchronize_session=False))
        refs.append(case.ref)
    session.flush()
    return refs


def hit_counts(session: Session, client_id: int | None = None) -> dict[str, int]:
    query = select(Hit.status, func.count()).group_by(Hit.status)
    if client_id is not None:
        query = query.where(Hit.rights_holder_id == client_id)
    return {status: n for status, n in session.execute(query)}


# --- the rules page -----------------------------------------------------------------------

WHITELISTS, CLEARANCES = "whitelists", "clearances"


def list_rules(session: Session, *, kind: str | None = None, client_id: int | None = None,
               domain: str | None = None, before: int | None = None, limit: int = 100) -> tuple[list, int | None]:
    """Whitelists (no work) and cleared sites (a work), newest first, keyset-paged by id;
    with the work's title. Returns ((rule, work title) rows, next `before`)."""
    query = select(DomainRule, Work.title).outerjoin(Work, Work.id == DomainRule.work_id)
    if kind == WHITELISTS:
        query = query.where(DomainRule.work_id.is_(None))
    elif kind == CLEARANCES:
        query = query.where(DomainRule.work_id.is_not(None))
    if client_id is not None:
        query = query.where(DomainRule.rights_holder_id == client_id)
    if domain:
        query = query.where(DomainRule.domain.contains(domain.strip().lower(), autoescape=True))
    if before is not None:
        query = query.where(DomainRule.id < before)
    rows = session.execute(query.order_by(DomainRule.id.desc()).limit(limit + 1)).all()
    return rows[:limit], (rows[limit - 1][0].id if len(rows) > limit else None)


def remove_rule(session: Session, actor: Actor, rule_id: int) -> DomainRule:
    """Remove a whitelist or a clearance: hits are made on that site again from now on
    (hits it already ruled out keep their verdict)."""
    rule = session.get(DomainRule, rule_id)
    if rule is None:
        raise NotFound(f"There is no rule {rule_id}: it was removed already, or undone.")
    audit.record(session, actor, "hits.rule_removed", "domain_rule", rule.id,
                 details={"domain": rule.domain, "client": rule.rights_holder_id, "work": rule.work_id,
                          "note": rule.note})
    session.delete(rule)
    session.flush()
    return rule
