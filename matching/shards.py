"""Shards: N engines, each holding the references whose id falls to it, searched together.

    engine = ShardedEngine.open("instance/matching", shards=4)   # shard-0 ... shard-3 inside
    engine.add("17", "photo.jpg")                                 # goes to shard 17 mod 4 = 1
    engine.search("sighting.jpg", k=5)                            # every shard, merged by score

The same interface as `Engine` (add, add_many, remove, ref_ids, unhashed, search, save, checkpoint,
reload_if_changed, watch, close, len), so callers do not know whether they hold one index or
several. One shard (`open(path, shards=1)`) is no sharding at all: `open` then returns a plain
`Engine` on `path` itself, the files laid out as they always were.

A reference goes to shard `int(ref_id) mod N` when its id is a whole number (caseapp's work
ids), else to `crc32(ref_id) mod N` (file names in the command line and the tests): stable
across processes and machines, so a writer and a reader agree which shard holds what.

Each shard is an `Engine` on its own folder (`shard-<i>` under the path; `shards.json` there
records N, so a folder opened with another count is refused rather than searched half-blind).
A query goes to every shard; each verifies its own shortlist and returns its top k; the merge
keeps the best k by score (ties: the shard order, then the shard's own order, so the answer
is deterministic). Scores are comparable across shards: every shard scores a pair with the
same code, the same settings and the same shipped vocabulary. What sharding can change, and
when: the idf weights and the shortlist are per shard, and a correspondence is kept when it
is clearly nearer one shortlisted reference than any other *shortlisted in the same shard*;
so two near-identical references that land in different shards no longer hide each other's
correspondences (see docs/matching.md, "Shards")."""
from __future__ import annotations

import contextlib
import json
import threading
import zlib

import numpy as np
from pathlib import Path
from typing import Iterable

from .decode import DecodeError, Source
from .engine import THRESHOLD, Engine, Match, Query, signature, staged_search, warm_index
from .features import Features
from .index import Index, saved_files, word_weights

SHARDS_FILE = "shards.json"


def shard_of(ref_id: str, shards: int) -> int:
    """The shard that holds `ref_id`: its number mod `shards` when it is a whole number,
    else the CRC-32 of its UTF-8 bytes mod `shards`."""
    text = str(ref_id)
    if text.isascii() and text.isdecimal():
        return int(text) % shards
    return zlib.crc32(text.encode("utf-8")) % shards


def shard_folder(path: str | Path, shard: int) -> Path:
    return Path(path) / f"shard-{shard}"


def check_layout(path: str | Path, shards: int) -> None:
    """ValueError when the folder at `path` holds another layout than `shards` says (1: a single
    index, meta.json at its top; 2 or more: that many shards, shards.json saying so)."""
    path = Path(path)
    recorded = path / SHARDS_FILE
    have = json.loads(recorded.read_text()).get("shards") if recorded.exists() else None
    if shards == 1:
        if have is not None:
            raise ValueError(f"{path} holds {have} shards, not a single index; set the shard count to {have}")
        return
    if (path / "meta.json").exists():
        raise ValueError(f"{path} holds a single index, not {shards} shards; rebuild it as shards")
    if have is not None and have != shards:
        raise ValueError(f"{path} holds {have} shards, not {shards}; rebuild the index with {shards}")


def warm_saved(path: str | Path, shards: int = 1, progress=None) -> dict:
    """Read the files of the index saved at `path` (in `shards` shards) into the page cache, as
    Engine.warm does, from their meta.json alone: a process that only warms never loads the
    postings (1.5 GB at a million references). Nothing saved there: nothing read. ValueError
    when the folder holds another layout (check_layout)."""
    check_layout(path, shards)
    folders = [Path(path)] if shards == 1 else [shard_folder(path, i) for i in range(shards)]
    return warm_index(lambda: [f for folder in folders for f in saved_files(folder)], progress)


def open_index(path: str | Path, shards: int = 1, code_bytes: int | None = None):
    """An `Engine` on `path` (shards=1: the single index, unchanged) or a `ShardedEngine`.
    `code_bytes`: what a new index (or shard) keeps of each descriptor; a saved one keeps its own."""
    if shards < 1:
        raise ValueError(f"the shard count must be 1 or more, not {shards}")
    return Engine.open(path, _new_only(path, code_bytes)) if shards == 1 else ShardedEngine.open(path, shards, code_bytes)


def _new_only(path: str | Path, code_bytes: int | None) -> int | None:
    """`code_bytes` for an index not saved yet at `path`; None (its own) for a saved one."""
    return None if (Path(path) / "meta.json").exists() else code_bytes


