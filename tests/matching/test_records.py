"""The records file's layouts: whole descriptors (the default, 42 bytes a point) and compact
records (`code_bytes` of each descriptor, 15 bytes a point with 8), how an index keeps its
choice, and what verification reads from either."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from matching import Engine, signature
from matching.features import Features
from matching.index import RECORD, Index, record_dtype
from tests.matching import transforms
from tests.matching.conftest import DISTRACTORS, REFERENCES, photo

CROPS = [(transforms.crop(photo(name), 0.6), name) for name in REFERENCES]


@pytest.fixture(scope="module")
def described():
    return {name: signature(photo(name)) for name in REFERENCES + DISTRACTORS[:3]}


def _engine(path, described, names, code_bytes=None):
    engine = Engine.open(path, code_bytes)
    engine.add_many((name, described[name]) for name in names)
    engine.save()
    return engine


def _meta(path):
    return json.loads((path / "meta.json").read_text())


def test_compact_records_take_15_bytes_a_point_and_find_the_copies(tmp_path, described):
    path = tmp_path / "compact"
    _engine(path, described, REFERENCES + DISTRACTORS[:3], code_bytes=8)
    meta = _meta(path)
    assert meta["code_bytes"] == 8 and record_dtype(8).itemsize == 15
    assert (path / "features.bin").stat().st_size == meta["records"] * 15
    engine = Engine.open(path)   # the index keeps its choice: no argument needed to read it
    assert engine._index.record.itemsize == 15
    whole = _engine(tmp_path / "whole", described, REFERENCES + DISTRACTORS[:3])

    def found(engine):
        return {name for query, name in CROPS
                if (best := engine.search(query, k=1)[0]).ref_id == name and best.match}
    # the crops whole descriptors call copies (all but the brick wall's, a texture) compact ones do
    assert found(engine) == found(whole) and len(found(whole)) == len(REFERENCES) - 1


def test_whole_descriptors_stay_the_default_and_an_index_saved_before_reads_the_same(tmp_path, described):
    path = tmp_path / "whole"
    engine = _engine(path, described, REFERENCES)
    meta = _meta(path)
    assert meta["code_bytes"] == 32 and RECORD.itemsize == 42
    assert (path / "features.bin").stat().st_size == meta["records"] * 42
    before = [engine.search(query, k=3) for query, _ in CROPS]
    del meta["code_bytes"]   # as an index saved before compact records existed
    (path / "meta.json").write_text(json.dumps(meta))
    again = Engine.open(path)
    assert again._index.record == RECORD
    assert [again.search(query, k=3) for query, _ in CROPS] == before


def test_an_index_naming_a_layout_this_version_does_not_know_is_refused(tmp_path, described):
    path = tmp_path / "index"
    _engine(path, described, REFERENCES[:1])
    meta = _meta(path)
    meta["code_bytes"] = 40
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="names no record layout this version knows .*rebuild it"):
        Engine.open(path)


def test_a_saved_index_keeps_its_code_length(tmp_path, described):
    path = tmp_path / "compact"
    _engine(path, described, REFERENCES[:2], code_bytes=8)
    with pytest.raises(ValueError, match="keeps 8 bytes of each descriptor, not 32; build it again"):
        Engine.open(path, 32)
    assert Engine.open(path, 8)._index.record.itemsize == 15
    for wrong in (33, 7, 0, True, 8.0):
        with pytest.raises(ValueError, match="8 to 32 bytes"):
            Engine.open(tmp_path / "new", wrong)


def test_the_command_line_builds_compact_records_and_refuses_to_change_them(tmp_path):
    refs = tmp_path / "refs"
    refs.mkdir()
    for name in REFERENCES[:2]:
        photo(name).convert("RGB").save(refs / (name.rsplit(".", 1)[0] + ".jpg"), quality=92)
    index = tmp_path / "index"
    run = [sys.executable, "-m", "matching", "index", str(refs), "--index", str(index), "--workers", "1"]
    done = subprocess.run(run + ["--code-bytes", "8"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _meta(index)["code_bytes"] == 8
    refused = subprocess.run(run + ["--code-bytes", "16"], capture_output=True, text=True)
    assert refused.returncode == 2
    assert "keeps 8 bytes of each descriptor, not 16" in refused.stderr
    assert _meta(index)["code_bytes"] == 8 and _meta(index)["checkpoint"] == 1   # nothing written


def test_compact_records_hold_what_verification_needs(described):
    """A compact record's position is the point's to 1/32 pixel, its branch the vocabulary
    tree's top-level centroid nearest its whole descriptor (where a query's descriptor looks
    for it), its code the descriptor's first bytes; a whole record gives verification the
    same branch and the whole descriptor."""
    f = described[REFERENCES[0]]
    compact, whole = Index(code_bytes=8), Index()
    for index in (compact, whole):
        index.add_many([("a", f)])
    c, w = compact._records(0), whole._records(0)
    branch = whole._top_index().search(np.ascontiguousarray(f.desc), 1)[1][:, 0]
    assert np.abs(c["xy"] - f.xy).max() <= 1 / 32 and np.array_equal(w["xy"], f.xy)
    assert np.array_equal(c["branch"], branch) and np.array_equal(w["branch"], branch)
    assert np.array_equal(c["code"], f.desc[:, :8]) and np.array_equal(w["code"], f.desc)
    assert np.array_equal(c["scale"], w["scale"])


def test_a_point_out_of_the_compact_range_is_refused_and_nothing_is_added(described):
    f = described[REFERENCES[0]]
    far = Features(f.xy + np.float32(4096), f.desc, f.size, f.scale, f.hash)
    index = Index(code_bytes=8)
    index.add_many([("a", f)])
    with pytest.raises(ValueError, match="within 4096 pixels"):
        index.add_many([("b", f), ("a", far)])   # "a" again: it would replace the one added
    assert index.names == ["a"] and index.alive.tolist() == [True] and len(index._new_flat()) == len(f.desc)
    whole = Index()
    whole.add_many([("c", far)])   # whole records keep float positions: any size
    assert np.array_equal(whole._records(0)["xy"], far.xy)


def test_a_built_index_holds_the_records_an_added_one_does(tmp_path, described):
    items = [(name, described[name]) for name in REFERENCES]
    built = Index.build(tmp_path / "built", [items[:3], items[3:]], code_bytes=8)
    added = Index(code_bytes=8)
    added.add_many(items)
    assert _meta(tmp_path / "built")["code_bytes"] == 8
    for slot in range(len(items)):
        assert built._records(slot).tobytes() == added._records(slot).tobytes()


def test_compaction_keeps_compact_records_compact(tmp_path, described):
    path = tmp_path / "compact"
    engine = _engine(path, described, REFERENCES + DISTRACTORS[:3], code_bytes=8)
    fresh = _engine(tmp_path / "fresh", described, REFERENCES, code_bytes=8)
    for name in DISTRACTORS[:3]:
        engine.remove(name)
    engine.save()
    removed = sum(len(described[n].desc) for n in DISTRACTORS[:3])
    done = engine.compact()
    assert done["freed_records"] == removed and done["freed_bytes"] == removed * (15 + 2)
    live = sum(len(described[n].desc) for n in REFERENCES)
    assert (path / "features-000003.bin").stat().st_size == live * 15
    reopened = Engine.open(path)
    assert [reopened.search(q, k=3) for q, _ in CROPS] == [fresh.search(q, k=3) for q, _ in CROPS]


def test_a_build_refused_half_way_leaves_an_empty_folder_not_half_an_index(tmp_path, described):
    f = described[REFERENCES[0]]
    far = Features(f.xy + np.float32(4096), f.desc, f.size, f.scale, f.hash)
    path = tmp_path / "index"
    with pytest.raises(ValueError, match="within 4096 pixels"):
        Index.build(path, [[("a", f)], [("b", far)]], code_bytes=8)
    assert sorted(p.name for p in path.iterdir()) == ["writer.lock"]   # (the build held the writer's lock)
    engine = Engine.open(path, 8)   # the folder serves a new index
    engine.add("a", f)
    engine.save()
    assert len(Engine.open(path)) == 1


def test_shards_that_keep_different_code_lengths_are_refused(tmp_path, described):
    from matching.shards import ShardedEngine, shard_folder

    ShardedEngine.open(tmp_path / "sharded", 2).save()
    _engine(shard_folder(tmp_path / "sharded", 1), described, [], code_bytes=None)
    compact = tmp_path / "sharded-compact"
    ShardedEngine.open(compact, 2)
    _engine(shard_folder(compact, 0), described, REFERENCES[:1], code_bytes=8)
    _engine(shard_folder(compact, 1), described, REFERENCES[1:2])
    with pytest.raises(ValueError, match=r"keep different lengths of descriptor \(\[8, 32\] bytes\); rebuild them alike"):
        ShardedEngine.open(compact, 2)


def test_the_branch_cache_is_bounded_and_follows_a_compaction(tmp_path, described, monkeypatch):
    """Whole-descriptor records' branches are kept for the last BRANCH_CACHE references read;
    after a compaction a reference that now starts where a removed one did gets its own
    branches (its crop scores as on a freshly loaded index), not the removed one's."""
    import matching.index as mi

    monkeypatch.setattr(mi, "BRANCH_CACHE", 3)
    engine = _engine(tmp_path / "i", described, REFERENCES)
    for crop, _ in CROPS:
        engine.search(crop, k=1)
    assert len(engine._index._branches) == 3
    monkeypatch.setattr(mi, "BRANCH_CACHE", 100)
    first = REFERENCES[0]
    engine.search(CROPS[0][0], k=1)                   # the first reference's branches cached
    assert (engine._index._features_file, 0) in engine._index._branches
    engine.remove(first)
    engine.save()
    engine.compact()
    fresh = Engine.open(tmp_path / "i")
    for crop, name in CROPS[1:]:
        assert engine.search(crop, k=2) == fresh.search(crop, k=2), name
    second = engine._index.slot_of[REFERENCES[1]]
    assert int(engine._index.start[second]) == 0      # where the removed one started
    assert engine.search(CROPS[1][0], k=1)[0].ref_id == REFERENCES[1]
