"""Ingest with worker processes that describe and search the images (`caseapp hits ingest
--workers N`): the same rows as one process, and a worker searches the index as last saved,
also when it was saved after the worker loaded it."""
from __future__ import annotations

import json

from caseapp.clients import works_index
from caseapp.core.audit import Actor
from caseapp.core.filestore import FileStore
from caseapp.core.uow import unit_of_work
from caseapp.hits import services
from tests.clients.factories import make_client
from tests.matching import transforms
from tests.matching.conftest import photo

ACTOR = Actor.system("test")


def _lines(names: list[str], page: str) -> list[tuple[int, str]]:
    return [(n, json.dumps({"image_url": f"https://{page}.example.com/{name}", "page_url": f"https://{page}.example.com/",
                            "found_at": "2026-11-20T10:00:00Z", "image_path": name}))
            for n, name in enumerate(names, start=1)]


def _import(session, store, engine, holder, name: str) -> int:
    with unit_of_work(session):
        row, = works_index.import_files(session, store, engine, ACTOR, client_id=holder.id,
                                        files=[(name.replace(".png", ".jpg"), _jpeg(name))])
    engine.save()
    return row["work"]


def _jpeg(name: str) -> bytes:
    import io

    out = io.BytesIO()
    photo(name).save(out, "JPEG", quality=92)
    return out.getvalue()


def _seen(rows: list[dict]) -> list[tuple]:
    return [(r["line"], r["status"], [(h["work"], h["score"]) for h in r["hits"]]) for r in rows]


def test_workers_find_what_one_process_finds_and_a_work_saved_since(app, db_session, tmp_path):
    store, path = FileStore(tmp_path / "files"), str(tmp_path / "matching")
    engine = works_index.engine_at(path)
    holder = make_client(db_session)
    astronaut = _import(db_session, store, engine, holder, "astronaut.png")
    coffee = _import(db_session, store, engine, holder, "coffee.png")
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    transforms.crop(photo("astronaut.png"), 0.7).save(crawl / "a.jpg", quality=80)
    transforms.rotate(photo("coffee.png")).save(crawl / "c.jpg", quality=80)
    transforms.crop(photo("chelsea.png"), 0.8).save(crawl / "cat.jpg", quality=85)   # not a work yet
    (crawl / "text.jpg").write_text("not a picture")
    names = ["a.jpg", "c.jpg", "cat.jpg", "text.jpg"]
    with unit_of_work(db_session):
        alone = list(services.ingest(db_session, store, engine, ACTOR, _lines(names, "one"), base=crawl,
                                     min_score=0.5))
    with services.image_describers(1, (path, 1)) as pool_map:
        with unit_of_work(db_session):
            beside = list(services.ingest(db_session, store, engine, ACTOR, _lines(names, "two"), base=crawl,
                                          min_score=0.5, pool_map=pool_map))
        assert _seen(beside) == _seen(alone)
        assert [(r["status"], [h["work"] for h in r["hits"]]) for r in beside[:3]] == [
            ("matched", [astronaut]), ("matched", [coffee]), ("no_match", [])]
        assert beside[3]["status"] == "error" and "not readable" in beside[3]["error"]
        # the worker loaded the index above; a work saved since is found by the same worker
        cat = _import(db_session, store, engine, holder, "chelsea.png")
        with unit_of_work(db_session):
            later, = services.ingest(db_session, store, engine, ACTOR, _lines(["cat.jpg"], "three"), base=crawl,
                                     min_score=0.5, pool_map=pool_map)
    assert later["status"] == "matched" and [h["work"] for h in later["hits"]] == [cat]


def test_a_search_that_fails_in_a_worker_is_that_lines_error(tmp_path):
    """A worker's search raising (here: an index folder whose meta.json is broken) is the
    line's error, as the searching process would report it, not the end of the run."""
    folder = tmp_path / "broken-index"
    folder.mkdir()
    (folder / "meta.json").write_text("{not json")
    image = tmp_path / "a.jpg"
    transforms.crop(photo("astronaut.png"), 0.7).save(image, quality=80)
    result = services.described_and_searched(services.describe_image, (str(folder), 1),
                                             (str(image), "https://x.example.com/a.jpg", False))
    assert isinstance(result, str) and result.startswith("the image could not be searched (JSONDecodeError")


def test_a_worker_that_dies_stops_the_run_instead_of_hanging():
    import os
    from concurrent.futures.process import BrokenProcessPool

    import pytest

    with pytest.raises(BrokenProcessPool):
        with services.image_describers(1, ("/nonexistent-index", 1)) as pool_map:   # dies before it searches
            list(pool_map(os._exit, [3]))


def test_an_index_replaced_while_it_is_reloaded_is_searched_as_before_then_reloaded(app, db_session, tmp_path,
                                                                                   monkeypatch, caplog):
    """Two saves in quick succession can delete the files a reloading worker was about to read:
    that search uses the index loaded before (a warning), the next call loads the new one."""
    from matching.index import Index

    store, path = FileStore(tmp_path / "files"), str(tmp_path / "matching")
    engine = works_index.engine_at(path)
    holder = make_client(db_session)
    _import(db_session, store, engine, holder, "astronaut.png")
    from matching.shards import open_index

    writer = open_index(path, 1)                   # another process's engine on the same folder
    writer.add("from-another-process", _signature("coffee.png"))
    writer.save()
    real_load = Index.load
    def gone(cls, *args, **kwargs):
        raise FileNotFoundError("slots-3.npy")

    monkeypatch.setattr(Index, "load", classmethod(gone))
    assert works_index.engine_at(path) is engine and "from-another-process" not in engine.ref_ids()
    assert "could not be reloaded" in caplog.text and "slots-3.npy" in caplog.text
    monkeypatch.setattr(Index, "load", real_load)
    assert "from-another-process" in works_index.engine_at(path).ref_ids()


def _signature(name: str):
    from matching import signature

    return signature(photo(name))
