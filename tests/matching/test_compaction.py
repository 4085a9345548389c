"""Compaction: a removed reference's records and postings leave the files, the answers stay,
and readers, writers and a crash in the middle see a whole index."""
from __future__ import annotations

import json

import numpy as np
import pytest

from matching import Engine, query_signature, signature
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
    assert done["freed_bytes"] == removed_records * (RECORD.itemsize + 2)
    assert _files(path) == ["features-000003.bin", "features.bin"]     # the one before stays for readers
    live = sum(len(described[n].desc) for n in REFERENCES)
    assert (path / "features-000003.bin").stat().st_size == live * RECORD.itemsize < size_before
    assert engine.removed_share()["removed"] == 0 and engine.removed_share()["share"] == 0.0
    assert _answers(engine) == before
    assert _answers(Engine.open(path)) == before                        # as saved, loaded afresh
    index = Index.load(path)
    assert len(index.main) == live and index.names == REFERENCES and index.alive.all()
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
    engine.save()
    engine.compact()
    new = Engine.open(tmp_path / "index")._index
    for name in REFERENCES:
        assert np.array_equal(new._records(new.slot_of[name]), kept[name]), name
    # each live slot's postings are exactly its words
    words = new.quantize(np.concatenate([described[n].desc for n in REFERENCES]))
    owners = np.repeat(np.arange(len(REFERENCES)), [len(kept[n]) for n in REFERENCES])
    posted = np.repeat(np.arange(len(new.main.lengths())), new.main.lengths())
    assert sorted(zip(posted.tolist(), new.main.slots.tolist())) == sorted(zip(words.tolist(), owners.tolist()))


def test_nothing_removed_is_nothing_to_do(tmp_path, described):
    engine = _engine(tmp_path / "index", described, REFERENCES[:2])
    checkpoint = engine.checkpoint
    done = engine.compact()
    assert not done["compacted"] and done["freed_records"] == 0 and engine.checkpoint == checkpoint
    assert _files(tmp_path / "index") == ["features.bin"]


def test_unsaved_changes_are_refused_not_saved_for_their_caller(tmp_path, described):
    """A compaction never saves another caller's change for it (caseapp saves a work's add only
    once the work is committed): it says to save first, and nothing is written."""
    engine = _engine(tmp_path / "index", described, REFERENCES[:3])
    engine.remove(REFERENCES[0])
    checkpoint = engine.checkpoint
    with pytest.raises(ValueError, match="changes not saved yet; save it, then compact it"):
        engine.compact()
    assert engine.checkpoint == checkpoint and _files(tmp_path / "index") == ["features.bin"]
    engine.save()
    assert engine.compact()["compacted"]
    assert Engine.open(tmp_path / "index").ref_ids() == {REFERENCES[1], REFERENCES[2]}


def test_every_reference_removed_leaves_an_empty_index(tmp_path, described):
    engine = _engine(tmp_path / "index", described, REFERENCES[:2])
    for name in REFERENCES[:2]:
        engine.remove(name)
    engine.save()
    done = engine.compact()
    assert done["compacted"] and done["freed_records"] == sum(len(described[n].desc) for n in REFERENCES[:2])
    again = Engine.open(tmp_path / "index")
    assert len(again) == 0 and again.search(photo("coffee.png")) == []
    again.add("gravel.png", described["gravel.png"])
    again.save()
    assert Engine.open(tmp_path / "index").search(photo("gravel.png"), 1)[0].ref_id == "gravel.png"


def test_two_compactions_at_once_install_one_and_refuse_the_other(tmp_path, described):
    """Two processes compact the same checkpoint (two workers, or a job and the command line):
    each writes its own temporary file; the first installs, the second is refused as stale and
    its file goes; the index on disk is whole."""
    from matching import StaleIndex

    path = tmp_path / "index"
    first = _engine(path, described, REFERENCES + DISTRACTORS[:2])
    for name in DISTRACTORS[:2]:
        first.remove(name)
    first.save()
    second = Engine.open(path)
    plans = [(e, e._index.compaction(path, e._index.snapshot(path))) for e in (first, second)]
    assert plans[0][1].tmp != plans[1][1].tmp and all(p.tmp.exists() for _, p in plans)
    plans[0][0]._index.install(path, plans[0][1])
    with pytest.raises(StaleIndex):
        plans[1][0]._index.install(path, plans[1][1])
    assert not list(path.glob("*.tmp"))
    fresh = Engine.open(path)
    assert fresh.ref_ids() == set(REFERENCES) and _answers(fresh) == _answers(first)


