"""Benchmark: how the matching index grows with the number of references.

    .venv/bin/python benchmarks/matching_scale.py --sizes 5000,10000,20000

References are signatures of real photographs (scikit-image's bundled photos),
perturbed so that each is distinct: descriptor bits flipped at random (10%) and
keypoints jittered. The index is built with the same configuration that produced
the quality figures; then real queries (transformed copies) are timed, decode
excluded. Prints index memory (resident set growth) and search latency for each
size, and the straight-line extrapolation to 1,000,000 references.
"""
from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def perturbed(base, rng):
    from matching.features import Features

    flips = rng.random(base.desc.shape + (8,)) < 0.10
    bits = np.packbits(flips, axis=-1).reshape(base.desc.shape)
    xy = base.xy + rng.normal(0, 1.5, base.xy.shape).astype(np.float32)
    return Features(xy, base.desc ^ bits, base.size, base.scale)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5000,10000,20000")
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()

    import faiss
    from PIL import Image
    import skimage

    from matching import query_signature, signature
    from matching.index import Index
    from tests.matching import transforms

    faiss.omp_set_num_threads(1)
    data = Path(skimage.__file__).parent / "data"
    names = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png",
             "retina.jpg", "brick.png", "hubble_deep_field.jpg", "grass.png", "gravel.png"]
    photos = {n: Image.open(data / n).convert("RGB") for n in names}
    bases = [signature(p) for p in photos.values()]
    families = list(transforms.FAMILIES.values())
    queries = [query_signature(families[i % len(families)](photos[names[i % 3]]))
               for i in range(args.queries)]
    rng = np.random.default_rng(1)
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        gc.collect()
        before = rss_mb()
        index = Index()
        started = time.perf_counter()
        for n, name in enumerate(names[:3]):
            index.add(name, bases[n])
        for i in range(size - 3):
            index.add(f"synthetic-{i}", perturbed(bases[i % len(bases)], rng))
        index._flush()
        build = time.perf_counter() - started
        memory = rss_mb() - before
        times, correct = [], 0
        for i, query in enumerate(queries):
            started = time.perf_counter()
            found = index.search(query, 5)
            times.append((time.perf_counter() - started) * 1000)
            correct += bool(found) and found[0][0] == names[i % 3]
        rows.append((size, memory, build, statistics.median(times), sorted(times)[int(0.95 * (len(times) - 1))],
                     correct / len(queries)))
        print(f"{size:>8} refs: memory {memory:8.0f} MB, built in {build:6.1f} s, search p50 "
              f"{rows[-1][3]:6.1f} ms p95 {rows[-1][4]:6.1f} ms, top-1 correct {rows[-1][5]:.2f}", flush=True)
        del index
    (s1, m1, *_), (s2, m2, *_) = rows[0], rows[-1]
    per_ref = (m2 - m1) / (s2 - s1)
    print(f"memory per reference {per_ref * 1024:.0f} KB -> 1,000,000 references ≈ {per_ref * 1e6 / 1024:.0f} GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
