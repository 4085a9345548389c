"""OpenCV's plain RANSAC homography (`cv2.findHomography(src, dst, cv2.RANSAC, ...)`): the same
draws and the same answer, in about 60% of its time (up to 450 matches, once the samples for
that many are drawn: 4.5 against 7.3 ms a call below 100 matches, 6.7 against 10.0 at 300-450).

Verification's second-plane measure (verify.second_plane) is OpenCV's old RANSAC with 1,000
draws, and the second-plane discount (Index.p0 / pw) was chosen with exactly that estimator: a
faster RANSAC that draws other samples finds other chance planes and moves scores (USAC did;
docs/benchmarks.md, "Where a search's time goes"). OpenCV spends 8-11 ms a call on chance
matches whatever their number, because it solves each draw's homography alone, by a Jacobi
eigen decomposition of a 9x9 matrix. This module runs the same algorithm with the draws taken
together:

- the samples: OpenCV's generator (cv::RNG, a multiply-with-carry generator seeded with
  2^64 - 1 for every call) gives the same sequence of indices every time, so the same four-point
  samples are drawn, rejected (a point on a line through two others; the four triangles'
  orientations not all kept or all reversed) and drawn again as OpenCV does. The samples for a
  number of matches are the same in every call: they are kept for the last 256 numbers;
- each sample's homography: the null vector of the same normalised system, solved for all
  samples at once (an 8x8 solve; numpy's eigh where that is near singular), the vector
  OpenCV's eigen decomposition finds, to rounding. Where three of a sample's points lie nearly
  on a line in either image (which OpenCV's check lets through when the fourth is off it, and
  matches all on a line in one image make common) the system has no single solution, or
  nearly, and OpenCV's own kernel gives the one it picks;
- the reprojection errors: the same single-precision arithmetic in the same order, so with
  the same model a point is an inlier exactly when OpenCV counts it. The two solvers can round
  a model a float apart (about one draw in 2,500); where a draw that could be the best has a
  point within a thousandth of the threshold, its model is OpenCV's own kernel's;
- the adaptive number of draws, the best-so-far rule and the give-up after 10,000 rejected
  samples in a row, as OpenCV's;
- the final fit: OpenCV itself (findHomography on the inliers, which refits and refines them
  by Levenberg-Marquardt as its RANSAC path does), then the inliers of that fit over all the
  points, as OpenCV 5 recomputes them.

The tests compare the two on several hundred random, planted, gridded, collinear and degenerate
inputs and on the matches real searches hand to the second plane; the yardstick sets' searches
give the same answers (benchmarks/matching_queries.py's checksum) and
benchmarks/matching_second_plane.py compares every call. What this module does not reproduce is
handed to OpenCV whole: a best fit of four points (whose refinement OpenCV skips when called on
four points), a refit OpenCV refuses, more than MOST matches, coordinates that are not finite
or not pairs, and matches most of whose samples are rejected (many at one point: OpenCV's draws
then run to hundreds of thousands, cheap for it and not worth keeping here).

Source: OpenCV 5.0 (the opencv-python-headless 5.0.0 installed), modules/geometry/src/ptsetreg.cpp
(RANSACPointSetRegistrator, RANSACUpdateNumIters) and modules/geometry/src/fundam.cpp
(HomographyEstimatorCallback, haveCollinearPoints, findHomography); in 4.x and the 5.x branch
before the move, modules/calib3d and modules/3d; cv::RNG in
modules/core/include/opencv2/core/operations.hpp."""
from __future__ import annotations

import math
import threading

import cv2
import numpy as np

