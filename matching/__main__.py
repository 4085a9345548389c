"""The command line.

    python -m matching index REF_DIR --index PATH [--code-bytes N]
        indexes every image file in REF_DIR; the ref id is the file name. A new index keeps N
        bytes of each descriptor (default 32, the whole; 8 for a compact records file).
    python -m matching query QUERY_DIR --index PATH --top K --json
        prints one JSON object per query file on stdout, best match first:
        {"query": NAME, "matches": [{"ref": NAME, "score": S, "match": BOOL}, ...]}
        (with "error" and no matches for a file that cannot be read).
    python -m matching compact --index PATH
        rewrites the index's files without the records of removed references; prints what it
        freed as JSON.
    python -m matching warm --index PATH
        reads the index's files into the page cache (after a boot: the first searches then read
        memory, not the disk), as far as the memory available allows; prints what it read as JSON.
        PATH is one index's folder (a sharded index: each shard-N folder, or `caseapp works warm`).

Progress and per-file problems go to stderr; a bad file never stops the batch."""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}


def image_files(folder: str) -> list[Path]:
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def _describe_reference(path: Path):
    from .decode import DecodeError
    from .engine import signature

    try:
        return path.name, signature(path), None
    except DecodeError as error:
        return path.name, None, str(error)


_ENGINE = None
_TOP = 5


def _query(path: Path):
    """Worker: decode, search (the engine is inherited from the parent by fork). The time
    reported is the search's: the hash lookup, and the description of the stages searched
    (none for a near-exact copy found by its hash)."""
    from .decode import DecodeError
    from .engine import query_signature

    try:
        query = query_signature(path)
    except DecodeError as error:
        return path.name, [], str(error), 0.0
    started = time.perf_counter()
    matches = _ENGINE.search(query, _TOP)
    return path.name, matches, None, time.perf_counter() - started


class Progress:
    """A progress line on stderr: done/total, rate, time left."""

    def __init__(self, total: int, what: str) -> None:
        self.total, self.what, self.done = total, what, 0
        self.started = time.perf_counter()
        self.tty = sys.stderr.isatty()

    def step(self) -> None:
        self.done += 1
        if self.tty or self.done % 50 == 0 or self.done == self.total:
            elapsed = time.perf_counter() - self.started
            rate = self.done / elapsed if elapsed else 0.0
            left = (self.total - self.done) / rate if rate else 0.0
            end = "\n" if not self.tty or self.done == self.total else ""
            print(f"\r{self.what} {self.done}/{self.total} ({rate:.1f}/s, {left:.0f}s left)",
                  file=sys.stderr, end=end, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    index = sub.add_parser("index", help="index every image file of a folder")
    index.add_argument("dir")
    index.add_argument("--index", required=True, help="the index folder (created if missing)")
    index.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    index.add_argument("--code-bytes", type=int, default=None, metavar="N",
                       help="bytes of each descriptor a new index keeps (8-32; default 32, the whole): "
                            "8 makes the records file 15 bytes a point instead of 42, at some precision")
    query = sub.add_parser("query", help="search every image file of a folder")
    query.add_argument("dir")
    query.add_argument("--index", required=True)
    query.add_argument("--top", type=int, default=5)
    query.add_argument("--json", action="store_true", help="JSON lines on stdout (the default)")
    query.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    compact = sub.add_parser("compact", help="rewrite the index without removed references' records")
    compact.add_argument("--index", required=True)
    warm = sub.add_parser("warm", help="read the index's files into the page cache")
    warm.add_argument("--index", required=True)
    args = parser.parse_args(argv)

    import faiss

    from .engine import Engine

    faiss.omp_set_num_threads(1)  # two threads made single queries 15-65x slower here
    if args.command in ("compact", "warm") and not (Path(args.index) / "meta.json").exists():
        print(f"error: no index at {args.index}", file=sys.stderr)
        return 2
    if args.command == "warm":    # from meta.json: the index is not loaded
        from .shards import warm_saved

        done = warm_saved(args.index, 1, lambda d, t: print(f"\rwarmed {d / 1e6:.0f}/{t / 1e6:.0f} MB", end="",
                                                            file=sys.stderr))
        print(file=sys.stderr)
        print(json.dumps(done))
        return 0
    if args.command == "compact":
        engine = Engine.open(args.index)
        try:
            done = engine.compact(lambda d, t: print(f"\rcompacted {d}/{t} records", end="", file=sys.stderr))
        except (ValueError, OSError) as error:
            print(f"\nerror: {error}", file=sys.stderr)
            return 1
        print(json.dumps(done))
        return 0
    if not Path(args.dir).is_dir():
        print(f"error: {args.dir} is not a folder", file=sys.stderr)
        return 2
    files = image_files(args.dir)
    context = mp.get_context("fork")
    started = time.perf_counter()

    if args.command == "index":
        try:
            engine = Engine.open(args.index, args.code_bytes)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        progress = Progress(len(files), "indexed")
        skipped = 0
        described = []
        with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
            for name, features, error in pool.map(_describe_reference, files, chunksize=4):
                if error:
                    skipped += 1
                    print(f"\nskipped {name}: {error}", file=sys.stderr)
                else:
                    described.append((name, features))
                if len(described) >= 256:
                    engine.add_many(described)
                    described = []
                progress.step()
        engine.add_many(described)
        engine.save()
        print(f"indexed {len(files) - skipped} references ({skipped} skipped) in "
              f"{time.perf_counter() - started:.1f}s; the index holds {len(engine)}", file=sys.stderr)
        return 0

    global _ENGINE, _TOP
    if not (Path(args.index) / "meta.json").exists():
        print(f"error: no index at {args.index}; build one with `python -m matching index`",
              file=sys.stderr)
        return 2
    _ENGINE = Engine.open(args.index)
    _ENGINE.make_searchable()  # once, before the workers fork
    _TOP = args.top
    progress = Progress(len(files), "queried")
    searching = 0.0
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        for name, matches, error, seconds in pool.map(_query, files, chunksize=2):
            searching += seconds
            line = {"query": name,
                    "matches": [{"ref": m.ref_id, "score": m.score, "match": m.match} for m in matches]}
            if error:
                line["error"] = error
                print(f"\nunreadable {name}: {error}", file=sys.stderr)
            print(json.dumps(line), flush=True)
            progress.step()
    n = len(files)
    elapsed = time.perf_counter() - started
    print(f"queried {n} in {elapsed:.1f}s ({n / elapsed if elapsed else 0:.1f}/s with decode); "
          f"description, search and verification {1000 * searching / max(n, 1):.1f} ms per query", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
