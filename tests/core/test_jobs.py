"""Background work (core.jobs, core.celery_app): the job table's life, the status endpoint's
permissions, in-process work with no broker (as before), tasks queued on a real Redis, and real
`caseapp worker` subprocesses — one of them killed with SIGKILL in the middle of a task, whose work
is then done by the next worker exactly once (acks late + an idempotent task).

Redis: CASEAPP_TEST_REDIS_URL (redis://127.0.0.1:6379/15); the tests that need it are skipped when
it is unreachable, unless CI=true."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from caseapp.core import jobs

REDIS_URL = os.environ.get("CASEAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CASEAPP = str(Path(sys.executable).parent / "caseapp")


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {REDIS_URL} (CASEAPP_TEST_REDIS_URL)")
    return client


# --- the job table ---------------------------------------------------------------------------------

def threads_started(monkeypatch) -> list[str]:
    """The names of the threads core.jobs starts from now on, recorded instead of run (a test's
    shared session must not be used by another thread)."""
    started: list[str] = []

    class Recorded:
        def __init__(self, target, name, daemon):
            started.append(name)

        def start(self):
            pass

    monkeypatch.setattr(jobs.threading, "Thread", Recorded)
    return started


def _silent_for(session, job_id: int, seconds: float) -> None:
    """The job's worker last wrote its heartbeat `seconds` ago (it died then)."""
    from datetime import timedelta

    from sqlalchemy import update

    from caseapp.core.models import utcnow

    session.execute(update(jobs.Job).where(jobs.Job.id == job_id)
                    .values(heartbeat_at=utcnow() - timedelta(seconds=seconds)))


@pytest.mark.parametrize("seconds_ago, taken", [(299, False), (301, True)])
def test_a_running_job_is_taken_over_only_once_its_heartbeat_is_older_than_the_lease(db_session, seconds_ago, taken):
    job = jobs.create(db_session, "core.probe", started_by=None)
    assert jobs.start(db_session, job.id) is True
    _silent_for(db_session, job.id, seconds_ago)              # the default lease: 300 s
    assert jobs.start(db_session, job.id) is taken
    db_session.expire_all()
    assert (jobs.get(db_session, job.id).state, jobs.get(db_session, job.id).attempts) == ("running", 2 if taken else 1)


