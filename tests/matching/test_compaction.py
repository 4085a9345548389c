"""Compaction: a removed reference's records and postings leave the files, the answers stay,
and readers, writers and a crash in the middle see a whole index."""
from __future__ import annotations

import json

import numpy as np
import pytest

from matching import Engine, signature
from matching.index import RECORD, Index
from matching.shards import ShardedEngine
from tests.matching import transforms
from tests.matching.conftest import DISTRACTORS, REFERENCES, photo

QUERIES = [(transforms.crop(photo(name), 0.6), name) for name in REFERENCES] + \
          [(photo(name), None) for name in DISTRACTORS[:3]]


@pytest.fixture(scope="module")
def described():
    return {name: signature(photo(name)) for name in REFERENCES + DISTRACTORS[:4]}


def _engine(path, described, names):
    engine = Engine.open(path)
    engine.add_many((name, described[name]) for name in names)
    engine.save()
    return engine


def _files(path):
    return sorted(p.name for p in path.glob("features*.bin"))


def _answers(engine):
    return [engine.search(query, k=3) for query, _ in QUERIES]


def test_compaction_frees_the_removed_records_and_answers_as_a_fresh_index(tmp_path, described):
    """Distractors added then removed: after compaction the records file holds only the works'
    records, and every query gets the answer (scores, placements, order) of an index built
    afresh from the works alone. (Before it, a removed reference's words still counted in the
    words' frequencies, so the answers may differ slightly from those.)"""
    path = tmp_path / "index"
    engine = _engine(path, described, REFERENCES + DISTRACTORS[:4])
    for name in DISTRACTORS[:4]:
        assert engine.remove(name)
    engine.save()
    before = _answers(_engine(tmp_path / "fresh", described, REFERENCES))
    share = engine.removed_share()
    removed_records = sum(len(described[n].desc) for n in DISTRACTORS[:4])
    assert share["removed"] == 4 and share["removed_records"] == removed_records
    assert share["share"] == round(removed_records / (removed_records + sum(len(described[n].desc) for n in REFERENCES)), 4)
    size_before = (path / "features.bin").stat().st_size

    done = engine.compact()

    assert done["compacted"] and done["freed_records"] == removed_records
    assert done["freed_bytes"] == removed_records * (RECORD.itemsize + 4)
    assert _files(path) == ["features-000003.bin", "features.bin"]     # the one before stays for readers
    live = sum(len(described[n].desc) for n in REFERENCES)
    assert (path / "features-000003.bin").stat().st_size == live * RECORD.itemsize < size_before
    assert engine.removed_share()["removed"] == 0 and engine.removed_share()["share"] == 0.0
    assert _answers(engine) == before
    assert _answers(Engine.open(path)) == before                        # as saved, loaded afresh
    index = Index.load(path)
    assert len(index.main.slots) == live and index.names == REFERENCES and index.alive.all()
    # the next save lets the old file go
    engine.add("grass.png", described["gravel.png"])
    engine.save()
    assert _files(path) == ["features-000003.bin"]
    assert engine.search(photo("gravel.png"), k=1)[0].ref_id == "grass.png"


def test_a_compacted_reference_keeps_its_records(tmp_path, described):
    """The records each live reference gets back are its own, byte for byte, whatever was
    removed around it (first, last, and between)."""
    names = [DISTRACTORS[0]] + REFERENCES[:3] + [DISTRACTORS[1]] + REFERENCES[3:] + [DISTRACTORS[2]]
    engine = _engine(tmp_path / "index", described, names)
    old = engine._index
    kept = {n: old._records(old.slot_of[n]).copy() for n in REFERENCES}
    for name in DISTRACTORS[:3]:
        engine.remove(name)
    engine.compact()
    new = Engine.open(tmp_path / "index")._index
    for name in REFERENCES:
        assert np.array_equal(new._records(new.slot_of[name]), kept[name]), name
    # each live slot's postings are exactly its words
    words = new.quantize(np.concatenate([kept[n]["desc"] for n in REFERENCES]))
    owners = np.repeat(np.arange(len(REFERENCES)), [len(kept[n]) for n in REFERENCES])
    posted = np.repeat(np.arange(len(new.main.offsets) - 1), new.main.lengths())
    assert sorted(zip(posted.tolist(), new.main.slots.tolist())) == sorted(zip(words.tolist(), owners.tolist()))


def test_nothing_removed_is_nothing_to_do(tmp_path, described):
    engine = _engine(tmp_path / "index", described, REFERENCES[:2])
    checkpoint = engine.checkpoint
    done = engine.compact()
    assert not done["compacted"] and done["freed_records"] == 0 and engine.checkpoint == checkpoint
    assert _files(tmp_path / "index") == ["features.bin"]


def test_unsaved_changes_are_saved_before_compacting(tmp_path, described):
    engine = _engine(tmp_path / "index", described, REFERENCES[:3])
    engine.remove(REFERENCES[0])
    engine.add("gravel.png", described["gravel.png"])        # not saved yet
    engine.compact()
    again = Engine.open(tmp_path / "index")
    assert again.ref_ids() == {REFERENCES[1], REFERENCES[2], "gravel.png"}
    assert again.search(photo("gravel.png"), k=1)[0].ref_id == "gravel.png"


