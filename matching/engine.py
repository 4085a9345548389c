"""The engine's Python API: describe images, keep an index of references, search it.

    engine = Engine.open("instance/matching")
    engine.add("work-17", "photo.jpg")
    engine.save()
    for hit in engine.search("sighting.jpg", k=5):
        print(hit.ref_id, hit.score, hit.match)
"""
from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import cv2
import numpy as np

from .decode import DecodeError, Source, load_gray
from .features import Features, extract, extract_multi, mirrored
from .hashes import image_hash, score as hash_score

# References are described at two scales (the coarse one matches copies that appear
# small: screenshots, thumbnails); queries as they are and mirrored.
REF_SIDE = 800
REF_SCALES = ((1.0, 600), (0.4, 150))
# A query is decoded to the references' side: a copy at the size of its work is then described
# at the same pyramid levels, and a query costs 0.6 of the pixels it did at 1,024. Chosen on the
# tuning set (docs/benchmarks.md): micro-AP 0.924 at 720, 0.937 at 800, 0.933 at 900, 0.935 at
# 1,024; a query searched 9% faster at 800 than at 1,024.
QUERY_SIDE = 800
# What decoding may cost (decode.MAX_DECODE_BYTES for queries, which come from anywhere on the
# web): a reference is a client's own original, often a large TIFF or PNG, and may cost more.
REF_DECODE_BYTES = 512 * 1024 * 1024
QUERY_MIN_SIDE = 640
QUERY_POINTS = 1500
# Scores are in [0, 1); at or above this a match is called a copy.
THRESHOLD = 0.5


@dataclass(frozen=True)
class Match:
    ref_id: str
    score: float
    match: bool
    # Where the query lies on the reference: a 3x3 homography (row by row) from the query's
    # normalised coordinates (0..1 across and down) to the reference's, when one was verified.
    transform: tuple[float, ...] | None = None


# A query is described in stages; each is searched only when those before it found no copy
# (no score at the threshold). The first, the image as it is, finds most copies. The second is
# the mirrored image (ORB is not mirror-invariant; its descriptors are computed at the first
# stage's points, about 0.4 of a description). The third is WINDOWS, parts of the query enlarged
# to WINDOW_SIDE, so that a copy that is a small part of the query (a picture inside a screenshot
# of a web page, on a background, under a wide caption) gets points of its own instead of the
# few the whole image's budget leaves it. A copy found at the first stage costs one description.
# Windows: the four corners of the query, each 0.6 of its sides (so they overlap over the
# middle), at 1,024 pixels and 1,200 points each. Chosen on a tuning set of other images
# (Debian's plasma-workspace-wallpapers, lomiri-wallpapers and lomiri-wallpapers-20.04, with
# oxygen-icon-theme's icons as other references; docs/benchmarks.md), never on the yardsticks
# they are scored with: there 0.6/1,024/1,000 over four corners gave micro-AP 0.926, against
# 0.901 at 720 pixels and 500 points (0.899 with the centre as a fifth window), 0.878 without
# windows. Later, with scores from under 30 pairs counted only as matches (Index.PARAMS
# weak_pairs): 800, 1,000, 1,200 and 1,500 points gave 0.924, 0.940, 0.945 and 0.942; 900 and
# 960 pixels 0.929 and 0.933.
WINDOW = 0.6
WINDOWS = ((0.0, 0.0), (1 - WINDOW, 0.0), (0.0, 1 - WINDOW), (1 - WINDOW, 1 - WINDOW))
WINDOW_SIDE = 1024
WINDOW_POINTS = 1200
# FAST thresholds a window tries before the configuration's (features.CFG "fast") when its whole
# query is corner-dense: found its points at the first of those, with WINDOW_DENSE corners a
# pixel or more at FAST 40 (features.DENSITY_FAST). Such a picture (foliage, gravel, a page of
# small print, noise) then finds its window's points at a higher threshold, where FAST has far
# fewer candidate corners to score. On 20 noise pictures (600 x 400, as the pictures that are no
# work in benchmarks/hits_ingest.py) the whole and the windows were described in 140 ms instead
# of 254. Not for every picture whose whole needed only the first threshold: on ordinary photos
# the two failed tries made the windows 15-27% slower (a review's measurement, docs/
# benchmarks.md). The bound lies between Debian's wallpapers and scikit-image's photos (at most
# 0.0105 corners a pixel at 40) and corner-dense patterns (0.0187-0.036; noise 0.065 and more).
WINDOW_FAST_ABOVE: tuple[int, ...] = (80, 40)
WINDOW_DENSE = 0.015
# A CLOSER LOOK at a copy found small: when the first or second stage finds a copy that spans
# at most CLOSER_SHARE of the query across and down (a picture inside a screenshot, on a page,
# under a wide border), its part of the query (with CLOSER_MARGIN around) is enlarged to
# WINDOW_SIDE, described and verified again as a probe: a second plane it shows (another
# photograph of the same scene, taken from beside: a stereo view; Index.plane_factor) discounts
# the copy's score, as the whole query's does for what its windows find. At the whole query's
# scale such a copy has too few of its points for the parallax to show; enlarged, it gets
# WINDOW_POINTS of its own (at 0.8 of an 800-pixel query, 1.6 times the pixels across). A copy
# that fills the query (a crop, a thumbnail of the work) gets none: enlarged, it would show
# nothing new. Copies found by the windows had theirs (the windows are parts enlarged). The
# tuning set (docs/benchmarks.md) gave the same answers with 2/3, 0.8 and a first version gated
# on the enlargement alone (1.5 times or more, which also took whole queries under 683 pixels).
CLOSER_SHARE = 0.8
CLOSER_MARGIN = 0.1

