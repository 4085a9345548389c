"""Geometric verification: RANSAC homography over putative correspondences.

A copy made by cropping, scaling, rotating, padding, perspective or flipping is related to
its reference by ONE exact homography; a look-alike (another photo of the same scene, a stereo
pair) is only roughly related. So besides the inlier count we measure:
  tight  - share of the inliers whose residual, after refitting the homography on all inliers,
           is within about one pixel at the keypoint's own pyramid scale;
  plane2 - inliers of a second homography among the remaining matches (parallax)."""
from __future__ import annotations

import cv2
import numpy as np

from matching import ransac

# PROSAC draws its samples from the closest descriptor pairs first (callers sort them):
# with repetitive pictures most pairs are wrong and plain RANSAC misses the one homography.
# OpenCV's estimators seed their draws afresh on every call, not from cv::theRNG() (USAC from
# a fixed state, UsacParams' randomGeneratorState, 0 by default; plain RANSAC with
# RNG((uint64)-1) in RANSACPointSetRegistrator::run), and ransac.py draws as plain RANSAC
# does: so a pair's verification depends on its pairs alone, whatever was verified before it
# (cv2.setRNGSeed changes no answer: set A's 384 queries gave one checksum under three seeds;
# tests/matching/test_engine.py checks an answer against what ran before it).
METHOD = cv2.USAC_PROSAC
ITERS = 2000
_ZERO = dict(n=0.0, tight=0.0, plane2=0.0, putative=0, coverage=0.0)


# How much a homography's projective divisor may vary over the query's corners (the scale of
# its near side against its far side): chosen on the tuning set (docs/benchmarks.md, "Issue 21"),
# where true matches reached 1.7 with a score of 0.5 or more (2.7 at most, at 0.05) and chance
# fits had a median of 4.4; micro-AP 0.927 without the check, 0.933 with the horizon alone,
# 0.934 / 0.936 / 0.936 with a bound of 2 / 3 / 4.
MAX_DEPTH_RATIO = 4.0


def _in_front(H: np.ndarray, qsize) -> bool:
    """Whether the homography shows the query as a view of the work from in front of it: the
    projective divisor (H's third row) is positive at the query's four corners, so no part of
    the query goes through infinity, and varies by at most MAX_DEPTH_RATIO between them. A copy,
    however cropped, rotated, skewed or photographed at an angle, is such a view; a fit that
    folds the query over its horizon, or stretches it as only a grazing view would, is chance
    correspondences on a smooth picture (where any four points fit some homography)."""
    w, h = qsize
    corners = np.array([[0.0, 0.0, 1.0], [w, 0.0, 1.0], [0.0, h, 1.0], [w, h, 1.0]])
    d = corners @ (H[2] / H[2, 2])
    return bool((d > 0).all() and d.max() <= MAX_DEPTH_RATIO * d.min())


def _spread_ok(pts: np.ndarray, size) -> bool:
    c = np.cov((pts / np.float32(max(size))).T)
    return np.linalg.eigvalsh(c)[0] >= 0.02 ** 2


def _a_view(H: np.ndarray | None, qsize) -> bool:
    """Whether a homography from the query to a reference could be a view of a plane: H[2,2] not
    near 0, neither collapsing the query nor blowing a tiny detail up (area scale within 1e-3 ..
    1e3), not a reflection (a mirror image is searched as its own query, and no photograph of a
    plane shows it mirrored), and from in front of it (_in_front)."""
    if H is None or abs(H[2, 2]) < 1e-9:
        return False
    det = float(np.linalg.det(H[:2, :2] / H[2, 2]))
    return 1e-3 < det < 1e3 and _in_front(H, qsize)


# How many fits second_plane tries for one that is a view (_a_view), setting aside each refused
# fit's query points (1 or more; the query's size must be given, as verify_pair does); None, the
# default: the largest fit, whatever it is (the measure the discount, Index.p0 / pw, was chosen
# with). Measured and not kept (docs/benchmarks.md, "A second plane that is a view"): with 1, 2
# or 3 the tuning set found 2 more of its 228 copies (recall at P >= 0.99 0.947 -> 0.956, no
# wrong pair) and the scale benchmark's symmetric works' copies, but of the tuning set's views
# with parallax (matching_views.py --folder) 38 more were called copies and 2 fewer (1,436 ->
# 1,472 of 2,100), and no copy more was found: the fits it refuses (collapsed, mirrored, or not
# from in front) are, on views of smooth pictures, the only sign of the parallax.
PLANE_TRIES: int | None = None


