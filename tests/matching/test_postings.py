"""Postings of 2 bytes: slot numbers kept as their low 16 bits, each word's list cut into
blocks of 65,536 slots. Every list must give back exactly its slots, in ascending order,
across blocks, merges, compactions, saves and indexes saved with 4-byte postings."""
from __future__ import annotations

import json

import numpy as np
import pytest

from matching.features import Features
from matching.index import BLOCK, WORDS, Index, _Postings

RNG = np.random.default_rng(21)


def _pairs(n: int, first: int = 0, span: int = 3 * BLOCK + 100):
    """n (word, slot) pairs in ascending slot order between `first` and `first + span`, on a
    few hundred words (so lists are long and cross blocks)."""
    slots = np.sort(RNG.integers(first, first + span, n)).astype(np.uint32)
    words = RNG.choice(np.r_[0, 1, 7, WORDS - 1, RNG.integers(0, WORDS, 300)], n).astype(np.int64)
    return words, slots


def _lists(words, slots) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for w, s in zip(words.tolist(), slots.tolist()):
        out.setdefault(w, []).append(s)
    return out


def _check(post: _Postings, expected: dict[int, list[int]]) -> None:
    asked = np.array(sorted(expected) + [3, 5], np.int64)   # 3 and 5 have no list
    RNG.shuffle(asked)
    want = [s for w in asked.tolist() for s in expected.get(w, [])]
    assert post.gather(asked).tolist() == want
    lengths = post.lengths()
    assert all(lengths[w] == len(v) for w, v in expected.items()) and lengths.sum() == len(post)
    votes = np.zeros(max((max(v) for v in expected.values()), default=0) + 1, np.float32)
    weights = RNG.integers(1, 100, len(asked)).astype(np.float32)
    post.vote(asked, weights, votes)
    want_votes = np.zeros_like(votes)
    for w, weight in zip(asked.tolist(), weights.tolist()):
        np.add.at(want_votes, np.array(expected.get(w, []), np.int64), weight)
    assert np.array_equal(votes, want_votes)
    flat = [s for w in sorted(expected) for s in expected[w]]
    assert post.slots.tolist() == flat and post.slots_of_words(0, WORDS).tolist() == flat


def test_lists_across_blocks_give_every_slot_back_in_order():
    words, slots = _pairs(50_000)
    post = _Postings.build(words, slots)
    assert post.blocks == 4 and post.low.dtype == np.uint16 and post.low.nbytes == 2 * len(slots)
    _check(post, _lists(words, slots))
    assert post.gather(np.zeros(0, np.int64)).tolist() == []
    # one block: slots under 65,536, the same answers
    small = _Postings.build(words[:100], np.arange(100, dtype=np.uint32) * 600)
    assert small.blocks == 1
    _check(small, _lists(words[:100], np.arange(100, dtype=np.uint32) * 600))


@pytest.mark.parametrize("first_span, second_first", [
    (BLOCK - 1, BLOCK - 1),          # one block, then a list that opens three more
    (4 * BLOCK, 4 * BLOCK + 1),      # five blocks, then slots of the last blocks only
])
def test_merged_postings_hold_both_lists_whatever_their_blocks(first_span, second_first):
    w1, s1 = _pairs(20_000, 0, first_span)
    w2, s2 = _pairs(20_000, second_first, 2 * BLOCK)
    main, delta = _Postings.build(w1, s1), _Postings.build(w2, s2)
    # the later list holds its own blocks only (offsets for those, not for every block before)
    assert delta.first == int(s2.min()) >> 16 and len(delta.offsets) == WORDS * delta.blocks + 1
    _check(delta, _lists(w2, s2))
    merged = main.merged(delta)
    assert merged.first == 0 and merged.blocks == delta.first + delta.blocks
    _check(merged, _lists(np.r_[w1, w2], np.r_[s1, s2]))


def test_merging_works_chunk_by_chunk(monkeypatch):
    from matching import index as index_module

    monkeypatch.setattr(index_module, "CHUNK", 5_000)   # many chunks, some ending inside a list
    w1, s1 = _pairs(30_000, 0, 2 * BLOCK)
    w2, s2 = _pairs(30_000, 2 * BLOCK + 7, 2 * BLOCK)
    _check(_Postings.build(w1, s1).merged(_Postings.build(w2, s2)), _lists(np.r_[w1, w2], np.r_[s1, s2]))


def test_lists_out_of_order_are_refused_as_damaged():
    lengths = np.zeros(WORDS, np.int64)
    lengths[7] = 2
    with pytest.raises(ValueError, match="not in ascending slot order .* rebuild it"):
        _Postings.from_lists(lengths, lambda a, b: np.array([70_000, 5], np.int64)[:lengths[a:b].sum()], 2, 2)


def test_lists_rebuilt_chunk_by_chunk_drop_and_renumber(monkeypatch):
    from matching import index as index_module

    monkeypatch.setattr(index_module, "CHUNK", 7_000)   # many chunks, some ending inside a list
    words, slots = _pairs(40_000)
    post = _Postings.build(words, slots)
    alive = RNG.random(int(slots.max()) + 1) > 0.3
    renumber = np.where(alive, np.cumsum(alive) - 1, -1)
    kept = renumber[slots] >= 0
    rebuilt = _Postings.from_lists(post.lengths(), lambda a, b: renumber[post.slots_of_words(a, b)],
                                   int(kept.sum()), index_module._blocks_for(int(alive.sum())))
    expected = _lists(words[kept], renumber[slots[kept]])
    _check(rebuilt, expected)


