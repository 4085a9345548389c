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
Each description also names the reference verified (ref) and whether the verification only
probed for the second-plane factor (probe: the whole query verified again with the windows, a
closer look; it scores nothing). The search is not changed: its calls are made as before and
in the same order (the references verified one at a time), and the fit described is the one
`verify.second_plane` counted (its RANSAC call recorded, not repeated); the copy's own points
are the query points of its inliers, those second_plane was not given.

This script then replays named rules about the second plane (RULES) on such a file: each case
is called again as a copy when any of its scoring verifications (no probe; for a copy, of its
own work; each distinct once) reaches Index `half` (the match threshold) with its tight
inliers times the second-plane factor (Index.plane_factor, with the rule's plane2). The
coverage weight and the factors the search applies after verification (a window's, a closer
look's) are left out, so it is an estimate: a case the estimate calls a copy and the run did
not is set apart (`disagrees`), not counted. It reports per rule the views newly called copies
and the copies newly found. The rule that refuses what `verify.PLANE_TRIES` 1 refuses (no
view) compares with that setting's real run roughly (it zeroes a refused fit where the setting
tries no further with 1, but the windows and closer looks differ): docs/benchmarks.md, "What
the second planes look like".
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


def describe(src, dst, own, fit, fit_mask, thr: float, qsize) -> dict:
    """A second fit's description (the module's docstring). src/dst: the pairs it was fitted on
    (query/work points), fit: its homography, fit_mask: its inliers among them; own: the query
    points of the copy's own plane ((k, 2))."""
    import cv2

    from matching import verify

    i2 = np.asarray(fit_mask).ravel().astype(bool)
    s, d = np.asarray(src, np.float32), np.asarray(dst, np.float32)
    ok = abs(fit[2, 2]) > 1e-9
    det = float(np.linalg.det(fit[:2, :2] / fit[2, 2])) if ok else 0.0
    stayed = []
    rng = np.random.default_rng(0)
    for _ in range(5):
        moved = cv2.perspectiveTransform(s[rng.permutation(len(s))].reshape(-1, 1, 2), fit)
        stayed.append(int(((np.linalg.norm(moved.reshape(-1, 2) - d, axis=1) <= thr) & i2).sum()))
    own = np.unique(np.asarray(own, np.float32).reshape(-1, 2), axis=0)
    second = np.unique(s[i2], axis=0)
    both = np.vstack([own, second])
    nearest_own = 0
    for k, p in enumerate(second):
        dist = np.linalg.norm(both - p, axis=1)
        dist[len(own) + k] = np.inf          # itself
        nearest_own += int(np.argmin(dist) < len(own))
    return {"det": round(det, 5), "front": bool(ok and verify._in_front(fit, qsize)),
            "shuffle": round(float(np.mean(stayed)) / max(1, int(i2.sum())), 3),
            "inter": round(nearest_own / max(1, len(second)), 3),
            "cells": int(len(np.unique(np.floor(d[i2] / thr).astype(np.int64), axis=0)))}


_KEPT: list = []
# What the verification under way is of (install): its reference, whether it only probes for
# the second-plane factor (the windows' stage's whole query, a closer look: it scores nothing),
# the second plane's call (its query points) and the fits that call made.
_NOW: dict = {}


class Recorder:
    """matching.ransac as verify sees it, recording each fit second_plane makes, as (query
    points, work points, homography, inlier mask), in the list `sink()` gives."""

    def __init__(self, module, sink) -> None:
        self._module = module
        self._sink = sink

    def __getattr__(self, name):
        return getattr(self._module, name)

    def find_homography(self, *args, **kwargs):
        H, mask = self._module.find_homography(*args, **kwargs)
        self._sink().append((args[0], args[1], H, mask))
        return H, mask


def install() -> None:
    """Describe every verification's second plane from now on, in this process (matching_views'
    workers call it as they start). The search's calls are made as before, in the same order;
    what they return is recorded beside."""
    from matching import index, verify

    if isinstance(verify.ransac, Recorder):
        return
    verify.ransac = Recorder(verify.ransac, lambda: _NOW.setdefault("fits", []))
    real_search, real_verify = index.Index.search, index.Index.verify
    real_pair, real_plane = index.verify_pair, verify.second_plane

    def search(self, variants, top=5, transforms=None, planes=None):
        _NOW.update(variants=variants, probing=planes is not None)
        return real_search(self, variants, top, transforms, planes)

    def verify_each(self, f, slots, targets=None, words=None, shared=None, neighbours=None,
                    transforms=None, planes=None):
        _NOW["f"] = f   # the variant verified: a probe when it is the first of a search for planes
        out = {}
        for slot in (slots if targets is None else targets):   # one at a time: its name known
            _NOW["ref"] = self.names[slot]
            out.update(real_verify(self, f, slots, [slot], words, shared, neighbours, transforms,
                                   planes))
        return out

    def plane(src, dst, qidx, thr, qsize=None):
        _NOW["rest"] = np.asarray(qidx)
        return real_plane(src, dst, qidx, thr, qsize)

    def pair(src, dst, qidx, rscale, rsize, qsize, thr=6.0, tight_px=1.0, qscale=None):
        _NOW.update(fits=[], rest=None)
        out = real_pair(src, dst, qidx, rscale, rsize, qsize, thr, tight_px, qscale)
        fits, rest = _NOW.get("fits") or [], _NOW.get("rest")
        if out.get("plane2", 0) > 0 and fits and fits[-1][2] is not None and rest is not None:
            s2, d2, H2, m2 = fits[-1]   # the fit counted (the last, when PLANE_TRIES tries several)
            own = np.asarray(src)[~np.isin(qidx, rest)]   # the copy's inliers' query points
            variants = _NOW.get("variants") or []
            probe = bool(_NOW.get("probing") and variants and _NOW.get("f") is variants[0])
            try:
                _KEPT.append({"ref": _NOW.get("ref"), "n": out["n"], "tight": out["tight"],
                              "plane2": out["plane2"], "probe": probe,
                              **describe(s2, d2, own, H2, m2, thr, qsize)})
            except Exception as error:   # a description that fails never fails the search
                _KEPT.append({"ref": _NOW.get("ref"), "error": f"{type(error).__name__}: {error}"})
        return out

    index.Index.search, index.Index.verify = search, verify_each
    index.verify_pair, verify.second_plane = pair, plane


def taken() -> list:
    """The descriptions kept since the last call."""
    out = list(_KEPT)
    _KEPT.clear()
    return out


def factor(plane2: float, n: float, p0: float = 8.0, pw: float = 0.4) -> float:
    """Index.plane_factor with its default p0 / pw."""
    if n <= 0:
        return 1.0
    return min(1.0, max(0.0, 1.0 - (plane2 - p0) / (pw * n)))


def _a_view(e: dict) -> bool:
    return 1e-3 < e["det"] < 1e3 and e["front"]


# Rules about the second plane: each gives the plane2 a description would count with. The
# ones measured (docs/benchmarks.md, "What the second planes look like").
RULES = {
    "no view refused (as verify.PLANE_TRIES 1)": lambda e: e["plane2"] if _a_view(e) else 0.0,
    "collapse|mirror refused": lambda e: 0.0 if e["det"] < 1e-3 else e["plane2"],
    "mirror refused": lambda e: 0.0 if e["det"] < -1e-3 else e["plane2"],
    "pile refused (shuffle >= 0.5)": lambda e: 0.0 if e["shuffle"] >= 0.5 else e["plane2"],
    "pile refused (shuffle >= 0.25)": lambda e: 0.0 if e["shuffle"] >= 0.25 else e["plane2"],
    "apart only (x (1 - inter))": lambda e: e["plane2"] * (1.0 - e["inter"]),
    "one to one (cells)": lambda e: min(e["plane2"], e["cells"]),
    "collapse|mirror among the copy's points (inter >= 0.2)":
        lambda e: 0.0 if e["det"] < 1e-3 and e["inter"] >= 0.2 else e["plane2"],
}
NEEDED = ("n", "tight", "plane2", "det", "front", "shuffle", "inter", "cells")


def _scores(record: dict, case: str) -> list:
    """The verifications of a case that can make its call: scoring ones (no probe), and for a
    copy those of its own scene's work; each distinct once (a stage may verify one again)."""
    seen, out = set(), []
    for e in record.get("planes") or []:
        if "error" in e or e.get("probe"):
            continue
        if case.startswith("copy ") and e.get("ref") != record.get("scene"):
            continue
        key = json.dumps(e, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def replay(cases: dict, rule, half: float = 15.0) -> dict:
    """What `rule` changes (the module's docstring): views now called copies and copies now
    found, and the reverse (views no longer, copies lost). A case counts only where the estimate
    without the rule agrees with the run's own call (`disagrees`: the cases where it does not)."""
    out = {"views_now_copies": [], "views_no_longer": [], "copies_now_found": [], "copies_lost": [],
           "disagrees": []}
    for case, record in sorted(cases.items()):
        planes = _scores(record, case)
        if not planes:
            continue
        before = any(e["tight"] * factor(e["plane2"], e["n"]) >= half for e in planes)
        after = any(e["tight"] * factor(rule(e), e["n"]) >= half for e in planes)
        if "call" in record and before and not record["call"]:
            out["disagrees"].append(case)   # the estimate calls it, the run did not
            continue
        if before == after:
            continue
        view = case.startswith("view ")
        key = ("views_now_copies" if after else "views_no_longer") if view else \
              ("copies_now_found" if after else "copies_lost")
        out[key].append(case)
    return out


def _checked(cases) -> str | None:
    """What is wrong with a saved file's cases for a replay (None: nothing)."""
    if not isinstance(cases, dict) or not all(isinstance(r, dict) for r in cases.values()):
        return "its cases are not a mapping of case to record"
    if not any("planes" in r for r in cases.values()):
        return "saved without --planes: run matching_views.py --planes --save again"
    if not all(isinstance(r.get("planes", []), list) for r in cases.values()):
        return "a case's planes are not a list"
    for e in [e for r in cases.values() for e in (r.get("planes") or [])]:
        if not isinstance(e, dict) or not ("error" in e or all(k in e for k in NEEDED)):
            lacks = [k for k in NEEDED if not isinstance(e, dict) or k not in e]
            return f"a description lacks {', '.join(lacks)}"
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("saved", help="a file matching_views.py --planes --save wrote")
    args = parser.parse_args(argv)
    try:
        cases = json.loads(Path(args.saved).read_text())["cases"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        parser.error(f"{args.saved}: not a file matching_views.py --save wrote ({error})")
    wrong = _checked(cases)
    if wrong:
        parser.error(f"{args.saved}: {wrong}")
    if not any(r.get("planes") for r in cases.values()):
        print(f"{args.saved}: no second plane was described in any case: nothing to replay",
              file=sys.stderr)
    report = {}
    for name, rule in RULES.items():
        changed = replay(cases, rule)
        scenes = Counter(cases[c].get("scene") for c in changed["views_now_copies"])
        report[name] = {**{k: len(v) for k, v in changed.items()},
                        "views_now_copies_of": dict(scenes.most_common(5)),
                        "copies_now_found_are": changed["copies_now_found"]}
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
