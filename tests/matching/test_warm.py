"""Warming: an index's files read into the page cache after a boot, as far as the memory
available allows (Engine.warm, `python -m matching warm`)."""
from __future__ import annotations

import json
import os

import pytest

import matching.engine as engine_module
import matching.index as index_module
from matching import Engine, signature
from matching.__main__ import main as matching_main
from matching.index import RECORD, saved_files, warm
from matching.shards import ShardedEngine, warm_saved
from tests.matching.conftest import DISTRACTORS, REFERENCES, photo


@pytest.fixture(scope="module")
def described():
    return {name: signature(photo(name)) for name in REFERENCES[:4] + DISTRACTORS[:1]}


@pytest.fixture()
def saved(tmp_path, described):
    engine = Engine.open(tmp_path / "index")
    engine.add_many((name, described[name]) for name in REFERENCES[:3])
    engine.save()
    engine.add(REFERENCES[3], described[REFERENCES[3]])
    engine.save()
    return engine


def _records_bytes(engine):
    meta = json.loads((engine.path / "meta.json").read_text())
    return meta["records"] * RECORD.itemsize


def test_the_files_warmed_are_the_newest_checkpoints_and_the_records_it_names(saved):
    """The postings, offsets and slots of checkpoint 2 (not 1's, kept for readers loading it),
    then the records file up to the records the index names (not a dead save's tail), as
    meta.json says (another process's save is what is warmed, not this copy's checkpoint)."""
    with open(saved.path / "features.bin", "ab") as out:
        out.write(b"\0" * 1000)
    files = saved.warm_files()
    names = [f.name for f, _ in files]
    assert names == ["offsets16-000002.npy", "postings16-000002.npy", "slots-000002.npz", "features.bin"]
    assert files[-1][1] == _records_bytes(saved) == (saved.path / "features.bin").stat().st_size - 1000
    assert all(size == f.stat().st_size for f, size in files[:-1])
    other = Engine.open(saved.path)
    other.remove(REFERENCES[0])
    other.save()
    other.compact()
    assert [f.name for f, _ in saved.warm_files()] == [f"{kind}-{other.checkpoint:06d}.np{z}" for kind, z in
                                                      (("offsets16", "y"), ("postings16", "y"), ("slots", "z"))] + \
        [f"features-{other.checkpoint:06d}.bin"]
    assert saved_files(saved.path / "not-saved") == []


def test_everything_is_read_when_it_fits(saved, monkeypatch):
    monkeypatch.setattr(index_module, "WARM_CHUNK", 4096)
    steps = []
    done = saved.warm(lambda d, t: steps.append((d, t)))
    size = sum(s for _, s in saved.warm_files())
    assert done["bytes"] == done["warmed"] == size and done["fits"] and done["memory_available"] > 0
    assert steps[-1] == (size, size) and len(steps) > size // 4096       # one step a chunk, in order
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)


@pytest.mark.parametrize("spare, fits", [(0, True), (-1, False), (1, True)])
def test_no_more_than_the_share_of_the_memory_available_is_read(saved, monkeypatch, spare, fits):
    """The budget is WARM_SHARE (9/10) of MemAvailable: up to the last byte that fits, and one
    byte less is one byte short (read in order: the postings first, then the records)."""
    size = sum(s for _, s in saved.warm_files())
    budget = size + spare
    monkeypatch.setattr(index_module, "memory_available", lambda: int(budget / engine_module.WARM_SHARE) + 1)
    assert int(engine_module.WARM_SHARE * (int(budget / engine_module.WARM_SHARE) + 1)) == budget
    done = saved.warm()
    assert done["fits"] is fits and done["warmed"] == min(size, budget)


def test_without_a_memory_figure_everything_is_read(saved, monkeypatch):
    monkeypatch.setattr(index_module, "memory_available", lambda: None)
    done = saved.warm()
    assert done["fits"] and done["warmed"] == done["bytes"] and done["memory_available"] is None


def test_memory_available_is_the_kernels_figure():
    with open("/proc/meminfo") as meminfo:
        kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemAvailable:"))
    assert abs(index_module.memory_available() - kb * 1024) < 256 << 20


