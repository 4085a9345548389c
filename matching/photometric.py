"""The pixels' word on a copy a second plane discounted (issue 21).

A self-similar work (a pattern, a city of alike windows) can show a "second plane" in its own
copy: many of the matches the copy's homography does not explain fit another one. The score is
then discounted as another photograph of the same scene would be (Index.plane_factor), and the
copy is missed. The picture itself tells the two apart: a copy is the work's pixels, so the
work warped back into the query by the copy's homography agrees with the query everywhere it
covers (give or take JPEG and resampling); another view of the scene agrees only on the plane the
homography fits, a nearer part being displaced by its parallax.

`agreement` correlates 21-pixel patches of the query every 16 pixels with the work warped into
it, both blurred a little (sigma 1.5), over the patches that are not flat (a standard deviation
of 4 grey levels or more in both) and lie on the work by the blur's reach. `agrees` is the rule:
at least AGREE_SHARE of at least MIN_PATCHES patches correlate at AGREE_NCC or more.

The rule was declared before it was run for real, from a measure on the tuning pictures only
(benchmarks/matching_photometric.py; docs/benchmarks.md, "Does the picture tell a copy from a
view"): at NCC 0.85 on 97% of the patches it lifted, as an estimate, 2 copies and no view on
each tuning folder. The margin is narrow (the nearest views reached 96.7-96.9%, the lowest copy
lifted 97.4%), which is why it is used only where the discount alone stands between a copy and
its match (engine.staged_search) and never to make a match of anything else.
"""
from __future__ import annotations

import numpy as np

HALF = 10        # a patch is 2 * HALF + 1 pixels square
STEP = 16        # patches every STEP pixels of the query
BLUR = 1.5       # Gaussian sigma both pictures are blurred with (JPEG, resampling)
FLAT = 4.0       # a patch with a smaller standard deviation (grey levels) is flat: not compared
MIN_PATCHES = 10
AGREE_NCC = 0.85
AGREE_SHARE = 0.97


def agreement(query: np.ndarray, work: np.ndarray, H: np.ndarray) -> np.ndarray:
    """The correlations of the query's patches with the work warped into it by H (3x3, query
    pixels -> work pixels), over the patches the work covers that are flat in neither."""
    import cv2

    qh, qw = query.shape
    q = cv2.GaussianBlur(query.astype(np.float32), (0, 0), BLUR)
    w = cv2.warpPerspective(work.astype(np.float32), H, (qw, qh),
                            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    w = cv2.GaussianBlur(w, (0, 0), BLUR)
    inside = cv2.warpPerspective(np.ones(work.shape, np.uint8), H, (qw, qh),
                                 flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
    reach = int(np.ceil(3 * BLUR))   # the blur carries what lies beyond the work's edge this far
    inside = cv2.erode(inside, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8),
                       borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0
    out = []
    for y in range(HALF, qh - HALF, STEP):
        for x in range(HALF, qw - HALF, STEP):
            cut = np.s_[y - HALF:y + HALF + 1, x - HALF:x + HALF + 1]
            a, b = q[cut], w[cut]
            if not inside[cut].all() or a.std() < FLAT or b.std() < FLAT:
                continue
            out.append(float(np.corrcoef(a.ravel(), b.ravel())[0, 1]))
    return np.array(out, np.float32)


def agrees(ncc: np.ndarray) -> bool:
    """The rule: at least AGREE_SHARE of at least MIN_PATCHES patches reach AGREE_NCC."""
    ncc = np.asarray(ncc)
    return len(ncc) >= MIN_PATCHES and float((ncc >= AGREE_NCC).mean()) >= AGREE_SHARE


def in_pixels(placement, query_shape: tuple[int, int], work_shape: tuple[int, int]) -> np.ndarray:
    """A placement (Match.transform: query -> work, normalised, 0..1 on both sides) as a
    homography from the query's pixels to the work's (shapes: numpy's, rows first)."""
    qh, qw = query_shape[:2]
    wh, ww = work_shape[:2]
    H = np.array(placement, np.float64).reshape(3, 3)
    return np.diag([float(ww), float(wh), 1.0]) @ H @ np.diag([1.0 / qw, 1.0 / qh, 1.0])


def copy_by_pixels(query: np.ndarray, work: np.ndarray, placement) -> bool:
    """Whether the work, placed on the query's grey picture by `placement` (Match.transform),
    agrees with it as a copy does (`agrees`)."""
    return agrees(agreement(query, work, in_pixels(placement, query.shape, work.shape)))
