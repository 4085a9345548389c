"""Benchmark: what the second planes of real searches look like, and what a rule about them
would change, without a ten-minute run per rule.

    .venv/bin/python benchmarks/matching_views.py --folder /tmp/w/tuning/wallpapers --planes \\
        --save /tmp/views-planes.json
    .venv/bin/python benchmarks/matching_planes.py /tmp/views-planes.json

With --planes, matching_views.py keeps, for every verification of its cases whose second plane
counted (plane2 > 0), a description of that second fit (`describe`): how many query points it
holds (plane2) beside the copy's own plane (n, tight), its area scale (det: the determinant of
its 2x2 part; near 0 a collapse, below 0 a mirror) and whether it is a view from in front
(front, `verify._in_front`), and three measures of whether it is a plane at all or a pile:
  shuffle - the share of its inlier pairs that stay inliers when the query points are shuffled
            among the pairs (about 0 for a plane: where a query point is decides where it maps;
            near 1 for a pile: the work's points alone decide, the query's do not matter);
  inter   - the share of its query points whose nearest neighbour among both planes' query
            points is one of the copy's own plane (about 0 when the second plane is a part of
            the query apart, as a nearer object is; higher when it lies among the copy's points);
  cells   - the distinct thr-pixel cells its work points occupy (a pile: few).
The search is not changed: the fit described is the one `verify.second_plane` made (its RANSAC
call is recorded, not repeated); the copy's own inliers are its matches within thr pixels of
its refined homography (the mask itself is not kept: about the same).

This script then replays named rules about the second plane (RULES) on such a file: each case
is re-called as a copy when any of its verifications' tight inliers times the second-plane
factor (Index.plane_factor, with the rule's plane2) reach Index `half` (the match threshold;
the coverage weight and the windows' and closer looks' factors are left out: an estimate). It
reports per rule the views newly called copies and the copies newly found. Checked against a
real run: "collapse|mirror" estimates 37 views more, verify.PLANE_TRIES measured 38 (and 2
fewer); docs/benchmarks.md, "What the second planes look like".
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def describe(src, dst, inl, fit, fit_mask, thr: float, qsize) -> dict:
    """A second fit's description (the module's docstring). src/dst: the pairs it was fitted on
    (query/work points), fit: its homography, fit_mask: its inliers among them; inl: the query
    points of the copy's own plane (its inlier pairs' query points, (k, 2))."""
    import cv2

    from matching import verify

    i2 = np.asarray(fit_mask).ravel().astype(bool)
    s, d = np.asarray(src, np.float32), np.asarray(dst, np.float32)
    ok = abs(fit[2, 2]) > 1e-9
    det = float(np.linalg.det(fit[:2, :2] / fit[2, 2])) if ok else 0.0
    shuffled = []
    rng = np.random.default_rng(0)
    for _ in range(5):
        moved = cv2.perspectiveTransform(s[rng.permutation(len(s))].reshape(-1, 1, 2), fit).reshape(-1, 2)
        shuffled.append(int((np.linalg.norm(moved - d, axis=1) <= thr).sum()))
    own = np.unique(np.asarray(inl, np.float32).reshape(-1, 2), axis=0)
    second = np.unique(s[i2], axis=0)
    both = np.vstack([own, second])
    nearest_own = 0
    for p in second:
        dist = np.linalg.norm(both - p, axis=1)
        dist[dist == 0] = np.inf
        nearest_own += int(np.argmin(dist) < len(own))
    return {"det": round(det, 5), "front": bool(ok and verify._in_front(fit, qsize)),
            "shuffle": round(float(np.mean(shuffled)) / max(1, int(i2.sum())), 3),
            "inter": round(nearest_own / max(1, len(second)), 3),
            "cells": int(len(np.unique(np.floor(d[i2] / thr).astype(np.int64), axis=0)))}


_KEPT: list = []


def install() -> None:
    """Describe every verification's second plane from now on (in this process and the ones it
    forks): Index.verify's verify_pair is wrapped, and the fit second_plane makes is recorded."""
    import cv2

    from matching import index, verify

    real_pair, real_fit = verify.verify_pair, verify.ransac.find_homography

    def pair(src, dst, qidx, rscale, rsize, qsize, thr=6.0, tight_px=1.0, qscale=None):
        fits = []

        def fit(*args, **kwargs):
            H, mask = real_fit(*args, **kwargs)
            fits.append((args[0], args[1], H, mask))
            return H, mask

        verify.ransac.find_homography = fit
        try:
            out = real_pair(src, dst, qidx, rscale, rsize, qsize, thr, tight_px, qscale)
        finally:
            verify.ransac.find_homography = real_fit
        if out.get("plane2", 0) > 0 and fits and fits[0][2] is not None:
            s2, d2, H2, m2 = fits[0]
            moved = cv2.perspectiveTransform(np.asarray(src, np.float32).reshape(-1, 1, 2), out["H"]).reshape(-1, 2)
            own = np.asarray(src)[np.linalg.norm(moved - dst, axis=1) <= thr]
            _KEPT.append({"n": out["n"], "tight": out["tight"], "plane2": out["plane2"],
                          **describe(s2, d2, own, H2, m2, thr, qsize)})
        return out

    index.verify_pair = pair