_COEFF = 4164903690                  # CV_RNG_COEFF
_SEED = (1 << 64) - 1                # RNG rng((uint64)-1) in RANSACPointSetRegistrator::run
_MAX_ATTEMPTS = 10000                # getSubset's attempts for one draw in run()
_FLT_EPSILON = float(np.finfo(np.float32).eps)
_DBL_EPSILON = float(np.finfo(np.float64).eps)
_DBL_MIN = float(np.finfo(np.float64).tiny)
# Above this many matches OpenCV is as fast (its scoring is compiled; numpy's is a pass per
# operation over every draw and point). On the 159 second-plane fits of set A's searches, warm,
# OpenCV against this module, ms a call: 7.3 / 4.5 below 100 matches, 9.2 / 5.5 at 100-200,
# 10.0 / 6.6 at 200-300, 10.0 / 6.7 at 300-450, 10.2 / 8.2 at 450-600, 10.5 / 10.2 beyond
# (benchmarks/matching_second_plane.py). Larger calls are handed to OpenCV: the same answer.
MOST = 450
_FIRST = 256                         # draws checked first (a real plane ends the search early)
_BLOCK = 4096                        # then this many at a time

_raw = np.zeros(0, dtype=np.uint64)
_raw_state = _SEED
_raw_lock = threading.Lock()


def _stream(length: int) -> np.ndarray:
    """The first `length` outputs of cv::RNG((uint64)-1).next(): the same for every call."""
    global _raw, _raw_state
    if len(_raw) >= length:
        return _raw
    with _raw_lock:
        if len(_raw) < length:
            grow = max(length, 2 * len(_raw), 1 << 16) - len(_raw)
            out = np.empty(grow, dtype=np.uint64)
            state = _raw_state
            for i in range(grow):
                state = (state & 0xFFFFFFFF) * _COEFF + (state >> 32)
                out[i] = state & 0xFFFFFFFF
            _raw_state = state
            _raw = np.concatenate([_raw, out])
    return _raw


def prime() -> None:
    """Draw the generator's first outputs now (a Python loop: about 11 ms, once a process), so
    that a process's first search does not (Index.make_searchable calls it)."""
    _stream(1 << 16)


