"""Shards (matching.shards): two shards answer as one index on the test corpus, removal and
reload touch one shard, and one shard is the single index as it always was."""
from __future__ import annotations

import json

import pytest

from matching import Engine, signature
from matching.shards import ShardedEngine, open_index, shard_of
from tests.matching import transforms
from tests.matching.conftest import DISTRACTORS, REFERENCES, photo

# Copies of every reference (as the engine tests make them) and photos not in the index.
COPIES = [("crop", transforms.crop), ("text", transforms.text_overlay), ("screenshot", transforms.screenshot),
          ("flip", transforms.flip), ("rotate", transforms.rotate), ("jpeg", transforms.jpeg)]


@pytest.fixture(scope="module")
def signatures():
    """In id order: one index breaks a tie of votes by the order references were added, shards
    by id (matching.shards._search), the same order when references are added in id order."""
    return [(name, signature(photo(name))) for name in sorted(REFERENCES)]


@pytest.fixture(scope="module")
def queries():
    from matching import query_signature

    made = [(f"{how}:{name}", make(photo(name))) for name in REFERENCES for how, make in COPIES]
    made += [(f"distractor:{name}", photo(name)) for name in DISTRACTORS[:4]]
    return [(label, query_signature(image)) for label, image in made]


@pytest.fixture(scope="module")
def single(tmp_path_factory, signatures):
    engine = Engine.open(tmp_path_factory.mktemp("single"))
    engine.add_many(signatures)
    engine.save()
    return engine


@pytest.fixture(scope="module")
def sharded(tmp_path_factory, signatures):
    engine = ShardedEngine.open(tmp_path_factory.mktemp("sharded"), 2)
    assert not engine.add_many(signatures)
    engine.save()
    return engine


def test_the_corpus_lands_in_both_shards(sharded):
    sizes = [len(e) for e in sharded.engines]
    assert sum(sizes) == len(REFERENCES) and min(sizes) >= 2, sizes
    for name in REFERENCES:
        assert name in sharded.engines[shard_of(name, 2)].ref_ids()


def test_two_shards_answer_as_one_index(single, sharded, queries):
    """Same matches, same order, same scores, same placements, for every query."""
    matched = 0
    for label, variants in queries:
        one = single.search(variants, k=5)
        two = sharded.search(variants, k=5)
        assert two == one, label
        matched += bool(one and one[0].match)
    assert matched >= len(REFERENCES) * len(COPIES) * 0.8   # the queries do find copies (not all empty)


def test_make_searchable_gives_every_shard_the_weights_of_one_index(single, sharded):
    import numpy as np

    single.make_searchable()
    sharded.make_searchable()
    for engine in sharded.engines:
        assert not engine._index._delta_parts
        np.testing.assert_array_equal(engine._index._idf, single._index._idf)


def test_shard_of_is_the_work_id_mod_n_and_stable():
    assert [shard_of(str(i), 3) for i in range(7)] == [0, 1, 2, 0, 1, 2, 0]
    assert shard_of("astronaut.png", 4) == shard_of("astronaut.png", 4)   # crc32, not Python's salted hash
    assert {shard_of(f"name-{i}", 4) for i in range(50)} == {0, 1, 2, 3}


def test_removal_touches_one_shard_and_survives_a_reload(tmp_path, signatures):
    path = tmp_path / "index"
    writer = ShardedEngine.open(path, 2)
    writer.add_many(signatures)
    writer.save()
    reader = ShardedEngine.open(path, 2)
    assert reader.ref_ids() == set(REFERENCES)
    assert not reader.reload_if_changed()

    gone = "coffee.png"
    home = shard_of(gone, 2)
    before = [e.checkpoint for e in writer.engines]
    assert writer.remove(gone) and not writer.remove(gone)
    assert gone not in writer.engines[home].ref_ids()
    writer.save()
    after = [e.checkpoint for e in writer.engines]
    assert after[home] == before[home] + 1

    # the reader swaps in what changed, shard by shard
    assert reader.search(photo(gone), k=1)[0].ref_id == gone
    assert reader.reload_if_changed()
    assert [e.checkpoint for e in reader.engines] == after
    assert all(m.ref_id != gone for m in reader.search(photo(gone)))
    assert not reader.reload_if_changed()
    again = ShardedEngine.open(path, 2)
    assert again.ref_ids() == set(REFERENCES) - {gone}
    assert again.search(transforms.crop(photo("rocket.jpg"), 0.6), k=1)[0].ref_id == "rocket.jpg"


def test_one_shard_is_todays_single_index(tmp_path, signatures):
    engine = open_index(tmp_path / "one", 1)
    assert type(engine) is Engine
    engine.add_many(signatures[:2])
    engine.save()
    assert (tmp_path / "one" / "meta.json").exists()
    assert not list((tmp_path / "one").glob("shard-*")) and not (tmp_path / "one" / "shards.json").exists()


def test_a_folder_opened_with_another_shard_count_is_refused(tmp_path, signatures):
    engine = open_index(tmp_path / "two", 2)
    engine.add_many(signatures[:3])
    engine.save()
    assert json.loads((tmp_path / "two" / "shards.json").read_text()) == {"shards": 2}
    assert sorted(p.name for p in (tmp_path / "two").glob("shard-*")) == ["shard-0", "shard-1"]
    with pytest.raises(ValueError, match="holds 2 shards, not 3"):
        open_index(tmp_path / "two", 3)
    single = open_index(tmp_path / "single", 1)
    single.add_many(signatures[:1])
    single.save()
    with pytest.raises(ValueError, match="single index"):
        open_index(tmp_path / "single", 2)
    with pytest.raises(ValueError):
        open_index(tmp_path / "x", 0)