def test_a_file_gone_or_cut_short_meanwhile_is_read_as_far_as_it_goes(tmp_path):
    """A compaction deleted the records file before it was read, or a file is shorter than
    named: what there is is read, nothing fails."""
    present = tmp_path / "a.bin"
    present.write_bytes(b"x" * 5000)
    assert warm([(tmp_path / "gone.bin", 100), (present, 5000)]) == 5000
    assert warm([(present, 8000)]) == 5000
    assert warm([(present, 5000)], budget=1234) == 1234 and warm([(present, 5000)], budget=0) == 0


def test_shards_are_warmed_within_one_budget(tmp_path, described, monkeypatch):
    engine = ShardedEngine.open(tmp_path / "sharded", 2)
    engine.add_many((name, described[name]) for name in REFERENCES[:4])
    engine.save()
    files = engine.warm_files()
    assert {f.parent.name for f, _ in files} == {"shard-0", "shard-1"}
    assert sorted(f.name for f, _ in files).count("features.bin") == 2
    size = sum(s for _, s in files)
    done = engine.warm()
    assert done["warmed"] == done["bytes"] == size
    monkeypatch.setattr(index_module, "memory_available", lambda: int(size / 2 / engine_module.WARM_SHARE) + 1)
    done = engine.warm()
    assert not done["fits"] and done["warmed"] == size // 2
    monkeypatch.setattr(index_module, "memory_available", lambda: None)
    done = warm_saved(tmp_path / "sharded", 2)      # without loading it: the same files
    assert done["warmed"] == done["bytes"] == size and done["short"] == []
    with pytest.raises(ValueError, match="holds 2 shards, not 3"):
        warm_saved(tmp_path / "sharded", 3)
    with pytest.raises(ValueError, match="holds 2 shards, not a single index"):
        warm_saved(tmp_path / "sharded", 1)
    single = tmp_path / "single"
    Engine.open(single).save()
    with pytest.raises(ValueError, match="holds a single index, not 2 shards"):
        warm_saved(single, 2)
    assert warm_saved(tmp_path / "nothing", 2)["bytes"] == 0       # shards not saved yet: nothing to read


def test_a_compaction_while_warming_gets_its_new_files_read_too(saved, monkeypatch):
    """Another process compacts the index while it is read: the files are listed again once
    read, and the new checkpoint's are read too; what is reported is of the files named last."""
    monkeypatch.setattr(index_module, "WARM_CHUNK", 4096)
    other = Engine.open(saved.path)
    other.remove(REFERENCES[0])
    other.save()
    first = saved_files(saved.path)
    compacted = []

    def step(done, total):
        if not compacted:
            compacted.append(other.compact())

    done = saved.warm(step)
    assert compacted[0]["compacted"] and saved_files(saved.path) != first
    assert done["warmed"] == done["bytes"] == sum(s for _, s in saved_files(saved.path)) and done["short"] == []


def test_a_save_while_warming_gets_its_records_read_on_from_where_they_were(saved, monkeypatch):
    """A save appends records while the index is read, with room for the index once and a
    half: the records file is read on from where it was (not again from its start, which would
    spend the budget twice and leave the end unread), and everything named is read."""
    monkeypatch.setattr(index_module, "WARM_CHUNK", 4096)
    size = sum(s for _, s in saved_files(saved.path))
    monkeypatch.setattr(index_module, "memory_available", lambda: int(1.5 * size / engine_module.WARM_SHARE))
    other = Engine.open(saved.path)
    saves, steps = [], []

    def step(done, total):
        steps.append((done, total))
        if not saves:
            other.add(DISTRACTORS[0], signature(photo(DISTRACTORS[0])))
            other.save()
            saves.append(1)

    done = saved.warm(step)
    assert done["bytes"] > size and done["warmed"] == done["bytes"] and done["fits"]
    assert done["short"] == done["changed"] == []
    assert steps[-1] == (done["bytes"], done["bytes"])
    assert all(b[0] >= a[0] for a, b in zip(steps, steps[1:]) if a[1] == b[1])   # no step back within a listing


def test_an_index_saved_again_after_every_listing_is_reported_changed_not_damaged(saved, monkeypatch):
    other = Engine.open(saved.path)
    listings = []
    real = saved.warm_files

    def listing():
        listings.append(1)
        if len(listings) > 1:      # a save after each reading
            other.add(f"again-{len(listings)}", other_features)
            other.save()
        return real()

    other_features = signature(photo(DISTRACTORS[1]))
    monkeypatch.setattr(saved, "warm_files", listing)
    done = saved.warm()
    assert len(listings) == engine_module.WARM_LISTINGS + 1
    assert done["changed"] and done["short"] == [] and done["warmed"] < done["bytes"]


