"""The rules of the hits domain: the matching index kept in step with the works,
works imported from a folder, crawler sightings ingested, triage decisions (one or
thousands at once, with undo), domain whitelists, and draft cases from illegal hits."""
from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import urlparse

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from caseapp.cases import services as cases
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.filestore import FileStore
from caseapp.core.images import thumbnail_bytes
from caseapp.core.models import utcnow
from caseapp.core.money import Money
from caseapp.hits.models import (ILLEGAL, NEW, STATUSES, WHITELISTED, DomainRule, Hit, HitDecision,
                                 HitDecisionItem, Sighting, WorkSignature)
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


def fetch_image(url: str, timeout: float = 10.0) -> bytes:
    """Download an image (http/https only, at most 25 MB)."""
    if urlparse(url).scheme not in ("http", "https"):
        raise InvalidInput(f"cannot fetch {url}: only http and https addresses are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "caseapp-fetcher/1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_FETCH_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise InvalidInput(f"could not fetch {url}: {reason}") from None
    if len(data) > MAX_FETCH_BYTES:
        raise InvalidInput(f"{url} is larger than 25 MB; not fetched")
    return data


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


def whitelisted(session: Session, rights_holder_id: int, domain: str) -> DomainRule | None:
    """The rule (the client's or a global one) that whitelists `domain` or a parent domain."""
    parts = domain.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)] or [domain]
    return session.scalars(
        select(DomainRule).where(DomainRule.domain.in_(candidates),
                                 (DomainRule.rights_holder_id == rights_holder_id)
                                 | DomainRule.rights_holder_id.is_(None))
        .order_by(DomainRule.rights_holder_id.is_(None))).first()


def ingest(session: Session, store: FileStore, engine, actor: Actor, lines: Iterable[tuple[int, str]], *,
           base: Path, min_score: float, fetch: Callable[[str], bytes] = fetch_image) -> Iterator[dict]:
    """Ingest crawler output, one JSON line at a time; yields one result a line. Each line is
    written whole or not at all (a savepoint each); the caller commits."""
    from matching import DecodeError
    from matching.engine import query_signature

    for number, text in lines:
        if not text.strip():
            continue
        row = {"line": number}
        try:
            seen = parse_sighting(text)
            key = sighting_key(seen.image_url, seen.page_url)
            if session.scalar(select(Sighting.id).where(Sighting.key == key)) is not None:
                yield {**row, "status": "duplicate", "hits": []}
                continue
            if seen.image_path:
                path = (base / seen.image_path)
                if not path.is_file():
                    raise InvalidInput(f"image_path {seen.image_path} not found (relative to {base})")
                data = path.read_bytes()
            else:
                data = fetch(seen.image_url)
            try:
                variants = query_signature(data)
                thumb, _, _ = thumbnail_bytes(data)
            except (DecodeError, OSError, SyntaxError, ValueError) as error:
                raise InvalidInput(f"the image is not readable: {error}") from None
            domain = domain_of(seen.page_url)
            found = [m for m in engine.search(variants, TOP_K) if m.match and m.score >= min_score]
            works = {w.id: w for w in session.scalars(select(Work).where(Work.id.in_([int(m.ref_id) for m in found])))}
            with session.begin_nested():
                sighting = Sighting(key=key, image_url=seen.image_url, page_url=seen.page_url, domain=domain,
                                    found_at=seen.found_at, image_sha256=store.put(data),
                                    thumbnail_sha256=store.put(thumb))
                session.add(sighting)
                session.flush()
                created, ruled_out = [], []
                for m in found:
                    work = works.get(int(m.ref_id))
                    if work is None:   # removed since the index was saved
                        continue
                    rule = whitelisted(session, work.rights_holder_id, domain)
                    if rule is not None:
                        ruled_out.append({"work": work.id, "rule": f"whitelisted domain {rule.domain}"})
                        continue
                    hit = Hit(sighting_id=sighting.id, work_id=work.id, rights_holder_id=work.rights_holder_id,
                              domain=domain, score=m.score, status=NEW)
                    session.add(hit)
                    created.append(hit)
                session.flush()
            out = {**row, "status": "matched" if created else "no_match",
                   "hits": [{"hit": h.id, "work": h.work_id, "score": h.score} for h in created]}
            if ruled_out:
                out["ruled_out"] = ruled_out
            yield out
        except InvalidInput as error:
            yield {**row, "status": "error", "error": f"line {number}: {error}", "hits": []}


def summarise(rows: Iterable[dict]) -> dict:
    rows = list(rows)
    return {"read": len(rows), "matched": sum(r["status"] == "matched" for r in rows),
            "hits_created": sum(len(r.get("hits", [])) for r in rows),
            "duplicates": sum(r["status"] == "duplicate" for r in rows),
            "errors": sum(r["status"] == "error" for r in rows)}


# --- triage ------------------------------------------------------------------------------

