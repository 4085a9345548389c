"""benchmarks/matching_planes.py: how it describes a second fit (a plane or a pile, apart from the
copy's points or among them), that describing leaves the search's answer as it was, and how it
replays a rule about the second plane on saved cases."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import matching_planes as planes  # noqa: E402
from matching import index, verify  # noqa: E402
from matching.index import Index  # noqa: E402
from tests.matching.test_second_plane import _project  # noqa: E402

QSIZE = (400, 300)


def _grid(x0, x1, y0, y1, step=20):
    xs, ys = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)


def _shift(dx, dy, scale=1.0):
    return np.array([[scale, 0, dx], [0, scale, dy], [0, 0, 1]], np.float64)


def test_a_plane_is_not_a_pile():
    src = _grid(210, 400, 0, 300)                   # 30 pixels from the copy's points, 20 apart
    H = _shift(30, 10, 1.2)
    own = _grid(0, 200, 0, 300)
    d = planes.describe(src, _project(H, src), own, H, np.ones(len(src), bool), 6.0, QSIZE)
    assert d["shuffle"] < 0.1                       # shuffled query points land elsewhere
    assert d["det"] == pytest.approx(1.44, abs=1e-3) and d["front"]
    assert d["cells"] == len(src)                   # one work point a cell: one to one
    assert d["inter"] == 0.0                        # the right, apart from the copy's left


def test_a_pile_is_found_whatever_the_query_points_are():
    src = _grid(0, 400, 0, 300, 40)
    spot = np.float32([120, 80])
    dst = spot + np.random.default_rng(1).uniform(-2, 2, (len(src), 2)).astype(np.float32)
    H = np.array([[1e-4, 0, 120], [0, 1e-4, 80], [0, 0, 1]], np.float64)   # the query onto a spot
    d = planes.describe(src, dst, src[:0], H, np.ones(len(src), bool), 6.0, QSIZE)
    assert d["shuffle"] > 0.9 and d["det"] < 1e-3 and d["cells"] <= 4


def test_a_second_plane_among_the_copys_points_is_not_apart():
    pts = _grid(0, 400, 0, 300)
    own, second = pts[::2], pts[1::2]                # every other point: interleaved
    H = _shift(5, 5)
    d = planes.describe(second, _project(H, second), own, H, np.ones(len(second), bool), 6.0, QSIZE)
    assert d["inter"] > 0.9


def test_only_the_fits_inliers_are_described():
    src = _grid(0, 400, 0, 300)
    H = _shift(5, 5)
    mask = np.zeros(len(src), bool)
    mask[:10] = True
    d = planes.describe(src, _project(H, src), src[:0], H, mask, 6.0, QSIZE)
    assert d["cells"] == 10


def _put_back_afterwards(monkeypatch):
    """Everything planes.install() replaces, restored when the test ends."""
    for owner, name in ((index, "verify_pair"), (index.Index, "search"), (index.Index, "verify"),
                        (verify, "ransac"), (verify, "second_plane")):
        monkeypatch.setattr(owner, name, getattr(owner, name))


@pytest.fixture
def described(monkeypatch):
    """planes.install() for one test: everything it replaces is put back afterwards."""
    _put_back_afterwards(monkeypatch)
    planes.taken()
    planes.install()
    yield
    planes.taken()


def _without_h(out: dict) -> dict:
    return {k: v for k, v in out.items() if k != "H"}


def _two_planes():
    near, far = _grid(0, 240, 0, 300), _grid(260, 400, 0, 300)
    src = np.vstack([near, far])
    # the far part 9 pixels aside: beyond RANSAC's 6, so a second plane, and not the copy's own
    dst = np.vstack([_project(_shift(40, 20), near), _project(_shift(49, 20), far)])
    qidx = np.arange(len(src))
    return near, far, (src, dst, qidx, np.ones(len(src), np.float32), (600, 400), QSIZE)


def test_describing_leaves_the_answer_as_it_was_and_keeps_the_second_fit(described):
    near, far, args = _two_planes()
    real_fit = verify.ransac._module.find_homography
    after = index.verify_pair(*args)
    kept = planes.taken()
    again = index.verify_pair(*args)     # the same again: one call's leftovers move no other
    assert verify.ransac._module.find_homography is real_fit
    assert after["plane2"] == len(far) and len(kept) == 1
    assert kept[0]["plane2"] == len(far) and kept[0]["n"] == len(near)
    assert kept[0]["inter"] == 0.0 and kept[0]["shuffle"] < 0.2 and kept[0]["front"]
    assert kept[0]["probe"] is False
    assert _without_h(again) == _without_h(after)
    assert planes.taken() == kept                    # taken once, then the same again


def test_the_answer_without_describing_is_the_same(monkeypatch):
    _, _, args = _two_planes()
    plain = verify.verify_pair(*args)
    _put_back_afterwards(monkeypatch)
    planes.install()
    described = index.verify_pair(*args)
    planes.taken()
    assert _without_h(described) == _without_h(plain)


def test_a_search_names_the_work_of_each_second_plane_and_keeps_its_answer(engine, described):
    """End to end: a copy pasted onto a star field (its matches beside the copy leave a second
    fit to find); each description names the reference verified, and the search answers as
    without describing (the references verified one at a time, in the same order)."""
    from matching.engine import query_signature
    from tests.matching import transforms
    from tests.matching.conftest import photo

    query = transforms.onto_background(photo("coffee.png"), photo("hubble_deep_field.jpg"))
    found = [(m.ref_id, m.score, m.match) for m in engine.search(query_signature(query), k=3)]
    kept = planes.taken()
    assert found[0][0] == "coffee.png" and found[0][2]
    assert kept and {e["ref"] for e in kept} <= {"coffee.png", *(n for n in engine._index.names)}
    assert "coffee.png" in {e["ref"] for e in kept}
    assert all(set(planes.NEEDED) <= set(e) for e in kept)


def test_the_factor_is_the_indexs():
    ix = Index()
    for plane2, n in ((0, 50), (8, 50), (9, 50), (28, 50), (30, 50), (100, 20)):
        st = {"n": float(n), "plane2": float(plane2)}
        assert planes.factor(plane2, n) == pytest.approx(ix.plane_factor(st))
    assert planes.factor(30, 0) == 1.0 == ix.plane_factor({"n": 0.0, "plane2": 30.0})


def _case(plane2, tight=30.0, n=40.0, det=1.0, inter=0.0, shuffle=0.0, ref="S", probe=False,
          front=True):
    return {"ref": ref, "probe": probe, "n": n, "tight": tight, "plane2": plane2, "det": det,
            "front": front, "shuffle": shuffle, "inter": inter, "cells": 20}


def _rec(*described, call=False, scene="S"):
    return {"scene": scene, "call": call, "planes": list(described)}


NOTHING = {"views_now_copies": [], "views_no_longer": [], "copies_now_found": [], "copies_lost": [],
           "disagrees": []}


def test_a_rule_is_replayed_on_the_cases_a_second_plane_decided():
    cases = {
        # zeroed by a collapse (30 tight x factor 0 < 15): a rule refusing collapses calls it
        "view A step aside 1 closer 0 jpeg 60": _rec(_case(30, det=1e-4)),
        "copy B crop": _rec(_case(30, det=1e-4)),
        # a real plane: stays zeroed
        "view C box aside 1 closer 0 jpeg 60": _rec(_case(30, det=0.9)),
        # a call with no second plane at all: not the rule's
        "view D box aside 1 closer 0 jpeg 60": _rec(),
        "copy E crop": {"scene": "E", "call": False},
        # a copy's verification of another work, and a probe: neither makes its call
        "copy F crop": _rec(_case(30, det=1e-4, ref="other"), _case(30, det=1e-4, probe=True)),
    }
    out = planes.replay(cases, planes.RULES["collapse|mirror refused"])
    assert out == {**NOTHING, "views_now_copies": ["view A step aside 1 closer 0 jpeg 60"],
                   "copies_now_found": ["copy B crop"]}
    assert planes.replay(cases, lambda e: e["plane2"]) == NOTHING


def test_a_case_the_estimate_calls_and_the_run_did_not_is_set_apart():
    cases = {"view A step aside 1 closer 0 jpeg 60": _rec(_case(8), call=False),
             "copy B crop": _rec(_case(8), call=True)}
    view = "view A step aside 1 closer 0 jpeg 60"
    assert planes.replay(cases, lambda e: 30.0) == {**NOTHING, "copies_lost": ["copy B crop"],
                                                   "disagrees": [view]}


def test_a_rule_that_counts_more_loses_calls():
    # factor 1: copies both
    cases = {"view A step aside 1 closer 0 jpeg 60": _rec(_case(8), call=True),
             "copy B crop": _rec(_case(8), call=True)}
    out = planes.replay(cases, lambda e: 30.0)
    assert out["views_no_longer"] == ["view A step aside 1 closer 0 jpeg 60"]
    assert out["copies_lost"] == ["copy B crop"]


def test_the_match_threshold_is_reached_on_both_sides():
    # tight 15 x factor 1 = 15: a match; 14.9: none
    assert planes.replay({"copy B crop": _rec(_case(30, tight=15.0))},
                         lambda e: 0.0)["copies_now_found"] == ["copy B crop"]
    assert planes.replay({"copy B crop": _rec(_case(30, tight=14.9))},
                         lambda e: 0.0)["copies_now_found"] == []
    # and before the rule: 15 was a match the rule takes away, 14.9 none to take
    assert planes.replay({"copy B crop": _rec(_case(0, tight=15.0), call=True)},
                         lambda e: 60.0)["copies_lost"] == ["copy B crop"]
    assert planes.replay({"copy B crop": _rec(_case(0, tight=14.9), call=True)},
                         lambda e: 60.0)["copies_lost"] == []


def test_the_view_rule_refuses_what_plane_tries_refuses():
    rule = planes.RULES["no view refused (as verify.PLANE_TRIES 1)"]
    assert rule(_case(30, det=1.0)) == 30
    assert rule(_case(30, det=1.0, front=False)) == 0.0
    assert rule(_case(30, det=0.0009)) == 0.0 and rule(_case(30, det=0.0011)) == 30
    assert rule(_case(30, det=999.0)) == 30 and rule(_case(30, det=1001.0)) == 0.0


def test_the_report_names_the_rules_and_refuses_a_file_it_cannot_replay(tmp_path, capsys):
    saved = tmp_path / "views.json"
    saved.write_text(json.dumps({"cases": {"copy B crop": _rec(_case(30, det=-0.5)),
                                           "copy C crop": _rec(_case(30, det=-1e-4))}}))
    assert planes.main([str(saved)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == set(planes.RULES)
    assert report["mirror refused"]["copies_now_found_are"] == ["copy B crop"]
    assert report["mirror refused"]["copies_now_found"] == 1
    both = ["copy B crop", "copy C crop"]
    assert report["collapse|mirror refused"]["copies_now_found_are"] == both
    assert report["pile refused (shuffle >= 0.5)"]["copies_now_found_are"] == []
    for content, says in (({"cases": {"copy B crop": {"call": True}}}, "saved without --planes"),
                          ({"cases": []}, "not a mapping of case to record"),
                          ({"cases": {"a": 1}}, "not a mapping of case to record"),
                          ({"cases": {"a": {"planes": {"x": 1}}}}, "planes are not a list"),
                          ({"cases": {"a": {"planes": [{"n": 1}]}}}, "a description lacks tight"),
                          ({"cases": {"a": {"planes": [3]}}}, "a description lacks n")):
        saved.write_text(json.dumps(content))
        with pytest.raises(SystemExit):
            planes.main([str(saved)])
        assert says in capsys.readouterr().err, content
    for text in ("not json", None):
        if text is None:
            saved.unlink()
        else:
            saved.write_text(text)
        with pytest.raises(SystemExit):
            planes.main([str(saved)])
        assert "not a file matching_views.py --save wrote" in capsys.readouterr().err
    saved.write_text(json.dumps({"cases": {"copy B crop": _rec()}}))
    assert planes.main([str(saved)]) == 0
    assert "no second plane was described" in capsys.readouterr().err


def test_the_shuffle_counts_only_the_fits_own_inliers():
    """Of a pile, 5 pairs are the fit's inliers: shuffled, at most those 5 can stay (the other
    35 land on the spot too, but were never the fit's)."""
    src = _grid(0, 400, 0, 300, 40)
    dst = np.tile(np.float32([120, 80]), (len(src), 1))
    H = np.array([[1e-4, 0, 120], [0, 1e-4, 80], [0, 0, 1]], np.float64)
    mask = np.zeros(len(src), bool)
    mask[:5] = True
    assert planes.describe(src, dst, src[:0], H, mask, 6.0, QSIZE)["shuffle"] == 1.0