def test_a_records_file_shorter_than_named_is_reported_short(saved):
    """A damaged index (its records file cut short): what there is is read, and the file is named."""
    records = saved.path / "features.bin"
    with open(records, "r+b") as f:
        f.truncate(records.stat().st_size - 100)
    done = saved.warm()
    assert done["fits"] and done["short"] == [str(records)] and done["warmed"] == done["bytes"] - 100


def test_the_command_line_warms_and_says_what_it_read(saved, capsys, monkeypatch):
    def not_loaded(*args):
        raise AssertionError("warming loads no index (1.5 GB of postings at a million references)")

    monkeypatch.setattr(index_module.Index, "load", not_loaded)
    assert matching_main(["warm", "--index", str(saved.path)]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["warmed"] == out["bytes"] == sum(s for _, s in saved.warm_files()) and out["fits"]
    assert "warmed" in captured.err and "MB" in captured.err
    assert matching_main(["warm", "--index", str(saved.path / "nothing")]) == 2
    assert "no index at" in capsys.readouterr().err


def test_warming_reads_through_one_buffer_and_leaves_the_file_descriptors_closed(tmp_path):
    """A file four chunks long is read with one chunk's buffer allocated at most (the process
    does not grow with the index), and no file is left open."""
    import tracemalloc

    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(4 * index_module.WARM_CHUNK))
    before = len(os.listdir("/proc/self/fd"))
    tracemalloc.start()
    try:
        assert warm([(big, 4 * index_module.WARM_CHUNK)]) == 4 * index_module.WARM_CHUNK
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert index_module.WARM_CHUNK <= peak < 1.5 * index_module.WARM_CHUNK
    assert len(os.listdir("/proc/self/fd")) == before


def test_the_scale_benchmark_warms_in_another_process_and_counts_the_disk_reads(tmp_path):
    """`benchmarks/matching_scale.py --warm` (with --cold as root, as docs/benchmarks.md does;
    here without dropping the cache) reports what the warming read, and what the searching
    process read from the disk rather than the page cache."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    index = tmp_path / "scale"
    out = subprocess.run([sys.executable, str(root / "benchmarks" / "matching_scale.py"), "--refs", "30",
                          "--index", str(index), "--warm", "--profile"], check=True, capture_output=True, text=True,
                         cwd=root)
    search = json.loads(out.stdout)["search"]
    assert search["warmed"]["warmed"] == search["warmed"]["bytes"] == sum(s for _, s in saved_files(index))
    assert search["warmed"]["fits"] and search["warmed"]["process_s"] >= search["warmed"]["seconds"]
    assert isinstance(search["load_disk_read_mb"], float) and isinstance(search["first_round_disk_read_mb"], float)
    assert search["cold"] is False
    assert search["profile"]["ms_per_query"]["total"] > 0   # --profile reaches the searching process
    stages = search["search_ms_by_stage"]       # each query counted at the stage it stopped at
    names = ("hash", "whole", "mirror", "windows")
    assert sum(stages[s]["queries"] for s in names) == search["queries"]
    assert stages["p95_at"] in names


def test_the_benchmarks_disk_counter_counts_a_file_read_from_the_disk_and_not_from_the_cache(tmp_path):
    """What `--cold --warm` reports rests on /proc/self/io's read_bytes: a file whose pages were
    dropped (posix_fadvise DONTNEED after fsync) counts about its size when read, and nothing
    when read again from the page cache."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from matching_scale import disk_read_bytes

    data = tmp_path / "data.bin"
    size = 16 << 20
    with open(data, "wb") as out:
        out.write(os.urandom(size))
        out.flush()
        os.fsync(out.fileno())
    fd = os.open(data, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        before = disk_read_bytes()
        while os.read(fd, 1 << 20):
            pass
        cold = disk_read_bytes() - before
        os.lseek(fd, 0, os.SEEK_SET)
        before = disk_read_bytes()
        while os.read(fd, 1 << 20):
            pass
        warm_again = disk_read_bytes() - before
    finally:
        os.close(fd)
    assert cold >= 0.9 * size and warm_again < 0.1 * size