def taken() -> list:
    """The descriptions kept since the last call."""
    out = list(_KEPT)
    _KEPT.clear()
    return out


def factor(plane2: float, n: float, p0: float = 8.0, pw: float = 0.4) -> float:
    """Index.plane_factor with its default p0 / pw."""
    return min(1.0, max(0.0, 1.0 - (plane2 - p0) / (pw * n)))


# Rules about the second plane: each gives the plane2 a description would count with. The
# ones measured (docs/benchmarks.md, "What the second planes look like").
RULES = {
    "collapse|mirror refused": lambda e: 0.0 if e["det"] < 1e-3 else e["plane2"],
    "mirror refused": lambda e: 0.0 if e["det"] < -1e-3 else e["plane2"],
    "pile refused (shuffle >= 0.5)": lambda e: 0.0 if e["shuffle"] >= 0.5 else e["plane2"],
    "pile refused (shuffle >= 0.25)": lambda e: 0.0 if e["shuffle"] >= 0.25 else e["plane2"],
    "apart only (x (1 - inter))": lambda e: e["plane2"] * (1.0 - e["inter"]),
    "one to one (cells)": lambda e: min(e["plane2"], e["cells"]),
    "collapse|mirror among the copy's points (inter >= 0.2)":
        lambda e: 0.0 if e["det"] < 1e-3 and e["inter"] >= 0.2 else e["plane2"],
}


def replay(cases: dict, rule, half: float = 15.0) -> dict:
    """What `rule` changes (the module's docstring): views now called copies and copies now
    found, with the scenes they are of; and the reverse (views no longer, copies lost)."""
    out = {"views_now_copies": [], "views_no_longer": [], "copies_now_found": [], "copies_lost": []}
    for case, record in sorted(cases.items()):
        planes = record.get("planes") or []
        if not planes:
            continue
        before = any(e["tight"] * factor(e["plane2"], e["n"]) >= half for e in planes)
        after = any(e["tight"] * factor(rule(e), e["n"]) >= half for e in planes)
        if before == after:
            continue
        view = case.startswith("view ")
        key = ("views_now_copies" if after else "views_no_longer") if view else \
              ("copies_now_found" if after else "copies_lost")
        out[key].append(case)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("saved", help="a file matching_views.py --planes --save wrote")
    args = parser.parse_args(argv)
    try:
        cases = json.loads(Path(args.saved).read_text())["cases"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        parser.error(f"{args.saved}: not a file matching_views.py --save wrote ({error})")
    if not any("planes" in r for r in cases.values()):
        parser.error(f"{args.saved}: saved without --planes: run matching_views.py --planes --save again")
    report = {}
    for name, rule in RULES.items():
        changed = replay(cases, rule)
        scenes = Counter(c.split()[1] for c in changed["views_now_copies"])
        report[name] = {**{k: len(v) for k, v in changed.items()},
                        "views_now_copies_of": dict(scenes.most_common(5)),
                        "copies_now_found": changed["copies_now_found"]}
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
