"""Benchmark: the matching index at 1,000,000 references.

    .venv/bin/python benchmarks/matching_scale.py --refs 1000000 --index /var/tmp/scale-index

Builds an index with the configuration that produced the quality figures
(`matching.engine.REF_SCALES`, `Index.PARAMS`, the shipped vocabulary), then loads
it in a fresh process and times real queries, decode excluded.

References: the real photographs (scikit-image's bundled ones, or --images DIR) are
indexed as themselves, and the rest are synthetic signatures made from their
descriptors (or those of the pictures in --pool): each takes 750 descriptors drawn at
random from the pool of real ones, 16 random bits flipped in each, at random positions. So the words have the
distribution of real pictures, and no synthetic reference is a copy of anything.

With --compact SHARE (on an index built before): remove that share of the synthetic
references at random, save, and time the compaction that frees their records (Engine.compact),
with the searching process's peak memory and the files' sizes before and after; the index is
left compacted.

Queries: transformed copies of the real photographs (crop, rotation, rescale and
JPEG, mirror, caption band). With --cold the page cache is dropped before the searching
process loads the index, so the queries read the records from the disk, as after a boot;
with --cold --warm, `python -m matching warm` (what `caseapp works warm` does) reads the
index's files back first, as after a boot with the warming step, and its time is reported.
With --cold --disk-iops N [--disk-mib-s M] the searching process (and the warming step it
starts) reads the index's disk at most N times and M MiB a second: a model of a slower disk
than this machine's (a cloud volume's baseline, say), set with the kernel's block-IO control
group (root only); the report names the model.
Reported: search latency (p50/p95, one thread; the queries described before the clock, and
in a last round with their description, as a search describes its stages), whether
the right photograph still comes first among the million, resident memory of the
searching process after loading and querying, and the size of the files on disk; and the
search times by the stage each query stopped at (the hash, the whole query, its mirror, the
windows), with the stage of the query at the 95th percentile: a copy missed pays every stage.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SYNTHETIC_POINTS = 750
FLIPPED_BITS = 16


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def disk_read_bytes() -> int:
    """Bytes this process has had read from the disk (not the page cache): /proc/self/io."""
    with open("/proc/self/io") as io_:
        return next(int(line.split()[1]) for line in io_ if line.startswith("read_bytes:"))


def memory_mb() -> dict:
    """The process's resident memory split: its own (anonymous: arrays, buffers, the allocator's
    pools) and file pages it has mapped (shared with the page cache, dropped under pressure)."""
    got = {}
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            key, *value = line.split()
            if key.endswith(":") and value and value[0].isdigit():   # the first line names the range
                got[key.rstrip(":")] = int(value[0]) / 1024
    return {"rss": round(got.get("Rss", 0)), "anonymous": round(got.get("Anonymous", 0)),
            "file": round(got.get("Rss", 0) - got.get("Anonymous", 0))}


def index_arrays_mb(index) -> float:
    """What the index itself holds in memory: postings, offsets, word weights, per-slot arrays."""
    arrays = [index.main.low, index.main.offsets, index.delta.low, index.delta.offsets, index._idf,
              index._lengths, index.sizes, index.start, index.count, index.alive]
    return round(sum(a.nbytes for a in arrays if a is not None) / 2 ** 20)


def base_images(folder: str | None) -> list[Path]:
    if folder:
        files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    else:
        import skimage

        data = Path(skimage.__file__).parent / "data"
        files = sorted(p for p in data.iterdir() if p.suffix in (".png", ".jpg"))
    from PIL import Image

    keep = []
    for p in files:
        with Image.open(p) as im:
            if min(im.size) >= 256:
                keep.append(p)
    return keep


def synthetic_references(pool_desc: np.ndarray, pool_scale: np.ndarray, first: int, n: int,
                         rng: np.random.Generator) -> list:
    """n synthetic references named syn-{first}.. : each takes SYNTHETIC_POINTS descriptors drawn
    at random from the pool of real ones (with their pyramid scales), FLIPPED_BITS random bits
    flipped in each, at random positions in an 800 x 600 frame. (tests/matching makes its
    realistic-size index with this too.)"""
    from matching.features import Features

    m = n * SYNTHETIC_POINTS
    pick = rng.integers(0, len(pool_desc), m)
    desc = pool_desc[pick].copy()
    rows = np.arange(m)
    for _ in range(FLIPPED_BITS):
        bit = rng.integers(0, 256, m)
        desc[rows, bit >> 3] ^= (1 << (bit & 7)).astype(np.uint8)
    xy = (rng.random((m, 2)) * (800, 600)).astype(np.float32)
    scale = pool_scale[pick]
    return [(f"syn-{first + i:07d}",
             Features(xy[i * SYNTHETIC_POINTS:(i + 1) * SYNTHETIC_POINTS],
                      desc[i * SYNTHETIC_POINTS:(i + 1) * SYNTHETIC_POINTS], (800, 600),
                      scale[i * SYNTHETIC_POINTS:(i + 1) * SYNTHETIC_POINTS]))
            for i in range(n)]


def queries_of(path: Path) -> list:
    """Transformed copies of a photograph, as JPEG bytes."""
    from PIL import Image, ImageDraw, ImageOps

    with Image.open(path) as im:
        im = im.convert("RGB")
    w, h = im.size
    out = []
    crop = im.crop((w // 10, h // 8, w * 9 // 10, h * 7 // 8))
    rot = im.rotate(9, expand=True, fillcolor=(255, 255, 255)).resize((w * 3 // 4, h * 3 // 4))
    mirror = ImageOps.mirror(im).resize((w // 2, h // 2))
    band = Image.new("RGB", (w, h + h // 5), "white")
    band.paste(im, (0, h // 5))
    ImageDraw.Draw(band).text((10, 10), "WHEN THE CLIENT SAYS IT IS FINE", fill="black")
    for copy in (crop, rot, mirror, band):
        buf = io.BytesIO()
        copy.save(buf, "JPEG", quality=75)
        out.append(buf.getvalue())
    return out


def build(args) -> dict:
    from tqdm import tqdm

    from matching.engine import signature
    from matching.index import Index

    bases = base_images(args.images)
    real = [(f"real-{p.name}", signature(p)) for p in bases]
    pool = real
    if args.pool:
        from matching.decode import DecodeError

        pool = []
        for p in tqdm(sorted(Path(args.pool).iterdir()), desc="descriptor pool", file=sys.stderr, mininterval=5):
            try:
                pool.append((p.name, signature(p)))
            except DecodeError:
                continue
    pool_desc = np.concatenate([f.desc for _, f in pool])
    pool_scale = np.concatenate([f.scale for _, f in pool])
    rng = np.random.default_rng(args.seed)
    batch_refs = 1000

    def batches():
        yield real
        for first in range(len(real), args.refs, batch_refs):
            yield synthetic_references(pool_desc, pool_scale, first, min(batch_refs, args.refs - first), rng)

    bar = tqdm(total=args.refs, unit="ref", desc="indexing", file=sys.stderr, mininterval=5)
    done = [0]

    def progress(n):
        bar.update(n - done[0])
        done[0] = n

    started = time.perf_counter()
    index = Index.build(args.index, batches(), progress=progress, code_bytes=args.code_bytes)
    bar.close()
    return {"references": len(index), "real_references": len(real), "build_s": round(time.perf_counter() - started, 1),
            "postings": len(index.main)}


def search(args) -> dict:
    """Runs in a fresh process: load the index, time the queries (under the disk model of
    --disk-iops / --disk-mib-s when given, the queries described before it is set)."""
    import faiss

    from matching.engine import query_signature

    faiss.omp_set_num_threads(1)
    # Decoded and described before the clock (every stage a search may ask for: the whole, the
    # mirror, the windows), so the times are the index's: its words, shortlist, records and
    # verification, as when the 1M targets were set (issue 21: queries were described before
    # then; since the staged query, a search describes its later stages itself). A last round
    # times the search with its description (the stages it asks for, and no more).
    cases, fresh, kinds = [], [], []
    for p in base_images(args.images):
        for kind, data in zip(KINDS, queries_of(p)):
            query = query_signature(data)
            for stage in range(3):
                query.stage(stage)
            cases.append((f"real-{p.name}", query))
            fresh.append(data)
            kinds.append(kind)
    model, undo = None, None
    if args.disk_iops or args.disk_mib_s:   # before the drop: what it reads then, it reads slowly
        try:
            model, undo = throttle_reads(args.index, args.disk_iops, args.disk_mib_s)
        except ValueError as error:
            sys.exit(f"error: {error}")
    try:
        report = _timed(args, cases, fresh, kinds, model)
    finally:
        served = undo() if undo else None
    if model:
        model["served"] = served   # what the model's reads were: loading, warming and searching
    return report


def _timed(args, cases: list, fresh: list, kinds: list, model: dict | None) -> dict:
    from matching.engine import Engine, query_signature

    if args.cold:
        drop_page_cache()
    warmed = None
    if args.warm:   # another process, as a boot's warming step would be
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "matching", "warm", "--index", args.index], check=True,
                              capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
        warmed = {**json.loads(done.stdout), "process_s": round(time.perf_counter() - t0, 2)}
    before = rss_mb()
    load_from_disk = disk_read_bytes()
    t0 = time.perf_counter()
    engine = Engine.open(args.index)
    engine.make_searchable()
    load_s = time.perf_counter() - t0
    load_from_disk = disk_read_bytes() - load_from_disk
    loaded = rss_mb()
    times, right, found_any = [], 0, 0
    from_disk = disk_read_bytes()
    for want, variants in cases:
        t = time.perf_counter()
        found = engine.search(variants, k=5)
        times.append(1000 * (time.perf_counter() - t))
        if _found(found, want):
            right += 1
    from_disk = disk_read_bytes() - from_disk
    after_first = rss_mb()
    for _ in range(args.rounds - 1):   # the same queries again: what the process keeps over many
        for _, variants in cases:
            engine.search(variants, k=5)
    described, stopped = [], []
    for data in fresh:
        query = query_signature(data)
        t = time.perf_counter()
        engine.search(query, k=5)
        described.append(1000 * (time.perf_counter() - t))
        stopped.append(STAGES[len(query.stages)])   # the stages it asked for: where it stopped
    by_stage = search_times_by_stage(times, stopped)
    times.sort()
    described.sort()
    files = {p.name: p.stat().st_size for p in Path(args.index).iterdir() if p.is_file()}
    report = {"references": len(engine), "queries": len(cases),
              "search_ms_p50": round(statistics.median(times), 1),
              "search_ms_p95": p95(times),
              "search_ms_max": round(times[-1], 1), "cold": args.cold, "warmed": warmed,
              "disk_model": model,
              # what the first round read from the disk rather than the page cache (cold: the
              # records of each shortlist, and code read on first use; after warming, no index file)
              "first_round_disk_read_mb": round(from_disk / 2 ** 20, 1),
              "load_disk_read_mb": round(load_from_disk / 2 ** 20, 1),
              "with_description_ms_p50": round(statistics.median(described), 1),
              "with_description_ms_p95": p95(described),
              "right_first_and_matched": f"{right}/{len(cases)}",
              # the first round's search times by the stage each query stopped at (a miss pays
              # every stage), and the stage of the query at the 95th percentile
              "search_ms_by_stage": by_stage,
              "load_s": round(load_s, 1),
              "rss_mb_before_load": round(before), "rss_mb_after_load": round(loaded),
              "rss_mb_after_first_round": round(after_first),
              "queries_run": len(cases) * args.rounds, "rss_mb_after_queries": round(rss_mb()),
              # the index's own arrays, and the process's memory split (anonymous / mapped files)
              "index_arrays_mb": index_arrays_mb(engine._index), "memory_after_queries_mb": memory_mb(),
              "index_memory_mb": round(rss_mb() - before),
              "postings_mb": round(files.get(f"postings16-{engine.checkpoint:06d}.npy", 0) / 2 ** 20),
              "features_file_gb": round(files.get(engine._index._features_file, 0) / 2 ** 30, 1)}
    # last, so that no memory figure above counts the profiler's
    report["profile"] = profile_steps(engine, fresh) if args.profile else None
    if args.misses:
        report["misses"] = [{"work": want, "copy": kind, **where_lost(engine, want, query)}
                            for (want, query), kind in zip(cases, kinds)
                            if not _found(engine.search(query, k=5), want)]
    return report


KINDS = ("crop", "turned", "mirrored", "caption band")   # queries_of's copies, in its order


def _found(found, want: str) -> bool:
    return bool(found and found[0].ref_id == want and found[0].match)


@contextlib.contextmanager
def verification_kept():
    """While held, the evidence of the last verify_pair call (score's inliers, tight ones,
    second plane, coverage, homography) is in the dict it gives; verification is put back
    afterwards, also when it fails. What the search computes is unchanged."""
    from matching import index as index_module

    real, kept = index_module.verify_pair, {}

    def keep(*args, **kwargs):
        kept.clear()
        kept.update(real(*args, **kwargs))
        return kept

    index_module.verify_pair = keep
    try:
        yield kept
    finally:
        index_module.verify_pair = real


def where_lost(engine, want: str, query) -> dict:
    """Where a search lost its work (--misses): for each stage the query was described for
    (the whole, the mirror, the windows: with the whole and the mirror again, as the search
    shortlists them), whether the work was shortlisted (its votes, or None) of how many
    references, and the work verified with each of the stage's variants even if it was not
    shortlisted: its score and evidence (inliers, tight ones, the second plane's query points,
    the share of the work they cover). The scores are the verification's own: the search
    lowers a window's by the whole query's second-plane factor, and a copy found small by a
    closer look's (engine.staged_search). What the search itself did is unchanged."""
    ix = engine._index
    slot = ix.slot_of.get(want)   # (not a scan of a million names for each miss)
    if slot is None:
        return {"stages": [], "error": f"{want} is not in the index"}
    stages = []
    for number in range(3):
        own = query.stage(number)
        described = query.stage(0) + query.stage(1) + own if number == 2 and own else own
        variants = [v.features for v in described]
        if not variants:
            continue
        words = ix._split(ix.quantize(np.concatenate([f.desc for f in variants])), variants)
        shortlist = ix.candidates(variants, words)
        slots = list(dict.fromkeys([s for _, _, s in shortlist] + [slot]))
        shared = ix._shortlist_index(slots)
        votes = [round(v, 1) for v, _, s in shortlist if s == slot]
        verified = []
        for v, features in enumerate(variants):
            with verification_kept() as kept:
                scores = ix.verify(features, slots, [slot], words[v], shared, None, {}, {})
            evidence = {k: round(float(kept.get(k, 0.0)), 2)
                        for k in ("n", "tight", "plane2", "coverage")}
            verified.append({"variant": v, "score": round(float(scores.get(slot, 0.0)), 3),
                             **evidence})
        stages.append({"stage": STAGES[number + 1], "shortlisted": max(votes) if votes else None,
                       "of": len({s for _, _, s in shortlist}), "verified": verified})
    return {"stages": stages}


