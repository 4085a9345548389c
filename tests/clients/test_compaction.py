"""Deleting works frees the matching index's space: the page's deletion compacts it in the
background once deleted works hold CASEAPP_MATCHING_COMPACT_AT percent of its records, and
`caseapp works reindex` brings the index in step with the works and compacts it; `caseapp
works warm` reads it into the page cache after a boot."""
from __future__ import annotations

import json

import pytest

from caseapp.clients.works_index import compact_soon, compaction_due, store_and_engine
from caseapp.core import jobs
from caseapp.extensions import get_session
from caseapp.cli import main
from caseapp.clients import services, works_index
from caseapp.core.audit import Actor
from caseapp.core.uow import unit_of_work
from tests.clients.factories import make_client
from tests.clients.test_works_bulk import jpeg
from tests.matching.conftest import REFERENCES, photo

ACTOR = Actor.system("test")
PICTURES = ["coffee.png", "chelsea.png", "rocket.jpg", "astronaut.png"]


class _Share:
    def __init__(self, share: float) -> None:
        self.share = share

    def removed_share(self) -> dict:
        return {"share": self.share}


@pytest.mark.parametrize("share, at, due", [(0.25, 25, True), (0.2499, 25, False), (0.26, 25, True),
                                            (1.0, 0, False), (0.01, 1, True), (0.0099, 1, False)])
def test_a_compaction_is_due_from_the_configured_percentage_on(share, at, due):
    assert compaction_due(_Share(share), {"CASEAPP_MATCHING_COMPACT_AT": at}) is due


@pytest.fixture()
def own_index(app, tmp_path, monkeypatch):
    """The app's index in a folder of this test's (the session's app shares one otherwise)."""
    monkeypatch.setitem(app.config, "CASEAPP_MATCHING_PATH", str(tmp_path / "matching"))
    monkeypatch.setitem(app.config, "CASEAPP_MATCHING_COMPACT_AT", 25)
    return store_and_engine(app.config)


def _works(session, store, engine, names=PICTURES) -> list[int]:
    holder = make_client(session)
    with unit_of_work(session):
        rows = list(works_index.import_files(session, store, engine, ACTOR, client_id=holder.id,
                                             files=[(f"{n}.jpg", jpeg(photo(n))) for n in names]))
    engine.save()
    session.commit()
    return [row["work"] for row in rows]


def test_deleting_works_on_the_page_compacts_the_index_in_the_background(app, db_session, client_as, own_index,
                                                                         monkeypatch):
    """With a broker: the deletion answers at once and queues the compaction as a job; the task
    (run here from the message on the real Redis, as a worker would) rewrites the files, and the
    job says what it freed."""
    import base64
    import uuid

    from caseapp.clients.tasks import compact_index
    from tests.core.test_jobs import REDIS_URL, _redis

    store, engine = own_index
    ids = _works(db_session, store, engine)
    path = engine.path
    assert list(path.glob("features*.bin")) == [path / "features.bin"]
    redis = _redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "CASEAPP_BROKER_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "CASEAPP_BROKER_QUEUE", queue)
    app.extensions.pop("caseapp_celery", None)
    try:
        accountant = client_as("accountant")
        for work in ids[:2]:    # two deletions, both past the share: one job
            done = accountant.post("/works/action_post", data={"action": "delete_selected", "rowid": [str(work)]})
            assert done.status_code == 302
        assert engine.removed_share()["removed"] == 2 and engine.ref_ids() == {str(i) for i in ids[2:]}
        (message,) = [json.loads(raw) for raw in redis.lrange(queue, 0, -1)]
        assert message["headers"]["task"] == "clients.compact_index"
        args = json.loads(base64.b64decode(message["body"]))[0]
        assert compact_index(*args) == "done"
        assert compact_index(*args) == "already finished"
    finally:
        redis.delete(queue)
        app.extensions.pop("caseapp_celery", None)
    job = jobs.get(db_session, args[0])
    db_session.refresh(job)
    assert job.kind == "clients.compact_index" and job.state == jobs.DONE, job.message
    assert job.result["compacted"] and job.result["freed_records"] > 0 and job.done == job.total > 0
    assert engine.removed_share()["removed"] == 0
    assert engine.ref_ids() == {str(i) for i in ids[2:]}
    assert engine.search(photo("rocket.jpg"), 1)[0].ref_id == str(ids[2])
    # the compacted records file, and the one before it (kept for a reader that may hold it)
    assert sorted(p.name for p in path.glob("features*.bin")) == [f"features-{engine.checkpoint:06d}.bin",
                                                                 "features.bin"]