def test_a_reader_keeps_its_answers_and_then_swaps_in_the_compacted_index(tmp_path, described):
    path = tmp_path / "index"
    writer = _engine(path, described, REFERENCES + DISTRACTORS[:2])
    reader = Engine.open(path)
    for name in DISTRACTORS[:2]:
        writer.remove(name)
    writer.save()
    assert reader.reload_if_changed()
    before = _answers(reader)
    writer.compact()
    writer.add("gravel.png", described["gravel.png"])
    writer.save()                                   # the file the reader maps is unlinked now
    assert "features.bin" not in _files(path)
    assert _answers(reader) == before               # its mapping still reads the old file
    assert reader.reload_if_changed() and reader.ref_ids() == set(REFERENCES) | {"gravel.png"}
    assert _answers(reader) == _answers(_engine(tmp_path / "fresh", described, REFERENCES + ["gravel.png"]))


def test_another_process_saving_first_makes_the_compaction_refuse(tmp_path, described):
    path = tmp_path / "index"
    mine = _engine(path, described, REFERENCES + DISTRACTORS[:1])
    other = Engine.open(path)
    other.remove(REFERENCES[0])
    other.save()
    mine.remove(DISTRACTORS[0])
    with pytest.raises(ValueError, match="another process saved it since; reload it"):
        mine.compact()
    assert Engine.open(path).ref_ids() == set(REFERENCES[1:]) | {DISTRACTORS[0]}   # the other's save stands


def test_a_change_while_compacting_wins_and_the_compaction_is_dropped(tmp_path, described):
    """The files are written outside the engine's lock (searches go on); an add or removal made
    meanwhile is never lost: the compaction's files are discarded and it says to run again."""
    path = tmp_path / "index"
    engine = _engine(path, described, REFERENCES + DISTRACTORS[:1])
    engine.remove(DISTRACTORS[0])

    def meanwhile(done, total):
        engine.add("gravel.png", described["gravel.png"])

    with pytest.raises(ValueError, match="changed while it was being compacted; compact again"):
        engine.compact(progress=meanwhile)
    assert not list(path.glob("*.tmp")) and _files(path) == ["features.bin"]
    engine.save()
    assert Engine.open(path).ref_ids() == set(REFERENCES) | {"gravel.png"}
    assert engine.compact()["compacted"]
    assert Engine.open(path).ref_ids() == set(REFERENCES) | {"gravel.png"}


def test_a_crash_before_the_checkpoint_leaves_the_old_index_whole(tmp_path, described):
    """Written, not installed (the process died between the two): the saved index is the old one,
    and the next compaction starts afresh."""
    path = tmp_path / "index"
    engine = _engine(path, described, REFERENCES + DISTRACTORS[:1])
    engine.remove(DISTRACTORS[0])
    engine.save()
    plan = engine._index.compaction(path)
    assert plan.tmp.exists()
    meta = json.loads((path / "meta.json").read_text())
    assert meta["features_file"] == "features.bin" and Engine.open(path).ref_ids() == set(REFERENCES)
    assert engine.compact()["compacted"]
    assert not list(path.glob("*.tmp")) and _files(path) == ["features-000003.bin", "features.bin"]
    assert Engine.open(path).ref_ids() == set(REFERENCES)


def test_shards_compact_each_and_sum_what_they_freed(tmp_path, described):
    engine = ShardedEngine.open(tmp_path / "sharded", 2)
    engine.add_many((name, described[name]) for name in REFERENCES + DISTRACTORS[:4])
    engine.save()
    for name in DISTRACTORS[:4]:
        engine.remove(name)
    engine.save()
    share = engine.removed_share()
    assert share["removed"] == 4 and share["removed_records"] == sum(len(described[n].desc) for n in DISTRACTORS[:4])
    done = engine.compact()
    assert done["compacted"] and done["freed_records"] == share["removed_records"]
    assert engine.removed_share()["removed_records"] == 0
    fresh = ShardedEngine.open(tmp_path / "fresh", 2)
    fresh.add_many((name, described[name]) for name in REFERENCES)
    assert _answers(engine) == _answers(fresh)
    assert _answers(ShardedEngine.open(tmp_path / "sharded", 2)) == _answers(fresh)


def test_the_command_line_compacts_and_says_what_it_freed(tmp_path, described):
    import subprocess
    import sys

    path = tmp_path / "index"
    engine = _engine(path, described, REFERENCES + DISTRACTORS[:1])
    engine.remove(DISTRACTORS[0])
    engine.save()
    run = subprocess.run([sys.executable, "-m", "matching", "compact", "--index", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    done = json.loads(run.stdout)
    assert done["compacted"] and done["freed_records"] == len(described[DISTRACTORS[0]].desc)
    assert Engine.open(path).ref_ids() == set(REFERENCES)
    missing = subprocess.run([sys.executable, "-m", "matching", "compact", "--index", str(tmp_path / "none")],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no index at" in missing.stderr


def test_a_save_over_another_process_save_is_refused_and_writes_nothing(tmp_path, described):
    """Two processes hold the same folder; the second to save would undo the first's change
    (here a removal). It is refused with StaleIndex before anything is written."""
    from matching import StaleIndex

    path = tmp_path / "index"
    first = _engine(path, described, REFERENCES[:3])
    second = Engine.open(path)
    first.remove(REFERENCES[0])
    first.save()
    size = (path / "features.bin").stat().st_size
    meta = (path / "meta.json").read_text()
    second.add("gravel.png", described["gravel.png"])
    with pytest.raises(StaleIndex, match="another process saved it since; reload it and make the change again"):
        second.save()
    assert (path / "features.bin").stat().st_size == size and (path / "meta.json").read_text() == meta
    assert second.reload_if_changed()
    second.add("gravel.png", described["gravel.png"])
    second.save()
    assert Engine.open(path).ref_ids() == {REFERENCES[1], REFERENCES[2], "gravel.png"}