def test_progress_is_a_heartbeat_and_a_busy_delivery_is_looked_at_again_after_the_lease(app, db_session, monkeypatch):
    """A delivery of a job a live worker runs: run_job says BUSY without running the work, and the
    Celery task asks to be delivered again after the lease (not acknowledged as done)."""
    from caseapp.core.celery_app import make_celery

    job = jobs.create(db_session, "core.probe", started_by=None)
    assert jobs.start(db_session, job.id) is True
    _silent_for(db_session, job.id, 301)
    jobs.advance(db_session, job.id, 1, 2)                    # progress: the worker is alive
    ran = []
    assert jobs.run_job(job.id, lambda progress: ran.append(1)) == jobs.BUSY
    assert ran == []
    db_session.expire_all()
    assert jobs.get(db_session, job.id).attempts == 1

    monkeypatch.setitem(app.config, "CASEAPP_BROKER_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "CASEAPP_JOB_LEASE_SECONDS", 42)
    task = make_celery(app).tasks["core.probe"]
    asked = {}

    class Again(Exception):
        pass

    def retry(**kwargs):
        asked.update(kwargs)
        return Again()

    monkeypatch.setattr(task, "retry", retry)
    with pytest.raises(Again):
        task(job.id)
    assert asked == {"countdown": 42, "max_retries": None}
    monkeypatch.setitem(app.config, "CASEAPP_BROKER_VISIBILITY_TIMEOUT", 60)   # never past the broker's patience
    with pytest.raises(Again):
        task(job.id)
    assert asked == {"countdown": 30, "max_retries": None}
    jobs.finish(db_session, job.id, {"ok": True})
    assert task(job.id) == jobs.ALREADY                       # once it has finished: nothing, no retry

def test_a_job_goes_queued_running_done_and_a_second_delivery_changes_nothing(db_session):
    job = jobs.create(db_session, "core.probe", started_by=None, total=4)
    assert (job.state, job.done, job.attempts) == ("queued", 0, 0)
    assert jobs.start(db_session, job.id) is True
    jobs.advance(db_session, job.id, 2, message="half way")
    db_session.expire_all()
    job = jobs.get(db_session, job.id)
    assert (job.state, job.done, job.total, job.message, job.attempts) == ("running", 2, 4, "half way", 1)
    assert jobs.start(db_session, job.id) is False           # its worker is alive (a recent heartbeat): left to it
    assert jobs.busy(db_session, job.id) is True
    _silent_for(db_session, job.id, jobs.lease_seconds() + 1)
    assert jobs.busy(db_session, job.id) is False
    assert jobs.start(db_session, job.id) is True            # a worker died under it: the next takes it over
    assert jobs.finish(db_session, job.id, {"url": "/x", "counts": {"ok": 4}}) is True
    assert jobs.finish(db_session, job.id, {"url": "/other"}) is False
    assert jobs.start(db_session, job.id) is False            # delivered again after it finished: nothing
    assert jobs.fail(db_session, job.id, "late") is False
    jobs.advance(db_session, job.id, 1)                       # progress after the end is ignored
    db_session.expire_all()
    job = jobs.get(db_session, job.id)
    assert (job.state, job.done, job.result, job.message, job.attempts) == \
        ("done", 4, {"url": "/x", "counts": {"ok": 4}}, None, 2)
    assert job.finished_at is not None and job.started_at is not None


def test_a_job_begun_as_often_as_allowed_without_finishing_fails_instead_of_running_again(db_session):
    job = jobs.create(db_session, "core.probe", started_by=None)
    for _ in range(jobs.MAX_ATTEMPTS):          # each time its worker was lost under it
        assert jobs.start(db_session, job.id) is True
        _silent_for(db_session, job.id, jobs.lease_seconds() + 1)
    db_session.expire_all()
    assert (jobs.get(db_session, job.id).state, jobs.get(db_session, job.id).attempts) == ("running", jobs.MAX_ATTEMPTS)
    assert jobs.start(db_session, job.id) is False           # one delivery too many: not begun again
    db_session.expire_all()
    job = jobs.get(db_session, job.id)
    assert (job.state, job.attempts) == ("failed", jobs.MAX_ATTEMPTS)
    assert "begun 3 times" in job.message and "worker's log" in job.message
    assert job.finished_at is not None


def test_run_job_fails_the_job_with_the_errors_first_line_and_runs_a_finished_one_never_again(db_session):
    job = jobs.create(db_session, "test", started_by=None)

    def broken(progress):
        progress(1, 3, "one")
        raise ValueError("The statement's line 7 has no amount.\nTraceback details")

    assert jobs.run_job(job.id, broken) == jobs.FAILED
    db_session.expire_all()
    assert (jobs.get(db_session, job.id).state, jobs.get(db_session, job.id).message) == \
        ("failed", "The statement's line 7 has no amount.")
    ran = []
    assert jobs.run_job(job.id, lambda progress: ran.append(1)) == jobs.ALREADY
    assert ran == []
    other = jobs.create(db_session, "test", started_by=None)
    assert jobs.run_job(other.id, lambda progress: {"n": 1}) == jobs.DONE
    assert jobs.run_job(other.id, lambda progress: ran.append(1)) == jobs.ALREADY
    db_session.expire_all()
    assert ran == [] and jobs.get(db_session, other.id).result == {"n": 1}


def test_get_refuses_an_unknown_job(db_session):
    from caseapp.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="No job 999999"):
        jobs.get(db_session, 999999)


# --- /jobs/<id> ------------------------------------------------------------------------------------

