"""The works' matching index: the engine kept in step with the clients' works (a work's
signature stored once, so the index is rebuilt without decoding images again), and the
search other domains ask for ("which works does this image copy?")."""
from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.filestore import FileStore
from caseapp.core.paths import read_bytes, why_unreadable
from caseapp.clients import ownership, services
from caseapp.clients.models import Work, WorkSignature

_log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}


_ENGINES: dict[tuple[str, int], object] = {}   # by (folder, shard count): another count is refused on open


def store_and_engine(config) -> tuple[FileStore, object]:
    """The app's file store and works index, from its configuration."""
    return FileStore(config["CASEAPP_FILESTORE_PATH"]), engine_at(*index_location(config),
                                                                  code_bytes=config.get("CASEAPP_MATCHING_CODE_BYTES"))


def index_location(config) -> tuple[str, int]:
    """Where the works index lives: its folder and number of shards (for `engine_at`, in this
    process or another)."""
    return config["CASEAPP_MATCHING_PATH"], config.get("CASEAPP_MATCHING_SHARDS", 1)


def warm_index(config, progress=None) -> dict:
    """Read the works index's files into the page cache, after a boot (matching.shards.warm_saved:
    from its meta.json, so this process does not load the index): what it read, of how much,
    whether it all fits in the memory available, in how long."""
    from matching.shards import warm_saved

    return warm_saved(*index_location(config), progress)


def engine_at(path: str, shards: int = 1, code_bytes: int | None = None):
    """The matching engine whose index lives in `path` (split in `shards` shards,
    CASEAPP_MATCHING_SHARDS; 1: one index, matching.Engine), shared by the process and
    reloaded when another process saved a newer index (each shard on its own checkpoint).
    `code_bytes`: what an index made new here keeps of each descriptor
    (CASEAPP_MATCHING_CODE_BYTES); a saved one keeps its own."""
    from matching.shards import open_index

    engine = _ENGINES.get((path, shards))
    if engine is None:
        engine = _ENGINES[(path, shards)] = open_index(path, shards, code_bytes)
    else:
        try:
            engine.reload_if_changed()
        except (OSError, ValueError) as error:   # a checkpoint replaced while it was read
            _log.warning("the works index in %s could not be reloaded (%s); searching the one loaded before, "
                         "and trying again on the next call", path, error)
    return engine


def ensure_saved(engine) -> bool:
    """Save the index (empty if need be) when it has no saved checkpoint yet, in any shard, so
    a new installation's /health and readers find one; True if it saved."""
    checkpoints = engine.checkpoint if isinstance(engine.checkpoint, tuple) else (engine.checkpoint,)
    if all(checkpoints):
        return False
    engine.save()
    return True


def index_work(session: Session, store: FileStore, engine, work: Work, *,
               conflict_min_score: float | None = None) -> None:
    """Compute (or reuse) the work's signature and put it in the engine's index; then look
    for the same image in other clients' portfolios (a conflict disputes both works)."""
    from matching import signature, signature_bytes, signature_from_bytes

    stored = session.get(WorkSignature, work.id)
    if stored is None:
        features = signature(store.path_for(work.file_sha256))
        session.add(WorkSignature(work_id=work.id, data=signature_bytes(features)))
    else:
        features = signature_from_bytes(stored.data)
    # Searched before the work joins the index: the engine keeps a correspondence only when it
    # is clearly nearer one reference than any other, so the work itself would hide its twin.
    ownership.find_conflicts(session, engine, work, features,
                             min_score=conflict_min_score or ownership.CONFLICT_MIN_SCORE)
    engine.add(str(work.id), features)


def sync_index(session: Session, store: FileStore, engine) -> dict:
    """Every work in the index, nothing else: signatures computed where missing."""
    added, removed, works = _in_step(session, store, engine)
    if added or removed:
        save_index(engine, lambda: _in_step(session, store, engine))
    return {"added": added, "removed": removed, "works": works}


# Works described again per transaction by describe_unhashed (the write lock is held only while
# their signatures are replaced), and between two saves of the index (save_hashed: a save writes
# all the postings, at 100,000 works 0.15 GB; what is added waits in memory, about 31 KB a work).
UNHASHED_CHUNK = 200
UNHASHED_SAVE = 5000


def unhashed_works(engine) -> list[int]:
    """The works in the index without a perceptual hash (their signatures were computed
    before the engine's hash tier, which finds near-exact copies before any description; or
    their pictures have none: flat, or mostly canvas), in id order."""
    return sorted(int(ref) for ref in engine.unhashed() if ref.isascii() and ref.isdecimal())