class ShardedEngine:
    """N `Engine`s, one folder each; a reference lives in exactly one of them."""

    def __init__(self, path: str | Path, engines: list[Engine]) -> None:
        self.path = Path(path)
        self.engines = engines
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()

    @classmethod
    def open(cls, path: str | Path, shards: int, code_bytes: int | None = None) -> "ShardedEngine":
        """The shards saved under `path`, or new empty ones there (keeping `code_bytes` of each
        descriptor; a saved shard keeps its own, and a shard not saved yet beside saved ones
        keeps theirs: shards are saved one by one). Refused (ValueError) when the folder holds
        another number of shards, or a single index (meta.json at its top), or shards keeping
        different lengths: re-shard by rebuilding (caseapp: `caseapp works reindex`;
        docs/operations.md)."""
        if shards < 2:
            raise ValueError("a sharded index has 2 shards or more (1 is the plain Engine)")
        path = Path(path)
        check_layout(path, shards)
        folders = [shard_folder(path, i) for i in range(shards)]
        saved = {i: Engine.open(f) for i, f in enumerate(folders) if (f / "meta.json").exists()}
        kept = sorted({engine.code_bytes for engine in saved.values()})
        if len(kept) > 1:   # their shortlists are verified together, as one index's
            raise ValueError(f"the shards under {path} keep different lengths of descriptor ({kept} bytes); "
                             "rebuild them alike")
        length = kept[0] if kept else code_bytes
        return cls(path, [saved.get(i) or Engine.open(f, length) for i, f in enumerate(folders)])

    @property
    def shards(self) -> int:
        return len(self.engines)

    def shard_of(self, ref_id: str) -> int:
        return shard_of(ref_id, len(self.engines))

    def engine_for(self, ref_id: str) -> Engine:
        return self.engines[self.shard_of(ref_id)]

    def __len__(self) -> int:
        return sum(len(e) for e in self.engines)

    @property
    def checkpoint(self) -> tuple[int, ...]:
        """Each shard's checkpoint (they advance on their own)."""
        return tuple(e.checkpoint for e in self.engines)

    @property
    def code_bytes(self) -> int:
        """Bytes of each descriptor the shards' records keep (alike in all: open refuses a mix)."""
        return self.engines[0].code_bytes

    def add(self, ref_id: str, image: Source | Features) -> None:
        features = image if isinstance(image, Features) else signature(image)
        self.engine_for(str(ref_id)).add(str(ref_id), features)

    def add_many(self, items: Iterable[tuple[str, Source | Features]]) -> list[tuple[str, str]]:
        """Add many references, each to its shard; (ref_id, error) for those unreadable."""
        errors: list[tuple[str, str]] = []
        batches: list[list[tuple[str, Features]]] = [[] for _ in self.engines]
        for ref_id, image in items:
            try:
                features = image if isinstance(image, Features) else signature(image)
            except DecodeError as error:
                errors.append((str(ref_id), str(error)))
                continue
            batches[self.shard_of(str(ref_id))].append((str(ref_id), features))
        for engine, batch in zip(self.engines, batches):
            if batch:
                errors += engine.add_many(batch)
        return errors

    def ref_ids(self) -> set[str]:
        return set().union(*(e.ref_ids() for e in self.engines))

    def remove(self, ref_id: str) -> bool:
        return self.engine_for(str(ref_id)).remove(str(ref_id))

    def unhashed(self) -> set[str]:
        return set().union(*(e.unhashed() for e in self.engines))

    def search(self, image: Source | Query | list[Features], k: int = 5) -> list[Match]:
        """The k most alike references over all the shards, best first: the answer one index
        holding every reference gives (see _search), stage by stage as Engine.search."""
        def run(variants, k, transforms, planes):
            with _all_locked(self.engines):
                return _search([e._index for e in self.engines], variants, k, transforms, planes)

        def near(query_hash):   # every shard's near-exact copies, nearest first (ties: by id)
            with _all_locked(self.engines):
                found = [hit for e in self.engines for hit in e._index.near_copies(query_hash)]
            return sorted(found, key=lambda hit: (hit[1], _id_order(hit[0])))
        return staged_search(image, k, run, near)

    def make_searchable(self) -> None:
        """Engine.make_searchable for every shard, with the word weights of all the shards
        together (as a search gives them: _global_weights)."""
        with _all_locked(self.engines):
            _global_weights([e._index for e in self.engines])

    def save(self) -> None:
        """Save every shard (each writes its own checkpoint), then record the shard count."""
        self.path.mkdir(parents=True, exist_ok=True)
        for engine in self.engines:
            engine.save()
        recorded = self.path / SHARDS_FILE
        if not recorded.exists():
            tmp = self.path / (SHARDS_FILE + ".tmp")
            tmp.write_text(json.dumps({"shards": len(self.engines)}))
            tmp.replace(recorded)

    def removed_share(self) -> dict:
        """Engine.removed_share over all the shards."""
        return _summed([e.removed_share() for e in self.engines])

    def compact(self, progress=None) -> dict:
        """Compact every shard (Engine.compact), one after the other: what they freed, summed."""
        return _summed([e.compact(progress) for e in self.engines])

    def warm_files(self) -> list[tuple[Path, int]]:
        """Every shard's files a search reads (Engine.warm_files)."""
        return [f for e in self.engines for f in e.warm_files()]

    def warm(self, progress=None) -> dict:
        """Every shard's files read into the page cache, within one budget (Engine.warm)."""
        return warm_index(self.warm_files, progress)

    def reload_if_changed(self) -> bool:
        """Swap in every shard another process saved since (each on its own checkpoint)."""
        return any([e.reload_if_changed() for e in self.engines])

    def watch(self, interval: float = 5.0) -> None:
        for engine in self.engines:
            engine.watch(interval)

    def close(self) -> None:
        for engine in self.engines:
            engine.close()


