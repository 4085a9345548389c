"""The crawler's REST endpoint: a token, a role, sightings in, one result a line out."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from caseapp.core import tokens
from caseapp.core.audit import Actor
from caseapp.core.filestore import FileStore
from caseapp.hits.models import Hit
from caseapp.clients import services as clients
from tests.clients.factories import make_client
from tests.hits.test_ingest_cli import web  # noqa: F401  (fixture)
from tests.matching import transforms
from tests.matching.conftest import photo

ADMIN = Actor.system("test")


def jpeg(image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture()
def api(app, db_session, users, tmp_path, monkeypatch):
    """A client's work, the crawler's token and a handler's token; the engine's index in tmp_path."""
    monkeypatch.setitem(app.config, "CASEAPP_MATCHING_PATH", str(tmp_path / "matching"))
    monkeypatch.setitem(app.config, "CASEAPP_FETCH_PRIVATE", True)   # the test's web server is on 127.0.0.1
    holder = make_client(db_session)
    work = clients.add_work(db_session, FileStore(app.config["CASEAPP_FILESTORE_PATH"]), ADMIN,
                                  client_id=holder.id, title="Coffee", data=jpeg(photo("coffee.png")))
    _, crawler = tokens.issue(db_session, ADMIN, name="crawler", user_id=users["crawler"].id)
    _, handler = tokens.issue(db_session, ADMIN, name="handler's", user_id=users["handler"].id)
    db_session.flush()
    return app.test_client(), work, crawler, handler


def post(client, token, body, content_type="application/x-ndjson"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/sightings", data=body, headers=headers, content_type=content_type)


def test_sightings_in_by_token(api, web, db_session):  # noqa: F811
    client, work, crawler, _ = api
    www, base = web
    (www / "copy.jpg").write_bytes(jpeg(transforms.crop(photo("coffee.png"), 0.7)))
    lines = [
        json.dumps({"image_url": f"{base}/copy.jpg", "page_url": "https://cafe.example.at/menu",
                    "found_at": "2026-11-20T08:00:00Z"}),
        json.dumps({"image_url": f"{base}/copy.jpg", "page_url": "https://cafe.example.at/menu",
                    "found_at": "2026-11-20T08:00:00Z"}),
        "{broken",
        "", "   ",
        json.dumps({"image_url": "https://x.example.com/a.jpg", "page_url": "https://x.example.com/",
                    "found_at": "2026-11-20T08:00:00Z", "image_path": "/etc/passwd"}),
    ]
    response = post(client, crawler, "\n".join(lines))
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.json["results"]
    assert results[0]["status"] == "matched" and results[0]["hits"][0]["work"] == work.id
    assert results[1]["status"] == "duplicate"
    assert results[2]["status"] == "error" and "line 3: not valid JSON" in results[2]["error"]
    assert results[3]["line"] == 6 and "image_path is only read from files" in results[3]["error"]
    assert response.json["summary"] == {"read": 4, "matched": 1, "hits_created": 1, "duplicates": 1, "errors": 2}
    hit = db_session.scalars(select(Hit).where(Hit.work_id == work.id)).one()
    assert hit.site == "cafe.example.at" and hit.status == "new"
    assert len(hit.transform) == 9     # where the copy lies on the work, for the overlay

    as_array = post(client, crawler, json.dumps([json.loads(lines[0])]), content_type="application/json")
    assert as_array.json["results"][0]["status"] == "duplicate"


def test_who_may_send_sightings(api, db_session):
    client, _, crawler, handler = api
    line = json.dumps({"image_url": "https://x.example.com/a.jpg", "page_url": "https://x.example.com/",
                       "found_at": "2026-11-20T08:00:00Z"})
    nobody = post(client, None, line)
    assert nobody.status_code == 401 and "Bearer" in nobody.json["error"]
    assert nobody.headers["WWW-Authenticate"].startswith("Bearer")
    assert post(client, "cat_made-up", line).status_code == 401
    refused = post(client, handler, line)
    assert refused.status_code == 403 and "Crawler role" in refused.json["error"]
    too_many = post(client, crawler, "\n".join([line] * 501))
    assert too_many.status_code == 413 and "several requests" in too_many.json["error"]
    bad_array = post(client, crawler, "[{", content_type="application/json")
    assert bad_array.status_code == 400
    row = db_session.scalars(select(tokens.ApiToken).where(tokens.ApiToken.name == "crawler")).one()
    tokens.revoke(db_session, ADMIN, row.id)
    db_session.flush()
    assert post(client, crawler, line).status_code == 401


def test_with_a_broker_sightings_are_queued_as_a_job_and_the_crawler_polls_for_the_results(
        api, web, db_session, app, monkeypatch):  # noqa: F811
    """CASEAPP_BROKER_URL set: 202 with the job and a Location; the task (run here as a worker would
    run it, from the message on the real Redis) writes the results the poll then answers."""
    import base64
    import uuid

    from tests.core.test_jobs import REDIS_URL, _redis
    from caseapp.hits.tasks import ingest_sightings

    redis = _redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "CASEAPP_BROKER_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "CASEAPP_BROKER_QUEUE", queue)
    app.extensions.pop("caseapp_celery", None)
    client, work, crawler, handler = api
    www, base = web
    (www / "copy.jpg").write_bytes(jpeg(transforms.crop(photo("coffee.png"), 0.7)))
    lines = [json.dumps({"image_url": f"{base}/copy.jpg", "page_url": "https://cafe.example.at/menu",
                         "found_at": "2026-11-20T08:00:00Z"}), "{broken", ""]
    try:
        queued = post(client, crawler, "\n".join(lines))
        assert queued.status_code == 202, queued.get_data(as_text=True)
        job_id = queued.json["job"]
        assert queued.headers["Location"] == queued.json["location"] == f"/api/v1/sightings/jobs/{job_id}"
        assert queued.json["lines"] == 2 and queued.json["invalid"][0]["line"] == 2
        waiting = client.get(queued.headers["Location"], headers={"Authorization": f"Bearer {crawler}"})
        assert waiting.status_code == 200 and waiting.json["state"] == "queued" and "results" not in waiting.json
        assert db_session.scalars(select(Hit).where(Hit.work_id == work.id)).first() is None   # nothing yet
        (message,) = [json.loads(raw) for raw in redis.lrange(queue, 0, -1)]
        assert message["headers"]["task"] == "hits.ingest_sightings"
        args = json.loads(base64.b64decode(message["body"]))[0]
        assert ingest_sightings(*args) == "done"
        assert ingest_sightings(*args) == "already finished"          # delivered again: nothing twice
        done = client.get(queued.headers["Location"], headers={"Authorization": f"Bearer {crawler}"})
        assert done.json["state"] == "done" and done.json["done"] == 2
        assert [r["status"] for r in done.json["results"]] == ["matched", "error"]
        assert done.json["summary"] == {"read": 2, "matched": 1, "hits_created": 1, "duplicates": 0, "errors": 1}
        assert client.get(queued.headers["Location"]).status_code == 401
        assert client.get(queued.headers["Location"],
                          headers={"Authorization": f"Bearer {handler}"}).status_code == 403
        assert client.get(f"/api/v1/sightings/jobs/{job_id + 1000}",
                          headers={"Authorization": f"Bearer {crawler}"}).status_code == 404
    finally:
        redis.delete(queue)
        app.extensions.pop("caseapp_celery", None)