STAGES = ("hash", "whole", "mirror", "windows")   # how far a query went: Query.stages described


def profile_steps(engine, images: list) -> dict:
    """Where a search's time goes: the queries (image bytes) searched once more under cProfile,
    with their description, as a sighting is. `ms_per_query`: each step's milliseconds a query,
    by the function that does it (its cumulative time; `verification` is verify_pair, the
    geometry, and includes `second_plane`; `other` is the rest of Engine.search, among it
    Index.verify's ratio test and the staged search's own work). `by_stage`: how many queries stopped
    at each stage (answered by the hash; the whole query; its mirror; the windows) and their
    median milliseconds. Run after the timed rounds, so the profiler's cost is in no figure
    above."""
    import cProfile
    import pstats

    from matching import features, hashes, index, verify
    from matching.engine import query_signature

    steps = {"description": features.extract, "hash": hashes.near, "words": index.Index.quantize,
             "votes": index.Index.candidates, "records": index.Index._shortlist_index,
             "neighbours": index._Neighbours.search, "verification": verify.verify_pair,
             "second_plane": verify.second_plane}
    queries = [query_signature(data) for data in images]   # decoded and hashed before, as the timed rounds
    profiler = cProfile.Profile()
    stopped: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for query in queries:
        t = time.perf_counter()
        profiler.enable()
        engine.search(query, k=5)
        profiler.disable()
        stopped[STAGES[len(query.stages)]].append(1000 * (time.perf_counter() - t))
    total = sum(sum(times) for times in stopped.values()) / len(queries)
    cumulative = {key: row[3] for key, row in pstats.Stats(profiler).stats.items()}
    out = {}
    for step, function in steps.items():
        code = function.__code__
        out[step] = round(1000 * cumulative.get((code.co_filename, code.co_firstlineno, code.co_name), 0.0)
                          / len(queries), 3)
    out["other"] = round(total - sum(v for k, v in out.items() if k != "second_plane"), 3)
    out["total"] = round(total, 3)
    return {"ms_per_query": out,
            "by_stage": {stage: {"queries": len(times), "median_ms": round(statistics.median(times), 1) if times else None}
                         for stage, times in stopped.items()}}