def select_hits(session: Session, *, client_id: int | None = None, status: str | None = NEW,
                domain: str | None = None, min_score: float | None = None, max_score: float | None = None,
                found_before: datetime | None = None, work_id: int | None = None,
                sighting_id: int | None = None) -> list[int]:
    """Hit ids by the filters a handler selects with (domain, score band, age, cluster)."""
    query = select(Hit.id)
    if client_id is not None:
        query = query.where(Hit.rights_holder_id == client_id)
    if status is not None:
        query = query.where(Hit.status == status)
    if domain:
        query = query.where(Hit.domain == domain)
    if min_score is not None:
        query = query.where(Hit.score >= min_score)
    if max_score is not None:
        query = query.where(Hit.score < max_score)
    if work_id is not None:
        query = query.where(Hit.work_id == work_id)
    if sighting_id is not None:
        query = query.where(Hit.sighting_id == sighting_id)
    if found_before is not None:
        query = query.join(Sighting, Sighting.id == Hit.sighting_id).where(Sighting.found_at < found_before)
    return list(session.scalars(query.order_by(Hit.id)))


def decide(session: Session, actor: Actor, hit_ids: Iterable[int], status: str, *, selection: str,
           today: date, rule: DomainRule | None = None) -> HitDecision:
    """One decision on any number of hits, in the caller's transaction: every hit's previous
    status is kept for undo; illegal hits become draft cases."""
    if status not in STATUSES or status == NEW:
        raise InvalidInput(f"'{status}' is not a decision; choose one of legal, illegal, whitelisted, no_match.")
    ids = sorted(set(hit_ids))
    rows = session.execute(select(Hit.id, Hit.status, Hit.case_id)
                           .where(Hit.id.in_(ids), Hit.status != status)).all() if ids else []
    decision = HitDecision(status=status, selection=selection[:300], count=len(rows), user_id=actor.user_id,
                           user_name=actor.name, made_at=utcnow(), rule_id=rule.id if rule else None)
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
    drafted = draft_cases(session, actor, [r.id for r in rows], today) if status == ILLEGAL and rows else []
    audit.record(session, actor, "hits.decided", "hit_decision", decision.id, to_state=status,
                 details={"selection": selection, "count": len(rows), "cases": drafted})
    session.expire_all()
    return decision


def undo(session: Session, actor: Actor, decision_id: int) -> HitDecision:
    """Put the hits of a decision back as they were, unless a later decision changed them."""
    decision = session.get(HitDecision, decision_id)
    if decision is None:
        raise NotFound(f"No triage decision {decision_id}.")
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
    if decision.rule_id is not None:
        rule = session.get(DomainRule, decision.rule_id)
        if rule is not None:
            session.delete(rule)
    audit.record(session, actor, "hits.undone", "hit_decision", decision.id, from_state=decision.status,
                 details={"selection": decision.selection, "count": len(items)})
    session.flush()
    session.expire_all()
    return decision


def whitelist_domain(session: Session, actor: Actor, *, domain: str, client_id: int | None, today: date,
                     note: str | None = None) -> HitDecision:
    """Whitelist a domain (for one client, or for all) and the undecided hits on it."""
    domain = domain_of(domain if "//" in domain else f"http://{domain}")
    if not domain or "." not in domain:
        raise InvalidInput("Give a domain such as shop.example.com.")
    rule = session.scalars(select(DomainRule).where(DomainRule.domain == domain,
                                                    DomainRule.rights_holder_id.is_(client_id)
                                                    if client_id is None else
                                                    DomainRule.rights_holder_id == client_id)).first()
    if rule is None:
        rule = DomainRule(rights_holder_id=client_id, domain=domain, note=note, created_by=actor.name)
        session.add(rule)
        session.flush()
    ids = select_hits(session, client_id=client_id, domain=domain)
    who = "all clients" if client_id is None else f"client {client_id}"
    return decide(session, actor, ids, WHITELISTED, selection=f"whitelist {domain} for {who}", today=today,
                  rule=rule)


def rule_preview(session: Session, *, domain: str, client_id: int | None) -> int:
    """How many undecided hits a whitelist rule would change, before it is applied."""
    return len(select_hits(session, client_id=client_id, domain=domain_of(f"http://{domain}")))


# --- draft cases -------------------------------------------------------------------------

# Country guessed from the site's top-level domain until address lookup exists.
_GENERIC = {"com", "net", "org", "info", "biz", "io", "co", "app", "blog", "shop", "online", "site", "xyz"}


def country_guess(domain: str) -> str:
    tld = domain.rsplit(".", 1)[-1].upper()
    if tld == "UK":
        return "GB"
    return tld if len(tld) == 2 and tld.lower() not in _GENERIC else "ZZ"


def draft_cases(session: Session, actor: Actor, hit_ids: list[int], today: date) -> list[str]:
    """Illegal hits -> one draft case per client and site; a site with an open case for
    that client gets the hits as new items of that case instead."""
    hits = session.scalars(select(Hit).where(Hit.id.in_(hit_ids), Hit.case_id.is_(None))).all()
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
            case = cases.open_case(session, actor, rights_holder_id=client_id, infringer_id=party.id, items=items,
                                   claimed=Money(0, "EUR"), today=today)
        else:
            cases.add_items(session, actor, case, items)
        session.execute(update(Hit).where(Hit.id.in_([h.id for h in group]))
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