def _group_ends(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where a sample begun at each position p of the index stream ends (the position after
    its fourth distinct index: a repeat is drawn again, as getSubset does; len(idx) where the
    stream ends first), and the samples that drew an index again: (ends, their positions,
    their four indices). The others are idx[p:p + 4]."""
    n = len(idx)
    w = np.lib.stride_tricks.sliding_window_view(idx, 4)        # (n - 3, 4)
    distinct = np.zeros(n, dtype=bool)
    distinct[:n - 3] = ((w[:, 0] != w[:, 1]) & (w[:, 0] != w[:, 2]) & (w[:, 0] != w[:, 3])
                        & (w[:, 1] != w[:, 2]) & (w[:, 1] != w[:, 3]) & (w[:, 2] != w[:, 3]))
    ends = np.arange(4, n + 4, dtype=np.int64)
    rest = np.flatnonzero(~distinct)
    g = np.full((len(rest), 4), -1, dtype=np.int64)
    filled = np.zeros(len(rest), dtype=np.int64)
    cur = rest.copy()
    rows = np.arange(len(rest))
    while True:                      # samples with a repeat: filled draw by draw, all at once
        live = (filled < 4) & (cur < n)
        if not live.any():
            break
        r = rows[live]
        v = idx[cur[r]]
        new = ~(g[r] == v[:, None]).any(axis=1)
        g[r[new], filled[r[new]]] = v[new]
        filled[r] += new
        cur[r] += 1
    ends[rest] = np.where(filled == 4, cur, n)
    return ends, rest, g


def _chain(ends: np.ndarray) -> np.ndarray:
    """The positions where the samples begin: the first at 0, each next one where the one
    before ended (`ends`), as long as the stream holds the whole sample. Samples mostly take
    four draws, so the chain runs in steps of four and changes step only at a sample that drew
    an index again (an 'odd' one): those few are followed one by one, the runs between at once."""
    n = len(ends)
    odd = np.flatnonzero(ends != np.arange(n) + 4)
    by_phase = [odd[odd % 4 == r] for r in range(4)]

    def first_odd(at: np.ndarray) -> np.ndarray:
        """The first odd sample at or after each position, in steps of four from it (n: none)."""
        out = np.empty(len(at), dtype=np.int64)
        for r in range(4):
            sel = at % 4 == r
            out[sel] = np.append(by_phase[r], n)[np.searchsorted(by_phase[r], at[sel])]
        return out

    after = np.where(ends[odd] < n, first_odd(np.minimum(ends[odd], n - 1)), n).tolist()
    rank = np.zeros(n, dtype=np.int64)
    rank[odd] = np.arange(len(odd))
    hits, cur = [], int(first_odd(np.zeros(1, dtype=np.int64))[0])
    while cur < n:
        hits.append(cur)
        cur = after[rank[cur]]
    # runs of four draws: from 0 to the first odd sample, from where each odd one ends to the
    # next; after the last (unless it ran past the stream) to the stream's end
    starts = np.array([0] + [int(ends[h]) for h in hits], dtype=np.int64)
    lasts = np.array(hits + [n - 4], dtype=np.int64)
    lengths = np.maximum((lasts - starts) // 4 + 1, 0)
    if hits and ends[hits[-1]] >= n:
        lengths[-1] = 0
    total = int(lengths.sum())
    before = np.repeat(np.cumsum(lengths) - lengths, lengths)
    chain = np.repeat(starts, lengths) + 4 * (np.arange(total) - before)
    return chain[ends[chain] < n]


_cache: dict[int, np.ndarray] = {}
_cache_lock = threading.Lock()
_CACHED = MOST                       # numbers of matches whose samples are kept (about 70 kB each)
_MOST_SAMPLES = 4 * (_FIRST + 2 * _BLOCK)   # draws beyond these: the call is handed to OpenCV
_SCARCE = 0.05                       # ... as it is when fewer of the first block's samples are kept
_NEAR = 1e-3                         # a squared error this close to the threshold's (relative): rounding


def _samples(count: int, want: int) -> np.ndarray:
    """The first `want` four-point samples (want, 4) getSubset draws from `count` points
    (rng.uniform(0, count) four times, a repeated index drawn again). The same for every call
    with the same count: kept for the _CACHED counts last used (1-6 ms to draw anew)."""
    hit = _cache.get(count)
    if hit is not None and len(hit) >= want:
        with _cache_lock:                            # least recently used first out
            if count in _cache:
                _cache[count] = _cache.pop(count)
        return hit[:want]
    # a sample takes sum(count / (count - i), i < 4) draws on average (a repeat is drawn again)
    per_sample = sum(count / (count - i) for i in range(4)) * 1.02
    length = int(max(want, 2 * len(hit) if hit is not None else 0, _FIRST + 2 * _BLOCK) * per_sample) + 256
    while True:
        raw = _stream(length)[:length]
        idx = (raw % np.uint64(count)).astype(np.int64)
        ends, odd, odd_groups = _group_ends(idx)
        chain = _chain(ends)                           # every whole sample the stream holds
        if len(chain) >= want:
            samples = np.lib.stride_tricks.sliding_window_view(idx, 4)[chain]
            at = np.searchsorted(odd, chain)
            hit_odd = at < len(odd)
            hit_odd[hit_odd] = odd[at[hit_odd]] == chain[hit_odd]
            samples[hit_odd] = odd_groups[at[hit_odd]]
            samples = samples.astype(np.int16 if count < 1 << 15 else np.int32)
            with _cache_lock:
                if count not in _cache and len(_cache) >= _CACHED:
                    _cache.pop(next(iter(_cache)))
                _cache[count] = samples
            return samples[:want]
        length *= 2


def _collinear(P: np.ndarray) -> np.ndarray:
    """haveCollinearPoints(ms, 4): the fourth point on a line through two of the first three
    (float differences, double products, as OpenCV)."""
    d = (P[:, :3] - P[:, 3:4]).astype(np.float64)        # (m, 3, 2): points 0-2 less point 3
    bad = np.zeros(len(P), dtype=bool)
    for j, k in ((1, 0), (2, 0), (2, 1)):
        cross = d[:, k, 0] * d[:, j, 1] - d[:, k, 1] * d[:, j, 0]
        bad |= np.abs(cross) <= _FLT_EPSILON * (np.abs(d[:, j, 0]) + np.abs(d[:, j, 1]) + np.abs(d[:, k, 0])
                                                + np.abs(d[:, k, 1]))
    return bad


def _flat(S: np.ndarray, D: np.ndarray) -> np.ndarray:
    """Samples three of whose points lie nearly on a line in either image: twice the
    triangle's area under a thousandth of its longest side squared. checkSubset only tests the
    fourth point against lines through two of the others, with a float's tolerance, so OpenCV
    keeps such samples (keypoints on one pixel row; matches all on one line in one image); their
    system has no single solution, or nearly, and which one OpenCV's Jacobi solver returns only
    OpenCV can say: findHomography of the four points alone is its runKernel, and gives these
    samples' homographies. About one real sample in 200 is one."""
    out = np.zeros(len(S), dtype=bool)
    for P in (S, D):
        x = P[:, _TRIANGLES].astype(np.float64)                  # (m, 4, 3, 2)
        a, b, c = x[:, :, 0], x[:, :, 1], x[:, :, 2]
        ab, ac, bc = b - a, c - a, c - b
        twice_area = np.abs(ab[..., 0] * ac[..., 1] - ab[..., 1] * ac[..., 0])
        longest = np.maximum(np.maximum((ab * ab).sum(-1), (ac * ac).sum(-1)), (bc * bc).sum(-1))
        out |= (twice_area <= 1e-3 * longest).any(axis=1)
    return out


_TRIANGLES = np.array([[0, 1, 2], [1, 2, 3], [0, 2, 3], [0, 1, 3]])


def _det3(P: np.ndarray) -> np.ndarray:
    """cv::determinant of the 3x3 matrices with rows (x, y, 1) of each sample's four triangles
    (_TRIANGLES), in double: (m, 4)."""
    x = P[:, _TRIANGLES, 0].astype(np.float64)
    y = P[:, _TRIANGLES, 1].astype(np.float64)
    x0, x1, x2, y0, y1, y2 = x[..., 0], x[..., 1], x[..., 2], y[..., 0], y[..., 1], y[..., 2]
    return x0 * (y1 - y2) - y0 * (x1 - x2) + (x1 * y2 - x2 * y1)      # the third column's ones


def _check(S: np.ndarray, D: np.ndarray) -> np.ndarray:
    """HomographyEstimatorCallback::checkSubset for each sample: no collinear points in either
    image, and the four triangles' orientations all kept or all reversed."""
    negative = (_det3(S) * _det3(D) < 0).sum(axis=1)
    return ~_collinear(S) & ~_collinear(D) & ((negative == 0) | (negative == 4))


def _null_vectors(A: np.ndarray) -> np.ndarray:
    """The unit vector h with A h = 0 for each (8, 9) system of four points: what OpenCV takes
    as the eigenvector of the smallest eigenvalue of A'A (zero for four points in general
    position). Solved with h[8] = 1 (an 8x8 system, a fourteenth of eigh's time); where that
    system is near singular or the last entry near zero, by eigh."""
    K = len(A)
    h = np.empty((K, 9))
    sure = np.zeros(K, dtype=bool)
    try:
        sol = np.linalg.solve(A[:, :, :8], -A[:, :, 8:])[:, :, 0]
        h[:, :8], h[:, 8] = sol, 1.0
        norm = np.sqrt((h * h).sum(axis=1))
        sure = np.isfinite(norm) & (norm < 1e6)
        h[sure] /= norm[sure, None]
    except np.linalg.LinAlgError:
        pass
    if not sure.all():
        LtL = np.einsum("kij,kil->kjl", A[~sure], A[~sure])
        h[~sure] = np.linalg.eigh(LtL)[1][:, :, 0]
    return h


def _kernel(M: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """HomographyEstimatorCallback::runKernel for K four-point samples (K, 4, 2) float32:
    (models (K, 3, 3) double, each scaled so that H[2, 2] = 1, ok (K,) - False where OpenCV
    returns no model)."""
    M64, m64 = M.astype(np.float64), m.astype(np.float64)
    cM = (M64[:, 0] + M64[:, 1] + M64[:, 2] + M64[:, 3]) / 4
    cm = (m64[:, 0] + m64[:, 1] + m64[:, 2] + m64[:, 3]) / 4
    sM = np.abs(M64 - cM[:, None]).sum(axis=1)
    sm = np.abs(m64 - cm[:, None]).sum(axis=1)
    ok = (sM >= _DBL_EPSILON).all(axis=1) & (sm >= _DBL_EPSILON).all(axis=1)
    sM = 4 / np.where(ok[:, None], sM, 1.0)
    sm = 4 / np.where(ok[:, None], sm, 1.0)
    X = (M64 - cM[:, None]) * sM[:, None]          # (K, 4, 2)
    x = (m64 - cm[:, None]) * sm[:, None]
    K = len(M)
    zero, one = np.zeros((K, 4)), np.ones((K, 4))
    Lx = np.stack([X[..., 0], X[..., 1], one, zero, zero, zero,
                   -x[..., 0] * X[..., 0], -x[..., 0] * X[..., 1], -x[..., 0]], axis=-1)
    Ly = np.stack([zero, zero, zero, X[..., 0], X[..., 1], one,
                   -x[..., 1] * X[..., 0], -x[..., 1] * X[..., 1], -x[..., 1]], axis=-1)
    A = np.concatenate([Lx, Ly], axis=1)                 # (K, 8, 9): L of the four points
    H0 = _null_vectors(A).reshape(K, 3, 3)
    inv_norm = np.zeros((K, 3, 3))
    inv_norm[:, 0, 0], inv_norm[:, 0, 2] = 1 / sm[:, 0], cm[:, 0]
    inv_norm[:, 1, 1], inv_norm[:, 1, 2] = 1 / sm[:, 1], cm[:, 1]
    inv_norm[:, 2, 2] = 1
    norm2 = np.zeros((K, 3, 3))
    norm2[:, 0, 0], norm2[:, 0, 2] = sM[:, 0], -cM[:, 0] * sM[:, 0]
    norm2[:, 1, 1], norm2[:, 1, 2] = sM[:, 1], -cM[:, 1] * sM[:, 1]
    norm2[:, 2, 2] = 1
    H = inv_norm @ H0 @ norm2
    h22 = H[:, 2, 2]
    scale = np.where(np.abs(h22) > _FLT_EPSILON, 1 / np.where(h22 == 0, 1, h22), 1.0)
    return H * scale[:, None, None], ok


def _errors(H: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """HomographyEstimatorCallback::computeError for K models (K, 3, 3) over all points:
    squared reprojection errors (K, n) in single precision, operation for operation (a point on
    a model's horizon: inf or nan, never an inlier, as in OpenCV)."""
    Hf = H.reshape(-1, 9).astype(np.float32)[:, :, None]
    X, Y = src[:, 0], src[:, 1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ww = np.float32(1) / (Hf[:, 6] * X + Hf[:, 7] * Y + Hf[:, 8])
        dx = (Hf[:, 0] * X + Hf[:, 1] * Y + Hf[:, 2]) * ww - dst[:, 0]
        dy = (Hf[:, 3] * X + Hf[:, 4] * Y + Hf[:, 5]) * ww - dst[:, 1]
        return dx * dx + dy * dy


def _update_iters(confidence: float, ep: float, iters: int) -> int:
    """RANSACUpdateNumIters(p, ep, 4, maxIters)."""
    num = max(1.0 - confidence, _DBL_MIN)
    denom = 1.0 - (1.0 - ep) ** 4
    if denom < _DBL_MIN:
        return 0
    num, denom = math.log(num), math.log(denom)
    return iters if denom >= 0 or -num >= iters * (-denom) else int(np.rint(num / denom))


def _opencv_kernel(S: np.ndarray, D: np.ndarray) -> tuple[np.ndarray, bool]:
    """OpenCV's runKernel for one four-point sample (findHomography of four points is it):
    (model, whether there is one)."""
    H = cv2.findHomography(S, D, 0)[0]
    return (H, True) if H is not None else (np.eye(3), False)


def _opencv(src, dst, thr, max_iters, confidence):
    H, mask = cv2.findHomography(src, dst, cv2.RANSAC, thr, maxIters=max_iters, confidence=confidence)
    return H, (mask.ravel().astype(bool) if H is not None else None)


def find_homography(src, dst, thr: float, max_iters: int = 1000, confidence: float = 0.99):
    """cv2.findHomography(src, dst, cv2.RANSAC, thr, maxIters=max_iters, confidence=confidence):
    (H, inlier mask (n,) bool), or (None, None) where OpenCV finds no homography."""
    given = (src, dst)
    src, dst = np.asarray(src), np.asarray(dst)
    count = len(src) if src.ndim else 0
    if (src.ndim not in (2, 3) or src.shape[-1] != 2 or src.size != 2 * count or dst.shape != src.shape
            or not 4 < count <= MOST or not thr > 0 or not 0 < confidence < 1):
        return _opencv(*given, thr, max_iters, confidence)
    src = np.ascontiguousarray(src, dtype=np.float32).reshape(-1, 2)
    dst = np.ascontiguousarray(dst, dtype=np.float32).reshape(-1, 2)
    if not (np.isfinite(src).all() and np.isfinite(dst).all()):
        return _opencv(src, dst, thr, max_iters, confidence)
    t = np.float32(thr * thr)
    near = np.float32(thr * thr * _NEAR)
    niters = max(max_iters, 1)
    best, best_good, it, start, last_good = None, 0, 0, 0, -1
    while it < niters:
        size = _FIRST if start == 0 else _BLOCK
        if start + size > _MOST_SAMPLES:
            return _opencv(src, dst, thr, max_iters, confidence)
        draws = _samples(count, start + size)[start:]
        # getSubset returns the first good draw after the rejected ones, and gives up (and
        # the search with it) after _MAX_ATTEMPTS rejections in a row, counted across blocks
        picked = np.flatnonzero(_check(src[draws], dst[draws]))
        if start == 0 and len(picked) < _SCARCE * size and niters > len(picked):
            return _opencv(src, dst, thr, max_iters, confidence)
        gaps = np.diff(np.concatenate([[last_good], start + picked])) - 1
        over = np.flatnonzero(gaps >= _MAX_ATTEMPTS)
        stop = len(over) > 0
        if stop:                         # (a run still going at the last draw drawn is seen
            picked = picked[:over[0]]    # when it ends, or as many draws as _MOST_SAMPLES)
        picked = picked[:niters - it]
        if len(picked):
            last_good = start + int(picked[-1])
            S, D = src[draws[picked]], dst[draws[picked]]
            models, ok = _kernel(S, D)
            opencv = _flat(S, D)          # these samples' models are OpenCV's own kernel's
            for j in np.flatnonzero(opencv):
                models[j], ok[j] = _opencv_kernel(S[j], D[j])
            err = _errors(models, src, dst)
            counts = np.where(ok, (err <= t).sum(axis=1), 0)
            # a point within rounding of the threshold, in a draw that could be the best: the
            # two solvers' models may differ by a float there, so OpenCV's kernel decides
            close = (np.abs(err - t) <= near).sum(axis=1)
            for j in np.flatnonzero(ok & ~opencv & (close > 0) & (counts + close > max(best_good, 3))):
                models[j], ok[j] = _opencv_kernel(S[j], D[j])
                counts[j] = (_errors(models[j][None], src, dst)[0] <= t).sum() if ok[j] else 0
            # the draws that beat every earlier one (and three inliers): only there can the
            # best model and the number of draws change
            before = np.maximum.accumulate(np.concatenate([[max(best_good, 3)], counts[:-1]]))
            for j in np.flatnonzero(counts > before):
                if it + j >= niters:
                    break
                best, best_good = models[j], int(counts[j])
                niters = _update_iters(confidence, (count - best_good) / count, niters)
            it = min(niters, it + len(picked))
        start += size
        if stop:
            break
    if best is None:
        return None, None
    inliers = _errors(best[None], src, dst)[0] <= t
    if inliers.sum() <= 4:
        return _opencv(src, dst, thr, max_iters, confidence)
    H, _ = cv2.findHomography(src[inliers], dst[inliers], 0)
    if H is None:
        return _opencv(src, dst, thr, max_iters, confidence)
    return H, _errors(H[None], src, dst)[0] <= t