def _summed(parts: list[dict]) -> dict:
    """Per-shard figures added up (a flag: any shard; the share: of all the records)."""
    out = {key: (any(p[key] for p in parts) if isinstance(parts[0][key], bool) else sum(p[key] for p in parts))
           for key in parts[0]}
    out["share"] = round(out["removed_records"] / out["records"], 4) if out["records"] else 0.0
    return out


@contextlib.contextmanager
def _all_locked(engines: list[Engine]):
    with contextlib.ExitStack() as stack:
        for engine in engines:
            stack.enter_context(engine._lock)
        yield


def _global_weights(indexes: list[Index]) -> None:
    """Give every shard the word weights (idf) and stop words one index of all their references
    would have: document frequencies and the live count summed over the shards, then the
    formula of Index.make_searchable (index.word_weights). So a reference gets the votes it would get in one index."""
    for index in indexes:
        index.make_searchable()
    df = sum(index.main.lengths() + index.delta.lengths() for index in indexes)
    idf = word_weights(df, sum(int(index.alive.sum()) for index in indexes), indexes[0].p)
    for index in indexes:
        index._idf, index._lengths = idf, df


def _id_order(ref_id: str) -> tuple:
    return (0, int(ref_id), "") if ref_id.isascii() and ref_id.isdecimal() else (1, 0, ref_id)


def _search(indexes: list[Index], variants: list[Features], k: int, transforms: dict,
            planes: dict | None = None) -> list[tuple[str, float]]:
    """Search the shards as one index: each shard votes with the global word weights; the
    shortlist is the best-voted references over all the shards (as one index would pick
    them); then the shortlist is verified together, in one small index of its references in
    the shortlist's order, by Index.search itself. Verification is not per pair (a
    correspondence counts when clearly nearer one shortlisted reference than every other
    shortlisted one), which is why the shortlist is verified together and not shard by
    shard: the scores are then exactly one index's. Costs over one index: each shard's
    candidate search, and the shortlist's records copied into the small index (20
    references' records, ~30 KB each)."""
    live = [index for index in indexes if len(index)]
    if not live:
        return []
    _global_weights(indexes)
    first = live[0]
    words = Index._split(first.quantize(np.concatenate([f.desc for f in variants])), variants)
    # (best votes, shard, rank in the shard's list, its entries) for each shortlisted reference
    ranked = []
    for shard, index in enumerate(indexes):
        if not len(index):
            continue
        entries: dict[int, list[tuple[float, int, int]]] = {}
        for entry in index.candidates(variants, words):
            entries.setdefault(entry[2], []).append(entry)
        for rank, (slot, mine) in enumerate(entries.items()):
            ranked.append((max(votes for votes, _, _ in mine), shard, rank, slot, mine))
    # equal votes: by reference id (one index orders them by when they were added: the same
    # order when references are added in id order, as caseapp's sync adds works)
    ranked.sort(key=lambda t: (-t[0], _id_order(indexes[t[1]].names[t[3]])))
    ranked = ranked[:first.p["shortlist"]]
    if not ranked:
        return []
    # the shortlist's records as the shards keep them (shards are built alike: one code length)
    view = Index(first.p, first.vocabulary, first.code_bytes)
    view._quantizer, view._top = first._quantizer, first._top
    shortlist, records = [], []
    for new_slot, (_, shard, _, slot, mine) in enumerate(ranked):
        index = indexes[shard]
        records.append(np.asarray(index._records(slot)))
        view.names.append(index.names[slot])
        view.slot_of[index.names[slot]] = new_slot
        shortlist += [(votes, variant, new_slot) for votes, variant, _ in mine]
    view.sizes = np.array([indexes[shard].sizes[slot] for _, shard, _, slot, _ in ranked], np.int32).reshape(-1, 2)
    view.count = np.array([len(r) for r in records], np.int32)
    view.start = np.concatenate([[0], np.cumsum(view.count, dtype=np.int64)[:-1]]).astype(np.int64)
    view.alive = np.ones(len(ranked), bool)
    view._new, view._new_records = [np.concatenate(records)], int(view.count.sum())
    view.candidates = lambda _variants, _words=None: shortlist   # the shortlist chosen above
    return view.search(variants, k, transforms, planes)


__all__ = ["THRESHOLD", "ShardedEngine", "open_index", "shard_of", "shard_folder"]