def test_a_failed_checkpoint_leaves_the_index_as_it_was(tmp_path, described, monkeypatch):
    """The disk fills up while a save or a compaction writes its checkpoint: the index on disk
    and in the process is the one before (the records appended are cut off again, the
    compacted file goes), and the next try succeeds."""
    import matching.index as index_module

    path = tmp_path / "index"
    engine = _engine(path, described, REFERENCES[:3] + DISTRACTORS[:1])
    engine.remove(DISTRACTORS[0])
    engine.save()
    checkpoint, size = engine.checkpoint, (path / "features.bin").stat().st_size
    real_savez = index_module.np.savez

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(index_module.np, "savez", full)
    engine.add("gravel.png", described["gravel.png"])
    with pytest.raises(OSError, match="No space left"):
        engine.save()
    assert engine.checkpoint == checkpoint and (path / "features.bin").stat().st_size == size
    engine.remove("gravel.png")    # (the add stays unsaved in memory; take it back for the compaction below)
    with pytest.raises(OSError, match="No space left"):
        engine.save()
    monkeypatch.setattr(index_module.np, "savez", real_savez)
    engine.save()
    checkpoint = engine.checkpoint
    monkeypatch.setattr(index_module.np, "savez", full)
    with pytest.raises(OSError, match="No space left"):
        engine.compact()
    assert engine.checkpoint == checkpoint and _files(path) == ["features.bin"] and not list(path.glob("*.tmp"))
    assert engine.removed_share()["removed"] == 2 and Engine.open(path).checkpoint == checkpoint
    index = engine._index            # the perceptual hashes restored with the rest, slot for slot
    assert len(index.hashes) == len(index.hashed) == len(index.alive) == len(index.names)
    live = REFERENCES[2]
    assert [m.ref_id for m in engine.search(query_signature(transforms.rescale(photo(live), 0.5)), k=1)] == [live]
    monkeypatch.setattr(index_module.np, "savez", real_savez)
    assert engine.compact()["compacted"]
    assert Engine.open(path).ref_ids() == set(REFERENCES[:3])


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
    from matching import StaleIndex

    path = tmp_path / "index"
    mine = _engine(path, described, REFERENCES + DISTRACTORS[:1])
    other = Engine.open(path)
    other.remove(REFERENCES[0])
    other.save()
    with pytest.raises(StaleIndex, match="another process saved it since; reload it"):
        mine.compact()
    mine.remove(DISTRACTORS[0])
    with pytest.raises(StaleIndex, match="another process saved it since; reload it"):
        mine.save()
    assert Engine.open(path).ref_ids() == set(REFERENCES[1:]) | {DISTRACTORS[0]}   # the other's save stands


def test_a_change_while_compacting_wins_and_the_compaction_is_dropped(tmp_path, described):
    """The files are written outside the engine's lock (searches go on); an add or removal made
    meanwhile is never lost: the compaction's files are discarded and it says to run again."""
    path = tmp_path / "index"
    engine = _engine(path, described, REFERENCES + DISTRACTORS[:1])
    engine.remove(DISTRACTORS[0])

    engine.save()

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
    and the next compaction deletes the dead one's file."""
    path = tmp_path / "index"
    engine = _engine(path, described, REFERENCES + DISTRACTORS[:1])
    engine.remove(DISTRACTORS[0])
    engine.save()
    plan = engine._index.compaction(path, engine._index.snapshot(path))
    dead = plan.tmp.with_name(plan.name + ".999999999-dead.tmp")   # as if by a process that is gone
    plan.tmp.rename(dead)
    meta = json.loads((path / "meta.json").read_text())
    assert meta["features_file"] == "features.bin" and Engine.open(path).ref_ids() == set(REFERENCES)
    assert engine.compact()["compacted"]
    assert not list(path.glob("*.tmp")) and _files(path) == [f"features-{engine.checkpoint:06d}.bin", "features.bin"]
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


