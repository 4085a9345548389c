"""A handler imports a crawler's file of sightings on the triage page: the page answers at once with
the job's progress; the job (taken here from the real Redis queue and run as a worker runs it)
fetches each image, makes the hits, and says the counts with a link to the hits to decide. A file
that cannot be imported is refused with what to do, and nothing is queued. Only a handler imports."""
from __future__ import annotations

import base64
import io
import json
import uuid

import pytest
from sqlalchemy import select

from caseapp.hits.models import Hit
from tests.core.test_jobs import REDIS_URL, _redis, threads_started
from tests.hits.test_api import api, jpeg  # noqa: F401  (fixture)
from tests.hits.test_ingest_cli import web  # noqa: F401  (fixture)
from tests.matching import transforms
from tests.matching.conftest import photo


@pytest.fixture()
def broker(app, monkeypatch):
    redis = _redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "CASEAPP_BROKER_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "CASEAPP_BROKER_QUEUE", queue)
    app.extensions.pop("caseapp_celery", None)
    yield lambda: [json.loads(raw) for raw in redis.lrange(queue, 0, -1)]
    redis.delete(queue)
    app.extensions.pop("caseapp_celery", None)


def upload(client, text: str, name: str = "sightings.jsonl"):
    return client.post("/hits/import", data={"file": (io.BytesIO(text.encode()), name)},
                       content_type="multipart/form-data")


def test_a_handler_imports_a_file_as_a_job_and_sees_the_counts(api, web, broker, client_as, db_session):  # noqa: F811
    from caseapp.hits.tasks import ingest_sightings

    _client, work, _crawler, _handler = api
    www, base = web
    (www / "copy.jpg").write_bytes(jpeg(transforms.crop(photo("coffee.png"), 0.7)))
    text = "\n".join([json.dumps({"image_url": f"{base}/copy.jpg", "page_url": "https://bistro.example.at/",
                                  "found_at": "2026-11-20T08:00:00Z"}), "{broken", ""])
    handler = client_as("handler")
    assert 'href="/hits/import"' in handler.get("/hits/").get_data(as_text=True)
    page = handler.post("/hits/import", data={"file": (io.BytesIO(text.encode()), "s.jsonl")},
                        content_type="multipart/form-data")
    assert page.status_code == 202
    html = page.get_data(as_text=True)
    assert 'class="ca-job"' in html and 'data-done-words="%(read)s lines: %(matched)s matched' in html
    (message,) = broker()
    assert message["headers"]["task"] == "hits.ingest_sightings"
    args = json.loads(base64.b64decode(message["body"]))[0]
    job_id = args[0]
    assert handler.get(f"/jobs/{job_id}").json["state"] == "queued"
    assert db_session.scalars(select(Hit).where(Hit.site == "bistro.example.at")).first() is None
    assert ingest_sightings(*args) == "done"
    done = handler.get(f"/jobs/{job_id}").json
    assert done["state"] == "done" and (done["done"], done["total"]) == (2, 2)
    assert {k: done["result"][k] for k in ("read", "matched", "hits_created", "duplicates", "errors", "url")} == \
        {"read": 2, "matched": 1, "hits_created": 1, "duplicates": 0, "errors": 1, "url": "/hits/?status=new"}
    db_session.expire_all()
    (hit,) = db_session.scalars(select(Hit).where(Hit.site == "bistro.example.at"))
    assert hit.work_id == work.id and hit.status == "new"
    assert ingest_sightings(*args) == "already finished"      # a second delivery changes nothing


@pytest.mark.parametrize("body, name, words", [
    ("", "empty.jsonl", "The file is empty"),
    ("\n\n  \n", "blank.jsonl", "The file is empty"),
    ("[{broken", "broken.json", "JSON"),
    ("\n".join(["{}"] * 10_001), "big.jsonl", "more than 10,000 lines"),
])
def test_a_file_that_cannot_be_imported_is_refused_and_nothing_queued(broker, client_as, body, name, words):
    page = upload(client_as("handler"), body, name)
    assert page.status_code == 400 and words in page.get_data(as_text=True)
    assert broker() == []


def test_a_file_of_exactly_the_most_lines_is_taken(broker, client_as):
    page = upload(client_as("handler"), "\n".join(["{}"] * 10_000))
    assert page.status_code == 202 and len(broker()) == 1


def test_no_file_chosen(client_as):
    page = client_as("handler").post("/hits/import", data={}, content_type="multipart/form-data")
    assert page.status_code == 400 and "choose a file of sightings" in page.get_data(as_text=True)


@pytest.mark.parametrize("login", ["lawyer", "accountant", "auditor"])
def test_only_handlers_import(client_as, login):
    client = client_as(login)
    assert client.get("/hits/import").status_code in (302, 403)
    assert upload(client, "{}").status_code in (302, 403)
    if login == "lawyer":          # the lawyer sees triage, without the import
        assert "/hits/import" not in client.get("/hits/").get_data(as_text=True)


def test_without_a_broker_the_import_runs_in_this_process_even_before_any_tasks_module_was_loaded(
        app, client_as, monkeypatch):
    """A fresh web process has imported no domain's tasks module (only a worker imports them all):
    the job must still find its task (it failed with KeyError before, found by using the page)."""
    import sys

    from caseapp.core import jobs

    from caseapp.hits import tasks   # noqa: F401  (imported, then forgotten as a fresh process has it)

    for name in [name for name, fn in jobs.REGISTRY.items() if fn.__module__ == "caseapp.hits.tasks"]:
        monkeypatch.delitem(jobs.REGISTRY, name)
    monkeypatch.delitem(sys.modules, "caseapp.hits.tasks")
    started = threads_started(monkeypatch)
    assert not app.config.get("CASEAPP_BROKER_URL")
    page = upload(client_as("handler"), "{}")
    assert page.status_code == 202 and len(started) == 1 and started[0].startswith("job-")
    assert "hits.ingest_sightings" in jobs.REGISTRY


@pytest.fixture()
def two_shards(app, monkeypatch):
    monkeypatch.setitem(app.config, "CASEAPP_MATCHING_SHARDS", 2)


def test_the_ingest_job_uses_the_configured_shards(two_shards, api, web, broker, client_as, db_session):  # noqa: F811
    """With the index in two shards, the worker's ingest opens those two shards (it opened a single
    index at their folder before, wrote its checkpoint there and left an index no process could
    open again)."""
    from pathlib import Path

    from caseapp.hits.tasks import ingest_sightings
    from matching.shards import open_index

    client, work, _crawler, _handler = api
    www, base = web
    (www / "copy.jpg").write_bytes(jpeg(transforms.crop(photo("coffee.png"), 0.7)))
    page = upload(client_as("handler"), json.dumps({"image_url": f"{base}/copy.jpg", "page_url": "https://zwei.example.at/",
                                                    "found_at": "2026-11-20T08:00:00Z"}))
    assert page.status_code == 202
    (message,) = broker()
    assert ingest_sightings(*json.loads(base64.b64decode(message["body"]))[0]) == "done"
    db_session.expire_all()
    (hit,) = db_session.scalars(select(Hit).where(Hit.site == "zwei.example.at"))
    assert hit.work_id == work.id
    folder = Path(client.application.config["CASEAPP_MATCHING_PATH"])
    assert not (folder / "meta.json").exists()
    assert open_index(str(folder), 2) is not None
