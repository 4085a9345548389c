"""A second plane that is a view (issue 21; `verify.PLANE_TRIES`, off by default: measured and
not kept, docs/benchmarks.md). With the setting, the second-plane discount counts a second
homography among the matches a copy's fit leaves out only when that fit could be a view of a
plane, as the copy's own fit must be (verify._a_view): not collapsing the query onto a few points
of the work, not a reflection, from in front. A symmetric or repeated work's copy matches its
look-alike parts too; those pairs fit a mirror or pile onto a few points, and that fit zeroes the
copy. The view check itself guards every copy's own fit."""
from __future__ import annotations

import numpy as np
import pytest

from matching import verify
from matching.verify import _a_view, second_plane

QSIZE = (800, 600)


@pytest.mark.parametrize("H, view", [
    (np.eye(3), True),
    (np.diag([0.0317, 0.0317, 1.0]), True),             # area scale 0.001005: just above the bound
    (np.diag([0.0316, 0.0316, 1.0]), False),            # 0.000999: just below (a collapse)
    (np.diag([31.6, 31.6, 1.0]), True),                 # 998.6: just below the upper bound
    (np.diag([31.7, 31.7, 1.0]), False),                # 1004.9: a detail blown up
    (np.diag([-1.0, 1.0, 1.0]), False),                 # a mirror: area scale -1
    (np.diag([-0.5, -0.5, 1.0]), True),                 # a half turn is no mirror (area scale 0.25)
    (np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1e-10]]), False),   # no finite map
    (np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [-1 / 800, 0.0, 1.0]]), False),  # over the horizon
    (None, False),
])
def test_a_view(H, view):
    assert _a_view(H, QSIZE) is view