def test_a_reader_parses_meta_json_again_only_when_it_was_replaced(tmp_path, described, monkeypatch):
    """A worker checks for a newer index before every search: an unchanged meta.json (which
    lists every reference) is not read again; a replaced one is, once."""
    path = tmp_path / "index"
    writer = _engine(path, described, REFERENCES[:3])
    reader = Engine.open(path)
    parsed = []
    real_loads = json.loads
    monkeypatch.setattr(json, "loads", lambda text, *a, **k: parsed.append(1) or real_loads(text, *a, **k))
    assert not reader.reload_if_changed() and len(parsed) == 1     # first look: read, same checkpoint
    assert not reader.reload_if_changed() and not reader.reload_if_changed() and len(parsed) == 1
    writer.add("gravel.png", described["gravel.png"])
    writer.save()
    assert reader.reload_if_changed() and "gravel.png" in reader.ref_ids()
    count = len(parsed)
    assert not reader.reload_if_changed() and len(parsed) == count


def _saved_records(path):
    meta = json.loads((path / "meta.json").read_text())
    return meta["records"], (path / meta["features_file"]).stat().st_size


def _die_after_the_append(path, name, features):
    """In a child process: add a reference and save it, dying (os._exit) once its records are
    appended and synced, before its checkpoint: what a process killed there leaves."""
    import os

    import matching.index as index_module

    engine = Engine.open(path)
    engine.add(name, features)
    index_module.Index._write_checkpoint = lambda *args: os._exit(9)
    engine.save()
    os._exit(0)


def _saved_twice_then_deleting(path, described, monkeypatch, error):
    """An index at its second checkpoint, a fourth reference added, and deleting a file
    raising `error` (the save of the third checkpoint deletes the first's files); returns the
    engine and the real unlink to put back."""
    import pathlib

    engine = _engine(path, described, REFERENCES[:2])
    engine.add(REFERENCES[2], described[REFERENCES[2]])
    engine.save()
    real_unlink = pathlib.Path.unlink

    def failing(self, missing_ok=False):
        raise error

    monkeypatch.setattr(pathlib.Path, "unlink", failing)
    engine.add(REFERENCES[3], described[REFERENCES[3]])
    return engine, real_unlink