def search_times_by_stage(times: list[float], stopped: list[str]) -> dict:
    """Search times (one a query, in query order) grouped by the stage each query stopped at
    (STAGES): how many stopped there and the slowest of them; `p95_at`, the stage of the query
    whose time is the 95th percentile (as `p95` picks it)."""
    out: dict = {stage: {"queries": 0, "max_ms": None} for stage in STAGES}
    for ms, stage in zip(times, stopped, strict=True):
        group = out[stage]
        group["queries"] += 1
        group["max_ms"] = round(max(ms, group["max_ms"] or 0.0), 1)
    order = sorted(range(len(times)), key=lambda i: times[i])
    out["p95_at"] = stopped[order[int(0.95 * (len(order) - 1))]] if order else None
    return out


def p95(ordered: list[float]) -> float:
    """The 95th percentile of sorted times (the nearest rank below), rounded to a tenth."""
    return round(ordered[int(0.95 * (len(ordered) - 1))], 1)


def drop_page_cache() -> None:
    """Write back and drop the kernel's page cache (root only), as a boot leaves it."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3")
    except OSError as error:
        sys.exit(f"--cold drops the page cache, which needs root ({error}); run as root or without --cold")


THROTTLED = "caseapp-scale-bench"   # the control group --disk-iops makes (its pid appended)


def block_device(path: str, sysfs: str = "/sys/dev/block") -> str:
    """'major:minor' of the whole disk that holds `path` (a partition's disk: throttling rules
    are set on disks), or a message-bearing ValueError when it is on none (tmpfs, overlay)."""
    st = os.stat(path)
    dev = Path(sysfs) / f"{os.major(st.st_dev)}:{os.minor(st.st_dev)}"
    if not dev.exists():
        raise ValueError(f"{path}: its filesystem names no block device (tmpfs, an overlay, btrfs "
                         "or ZFS): a disk model needs the index on a plain disk's filesystem")
    if (dev / "partition").exists():
        dev = dev.resolve().parent
    return (dev / "dev").read_text().strip()


def _served(group: Path, device: str, v1: bool) -> dict:
    """The reads the group made of the device, and their MiB (v1 blkio.throttle.io_serviced and
    io_service_bytes, v2 io.stat), while the model held."""
    def counted(file: str, key: str) -> int:
        try:
            lines = (group / file).read_text().splitlines()
        except OSError:
            return 0
        for line in lines:
            words = line.split()
            if v1 and words[:2] == [device, "Read"]:
                return int(words[2])
            if not v1 and words[:1] == [device]:
                return int(dict(w.split("=") for w in words[1:]).get(key, 0))
        return 0

    if v1:
        reads = counted("blkio.throttle.io_serviced", "")
        size = counted("blkio.throttle.io_service_bytes", "")
    else:
        reads, size = counted("io.stat", "rios"), counted("io.stat", "rbytes")
    return {"reads": reads, "read_mib": round(size / 2 ** 20, 1)}


def _group_of_self(hierarchy: str, proc: str) -> str:
    """This process's group in a cgroup hierarchy ('blkio' in v1; '' for v2's), from `proc`."""
    for line in Path(proc).read_text().splitlines():
        _, controllers, group = line.split(":", 2)
        if (hierarchy in controllers.split(",")) if hierarchy else controllers == "":
            return group.lstrip("/")
    return ""


def _no_controller(root: str) -> str:
    return (f"no block-IO control group under {root} (cgroup v1 blkio, or v2 with the io "
            "controller): a disk model cannot be set on this machine")


def _hierarchy(root: str) -> str | None:
    """'v1' (a blkio hierarchy with throttling), 'v2' (the io controller), or None."""
    if (Path(root) / "blkio" / "blkio.throttle.read_iops_device").exists():
        return "v1"
    controllers = Path(root) / "cgroup.controllers"
    if controllers.exists() and "io" in controllers.read_text().split():
        return "v2"
    return None


def disk_model_problem(index: str, root: str = "/sys/fs/cgroup") -> str | None:
    """Why a disk model could not be set for an index to be built at `index`, or None: checked
    before a build, since the searching process that sets it runs after."""
    if os.geteuid() != 0:
        return "--disk-iops and --disk-mib-s need root (they set a control group)"
    if _hierarchy(root) is None:
        return _no_controller(root)
    where = Path(index).resolve()
    while not where.exists():
        where = where.parent
    try:
        block_device(str(where))
    except ValueError as error:
        return str(error)
    return None


def _refused(error: OSError) -> str:
    """What an error writing a control group's files means, by its errno."""
    import errno

    if error.errno in (errno.EPERM, errno.EACCES):
        return "it needs root"
    if error.errno == errno.EROFS:
        return "the control groups are read-only here (a container?)"
    return "the kernel refused the group or its rule"


