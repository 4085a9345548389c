"""Local features: ORB keypoints and 256-bit binary descriptors.

Contrast is normalised (CLAHE) and the FAST threshold steps down until enough
corners are found, so smooth pictures still get points; points are spread over
a grid so that one textured region cannot take the whole budget."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

cv2.setNumThreads(1)

# The feature configuration. An index records it; queries are described the same way.
CFG = dict(grid=6, over=3.0, clahe=2.0, fast=[20, 10, 5, 2], fill=0.9, levels=8, scale=1.2, edge=19)


@dataclass
class Features:
    xy: np.ndarray      # (n, 2) float32 keypoint positions in the scaled image
    desc: np.ndarray    # (n, 32) uint8
    size: tuple         # (width, height) of the scaled image
    scale: np.ndarray | None = None  # (n,) float32 pyramid scale of each keypoint (localisation accuracy)
    hash: np.ndarray | None = None   # a reference's perceptual hash (hashes.image_hash), when it has one


_ORB = {}


def _orb(n: int, fast: int):
    key = (n, fast)
    if key not in _ORB:
        _ORB[key] = cv2.ORB_create(nfeatures=n, scaleFactor=CFG["scale"], nlevels=CFG["levels"],
                                   edgeThreshold=CFG["edge"], patchSize=31, fastThreshold=fast)
    return _ORB[key]


# FAST's threshold for `density` (corners a pixel of the contrast-normalised picture, level 0)
DENSITY_FAST = 40


@functools.cache
def _fast_detector(threshold: int):
    return cv2.FastFeatureDetector_create(threshold=threshold, nonmaxSuppression=True)


@functools.cache
def _quotas(n: int) -> tuple[int, ...]:
    """The points ORB keeps at most on each pyramid level of a description of n points: its
    share of n, decreasing with the level's area (OpenCV's orb.cpp, ORB_Impl::detectAndCompute,
    `nfeaturesPerLevel`; a test checks these against what ORB keeps on a corner-dense picture)."""
    factor = 1.0 / CFG["scale"]
    share = n * (1 - factor) / (1 - factor ** CFG["levels"])
    out = []
    for _ in range(CFG["levels"] - 1):
        out.append(round(share))
        share *= factor
    return (*out, max(n - sum(out), 0))


class _FirstLevel:
    """FAST's corners on the picture itself (the pyramid's first level), counted before ORB is
    run at a threshold that cannot find enough points. ORB keeps at most its quota
    (`_quotas`) of each level, so with c corners on the first level it finds at most
    n - q0 + min(c, q0): below what is needed, that threshold is skipped, and the points found
    are the same as trying it (FAST's corners are a subset of ORB's candidates there).

    A count at a higher threshold is a lower bound of the count at a lower one (a corner at a
    threshold is one at every lower one, and non-maximum suppression keeps it: it compares
    scores, which do not depend on the threshold), so a corner-dense picture's count at
    DENSITY_FAST, asked for anyway, spares the count at the first threshold; and what a failed
    ORB try kept on the first level bounds the lower thresholds likewise (`tried`). Smooth
    pictures (the demo's drawn landscapes, skies) step down from 20 to 2: ORB's tries at 20,
    10 and 5 cost several milliseconds a 1,024-pixel query, FAST's counts a fraction of that
    (docs/benchmarks.md).

    Not quite always the same: ORB keeps every point tied with the last one of a level's
    quota, so on an exactly periodic pattern (a pure checkerboard, whose corners all score
    alike) a level can keep more than its quota, and a threshold the bound skips would have
    sufficed; the description then ends at a lower one (a review found it on synthetic
    checkerboards and grids only: none on photos, drawn landscapes, grain, text pages, or a
    checkerboard once JPEG-compressed or with a photo in it; a strict xfail test)."""

    def __init__(self, img: np.ndarray, n: int) -> None:
        self.img, self.n = img, n
        self.counts: dict[int, int] = {}     # threshold -> first-level corners, counted
        self.at_least: dict[int, int] = {}   # threshold -> a lower bound of them

    def tried(self, threshold: int, kps) -> None:
        """ORB at `threshold` found too few in all: the points it kept on the first level are
        some of FAST's corners there, a lower bound at every lower threshold, for free (a
        picture that fills its first level but not the rest is not counted again)."""
        self.at_least[threshold] = sum(1 for k in kps if k.octave == 0)

    def corners(self, threshold: int) -> int:
        """First-level corners at `threshold`."""
        if threshold not in self.counts:
            self.counts[threshold] = len(_fast_detector(threshold).detect(self.img))
        return self.counts[threshold]

    def can_fill(self, threshold: int, need: float) -> bool:
        """Whether ORB at `threshold` could find `need` points, by the first level's count."""
        q0 = _quotas(self.n)[0]
        short = need - (self.n - q0)     # first-level points ORB needs at least
        if short <= 0 or any(t >= threshold and c >= short
                             for bounds in (self.counts, self.at_least) for t, c in bounds.items()):
            return True
        return self.corners(threshold) >= short


