"""Benchmark: what a query costs, in one process, on a yardstick set the engine has indexed.

    .venv/bin/python benchmarks/matching_queries.py /tmp/matching-tune/set-b9547487c0bd
    .venv/bin/python benchmarks/matching_queries.py SET --set matching.engine.QUERY_SIDE=1024

SET is a folder the yardstick (`../shared/bench/matching/bench.py`) made and indexed:
queries/, truth.json and engine-index/. Every query is decoded, described and searched
(`Engine.search(query_signature(path))`, all its stages) in this process on one thread,
after ten warm-up queries; the figure is wall and CPU time a query. The checksum of every
query's five best answers (names and scores) says whether a change moved any answer: a
change meant to be faster only must keep it. `--set MODULE.NAME=JSON` overrides a setting
for the run, to compare two settings in interleaved runs (this machine's speed drifts by
10-30% from hour to hour, so compare runs made one after the other, not across days).
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("set", help="a yardstick set folder (queries/, truth.json, engine-index/)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="MODULE.NAME=JSON")
    parser.add_argument("--limit", type=int, default=0, help="at most this many queries (0: all)")
    args = parser.parse_args(argv)
    for override in args.overrides:
        key, _, value = override.partition("=")
        module, _, name = key.rpartition(".")
        setattr(importlib.import_module(module), name, json.loads(value))

    import faiss

    from matching.engine import Engine, query_signature

    faiss.omp_set_num_threads(1)
    data = Path(args.set)
    if not (data / "engine-index" / "meta.json").exists():
        print(f"error: {data} has no engine-index/; run the yardstick with --engine first", file=sys.stderr)
        return 2
    engine = Engine.open(data / "engine-index")
    engine.make_searchable()
    names = sorted(json.loads((data / "truth.json").read_text()))
    if args.limit:
        names = names[:args.limit]
    for name in names[:10]:
        engine.search(query_signature(data / "queries" / name), 5)
    answers = []
    wall, cpu = time.perf_counter(), time.process_time()
    for done, name in enumerate(names, 1):
        answers.append([(m.ref_id, m.score) for m in engine.search(query_signature(data / "queries" / name), 5)])
        if done % 50 == 0 or done == len(names):
            print(f"\rqueried {done}/{len(names)}", end="", file=sys.stderr, flush=True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(file=sys.stderr)
    print(json.dumps({"queries": len(names), "ms_per_query_wall": round(1000 * wall / len(names), 1),
                      "ms_per_query_cpu": round(1000 * cpu / len(names), 1),
                      "answers": hashlib.md5(repr(answers).encode()).hexdigest()[:10],
                      "overrides": args.overrides}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