def describe_unhashed(session: Session, store: FileStore, engine, work_ids: list[int]) -> list[tuple[str, object]]:
    """Give these works (a chunk of unhashed_works) a perceptual hash and index them again, in
    memory (save_hashed saves): a stored signature that has one is used as it is (a run
    stopped before its save); one made with the hash tier whose picture has none is left as
    it is; the others are described again from their images, and their stored signatures
    replaced, the writes last (other writers wait only for them). A work whose image cannot
    be read now is left as it is and named in the log. Returns the (id, signature) of the
    works that got a hash."""
    from matching import DecodeError, hashed_signature, signature, signature_bytes, signature_from_bytes

    stored = {row.work_id: row for row in session.scalars(
        select(WorkSignature).where(WorkSignature.work_id.in_(work_ids)))}
    ready, described = [], []
    for work in session.scalars(select(Work).where(Work.id.in_(work_ids)).order_by(Work.id)):
        if work.id in stored:
            try:
                kept, done = signature_from_bytes(stored[work.id].data), hashed_signature(stored[work.id].data)
            except (ValueError, OSError, KeyError, EOFError, zipfile.BadZipFile) as error:   # described again
                _log.warning("work %s: its stored signature cannot be read (%s); described again", work.id, error)
                kept, done = None, False
            if kept is not None and kept.hash is not None:
                ready.append((str(work.id), kept))
                continue
            if done:          # its picture has no hash: describing it again gives none either
                continue
        try:
            features = signature(store.path_for(work.file_sha256))
        except DecodeError as error:
            _log.warning("work %s was not described again: %s", work.id, error)
            continue
        if work.id in stored:
            stored[work.id].data = signature_bytes(features)
        else:
            session.add(WorkSignature(work_id=work.id, data=signature_bytes(features)))
        if features.hash is not None:
            described.append((str(work.id), features))
    session.flush()
    engine.add_many(ready + described)
    return ready + described


def save_hashed(engine, items: list[tuple[str, object]]) -> None:
    """Save the index after describe_unhashed gave it `items` (all since its last save). When
    another process saved it meanwhile, that save is taken and the items are added again,
    those of works it still holds (a work it deleted stays deleted); nothing is described
    again."""
    def again() -> int:
        indexed = engine.ref_ids()
        engine.add_many([(ref, features) for ref, features in items if ref in indexed])
        return len(items)

    save_index(engine, again)


def _in_step(session: Session, store: FileStore, engine) -> tuple[int, int, int]:
    """Add the works the index lacks and drop those it names and the database does not, in
    memory: (added, removed, works)."""
    ids = set(session.scalars(select(Work.id)))
    indexed = {int(r) for r in engine.ref_ids()}
    added = 0
    for work in session.scalars(select(Work).where(Work.id.in_(ids - indexed))):
        index_work(session, store, engine, work)
        added += 1
    removed = sum(engine.remove(str(r)) for r in indexed - ids)
    return added, removed, len(ids)


def save_index(engine, redo) -> None:
    """Save the index. When another process saved it since this one loaded it (StaleIndex),
    take that save and make this process's change again with `redo()`, then save: neither
    process's adds and removals are lost. (Another thread's add not saved yet is dropped by
    the reload: the process syncs with the works again on its next request path.)"""
    from matching import StaleIndex

    for _ in range(3):
        try:
            engine.save()
            return
        except StaleIndex:
            engine.reload_if_changed()
            # the reload also dropped other threads' unsaved adds: the next request path syncs
            _SYNCED.discard(str(engine.path))
            redo()
    engine.save()


def unindex_works(engine, work_ids) -> int:
    """Take deleted works out of the engine's index and save it (call after the deletion is
    committed: until then a search may still name them, and matching_works leaves them out)."""
    def remove() -> int:
        return sum(engine.remove(str(work_id)) for work_id in work_ids)

    removed = remove()
    if removed:
        save_index(engine, remove)
    return removed


def compaction_due(engine, config) -> bool:
    """Whether deleted works hold CASEAPP_MATCHING_COMPACT_AT percent or more of the index's
    records (0: never due)."""
    at = config.get("CASEAPP_MATCHING_COMPACT_AT", 25)
    return bool(at) and engine.removed_share()["share"] * 100 >= at


COMPACT_JOB = "clients.compact_index"


def compact_soon(app) -> int | None:
    """After works were deleted (unindex_works): when a compaction is due, start it as a
    background job (on the broker's worker, or a thread of this process), unless one is
    waiting (queued within two leases) or running in a live worker; the job's id, or None."""
    from datetime import timedelta

    from caseapp.core import jobs
    from caseapp.core.models import utcnow
    from caseapp.extensions import get_session

    _, engine = store_and_engine(app.config)
    if not compaction_due(engine, app.config):
        return None
    session = get_session()
    fresh = utcnow() - timedelta(seconds=2 * jobs.lease_seconds())
    for job in jobs.recent(session, limit=5, kind=COMPACT_JOB):
        if (job.state == jobs.QUEUED and job.created_at >= fresh) or jobs.busy(session, job.id):
            return job.id
    return jobs.start_job(app, COMPACT_JOB, COMPACT_JOB, started_by=None)


_SYNCED: set[str] = set()


def index_in_step(session: Session, store: FileStore, engine) -> None:
    """Sync the index with the works once per process and index folder; from then on
    `import_works` indexes what it adds and `engine_at` reloads what other processes saved
    (a request path must not read every work id each time)."""
    key = str(engine.path)
    if key not in _SYNCED:
        sync_index(session, store, engine)
        _SYNCED.add(key)


