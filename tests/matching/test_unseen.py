"""Copies of photographs the vocabulary never saw, in an index of realistic size (issue 16).

The works are photos of the Debian package lomiri-wallpapers-16.04 (`unseen_engine` in
conftest.py says how we know the vocabulary never saw them); the index holds 5,000
references, so the visual-word shortlist (20 of them) has real competition. The tests
skip, naming the package and the apt-get command, where it is not installed; .ci/run
installs it.

Every known miss is a strict xfail with what was measured, so it turns red the day it is
fixed. Of 190 copies (10 works x 17 families + 2 pastings), 12 are missed: 9 only at this
size (the work falls out of the shortlist; each is found, at 0.68-0.99, in an index of the
17 real references alone) and 3 at any size. In the same index the three scikit-image works
of test_copies.py (which the vocabulary was trained on) miss none of their 51 copies.
"""
from __future__ import annotations

import numpy as np
import pytest

from matching.engine import THRESHOLD
from tests.matching import transforms
from tests.matching.conftest import (REFERENCES, UNSEEN_DISTRACTORS, UNSEEN_INDEX_SIZE, UNSEEN_REFERENCES,
                                     photo, unseen_path, unseen_photo)

BACKGROUNDS = ["Bridge_by_Sander_Klootwijk.jpg", "sunset_by_Aitzol_Berasategi.jpg"]   # not in the index


def _not_shortlisted(top: str, small: float) -> str:
    return (f"not shortlisted among {UNSEEN_INDEX_SIZE:,} references (measured: the best was {top}, "
            f"and no reference reached the threshold {THRESHOLD}); found at {small} in an index of "
            f"its 17 real references alone")


# (work, family) -> why it is missed, as measured on 2026-12-02. Found since the query's second
# stage (mirror and enlarged windows, 2026-12-04), and no longer listed: Picture_0B's emoji copy
# and three works pasted onto the sunset. Found since queries are described at the references'
# side (QUERY_SIDE 800, 2026-12-04): Picture_0B's crop, text and perspective copies, the
# crop+jpeg+text chains of Picture_1A and of seeding.
KNOWN_MISSES = {
    ("Picture_0B_by_freespace.jpg", "chain: crop+jpeg+text"): _not_shortlisted("Dragonfly at 0.169", 0.68),
    ("aitzgorri_by_Aitzol_Berasategi.jpg", "chain: crop+jpeg+text"):
        "missed at any index size (measured: best Dragonfly at 0.07 here, Wine at 0.14 among the 17 "
        "real references): a JPEG at quality 40 of a landscape of smooth slopes keeps few corners",
    ("greentock_by_Peter_Nerlich.jpg", "chain: crop+jpeg+text"):
        "missed at any index size (measured: the work at 0.0 here, brick.png at 0.21 among the 17 "
        "real references): the clock face is smooth, and the text takes the query's corners",
}


def _cases(variants):
    return [pytest.param(work, v, id=f"{work.split('_by_')[0]}-{v}",
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[work, v])]
                         if (work, v) in KNOWN_MISSES else [])
            for work in UNSEEN_REFERENCES for v in variants]


def _word_distance(path) -> float:
    """Mean Hamming distance from a picture's descriptors to the centroid of their word."""
    from matching.decode import load_gray
    from matching.features import extract
    from matching.vocabulary import BRANCH, default

    d = np.ascontiguousarray(extract(load_gray(path, 1024), 2000).desc).view(np.uint64).reshape(-1, 1, 4)
    node = np.zeros(len(d), np.int64)
    for level in default().levels:
        dist = np.bitwise_count(level[node] ^ d).sum(axis=2)
        node = node * BRANCH + dist.argmin(axis=1)
    return float(dist.min(axis=1).mean())


def test_the_vocabulary_never_saw_these_photos():
    """A vocabulary tree fits the pictures it was trained on tightly: 25 bits on average from
    a descriptor to its word's centroid over scikit-image's photos (at most 34), 56 over
    this package's (at least 49). If the vocabulary is ever retrained on these photos,
    this fails, and the tests of this file lose their point."""
    from tests.matching.conftest import DATA

    unseen = {name: _word_distance(unseen_path(name)) for name in UNSEEN_REFERENCES + UNSEEN_DISTRACTORS}
    seen = {name: _word_distance(DATA / name) for name in REFERENCES}
    assert max(seen.values()) < 40 < min(unseen.values()), (seen, unseen)


@pytest.mark.parametrize(("work", "family"), _cases(transforms.FAMILIES))
def test_each_transform_family_finds_its_unseen_work(unseen_engine, work, family):
    copy = transforms.FAMILIES[family](unseen_photo(work))
    found = unseen_engine.search(copy, k=3)
    assert found and found[0].ref_id == work, (family, work, found)
    assert found[0].match, f"{family} copy of {work} scored {found[0].score}, below the threshold"
    assert all(not m.match for m in found[1:]), found


@pytest.mark.parametrize(("work", "background"), _cases([f"onto {b}" for b in BACKGROUNDS]))
def test_pasted_onto_an_unseen_photo(unseen_engine, work, background):
    copy = transforms.onto_background(unseen_photo(work), unseen_photo(background.removeprefix("onto ")))
    best = unseen_engine.search(copy, k=1)[0]
    assert best.ref_id == work and best.match, best


@pytest.mark.parametrize("name", UNSEEN_DISTRACTORS)
def test_unrelated_unseen_photos_are_not_matched(unseen_engine, name):
    found = unseen_engine.search(unseen_photo(name), k=5)
    assert not any(m.match for m in found), found


def test_the_left_view_is_found_at_realistic_size(unseen_engine):
    best = unseen_engine.search(transforms.jpeg(transforms.rescale(photo("motorcycle_left.png"), 0.5), 50))[0]
    assert best.ref_id == "motorcycle_left.png" and best.match


def _stereo_false_match(family: str, score: float) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=(
        f"defect (issue 16): a {family} copy of the motorcycle's right view is called a copy of the "
        f"left view, measured score {score} >= threshold {THRESHOLD} in the {UNSEEN_INDEX_SIZE:,}-reference "
        f"index (and in a small one too); the right view as it is scores 0.0 against the left view. The "
        f"yardstick's set B likewise called the other view of the pair a copy"))


# emoji: 0.553 since the first stage searches the query as it is without its mirror (another
# shortlist, other competitors in the ratio test; it scored below the threshold with both)
# pad (0.633 once queries were described at 800 pixels) and screenshot+meme (0.635): no longer
# copies since a copy found on at most 0.8 of the query gets a closer look (engine.CLOSER_SHARE)
STEREO_FALSE_MATCHES = {"text": 0.564, "emoji": 0.553, "chain: crop+jpeg+text": 0.648}


@pytest.mark.parametrize("family", [
    pytest.param(family, marks=[_stereo_false_match(family, STEREO_FALSE_MATCHES[family])]
                 if family in STEREO_FALSE_MATCHES else [])
    for family in ["as it is", *transforms.FAMILIES]])
def test_the_stereo_pair_is_not_a_copy_at_realistic_size(unseen_engine, family):
    """The right view of the motorcycle (another photo of the same scene), as it is and
    modified as copies are, is not a copy of the left view, which is in the index."""
    right = photo("motorcycle_right.png")
    query = right if family == "as it is" else transforms.FAMILIES[family](right)
    found = unseen_engine.search(query, k=5)
    assert not any(m.match for m in found), found
