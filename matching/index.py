"""Reference index: an inverted file of visual words for the candidate search, and the
references' keypoints and descriptors in a file on disk for geometric verification.

Candidate search (bag of visual words, as in Sivic & Zisserman's Video Google and the
copy-detection systems after it): every reference descriptor is quantised to one of
262,144 words (`vocabulary.py`) and posted, as the reference's slot number, in that
word's list (its low 16 bits: 2 bytes, the lists cut by blocks of 65,536 slots). A query's
words vote for the references in their lists, each vote weighted by the word's rarity
(idf); words in very long lists (generic structure such as glyphs and edges, which matches
everywhere) are skipped. Memory is 2 bytes per reference descriptor: 1.5 GB for 1,000,000
references of 750 descriptors.

Verification: the shortlisted references' records are read from `features.bin` (with
pread, through the page cache) and their codes matched with the query's (nearest neighbour
within the query descriptor's nearest branches of the vocabulary tree, ratio test); RANSAC
finds the homography; the score is a function of the inliers that lie tightly on it,
discounted when a second plane explains many other matches (another photo of the same
scene) or when the inliers cover a small patch of the reference."""
from __future__ import annotations

import collections
import contextlib
import fcntl
import functools
import json
import logging
import os
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path

import cv2
import faiss
import numpy as np

from . import features, hashes, ransac
from .errors import StaleIndex
from .features import Features
from .verify import verify_pair
from .vocabulary import BRANCH, WORDS, Vocabulary, default as default_vocabulary

_log = logging.getLogger(__name__)

# A record, one per reference point, as the features file keeps it. By default (RECORD, 42
# bytes): its position (pixels of the reference as described), its pyramid scale and its ORB
# descriptor. An index may keep compact records instead (Index(code_bytes=8), `python -m
# matching index --code-bytes 8`; 15 bytes, the features file of a million references of 750
# points 11.3 GB instead of 31.5): the position in 1/XY_UNIT pixels (up to 4,096), the scale,
# the point's branch of the vocabulary tree's top level (where verification looks for it) and
# the first `code_bytes` of its descriptor (the whole descriptor chose its word, the postings,
# before it was cut). ORB's tests are ordered by how much they tell apart (rBRIEF's greedy
# choice), so the first 64 bits carry most of it, at a cost measured in docs/benchmarks.md:
# micro-AP on the tuning set 0.9669 with 256 bits, 0.9611 with 128, 0.9605 with 64; on set B
# the stereo pair's other view is taken for a copy once more.
CODE_BYTES = 32
XY_UNIT = 16
MAX_XY = 65535 / XY_UNIT
RECORD = np.dtype([("xy", np.float32, 2), ("scale", np.float16), ("desc", np.uint8, 32)])
# Whole-descriptor records keep no branch: verification finds it (a flat search of the top
# level, 2.5 ms for a shortlist of 20 references), and keeps the last BRANCH_CACHE references'
# branches (uint8, about 750 bytes each: 6 MB at most an index, that is a shard), since the
# same works are shortlisted again and again (a portfolio's popular works; every sighting of a
# crawl of one client). An index loaded again (another process saved) starts with none.
BRANCH_CACHE = 8192
FEATURES = "features.bin"     # the records file of a new index; a compaction writes features-<checkpoint>.bin


def record_dtype(code_bytes: int = CODE_BYTES) -> np.dtype:
    """The records' layout on disk for an index keeping `code_bytes` of each descriptor."""
    if isinstance(code_bytes, bool) or not isinstance(code_bytes, (int, np.integer)) or not 8 <= code_bytes <= 32:
        raise ValueError(f"a record keeps 8 to 32 bytes of its descriptor (8 and 16 measured, "
                         f"docs/benchmarks.md), not {code_bytes!r}")
    if code_bytes == 32:
        return RECORD
    return np.dtype([("xy", np.uint16, 2), ("scale", np.float16), ("branch", np.uint8),
                     ("code", np.uint8, code_bytes)])


def _verified_dtype(code_bytes: int) -> np.dtype:
    """Records as verification reads them (_Neighbours, verify_pair), whatever their layout."""
    return np.dtype([("xy", np.float32, 2), ("scale", np.float16), ("branch", np.uint8),
                     ("code", np.uint8, code_bytes)])


def _code_bytes(record: np.dtype) -> int:
    return record.fields["code"][0].shape[0] if "code" in record.names else 32


def _bytes_of(records: int, record: np.dtype = RECORD) -> int:
    """What `records` records take in the files: the record, and its posting."""
    return records * (record.itemsize + POSTING_BYTES)


def _records_of(feats: Features, words: np.ndarray, record: np.dtype = RECORD) -> np.ndarray:
    """A reference's records in the layout `record` (its descriptors' words give the branch)."""
    rec = np.empty(len(feats.desc), record)
    rec["scale"] = feats.scale
    if record == RECORD:
        rec["xy"], rec["desc"] = feats.xy, feats.desc
        return rec
    xy = np.asarray(feats.xy, np.float32)
    if len(xy) and (xy.min() < 0 or xy.max() >= MAX_XY):
        raise ValueError(f"a reference's points must lie within {MAX_XY:.0f} pixels of its corner for "
                         "compact records (engine.signature describes it at 800)")
    rec["xy"] = np.round(xy * XY_UNIT)
    rec["branch"] = np.asarray(words) // (WORDS // BRANCH)
    rec["code"] = feats.desc[:, :_code_bytes(record)]
    return rec


def word_weights(df: np.ndarray, live: int, p: dict) -> np.ndarray:
    """Each word's vote weight (idf) from its document frequencies `df` among `live`
    references; 0 for stop words, whose lists are over p["stop"] times the mean (and
    p["stop_min"]) long. One index's weights, or all the shards' together (shards.py)."""
    idf = np.log1p(max(1, live) / np.maximum(df, 1)).astype(np.float32)
    mean = df.sum() / max(1, np.count_nonzero(df))
    idf[df > max(p["stop"] * mean, p["stop_min"])] = 0.0   # stop words
    return idf


def _score(inliers: float, half: float) -> float:
    """Inlier count -> score in [0, 1); `half` inliers give 0.5."""
    return float(1.0 - 2.0 ** (-max(inliers, 0.0) / half))


# Postings keep each slot number's low 16 bits (2 bytes a posting, not 4): a word's list is
# cut into blocks of BLOCK slots, and where each block's part starts says the high bits.
BLOCK = 1 << 16
POSTING_BYTES = 2
CHUNK = 20_000_000   # postings rewritten at a time (compaction, an index saved before)