def second_plane(src, dst, qidx, thr: float, qsize=None) -> int:
    """Query points of the largest second homography among the matches a copy's leaves out
    (plane2). Plain RANSAC, 1,000 draws, as OpenCV's cv2.findHomography(..., cv2.RANSAC) draws
    them: the second-plane discount (Index.p0 / pw) was chosen with that estimator, and other
    draws find other chance planes (USAC's uniform RANSAC, 7-67 times faster, found on the star
    field behind a pasted copy a larger one; docs/benchmarks.md, "Where a search's time goes").
    matching.ransac gives OpenCV's answer with the draws taken together, in about 60% of its
    time (up to 450 matches; beyond, it hands the call to OpenCV)."""
    check = PLANE_TRIES is not None and qsize is not None
    rest = np.arange(len(src))
    for _ in range(PLANE_TRIES if check else 1):
        H2, m2 = ransac.find_homography(src[rest], dst[rest], thr, max_iters=1000, confidence=0.99)
        if H2 is None:
            return 0
        inl = m2.ravel().astype(bool)
        if not check or _a_view(H2, qsize):
            return len(np.unique(qidx[rest[inl]]))
        rest = rest[~inl & ~np.isin(qidx[rest], qidx[rest[inl]])]
        if len(rest) < 8:   # too few left for a plane (verify_pair asks 8 before the first)
            return 0
    return 0


def verify_pair(src, dst, qidx, rscale, rsize, qsize, thr: float = 6.0, tight_px: float = 1.0,
                qscale=None) -> dict:
    """src/dst: (n, 2) float32 query/reference points of putative correspondences, qidx: query
    keypoint number of each, rscale: pyramid scale of each reference keypoint."""
    out = dict(_ZERO, putative=int(len(np.unique(qidx))) if len(qidx) else 0)
    if len(src) < 6:
        return out
    H, mask = cv2.findHomography(src, dst, METHOD, thr, maxIters=ITERS, confidence=0.995)
    # A mirror image is searched as its own (mirrored) query, so a copy never needs a
    # reflecting homography; and a copy is not a tiny detail of the work blown up 30 times.
    if H is None:
        return out
    inl = mask.ravel().astype(bool)
    if inl.sum() < 5 or not _a_view(H, qsize):
        return out
    det = float(np.linalg.det(H[:2, :2] / H[2, 2]))
    # inliers must spread in two dimensions in both images (text lines and single blobs are not copies)
    if not (_spread_ok(dst[inl], rsize) and _spread_ok(src[inl], qsize)):
        return out
    n = len(np.unique(qidx[inl]))
    Hr, _ = cv2.findHomography(src[inl], dst[inl], 0)
    if Hr is None:
        Hr = H
    proj = cv2.perspectiveTransform(src.reshape(-1, 1, 2).astype(np.float32), Hr).reshape(-1, 2)
    sigma = rscale
    if qscale is not None:  # a query keypoint found at a coarse level is located less precisely
        sigma = np.maximum(rscale, qscale * np.float32(np.sqrt(abs(det))))
    e = np.linalg.norm(proj - dst, axis=1) / sigma
    tight = len(np.unique(qidx[inl & (e <= tight_px)]))
    plane2 = 0
    rest = ~inl & ~np.isin(qidx, qidx[inl])
    if n >= 12 and rest.sum() >= 8:
        plane2 = second_plane(src[rest], dst[rest], qidx[rest], thr, qsize)
    # How much of the reference the inliers cover: a copy shows a good part of the work,
    # a chance alignment of generic shapes (circles, text) a small patch of it.
    hull = cv2.convexHull(dst[inl].astype(np.float32).reshape(-1, 1, 2))
    coverage = float(cv2.contourArea(hull)) / float(rsize[0] * rsize[1])
    out.update(n=float(n), tight=float(tight), plane2=float(plane2), coverage=coverage, H=Hr)
    return out
