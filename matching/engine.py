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
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from .decode import DecodeError, Source, load_gray
from .features import Features, extract, extract_multi

# References are described at two scales (the coarse one matches copies that appear
# small: screenshots, thumbnails); queries as they are and mirrored.
REF_SIDE = 800
REF_SCALES = ((1.0, 600), (0.4, 150))
QUERY_SIDE = 1024
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


# query_signature's second variant is the mirrored image: x -> 1 - x in normalised coordinates
_MIRROR = np.array([[-1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


def _as_tuple(found) -> tuple[float, ...] | None:
    if found is None:
        return None
    variant, H = found
    if variant == 1:
        H = H @ _MIRROR
    if not np.isfinite(H).all() or abs(H[2, 2]) < 1e-9:   # a degenerate fit: no placement
        return None
    H = H / H[2, 2]
    return tuple(round(float(x), 6) for x in H.ravel()) if np.isfinite(H).all() else None


def signature(image: Source) -> Features:
    """A reference's signature (keypoints and descriptors). Store it with
    `signature_bytes` to rebuild an index later without decoding images again."""
    return extract_multi(load_gray(image, REF_SIDE, max_decode_bytes=REF_DECODE_BYTES), REF_SCALES)


def query_signature(image: Source) -> list[Features]:
    """A query's description: the image and its mirror (ORB is not mirror-invariant)."""
    gray = load_gray(image, QUERY_SIDE, QUERY_MIN_SIDE)
    return [extract(gray, QUERY_POINTS), extract(np.ascontiguousarray(gray[:, ::-1]), QUERY_POINTS)]


def signature_bytes(features: Features) -> bytes:
    out = io.BytesIO()
    np.savez_compressed(out, xy=features.xy, desc=features.desc, scale=features.scale,
                        size=np.array(features.size, np.int32))
    return out.getvalue()


def signature_from_bytes(data: bytes) -> Features:
    z = np.load(io.BytesIO(data))
    return Features(z["xy"], z["desc"], tuple(int(v) for v in z["size"]), z["scale"])


class Engine:
    """An index of references in a folder, searched for copies of a query image."""

    def __init__(self, path: str | Path, index) -> None:
        self.path = Path(path)
        self._index = index
        self._lock = threading.RLock()
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()

    @classmethod
    def open(cls, path: str | Path) -> "Engine":
        """The index saved in `path`, or a new empty one there."""
        from .index import Index

        path = Path(path)
        index = Index.load(path) if (path / "meta.json").exists() else Index()
        return cls(path, index)

    def __len__(self) -> int:
        return len(self._index)

    @property
    def checkpoint(self) -> int:
        return self._index.checkpoint

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

    def search(self, image: Source | list[Features], k: int = 5) -> list[Match]:
        """The k most alike references, best first."""
        variants = image if isinstance(image, list) else query_signature(image)
        transforms: dict = {}
        with self._lock:
            found = self._index.search(variants, k, transforms)
        return [Match(ref, score, score >= THRESHOLD, _as_tuple(transforms.get(ref))) for ref, score in found]

    def save(self) -> None:
        with self._lock:
            self._index.save(self.path)

    # -- keeping a long-running reader in step with the writer ---------------------------------

    def reload_if_changed(self) -> bool:
        """Load the saved index in the background of the caller and swap it in when its
        checkpoint is newer than ours (as Hasher-Matcher-Actioner does)."""
        import json

        from .index import Index

        meta = self.path / "meta.json"
        if not meta.exists():
            return False
        if json.loads(meta.read_text()).get("checkpoint", 0) <= self._index.checkpoint:
            return False
        fresh = Index.load(self.path)
        fresh._flush()
        with self._lock:
            self._index = fresh
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
