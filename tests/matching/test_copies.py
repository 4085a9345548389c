"""Modified copies are found; look-alikes and unrelated photos are not.

What these tests can and cannot show (issue 16). Their pictures are scikit-image's, which
the vocabulary was trained on, in an index of 7 references:
- the index is smaller than the shortlist (20), so every reference is verified and the
  visual-word shortlist is never put to the test;
- the vocabulary fits its training pictures: a copy's descriptor lands in the same word
  as the work's 37% of the time here, 22% on photos it never saw, so even a larger index
  of these works would flatter the shortlist. The same 51 copies are all found among 5,000
  references, where copies of unseen photos miss 12 of 190.
So `test_each_transform_family_is_matched` and `test_pasted_onto_another_picture` show that
verification handles each family, not that the engine finds such copies of a client's
photos; `test_the_stereo_pair_is_not_a_copy` only tries the right view as it is (modified
right views are called copies: test_unseen.py). test_unseen.py holds the tests that cannot
pass because the vocabulary memorised its pictures. The distractor tests are only a little
flattered: the centroid that stands in for the rest of the world in verification lies 57
bits from a training picture's descriptors on average, 60 from an unseen one's, so a seen
distractor's chance pairs are cut slightly more often (test_unseen.py repeats the test on
unseen photos).
(test_engine.py uses these photos for the API's mechanics, where which picture does not
matter.)"""
from __future__ import annotations

import numpy as np
import pytest

from tests.matching import transforms
from tests.matching.conftest import DATA, DISTRACTORS, photo

WORKS = ["astronaut.png", "coffee.png", "chelsea.png"]


@pytest.mark.parametrize("family", list(transforms.FAMILIES))
@pytest.mark.parametrize("work", WORKS)
def test_each_transform_family_is_matched(engine, family, work):
    copy = transforms.FAMILIES[family](photo(work))
    found = engine.search(copy, k=3)
    assert found and found[0].ref_id == work, (family, work, found)
    assert found[0].match, f"{family} copy of {work} scored {found[0].score}, below the threshold"
    assert all(not m.match for m in found[1:]), found


@pytest.mark.parametrize("background", ["moon.png", "hubble_deep_field.jpg"])
@pytest.mark.parametrize("work", WORKS)
def test_pasted_onto_another_picture(engine, work, background):
    copy = transforms.onto_background(photo(work), photo(background))
    best = engine.search(copy, k=1)[0]
    assert best.ref_id == work and best.match, best


@pytest.mark.xfail(strict=True, reason="known weakness: a busy background (grass) takes the "
                                       "query's keypoint budget from a smooth work (the cat)")
def test_smooth_work_on_a_busy_background(engine):
    copy = transforms.onto_background(photo("chelsea.png"), photo("grass.png"))
    best = engine.search(copy, k=1)[0]
    assert best.ref_id == "chelsea.png" and best.match


@pytest.mark.parametrize("name", DISTRACTORS)
def test_unrelated_photos_are_not_matched(engine, name):
    assert not any(m.match for m in engine.search(photo(name), k=5))


def test_the_stereo_pair_is_not_a_copy(engine):
    """The right view of the motorcycle is another photo of the same scene: not a copy
    of the left view (64-bit perceptual hashes call it one). Only the view as it is: with
    text on it, it is called a copy (test_unseen.py, strict xfails)."""
    found = engine.search(photo("motorcycle_right.png"), k=5)
    assert not any(m.match for m in found), found


def test_the_left_view_itself_is_found(engine):
    best = engine.search(transforms.jpeg(transforms.rescale(photo("motorcycle_left.png"), 0.5), 50))[0]
    assert best.ref_id == "motorcycle_left.png" and best.match


def test_scores_are_in_range_and_sorted(engine):
    found = engine.search(photo("astronaut.png"), k=5)
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


SYMMETRIC = ["phantom.png", "color.png"]


@pytest.fixture(scope="module")
def symmetric_engine(tmp_path_factory):
    from matching import Engine

    engine = Engine.open(tmp_path_factory.mktemp("symmetric"))
    assert not engine.add_many((name, photo(name)) for name in [*SYMMETRIC, "astronaut.png", "motorcycle_left.png"])
    return engine


