"""A job's progress on the page that started it, in a real browser under the app's
Content-Security-Policy: with a broker configured, the statement import page answers at once with
the job's progress (static/caseapp/jobs.js polling /jobs/<id>); once a worker ran the import (here
the task, taken from the real Redis queue and run as a worker runs it), the page shows the outcome
by itself: done, the counts, a link to the queue."""
from __future__ import annotations

import base64
import json
import re
import threading
import uuid

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.conftest import CHROMIUM, login
from tests.core.test_jobs import REDIS_URL, _redis
from tests.payments.test_german import CSV


@pytest.fixture()
def broker_server(tmp_path):
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from caseapp import create_app
    from caseapp.demo.setup import build_demo_database
    from tests.conftest import TODAY

    redis = _redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'caseapp.db'}", "SECRET_KEY": "browser",
                      "CASEAPP_INSTANCE_PATH": str(tmp_path), "CASEAPP_HTTPS": False, "RATELIMIT_ENABLED": False,
                      "CASEAPP_CAPTURE_ON_DECIDE": False, "CASEAPP_LOOKUP_ON_DECIDE": False,
                      "CASEAPP_BROKER_URL": REDIS_URL, "CASEAPP_BROKER_QUEUE": queue})
    build_demo_database(app, cases=3, works=2, hits=0, today=TODAY)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{server.server_port}", redis, queue
    server.shutdown()
    redis.delete(queue)


def test_the_import_page_shows_the_jobs_progress_then_its_outcome(broker_server, page, tmp_path):
    from caseapp.payments.tasks import import_statement

    app, base, redis, queue = broker_server
    login(page, base, "accountant")
    page.goto(f"{base}/payments/import")
    statement = tmp_path / "statement.csv"
    statement.write_bytes(CSV)
    page.set_input_files("input[name=file]", str(statement))
    page.get_by_role("button", name="Import").click()
    job = page.locator(".ca-job")
    expect(job).to_have_attribute("data-state", "queued")
    expect(job.locator(".ca-job-state")).to_have_text("Waiting for a worker…")
    (message,) = [json.loads(raw) for raw in redis.lrange(queue, 0, -1)]
    args = json.loads(base64.b64decode(message["body"]))[0]
    with app.app_context():
        assert import_statement(*args) == "done"
    expect(job).to_have_attribute("data-state", "done", timeout=15000)
    expect(job.locator(".ca-job-state")).to_have_text("Done.")
    expect(job.locator(".ca-job-message")).to_have_text("2 entries: 0 matched, 2 unmatched, 0 imported before.")
    link = job.locator(".ca-job-link")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/payments/unmatched$"))
