"""Crawler sightings in: one JSON line at a time, described (in worker processes when ingest
runs in parallel), searched against the works, written with their hits; rules applied."""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from caseapp.cases import services as cases
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.filestore import FileStore
from caseapp.core.http import fetch
from caseapp.core.images import thumbnail_bytes
from caseapp.hits.models import NEW, Hit, Sighting
from caseapp.hits.rules import ruled_out
from caseapp.hits.sites import site_of
from caseapp.clients.works_index import matching_works

MAX_FETCH_BYTES = 25 * 1024 * 1024
# What a line's data can raise (beyond InvalidInput): reported as that line's error, never the
# run's. Errors of the system (the disk, the database connection) still stop the run.
LINE_ERRORS = (ValueError, TypeError, OverflowError, RecursionError, UnicodeError)
TOP_K = 5


def sighting_key(image_url: str, page_url: str) -> str:
    return hashlib.sha256(f"{image_url}\n{page_url}".encode()).hexdigest()


def fetch_image(url: str, timeout: float = 10.0, *, private_ok: bool = False) -> bytes:
    """Download an image (http/https only, at most 25 MB)."""
    return fetch(url, MAX_FETCH_BYTES, timeout, private_ok=private_ok)[0]


@dataclass
class Sighted:
    image_url: str
    page_url: str
    found_at: datetime
    image_path: str | None


# A sighting's found_at lies between the web's beginnings and tomorrow (a crawler's clock may
# run a little ahead): anything else is a mistake, and a year like 9999 would overflow later.
EARLIEST_FOUND = datetime(1990, 1, 1, tzinfo=timezone.utc)
MAX_HOST = 253          # a DNS name's longest form (the site column)
MAX_URL = 8192