def _blocks_for(slots: int) -> int:
    """The blocks that number `slots` slots (at least one)."""
    return max(1, -(-slots // BLOCK))


class _Postings:
    """Word -> slot numbers: one CSR array over (word, block) keys, `offsets[w * blocks + b]`
    being where word w's slots of block `first + b` (slot >> 16) start in `low`, their low 16
    bits. Each word's list is in ascending slot order, so its blocks lie one after the other.
    `first`: the first block held (the list of references added since the last save holds
    only the last blocks, and costs offsets for those alone)."""

    def __init__(self, offsets: np.ndarray | None = None, low: np.ndarray | None = None, blocks: int = 1,
                 first: int = 0):
        self.blocks, self.first = blocks, first
        self.offsets = offsets if offsets is not None else np.zeros(WORDS * blocks + 1, np.int64)
        self.low = low if low is not None else np.zeros(0, np.uint16)

    def __len__(self) -> int:
        return len(self.low)

    @classmethod
    def build(cls, words: np.ndarray, slots: np.ndarray) -> "_Postings":
        """From (word, slot) pairs given in ascending slot order (as references are added)."""
        slots = np.asarray(slots, np.uint32)
        first = int(slots.min()) >> 16 if len(slots) else 0
        blocks = _blocks_for(int(slots.max()) + 1 - first * BLOCK) if len(slots) else 1
        key = np.asarray(words, np.int64) * blocks + ((slots >> 16) - first)
        order = np.argsort(key, kind="stable")
        offsets = np.zeros(WORDS * blocks + 1, np.int64)
        np.cumsum(np.bincount(key, minlength=WORDS * blocks), out=offsets[1:])
        return cls(offsets, (slots[order] & 0xFFFF).astype(np.uint16), blocks, first)

    @classmethod
    def from_lists(cls, lengths: np.ndarray, fetch, total: int, blocks: int) -> "_Postings":
        """From word lists in ascending slot order, CHUNK postings at a time: `lengths` per
        word, `fetch(a, b)` the slots of words a..b-1 list after list (int64; negative ones are
        dropped), `total` the postings kept at most."""
        offsets = np.zeros(WORDS * blocks + 1, np.int64)
        low = np.empty(total, np.uint16)
        filled = 0
        start = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
        for a, b in _chunks(start, WORDS):
            part = fetch(a, b)
            word = np.repeat(np.arange(a, b, dtype=np.int64), lengths[a:b])
            live = part >= 0
            key = word[live] * blocks + (part[live] >> 16)
            if len(key) > 1 and (np.diff(key) < 0).any():   # an ascending list's keys never go back
                raise ValueError("the postings are not in ascending slot order within their words: "
                                 "the index's files are damaged; rebuild it")
            offsets[a * blocks + 1:b * blocks + 1] = np.bincount(key - a * blocks, minlength=(b - a) * blocks)
            n = int(live.sum())
            low[filled:filled + n] = part[live] & 0xFFFF
            filled += n
        np.cumsum(offsets, out=offsets)
        return cls(offsets, low if filled == total else low[:filled].copy(), blocks)

    def word_offsets(self) -> np.ndarray:
        """Where each word's list starts in `low` (WORDS + 1 entries, a view)."""
        return self.offsets[::self.blocks]

    def lengths(self) -> np.ndarray:
        if getattr(self, "_lengths", None) is None:
            self._lengths = np.diff(self.word_offsets())
        return self._lengths

    def _slots(self, keys: np.ndarray, n: np.ndarray, low: np.ndarray) -> np.ndarray:
        if self.blocks == 1 and self.first == 0:
            return low.astype(np.uint32)
        return np.repeat((keys % self.blocks + self.first).astype(np.uint32) << 16, n) | low

    def gather(self, words: np.ndarray) -> np.ndarray:
        """The slots in the given words' lists, list after list."""
        keys = (np.asarray(words, np.int64)[:, None] * self.blocks + np.arange(self.blocks)).ravel()
        at, n = self._positions(keys)
        return self._slots(keys, n, self.low[at])

    def _positions(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions in `low` of the keys' parts, part after part, in one array (a slice
        per word cost 10 ms a windows search), and each part's length."""
        starts = self.offsets[keys]
        n = self.offsets[keys + 1] - starts
        return np.repeat(starts - (np.cumsum(n) - n), n) + np.arange(int(n.sum())), n

    def vote(self, words: np.ndarray, weights: np.ndarray, votes: np.ndarray) -> None:
        """Add each word's weight to `votes` (one per slot) for every slot in its list: block
        by block, a block's low 16 bits indexing its part of `votes` (no slot number is made
        whole: 4.6 ms for 1.5 million postings, against 8.3 gathering them first)."""
        words = np.asarray(words, np.int64)
        for b in range(self.blocks):
            at, n = self._positions(words * self.blocks + b)
            if len(at):   # ufunc.at on matching dtypes: 7x faster than a weighted bincount here
                block = (self.first + b) * BLOCK
                np.add.at(votes[block:block + BLOCK], self.low[at].astype(np.intp), np.repeat(weights, n))

    def slots_of_words(self, a: int, b: int) -> np.ndarray:
        """The slots of words a..b-1, list after list."""
        k0, k1 = a * self.blocks, b * self.blocks
        n = np.diff(self.offsets[k0:k1 + 1])
        return self._slots(np.arange(k0, k1, dtype=np.int64), n, self.low[self.offsets[k0]:self.offsets[k1]])

    @property
    def slots(self) -> np.ndarray:
        """Every posting's slot, list after list (a copy, 4 bytes a posting: for tests and tools)."""
        return self.slots_of_words(0, WORDS)

    def _keyed(self, blocks: int) -> np.ndarray:
        """The offsets as over blocks 0 .. blocks-1 (those not held: empty)."""
        if blocks == self.blocks and self.first == 0:
            return self.offsets
        b = np.clip(np.arange(blocks) - self.first, 0, self.blocks)
        out = np.empty(WORDS * blocks + 1, np.int64)
        out[:-1] = self.offsets[(np.arange(WORDS)[:, None] * self.blocks + b).ravel()]
        out[-1] = self.offsets[-1]
        return out

    def merged(self, other: "_Postings") -> "_Postings":
        """These postings and `other`'s (of later slots) in one, from block 0, CHUNK postings
        at a time (its working arrays stay at a chunk's, whatever the index's size)."""
        if not len(other):
            return self
        blocks = max(self.first + self.blocks, other.first + other.blocks)
        oa, ob = self._keyed(blocks), other._keyed(blocks)
        la, lb = np.diff(oa), np.diff(ob)
        offsets = np.zeros(WORDS * blocks + 1, np.int64)
        np.cumsum(la + lb, out=offsets[1:])
        low = np.empty(offsets[-1], np.uint16)
        # each (word, block)'s part: this one's slots, then the other's
        for a, b in _chunks(offsets, WORDS * blocks):
            keys = np.arange(a, b, dtype=np.int64)
            k = np.repeat(keys, la[a:b])
            low[offsets[k] + (np.arange(oa[a], oa[b]) - oa[k])] = self.low[oa[a]:oa[b]]
            k = np.repeat(keys, lb[a:b])
            low[offsets[k] + la[k] + (np.arange(ob[a], ob[b]) - ob[k])] = other.low[ob[a]:ob[b]]
        return _Postings(offsets, low, blocks)


def _chunks(offsets: np.ndarray, keys: int):
    """(a, b) ranges of keys 0..keys-1 holding about CHUNK postings each, by their `offsets`."""
    bounds = np.searchsorted(offsets, np.arange(0, int(offsets[-1]) + CHUNK, CHUNK))
    bounds = np.unique(np.clip(np.r_[0, bounds, keys], 0, keys))
    return zip(bounds[:-1].tolist(), bounds[1:].tolist())


class Index:
    # Candidate search - shortlist: references verified per query; min_votes: idf-weighted
    # votes a reference needs to be verified; stop/stop_min: a word whose list is longer than
    # `stop` x the mean list (and than stop_min) does not vote; budget: postings a query reads
    # at most (its rarest words first); both: a reference is verified
    # with the mirrored query too when that variant got this share of its best votes.
    # Verification - nn: neighbours per query descriptor among the shortlist's descriptors,
    # looked up in the vprobe nearest of the vocabulary's top 64 branches; ratio: a neighbour
    # counts when clearly nearer than any other reference's; min_pairs: query points with a
    # counted neighbour a reference needs for RANSAC to be tried (15, `half`: fewer cannot make
    # a match); weak_pairs: with fewer pairs than this, a reference's score is kept only when it
    # is a match (0.5 or more), else 0 (30, chosen on the tuning set of docs/benchmarks.md: below
    # 30 pairs 11,000 of 14,000 RANSAC runs found at most 9 tight inliers, chance scores that only
    # muddle the ranking; micro-AP 0.937 when every score counted from 10 pairs, 0.938 from 15
    # and 20, 0.940 from 30 and 40, 0.937 from 60); confusers/cratio: and nearer than
    # its branch centroid two levels down (a stand-in for the rest of the world); dmax: Hamming
    # distance a neighbour may have; thr: RANSAC pixels; half: tight inliers that give score 0.5
    # (the match threshold); p0/pw: the second-plane discount; cover: share of the reference
    # the inliers must span for full weight.
    PARAMS = dict(shortlist=20, min_votes=20.0, stop=3.0, stop_min=8, budget=1_200_000, both=0.5,
                  nn=2, vprobe=4, min_pairs=15, weak_pairs=30, ratio=0.85, confusers=True, cratio=1.0, dmax=64, thr=6.0,
                  half=15.0, p0=8.0, pw=0.4, cover=0.15)

    def __init__(self, params: dict | None = None, vocabulary: Vocabulary | None = None,
                 code_bytes: int | None = None):
        self.p = dict(self.PARAMS, **(params or {}))
        self.vocabulary = vocabulary or default_vocabulary()
        self._quantizer = None
        self._top = None
        self.checkpoint = 0
        # which index this is, whatever its checkpoint (meta.json `generation`, drawn when it is
        # first saved): a folder's index rebuilt or replaced meanwhile starts its checkpoints again
        self.generation: str | None = None
        self.names: list[str | None] = []
        self.slot_of: dict[str, int] = {}
        self.sizes = np.zeros((0, 2), np.int32)
        self.start = np.zeros(0, np.int64)     # first record of each slot in features.bin
        self.count = np.zeros(0, np.int32)
        self.alive = np.zeros(0, bool)
        self.hashes = np.zeros((0, hashes.WORDS), np.uint64)   # each reference's perceptual hash
        self.hashed = np.zeros(0, bool)                         # ... when it has one (hashes.near)
        self._coarse = (lambda: None, None)   # (hashes, weakly; their 64-bit column): _coarse_hashes
        self.main = _Postings()                # postings saved (or loaded)
        self.delta = _Postings()               # postings added since
        self._delta_parts: list[tuple[np.ndarray, np.ndarray]] = []
        self._delta_words, self._delta_slots = np.zeros(0, np.int64), np.zeros(0, np.uint32)
        self._disk: _RecordsFile | None = None  # the records file (meta.json names it)
        self._features_file = FEATURES          # its name
        self._features_before = FEATURES        # the one the checkpoint before used (a reader may hold it)
        self.changes = 0                        # adds and removals since the index was made or loaded
        self._saved_changes = 0                 # ... of them saved
        self._disk_records = 0
        self._new: list[np.ndarray] = []       # records not yet written (slots past _disk_records)
        self.record = record_dtype(CODE_BYTES if code_bytes is None else code_bytes)   # the records' layout on disk
        self._new_records = 0
        self._idf: np.ndarray | None = None
        # (records file, first record) -> the branches of a saved reference's whole-descriptor
        # records (BRANCH_CACHE): a file's records never change (appended to; a compaction
        # writes a new file)
        self._branches: collections.OrderedDict = collections.OrderedDict()

    # ------------------------------------------------------------ words
    def quantize(self, desc: np.ndarray) -> np.ndarray:
        """Descriptors -> words, by descending the vocabulary tree inside faiss (a binary
        IVF whose quantiser is a binary IVF: 192 Hamming distances a descriptor)."""
        tree = self._tree()
        if not len(desc):
            return np.zeros(0, np.uint32)
        # one thread for a query (two made single queries 15-65x slower here), all for bulk adds
        faiss.omp_set_num_threads(_CORES if len(desc) > 50_000 else 1)
        _, ids = tree.search(np.ascontiguousarray(desc, dtype=np.uint8), 1)
        return ids[:, 0].astype(np.uint32)

    def _tree(self):
        """The vocabulary tree's faiss index (_tree_index: one a vocabulary in a process)."""
        if self._quantizer is None:
            self._quantizer = _tree_index(self.vocabulary)
        return self._quantizer

    # ------------------------------------------------------------ building
    def add(self, name: str, feats: Features) -> None:
        self.add_many([(name, feats)])

    def add_many(self, items, words: list[np.ndarray] | None = None) -> None:
        """Add (name, Features) pairs; their descriptors are quantised in one batch. A name
        given twice is added once, as its last (a reference replaced, as when added again)."""
        items = list(items)
        if len({name for name, _ in items}) < len(items):
            last = sorted({name: i for i, (name, _) in enumerate(items)}.values())
            items = [items[i] for i in last]
            words = None if words is None else [words[i] for i in last]
        if not items:
            return
        descs = [f.desc for _, f in items]
        if words is None:
            allw = self.quantize(np.concatenate(descs)) if sum(len(d) for d in descs) else np.zeros(0, np.uint32)
            bounds = np.cumsum([0] + [len(d) for d in descs])
            words = [allw[bounds[i]:bounds[i + 1]] for i in range(len(items))]
        recs = [_records_of(f, w, self.record) for (_, f), w in zip(items, words)]   # refused before any change
        for name, _ in items:
            if name in self.slot_of:
                self.remove(name)
        first = len(self.names)
        n_rec = np.array([len(d) for d in descs], np.int64)
        starts = self._disk_records + self._new_records + np.concatenate([[0], np.cumsum(n_rec)[:-1]])
        for i, (name, f) in enumerate(items):
            self._new.append(recs[i])
            self.names.append(name)
            self.slot_of[name] = first + i
        self._new_records += int(n_rec.sum())
        self.sizes = np.concatenate([self.sizes, np.array([f.size for _, f in items], np.int32).reshape(-1, 2)])
        self.start = np.concatenate([self.start, starts])
        self.count = np.concatenate([self.count, n_rec.astype(np.int32)])
        self.alive = np.concatenate([self.alive, np.ones(len(items), bool)])
        self._add_hashes([f.hash for _, f in items])
        self.changes += 1
        slots = np.concatenate([np.full(len(w), first + i, np.uint32) for i, w in enumerate(words)])
        self._delta_parts.append((np.concatenate(words).astype(np.int64), slots))
        self._idf = None

    def _add_hashes(self, found: list[np.ndarray | None]) -> None:
        """Append the perceptual hashes (or None) of references added in slot order."""
        new = np.zeros((len(found), hashes.WORDS), np.uint64)
        has = np.array([h is not None for h in found], bool)
        for i, h in enumerate(found):
            if h is not None:
                new[i] = h
        self.hashes = np.concatenate([self.hashes, new])
        self.hashed = np.concatenate([self.hashed, has])

    def near_copies(self, query_hash: np.ndarray) -> list[tuple[str, int]]:
        """The live references of which the query is a near-exact copy by their perceptual
        hashes (hashes.near): (name, bits apart on the 256-bit hash), nearest first."""
        return [(self.names[slot], bits)
                for slot, bits in hashes.near(query_hash, self.hashes, self.hashed & self.alive, self._coarse_hashes())]

    def _coarse_hashes(self) -> np.ndarray:
        """The 64-bit hashes (`hashes[:, 0]`) in one contiguous array (hashes.near), made again
        when the hashes change: every change assigns a new array (none is written in place),
        and the array is held weakly, so a replaced one is freed at once."""
        if self._coarse[0]() is not self.hashes:
            self._coarse = (weakref.ref(self.hashes), np.ascontiguousarray(self.hashes[:, 0]))
        return self._coarse[1]

    def unhashed(self) -> set[str]:
        """The live references without a perceptual hash: flat pictures, and references added
        from signatures computed before the hash tier (describe them again to give them one)."""
        return {self.names[slot] for slot in np.flatnonzero(self.alive & ~self.hashed).tolist()}

    def remove(self, name: str) -> bool:
        slot = self.slot_of.pop(name, None)
        if slot is None:
            return False
        self.names[slot] = None
        self.alive[slot] = False
        self._idf = None
        self.changes += 1
        return True

    def removed_share(self) -> dict:
        """What removed references still hold until a compaction: their count, their records
        in the records file (and postings, 2 bytes a record), and the share of all records."""
        dead = ~self.alive
        records = int(self.count.sum())
        gone = int(self.count[dead].sum())
        return {"references": int(self.alive.sum()), "removed": int(dead.sum()), "records": records,
                "removed_records": gone, "removed_bytes": _bytes_of(gone, self.record),
                "share": round(gone / records, 4) if records else 0.0}

    def __len__(self) -> int:
        return len(self.slot_of)

    @property
    def code_bytes(self) -> int:
        """The bytes of each descriptor its records keep (record_dtype)."""
        return _code_bytes(self.record)

    def make_searchable(self) -> None:
        """Make the postings added since the last call searchable (a small second list), and
        the hashes' 64-bit column (_coarse_hashes: a reload makes it here, not in a search);
        and the vocabulary tree's faiss indexes and RANSAC's stream (ransac.prime), which a
        fresh process's first search built otherwise (about 30 ms of a search of 75 at a
        million: docs/benchmarks.md, "The misses are the 95th percentile"); each is built
        once and kept, whether the index was loaded or added to first."""
        self._coarse_hashes()
        self._tree()
        self._top_index()
        ransac.prime()
        if self._delta_parts:
            self._delta_words = np.concatenate([self._delta_words] + [p[0] for p in self._delta_parts])
            self._delta_slots = np.concatenate([self._delta_slots] + [p[1] for p in self._delta_parts])
            self._delta_parts = []
            # a delta a quarter the size of the main list is merged into it (the cost is shared out)
            if len(self._delta_slots) > max(200_000, len(self.main) // 4):
                self._merge()
            else:
                self.delta = _Postings.build(self._delta_words, self._delta_slots)
        if self._idf is None:
            df = self.main.lengths() + self.delta.lengths()
            self._lengths = df
            self._dead = np.flatnonzero(~self.alive)
            self._idf = word_weights(df, int(self.alive.sum()), self.p)

    def _merge(self) -> None:
        if len(self._delta_slots):
            self.main = self.main.merged(_Postings.build(self._delta_words, self._delta_slots))
            self._delta_words, self._delta_slots = np.zeros(0, np.int64), np.zeros(0, np.uint32)
            self.delta = _Postings()
            self._idf = None

    # ------------------------------------------------------------ search
    def _records(self, slot: int) -> np.ndarray:
        """A reference's records, as verification reads them (_verified_dtype)."""
        s, n = int(self.start[slot]), int(self.count[slot])
        if s >= self._disk_records:
            flat = self._new_flat()
            return self._verified(flat[s - self._disk_records: s - self._disk_records + n])
        rec = self._disk.read(s, s + n)
        if "desc" not in rec.dtype.names:
            return self._verified(rec)
        key = (self._features_file, s)
        branch = self._branches.pop(key, None)   # (popped and put back: the last used is last)
        if branch is None:
            branch = self._top_branches(rec["desc"])
        self._branches[key] = branch
        while len(self._branches) > BRANCH_CACHE:   # (searches hold the engine's lock: one at a time)
            self._branches.popitem(last=False)
        return self._verified(rec, branch)

    def _verified(self, rec: np.ndarray, branch: np.ndarray | None = None) -> np.ndarray:
        """Records as verification reads them: a whole descriptor's branch is found (as the
        query's are; `branch`, when known already), a compact position turned back into pixels."""
        if "branch" in rec.dtype.names and rec.dtype["xy"].base == np.float32:
            return rec   # already (a shards' view holds its shortlist so)
        out = np.empty(len(rec), _verified_dtype(_code_bytes(rec.dtype)))
        out["scale"] = rec["scale"]
        if "desc" in rec.dtype.names:
            desc = np.ascontiguousarray(rec["desc"])
            out["xy"], out["code"] = rec["xy"], desc
            out["branch"] = self._top_branches(desc) if branch is None else branch
        else:
            out["xy"] = rec["xy"].astype(np.float32) / np.float32(XY_UNIT)
            out["branch"], out["code"] = rec["branch"], rec["code"]
        return out

    def _top_branches(self, desc: np.ndarray) -> np.ndarray:
        """Each descriptor's branch of the vocabulary tree's top level (uint8: BRANCH is 64)."""
        if not len(desc):
            return np.zeros(0, np.uint8)
        return self._top_index().search(np.ascontiguousarray(desc), 1)[1][:, 0].astype(np.uint8)

    def _new_flat(self) -> np.ndarray:
        if len(self._new) > 1:
            self._new = [np.concatenate(self._new)]
        return self._new[0] if self._new else np.zeros(0, self.record)

    def candidates(self, variants: list[Features], words: list[np.ndarray] | None = None):
        """idf-weighted votes of the query's words -> [(votes, variant, slot)], best first.
        `words`: each variant's descriptors quantised (computed here when not given)."""
        self.make_searchable()
        if words is None:
            words = [self.quantize(f.desc) for f in variants]
        n = len(self.names)
        idf = self._idf
        lengths = self._lengths
        wanted = [np.unique(w).astype(np.int64) for w in words]
        wanted = [w[idf[w] > 0] for w in wanted]
        # the rarest words first, until the postings budget is spent: they carry most of the
        # evidence, and the budget bounds a query's time whatever the size of the index
        allw = np.concatenate(wanted) if wanted else np.zeros(0, np.int64)
        if lengths[allw].sum() > self.p["budget"]:
            cut = np.sort(lengths[allw])
            cut = cut[np.searchsorted(np.cumsum(cut), self.p["budget"])]
            wanted = [w[lengths[w] < cut] for w in wanted]
        votes = np.zeros((len(variants), n), np.float32)
        for v, w in enumerate(wanted):
            for post in (self.main, self.delta):
                post.vote(w, idf[w], votes[v])
        votes[:, self._dead] = 0
        best = votes.max(axis=0)
        live = np.flatnonzero(best >= self.p["min_votes"])
        k = min(self.p["shortlist"], len(live))
        top = live[np.argpartition(-best[live], k - 1)[:k]] if k < len(live) else live
        top = top[np.argsort(-best[top], kind="stable")]
        # a reference is verified with the variant (as is, mirrored) that voted most for it, and
        # with the other one too when that came close (a symmetric picture votes for both)
        out = []
        for s in top:
            if best[s] < self.p["min_votes"]:
                continue
            for v in range(len(variants)):
                if votes[v, s] >= self.p["both"] * best[s]:
                    out.append((float(votes[v, s]), v, int(s)))
        return out

    def search(self, variants: list[Features], top: int = 5, transforms: dict | None = None,
               planes: dict | None = None) -> list[tuple[str, float]]:
        """The `top` best references (name, score). With `transforms` (a dict), it receives for
        each name (variant number, 3x3 homography from the query's to the reference's
        normalised coordinates, each side 0..1) where verification found one. With `planes`
        (a dict), the first variant is a probe: verified with every shortlisted reference, it
        scores none, and `planes` receives each one's second-plane factor for it (plane_factor)."""
        if not len(self):
            return []
        words = self._split(self.quantize(np.concatenate([f.desc for f in variants])), variants)
        shortlist = self.candidates(variants, words)
        if not shortlist:
            return []
        slots = list(dict.fromkeys(s for _, _, s in shortlist))
        if planes is not None:
            probed = {t for _, v, t in shortlist if v == 0}
            shortlist = shortlist + [(0.0, 0, s) for s in slots if s not in probed]
        shared = self._shortlist_index(slots)
        used = sorted({v for _, v, _ in shortlist})
        # one faiss call for all the variants verified (per-call overhead is most of a small search)
        allrec, owner, near = shared
        k = min(self.p["nn"], near.ntotal)
        D, I = near.search(np.concatenate([variants[v].desc for v in used]), k) if k else (None, None)
        best: dict[int, float] = {}
        for i, v in enumerate(used):
            targets = [s for _, vv, s in shortlist if vv == v]
            a = sum(len(variants[u].desc) for u in used[:i])
            nbrs = (D[a:a + len(variants[v].desc)], I[a:a + len(variants[v].desc)]) if k else None
            found_h: dict[int, np.ndarray] = {}
            found_p: dict[int, float] = {}
            for slot, s in self.verify(variants[v], slots, targets, words[v], shared, nbrs, found_h, found_p).items():
                if planes is not None and v == 0:   # the whole query: a probe, not a score
                    if slot in found_p:
                        planes[self.names[slot]] = found_p[slot]
                    continue
                if s > best.get(slot, -1.0):
                    best[slot] = s
                    if transforms is not None and slot in found_h:
                        transforms[self.names[slot]] = (v, found_h[slot])
        out = sorted(best.items(), key=lambda t: -t[1])[:top]
        return [(self.names[s], round(sc, 6)) for s, sc in out]

    def _prefetch(self, slots: list[int]) -> None:
        """Ask the kernel for all the shortlist's records at once (one disk round trip, not 20)."""
        if self._disk is None:
            return
        for slot in slots:
            s = int(self.start[slot])
            if s < self._disk_records:
                self._disk.prefetch(s, s + int(self.count[slot]))

    def _top_index(self):
        """The vocabulary tree's top level (BRANCH centroids) as a flat binary index."""
        if self._top is None:
            top = faiss.IndexBinaryFlat(256)
            top.add(np.ascontiguousarray(self.vocabulary.levels[0]).view(np.uint8).reshape(-1, 32))
            self._top = top
        return self._top

    def _shortlist_index(self, slots: list[int]):
        """The shortlisted references' records, and their codes by branch (_Neighbours)."""
        self._prefetch(slots)
        recs = [self._records(s) for s in slots]
        owner = np.concatenate([np.full(len(r), i, np.int64) for i, r in enumerate(recs)]) if recs \
            else np.zeros(0, np.int64)
        allrec = np.concatenate(recs) if recs else np.zeros(0, _verified_dtype(self.code_bytes))
        return allrec, owner, _Neighbours(allrec, self._top_index(), self.p["vprobe"])

    @staticmethod
    def _split(values: np.ndarray, variants: list[Features]) -> list[np.ndarray]:
        bounds = np.cumsum([0] + [len(f.desc) for f in variants])
        return [values[bounds[i]:bounds[i + 1]] for i in range(len(variants))]

    def verify(self, f: Features, slots: list[int], targets: list[int] | None = None,
               words: np.ndarray | None = None, shared=None, neighbours=None,
               transforms: dict | None = None, planes: dict | None = None) -> dict[int, float]:
        """Scores of `targets` (default: all `slots`) for one query variant. Each query
        descriptor's nearest descriptors among all the shortlisted references are
        correspondences when clearly nearer than the nearest from any *other* of them
        (generic shapes such as letters match in every picture and must not count)."""
        targets = slots if targets is None else targets
        allrec, owner, near = shared or self._shortlist_index(slots)
        if len(f.desc) < 6 or len(owner) < 6:
            return {}
        k = min(self.p["nn"], near.ntotal)
        D, I = neighbours or near.search(f.desc, k)
        D = D.astype(np.float32)
        own = np.where(I >= 0, owner[np.maximum(I, 0)], -1)
        dmax, ratio = self.p["dmax"], self.p["ratio"]
        other = np.full_like(D, dmax + 20)
        for j in range(k):
            other[:, j] = np.minimum(other[:, j], np.where((own != own[:, j:j + 1]) & (I >= 0), D, np.inf).min(axis=1))
        ok = (I >= 0) & (D <= dmax) & (D <= ratio * other)
        if self.p["confusers"]:
            # typical descriptors stand in for the rest of the world: a pair must be nearer than
            # the centroid of the query descriptor's branch two levels down the vocabulary tree
            # (a small index has few other references to compare with)
            ok &= D <= self.p["cratio"] * self._branch_distance(f.desc, words)[:, None]
        out = {}
        for slot in targets:
            r, c = np.nonzero(ok & (own == slots.index(slot)))
            pairs = len(np.unique(r))
            if pairs < self.p["min_pairs"]:
                out[slot] = 0.0
                continue
            best_first = np.argsort(D[r, c], kind="stable")   # PROSAC samples the closest pairs first
            r, c = r[best_first], c[best_first]
            ri = I[r, c]
            st = verify_pair(f.xy[r], allrec["xy"][ri], r, allrec["scale"][ri].astype(np.float32),
                             tuple(self.sizes[slot]), f.size, thr=self.p["thr"], qscale=f.scale[r])
            out[slot] = self.score(st)
            if planes is not None:
                planes[slot] = self.plane_factor(st)
            if pairs < self.p["weak_pairs"] and out[slot] < _score(self.p["half"], self.p["half"]):
                out[slot] = 0.0        # a chance score from few pairs: no evidence, no placement
                continue
            if transforms is not None and "H" in st:   # in normalised coordinates (0..1 on both sides)
                rw, rh = self.sizes[slot]
                qw, qh = f.size
                Hn = np.diag([1.0 / rw, 1.0 / rh, 1.0]) @ st["H"] @ np.diag([float(qw), float(qh), 1.0])
                transforms[slot] = Hn
        return out

    def _branch_distance(self, desc: np.ndarray, words: np.ndarray | None = None) -> np.ndarray:
        """Hamming distance of each descriptor to its level-2 node of the vocabulary tree."""
        words = (self.quantize(desc) if words is None else words).astype(np.int64)
        level = self.vocabulary.levels[1].reshape(-1, 4)          # (4096, 4) uint64
        d = np.ascontiguousarray(desc).view(np.uint64).reshape(-1, 4)
        return np.bitwise_count(level[words // 64] ^ d).sum(axis=1).astype(np.float32)

    def score(self, st: dict) -> float:
        """Evidence -> score in [0, 1): the count of tight inliers, discounted when a second
        plane explains many of the other matches ('similar scene', not 'copy')."""
        if st["n"] <= 0:
            return 0.0
        k3 = min(1.0, st["coverage"] / self.p["cover"])
        return _score(st["tight"] * self.plane_factor(st) * k3, self.p["half"])

    def plane_factor(self, st: dict) -> float:
        """1, or less when a second plane explains many of the matches the first does not."""
        if st["n"] <= 0:
            return 1.0
        return min(1.0, max(0.0, 1.0 - (st["plane2"] - self.p["p0"]) / (self.p["pw"] * st["n"])))

    # ------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike) -> None:
        """Append new records to features.bin, write the merged postings under a new
        checkpoint, then meta.json last: a reader sees the whole index or the old one."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with _writing(path):
            self._refuse_if_stale(path)
            self.make_searchable()
            self._merge()
            feats = path / self._features_file
            appended = 0
            if self._new_records:
                self._cut_unnamed_records(feats)
                with open(feats, "ab") as out:
                    self._new_flat().tofile(out)
                    out.flush()
                    os.fsync(out.fileno())
                appended = self._new_records
            checkpoint = self.checkpoint
            try:
                self._write_checkpoint(path, self._disk_records + appended)
            except BaseException:
                if appended and self.checkpoint == checkpoint:   # meta.json not replaced: never named
                    os.truncate(feats, self._disk_records * self.record.itemsize)
                raise
            finally:
                # replaced (even if interrupted after it): the new checkpoint names the records,
                # and this copy is that checkpoint
                if self.checkpoint != checkpoint:
                    self._disk_records += appended
                    self._new, self._new_records = [], 0
                    if self._disk is None or self._disk.records != self._disk_records:   # reopened only when it grew
                        self._disk = _RecordsFile(feats, self._disk_records, self.record) if self._disk_records else None

    def _cut_unnamed_records(self, feats: Path) -> None:
        """Before an append: the records file must end where the newest checkpoint's records do.
        Longer, the rest is an append whose save died before its meta.json (the process killed,
        the machine down): no checkpoint names those records and no reader reads them, so they
        are cut off, or every later save would be refused until a rebuild. Shorter, the file was
        cut short and records the index names are lost: refused, nothing written. Called under
        the writer's lock, after the check that this copy is the newest checkpoint (another
        writer's records are never taken for a dead one's)."""
        size = feats.stat().st_size if feats.exists() else 0
        named = self._disk_records * self.record.itemsize
        if size < named:
            raise ValueError(f"{feats} holds {size // self.record.itemsize} records, this index names "
                             f"{self._disk_records}: the file was cut short; rebuild the index")
        if size > named:
            _log.warning("%s: %d bytes past the %d records the index names (a save that died before its "
                         "checkpoint) cut off before appending", feats, size - named, self._disk_records)
            os.truncate(feats, named)

    def _refuse_if_stale(self, path: Path) -> None:
        """StaleIndex when another process saved the index at `path` after this copy was loaded
        or saved: writing now would undo that save (its adds and removals)."""
        meta = path / "meta.json"
        disk = json.loads(meta.read_text()) if meta.exists() else {}
        on_disk = disk.get("checkpoint", 0)
        if on_disk != self.checkpoint:
            raise StaleIndex(f"the index at {path} is at checkpoint {on_disk}, this copy at {self.checkpoint}: "
                             "another process saved it since; reload it and make the change again")
        # the same number, another index (the folder rebuilt or replaced since this copy was
        # loaded): its records are not this copy's, and nothing of it may be cut or appended to
        if identity(disk) != self.identity:
            raise StaleIndex(f"the index at {path} was rebuilt or replaced since this copy was loaded (the same "
                             "checkpoint number, another index): reload it and make the change again")

    @property
    def identity(self) -> tuple:
        """Which saved index and checkpoint this copy is (as `identity` of its meta.json)."""
        return self.checkpoint, self.generation, self._disk_records, self._features_file

    def _write_checkpoint(self, path: Path, records: int) -> None:
        """The next checkpoint's files, meta.json last (a failure before it leaves the index on
        disk and in this process as it was: the checkpoint number moves only once it is in)."""
        checkpoint = self.checkpoint + 1
        tag = f"{checkpoint:06d}"
        np.save(path / f"postings16-{tag}.npy", self.main.low)
        np.save(path / f"offsets16-{tag}.npy", self.main.offsets)
        np.savez(path / f"slots-{tag}.npz", sizes=self.sizes, start=self.start, count=self.count, alive=self.alive,
                 hashes=self.hashes, hashed=self.hashed)
        tmp = path / "meta.json.tmp"
        generation = self.generation or uuid.uuid4().hex
        tmp.write_text(json.dumps({"names": self.names, "params": self.p, "features": features.CFG,
                                   "vocabulary": self.vocabulary.fingerprint, "records": records,
                                   "code_bytes": self.code_bytes, "posting_bytes": POSTING_BYTES,
                                   "checkpoint": checkpoint, "generation": generation,
                                   "features_file": self._features_file,
                                   "features_before": self._features_before}))
        replaced = False
        try:
            os.replace(tmp, path / "meta.json")
            replaced = True
        finally:
            # in (even when an interrupt came between the rename and the line after it: meta.json
            # says so), this copy is the new checkpoint, so its caller keeps what it names
            if replaced or _names(path, checkpoint, generation):
                self.checkpoint, self.generation = checkpoint, generation
                before, self._features_before = self._features_before, self._features_file
                self._saved_changes = self.changes
        # the new checkpoint is in: what follows tidies up and may fail without undoing it
        try:
            for old in path.glob("*-*.np[yz]"):  # keep this checkpoint and the one before (a reader may be loading it)
                if old.stem.rsplit("-", 1)[-1] < f"{self.checkpoint - 1:06d}":
                    old.unlink(missing_ok=True)
            # records files likewise: this checkpoint's and the one before's (a process that has
            # one open keeps reading it after the unlink; the space is freed when it lets go)
            for old in path.glob("features*.bin"):
                if old.name not in (self._features_file, before):
                    old.unlink(missing_ok=True)
        except OSError as error:   # the next checkpoint deletes them
            _log.warning("%s: checkpoint %d saved; older files not deleted yet: %s", path, checkpoint, error)

    @property
    def unsaved(self) -> bool:
        """Adds or removals not saved yet."""
        return self.changes != self._saved_changes

    # ------------------------------------------------------------ compaction
    def snapshot(self, path: str | os.PathLike) -> "Snapshot | None":
        """What a compaction reads, taken at once (under the engine's lock, so no add, removal or
        save runs half-way through it); None when nothing is removed. The index must be saved
        (no adds or removals since) and be the newest checkpoint on disk."""
        path = Path(path)
        if self.unsaved:
            raise ValueError("the index has changes not saved yet; save it, then compact it")
        self._refuse_if_stale(path)
        if self.alive.all():
            return None
        return Snapshot(self.changes, self.checkpoint, self.alive.copy(), self.count.copy(), self.start.copy(),
                        self.main, self._features_file)

    def compaction(self, path: str | os.PathLike, snap: "Snapshot", progress=None) -> "Compaction":
        """Write, beside the index at `path`, a records file without the removed references'
        records, and postings without their slots (the live references numbered again in
        order), from `snap` alone: searches, adds and removals may go on meanwhile (a change
        makes `install` refuse it). `install` makes it the index's next checkpoint."""
        path = Path(path)
        alive, count, start = snap.alive, snap.count, snap.start
        keep = np.flatnonzero(alive)
        renumber = np.full(len(alive), -1, np.int64)
        renumber[keep] = np.arange(len(keep))
        new_count = count[keep]
        new_start = np.concatenate([[0], np.cumsum(new_count, dtype=np.int64)[:-1]]) if len(keep) else np.zeros(0, np.int64)
        name = f"features-{snap.checkpoint + 1:06d}.bin"
        tmp = path / f"{name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"   # two compactions never share one
        total = int(new_count.sum())
        done = 0
        size = self.record.itemsize
        try:
            with open(path / snap.features_file, "rb") as src, open(tmp, "wb", buffering=0) as out:
                # runs of live slots whose records lie one after the other are copied in one go, by
                # the kernel (not through a memory map: its pages would count as this process's)
                ends = start[keep] + count[keep]
                breaks = np.flatnonzero(start[keep][1:] != ends[:-1]) + 1
                runs = zip(np.r_[0, breaks], np.r_[breaks, len(keep)]) if len(keep) else ()
                for a, b in runs:
                    lo, hi = int(start[keep[a]]), int(ends[b - 1])
                    for c in range(lo, hi, 4_000_000):
                        _copy(src, out, c * size, (min(hi, c + 4_000_000) - c) * size)
                    done += hi - lo
                    if progress:
                        progress(done, total)
                out.flush()
                os.fsync(out.fileno())
            # postings: each word's list without the removed slots, the others numbered again
            old = snap.postings
            postings = _Postings.from_lists(old.lengths(), lambda a, b: renumber[old.slots_of_words(a, b)], total,
                                            _blocks_for(len(keep)))
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Compaction(name, tmp, keep, new_start, new_count, postings, snap.changes,
                          snap.checkpoint, int(count[~alive].sum()), self.record)

    def install(self, path: str | os.PathLike, plan: "Compaction") -> None:
        """Make a compaction the index's next checkpoint (in this process and on disk), unless the
        index changed since it was planned (ValueError; its files are discarded)."""
        path = Path(path)
        with _writing(path):
            try:
                if plan.changes != self.changes or plan.checkpoint != self.checkpoint:
                    raise ValueError("the index changed while it was being compacted; compact again")
                self._refuse_if_stale(path)
                for stale in path.glob("features-*.tmp"):   # compactions that died before their checkpoint
                    if stale != plan.tmp and not _alive(stale):
                        stale.unlink(missing_ok=True)
                os.replace(plan.tmp, path / plan.name)
            except BaseException:
                plan.discard()
                raise
            before = (self.names, self.slot_of, self.sizes, self.count, self.start, self.alive, self.main, self.delta,
                      self._features_file, self._features_before, self.hashes, self.hashed)
            keep = plan.keep
            self.names = [self.names[s] for s in keep.tolist()]
            self.slot_of = {n: s for s, n in enumerate(self.names)}
            self.sizes, self.count, self.start = self.sizes[keep], plan.count, plan.start
            self.hashes, self.hashed = self.hashes[keep], self.hashed[keep]
            self.alive = np.ones(len(keep), bool)
            self.main, self.delta = plan.postings, _Postings()
            self._features_before, self._features_file = self._features_file, plan.name
            records = int(plan.count.sum())
            try:
                self._write_checkpoint(path, records)
            except BaseException:
                if self.checkpoint == plan.checkpoint:   # meta.json not replaced: the index as it was, here
                    (self.names, self.slot_of, self.sizes, self.count, self.start, self.alive, self.main,
                     self.delta, self._features_file, self._features_before, self.hashes, self.hashed) = before
                    (path / plan.name).unlink(missing_ok=True)   # and on disk; the new file goes
                raise
            finally:
                if self.checkpoint != plan.checkpoint:   # replaced (even if interrupted after): it stands
                    self._idf = None
                    self._disk_records = records
                    self._disk = _RecordsFile(path / plan.name, records, self.record) if records else None
                    self.changes += 1
                    self._saved_changes = self.changes


    @classmethod
    def build(cls, path: str | os.PathLike, batches, progress=None, code_bytes: int | None = None) -> "Index":
        """Write a new index at `path` from batches of (name, Features) pairs, streaming:
        records go to features.bin and words to a scratch file as they come, then the
        postings are laid out word by word. Memory stays at the size of the postings
        (2 bytes a descriptor), whatever the number of references. `code_bytes`: the records'
        (record_dtype; the whole descriptor by default)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with _writing(path):   # no save or compaction in the folder while it is rebuilt
            return cls._build(path, batches, progress, code_bytes)

    @classmethod
    def _build(cls, path: Path, batches, progress, code_bytes: int | None) -> "Index":
        meta = path / "meta.json"
        # numbered on from the folder's last checkpoint, so a reader of the old index sees a newer one
        last = json.loads(meta.read_text()).get("checkpoint", 0) if meta.exists() else 0
        for old in [*path.glob("features*.bin"), *path.glob("features-*.tmp"), meta, *path.glob("*-*.np[yz]")]:
            old.unlink(missing_ok=True)
        idx = cls(code_bytes=code_bytes)
        idx.checkpoint = last
        names, sizes, counts, found = [], [], [], []
        scratch = path / "words.scratch"
        try:
            idx._stream(path, batches, scratch, names, sizes, counts, found, progress)
        except BaseException:   # a batch refused (or the disk full): an empty folder, not half an index
            (path / FEATURES).unlink(missing_ok=True)
            scratch.unlink(missing_ok=True)
            raise
        idx.names = names
        idx.sizes = np.array(sizes, np.int32).reshape(-1, 2)
        idx.count = np.array(counts, np.int32)
        idx.start = np.concatenate([[0], np.cumsum(idx.count, dtype=np.int64)[:-1]]).astype(np.int64) \
            if counts else np.zeros(0, np.int64)
        idx.alive = np.ones(len(names), bool)
        idx._add_hashes(found)
        total = int(idx.count.sum())
        words = np.memmap(scratch, np.uint32, mode="r") if total else np.zeros(0, np.uint32)
        blocks = _blocks_for(len(names))

        def keyed(a):   # a chunk's postings: their (word, block) keys and slots
            w = np.asarray(words[a:a + CHUNK]).astype(np.int64)
            owner = np.searchsorted(idx.start, np.arange(a, a + len(w)), side="right") - 1
            return w * blocks + (owner >> 16), owner

        counts = np.zeros(WORDS * blocks, np.int64)
        for a in range(0, total, CHUNK):
            counts += np.bincount(keyed(a)[0], minlength=WORDS * blocks)
        offsets = np.zeros(WORDS * blocks + 1, np.int64)
        np.cumsum(counts, out=offsets[1:])
        low = np.empty(total, np.uint16)
        cursor = offsets[:-1].copy()
        for a in range(0, total, CHUNK):   # each (word, block)'s part in slot order
            key, owner = keyed(a)
            order = np.argsort(key, kind="stable")
            ks = key[order]
            rank = np.arange(len(ks)) - np.searchsorted(ks, ks, side="left")
            low[cursor[ks] + rank] = owner[order] & 0xFFFF
            cursor += np.bincount(key, minlength=WORDS * blocks)
        del words
        scratch.unlink()
        idx.main = _Postings(offsets, low, blocks)
        idx._disk_records = total
        idx._disk = _RecordsFile(path / FEATURES, total, idx.record) if total else None
        idx._write_checkpoint(path, total)
        return idx

    def _stream(self, path: Path, batches, scratch: Path, names, sizes, counts, found, progress) -> None:
        """Index.build's first pass: records to the features file, words to `scratch`."""
        with open(path / FEATURES, "wb") as feats, open(scratch, "wb") as words_out:
            for batch in batches:
                fresh: set = set()   # a name once: its first signature, in a batch as across batches
                batch = [(n, f) for n, f in batch if n not in self.slot_of and not (n in fresh or fresh.add(n))]
                if not batch:
                    continue
                desc = np.concatenate([f.desc for _, f in batch])
                words = self.quantize(desc)
                bounds = np.cumsum([0] + [len(f.desc) for _, f in batch])
                rec = np.concatenate([_records_of(f, words[bounds[i]:bounds[i + 1]], self.record)
                                      for i, (_, f) in enumerate(batch)])
                words.tofile(words_out)
                rec.tofile(feats)
                for name, f in batch:
                    self.slot_of[name] = len(names)
                    names.append(name)
                    sizes.append(f.size)
                    counts.append(len(f.desc))
                    found.append(f.hash)   # the hash only: the features go to disk
                if progress:
                    progress(len(names))

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Index":
        path = Path(path)
        meta = json.loads((path / "meta.json").read_text())
        if meta.get("features") != features.CFG:
            raise ValueError(f"the index at {path} was built with other feature settings; rebuild it")
        idx = cls()  # the search settings are the code's; meta.json records those it was saved with
        if meta.get("vocabulary") != idx.vocabulary.fingerprint:
            raise ValueError(f"the index at {path} was built with another vocabulary; rebuild it")
        idx.checkpoint = meta["checkpoint"]
        idx.generation = meta.get("generation")   # (none: saved before it was written)
        tag = f"{idx.checkpoint:06d}"
        idx.names = meta["names"]
        idx.slot_of = {n: s for s, n in enumerate(idx.names) if n is not None}
        with np.load(path / f"slots-{tag}.npz") as z:
            idx.sizes, idx.start, idx.count, idx.alive = z["sizes"], z["start"], z["count"], z["alive"]
            if "hashes" in z.files:
                idx.hashes, idx.hashed = z["hashes"], z["hashed"]
            else:   # saved before the hash tier: its references are found by description only
                idx._add_hashes([None] * len(idx.alive))
        # which postings this checkpoint wrote: meta.json says (a file of the same number may be
        # left by a save that failed before its checkpoint, and another version's save since)
        if meta.get("posting_bytes") == POSTING_BYTES:
            offsets = np.load(path / f"offsets16-{tag}.npy")
            idx.main = _Postings(offsets, np.load(path / f"postings16-{tag}.npy"), (len(offsets) - 1) // WORDS)
        else:   # saved before postings kept 16 bits: their 4-byte slot numbers, rewritten as it loads
            offsets = np.load(path / f"offsets-{tag}.npy")
            slots = np.load(path / f"postings-{tag}.npy", mmap_mode="r")
            idx.main = _Postings.from_lists(np.diff(offsets), lambda a, b: np.asarray(slots[offsets[a]:offsets[b]], np.int64),
                                            len(slots), _blocks_for(len(idx.names)))
            del slots
        idx._disk_records = meta["records"]
        idx._features_file = meta.get("features_file", FEATURES)
        idx._features_before = meta.get("features_before", idx._features_file)
        try:   # an index saved before compact records keeps whole descriptors
            idx.record = record_dtype(meta.get("code_bytes", 32))
        except ValueError as error:
            raise ValueError(f"the index at {path} names no record layout this version knows ({error}); "
                             "rebuild it") from None
        if idx._disk_records:
            idx._disk = _RecordsFile(path / idx._features_file, idx._disk_records, idx.record)
        return idx


def identity(meta: dict) -> tuple:
    """Which saved index and checkpoint a meta.json (parsed; {} for none) names: its checkpoint
    number, its generation (None before generations were written), its records and its records
    file. A copy whose Index.identity differs is stale (its save is refused) and is reloaded
    (Engine.reload_if_changed): one rule for both, so what a save refuses a reload takes up."""
    return (meta.get("checkpoint", 0), meta.get("generation"), meta.get("records", 0),
            meta.get("features_file", FEATURES))


def _names(path: Path, checkpoint: int, generation: str) -> bool:
    """Whether the meta.json at `path` is that checkpoint of that index (False when unreadable)."""
    try:
        meta = json.loads((path / "meta.json").read_text())
    except (OSError, ValueError):
        return False
    return meta.get("checkpoint") == checkpoint and meta.get("generation") == generation


@contextlib.contextmanager
def _writing(path: Path):
    """One writer at a time in an index folder, across processes: held from the check that this
    copy is the newest checkpoint to the new meta.json (a save, a compaction's install)."""
    with open(path / "writer.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _alive(tmp: Path) -> bool:
    """Whether the process that is writing a compaction's temporary file (its pid in the name:
    features-N.bin.<pid>-<random>.tmp) still runs on this machine."""
    try:
        pid = int(tmp.name.rsplit(".", 2)[-2].split("-")[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Snapshot:
    """What a compaction reads of the index (Index.snapshot)."""

    changes: int
    checkpoint: int
    alive: np.ndarray
    count: np.ndarray
    start: np.ndarray
    postings: _Postings
    features_file: str


class _Neighbours:
    """The shortlist's records searched by code: a query descriptor's nearest records (by the
    Hamming distance of their codes) among those in the `vprobe` branches of the vocabulary
    tree's top level nearest to it (the whole descriptor finds the branches, as many of its
    first bytes as the records keep are compared). Distances are scaled to the whole
    descriptor's 256 bits, as the thresholds (dmax, the confusers' branch distance) are."""

    def __init__(self, records: np.ndarray, top, vprobe: int) -> None:
        self.top, self.vprobe, self.ntotal = top, vprobe, len(records)
        self.code_bytes = _code_bytes(records.dtype)
        self.scale = np.float32(256.0 / (8 * self.code_bytes))
        bits = 8 * self.code_bytes
        self._quantizer = faiss.IndexBinaryFlat(bits)   # never searched: the branches are given
        ivf = faiss.IndexBinaryIVF(self._quantizer, bits, top.ntotal)
        ivf.own_fields = False
        ivf.is_trained = True
        ivf.nprobe = vprobe
        if len(records):
            branch = records["branch"].astype(np.int64)
            order = np.argsort(branch, kind="stable")   # each branch's records in shortlist order
            ids = np.ascontiguousarray(order, dtype=np.int64)
            codes = np.ascontiguousarray(records["code"][order])
            counts = np.bincount(branch, minlength=top.ntotal)
            ends = np.cumsum(counts)
            for b in np.flatnonzero(counts).tolist():
                a = int(ends[b] - counts[b])
                ivf.invlists.add_entries(b, int(counts[b]), faiss.swig_ptr(ids[a:]), faiss.swig_ptr(codes[a:]))
            ivf.ntotal = len(records)
        self.ivf = ivf

    def search(self, desc: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        desc = np.ascontiguousarray(desc, dtype=np.uint8)
        dq, branches = self.top.search(desc, self.vprobe)
        D, I = self.ivf.search_preassigned(np.ascontiguousarray(desc[:, :self.code_bytes]), k, branches, dq)
        return D.astype(np.float32) * self.scale, I


class _RecordsFile:
    """The records file, read with pread. Not memory-mapped: every page a mapping touched would
    count as the searching process's resident memory for as long as it lives (the page cache
    keeps the pages either way, shared by every process). An open file: a file unlinked
    meanwhile (a compaction's previous one) stays readable until this lets go of it."""

    def __init__(self, path: Path, records: int, record: np.dtype = RECORD) -> None:
        self.file = open(path, "rb", buffering=0)
        self.records, self.record = records, record
        if os.fstat(self.file.fileno()).st_size < records * record.itemsize:
            self.file.close()
            raise ValueError(f"{path} holds fewer than the {records} records its index names: it was cut short; "
                             "rebuild the index")

    def read(self, a: int, b: int) -> np.ndarray:
        size = self.record.itemsize
        data = os.pread(self.file.fileno(), (b - a) * size, a * size)
        if len(data) != (b - a) * size:
            raise ValueError(f"{self.file.name} ends before record {b}: the records file is cut short; rebuild the index")
        return np.frombuffer(data, self.record)

    def prefetch(self, a: int, b: int) -> None:
        size = self.record.itemsize
        os.posix_fadvise(self.file.fileno(), a * size, (b - a) * size, os.POSIX_FADV_WILLNEED)


def saved_files(path: str | os.PathLike) -> list[tuple[Path, int]]:
    """The files a search reads of the index saved at `path`, with the bytes of each it reads,
    as its meta.json names them (the index is not loaded): the newest checkpoint's postings and
    slots, read whole when a process opens the index, then the records file up to the records
    the checkpoint names (a shortlist's references at a time). A file gone meanwhile (another
    process's save or compaction replaced the checkpoint) is left out; nothing saved, nothing."""
    path = Path(path)
    try:
        meta = json.loads((path / "meta.json").read_text())
    except FileNotFoundError:
        return []
    tag = f"{meta['checkpoint']:06d}"
    files = []
    for f in sorted(path.glob(f"*-{tag}.np[yz]")):
        try:
            files.append((f, f.stat().st_size))
        except FileNotFoundError:
            continue
    if meta["records"]:
        record = record_dtype(meta.get("code_bytes", 32))
        files.append((path / meta.get("features_file", FEATURES), meta["records"] * record.itemsize))
    return files


WARM_CHUNK = 8 << 20   # bytes read at a time by `warm` (one buffer, reused)


def warm(files: list[tuple], budget: int | None = None, progress=None) -> int:
    """Read `files` ([(path, end)] or [(path, end, start)]: the bytes from `start`, 0 by
    default, to `end`, in order) into the page cache, at most `budget` bytes in all (None: all
    of them), sequentially through one reused buffer (the process does not grow);
    `progress(done, total)` after each chunk. Returns the bytes read. A file that has gone
    meanwhile (a compaction's previous one) is skipped; one that ends early is read as far as
    it goes."""
    spans = [(f[0], f[2] if len(f) > 2 else 0, f[1]) for f in files]
    total = sum(max(end - start, 0) for _, start, end in spans)
    total = total if budget is None else min(total, max(budget, 0))
    buf = memoryview(bytearray(WARM_CHUNK))
    done = 0
    for file, start, end in spans:
        if done >= total:
            break
        try:
            fd = os.open(file, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            length = min(max(end - start, 0), total - done)
            os.posix_fadvise(fd, start, length, os.POSIX_FADV_SEQUENTIAL)
            offset = 0
            while offset < length:
                n = os.preadv(fd, [buf[:min(WARM_CHUNK, length - offset)]], start + offset)
                if n <= 0:   # shorter than named: what there is is read
                    break
                offset += n
                if progress is not None:
                    progress(done + offset, total)
            done += offset
        finally:
            os.close(fd)
    return done


def memory_available() -> int | None:
    """Bytes the kernel says new use can take without swapping (MemAvailable: free memory and
    the page cache it can drop), or None where /proc/meminfo does not say."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _copy(src, out, offset: int, length: int) -> None:
    """`length` bytes of `src` from `offset` appended to `out` (kernel-side where it can)."""
    while length > 0:
        try:
            n = os.copy_file_range(src.fileno(), out.fileno(), length, offset)
        except (AttributeError, OSError):
            src.seek(offset)
            n = out.write(src.read(min(length, 64 << 20)))
        if n <= 0:
            raise ValueError(f"{src.name} ends before record byte {offset}: the records file is cut short")
        offset += n
        length -= n


@dataclass
class Compaction:
    """A compaction written and not yet installed (Index.compaction, Index.install)."""

    name: str                 # the new records file's name
    tmp: Path                 # where it lies until installed
    keep: np.ndarray          # the live slots, in their new order
    start: np.ndarray
    count: np.ndarray
    postings: _Postings
    changes: int              # the index's changes counter when it was planned
    checkpoint: int
    freed_records: int
    record: np.dtype = RECORD

    @property
    def freed_bytes(self) -> int:
        return _bytes_of(self.freed_records, self.record)

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


_CORES = os.cpu_count() or 1
_MATCHER = cv2.BFMatcher(cv2.NORM_HAMMING)


@functools.lru_cache(maxsize=2)
def _tree_index(voc: Vocabulary):
    """The vocabulary tree as nested faiss binary IVF indexes searched with nprobe 1: one a
    vocabulary in a process (18 ms to build; searched read-only), shared by its indexes, its
    shards and the indexes a reload loads."""
    from .vocabulary import BRANCH

    def ivf_over(quantizer, centroids):
        nlist = len(centroids) // BRANCH
        ivf = faiss.IndexBinaryIVF(quantizer, 256, nlist)
        ivf.own_fields = False
        ivf.is_trained = True
        for lst in range(nlist):
            codes = np.ascontiguousarray(centroids[lst * BRANCH:(lst + 1) * BRANCH])
            ids = np.arange(lst * BRANCH, (lst + 1) * BRANCH, dtype=np.int64)
            ivf.invlists.add_entries(lst, BRANCH, faiss.swig_ptr(ids), faiss.swig_ptr(codes))
        ivf.ntotal = len(centroids)
        ivf.nprobe = 1
        ivf._keep = (quantizer, centroids)   # the Python objects faiss points into
        return ivf

    levels = [np.ascontiguousarray(lv.reshape(len(lv) * BRANCH, 4)).view(np.uint8).reshape(-1, 32)
              for lv in voc.levels]
    top = faiss.IndexBinaryFlat(256)
    top.add(levels[0])
    index = top
    for centroids in levels[1:]:
        index = ivf_over(index, centroids)
    return index
