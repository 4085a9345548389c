"""Benchmark: the second-plane fit, OpenCV's RANSAC against matching.ransac, on the matches
real searches hand it.

    .venv/bin/python benchmarks/matching_second_plane.py /tmp/matching-bench/set-d4c0b537edd1

SET is a folder the yardstick (`../shared/bench/matching/bench.py`) made and indexed (as for
matching_queries.py). Its queries are searched as the engine does, and every fit
`verify.second_plane` makes is kept (its matches and threshold). Then each call is fitted by
`cv2.findHomography(..., cv2.RANSAC, 1,000 draws)` and by `matching.ransac.find_homography`,
every size of call by the module (`MOST` lifted, so that none is handed to OpenCV for its
size), twice: first with the module's samples drawn anew for each number of matches ('cold',
as after a process starts; the generator's stream itself is already made by the searches),
then again ('warm'). Reports milliseconds a call by number of matches, and
whether any call's inliers differ (they must not: the second-plane discount was chosen with
OpenCV's draws).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BANDS = ((0, 100), (100, 200), (200, 300), (300, 450), (450, 600), (600, 10 ** 9))


def capture(data: Path, limit: int) -> list[tuple]:
    """The second-plane calls of searching the set's queries: (src, dst, thr) each."""
    import faiss

    from matching import verify
    from matching.engine import Engine, query_signature

    faiss.omp_set_num_threads(1)
    engine = Engine.open(data / "engine-index")
    engine.make_searchable()
    calls = []
    real = verify.ransac.find_homography

    def keep(src, dst, thr, *args, **kwargs):   # each fit second_plane makes (it may try several)
        calls.append((np.array(src, dtype=np.float32), np.array(dst, dtype=np.float32), float(thr)))
        return real(src, dst, thr, *args, **kwargs)

    verify.ransac.find_homography = keep
    try:
        names = sorted(json.loads((data / "truth.json").read_text()))[:limit or None]
        for done, name in enumerate(names, 1):
            engine.search(query_signature(data / "queries" / name), 5)
            print(f"\rsearched {done}/{len(names)}", end="", file=sys.stderr, flush=True)
    finally:
        verify.ransac.find_homography = real
    print(file=sys.stderr)
    return calls


def timed(calls: list[tuple]) -> tuple[np.ndarray, int]:
    """(n, OpenCV ms, this module's ms) a call, and how many calls' inliers differ."""
    import cv2

    from matching import ransac

    rows, differ = [], 0
    for src, dst, thr in calls:
        t0 = time.perf_counter()
        H1, m1 = cv2.findHomography(src, dst, cv2.RANSAC, thr, maxIters=1000, confidence=0.99)
        t1 = time.perf_counter()
        H2, m2 = ransac.find_homography(src, dst, thr, 1000, 0.99)
        t2 = time.perf_counter()
        rows.append((len(src), 1000 * (t1 - t0), 1000 * (t2 - t1)))
        want = None if H1 is None else m1.ravel().astype(bool)
        differ += (want is None) != (m2 is None) or (want is not None and not np.array_equal(want, m2))
    return np.array(rows).reshape(-1, 3), differ


def bands(rows: np.ndarray) -> list[dict]:
    out = []
    for lo, hi in BANDS:
        sel = (rows[:, 0] >= lo) & (rows[:, 0] < hi)
        if sel.any():
            out.append({"matches": f"{lo}-{hi if hi < 10 ** 9 else ''}", "calls": int(sel.sum()),
                        "opencv_ms": round(float(rows[sel, 1].mean()), 2),
                        "ransac_ms": round(float(rows[sel, 2].mean()), 2)})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("set", help="a yardstick set folder (queries/, truth.json, engine-index/)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many queries (0: all)")
    args = parser.parse_args(argv)
    data = Path(args.set)
    if not (data / "engine-index" / "meta.json").exists():
        print(f"error: {data} has no engine-index/; run the yardstick with --engine first", file=sys.stderr)
        return 2
    calls = capture(data, args.limit)
    from matching import ransac

    ransac.MOST = 10 ** 9
    ransac._cache.clear()
    report = {"calls": len(calls), "most": "lifted (every call through matching.ransac)"}
    for run in ("cold", "warm"):
        rows, differ = timed(calls)
        report[run] = {"differ": differ, "bands": bands(rows),
                       "opencv_ms": round(float(rows[:, 1].mean()), 2) if len(rows) else None,
                       "ransac_ms": round(float(rows[:, 2].mean()), 2) if len(rows) else None}
    print(json.dumps(report))
    return 1 if report["cold"]["differ"] or report["warm"]["differ"] else 0


if __name__ == "__main__":
    sys.exit(main())
