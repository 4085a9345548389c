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


# ---------------------------------------------------------------- a second plane is parallax only
# when it can be another plane of the same view (matching.verify._parallax)

H1 = np.array([[0.8, -0.1, 40.0], [0.1, 0.8, 25.0], [1e-5, 0.0, 1.0]])   # query -> work
AT = np.array([[300.0, 200.0], [340.0, 260.0], [320.0, 180.0]])             # the second plane's points


def _turned(degrees: float, area: float = 1.0, about=(320.0, 213.3)) -> np.ndarray:
    """A relative map (query -> query) that turns by `degrees` and scales the area `area` times
    about a point (the centroid of AT, so its Jacobian there is exactly that)."""
    t, s = np.radians(degrees), np.sqrt(area)
    cx, cy = about
    R = s * np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    Q = np.eye(3)
    Q[:2, :2] = R
    Q[:2, 2] = np.array([cx, cy]) - R @ np.array([cx, cy])
    return Q


@pytest.mark.parametrize("Q, parallax", [
    (np.eye(3), True),                                                        # the same plane
    (np.array([[1.0, 0.0, 24.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), True),   # a shift: disparity
    (np.array([[1.05, 0.0, 10.0], [0.0, 1.0, 0.0], [2e-5, 0.0, 1.0]]), True),  # a homology near the identity
    (_turned(verify.PARALLAX_TURN - 0.1), True),
    (_turned(verify.PARALLAX_TURN + 0.1), False),
    (_turned(-verify.PARALLAX_TURN + 0.1), True),
    (_turned(-verify.PARALLAX_TURN - 0.1), False),
    (_turned(180.0), False),                                                  # an ellipse half a turn round
    (_turned(0.0, verify.PARALLAX_AREA * 0.99), True),
    (_turned(0.0, verify.PARALLAX_AREA * 1.01), False),
    (_turned(0.0, 1 / (verify.PARALLAX_AREA * 0.99)), True),
    (_turned(0.0, 1 / (verify.PARALLAX_AREA * 1.01)), False),
    (np.diag([-1.0, 1.0, 1.0]) @ _turned(0.0), False),                        # a mirror image: folded
    (np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), False),   # collapsed onto a line
])
def test_a_second_plane_is_parallax_only_near_the_first(Q, parallax):
    assert verify._parallax(H1, H1 @ Q, AT) is parallax


def test_the_relative_map_is_judged_where_the_second_plane_is():
    """A projective relative map: near the identity at the second plane's points, turned and
    shrunk far from them."""
    Q = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [2e-3, 0.0, 1.0]])
    assert verify._parallax(H1, H1 @ Q, np.array([[0.0, 0.0], [10.0, 20.0]]))
    assert not verify._parallax(H1, H1 @ Q, np.array([[900.0, 0.0], [910.0, 20.0]]))


def test_a_degenerate_first_fit_shows_no_parallax():
    assert not verify._parallax(np.zeros((3, 3)), H1, AT)


def _two_planes(second: np.ndarray):
    """Correspondences of a copy's plane (the query as it is on the work) and 40 more that fit
    `second` (a map of the query onto the work): the query's points, the work's, their numbers."""
    rng = np.random.default_rng(8)
    a = (rng.random((120, 2)) * SIZE).astype(np.float32)
    b = (rng.random((40, 2)) * (400, 300) + (300, 100)).astype(np.float32)
    p = np.c_[b, np.ones(len(b))] @ second.T
    src = np.concatenate([a, b])
    dst = np.concatenate([a, (p[:, :2] / p[:, 2:]).astype(np.float32)])
    return src, dst, np.arange(len(src))


@pytest.mark.parametrize("second, counted", [
    (np.array([[1.0, 0.0, 30.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), True),   # disparity: parallax
    (_turned(180.0, about=(500.0, 250.0)), False),                             # the picture's symmetry
])
def test_verification_counts_only_a_second_plane_that_is_parallax(second, counted):
    src, dst, qidx = _two_planes(second)
    st = verify_pair(src, dst, qidx, np.ones(len(src), np.float32), SIZE, SIZE)
    assert st["n"] >= 100
    assert (st["plane2"] >= 30) is counted and (st["plane2"] == 0) is (not counted), st["plane2"]
