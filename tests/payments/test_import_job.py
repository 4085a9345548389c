"""A bank statement import started from the import page runs as a job when a broker is configured:
the page answers at once with the job's progress partial, the task (run here from the message
on the real Redis, as a worker would) imports the file, and /jobs/<id> then says the counts and
links to the queue. Only the accountant who started it sees the job."""
from __future__ import annotations

import base64
import io
import json
import uuid

from sqlalchemy import select

from caseapp.payments.models import Payment
from tests.core.test_jobs import REDIS_URL, _redis
from tests.payments.test_german import CSV


def test_with_a_broker_the_import_page_queues_a_job_and_shows_its_progress(app, db_session, client_as,
                                                                          monkeypatch):
    from caseapp.payments.tasks import import_statement

    redis = _redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "CASEAPP_BROKER_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "CASEAPP_BROKER_QUEUE", queue)
    app.extensions.pop("caseapp_celery", None)
    accountant = client_as("accountant")
    try:
        page = accountant.post("/payments/import", data={"file": (io.BytesIO(CSV), "job.csv")},
                               content_type="multipart/form-data")
        assert page.status_code == 202
        html = page.get_data(as_text=True)
        assert 'class="ca-job" data-job-url="/jobs/' in html and "caseapp/jobs.js" in html
        assert 'data-done-words="%(entries)s entries: %(matched)s matched' in html
        assert db_session.scalars(select(Payment).where(Payment.bank_reference.like("DE-PAGE-%"))).first() is None
        (message,) = [json.loads(raw) for raw in redis.lrange(queue, 0, -1)]
        assert message["headers"]["task"] == "payments.import_statement"
        args = json.loads(base64.b64decode(message["body"]))[0]
        job_id = args[0]
        assert f'data-job-url="/jobs/{job_id}"' in html
        queued = accountant.get(f"/jobs/{job_id}").json
        assert (queued["state"], queued["kind"], queued["total"]) == ("queued", "payments.import", 1)
        assert import_statement(*args) == "done"
        assert import_statement(*args) == "already finished"
        done = accountant.get(f"/jobs/{job_id}").json
        assert done["state"] == "done" and done["done"] == 1
        assert {k: done["result"][k] for k in ("entries", "matched", "unmatched", "duplicates", "url")} == \
            {"entries": 2, "matched": 0, "unmatched": 2, "duplicates": 0, "url": "/payments/unmatched"}
        db_session.expire_all()
        assert {p.status for p in db_session.scalars(select(Payment).where(Payment.bank_reference.like("DE-PAGE-%")))} \
            == {"unmatched"}
        assert client_as("accountant2").get(f"/jobs/{job_id}").status_code == 404
        assert client_as("admin").get(f"/jobs/{job_id}").status_code == 200
    finally:
        redis.delete(queue)
        app.extensions.pop("caseapp_celery", None)