def _project(H: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.c_[pts, np.ones(len(pts))] @ H.T
    return (p[:, :2] / p[:, 2:]).astype(np.float32)


def _groups(*maps: tuple[np.ndarray, int], seed: int = 3):
    """Matches in groups, each of n query points of its own fitted by its map."""
    rng = np.random.default_rng(seed)
    total = sum(n for _, n in maps)
    src = (rng.random((total, 2)) * QSIZE).astype(np.float32)
    dst, a = [], 0
    for H, n in maps:
        dst.append(_project(H, src[a:a + n]))
        a += n
    return src, np.concatenate(dst), np.arange(total)


# a plain view of the work: 0.9 of its size, moved
PLAIN = np.array([[0.9, 0.0, 30.0], [0.0, 0.9, 20.0], [0.0, 0.0, 1.0]])

# many query points piled onto one spot of the work: the largest fit maps the query's plane to
# almost a point (what a repeated or symmetric work's look-alike pairs do)
COLLAPSE = np.array([[0.002, 0.0, 900.0], [0.0, 0.002, 700.0], [0.0, 0.0, 1.0]])
MIRROR = np.array([[-1.0, 0.0, 800.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


@pytest.mark.parametrize("first", [COLLAPSE, MIRROR], ids=["collapse", "mirror"])
def test_the_second_plane_is_the_largest_fit_that_is_a_view(monkeypatch, first):
    src, dst, qidx = _groups((first, 40), (PLAIN, 20))
    monkeypatch.setattr(verify, "PLANE_TRIES", None)          # the old measure: the largest fit
    assert second_plane(src, dst, qidx, 6.0, QSIZE) == 40
    monkeypatch.setattr(verify, "PLANE_TRIES", 1)             # that fit refused, none tried after
    assert second_plane(src, dst, qidx, 6.0, QSIZE) == 0
    monkeypatch.setattr(verify, "PLANE_TRIES", 2)             # the plain view found behind it
    assert second_plane(src, dst, qidx, 6.0, QSIZE) == 20


def test_a_second_plane_that_is_a_view_counts_at_the_first_try(monkeypatch):
    """A parallax plane (another photograph of the scene) is a view: counted as before."""
    parallax = np.array([[1.1, 0.05, -20.0], [-0.05, 1.1, 10.0], [0.0, 0.0, 1.0]])
    src, dst, qidx = _groups((parallax, 40))
    for tries in (None, 1, 3):
        monkeypatch.setattr(verify, "PLANE_TRIES", tries)
        assert second_plane(src, dst, qidx, 6.0, QSIZE) == 40


def test_too_few_matches_left_after_a_refused_fit(monkeypatch):
    """After the collapsed fit's 40 points are set aside, 7 remain: too few for a plane (as
    verify_pair asks 8 of the rest before it looks for one)."""
    monkeypatch.setattr(verify, "PLANE_TRIES", 3)
    src, dst, qidx = _groups((COLLAPSE, 40), (PLAIN, 7))
    assert second_plane(src, dst, qidx, 6.0, QSIZE) == 0
    src, dst, qidx = _groups((COLLAPSE, 40), (PLAIN, 8))
    assert second_plane(src, dst, qidx, 6.0, QSIZE) == 8


def test_a_query_point_of_a_refused_fit_is_set_aside_with_all_its_matches(monkeypatch):
    """A query point matched twice (to a look-alike part and to its own): once its pair is in a
    refused fit, its other pair is not offered to the next, as the copy's own inliers' are not."""
    monkeypatch.setattr(verify, "PLANE_TRIES", 3)
    src, dst, qidx = _groups((COLLAPSE, 40), (PLAIN, 20))
    # 10 of the collapsed fit's 40 query points also matched where the plain view puts them:
    # the view then has 30 pairs, still fewer than the collapse's 40
    src2 = np.concatenate([src, src[:10]])
    dst2 = np.concatenate([dst, _project(PLAIN, src[:10])])
    qidx2 = np.concatenate([qidx, qidx[:10]])
    assert second_plane(src2, dst2, qidx2, 6.0, QSIZE) == 20


def test_two_refused_fits_in_a_row(monkeypatch):
    """A collapse (40), then a mirror (30), then a plain view (20): two tries find no view, the
    third finds the view."""
    src, dst, qidx = _groups((COLLAPSE, 40), (MIRROR, 30), (PLAIN, 20))
    monkeypatch.setattr(verify, "PLANE_TRIES", 2)
    assert second_plane(src, dst, qidx, 6.0, QSIZE) == 0
    monkeypatch.setattr(verify, "PLANE_TRIES", 3)
    assert second_plane(src, dst, qidx, 6.0, QSIZE) == 20


def test_the_count_is_of_query_points_not_pairs(monkeypatch):
    """5 of the view's 20 query points matched twice, a quarter pixel apart: 25 pairs, 20 points."""
    src, dst, qidx = _groups((PLAIN, 20))
    src = np.concatenate([src, src[:5]])
    dst = np.concatenate([dst, dst[:5] + np.float32(0.25)])
    qidx = np.concatenate([qidx, qidx[:5]])
    for tries in (None, 2):
        monkeypatch.setattr(verify, "PLANE_TRIES", tries)
        assert second_plane(src, dst, qidx, 6.0, QSIZE) == 20


def test_without_the_query_size_the_switch_does_not_apply(monkeypatch):
    """_a_view needs the query's size (its corners); a caller without it gets the largest fit."""
    src, dst, qidx = _groups((COLLAPSE, 40), (PLAIN, 20))
    monkeypatch.setattr(verify, "PLANE_TRIES", 3)
    assert second_plane(src, dst, qidx, 6.0, None) == 40


def test_no_fit_at_all(monkeypatch):
    monkeypatch.setattr(verify, "PLANE_TRIES", 3)
    monkeypatch.setattr(verify.ransac, "find_homography", lambda *a, **k: (None, None))
    src, dst, qidx = _groups((PLAIN, 20))
    assert second_plane(src, dst, qidx, 6.0, QSIZE) == 0


def test_a_map_with_no_finite_divisor_is_no_view():
    """Scaled by 1e-10 the identity has an area scale of 1 once divided by H[2,2]: only the
    guard on H[2,2] refuses it."""
    assert not _a_view(np.eye(3) * 1e-10, QSIZE)
    assert _a_view(np.eye(3) * 1e-8, QSIZE)


def test_verify_pair_hands_the_query_size_to_the_second_plane(monkeypatch):
    """Through verify_pair: a copy's plane of 60 points, and 40 more piled onto one spot of the
    work. The old measure counts the pile as a second plane; with the switch it is refused."""
    from matching.verify import verify_pair

    src, dst, qidx = _groups((PLAIN, 60), (COLLAPSE, 40))
    args = (src, dst, qidx, np.ones(len(src), np.float32), (1000, 800), QSIZE)
    monkeypatch.setattr(verify, "PLANE_TRIES", None)
    old = verify_pair(*args)
    assert old["n"] == 60 and old["plane2"] == 40
    monkeypatch.setattr(verify, "PLANE_TRIES", 1)
    new = verify_pair(*args)
    assert new["n"] == 60 and new["plane2"] == 0