def throttle_reads(path: str, iops: int | None, mib_s: float | None,
                   root: str = "/sys/fs/cgroup", sysfs: str = "/sys/dev/block",
                   proc: str = "/proc/self/cgroup"):
    """Put this process, and the processes it starts, in a control group whose reads from the
    disk holding `path` are capped at `iops` operations and `mib_s` MiB a second (either may be
    None): a model of a slower disk than this machine's. The kernel's throttling (cgroup v1
    blkio.throttle.read_iops_device / read_bps_device, cgroup v2 io.max riops / rbps: the
    kernel's Documentation/admin-guide/cgroup-v1/blkio-controller.rst and cgroup-v2.rst) caps
    the rate of reads, page faults on mapped files included; it adds no latency of its own, so
    a single read still costs what this machine's disk takes. Root only. Returns (what was set,
    a function that puts the process back in its own group and removes the new one, and returns
    the reads served; it never raises: what it could not do is in its answer's `cleanup`).
    Groups an earlier run left (its process killed) are removed first when empty."""
    device = block_device(path, sysfs)
    name = f"{THROTTLED}-{os.getpid()}"
    v1, v2 = Path(root) / "blkio", Path(root)
    kind = _hierarchy(root)
    for stale in (v1 if kind == "v1" else v2).glob(f"{THROTTLED}-*"):
        try:
            stale.rmdir()   # the kernel refuses while a process is in it: another run's, live
        except OSError:
            pass
    if kind == "v1":
        group, parent, home = v1 / name, v1, v1 / _group_of_self("blkio", proc)
        rules = {"blkio.throttle.read_iops_device": f"{device} {iops}" if iops else None,
                 "blkio.throttle.read_bps_device":
                     f"{device} {int(mib_s * 2 ** 20)}" if mib_s else None}
    elif kind == "v2":
        group, parent, home = v2 / name, v2, v2 / _group_of_self("", proc)
        limits = [f"riops={iops}"] if iops else []
        limits += [f"rbps={int(mib_s * 2 ** 20)}"] if mib_s else []
        rules = {"io.max": f"{device} {' '.join(limits)}"}
    else:
        raise ValueError(_no_controller(root))
    try:
        if parent is v2:
            (parent / "cgroup.subtree_control").write_text("+io")
        group.mkdir(exist_ok=True)
        for file, rule in rules.items():
            if rule:
                (group / file).write_text(rule)
        (group / "cgroup.procs").write_text(str(os.getpid()))
    except OSError as error:
        if group.is_dir():
            try:
                group.rmdir()   # nothing left behind: a group the kernel made holds no process yet
            except OSError:
                pass
        raise ValueError(f"the disk model could not be set ({error}): {_refused(error)}") from error

    def undo() -> dict:
        served = _served(group, device, parent is v1)
        try:
            (home / "cgroup.procs").write_text(str(os.getpid()))
            group.rmdir()
        except OSError as error:   # a report is worth more than a tidy machine: say, do not raise
            served["cleanup"] = f"{group} could not be removed ({error}): remove it by hand"
            print(f"warning: {served['cleanup']}", file=sys.stderr)
        return served

    return {"device": device, "read_iops": iops, "read_mib_s": mib_s, "cgroup": str(group)}, undo


