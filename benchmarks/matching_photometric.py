"""Benchmark (issue 21, a measurement for a next change): does the picture itself tell a
self-similar work's copy from another view of its scene, where the second-plane discount
cannot?

    .venv/bin/python benchmarks/matching_photometric.py --folder /tmp/w/tuning/wallpapers \\
        --save /tmp/photometric.json
    .venv/bin/python benchmarks/matching_photometric.py --report /tmp/photometric.json

A copy is the work's pixels: warped back by the copy's homography, the work agrees with the
query everywhere it covers (give or take JPEG and resampling). Another view of the scene agrees
only on the plane the homography fits; a nearer part is displaced by its parallax. Every
separator tried on the second fit alone failed (docs/benchmarks.md, "What the second planes look
like"); this measures whether the pixels separate, before anything is built on them.

For each copy and view of `matching_views.py` (the same scenes, renders and JPEG qualities), the
scene's own work is verified directly with the query as it is and mirrored (the search's first
two stages; the windows are left out), and the variant with the most inliers gives the copy's
homography. Where a second plane counted (plane2 > 0), the work's picture, as the index
described it, is warped into the query by that homography and compared with the query patch by
patch (`agreement`): the normalised cross-correlation of 21-pixel patches every 16 pixels, both
pictures blurred a little (sigma 1.5), over the patches that are not flat (standard deviation
4 grey levels or more in both) and lie on the work by the blur's reach; and again with one
patch centred on each query point of the second plane's matches (`agreement_at`: is the query
the work there, under the copy's homography? A copy's look-alike pairs are; a nearer part seen
from beside would not be). Saved per case: the score as verified, the tight inliers and second
plane, and both sets of correlations (ncc, ncc2).

The report replays rules "the second-plane discount is lifted when at least SHARE of a case's
patches (10 at least) correlate at NCC or more", as an **estimate**: a case is called a copy
again when its score as verified is below the match threshold, the discount lowered it, and
its tight inliers with the coverage weight, undiscounted, would reach it (`liftable`; the
factors a search applies later are left out, and the work is verified alone, not among a
shortlist of 20, so it may hold more pairs than in a search). Reported per rule: the copies
so recovered and the views so newly called copies (of the cases with a second plane), by the
patches over the picture and by those at the second plane's points (MIN_AT of them at least).
A real search's answer to the first rule is measured by commit 5a7d717 (docs/benchmarks.md,
"The pixels' word, run for real").
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "matching"))

HALF = 10        # a patch is 2 * HALF + 1 pixels square
STEP = 16        # patches every STEP pixels of the query
BLUR = 1.5       # Gaussian sigma both pictures are blurred with (JPEG, resampling)
FLAT = 4.0       # a patch with a smaller standard deviation (grey levels) is flat: not compared
MIN_PATCHES = 10
# at the second plane's points: this many patches at least (a discount needs more than
# Index.PARAMS p0, 8, of its points; some fall on flat ground or the work's edge)
MIN_AT = 5
NEEDED = ("score", "n", "tight", "plane2")   # what a saved case holds (and ncc, coverage)
NCCS = (0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
SHARES = (0.9, 0.93, 0.95, 0.97, 0.98)


def _warped(query: np.ndarray, work: np.ndarray, H: np.ndarray):
    """The query and the work warped into it by H (3x3, query pixels -> work pixels), both
    blurred, and where the work covers the query by the blur's reach."""
    import cv2

    qh, qw = query.shape
    q = cv2.GaussianBlur(query.astype(np.float32), (0, 0), BLUR)
    w = cv2.warpPerspective(work.astype(np.float32), H, (qw, qh),
                            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    w = cv2.GaussianBlur(w, (0, 0), BLUR)
    inside = cv2.warpPerspective(np.ones(work.shape, np.uint8), H, (qw, qh),
                                 flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
    reach = int(np.ceil(3 * BLUR))   # the blur carries what lies beyond the work's edge this far
    inside = cv2.erode(inside, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8),
                       borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0
    return q, w, inside


def _correlations(q, w, inside, centres) -> np.ndarray:
    """The correlations of the patches at `centres` ((y, x) pixels) that lie wholly on the query
    and the work and are flat in neither."""
    qh, qw = q.shape
    out = []
    for y, x in centres:
        if not (HALF <= y < qh - HALF and HALF <= x < qw - HALF):
            continue
        cut = np.s_[y - HALF:y + HALF + 1, x - HALF:x + HALF + 1]
        a, b = q[cut], w[cut]
        if not inside[cut].all() or a.std() < FLAT or b.std() < FLAT:
            continue
        out.append(float(np.corrcoef(a.ravel(), b.ravel())[0, 1]))
    return np.array(out, np.float32)


def _grid(shape) -> list[tuple[int, int]]:
    """(y, x) patch centres every STEP pixels of a picture of `shape`."""
    qh, qw = shape
    return [(y, x) for y in range(HALF, qh - HALF, STEP) for x in range(HALF, qw - HALF, STEP)]


def _centres(points) -> list[tuple[int, int]]:
    """(y, x) patch centres of `points` ((k, 2) pixels, x then y), one a pixel."""
    return list(dict.fromkeys((int(round(y)), int(round(x))) for x, y in np.asarray(points)))


def agreement(query: np.ndarray, work: np.ndarray, H: np.ndarray) -> np.ndarray:
    """The correlations of the query's patches with the work warped into it by H (3x3, query
    pixels -> work pixels), over the patches the work covers that are flat in neither."""
    return _correlations(*_warped(query, work, H), _grid(query.shape))


def agreement_at(query: np.ndarray, work: np.ndarray, H: np.ndarray, points) -> np.ndarray:
    """As `agreement`, over the patches centred on `points` ((k, 2) query pixels, x then y; one
    patch a pixel): where the second plane's matches are, is the query the work under H?"""
    return _correlations(*_warped(query, work, H), _centres(points))


def verified(engine, data: bytes, work: str) -> dict | None:
    """The work verified directly with the query as it is and mirrored: the variant with the most
    inliers, its score, evidence and homography (query pixels -> work pixels, as described),
    and the query's grey picture in that variant's frame; None when no variant placed it."""
    from matching.engine import query_signature
    from matching_scale import verification_kept

    ix = engine._index
    slot = ix.slot_of[work]
    query = query_signature(data)
    best = None
    with verification_kept() as kept, second_fits_kept() as fits:
        for stage in (0, 1):
            for variant in query.stage(stage):
                f = variant.features
                kept.clear()
                shared = ix._shortlist_index([slot])
                scores = ix.verify(f, [slot], [slot], None, shared, None, {}, {})
                if "H" in kept and (best is None or kept["n"] > best["n"]):
                    best = {"stage": stage, "score": float(scores.get(slot, 0.0)), "n": kept["n"],
                            "tight": kept["tight"], "plane2": kept["plane2"],
                            "coverage": kept["coverage"], "H": kept["H"], "size": f.size,
                            "second": _second_points(fits) if kept["plane2"] > 0 else None}
    if best is None:
        return None
    gray = query.gray if best["stage"] == 0 else np.ascontiguousarray(query.gray[:, ::-1])
    best["gray"] = gray
    return best


@contextlib.contextmanager
def second_fits_kept():
    """While held, the list it gives receives (query points, work points, homography, inlier
    mask) of each fit verify.second_plane makes (its RANSAC calls, recorded, not repeated,
    matching_planes.Recorder); verification is put back afterwards, also when it fails."""
    from matching import verify
    from matching_planes import Recorder

    real, fits = verify.ransac, []
    verify.ransac = Recorder(real, lambda: fits)
    try:
        yield fits
    finally:
        verify.ransac = real


def _second_points(fits: list) -> np.ndarray | None:
    """The query points of the second plane counted (the last fit; None without one)."""
    if not fits or fits[-1][3] is None:
        return None
    src, _, _, mask = fits[-1]
    return np.asarray(src)[np.asarray(mask).ravel().astype(bool)]


def _measured(engine, data: bytes, work: str, picture) -> dict | None:
    import cv2

    found = verified(engine, data, work)
    if found is None:
        return None
    record = {k: round(float(found[k]), 4) for k in ("score", "n", "tight", "plane2", "coverage")}
    if found["plane2"] > 0:   # (the query's grey picture is the frame it was described in)
        rw, rh = engine._index.sizes[engine._index.slot_of[work]]
        described = cv2.resize(np.asarray(picture.convert("L")), (int(rw), int(rh)),
                               interpolation=cv2.INTER_AREA)
        warped = _warped(found["gray"], described, found["H"])   # once, for both measures
        ncc = _correlations(*warped, _grid(found["gray"].shape))
        record["ncc"] = [round(float(v), 3) for v in ncc]
        if found["second"] is not None:   # the patches where the second plane's matches are
            at = _correlations(*warped, _centres(found["second"]))
            record["ncc2"] = [round(float(v), 3) for v in at]
    return record


def _cases_of(task) -> dict:
    """One scene's copies and views (matching_views.py's), each measured (_measured)."""
    import matching_views as views

    name, picture = task
    renders = itertools.chain(views.copies_of(name, picture), views.views_of(name, picture))
    return {case: _measured(views._ENGINE, data, name, picture) for case, data in renders}


def run(folder: str, workers: int) -> dict:
    import tempfile

    from tqdm import tqdm

    import matching_views as views
    from matching.engine import Engine

    pictures = views.scenes(0, None, folder)
    cases: dict = {}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="photometric-index-") as index:
        engine = Engine.open(index)
        errors = engine.add_many((name, views._jpeg(im, 95))
                                 for name, im in sorted(pictures.items()))
        if errors:
            raise SystemExit(f"could not index: {errors}")
        engine.save()
        with ProcessPoolExecutor(workers, initializer=views._open, initargs=(index,)) as pool:
            for part in tqdm(pool.map(_cases_of, sorted(pictures.items())), total=len(pictures),
                             desc="scenes", unit="scene"):
                cases.update(part)
    return {"folder": folder, "scenes": sorted(pictures), "cases": cases,
            "seconds": round(time.perf_counter() - t0, 1)}


def liftable(r: dict) -> bool:
    """Whether a case is below the match threshold only by the second-plane discount: the
    discount lowered it (Index.plane_factor below 1) and its tight inliers with the coverage
    weight alone would make it a match (a file saved before coverage was kept: taken as full)."""
    from matching.engine import THRESHOLD
    from matching.index import Index, _score

    p = Index.PARAMS
    weight = min(1.0, r.get("coverage", p["cover"]) / p["cover"])
    discounted = r["plane2"] > p["p0"] and r["n"] > 0
    return discounted and r["score"] < THRESHOLD <= _score(r["tight"] * weight, p["half"])


def report(cases: dict, key: str = "ncc", min_patches: int = MIN_PATCHES) -> dict:
    """Per rule (NCC, SHARE): the copies recovered and the views newly called copies, estimated
    (the module's docstring), by the patches over the picture ("ncc") or at the second plane's
    points ("ncc2"), `min_patches` of them at least; and how the cases with a second plane are
    spread."""
    rows = []
    for case, r in cases.items():
        if not r or r.get(key) is None or len(r[key]) < min_patches:
            continue
        rows.append((case.split()[0], case, liftable(r), np.array(r[key])))
    rules = []
    for ncc in NCCS:
        for share in SHARES:
            lifted = [(kind, case) for kind, case, could, v in rows
                      if could and (v >= ncc).mean() >= share]
            rules.append({"ncc": ncc, "share": share,
                          "copies_recovered": sorted(c for k, c in lifted if k == "copy"),
                          "views_newly_copies": sorted(c for k, c in lifted if k == "view")})
    kinds = ("copy", "view")
    return {"with_a_second_plane": {kind: sum(1 for k, *_ in rows if k == kind) for kind in kinds},
            "could_be_lifted": {kind: sum(1 for k, _, could, _ in rows if k == kind and could)
                                for kind in kinds},
            "rules": rules}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder",
                        help="the scenes (e.g. the tuning set's wallpapers: tuning_pictures.py)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--save", help="write every case's measure to this JSON file")
    parser.add_argument("--report", metavar="FILE",
                        help="report on a file --save wrote, without running")
    args = parser.parse_args(argv)
    if args.report:
        try:
            saved = json.loads(Path(args.report).read_text())
            cases = saved["cases"]
            if not isinstance(cases, dict) or not all(
                    r is None or (isinstance(r, dict) and all(k in r for k in NEEDED))
                    for r in cases.values()):
                raise ValueError(f"each case needs {', '.join(NEEDED)}")
        except (OSError, ValueError, KeyError, TypeError) as error:
            parser.error(f"--report {args.report}: not a file --save wrote ({error})")
    else:
        if not args.folder or not Path(args.folder).is_dir():
            parser.error("--folder: a folder of pictures is needed (or --report FILE)")
        saved = run(args.folder, max(1, args.workers))
        cases = saved["cases"]
        if args.save:
            Path(args.save).write_text(json.dumps(saved))
    out = {"over_the_picture": report(cases),
           "at_the_second_planes_points": report(cases, "ncc2", MIN_AT)}
    for part in out.values():
        for rule in part["rules"]:
            found = rule["copies_recovered"]
            rule["copies_recovered"] = f"{len(found)}: " + ", ".join(found)
            rule["views_newly_copies"] = len(rule["views_newly_copies"])
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
