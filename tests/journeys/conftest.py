"""The whole stack as production runs it, for the three journeys: a fresh PostgreSQL database,
gunicorn (`caseapp serve --workers 2`), a Celery worker (`caseapp worker`) on a real Redis, and
Debian's Chromium. PostgreSQL and Redis come from CASEAPP_TEST_DATABASE_URL and
CASEAPP_TEST_REDIS_URL (.ci/run sets both and starts the servers); without them the journeys skip,
except in CI (CI=true), where a journey that cannot run is a failure."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM

PG_URL = os.environ.get("CASEAPP_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("CASEAPP_TEST_REDIS_URL")
CASEAPP = str(Path(sys.executable).parent / "caseapp")


def _missing() -> str | None:
    if not PG_URL:
        return "PostgreSQL (CASEAPP_TEST_DATABASE_URL)"
    if not REDIS_URL:
        return "Redis (CASEAPP_TEST_REDIS_URL)"
    if not Path(CHROMIUM).exists():
        return f"Chromium at {CHROMIUM}"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args[:3]} ended ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in {seconds} s:\n{log.read_text()[-3000:]}")


class Stack:
    def __init__(self, base: str, env: dict, folder: Path, app) -> None:
        self.base, self.env, self.folder, self.app = base, env, folder, app

    def worker_log(self) -> str:
        return (self.folder / "worker.log").read_text(errors="replace")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the journeys need {missing}: .ci/run provides it")
        pytest.skip(f"the journeys need {missing}")
    import redis as redis_client

    from caseapp import create_app
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_db
    from tests.conftest import TODAY, _postgres_database

    folder = tmp_path_factory.mktemp("journeys")
    url, drop = _postgres_database()
    queue = f"journeys-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, CASEAPP_DATABASE_URL=url, CASEAPP_INSTANCE_PATH=str(folder),
               CASEAPP_SECRET_KEY="journeys", CASEAPP_HTTPS="0", CASEAPP_BROKER_URL=REDIS_URL,
               CASEAPP_BROKER_QUEUE=queue, CASEAPP_RATELIMIT_STORAGE_URL=REDIS_URL,
               CASEAPP_LOGIN_RATE_LIMIT="1000 per minute",
               # the demo's sites are not on this machine: no page is fetched from the internet
               CASEAPP_CAPTURE_ON_DECIDE="0", CASEAPP_LOOKUP_ON_DECIDE="0",
               CASEAPP_FETCH_PRIVATE="1")   # the journey's crawler serves its images on 127.0.0.1
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "journeys", "CASEAPP_INSTANCE_PATH": str(folder)})
    build_demo_database(app, cases=40, works=6, hits=20, today=TODAY)
    port = _free_port()
    processes = []
    try:
        worker_log = open(folder / "worker.log", "wb")
        worker = subprocess.Popen([CASEAPP, "worker", "--concurrency", "1"], env=env, stdout=worker_log,
                                  stderr=subprocess.STDOUT)
        processes.append(worker)
        web_log = open(folder / "web.log", "wb")
        web = subprocess.Popen([CASEAPP, "serve", "--workers", "2", "--threads", "4", "--host", "127.0.0.1",
                                "--port", str(port)], env=env, stdout=web_log, stderr=subprocess.STDOUT)
        processes.append(web)
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/login/", 90, web, folder / "web.log")
        yield Stack(base, env, folder, app)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        redis_client.Redis.from_url(REDIS_URL).delete(queue)
        with app.app_context():
            get_db().dispose()
        drop()


from tests.browser.conftest import browser, page  # noqa: E402,F401  (the browser fixtures, shared)
