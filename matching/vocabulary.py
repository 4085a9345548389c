"""A visual vocabulary for ORB descriptors: a tree of binary k-means clusters
(64 branches, 3 levels: 262,144 words), as in Nister & Stewenius' vocabulary tree
and DBoW2. A descriptor's word is the leaf reached by taking the nearest centroid
(Hamming distance) at every level.

The tree ships with the package (`vocabulary.npz`, 8.6 MB); it was trained by

    python -m matching.vocabulary train --out matching/vocabulary.npz

on the photographs bundled with scikit-image, rotated and rescaled, so that no
model is fetched at run time. Any ORB vocabulary of this shape works: the index
records a fingerprint of the one it was built with and refuses another."""
from __future__ import annotations

import argparse
import hashlib
import sys
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np

BRANCH = 64
DEPTH = 3
WORDS = BRANCH ** DEPTH
PATH = Path(str(files("matching") / "vocabulary.npz"))   # package data


class Vocabulary:
    """levels[d] holds BRANCH**(d+1) centroids as (.., 4) uint64: the children of node i
    at level d-1 are rows i*BRANCH .. i*BRANCH+BRANCH-1 of level d."""

    def __init__(self, levels: list[np.ndarray]):
        self.levels = [np.ascontiguousarray(lv.reshape(-1, 32)).view(np.uint64).reshape(-1, BRANCH, 4)
                       for lv in levels]
        self.fingerprint = hashlib.sha256(b"".join(lv.tobytes() for lv in self.levels)).hexdigest()[:16]

    def quantize(self, desc: np.ndarray, chunk: int = 65536) -> np.ndarray:
        """(n, 32) uint8 descriptors -> (n,) uint32 word numbers."""
        desc = np.ascontiguousarray(desc, dtype=np.uint8)
        out = np.empty(len(desc), np.uint32)
        for s in range(0, len(desc), chunk):
            d = desc[s:s + chunk].view(np.uint64).reshape(-1, 1, 4)
            node = np.zeros(len(d), np.int64)
            for level in self.levels:
                kids = level[node]                                   # (m, BRANCH, 4)
                dist = np.bitwise_count(kids ^ d).sum(axis=2, dtype=np.uint16)
                node = node * BRANCH + dist.argmin(axis=1)
            out[s:s + chunk] = node
        return out

    def save(self, path: Path) -> None:
        np.savez(path, **{f"level{i}": lv.view(np.uint8).reshape(-1, 32) for i, lv in enumerate(self.levels)})


@lru_cache(maxsize=1)
def default() -> Vocabulary:
    with np.load(PATH) as z:
        return Vocabulary([z[f"level{i}"] for i in range(DEPTH)])


# ---------------------------------------------------------------- training

def _binary_kmeans(x: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k binary centroids (k, 32) of (n, 32) uint8 descriptors: k-means on the bits, rounded."""
    import faiss

    if len(x) <= k:  # too few points: repeat them (a word nobody else uses costs nothing)
        reps = x[np.arange(k) % max(1, len(x))] if len(x) else np.zeros((k, 32), np.uint8)
        return reps
    bits = np.unpackbits(x, axis=1).astype(np.float32)
    km = faiss.Kmeans(256, k, niter=12, seed=seed, verbose=False, min_points_per_centroid=1)
    km.train(bits)
    return np.packbits(km.centroids >= 0.5, axis=1)


def train(desc: np.ndarray, seed: int = 1, progress=None) -> Vocabulary:
    """Top-down: cluster all descriptors, then the members of every node again."""
    levels = [_binary_kmeans(desc, BRANCH, seed)]
    d = desc.view(np.uint64).reshape(-1, 1, 4)
    for depth in range(1, DEPTH):
        node = np.zeros(len(desc), np.int64)          # each descriptor's node at this depth
        for lv in levels:
            lv = lv.view(np.uint64).reshape(-1, BRANCH, 4)
            node = node * BRANCH + np.bitwise_count(lv[node] ^ d).sum(axis=2).argmin(axis=1)
        order = np.argsort(node, kind="stable")
        bounds = np.searchsorted(node[order], np.arange(BRANCH ** depth + 1))
        nxt = np.zeros((BRANCH ** (depth + 1), 32), np.uint8)
        for i in range(BRANCH ** depth):
            nxt[i * BRANCH:(i + 1) * BRANCH] = _binary_kmeans(desc[order[bounds[i]:bounds[i + 1]]], BRANCH, seed + i)
            if progress:
                progress(depth, i)
        levels.append(nxt)
    return Vocabulary(levels)


def training_images(folders: list[str]) -> list[Path]:
    """scikit-image's photographs, and every picture under the given folders (of a set of
    sizes of one picture, as wallpaper packages ship them, only the largest)."""
    import skimage

    data = Path(skimage.__file__).parent / "data"
    files = sorted(p for p in data.iterdir() if p.suffix in (".png", ".jpg"))
    for folder in folders:
        by_picture: dict[Path, Path] = {}
        for p in sorted(Path(folder).rglob("*")):
            if p.suffix.lower() not in (".png", ".jpg", ".jpeg"):
                continue
            key = p.parent if p.parent.name == "images" else p
            if key not in by_picture or p.stat().st_size > by_picture[key].stat().st_size:
                by_picture[key] = p
        files += sorted(by_picture.values())
    return files


def _training_descriptors(files: list[Path]) -> np.ndarray:
    import cv2

    from .decode import DecodeError, load_gray
    from .features import extract

    out = []
    for p in files:
        try:
            gray = load_gray(p, 1024)
        except DecodeError:
            continue
        h, w = gray.shape
        for angle in (0, 20, 45):
            rot = cv2.warpAffine(gray, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h),
                                 borderMode=cv2.BORDER_REFLECT)
            for s in (1.0, 0.6, 0.35):
                img = cv2.resize(rot, (max(32, int(w * s)), max(32, int(h * s))), interpolation=cv2.INTER_AREA)
                for mirror in (False, True):
                    f = extract(np.ascontiguousarray(img[:, ::-1]) if mirror else img, 2000)
                    out.append(f.desc)
        print(f"{p.name}: {sum(len(d) for d in out)} descriptors", file=sys.stderr)
    return np.concatenate(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m matching.vocabulary")
    ap.add_argument("command", choices=["train"])
    ap.add_argument("--out", default=str(PATH))
    ap.add_argument("folders", nargs="*", help="more folders of pictures to train on")
    args = ap.parse_intermixed_args(argv)
    desc = _training_descriptors(training_images(args.folders))
    print(f"training on {len(desc)} descriptors", file=sys.stderr)
    voc = train(desc, progress=lambda d, i: (i % 512 == 0) and print(f"level {d}: node {i}", file=sys.stderr))
    voc.save(Path(args.out))
    print(f"vocabulary {voc.fingerprint} -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