def test_without_a_broker_the_compaction_runs_in_a_thread_of_the_web_process(app, db_session, client_as, own_index,
                                                                            monkeypatch):
    from tests.core.test_jobs import threads_started

    store, engine = own_index
    ids = _works(db_session, store, engine)
    started = threads_started(monkeypatch)
    assert not app.config.get("CASEAPP_BROKER_URL")
    done = client_as("accountant").post("/works/action_post", data={"action": "delete_selected",
                                                                   "rowid": [str(i) for i in ids[:2]]})
    assert done.status_code == 302 and len(started) == 1 and started[0].startswith("job-")


def test_deleting_a_small_share_leaves_the_index_as_it_is(app, db_session, own_index):
    store, engine = own_index
    ids = _works(db_session, store, engine, REFERENCES)
    removed = works_index.unindex_works(engine, ids[:1])
    assert removed == 1 and 0 < engine.removed_share()["share"] < 0.25
    assert compact_soon(app) is None
    assert engine.removed_share()["removed"] == 1


def test_reindex_syncs_with_the_works_and_compacts(app, db_session, own_index):
    store, engine = own_index
    ids = _works(db_session, store, engine)
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["works", "reindex", "--json"])     # the other tests' works join it
    assert result.exit_code == 0, result.output
    first = json.loads(result.output.strip().splitlines()[-1])
    assert first["removed"] == 0 and first["references"] == first["works"] == first["added"] + len(ids)
    with unit_of_work(db_session):
        services.delete_works(db_session, ACTOR, ids[:1])     # the index still names it
    db_session.commit()
    result = runner.invoke(main, ["works", "reindex", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.strip().splitlines()[-1])
    assert out["removed"] == 1 and out["added"] == 0 and not out["compacted"]
    assert out["references"] == first["references"] - 1 and 0 < out["removed_share"] < 0.25
    result = runner.invoke(main, ["works", "reindex"])
    assert result.exit_code == 0 and "Not compacted: deleted works hold" in result.output and "--compact" in result.output
    result = runner.invoke(main, ["works", "reindex", "--compact", "--json"])
    out = json.loads(result.output.strip().splitlines()[-1])
    assert out["compacted"] and out["freed_bytes"] > 0 and out["removed_share"] == 0.0
    again = runner.invoke(main, ["works", "reindex", "--compact"])
    assert again.exit_code == 0 and "Nothing to compact: no deleted work's records are left" in again.output
    assert str(ids[0]) not in engine.ref_ids() and {str(i) for i in ids[1:]} <= engine.ref_ids()


def test_two_processes_deleting_works_lose_neither_removal(app, db_session, own_index):
    """The page's process and a command line each hold the index; the second to save takes the
    first's save and makes its own change again (works_index.save_index)."""
    from matching import Engine

    store, engine = own_index
    ids = _works(db_session, store, engine)
    other = Engine.open(engine.path)          # another process's copy
    assert works_index.unindex_works(other, ids[:1]) == 1
    assert works_index.unindex_works(engine, ids[1:2]) == 1     # stale: reloaded, removed again, saved
    assert Engine.open(engine.path).ref_ids() == {str(i) for i in ids[2:]}


def test_works_delete_on_the_command_line_compacts_at_once_when_due(app, db_session, own_index):
    from matching import Engine

    store, engine = own_index
    ids = _works(db_session, store, engine)
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["works", "delete", str(ids[0]), "--yes"])    # a quarter or more of the records
    assert result.exit_code == 0, result.output
    assert "Compacted the matching index:" in result.output and "MB freed" in result.output
    assert engine.removed_share()["removed"] == 0 and engine.ref_ids() == {str(i) for i in ids[1:]}
    assert Engine.open(engine.path).ref_ids() == {str(i) for i in ids[1:]}


