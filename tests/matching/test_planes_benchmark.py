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

QSIZE = (400, 300)


def _grid(x0, x1, y0, y1, step=20):
    xs, ys = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)


def _shift(dx, dy, scale=1.0):
    return np.array([[scale, 0, dx], [0, scale, dy], [0, 0, 1]], np.float64)


def _apply(H, pts):
    p = np.c_[pts, np.ones(len(pts))] @ H.T
    return (p[:, :2] / p[:, 2:]).astype(np.float32)


def test_a_plane_is_not_a_pile():
    src = _grid(210, 400, 0, 300)                   # 30 pixels from the copy's points, 20 apart
    H = _shift(30, 10, 1.2)
    d = planes.describe(src, _apply(H, src), _grid(0, 200, 0, 300), H, np.ones(len(src), bool), 6.0, QSIZE)
    assert d["shuffle"] < 0.1                       # shuffled query points land elsewhere
    assert d["det"] == pytest.approx(1.44, abs=1e-3) and d["front"]
    assert d["cells"] == len(src)                   # one work point a cell: one to one
    assert d["inter"] == 0.0                        # the right half, apart from the copy's left half


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
    d = planes.describe(second, _apply(H, second), own, H, np.ones(len(second), bool), 6.0, QSIZE)
    assert d["inter"] > 0.9


def test_only_the_fits_inliers_are_described():
    src = _grid(0, 400, 0, 300)
    H = _shift(5, 5)
    mask = np.zeros(len(src), bool)
    mask[:10] = True
    d = planes.describe(src, _apply(H, src), src[:0], H, mask, 6.0, QSIZE)
    assert d["cells"] == 10


def test_describing_leaves_the_answer_as_it_was_and_keeps_the_second_fit(monkeypatch):
    monkeypatch.setattr(index, "verify_pair", index.verify_pair)     # restored afterwards
    monkeypatch.setattr(verify.ransac, "find_homography", verify.ransac.find_homography)
    near, far = _grid(0, 240, 0, 300), _grid(260, 400, 0, 300)
    src = np.vstack([near, far])
    # the far part 9 pixels aside: beyond RANSAC's 6, so a second plane, and not the copy's own
    dst = np.vstack([_apply(_shift(40, 20), near), _apply(_shift(49, 20), far)])
    qidx = np.arange(len(src))
    args = (src, dst, qidx, np.ones(len(src), np.float32), (600, 400), QSIZE)
    import cv2
    cv2.setRNGSeed(1)
    before = verify.verify_pair(*args)
    planes.taken()
    planes.install()
    cv2.setRNGSeed(1)
    after = index.verify_pair(*args)
    assert {k: v for k, v in after.items() if k != "H"} == {k: v for k, v in before.items() if k != "H"}
    kept = planes.taken()
    assert before["plane2"] == len(far) and len(kept) == 1
    assert kept[0]["plane2"] == len(far) and kept[0]["n"] == len(near)
    assert kept[0]["inter"] == 0.0 and kept[0]["shuffle"] < 0.2 and kept[0]["front"]
    assert planes.taken() == []                      # taken once


def test_the_factor_is_the_indexs():
    ix = Index()
    for plane2, n in ((0, 50), (8, 50), (9, 50), (28, 50), (30, 50), (100, 20)):
        st = {"n": float(n), "plane2": float(plane2)}
        assert planes.factor(plane2, n) == pytest.approx(ix.plane_factor(st))


def _case(plane2, tight=30.0, n=40.0, det=1.0, inter=0.0, shuffle=0.0):
    return {"n": n, "tight": tight, "plane2": plane2, "det": det, "front": True, "shuffle": shuffle,
            "inter": inter, "cells": 20}


def test_a_rule_is_replayed_on_the_cases_a_second_plane_decided():
    cases = {
        # zeroed by a collapse (30 tight x factor 0 < 15): a rule refusing collapses calls it
        "view A step aside 1 closer 0 jpeg 60": {"planes": [_case(30, det=1e-4)]},
        "copy B crop": {"planes": [_case(30, det=1e-4)]},
        # a real plane: stays zeroed
        "view C box aside 1 closer 0 jpeg 60": {"planes": [_case(30, det=0.9)]},
        # a call with no second plane at all: not the rule's
        "view D box aside 1 closer 0 jpeg 60": {"planes": []},
        "copy E crop": {},
    }
    out = planes.replay(cases, planes.RULES["collapse|mirror refused"])
    assert out == {"views_now_copies": ["view A step aside 1 closer 0 jpeg 60"], "views_no_longer": [],
                   "copies_now_found": ["copy B crop"], "copies_lost": []}
    assert planes.replay(cases, lambda e: e["plane2"]) == {
        "views_now_copies": [], "views_no_longer": [], "copies_now_found": [], "copies_lost": []}


def test_a_rule_that_counts_more_loses_calls():
    cases = {"view A step aside 1 closer 0 jpeg 60": {"planes": [_case(8)]},     # factor 1: a copy
             "copy B crop": {"planes": [_case(8)]}}
    out = planes.replay(cases, lambda e: 30.0)
    assert out["views_no_longer"] == ["view A step aside 1 closer 0 jpeg 60"]
    assert out["copies_lost"] == ["copy B crop"]


def test_the_match_threshold_is_reached_on_both_sides():
    # tight 15 x factor 1 = 15: a match; 14.9: none
    assert planes.replay({"copy B crop": {"planes": [_case(30, tight=15.0)]}},
                         lambda e: 0.0)["copies_now_found"] == ["copy B crop"]
    assert planes.replay({"copy B crop": {"planes": [_case(30, tight=14.9)]}},
                         lambda e: 0.0)["copies_now_found"] == []
    # and before the rule: 15 was a match the rule takes away, 14.9 none to take
    assert planes.replay({"copy B crop": {"planes": [_case(0, tight=15.0)]}},
                         lambda e: 60.0)["copies_lost"] == ["copy B crop"]
    assert planes.replay({"copy B crop": {"planes": [_case(0, tight=14.9)]}},
                         lambda e: 60.0)["copies_lost"] == []


def test_the_report_names_the_rules_and_refuses_a_file_without_planes(tmp_path, capsys):
    saved = tmp_path / "views.json"
    saved.write_text(json.dumps({"cases": {"copy B crop": {"planes": [_case(30, det=-0.5)]},
                                           "copy C crop": {"planes": [_case(30, det=-1e-4)]}}}))
    assert planes.main([str(saved)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == set(planes.RULES)
    assert report["mirror refused"]["copies_now_found"] == ["copy B crop"]
    assert report["collapse|mirror refused"]["copies_now_found"] == ["copy B crop", "copy C crop"]
    assert report["pile refused (shuffle >= 0.5)"]["copies_now_found"] == []
    saved.write_text(json.dumps({"cases": {"copy B crop": {"call": True}}}))
    with pytest.raises(SystemExit):
        planes.main([str(saved)])
    assert "saved without --planes" in capsys.readouterr().err
    saved.write_text("not json")
    with pytest.raises(SystemExit):
        planes.main([str(saved)])
    assert "not a file matching_views.py --save wrote" in capsys.readouterr().err