def test_the_status_endpoint_shows_a_job_to_who_started_it_and_admin_only(db_session, client_as, users):
    job = jobs.create(db_session, "payments.import", started_by=users["accountant"].id, total=10)
    jobs.start(db_session, job.id)
    jobs.advance(db_session, job.id, 3, message="line 3")
    db_session.flush()
    answer = client_as("accountant").get(f"/jobs/{job.id}")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert {k: answer.json[k] for k in ("id", "kind", "state", "done", "total", "message")} == \
        {"id": job.id, "kind": "payments.import", "state": "running", "done": 3, "total": 10, "message": "line 3"}
    assert client_as("admin").get(f"/jobs/{job.id}").status_code == 200
    for login in ("accountant2", "handler", "auditor", "lawyer"):
        refused = client_as(login).get(f"/jobs/{job.id}")
        assert refused.status_code == 404 and refused.json == {"error": f"No job {job.id}."}, login
    assert client_as("accountant").get("/jobs/999999").status_code == 404
    anonymous = client_as(None).get(f"/jobs/{job.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client_as("crawler").get(f"/jobs/{job.id}").status_code in (302, 403)


def test_the_job_partial_ships_its_script_and_words_without_inline_code(app):
    with app.test_request_context():
        from flask import render_template

        html = render_template("caseapp/_job.html", job_id=7)
    assert 'data-job-url="/jobs/7"' in html
    assert '<script type="application/json" class="ca-job-words">' in html
    assert 'src="/static/caseapp/jobs.js"' in html
    script = (Path(app.root_path) / "static" / "caseapp" / "jobs.js").read_text()
    assert "dataset.jobUrl" in script and "fetch(url" in script


# --- no broker: in-process, as before --------------------------------------------------------------

def test_without_a_broker_work_runs_in_a_thread_of_this_process_each_item_once(app):
    assert not app.config["CASEAPP_BROKER_URL"]
    seen, lock = [], threading.Lock()

    def work(item):
        with lock:
            seen.append(item)
        if item == 2:
            raise RuntimeError("one item's trouble")

    app.config["CASEAPP_TEST_SETTING"] = True
    try:
        thread = jobs.one_by_one_soon(app, "test-work", [3, 1, 2, 3], work, setting="CASEAPP_TEST_SETTING")
        thread.join(10)
        assert seen == [1, 2, 3]
        app.config["CASEAPP_TEST_SETTING"] = False
        assert jobs.one_by_one_soon(app, "test-work", [1], work, setting="CASEAPP_TEST_SETTING") is None
    finally:
        app.config.pop("CASEAPP_TEST_SETTING")
    assert jobs.one_by_one_soon(app, "test-work", [], work, setting="CASEAPP_CAPTURE_ON_DECIDE") is None


def test_the_worker_and_the_scheduler_refuse_without_a_broker(app):
    from flask.cli import ScriptInfo

    from caseapp.cli import main

    for command in (["worker"], ["beat"]):
        result = CliRunner().invoke(main, command, obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 2, result.output
        assert result.output.strip().splitlines() == [
            "Error: No broker: set CASEAPP_BROKER_URL (e.g. redis://127.0.0.1:6379/0); without one, background "
            "work runs inside the app's own process and needs no worker."]


def test_jobs_list_and_show_on_the_command_line(app, db_session):
    from flask.cli import ScriptInfo

    from caseapp.cli import main

    job = jobs.create(db_session, "matching.rebuild", started_by=None, total=5)
    db_session.flush()
    info = ScriptInfo(create_app=lambda: app)
    listed = CliRunner().invoke(main, ["jobs", "list", "--kind", "matching.rebuild"], obj=info)
    assert listed.exit_code == 0 and f"#{job.id} matching.rebuild queued 0/5 (by user system" in listed.output
    shown = CliRunner().invoke(main, ["jobs", "show", str(job.id)], obj=info)
    assert shown.exit_code == 0 and json.loads(shown.output)["kind"] == "matching.rebuild"
    missing = CliRunner().invoke(main, ["jobs", "show", "999999"], obj=info)
    assert missing.exit_code == 2 and "No job 999999." in missing.output


# --- a broker: Celery tasks on the real Redis -----------------------------------------------------

def test_with_a_broker_the_call_sites_queue_one_task_per_item(app):
    from caseapp.evidence.tasks import capture_hit

    client = _redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    saved = {k: app.config.get(k) for k in ("CASEAPP_BROKER_URL", "CASEAPP_BROKER_QUEUE", "CASEAPP_CAPTURE_ON_DECIDE")}
    app.config.update(CASEAPP_BROKER_URL=REDIS_URL, CASEAPP_BROKER_QUEUE=queue, CASEAPP_CAPTURE_ON_DECIDE=True)
    app.extensions.pop("caseapp_celery", None)
    try:
        assert jobs.one_by_one_soon(app, "evidence-capture", [5, 4, 5], capture_hit,
                                    setting="CASEAPP_CAPTURE_ON_DECIDE") is None
        messages = [json.loads(raw) for raw in client.lrange(queue, 0, -1)]
        assert sorted((m["headers"]["task"], json.loads(_body(m))[0]) for m in messages) == \
            [("evidence.capture_hit", [4]), ("evidence.capture_hit", [5])]
    finally:
        client.delete(queue)
        app.config.update(saved)
        app.extensions.pop("caseapp_celery", None)


def _body(message) -> str:
    import base64

    return base64.b64decode(message["body"]).decode()


def test_the_celery_app_is_configured_for_at_least_once_delivery(app):
    from caseapp.core.celery_app import BEAT_SCHEDULE, make_celery

    saved = app.config.get("CASEAPP_BROKER_URL")
    app.config["CASEAPP_BROKER_URL"] = REDIS_URL
    try:
        celery = make_celery(app)
    finally:
        app.config["CASEAPP_BROKER_URL"] = saved
    assert (celery.conf.task_acks_late, celery.conf.task_reject_on_worker_lost,
            celery.conf.worker_prefetch_multiplier) == (True, True, 1)
    assert celery.conf.result_backend == REDIS_URL
    assert {"core.probe", "evidence.capture_hit", "evidence.takedown_check", "evidence.check_due",
            "parties.lookup_party", "parties.lookup_site", "parties.lookup_due", "cases.daily_escalation"} \
        <= set(celery.tasks)
    assert set(celery.conf.beat_schedule) == set(BEAT_SCHEDULE) <= set(celery.tasks)


# --- real workers ---------------------------------------------------------------------------------

@pytest.fixture()
def worker_env(tmp_path):
    """A file SQLite database built by the migrations, and the environment of a worker on it with a
    queue of its own on the test Redis (redelivery after 3 s)."""
    client = _redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CASEAPP_INSTANCE_PATH": str(tmp_path / "instance"),
           "CASEAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.db'}", "CASEAPP_BROKER_URL": REDIS_URL,
           "CASEAPP_BROKER_QUEUE": queue, "CASEAPP_BROKER_VISIBILITY_TIMEOUT": "3", "CASEAPP_JOB_LEASE_SECONDS": "2",
           "CASEAPP_SECRET_KEY": "tests"}
    subprocess.run([CASEAPP, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=300)
    started: list[subprocess.Popen] = []
    yield env, started, tmp_path
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)
    for key in client.scan_iter(f"*{queue}*"):
        client.delete(key)
    client.delete(queue)


def _start_worker(env, started, log: Path, concurrency: int = 1) -> subprocess.Popen:
    process = subprocess.Popen([CASEAPP, "worker", "--concurrency", str(concurrency)], env=env, stdout=log.open("ab"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    started.append(process)
    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"the worker did not get ready:\n{log.read_text()}"
        time.sleep(0.2)
    return process


def _queue_probe(env, *args) -> int:
    """Queue a probe job as a page would: a job row, then its task on the broker."""
    from caseapp import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": env["CASEAPP_DATABASE_URL"],
                      "CASEAPP_BROKER_URL": env["CASEAPP_BROKER_URL"], "CASEAPP_BROKER_QUEUE": env["CASEAPP_BROKER_QUEUE"],
                      "CASEAPP_INSTANCE_PATH": env["CASEAPP_INSTANCE_PATH"], "SECRET_KEY": "tests"})
    with app.app_context():
        from caseapp.extensions import get_db

        try:
            return jobs.start_job(app, "core.probe", "core.probe", *args, started_by=None)
        finally:
            get_db().dispose()


def _job(env, job_id: int) -> dict:
    engine = create_engine(env["CASEAPP_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT state, attempts, result FROM job WHERE id = :id"),
                                     {"id": job_id}).one()
    finally:
        engine.dispose()
    result = row.result if isinstance(row.result, (dict, type(None))) else json.loads(row.result)
    return {"state": row.state, "attempts": row.attempts, "result": result}


def _wait_for(env, job_id: int, state: str, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        job = _job(env, job_id)
        if job["state"] == state:
            return job
        assert time.monotonic() < deadline, f"job {job_id} is {job}, not {state}"
        time.sleep(0.2)


def test_a_real_worker_runs_a_queued_task(worker_env):
    env, started, tmp = worker_env
    worker = _start_worker(env, started, tmp / "worker.log")
    job_id = _queue_probe(env, None, 60, str(tmp / "finished"))
    job = _wait_for(env, job_id, "done", 60)
    assert job["attempts"] == 1
    # the worker's pool process ran it (a child of the worker we started)
    assert (tmp / "finished").read_text().split() == [str(job_id), str(job["result"]["pid"])]
    assert job["result"]["pid"] != os.getpid() and worker.poll() is None


def test_a_worker_killed_mid_task_loses_no_work_and_the_work_completes_once(worker_env):
    env, started, tmp = worker_env
    gate, note = tmp / "gate", tmp / "finished"
    first = _start_worker(env, started, tmp / "first.log")
    job_id = _queue_probe(env, str(gate), 300, str(note))
    assert _wait_for(env, job_id, "running", 60)["attempts"] == 1
    os.killpg(first.pid, signal.SIGKILL)          # the worker and its pool, mid-task, as a machine dies
    first.wait(30)
    time.sleep(1)
    assert _job(env, job_id)["state"] == "running" and not note.exists()
    _start_worker(env, started, tmp / "second.log")
    gate.write_text("go")
    job = _wait_for(env, job_id, "done", 90)
    assert job["attempts"] == 2                  # the second worker took the task the first one held
    time.sleep(4)                                # past the visibility timeout: no further delivery runs it
    assert note.read_text().splitlines() == [f"{job_id} {job['result']['pid']}"]
    assert _job(env, job_id)["attempts"] == 2


def test_a_job_running_longer_than_the_visibility_timeout_runs_once_and_is_not_failed(worker_env):
    """The broker delivers the task again every visibility timeout (3 s here) while the job runs:
    each delivery finds its heartbeat recent and leaves it (before the lease, a second run began
    and the third delivery failed the job while the first still ran it)."""
    env, started, tmp = worker_env
    env = {**env, "CASEAPP_JOB_LEASE_SECONDS": "20"}   # a busy machine's pauses are no death
    gate, note = tmp / "gate", tmp / "finished"
    _start_worker(env, started, tmp / "first.log")
    job_id = _queue_probe(env, str(gate), 300, str(note))
    assert _wait_for(env, job_id, "running", 60)["attempts"] == 1
    time.sleep(4)                                # past the visibility timeout, the first worker still at it
    _start_worker(env, started, tmp / "second.log")   # a worker starting takes the task back from the broker
    time.sleep(8)
    assert _job(env, job_id) == {"state": "running", "attempts": 1, "result": None}
    assert b"Retry in 1s" in (tmp / "second.log").read_bytes()     # it left the job and looks again (3 s // 2)
    gate.write_text("go")
    job = _wait_for(env, job_id, "done", 60)
    time.sleep(4)
    assert note.read_text().splitlines() == [f"{job_id} {job['result']['pid']}"]
    assert _job(env, job_id)["attempts"] == 1


def test_the_daily_escalation_task_does_what_the_command_does_and_a_second_run_nothing(app, db_session):
    from caseapp.cases.escalation import escalate
    from caseapp.cases.tasks import daily_escalation
    from caseapp.core.audit import Actor
    from caseapp.core.clock import today

    due = sum(step.changed for step in escalate(db_session, Actor.system("test"), today=today(), dry_run=True))
    assert due > 0, "the demo data has cases past their deadline"
    assert daily_escalation() == due
    assert daily_escalation() == 0


def test_the_scheduler_starts_with_the_daily_schedule(worker_env):
    env, started, tmp = worker_env
    log = tmp / "beat.log"
    process = subprocess.Popen([CASEAPP, "beat", "--loglevel", "debug", "--schedule-file", str(tmp / "schedule")],
                               env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    started.append(process)
    deadline = time.monotonic() + 60
    while b"Waking up" not in log.read_bytes():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    text = log.read_text()
    for entry in ("cases.daily_escalation", "evidence.check_due", "parties.lookup_due"):
        assert f"<ScheduleEntry: {entry} {entry}()" in text
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(30)


def test_a_job_that_cannot_be_queued_fails_saying_so(app, db_session, monkeypatch):
    """The broker is down: the job the page started says so (its poll shows it), nothing hangs queued."""
    def down(*_args, **_kwargs):
        raise ConnectionError("refused")

    monkeypatch.setitem(app.config, "CASEAPP_BROKER_URL", "redis://127.0.0.1:9/0")
    monkeypatch.setattr(jobs, "enqueue", down)
    job_id = jobs.start_job(app, "core.probe", "core.probe", None, 5, started_by=None, session=db_session)
    job = jobs.get(db_session, job_id)
    assert job.state == "failed" and job.message == \
        "The job could not be queued (the broker did not answer: ConnectionError); try again later."
    # work after a page's commit: logged, the page goes on
    from caseapp.evidence.tasks import capture_hit

    monkeypatch.setitem(app.config, "CASEAPP_CAPTURE_ON_DECIDE", True)
    assert jobs.one_by_one_soon(app, "evidence-capture", [1], capture_hit, setting="CASEAPP_CAPTURE_ON_DECIDE") is None


def test_with_a_broker_check_due_and_lookup_due_queue_one_task_each_for_the_workers(app, db_session):
    from flask.cli import ScriptInfo

    from caseapp.cli import main
    from caseapp.core.models import utcnow
    from caseapp.evidence import services as evidence
    from caseapp.parties import services as parties

    client = _redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    saved = {k: app.config.get(k) for k in ("CASEAPP_BROKER_URL", "CASEAPP_BROKER_QUEUE")}
    app.config.update(CASEAPP_BROKER_URL=REDIS_URL, CASEAPP_BROKER_QUEUE=queue)
    app.extensions.pop("caseapp_celery", None)
    info = ScriptInfo(create_app=lambda: app)
    try:
        due_items = evidence.due_checks(db_session, utcnow(), app.config["CASEAPP_TAKEDOWN_CHECK_DAYS"])
        due_parties = [p.id for p in parties.parties_due_lookup(db_session, 100)]
        assert due_items and due_parties, "the demo data has items and parties due"
        checked = CliRunner().invoke(main, ["evidence", "check-due", "--json"], obj=info)
        assert checked.exit_code == 0 and json.loads(checked.output) == {"queued": due_items}
        looked = CliRunner().invoke(main, ["parties", "lookup-due"], obj=info)
        assert looked.exit_code == 0 and looked.output == f"{len(due_parties)} address lookups queued for the " \
                                                          "workers (caseapp worker).\n"
        messages = [json.loads(raw) for raw in client.lrange(queue, 0, -1)]
        queued = sorted((m["headers"]["task"], json.loads(_body(m))[0][0]) for m in messages)
        assert queued == sorted([("evidence.takedown_check", i) for i in due_items] +
                                [("parties.lookup_party", p) for p in due_parties])
    finally:
        client.delete(queue)
        app.config.update(saved)
        app.extensions.pop("caseapp_celery", None)


def test_the_probe_without_a_broker_runs_at_once_on_the_command_line(app, db_session):
    from flask.cli import ScriptInfo

    from caseapp.cli import main

    result = CliRunner().invoke(main, ["jobs", "probe"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    job = jobs.get(db_session, int(result.output.strip()))
    assert (job.state, job.kind, job.result["pid"]) == ("done", "core.probe", os.getpid())
