"""A copy is a view of its work from in front of it: verification refuses a homography that
sends part of the query through infinity, or stretches it as only a grazing view would
(matching.verify._in_front, MAX_DEPTH_RATIO)."""
from __future__ import annotations

import numpy as np
import pytest

from matching import verify
from matching.verify import MAX_DEPTH_RATIO, _in_front, verify_pair

SIZE = (1000, 500)


def _with_divisor(at_far_corner: float) -> np.ndarray:
    """A homography whose divisor is 1 at (0, 0) and `at_far_corner` at (1000, 500), growing along x and y alike."""
    g = (at_far_corner - 1.0) / 1500.0
    return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [g, g, 1.0]])


@pytest.mark.parametrize("H, in_front", [
    (np.eye(3), True),                                             # the work as it is
    (np.array([[0.5, -0.2, 40.0], [0.2, 0.5, 10.0], [0.0, 0.0, 1.0]]), True),   # rotated, scaled, moved
    (np.array([[1.0, 0.1, 0.0], [0.0, 1.0, 0.0], [2e-4, 1e-4, 1.0]]), True),    # a mild perspective
    (np.array([[9.6, -0.6, -265.0], [2.35, 3.38, -377.0], [0.032, -0.0106, 1.0]]), False),  # measured chance fit: through infinity
    (_with_divisor(MAX_DEPTH_RATIO), True),                        # the bound itself
    (_with_divisor(MAX_DEPTH_RATIO * 1.01), False),                # just past it
    (_with_divisor(1 / MAX_DEPTH_RATIO), True),                    # shrinking the other way
    (_with_divisor(1 / (MAX_DEPTH_RATIO * 1.01)), False),
    (-np.eye(3), True),                                            # the same map, scaled by -1
])
def test_a_view_from_in_front(H, in_front):
    assert _in_front(H, SIZE) is in_front


def test_the_divisor_is_checked_at_all_four_corners():
    """Zero at exactly one corner is already through the horizon."""
    H = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [-1 / 1000, 0.0, 1.0]])   # divisor 0 at x = 1000
    assert not _in_front(H, SIZE)
    H[2, 0] = -0.999 / 1000
    assert not _in_front(H, SIZE)          # positive everywhere, but 1000 times smaller on the right
    assert _in_front(H, (250, 500))        # a quarter as wide: 1.33 between the sides


def test_verification_refuses_a_fit_through_the_horizon(monkeypatch):
    """Correspondences that fit one homography exactly, which folds the query over its horizon:
    without the check they would be a perfect match; with it, none."""
    rng = np.random.default_rng(4)
    src = (rng.random((60, 2)) * SIZE).astype(np.float32)
    H = np.array([[9.6, -0.6, -265.0], [2.35, 3.38, -377.0], [0.032, -0.0106, 1.0]])
    p = np.c_[src, np.ones(len(src))] @ H.T
    keep = np.abs(p[:, 2]) > 0.05
    src, dst = src[keep], (p[keep, :2] / p[keep, 2:]).astype(np.float32)
    inside = (dst[:, 0] > 0) & (dst[:, 0] < 800) & (dst[:, 1] > 0) & (dst[:, 1] < 600)
    src, dst = src[inside], dst[inside]
    n = len(src)
    assert n >= 12
    args = (src, dst, np.arange(n), np.ones(n, np.float32), (800, 600), SIZE)
    assert verify_pair(*args)["n"] == 0
    monkeypatch.setattr(verify, "MAX_DEPTH_RATIO", float("inf"))
    monkeypatch.setattr(verify, "_in_front", lambda H, qsize: True)
    assert verify_pair(*args)["n"] >= 12