def test_a_second_point_on_an_own_point_is_among_the_copys():
    second = np.float32([[100, 100], [300, 300], [320, 300]])
    H = _shift(5, 5)
    d = planes.describe(second, _project(H, second), second[:1], H, np.ones(3, bool), 6.0, QSIZE)
    assert d["inter"] == pytest.approx(1 / 3, abs=1e-3)


def test_a_fit_over_the_horizon_is_not_from_in_front():
    src = _grid(0, 400, 0, 300)
    H = np.array([[1.0, 0, 0], [0, 1.0, 0], [-1 / 300, 0, 1.0]])
    d = planes.describe(src, src, src[:0], H, np.ones(len(src), bool), 6.0, QSIZE)
    assert d["front"] is False


def test_with_several_tries_the_fit_described_is_the_one_counted(described, monkeypatch):
    """verify.PLANE_TRIES 2: a collapse refused, then the plain plane behind it counted; the
    description is of that plane (area scale 0.81), not of the refused collapse."""
    monkeypatch.setattr(verify, "PLANE_TRIES", 2)
    rng = np.random.default_rng(5)
    src = (rng.random((120, 2)) * QSIZE).astype(np.float32)
    copy = _shift(40, 20)
    collapse = np.array([[0.002, 0.0, 500.0], [0.0, 0.002, 300.0], [0.0, 0.0, 1.0]])
    plain = _shift(30, 20, 0.9)
    dst = np.vstack([_project(copy, src[:60]), _project(collapse, src[60:100]),
                     _project(plain, src[100:])])
    out = index.verify_pair(src, dst, np.arange(120), np.ones(120, np.float32), (600, 400), QSIZE)
    kept = planes.taken()
    assert out["plane2"] == 20 and len(kept) == 1
    assert kept[0]["det"] == pytest.approx(0.81, abs=0.01) and kept[0]["plane2"] == 20


def test_the_report_names_the_scenes_whose_views_became_copies(tmp_path, capsys):
    saved = tmp_path / "views.json"
    saved.write_text(json.dumps({"cases": {
        "view My Scene.png step aside 1 closer 0 jpeg 60":
            _rec(_case(30, det=-0.5), scene="My Scene.png")}}))
    assert planes.main([str(saved)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["mirror refused"]["views_now_copies_of"] == {"My Scene.png": 1}


def test_a_probe_is_the_first_variant_of_a_search_asked_for_planes(described):
    """Index.search with `planes` verifies its first variant only for the second-plane factor
    (the windows' stage's whole query, a closer look): such a description is marked a probe."""
    _, _, args = _two_planes()
    first, other = object(), object()
    for probing, f, probe in ((True, first, True), (True, other, False), (False, first, False)):
        planes._NOW.update(variants=[first, other], probing=probing, f=f)
        index.verify_pair(*args)
        assert [e["probe"] for e in planes.taken()] == [probe]


def test_installing_twice_wraps_once(described):
    planes.install()
    assert not isinstance(verify.ransac._module, planes.Recorder)