DESC = np.random.default_rng(5).integers(0, 256, (2 * (BLOCK + 75_000), 32), dtype=np.uint8)


def _tiny(n: int):
    """n references of one or two points each: an index of more than 65,536 slots, cheaply
    (the same references for the same n, a longer n adding more)."""
    desc = DESC
    return [(f"r{i}", Features(np.full((1 + i % 2, 2), 10.0, np.float32), desc[2 * i:2 * i + 1 + i % 2], (64, 64),
                               np.ones(1 + i % 2, np.float32))) for i in range(n)]


def _expected(index: Index, items) -> dict[int, list[int]]:
    words, slots = [], []
    for name, f in items:
        if name in index.slot_of:
            w = index.quantize(f.desc)
            words += w.tolist()
            slots += [index.slot_of[name]] * len(w)
    order = np.argsort(np.array(slots), kind="stable")
    return _lists(np.array(words, np.int64)[order], np.array(slots, np.uint32)[order])


def test_an_index_of_more_than_65536_references_saves_loads_adds_and_compacts(tmp_path):
    from matching import Engine

    items = _tiny(BLOCK + 5_000)
    built = Index.build(tmp_path / "index", [items[:40_000], items[40_000:]])
    assert built.main.blocks == 2
    expected = _expected(built, items)
    _check(built.main, expected)
    meta = json.loads((tmp_path / "index" / "meta.json").read_text())
    assert sorted(p.name for p in (tmp_path / "index").glob("*.npy")) == \
        [f"offsets16-{meta['checkpoint']:06d}.npy", f"postings16-{meta['checkpoint']:06d}.npy"]

    engine = Engine.open(tmp_path / "index")
    _check(engine._index.main, expected)
    more = _tiny(BLOCK + 5_000 + 70_000)[BLOCK + 5_000:]   # a third block's worth, added and merged
    engine.add_many(more)
    listed = _expected(engine._index, items + more)
    for name, _ in items[:30_000:3] + more[::5]:
        engine.remove(name)
    engine.save()
    index = Engine.open(tmp_path / "index")._index
    assert index.main.blocks == 3
    _check(index.main, listed)   # removed references' slots stay listed until a compaction
    engine.compact()
    compacted = Engine.open(tmp_path / "index")._index
    assert compacted.main.blocks == 2 and len(compacted) == len(items) + len(more) - 10_000 - 14_000
    _check(compacted.main, _expected(compacted, items + more))


def test_an_index_saved_with_4_byte_postings_loads_as_before(tmp_path):
    from matching import Engine

    items = _tiny(BLOCK + 2_000)
    built = Index.build(tmp_path / "index", [items])
    tag = f"{built.checkpoint:06d}"
    folder = tmp_path / "index"
    # as an index saved before: word offsets and every slot number in 4 bytes
    np.save(folder / f"postings-{tag}.npy", built.main.slots)
    np.save(folder / f"offsets-{tag}.npy", np.ascontiguousarray(built.main.word_offsets()))
    (folder / f"postings16-{tag}.npy").unlink()
    (folder / f"offsets16-{tag}.npy").unlink()
    meta = json.loads((folder / "meta.json").read_text())
    del meta["posting_bytes"], meta["code_bytes"]   # neither was written then
    (folder / "meta.json").write_text(json.dumps(meta))
    engine = Engine.open(folder)
    assert engine._index.main.blocks == 2
    _check(engine._index.main, _expected(engine._index, items))
    engine.add_many(_tiny(BLOCK + 2_010)[-10:])
    engine.save()   # saved with 2-byte postings from now on; the old files go with their checkpoint
    assert {p.name.split("-")[0] for p in folder.glob("*.npy")} >= {"postings16", "offsets16"}
    _check(Engine.open(folder)._index.main, _expected(engine._index, _tiny(BLOCK + 2_010)))


def test_the_postings_read_are_those_meta_json_names(tmp_path):
    """A save that failed after writing its postings leaves files of the next checkpoint's
    number; a process of the version before may then save that checkpoint with its own
    4-byte postings. The files read are those meta.json names, never the stale ones."""
    from matching import Engine

    items = _tiny(300)
    built = Index.build(tmp_path / "index", [items])
    folder = tmp_path / "index"
    tag = f"{built.checkpoint:06d}"
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["posting_bytes"] == 2
    np.save(folder / f"postings-{tag}.npy", built.main.slots)
    np.save(folder / f"offsets-{tag}.npy", np.ascontiguousarray(built.main.word_offsets()))
    np.save(folder / f"postings16-{tag}.npy", np.zeros_like(built.main.low))   # stale, wrong
    del meta["posting_bytes"]   # as the version before writes it
    (folder / "meta.json").write_text(json.dumps(meta))
    _check(Engine.open(folder)._index.main, _expected(built, items))
