"""benchmarks/matching_views.py: the made-up depths it renders views with, and how it tells two
runs apart (what a change to verification is weighed on: new false copies against copies found)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import matching_views as views  # noqa: E402


@pytest.mark.parametrize("kind", views.MAPS)
def test_every_disparity_map_spans_far_to_near(kind):
    d = views.disparity(kind, 200, 100, seed=3)
    assert d.shape == (100, 200)
    assert d.min() == pytest.approx(views.FAR, abs=0.5)      # blobs: their tails, a little nearer
    assert d.max() == pytest.approx(views.NEAR)


def test_the_step_is_the_right_half_nearer():
    d = views.disparity("step", 200, 100, seed=0)
    assert (d[:, :100] == views.FAR).all() and (d[:, 101:] == views.NEAR).all()


def test_the_box_is_nearer_in_the_middle_only():
    d = views.disparity("box", 200, 100, seed=0)
    assert d[50, 100] == views.NEAR
    assert d[0, 0] == d[99, 199] == d[50, 5] == views.FAR


def test_columns_alternate():
    d = views.disparity("columns", 160, 10, seed=0)
    assert list(d[0, ::20]) == [views.FAR, views.NEAR] * 4


def test_blobs_are_the_same_for_the_same_seed_and_not_for_another():
    a, b, c = (views.disparity("blobs", 120, 90, seed=s) for s in (1, 1, 2))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_an_unknown_map_or_drawing_says_which_there_are():
    with pytest.raises(ValueError, match="step, box, stairs, blobs, columns"):
        views.disparity("wave", 10, 10, seed=0)
    with pytest.raises(ValueError, match="building, fence, tiles, textpage"):
        views.drawn("castle")


def test_compare_sorts_each_changed_call_and_leaves_the_unchanged_out():
    before = {
        "view a step": {"call": False, "score": 0.1},
        "view a box": {"call": True, "score": 0.7},
        "view a blobs": {"call": False, "score": 0.2},
        "copy a crop": {"call": False, "score": 0.3},
        "copy a turned": {"call": True, "score": 0.9},
        "copy a mirrored": {"call": True, "score": 0.9},
        "copy gone": {"call": True, "score": 0.9},
    }
    now = {
        "view a step": {"call": True, "score": 0.8},
        "view a box": {"call": False, "score": 0.4},
        "view a blobs": {"call": False, "score": 0.45},
        "copy a crop": {"call": True, "score": 0.6},
        "copy a turned": {"call": False, "score": 0.2},
        "copy a mirrored": {"call": True, "score": 0.95},
    }
    assert views.compare(now, before) == {
        "new_false_copies": ["view a step: 0.1 -> 0.8"],
        "views_no_longer_copies": ["view a box: 0.7 -> 0.4"],
        "copies_found": ["copy a crop: 0.3 -> 0.6"],
        "copies_lost": ["copy a turned: 0.9 -> 0.2"],
    }


def test_compare_without_a_saved_base_says_how_to_make_one(tmp_path, capsys):
    with pytest.raises(SystemExit):
        views.main(["--compare", str(tmp_path / "missing.json")])
    assert "make it with --save on the base first" in capsys.readouterr().err


def test_a_run_renders_sixty_views_and_four_copies_a_scene(tmp_path, capsys):
    """One scene end to end: indexed, its views rendered and searched, its copies found (the
    astronaut is no self-similar puzzle: its four copies are found), saved and compared with
    itself (nothing changed)."""
    saved = tmp_path / "run.json"
    assert views.main(["--only", "astronaut", "--wallpapers", "0", "--workers", "1", "--save", str(saved)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["scenes"] == 1 and first["views"] == 60 and first["copies"] == 4
    assert first["copies_found"] == 4, first["copies_missed"]
    cases = json.loads(saved.read_text())["cases"]
    assert len(cases) == 64
    assert sum(v["call"] for k, v in cases.items() if k.startswith("view ")) == first["views_called_copies"]
    assert views.main(["--only", "astronaut", "--wallpapers", "0", "--workers", "1",
                       "--compare", str(saved)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["changed"] == {"new_false_copies": [], "views_no_longer_copies": [], "copies_found": [],
                                "copies_lost": []}