def _sizes(path: str) -> int:
    return sum(p.stat().st_size for p in Path(path).iterdir() if p.is_file())


def compact(args) -> dict:
    """Remove a share of the synthetic references, save, and time the compaction."""
    import resource

    from tqdm import tqdm

    from matching.engine import Engine

    engine = Engine.open(args.index)
    engine.make_searchable()
    loaded = rss_mb()
    names = sorted(n for n in engine.ref_ids() if n.startswith("syn-"))
    rng = np.random.default_rng(args.seed)
    gone = rng.choice(len(names), int(len(names) * args.compact), replace=False)
    for i in gone.tolist():
        engine.remove(names[i])
    engine.save()
    before = _sizes(args.index)
    bar = tqdm(unit="record", unit_scale=True, desc="compacting", file=sys.stderr, mininterval=5)

    def step(done, total):
        bar.total = total
        bar.update(done - bar.n)

    t0 = time.perf_counter()
    done = engine.compact(step)
    seconds = time.perf_counter() - t0
    bar.close()
    during = _sizes(args.index)          # the previous records file stays until the next save
    engine.save()
    return {"references_before": len(engine) + len(gone), "removed": len(gone),
            "references_after": len(engine), "compact_s": round(seconds, 1),
            "freed_records": done["freed_records"], "freed_mb": round(done["freed_bytes"] / 2 ** 20),
            "files_mb_before": round(before / 2 ** 20), "files_mb_while_kept": round(during / 2 ** 20),
            "files_mb_after_next_save": round(_sizes(args.index) / 2 ** 20),
            "rss_mb_loaded": round(loaded),
            "rss_mb_peak": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refs", type=int, default=1_000_000)
    ap.add_argument("--index", default="/var/tmp/caseapp-matching-scale")
    ap.add_argument("--images", help="folder of real photographs (default: scikit-image's)")
    ap.add_argument("--pool", help="folder of other real pictures whose descriptors make the synthetic references "
                                   "(default: the --images photographs)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--code-bytes", type=int, default=None, metavar="N",
                    help="bytes of each descriptor the records keep (default: the whole, 32)")
    ap.add_argument("--search-only", action="store_true", help="time an index built before")
    ap.add_argument("--rounds", type=int, default=1,
                    help="search the queries this many times (the memory after all; the times are the first round's)")
    ap.add_argument("--cold", action="store_true",
                    help="drop the page cache before the searching process loads the index (as after a boot; "
                         "root only), so its first queries read the records from the disk")
    ap.add_argument("--warm", action="store_true",
                    help="read the index's files into the page cache (python -m matching warm) before the "
                         "searching process loads it; with --cold, the time a boot's warming step takes")
    ap.add_argument("--disk-iops", type=int, metavar="N",
                    help="with --cold: cap the searching process's reads from the index's disk "
                         "at N a second (a model of a slower disk: a cloud volume's baseline "
                         "is 3000; root, cgroup blkio or io)")
    ap.add_argument("--disk-mib-s", type=float, metavar="M",
                    help="with --cold: cap those reads at M MiB a second "
                         "(a cloud volume's baseline: 125)")
    ap.add_argument("--profile", action="store_true",
                    help="after the timed rounds and the memory figures, search the queries once more, "
                         "with their description, under cProfile: the milliseconds a query each step takes "
                         "(description, hash, words, votes, records, neighbours, verification and its "
                         "second-plane fit), and how many queries stopped at each stage")
    ap.add_argument("--misses", action="store_true",
                    help="last, for each query whose work is not found first and matched: in "
                         "each stage, whether the work was shortlisted, and its score verified "
                         "directly (where it was lost)")
    ap.add_argument("--compact", type=float, metavar="SHARE",
                    help="on an index built before: remove this share of its synthetic references, time the compaction")
    args = ap.parse_args(argv)
    if any(v is not None and v <= 0 for v in (args.disk_iops, args.disk_mib_s)):
        ap.error("--disk-iops and --disk-mib-s are rates above 0")
    if args.disk_mib_s is not None and args.disk_mib_s * 2 ** 20 < 1:
        ap.error("--disk-mib-s: below a byte a second the kernel would take it for no limit")
    if (args.disk_iops or args.disk_mib_s) and not args.cold:
        ap.error("--disk-iops and --disk-mib-s model a disk read after a boot: give --cold too "
                 "(else the page cache answers the reads)")
    if (args.disk_iops or args.disk_mib_s) and not args.search_only:
        problem = disk_model_problem(args.index)   # said now, not after an hour's build
        if problem:
            ap.error(problem)
    if args.compact is not None:
        print(json.dumps(compact(args)))
        return 0
    report = {}
    if not args.search_only:
        report["build"] = build(args)
        print(json.dumps(report["build"]), file=sys.stderr)
    # a fresh process, so that memory is the searching process's own and not the builder's
    cmd = [sys.executable, __file__, "--search-only", "--index", args.index, "--refs", str(args.refs)]
    cmd += ["--cold"] if args.cold else []
    cmd += ["--warm"] if args.warm else []
    cmd += ["--disk-iops", str(args.disk_iops)] if args.disk_iops else []
    cmd += ["--disk-mib-s", str(args.disk_mib_s)] if args.disk_mib_s else []
    cmd += ["--rounds", str(args.rounds)]
    cmd += ["--profile"] if args.profile else []
    cmd += ["--misses"] if args.misses else []
    if args.images:
        cmd += ["--images", args.images]
    if args.search_only:
        if not (Path(args.index) / "meta.json").exists():
            print(f"error: no index is saved at {args.index}; build one first (without --search-only)",
                  file=sys.stderr)
            return 2
        report = search(args)
    else:
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:   # the searching process's own message, not a bare exit status
            print(done.stderr.strip()[-4000:], file=sys.stderr)
            return done.returncode
        report["search"] = json.loads(done.stdout)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