def _spread(kps, shape, g: int, n: int):
    """Keep n keypoints spread over a g x g grid: the strongest of every cell first, then the
    second strongest of every cell, ... (a textured region cannot take the whole budget)."""
    h, w = shape[:2]
    pt = _positions(kps)
    resp = np.array([k.response for k in kps], np.float32)
    cell = (np.minimum(pt[:, 1] * g / h, g - 1).astype(np.int32) * g
            + np.minimum(pt[:, 0] * g / w, g - 1).astype(np.int32))
    order = np.lexsort((-resp, cell))
    c = cell[order]
    first = np.r_[0, np.nonzero(np.diff(c))[0] + 1]
    rank = np.arange(len(c)) - np.repeat(first, np.diff(np.r_[first, len(c)]))
    pick = order[np.lexsort((-resp[order], rank))][:n]
    return [kps[i] for i in sorted(pick.tolist())]


def _empty(gray: np.ndarray) -> Features:
    return Features(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), (gray.shape[1], gray.shape[0]),
                    np.zeros(0, np.float32))


def _contrast(gray: np.ndarray) -> np.ndarray:
    if CFG["clahe"] > 0:
        return cv2.createCLAHE(clipLimit=CFG["clahe"], tileGridSize=(8, 8)).apply(gray)
    return gray


def extract(gray: np.ndarray, n: int = 1000, found: dict | None = None, lowest_first: int | None = None,
            above: tuple[int, ...] = ()) -> Features:
    """ORB on a grayscale image, lowering the FAST threshold until about n points are found
    (smooth, low-contrast pictures have few corners at the default threshold). `found`, a
    dict, receives "points", the keypoints (x, y, size, angle, response, octave) as an array
    (for `mirrored`), "fast", the threshold that found them, and "density", FAST corners a
    pixel at DENSITY_FAST when that was the first threshold (else 0). `lowest_first`: start at
    the first threshold no higher than this one (an enlarged part of an image that needed a
    low threshold needs one at least as low: the thresholds above it would be tried in vain).
    `above`: higher thresholds tried first when the description would start at the first one
    (a corner-dense picture finds its points there at less cost: FAST scores fewer corners)."""
    img = _contrast(gray)
    kps = []
    want = int(n * CFG["over"]) if CFG["grid"] else n
    steps = [ft for ft in CFG["fast"] if lowest_first is None or ft <= lowest_first] or CFG["fast"][-1:]
    if steps and steps[0] == CFG["fast"][0]:
        steps = [*above, *steps]
    first = _FirstLevel(img, want)
    if found is not None and steps[0] < DENSITY_FAST:
        first.corners(DENSITY_FAST)     # the density, asked for below: a lower bound at once
    for i, ft in enumerate(steps):
        # the last threshold is tried whatever it finds; a part of a query tries the whole
        # query's threshold directly (lowest_first: it mostly suffices), but not one above it
        checked = i < len(steps) - 1 and not (i == 0 and lowest_first is not None and not above)
        if checked and not first.can_fill(ft, CFG["fill"] * want):
            continue    # ORB could not find enough here: the next threshold would be tried
        orb = _orb(want, ft)
        kps = orb.detect(img, None)
        if len(kps) >= CFG["fill"] * want:
            break
        if i < len(steps) - 1:     # a lower threshold follows: what this try kept bounds it
            first.tried(ft, kps)
    if CFG["grid"] and len(kps) > n:
        kps = _spread(kps, img.shape, CFG["grid"], n)
        orb = _orb(n, CFG["fast"][0])
    if kps:
        kps, desc = orb.compute(img, kps)
    if not kps or desc is None:
        return _empty(gray)
    if found is not None:
        found["points"] = np.array([(*k.pt, k.size, k.angle, k.response, k.octave) for k in kps], np.float32)
        found["fast"] = ft
        # how corner-dense the picture is (only asked when the first threshold sufficed: a
        # picture that needed a lower one is not); under a millisecond on a query, counted
        # before the thresholds were tried (_FirstLevel)
        found["density"] = (first.corners(DENSITY_FAST) / img.size) if ft == CFG["fast"][0] else 0.0
    return _features(kps, desc, gray)