def test_records_of_a_save_killed_before_its_checkpoint_are_cut_off_by_the_next_save(tmp_path, described, caplog):
    """A process dies between appending its records and writing its checkpoint (killed, the
    machine down): the records file ends past what the index names. The index still opens as it
    was, and the next save cuts the dead save's records off and appends its own where they
    belong (before: every later save was refused until the index was rebuilt)."""
    import multiprocessing

    path = tmp_path / "index"
    _engine(path, described, REFERENCES[:3])
    records, size = _saved_records(path)
    child = multiprocessing.get_context("fork").Process(
        target=_die_after_the_append, args=(path, "gravel.png", described["gravel.png"]))
    child.start()
    child.join(60)
    assert child.exitcode == 9
    assert (path / "features.bin").stat().st_size > size     # the dead save's records are there
    with open(path / "features.bin", "ab") as out:           # and a torn half of a record
        out.write(b"\x01" * (RECORD.itemsize // 2))
    engine = Engine.open(path)
    assert engine.ref_ids() == set(REFERENCES[:3])
    engine.add(REFERENCES[3], described[REFERENCES[3]])
    with caplog.at_level("WARNING", logger="matching.index"):
        engine.save()
    assert "cut off before appending" in caplog.text
    records_now, size_now = _saved_records(path)
    assert records_now == records + len(described[REFERENCES[3]].desc)
    assert size_now == records_now * RECORD.itemsize
    reopened = Engine.open(path)
    assert reopened.ref_ids() == set(REFERENCES[:4])
    copy = query_signature(transforms.crop(photo(REFERENCES[3]), 0.6))    # its records read where they lie
    best = reopened.search(copy, k=1)
    assert [m.ref_id for m in best] == [REFERENCES[3]] and best[0].match


def test_a_records_file_cut_short_is_refused_and_nothing_is_written(tmp_path, described):
    """The other side: a records file shorter than the index names has lost records; a save
    would append after a hole. Refused with what to do, the files as they were."""
    path = tmp_path / "index"
    engine = _engine(path, described, REFERENCES[:3])
    os_size = (path / "features.bin").stat().st_size
    with open(path / "features.bin", "r+b") as f:
        f.truncate(os_size - 1)
    meta = (path / "meta.json").read_text()
    engine.add("gravel.png", described["gravel.png"])
    with pytest.raises(ValueError, match="cut short; rebuild the index"):
        engine.save()
    assert (path / "features.bin").stat().st_size == os_size - 1 and (path / "meta.json").read_text() == meta


def test_old_files_that_cannot_be_deleted_do_not_undo_a_saved_checkpoint(tmp_path, described, monkeypatch, caplog):
    """Deleting the checkpoint before last fails (a permission, a busy file) after the new
    meta.json is in: the save stands, its records are kept (before: they were cut off under the
    meta.json naming them, and the index no longer opened), and a later save deletes the files."""
    import pathlib

    path = tmp_path / "index"
    engine, real_unlink = _saved_twice_then_deleting(path, described, monkeypatch,
                                                     PermissionError(13, "Permission denied"))
    with caplog.at_level("WARNING", logger="matching.index"):
        engine.save()
    assert "older files not deleted yet" in caplog.text
    records, size = _saved_records(path)
    assert size == records * RECORD.itemsize
    assert Engine.open(path).ref_ids() == set(REFERENCES[:4])
    stale = sorted(path.glob("slots-*.npz"))
    assert len(stale) == 3
    monkeypatch.setattr(pathlib.Path, "unlink", real_unlink)
    engine.remove(REFERENCES[0])
    engine.save()
    assert len(list(path.glob("slots-*.npz"))) == 2 and Engine.open(path).ref_ids() == set(REFERENCES[1:4])


def test_an_interrupt_after_the_new_meta_json_keeps_the_save(tmp_path, described, monkeypatch, caplog):
    """Ctrl-C while the old files are deleted, after the new meta.json is in: the interrupt goes
    on, but the checkpoint stands with its records, and this copy knows it is that checkpoint
    (it searches the new reference, and its next save neither repeats nor loses a record)."""
    import pathlib

    path = tmp_path / "index"
    engine, real_unlink = _saved_twice_then_deleting(path, described, monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        engine.save()
    monkeypatch.setattr(pathlib.Path, "unlink", real_unlink)
    records, size = _saved_records(path)
    assert size == records * RECORD.itemsize and Engine.open(path).ref_ids() == set(REFERENCES[:4])
    copy = query_signature(transforms.crop(photo(REFERENCES[3]), 0.6))
    assert [m.ref_id for m in engine.search(copy, k=1)] == [REFERENCES[3]]
    engine.add("gravel.png", described["gravel.png"])
    with caplog.at_level("WARNING", logger="matching.index"):
        engine.save()
    assert "cut off" not in caplog.text          # the records the checkpoint names are not taken for a dead save's
    records_now, size_now = _saved_records(path)
    assert records_now == records + len(described["gravel.png"].desc) and size_now == records_now * RECORD.itemsize
    assert Engine.open(path).ref_ids() == set(REFERENCES[:4]) | {"gravel.png"}


@pytest.mark.parametrize("same_size, generations", [(False, True), (True, True), (False, False)])
def test_a_copy_of_an_index_replaced_since_by_another_at_the_same_checkpoint_is_refused_not_cut(
        tmp_path, described, same_size, generations):
    """The folder is moved away and a new index made there (operations.md's way to change the
    records' length) while a process still holds the old one: both are at checkpoint 1. The old
    copy's save must not take the new index's records for a dead save's and cut them, nor append
    to them: it is refused (StaleIndex), the new index stays whole, and a reload takes it up.
    `same_size`: the new index holds as many records as the old (another picture's, cut to the
    count), so only the index's generation tells them apart. Without `generations`: both saved
    before meta.json had one (read as None), told apart by their records."""
    from matching import StaleIndex
    from matching.features import Features

    def drop_generation(folder):
        meta = json.loads((folder / "meta.json").read_text())
        meta.pop("generation")
        (folder / "meta.json").write_text(json.dumps(meta))

    path = tmp_path / "index"
    old = _engine(path, described, REFERENCES[:1])
    if not generations:
        drop_generation(path)
        old = Engine.open(path)
    (tmp_path / "index").rename(tmp_path / "moved")
    if same_size:
        n, other = len(described[REFERENCES[0]].desc), described[REFERENCES[1]]
        new = Engine.open(path)
        new.add(REFERENCES[1], Features(other.xy[:n], other.desc[:n], other.size, other.scale[:n], other.hash))
        new.save()
        names = {REFERENCES[1]}
    else:
        new = _engine(path, described, REFERENCES[1:4])
        names = set(REFERENCES[1:4])
    if not generations:
        drop_generation(path)
    assert old.checkpoint == new.checkpoint == 1
    records, size = _saved_records(path)
    old.add("gravel.png", described["gravel.png"])
    with pytest.raises(StaleIndex, match="rebuilt or replaced since this copy was loaded"):
        old.save()
    assert _saved_records(path) == (records, size) and Engine.open(path).ref_ids() == names
    assert old.reload_if_changed() and old.ref_ids() == names    # another index: taken up
    old.add("gravel.png", described["gravel.png"])
    old.save()
    assert Engine.open(path).ref_ids() == names | {"gravel.png"}


def test_a_build_waits_for_the_writer_in_the_folder(tmp_path, described):
    """Index.build holds the writer's lock: a save cannot cut or append to the records file
    it is streaming."""
    import threading

    from matching.index import _writing

    path = tmp_path / "index"
    path.mkdir()
    built = threading.Event()
    with _writing(path):
        worker = threading.Thread(target=lambda: (Index.build(path, [[(REFERENCES[0], described[REFERENCES[0]])]]),
                                                  built.set()))
        worker.start()
        assert not built.wait(1.0)
    worker.join(60)
    assert built.is_set() and Engine.open(path).ref_ids() == {REFERENCES[0]}


@pytest.mark.parametrize("step", ["save", "compaction"])
def test_an_interrupt_right_after_the_rename_of_meta_json_keeps_what_it_names(tmp_path, described, monkeypatch,
                                                                              step):
    """Ctrl-C lands between the rename of meta.json and the next line (Python runs a signal's
    handler after the call returns): the new checkpoint is in, so its records stay (a save's
    appended ones, a compaction's new file), the index opens, and this copy is that checkpoint."""
    import matching.index as index_module

    path = tmp_path / "index"
    engine = _engine(path, described, REFERENCES[:3] + DISTRACTORS[:1])
    real_replace = index_module.os.replace

    def replace_then_interrupt(src, dst):
        real_replace(src, dst)
        if str(dst).endswith("meta.json"):
            raise KeyboardInterrupt

    if step == "save":
        engine.add(REFERENCES[3], described[REFERENCES[3]])
        want = set(REFERENCES[:4]) | {DISTRACTORS[0]}
    else:
        engine.remove(DISTRACTORS[0])
        engine.save()
        want = set(REFERENCES[:3])
    monkeypatch.setattr(index_module.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        engine.save() if step == "save" else engine.compact()
    monkeypatch.setattr(index_module.os, "replace", real_replace)
    records, size = _saved_records(path)
    assert size == records * RECORD.itemsize
    reopened = Engine.open(path)
    assert reopened.ref_ids() == want and reopened.checkpoint == engine.checkpoint
    engine.add("gravel.png", described["gravel.png"])
    engine.save()
    assert Engine.open(path).ref_ids() == want | {"gravel.png"}