def parse_sighting(text: str) -> Sighted:
    """One JSON Lines record -> a sighting, or InvalidInput saying what is wrong. Any line,
    however hostile (nested 100,000 deep, huge numbers, year 9999, a broken address), is
    InvalidInput here, never another exception: one line's failure is that line's."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"not valid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise InvalidInput("JSON nested too deeply; send one flat object a line") from None
    except ValueError as error:   # e.g. an integer of more than 4,300 digits
        raise InvalidInput(f"a number in the line cannot be read ({error})") from None
    if not isinstance(record, dict):
        raise InvalidInput("expected a JSON object with image_url, page_url and found_at")
    missing = [k for k in ("image_url", "page_url", "found_at") if not record.get(k)]
    if missing:
        raise InvalidInput(f"missing {', '.join(missing)}")
    for key in ("image_url", "page_url"):
        _check_url(key, record[key])
    found = _found_at(record["found_at"])
    path = record.get("image_path")
    if path is not None and (not isinstance(path, str) or not path or not path.isprintable()):
        raise InvalidInput(f"image_path must be a file path (printable text), not {path!r}")
    return Sighted(record["image_url"], record["page_url"], found, path)


def _check_url(key: str, value) -> None:
    accepted = f"{key} must be an http(s) address such as https://shop.example.com/a.jpg"
    if not isinstance(value, str):
        raise InvalidInput(f"{accepted}, not {value!r}")
    if len(value) > MAX_URL or not value.isprintable() or " " in value:
        raise InvalidInput(f"{accepted} (at most {MAX_URL:,} characters, no spaces or control characters)")
    try:
        value.encode("utf-8")
        parsed = urlparse(value)
        host, port = parsed.hostname, parsed.port   # .port refuses a port that is not ASCII digits 0-65535
    except (ValueError, UnicodeError) as error:
        raise InvalidInput(f"{accepted}, not {value[:200]!r} ({error})") from None
    if parsed.scheme not in ("http", "https") or not host:
        raise InvalidInput(f"{accepted}, not {value[:200]!r}")
    if len(host) > MAX_HOST:
        raise InvalidInput(f"{key}'s host name is longer than {MAX_HOST} characters")
    del port


def _found_at(value) -> datetime:
    accepted = "found_at must be a date and time like 2026-11-21T10:15:00Z"
    if not isinstance(value, str) or not value.isascii():
        raise InvalidInput(f"{accepted}, not {value!r}")
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{accepted}, not {value[:100]!r}") from None
    if found.tzinfo is None:
        found = found.replace(tzinfo=timezone.utc)
    latest = datetime.now(timezone.utc) + timedelta(days=1)
    try:
        found = found.astimezone(timezone.utc)
    except OverflowError:
        found = None
    if found is None or not EARLIEST_FOUND <= found <= latest:
        raise InvalidInput(f"found_at must be between {EARLIEST_FOUND:%Y-%m-%d} and tomorrow "
                           f"(when the crawler saw the image), not {value!r}")
    return found


@dataclass
class Described:
    """The heavy half of ingesting a sighting, done without the database (in a worker
    process when ingest runs in parallel): the image's bytes, thumbnail and description,
    and, when the worker searched the works index too, what it found (`found`, the engine's
    matches; `variants` is then dropped: the searching process needs it no more)."""

    data: bytes
    thumbnail: bytes
    variants: object
    found: list | None = None


def describe_image(job: tuple[str | None, str, bool]) -> Described | str:
    """(file path or None, image URL, may fetch from private addresses) -> the image
    described, or what is wrong with it."""
    from matching.engine import query_signature

    path, url, private_ok = job
    try:
        data = Path(path).read_bytes() if path else fetch_image(url, private_ok=private_ok)
    except (InvalidInput, OSError, ValueError) as error:   # ValueError: e.g. a NUL in the path
        return str(error)
    try:   # the engine's decoder first: it refuses decompression bombs before Pillow reads them
        variants = query_signature(data)
        return Described(data, thumbnail_bytes(data)[0], variants)
    except Exception as error:  # noqa: BLE001  (any undecodable file is this line's error, not the run's)
        return f"the image is not readable: {error}"


def described_and_searched(function, index: tuple[str, int], job) -> Described | str:
    """`function(job)` (describe_image), then the image searched in the works index at
    `index` (its folder and shards), in the worker: the searching process only writes."""
    from caseapp.clients.works_index import engine_at

    result = function(job)
    if isinstance(result, Described):
        path, shards = index
        try:   # engine_at reloads the index when another process saved a newer checkpoint
            result.found = engine_at(path, shards).search(result.variants, TOP_K)
        except LINE_ERRORS as error:   # as the searching process would report it: this line's error
            return f"the image could not be searched ({type(error).__name__}: {error})"
        result.variants = None
    return result


def _serial_map(function, jobs):
    return map(function, jobs)


@contextlib.contextmanager
def image_describers(workers: int, index: tuple[str, int]):
    """A map function for `ingest` that describes images in `workers` processes beside this
    one and searches them in the works index at `index` (its folder and shards): each worker
    loads its own copy of the index (its memory, once per worker), and the calling process
    only writes (0 workers: all in this process). Forkserver processes inherit no database
    connection."""
    if workers <= 0:
        yield _serial_map
        return
    import functools
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # an executor, not a Pool: a worker that dies (the out-of-memory killer) breaks the run
    # with BrokenProcessPool instead of leaving it waiting for that worker's lines forever
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        pool.submit(describe_image, (None, "x:", False)).result()   # imports done before work starts
        yield lambda function, jobs: pool.map(functools.partial(described_and_searched, function, index), jobs)


def ingest(session: Session, store: FileStore, engine, actor: Actor, lines: Iterable[tuple[int, str]], *,
           base: Path | None, min_score: float, pool_map=_serial_map, batch: int = 32,
           private_ok: bool = False) -> Iterator[dict]:
    """Ingest crawler output, one JSON line at a time; yields one result a line, in order.
    Each line is written whole or not at all (a savepoint each); the caller commits.
    `image_path` is read relative to `base`; without a base (the REST endpoint) images are
    fetched from image_url (never from private, loopback or link-local addresses unless
    `private_ok`). Images are described with `pool_map` (`image_describers`), `batch`
    lines at a time, and searched there too when its workers search (`found`), else here;
    writing stays in this process."""
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
                known = session.scalar(select(Sighting).where(Sighting.key == key))
                if known is not None:
                    seen_again(session, known, seen.found_at)
                    checked.append(({**row, "status": "duplicate", "hits": []}, None, None))
                    continue
                if seen.image_path and base is None:
                    raise InvalidInput("image_path is only read from files given to `caseapp hits ingest`; "
                                       "here, leave it out and the image is fetched from image_url")
                if seen.image_path and not _inside(base, seen.image_path):
                    raise InvalidInput(f"image_path {seen.image_path} leads outside the folder of its file "
                                       f"({base}); give a path inside it")
                if seen.image_path and not (base / seen.image_path).is_file():
                    raise InvalidInput(f"image_path {seen.image_path} not found (relative to {base})")
                checked.append((row, seen, key))
            except InvalidInput as error:
                checked.append(({**row, "status": "error", "error": f"line {number}: {error}", "hits": []},
                                None, None))
            except LINE_ERRORS as error:   # a belt to parse_sighting's braces: still this line's error
                checked.append(({**row, "status": "error", "hits": [],
                                 "error": f"line {number}: cannot be read ({type(error).__name__}: {error})"},
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
            twice = session.scalar(select(Sighting).where(Sighting.key == key))
            if twice is not None:   # twice in a batch: seen again, as in a later batch
                seen_again(session, twice, seen.found_at)
                yield {**row, "status": "duplicate", "hits": []}
                continue
            try:
                yield _record(session, store, engine, row, seen, key, result, min_score)
            except (*LINE_ERRORS, DataError, IntegrityError) as error:   # the savepoint is rolled back
                yield {**row, "status": "error", "hits": [],
                       "error": f"line {row['line']}: not written ({type(error).__name__}: {error})"}


def _inside(base: Path, relative: str) -> bool:
    """Whether `relative` (a crawler's image_path) stays inside `base`, links resolved: a line
    cannot make the command read a file elsewhere on the server."""
    try:
        return (base / relative).resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def seen_again(session: Session, sighting: Sighting, at: datetime) -> None:
    """The crawler saw a known image on its page again: the use goes on, up to `at` (its
    case's items too, so the claim counts the days since)."""
    if sighting.last_seen_at is not None and at <= sighting.last_seen_at:
        return
    sighting.last_seen_at = at
    case_ids = list(session.scalars(select(Hit.case_id).where(Hit.sighting_id == sighting.id,
                                                              Hit.case_id.is_not(None))))
    if case_ids:
        cases.item_seen_again(session, case_ids, page_url=sighting.page_url, image_url=sighting.image_url, at=at)


def _record(session: Session, store: FileStore, engine, row: dict, seen: Sighted, key: str, image: Described,
            min_score: float) -> dict:
    """Search the described image and write the sighting and its hits (a savepoint)."""
    site = site_of(seen.page_url)
    found = matching_works(session, engine, image.variants, top_k=TOP_K, min_score=min_score, found=image.found)
    with session.begin_nested():
        sighting = Sighting(key=key, image_url=seen.image_url, page_url=seen.page_url, site=site,
                            found_at=seen.found_at, last_seen_at=seen.found_at, image_sha256=store.put(image.data),
                            thumbnail_sha256=store.put(image.thumbnail))
        session.add(sighting)
        session.flush()
        created, skipped = [], []
        for m in found:
            reason = ruled_out(session, m.client_id, m.work_id, site)
            if reason is not None:
                skipped.append(reason.as_data())
                continue
            hit = Hit(sighting_id=sighting.id, work_id=m.work_id, client_id=m.client_id,
                      site=site, score=m.score, status=NEW, transform=m.transform)
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