_UNIT = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
# frame of the mirrored variant: x -> 1 - x in normalised coordinates (its own inverse)
_MIRROR = np.array([[-1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


@dataclass
class Variant:
    """One description of a query searched by the index: its features, and `frame`, the 3x3
    map from the variant's normalised coordinates to the query's (identity: the query itself)."""

    features: Features
    frame: np.ndarray | None = None
    window: bool = False     # a part of the query enlarged (its second planes are the whole's)


class Query:
    """A query image: its perceptual hash (hashes.image_hash, None for a flat picture), and its
    description stage by stage (see WINDOWS), each when a search needs it; a near-exact copy,
    found by its hash, needs none. Picklable: one process may decode it, another search it."""

    def __init__(self, gray: np.ndarray) -> None:
        self.gray = gray
        self.hash = image_hash(gray)
        self._mirror_hash: np.ndarray | None | bool = False   # False: not computed yet
        self.stages: list[list[Variant]] = []
        self._points = np.zeros((0, 6), np.float32)
        self._fast = None
        self._density = 0.0

    @property
    def mirror_hash(self) -> np.ndarray | None:
        """The perceptual hash of the query mirrored (None as for `hash`), computed when first
        asked for: only a query its own hash does not find needs it."""
        if self._mirror_hash is False:
            self._mirror_hash = image_hash(np.ascontiguousarray(self.gray[:, ::-1]))
        return self._mirror_hash

    def stage(self, n: int) -> list[Variant]:
        """The n-th stage's variants (0: as it is; 1: mirrored; 2: the windows)."""
        while len(self.stages) <= n:
            m = len(self.stages)
            self.stages.append(self._whole() if m == 0 else
                               [Variant(mirrored(self.gray, self._points), _MIRROR)] if m == 1 else
                               self._windows() if m == 2 else [])
        return self.stages[n]

    def _whole(self) -> list[Variant]:
        found: dict = {}
        whole = Variant(extract(self.gray, QUERY_POINTS, found))
        self._points = found.get("points", self._points)
        self._fast = found.get("fast")
        self._density = found.get("density", 0.0)
        return [whole]

    def closer(self, placed: tuple[float, ...], mirror: bool) -> Variant | None:
        """The part of the query where a copy was placed (`placed`: query -> work, normalised,
        as Match.transform), enlarged to WINDOW_SIDE and described (mirrored when the copy was
        found mirrored): None when the copy spans more than CLOSER_SHARE of the query, or when
        its part would not be enlarged."""
        H = np.array(placed, np.float64).reshape(3, 3)
        try:
            corners = _UNIT @ np.linalg.inv(H).T          # the work's corners in the query
        except np.linalg.LinAlgError:
            return None
        if not (np.isfinite(corners).all() and (corners[:, 2] > 1e-9).all()):
            return None                                   # a corner at or beyond infinity
        quad = corners[:, :2] / corners[:, 2:]
        lo, hi = np.clip(quad.min(axis=0), 0, 1), np.clip(quad.max(axis=0), 0, 1)
        if (hi - lo).max() > CLOSER_SHARE:                # the copy fills the query
            return None
        lo, hi = np.clip(lo - CLOSER_MARGIN * (hi - lo), 0, 1), np.clip(hi + CLOSER_MARGIN * (hi - lo), 0, 1)
        h, w = self.gray.shape[:2]
        x0, y0 = int(lo[0] * w), int(lo[1] * h)
        x1, y1 = int(np.ceil(hi[0] * w)), int(np.ceil(hi[1] * h))
        if x1 - x0 < 16 or y1 - y0 < 16:
            return None
        zoom = WINDOW_SIDE / max(x1 - x0, y1 - y0)
        if zoom <= 1.0:   # a wide panorama's part: not enlarged, its points are the whole's
            return None
        crop = self.gray[y0:y1, x0:x1]
        if mirror:
            crop = np.ascontiguousarray(crop[:, ::-1])
        return Variant(extract(_enlarged(crop, zoom), WINDOW_POINTS, lowest_first=self._fast), None, window=True)

    def _windows(self) -> list[Variant]:
        gray = self.gray
        out: list[Variant] = []
        h, w = gray.shape[:2]
        ww, wh = max(1, round(w * WINDOW)), max(1, round(h * WINDOW))
        zoom = WINDOW_SIDE / max(ww, wh)
        if zoom <= 1.0:   # a window would not be enlarged: its points are the whole query's
            return out
        above = WINDOW_FAST_ABOVE if self._density >= WINDOW_DENSE else ()
        for fx, fy in WINDOWS:
            x0, y0 = round(fx * w), round(fy * h)
            crop = gray[y0:y0 + wh, x0:x0 + ww]
            big = _enlarged(crop, zoom)
            frame = np.array([[crop.shape[1] / w, 0.0, x0 / w], [0.0, crop.shape[0] / h, y0 / h], [0.0, 0.0, 1.0]])
            features = extract(big, WINDOW_POINTS, lowest_first=self._fast, above=above)
            out.append(Variant(features, frame, window=True))
        return out


def _enlarged(crop: np.ndarray, zoom: float) -> np.ndarray:
    """A part of the query enlarged `zoom` times (a window, a closer look)."""
    return cv2.resize(crop, (round(crop.shape[1] * zoom), round(crop.shape[0] * zoom)),
                      interpolation=cv2.INTER_LINEAR)


def _placement(H: np.ndarray, frame: np.ndarray | None) -> tuple[float, ...] | None:
    """A variant's homography (variant -> reference) as one from the query: H after the
    inverse of the variant's frame."""
    if frame is not None:
        H = H @ np.linalg.inv(frame)
    if not np.isfinite(H).all() or abs(H[2, 2]) < 1e-9:   # a degenerate fit: no placement
        return None
    H = H / H[2, 2]
    return tuple(round(float(x), 6) for x in H.ravel()) if np.isfinite(H).all() else None


# Where a near-exact copy found by its hash lies on its work: the whole query on the whole work
# (its normalised coordinates are the work's: a resized, recompressed or stretched copy), and
# for one found by its mirror's hash the whole query mirrored on it (x -> 1 - x).
WHOLE = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
MIRRORED = tuple(float(v) for v in _MIRROR.ravel())


def staged_search(image, k: int, run, near=None) -> list["Match"]:
    """Search a query: first by its perceptual hash with `near(hash)` (the references that
    are near-exact copies: [(ref id, bits apart)], nearest first), and when that finds one,
    those are the answer, placed over the whole work (WHOLE); else by its mirror's hash, the
    same way (a mirrored near-exact copy, placed MIRRORED); else stage by stage with
    `run(features list, k, transforms, planes)` (one index's or the shards' search), stopping
    at the first stage that finds a copy; a reference's score is its best over the stages
    searched. What the whole query shows holds for its windows: a reference that the whole
    query shows to be another photograph of the same scene (a second plane,
    Index.plane_factor) keeps that discount whatever a window finds. `image`: a source, a
    Query, or a list of Features (one stage, described already: the hash's near-exact copies
    are then merged with what the description finds, each reference at its best score, so a
    work looked for in other portfolios finds its resized twin and a crop of it alike)."""
    if isinstance(image, list):
        query_hash = image[0].hash if len(image) == 1 else None
        stages = [lambda: [Variant(f) for f in image]]
    else:
        query = image if isinstance(image, Query) else query_signature(image)
        query_hash = query.hash
        # the mirror alone (a mirrored copy costs one description more, not five); then the
        # windows, with the whole query (the first variant, a probe for second planes) and its
        # mirror searched again, so that every reference a window shortlists is also verified
        # with both
        stages = [lambda: query.stage(0), lambda: query.stage(1),
                  lambda: query.stage(0) + query.stage(1) + query.stage(2) if query.stage(2) else []]
    found = near(query_hash) if near is not None and query_hash is not None else []
    if found and not isinstance(image, list):
        return [Match(ref, hash_score(bits), True, WHOLE) for ref, bits in found[:k]]
    if near is not None and query_hash is not None and not isinstance(image, list):
        # a mirrored copy costs no description either (a picture without a hash has none mirrored)
        flipped = near(query.mirror_hash) if query.mirror_hash is not None else []
        if flipped:
            return [Match(ref, hash_score(bits), True, MIRRORED) for ref, bits in flipped[:k]]
    best: dict[str, tuple[float, tuple | None]] = {ref: (hash_score(bits), WHOLE) for ref, bits in found}
    closer: dict[tuple[str, bool], float] = {}   # (work, mirrored): a closer look's second-plane factor
    for describe in stages:
        variants = describe()
        if not variants:
            continue
        transforms: dict = {}
        planes: dict[str, float] = {}
        windows = any(v.window for v in variants)
        for ref, score in run([v.features for v in variants], k, transforms, planes if windows else None):
            placed = transforms.get(ref)
            variant = variants[placed[0]] if placed else None
            placement = _placement(placed[1], variant.frame) if placed else None
            mirror = variant is not None and variant.frame is _MIRROR
            # a closer look once per work and orientation; what it shows holds for every later
            # score of that work in that orientation (the mirror is verified again with the windows)
            if (score >= THRESHOLD and placement and not variant.window and not isinstance(image, list)
                    and (ref, mirror) not in closer):
                closer[ref, mirror] = _closer_look(query, placement, mirror, ref, run)
            factor = closer.get((ref, mirror), 1.0)
            if variant is not None and variant.window:
                factor = min(planes.get(ref, 1.0), factor)
            if factor < 1.0:
                score = round(score * factor, 6)
            if ref not in best or score > best[ref][0]:
                best[ref] = (score, placement)
        if any(score >= THRESHOLD for score, _ in best.values()):
            break
    ranked = sorted(best.items(), key=lambda t: -t[1][0])[:k]
    return [Match(ref, score, score >= THRESHOLD, placed) for ref, (score, placed) in ranked]


def _closer_look(query: Query, placement: tuple[float, ...], mirror: bool, ref: str, run) -> float:
    """The second-plane factor (Index.plane_factor) of `ref` for the query's part where the
    copy was placed, enlarged (Query.closer); 1 when the copy spans too much of the query for
    an enlarged part to tell more than the stage that found it (CLOSER_SHARE), or when the
    enlarged part does not shortlist the work."""
    variant = query.closer(placement, mirror)
    if variant is None:
        return 1.0
    planes: dict[str, float] = {}
    run([variant.features], 1, None, planes)
    return planes.get(ref, 1.0)


# The share of the memory available (index.memory_available) that warming fills at most: the
# page cache holds what was read last, so reading more than fits would drop the first part
# for the last, and the rest is left to the other programs on the machine.
WARM_SHARE = 0.9
# How many times warming lists the index's files (a save or a compaction meanwhile names others)
WARM_LISTINGS = 3


def warm_index(files, progress=None) -> dict:
    """Read an index's files into the page cache, as far as WARM_SHARE of the memory available
    allows. `files()` lists them ([(path, bytes)], Engine.warm_files): listed again once read,
    and what a save or a compaction named meanwhile is read too (WARM_LISTINGS times at most;
    a file only grows, so a records file a save appended to is read on from where it was).
    `progress(done, total)`: the bytes of the files named that are read, of all of theirs.
    Returns, of the files named last: how much of them was read, of how much, whether all of
    them fit, which ones ended before the bytes named ("short": a damaged index), which ones
    were named after the last listing read ("changed": saved or compacted again meanwhile),
    and how long it took."""
    from .index import memory_available, warm

    available = memory_available()
    budget = None if available is None else int(WARM_SHARE * available)
    started = time.perf_counter()
    read: dict[Path, int] = {}     # bytes read of each file, from its start
    tried: dict[Path, int] = {}    # the bytes each file was named with when it was read
    named = files()
    for _ in range(WARM_LISTINGS):
        todo = [(f, b) for f, b in named if b > tried.get(f, 0)]
        if not todo:
            break
        total = sum(b for _, b in named)
        for f, b in todo:
            spent = sum(read.get(g, 0) for g, _ in named)    # (files no longer named have left the cache)
            left = None if budget is None else max(budget - spent, 0)
            step = None if progress is None else (lambda d, _t, base=spent: progress(base + d, total))
            read[f] = read.get(f, 0) + warm([(f, b, read.get(f, 0))], left, step)
            tried[f] = b
        named = files()
    size = sum(b for _, b in named)
    fits = budget is None or size <= budget
    warmed = sum(min(read.get(f, 0), b) for f, b in named)
    cut = budget is not None and warmed >= budget     # the budget, not the file, ended the read
    return {"bytes": size, "warmed": warmed, "fits": fits,
            "short": [str(f) for f, b in named if not cut and tried.get(f, 0) >= b and read.get(f, 0) < b],
            "changed": [str(f) for f, b in named if tried.get(f, 0) < b],
            "seconds": round(time.perf_counter() - started, 3), "memory_available": available}


def signature(image: Source) -> Features:
    """A reference's signature (keypoints and descriptors). Store it with
    `signature_bytes` to rebuild an index later without decoding images again."""
    gray = load_gray(image, REF_SIDE, max_decode_bytes=REF_DECODE_BYTES)
    features = extract_multi(gray, REF_SCALES)
    features.hash = image_hash(gray)
    return features


def query_signature(image: Source) -> Query:
    """A query decoded and its first stage described (the rest when a search needs it)."""
    return Query(load_gray(image, QUERY_SIDE, QUERY_MIN_SIDE))


def signature_bytes(features: Features) -> bytes:
    """A signature as bytes to store: its keypoints, descriptors and perceptual hash (an empty
    one when its picture has none: flat, or mostly canvas)."""
    out = io.BytesIO()
    np.savez_compressed(out, xy=features.xy, desc=features.desc, scale=features.scale,
                        size=np.array(features.size, np.int32),
                        hash=np.zeros(0, np.uint64) if features.hash is None else features.hash)
    return out.getvalue()


def signature_from_bytes(data: bytes) -> Features:
    z = np.load(io.BytesIO(data))
    # a signature stored before the hash tier has no hash: its reference is found by description only
    return Features(z["xy"], z["desc"], tuple(int(v) for v in z["size"]), z["scale"],
                    z["hash"] if "hash" in z.files and z["hash"].size else None)


def hashed_signature(data: bytes) -> bool:
    """Whether a stored signature was made with the perceptual-hash tier: it holds its picture's
    hash, or the mark that the picture has none (describing it again would give none either)."""
    return "hash" in np.load(io.BytesIO(data)).files


class Engine:
    """An index of references in a folder, searched for copies of a query image."""

    def __init__(self, path: str | Path, index) -> None:
        self.path = Path(path)
        self._index = index
        self._lock = threading.RLock()
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self._meta_seen: tuple | None = None   # meta.json's (inode, mtime, size) when last read

    @classmethod
    def open(cls, path: str | Path, code_bytes: int | None = None) -> "Engine":
        """The index saved in `path`, or a new empty one there, whose records keep `code_bytes`
        of each descriptor (index.record_dtype; the whole, 32, by default). A saved index keeps
        its own: asking for another is a ValueError (rebuild the index to change it)."""
        from .index import Index

        path = Path(path)
        if not (path / "meta.json").exists():
            return cls(path, Index(code_bytes=code_bytes))
        index = Index.load(path)
        if code_bytes is not None and code_bytes != index.code_bytes:
            raise ValueError(f"the index at {path} keeps {index.code_bytes} bytes of each descriptor, "
                             f"not {code_bytes}; build it again in an empty folder to change that")
        return cls(path, index)

    def __len__(self) -> int:
        return len(self._index)

    @property
    def checkpoint(self) -> int:
        return self._index.checkpoint

    @property
    def code_bytes(self) -> int:
        """Bytes of each descriptor the index's records keep (32: all; fewer: compact records)."""
        return self._index.code_bytes

    def add(self, ref_id: str, image: Source | Features) -> None:
        """Add (or replace) a reference: an image, or a signature computed before."""
        features = image if isinstance(image, Features) else signature(image)
        with self._lock:
            self._index.add_many([(str(ref_id), features)])

    def add_many(self, items: Iterable[tuple[str, Source | Features]]) -> list[tuple[str, str]]:
        """Add many references; returns (ref_id, error) for those that could not be read."""
        errors, batch = [], []
        for ref_id, image in items:
            try:
                batch.append((str(ref_id), image if isinstance(image, Features) else signature(image)))
            except DecodeError as error:
                errors.append((str(ref_id), str(error)))
            if len(batch) >= 256:
                with self._lock:
                    self._index.add_many(batch)
                batch = []
        if batch:
            with self._lock:
                self._index.add_many(batch)
        return errors

    def ref_ids(self) -> set[str]:
        """The ids of the references in the index."""
        with self._lock:
            return set(self._index.slot_of)

    def remove(self, ref_id: str) -> bool:
        with self._lock:
            return self._index.remove(str(ref_id))

    def unhashed(self) -> set[str]:
        """The ids of references without a perceptual hash (Index.unhashed)."""
        with self._lock:
            return self._index.unhashed()

    def search(self, image: Source | Query | list[Features], k: int = 5) -> list[Match]:
        """The k most alike references, best first (staged_search)."""
        def run(variants, k, transforms, planes):
            with self._lock:
                return self._index.search(variants, k, transforms, planes)

        def near(query_hash):
            with self._lock:
                return self._index.near_copies(query_hash)
        return staged_search(image, k, run, near)

    def make_searchable(self) -> None:
        """Build the search structure for what was added or loaded (word weights, the second
        postings list) now, not in the first search: before worker processes fork, so they
        share it, and before a query is timed."""
        with self._lock:
            self._index.make_searchable()

    def save(self) -> None:
        with self._lock:
            self._index.save(self.path)

    def removed_share(self) -> dict:
        """What removed references still take up until `compact` (Index.removed_share)."""
        with self._lock:
            return self._index.removed_share()

    def warm_files(self) -> list[tuple[Path, int]]:
        """The saved index's files a search reads and their bytes (index.saved_files)."""
        from .index import saved_files

        return saved_files(self.path)

    def warm(self, progress=None) -> dict:
        """Read the saved index's files into the page cache (warm_index), so that the first
        searches after a boot read memory, not the disk. Searches go on meanwhile. (Without an
        engine, and without loading the index: matching.shards.warm_saved.)"""
        return warm_index(self.warm_files, progress)

    def compact(self, progress=None) -> dict:
        """Rewrite the saved index without the records and postings of removed references, as
        its next checkpoint (readers elsewhere reload it as after any save). Searches go on
        while the files are written. The index must be saved (ValueError: it never saves
        another caller's change for it) and the newest on disk (StaleIndex). A change made
        meanwhile (an add, a removal, another process's save) wins: the compaction is dropped
        and ValueError (or StaleIndex) says to run it again. Returns what it freed."""
        with self._lock:
            index = self._index
            snap = index.snapshot(self.path)
            before = index.removed_share()
        if snap is None:
            return {"compacted": False, "freed_records": 0, "freed_bytes": 0, **before}
        plan = index.compaction(self.path, snap, progress)
        with self._lock:
            if self._index is not index:
                plan.discard()
                raise ValueError("the index was reloaded while it was being compacted; compact again")
            index.install(self.path, plan)
        return {"compacted": True, "freed_records": plan.freed_records,
                "freed_bytes": plan.freed_bytes, **before}

    # -- keeping a long-running reader in step with the writer ---------------------------------

    def reload_if_changed(self) -> bool:
        """Load the saved index in the background of the caller and swap it in when its
        checkpoint is another than ours (newer, or a folder rebuilt: as Hasher-Matcher-Actioner
        does)."""
        import json

        from .index import Index, identity

        meta = self.path / "meta.json"
        try:
            st = meta.stat()
        except FileNotFoundError:
            return False
        # meta.json is replaced whole (a rename) on every save: the same file, unchanged, is
        # the same checkpoint, and is not parsed again (it lists every reference's name: 90 ms
        # at a million, against a search's 30)
        seen = (st.st_ino, st.st_mtime_ns, st.st_size)
        if seen == self._meta_seen:
            return False
        if identity(json.loads(meta.read_text())) == self._index.identity:   # (the rule a save's check keeps)
            self._meta_seen = seen
            return False
        fresh = Index.load(self.path)
        fresh.make_searchable()
        with self._lock:
            self._index = fresh
        self._meta_seen = seen
        return True

    def watch(self, interval: float = 5.0) -> None:
        """Reload in a background thread whenever another process saves a newer index."""
        if self._watcher:
            return

        def loop():
            while not self._stop.wait(interval):
                try:
                    self.reload_if_changed()
                except (OSError, ValueError):
                    continue  # a save in progress: try again next time

        self._watcher = threading.Thread(target=loop, name="matching-reload", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        self._stop.set()