@pytest.mark.xfail(strict=True, reason=(
    "known weakness (issue 21): a symmetric work matches itself turned (the phantom's ellipses half "
    "a turn round, a colour wheel), those pairs fit a second homography, and the second-plane "
    "discount (meant for another photo of the scene) zeroes the copy (both 0.0 here). A "
    "check on the second fit's relative map was tried and reverted: it also made other views of "
    "a scene copies; so was counting a second fit that piles onto a few points of the work by "
    "those points, which made other views of repeated textures copies; and so was refusing a "
    "second fit that is no view (collapsed, mirrored, not from in front: verify.PLANE_TRIES), "
    "which made 38 more of the tuning set's views of smooth pictures copies, and 2 fewer "
    "(docs/benchmarks.md)"))
@pytest.mark.parametrize("work", SYMMETRIC)
def test_a_crop_of_a_symmetric_work_is_a_copy(symmetric_engine, work):
    w, h = photo(work).size
    copy = transforms.jpeg(photo(work).crop((w // 10, h // 8, w * 9 // 10, h * 7 // 8)), 75)
    best = symmetric_engine.search(copy, k=1)[0]
    assert best.ref_id == work and best.match, best


# Other photographs of the motorcycle's scene, rendered from scikit-image's disparity map of the
# left view (transforms.other_view): the camera a step aside and closer. None is a copy. Kept as
# tests so that a change to the second-plane discount is tried on views with parallax beyond
# the one stereo pair (a check on the second fit's map made the view 0.4 closer and half a
# baseline aside a copy, 0.73: docs/benchmarks.md). Views the engine scores near the threshold
# either way are left out; the half-baseline view beside it is a known false copy.
@pytest.mark.parametrize("closer, sideways", [
    (0.0, 1.0), (0.3, 0.5), (0.3, 1.0), (0.4, 0.5), (0.4, 1.0), (0.5, 0.0),
    # the camera to the other side, and farther back (a review's cases)
    (0.0, -1.0), (0.0, -1.5), (-0.3, -1.0), (-0.3, -1.5),
    pytest.param(0.0, 0.5, marks=pytest.mark.xfail(strict=True, reason=(
        "known weakness (issue 21): a view from half the stereo pair's baseline aside shows too "
        "little parallax to tell from a copy (measured 0.84 at JPEG 70 and 90)"))),
    pytest.param(0.3, -1.0, marks=pytest.mark.xfail(strict=True, reason=(
        "known weakness (issue 21): a view from a whole baseline to the other side and 0.3 closer "
        "is called a copy (measured 0.79 at JPEG 70, 0.83 at 90; found by review: of 252 such "
        "renders of the scene, 103 are called copies)"))),
])
def test_another_view_of_the_scene_is_not_a_copy(engine, closer, sideways):
    disparity = np.load(DATA / "motorcycle_disp.npz")["arr_0"].astype(np.float64)
    view = transforms.other_view(photo("motorcycle_left.png"), disparity, sideways, closer)
    for quality in (70, 90):
        found = engine.search(transforms.jpeg(view, quality), k=3)
        assert not any(m.match for m in found), (quality, found)


def test_another_view_of_a_repeated_texture_is_not_a_copy(engine):
    """The brick wall seen from a step aside and closer, its right half nearer (a disparity of 40
    pixels against 8: a step in depth). On a repeated texture the nearer part's matches pile onto
    a few look-alike bricks, and that pile is all that tells the view from a copy: counting a
    pile-up by its points of the work (a change tried for symmetric works' copies) made this view
    a copy at 0.86 (a review's case; docs/benchmarks.md, "a pile-up is not a plane")."""
    brick = photo("brick.png")
    disparity = np.where(np.mgrid[0:brick.size[1], 0:brick.size[0]][1] > brick.size[0] / 2, 40.0, 8.0)
    view = transforms.jpeg(transforms.other_view(brick, disparity, 1.5, 0.2), 60)
    found = engine.search(view, k=3)
    assert not any(m.match for m in found), found