IMPORTED, DUPLICATE, ERROR = "imported", "duplicate", "error"
MAX_TITLE = 300


def import_files(session: Session, store: FileStore, engine, actor: Actor, *, client_id: int,
                 files: Iterable[tuple[str, bytes | Path]], keep_near_duplicates: bool = False) -> Iterator[dict]:
    """Add each (name, bytes or path) as a work of the client: stored, thumbnailed, hashed,
    its EXIF read, described and indexed, each file whole or not at all (a savepoint; the
    store files of one that rolls back go with it, core.uow). The one import of the command
    line and the upload page. One row a file, as `caseapp works import --json` prints it:
    {"file", "work": id or None, "status": imported | duplicate | error, and "error" (why) or
    "duplicate_of" (the client's work it repeats) and "duplicate_title"}."""
    from matching import DecodeError

    services.get_client(session, client_id)
    portfolio = services.Portfolio(session, store, client_id)
    for name, source in files:
        shown = file_label(name)
        try:
            title = work_title(shown)
            data = read_bytes(source) if isinstance(source, Path) else source
            facts = services.image_facts(shown, data)
            portfolio.load()   # before the savepoint: older works' hashes filled stay when a file is refused
            with session.begin_nested():   # what it wrote to the store goes if it rolls back (core.uow)
                work = services.add_work(session, store, actor, client_id=client_id, title=title, data=data,
                                         facts=facts, portfolio=portfolio,
                                         keep_near_duplicates=keep_near_duplicates)
                index_work(session, store, engine, work)
        except services.DuplicateWork as duplicate:
            yield {"file": shown, "work": None, "status": DUPLICATE, "duplicate_of": duplicate.work_id,
                   "duplicate_title": duplicate.work_title}
            continue
        except (InvalidInput, DecodeError) as error:
            yield {"file": shown, "work": None, "status": ERROR, "error": str(error)}
            continue
        portfolio.added(work)
        yield {"file": shown, "work": work.id, "status": IMPORTED}


def summarise(rows: list[dict]) -> dict:
    """The summary an import ends with: files, and how many of each status."""
    return {"files": len(rows), "imported": sum(r["status"] == IMPORTED for r in rows),
            "duplicates": sum(r["status"] == DUPLICATE for r in rows),
            "errors": sum(r["status"] == ERROR for r in rows)}


def file_label(name: str) -> str:
    """A file's name as rows and titles show it: its last part only (a browser may send a path),
    control characters gone, at most 255 characters."""
    from caseapp.core.paths import upload_name

    return upload_name(name)


def work_title(name: str) -> str:
    """The title a file's work gets: its name without the suffix. InvalidInput for a name
    that is not an image's (by its suffix) or has nothing before it."""
    path = Path(name or "_")
    if not name:
        raise InvalidInput("the file has no name")
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise InvalidInput(f"{name} is not an image file by its name (expected "
                           f"{', '.join(sorted(s.lstrip('.') for s in IMAGE_SUFFIXES))})")
    return path.stem.strip()[:MAX_TITLE] or name[:MAX_TITLE]


def import_works(session: Session, store: FileStore, engine, actor: Actor, *, client_id: int,
                 folder: Path, keep_near_duplicates: bool = False) -> Iterator[dict]:
    """Add every image file in `folder` as a work of the client (import_files): one row a file."""
    services.get_client(session, client_id)
    yield from import_files(session, store, engine, actor, client_id=client_id,
                            files=((path.name, path) for path in import_entries(folder)),
                            keep_near_duplicates=keep_near_duplicates)


def import_entries(folder: Path) -> list[Path]:
    """The entries of a folder to import, by name (InvalidInput if it is not a readable
    folder). Sub-folders are left out, unless their name says they are an image."""
    try:
        entries = sorted(folder.iterdir())
    except NotADirectoryError:
        raise InvalidInput(f"{folder} is not a folder.") from None
    except OSError as error:
        raise InvalidInput(f"The folder {folder} {why_unreadable(error)}.") from None
    return [p for p in entries if p.suffix.lower() in IMAGE_SUFFIXES or not p.is_dir()]


@dataclass(frozen=True)
class WorkMatch:
    """A work an image copies: the work, its client, the engine's score and where the image
    lies on the work (a 3x3 homography, row by row, or None)."""

    work_id: int
    client_id: int
    score: float
    transform: list | None


def matching_works(session: Session, engine, variants, *, top_k: int, min_score: float,
                   found: list | None = None) -> list[WorkMatch]:
    """The works the described image copies (score at least `min_score`), best first;
    works removed since the index was saved are left out. `found`: the engine's matches when
    the image was searched already (by an ingest worker), else `variants` are searched."""
    if found is None:
        found = engine.search(variants, top_k)
    found = [m for m in found[:top_k] if m.match and m.score >= min_score]
    owners = dict(session.execute(select(Work.id, Work.client_id)
                                  .where(Work.id.in_([int(m.ref_id) for m in found]))).all()) if found else {}
    return [WorkMatch(int(m.ref_id), owners[int(m.ref_id)], m.score, list(m.transform) if m.transform else None)
            for m in found if int(m.ref_id) in owners]