def test_reindex_gives_works_indexed_before_the_hash_tier_their_hash(app, db_session, own_index, monkeypatch):
    """Works whose stored signatures and index entries have no perceptual hash (computed
    before the engine's hash tier) are described again by `caseapp works reindex`: a resized
    copy of one is then found by its hash; a second run has nothing to do."""
    from matching import query_signature, signature_bytes, signature_from_bytes
    from matching.engine import WHOLE

    from caseapp.clients.models import WorkSignature
    from tests.matching import transforms

    import matching

    store, engine = own_index
    ids = _works(db_session, store, engine, ["coffee.png", "brick.png"])
    for work_id in ids:                       # as an installation before the hash tier left them
        stored = db_session.get(WorkSignature, work_id)
        older = signature_from_bytes(stored.data)
        older.hash = None
        if work_id == ids[0]:                 # (the second's stored signature has its hash: a run
            stored.data = _without_hash(older)     # stopped before its save; it is not described again)
        engine.add(str(work_id), older)
    engine.save()
    db_session.commit()
    assert {str(i) for i in ids} <= engine.unhashed()
    described = []
    real = matching.signature
    monkeypatch.setattr(matching, "signature", lambda image: described.append(image) or real(image))
    copy = transforms.jpeg(transforms.rescale(photo("coffee.png"), 0.5), 50)
    assert all(m.transform != WHOLE for m in engine.search(query_signature(copy), 3))
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["works", "reindex", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["hashed"] >= 2
    from caseapp.clients.models import Work

    files = {work_id: store.path_for(db_session.get(Work, work_id).file_sha256) for work_id in ids}
    assert files[ids[0]] in described and files[ids[1]] not in described   # its stored hash served
    _, fresh = store_and_engine(app.config)
    fresh.reload_if_changed()
    assert not {str(i) for i in ids} & fresh.unhashed()
    found = fresh.search(query_signature(copy), 3)
    assert found[0].ref_id == str(ids[0]) and found[0].transform == WHOLE
    db_session.expire_all()
    assert signature_from_bytes(db_session.get(WorkSignature, ids[0]).data).hash is not None
    again = runner.invoke(main, ["works", "reindex", "--json"])
    assert json.loads(again.output.strip().splitlines()[-1])["hashed"] == 0
    text = runner.invoke(main, ["works", "reindex"])
    assert text.exit_code == 0 and "described again" not in text.output


def test_hashes_given_while_another_process_saved_the_index_are_not_lost(app, db_session, own_index, monkeypatch):
    """describe_unhashed indexes in memory; when another process saved the index meanwhile,
    save_hashed takes that save and adds what was hashed again, without describing anything
    again, and a work that process deleted stays deleted."""
    import matching
    from matching import Engine, signature_bytes, signature_from_bytes

    from caseapp.clients.models import WorkSignature
    from caseapp.clients.works_index import describe_unhashed, save_hashed, unhashed_works

    store, engine = own_index
    ids = _works(db_session, store, engine, ["coffee.png", "brick.png", "rocket.jpg"])
    for work_id in ids:
        stored = db_session.get(WorkSignature, work_id)
        older = signature_from_bytes(stored.data)
        older.hash = None
        stored.data = _without_hash(older)
        engine.add(str(work_id), older)
    engine.save()
    db_session.commit()
    other = Engine.open(engine.path)          # another process's copy of the index
    items = describe_unhashed(db_session, store, engine, [i for i in unhashed_works(engine) if i in ids])
    assert sorted(ref for ref, _ in items) == sorted(str(i) for i in ids)
    db_session.commit()
    other.remove(str(ids[2]))                 # another process deletes a work and saves first
    other.save()
    described = []
    monkeypatch.setattr(matching, "signature", lambda image: described.append(image))
    save_hashed(engine, items)
    assert described == []                    # nothing described again
    assert engine.checkpoint == other.checkpoint + 1 and str(ids[2]) not in engine.ref_ids()
    assert not {str(i) for i in ids[:2]} & engine.unhashed()
    reader = Engine.open(engine.path)
    assert str(ids[2]) not in reader.ref_ids() and not {str(i) for i in ids[:2]} & reader.unhashed()


def _without_hash(features) -> bytes:
    """A signature as an installation before the hash tier stored it (no hash key at all)."""
    import io

    import numpy as np

    out = io.BytesIO()
    np.savez_compressed(out, xy=features.xy, desc=features.desc, scale=features.scale,
                        size=np.array(features.size, np.int32))
    return out.getvalue()


def test_works_warm_reads_the_index_into_memory_and_says_when_it_does_not_fit(app, db_session, own_index,
                                                                              monkeypatch):
    import matching.index as index_module

    store, engine = own_index
    _works(db_session, store, engine)
    size = sum(s for _, s in engine.warm_files())
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["works", "warm", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.strip().splitlines()[-1])
    assert out["warmed"] == out["bytes"] == size and out["fits"]
    result = runner.invoke(main, ["works", "warm"])
    assert result.exit_code == 0 and f"of the matching index's {size / 1e9:.2f} GB into memory in" in result.output
    assert "does not fit" not in result.output
    monkeypatch.setattr(index_module, "memory_available", lambda: size // 2)
    result = runner.invoke(main, ["works", "warm"])
    assert result.exit_code == 0, result.output
    assert f"Read {int(0.9 * (size // 2)) / 1e9:.2f} GB" in result.output
    assert "The rest does not fit in the memory available" in result.output
    monkeypatch.setattr(index_module, "memory_available", lambda: None)
    records = engine.warm_files()[-1][0]
    with open(records, "r+b") as f:                      # damaged: cut short
        f.truncate(records.stat().st_size - 10)
    result = runner.invoke(main, ["works", "warm"])
    assert result.exit_code == 0, result.output
    assert f"These files end before the bytes the index names: {records}." in result.output
    assert "the index is damaged: rebuild it" in result.output
    monkeypatch.setitem(app.config, "CASEAPP_MATCHING_SHARDS", 2)   # configured for shards it does not hold
    result = runner.invoke(main, ["works", "warm"])
    assert result.exit_code != 0 and "The matching index was not read:" in result.output
    assert "holds a single index, not 2 shards" in result.output


def test_works_warm_without_a_saved_index_says_so(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CASEAPP_MATCHING_PATH", str(tmp_path / "nothing-yet"))
    result = app.test_cli_runner().invoke(main, ["works", "warm"])
    assert result.exit_code == 0, result.output
    assert "No matching index is saved in" in result.output and "nothing to read" in result.output
    assert not (tmp_path / "nothing-yet").exists()      # looked at, not made


def test_works_warm_says_to_run_again_when_the_index_kept_changing(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CASEAPP_MATCHING_PATH", str(tmp_path / "matching"))
    monkeypatch.setattr(works_index, "warm_index", lambda config, progress=None: {
        "bytes": 1000, "warmed": 900, "fits": True, "short": [], "changed": ["features.bin"], "seconds": 0.1,
        "memory_available": 10 ** 9})
    result = app.test_cli_runner().invoke(main, ["works", "warm"])
    assert result.exit_code == 0, result.output
    assert "saved or compacted again while it was read" in result.output and "damaged" not in result.output
