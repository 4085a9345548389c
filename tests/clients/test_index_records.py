"""CASEAPP_MATCHING_CODE_BYTES: what a new works index keeps of each point's descriptor
(compact records, docs/matching.md). A saved index keeps its own length; `caseapp works
reindex` says when the two differ and how to change it."""
from __future__ import annotations

import json

import pytest

from caseapp.cli import main
from caseapp.clients import works_index
from caseapp.clients.works_index import store_and_engine
from matching.shards import open_index
from tests.clients.test_compaction import _works
from tests.matching import transforms
from tests.matching.conftest import photo


def _meta(folder):
    return json.loads((folder / "meta.json").read_text())


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture()
def fresh(app, tmp_path, monkeypatch):
    """The app's index in a folder of this test's, opened anew (not the process's cached engine)."""
    folder = tmp_path / "matching"
    monkeypatch.setitem(app.config, "CASEAPP_MATCHING_PATH", str(folder))
    monkeypatch.setattr(works_index, "_ENGINES", {})
    return folder


def test_a_new_works_index_keeps_the_configured_length(app, db_session, fresh, monkeypatch):
    monkeypatch.setitem(app.config, "CASEAPP_MATCHING_CODE_BYTES", 8)
    store, engine = store_and_engine(app.config)
    ids = _works(db_session, store, engine, ["coffee.png", "chelsea.png"])
    assert engine.code_bytes == 8 and _meta(fresh)["code_bytes"] == 8
    found = engine.search(transforms.crop(photo("chelsea.png"), 0.7), k=1)
    assert found[0].ref_id == str(ids[1]) and found[0].match
    result = app.test_cli_runner().invoke(main, ["works", "reindex", "--json"])
    assert result.exit_code == 0, result.output
    assert _last_json(result.output)["code_bytes"] == 8


def test_the_default_keeps_whole_descriptors(app, db_session, fresh):
    store, engine = store_and_engine(app.config)
    _works(db_session, store, engine, ["coffee.png"])
    assert engine.code_bytes == 32 and _meta(fresh)["code_bytes"] == 32


def test_a_saved_index_keeps_its_length_and_reindex_says_how_to_change_it(app, db_session, fresh, monkeypatch):
    store, engine = store_and_engine(app.config)
    ids = _works(db_session, store, engine, ["coffee.png", "rocket.jpg"])
    assert engine.code_bytes == 32
    monkeypatch.setitem(app.config, "CASEAPP_MATCHING_CODE_BYTES", 8)
    monkeypatch.setattr(works_index, "_ENGINES", {})          # as a restarted app opens it
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["works", "reindex"])
    assert result.exit_code == 0, result.output
    assert ("The index keeps 32 bytes of each point's descriptor, CASEAPP_MATCHING_CODE_BYTES says 8"
            in result.output and "move the index folder away" in result.output)
    assert _meta(fresh)["code_bytes"] == 32
    fresh.rename(fresh.with_name("matching-old"))             # as the message says
    monkeypatch.setattr(works_index, "_ENGINES", {})
    result = runner.invoke(main, ["works", "reindex", "--json"])
    assert result.exit_code == 0, result.output
    out = _last_json(result.output)
    assert out["code_bytes"] == 8 and {str(i) for i in ids} <= store_and_engine(app.config)[1].ref_ids()
    assert _meta(fresh)["code_bytes"] == 8
    again = runner.invoke(main, ["works", "reindex"])
    assert again.exit_code == 0 and "CASEAPP_MATCHING_CODE_BYTES says" not in again.output
    found = store_and_engine(app.config)[1].search(transforms.crop(photo("rocket.jpg"), 0.7), k=1)
    assert found[0].ref_id == str(ids[1]) and found[0].match


def test_new_shards_keep_the_length_given_and_saved_ones_their_own(tmp_path):
    engine = open_index(tmp_path / "s", 2, 8)
    assert engine.code_bytes == 8
    engine.add_many([("1", photo("coffee.png")), ("2", photo("chelsea.png"))])
    engine.save()
    assert open_index(tmp_path / "s", 2, 32).code_bytes == 8
    assert open_index(tmp_path / "one", 1, 12).code_bytes == 12
    assert open_index(tmp_path / "two", 1).code_bytes == 32


@pytest.mark.parametrize("raw, ok", [("8", True), ("32", True), ("16", True), ("7", False), ("33", False),
                                     ("all", False)])
def test_the_setting_takes_8_to_32_and_refuses_the_rest_by_name(monkeypatch, raw, ok):
    from caseapp.config import build_config

    monkeypatch.setenv("CASEAPP_MATCHING_CODE_BYTES", raw)
    if ok:
        assert build_config({"SECRET_KEY": "x"})["CASEAPP_MATCHING_CODE_BYTES"] == int(raw)
    else:
        with pytest.raises(ValueError, match=f"CASEAPP_MATCHING_CODE_BYTES={raw!r}: give a whole number from 8 to 32"):
            build_config({"SECRET_KEY": "x"})


def test_a_shard_not_saved_yet_takes_the_length_of_the_saved_ones(tmp_path):
    """Shards are saved one by one: a folder where only some are saved (a save stopped half-way,
    or a reader opening it between two shards' saves) opens with the saved shards' length
    whatever the caller asks for a new one."""
    from matching import Engine
    from matching.shards import shard_folder

    Engine.open(shard_folder(tmp_path / "s", 0), 8).save()
    for asked in (None, 32, 8):
        engine = open_index(tmp_path / "s", 2, asked)
        assert engine.code_bytes == 8 and [e.code_bytes for e in engine.engines] == [8, 8]