def _positions(kps) -> np.ndarray:
    """The keypoints' (x, y) as an (n, 2) float32 array: in one call, not an attribute read a
    point (1.2 ms for 4,500 points, a tenth of a description)."""
    if not len(kps):
        return np.zeros((0, 2), np.float32)
    return cv2.KeyPoint_convert(kps).reshape(-1, 2).astype(np.float32, copy=False)


def _features(kps, desc, gray: np.ndarray) -> Features:
    xy = _positions(kps)
    sc = np.float32(CFG["scale"]) ** np.array([k.octave for k in kps], dtype=np.float32)
    return Features(xy, desc, (gray.shape[1], gray.shape[0]), sc)


def mirrored(gray: np.ndarray, points: np.ndarray) -> Features:
    """The features of the mirrored image (x -> width - 1 - x) from the keypoints `extract`
    found on the image as it is: FAST corners, their Harris ranking and the grid are
    symmetric under the mirror, so only the descriptors are computed again, at the mirrored
    points with the mirrored orientation (180 - angle: the intensity centroid's x flips).
    Less than half the cost of describing the mirror from scratch."""
    img = _contrast(np.ascontiguousarray(gray[:, ::-1]))
    w = gray.shape[1]
    # a point of pyramid level l lies at x / s on that level, whose width is round(w / s)
    s = np.float32(CFG["scale"]) ** points[:, 5]
    x = (np.round(w / s) - 1) * s - points[:, 0]
    kps = [cv2.KeyPoint(float(xm), float(y), float(size), float((180.0 - angle) % 360.0), float(response), int(octave))
           for xm, (_, y, size, angle, response, octave) in zip(x.tolist(), points.tolist())]
    if not kps:
        return _empty(gray)
    # compute() describes the points given, whatever the detector's budget: one cached ORB serves
    kps, desc = _orb(1000, CFG["fast"][0]).compute(img, kps)
    return _features(kps, desc, gray) if kps and desc is not None else _empty(gray)


def extract_multi(gray: np.ndarray, scales=((1.0, 1000),)) -> Features:
    """Features of the image at several scales, keypoints in the coordinates of `gray`:
    a reference's coarse scale matches copies that appear small (screenshots, thumbnails)."""
    parts = []
    for s, n in scales:
        img = gray
        if s != 1.0:
            img = cv2.resize(gray, (max(8, round(gray.shape[1] * s)), max(8, round(gray.shape[0] * s))),
                             interpolation=cv2.INTER_AREA)
        f = extract(img, n)
        parts.append(Features(f.xy / np.float32(s), f.desc, f.size, f.scale / np.float32(s)))
    return Features(np.concatenate([p.xy for p in parts]), np.concatenate([p.desc for p in parts]),
                    (gray.shape[1], gray.shape[0]), np.concatenate([p.scale for p in parts]))
