"""Commands for background work: `caseapp jobs list|show|probe`, `caseapp worker` (a Celery worker
for this app) and `caseapp beat` (the scheduler of the daily work). The worker and the scheduler
need a broker (CASEAPP_BROKER_URL); without one they refuse in one line."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.core.cli import ROW_ID, Refused, Text, WholeNumber, refusals, session

NO_BROKER = ("No broker: set CASEAPP_BROKER_URL (e.g. redis://127.0.0.1:6379/0); without one, background "
             "work runs inside the app's own process and needs no worker.")


def _line(job) -> str:
    progress = f"{job.done}/{job.total}" if job.total is not None else str(job.done)
    return (f"#{job.id} {job.kind} {job.state} {progress} (by user {job.started_by or 'system'}, "
            f"{job.created_at:%Y-%m-%d %H:%M} UTC)" + (f": {job.message}" if job.message else ""))


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs: what ran, how far it got, how it ended."""


@jobs_group.command("list")
@click.option("--kind", type=Text(60), default=None, help="Only jobs of this kind (e.g. sightings.ingest).")
@click.option("--state", type=click.Choice(("queued", "running", "done", "failed")), default=None)
@click.option("--limit", type=WholeNumber(1, 10000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@with_appcontext
def jobs_list(kind, state, limit, as_json) -> None:
    """The latest jobs, newest first."""
    from caseapp.core import jobs

    for job in jobs.recent(session(), limit=limit, kind=kind, state=state):
        click.echo(json.dumps(job.as_dict(), ensure_ascii=False) if as_json else _line(job))


@jobs_group.command("show")
@click.argument("job_id", type=ROW_ID)
@with_appcontext
def jobs_show(job_id: int) -> None:
    """One job, as JSON (its state, progress, message and result)."""
    from caseapp.core import jobs

    with refusals():
        click.echo(json.dumps(jobs.get(session(), job_id).as_dict(), ensure_ascii=False, indent=2))


@jobs_group.command("probe")
@click.option("--wait-for", type=click.Path(dir_okay=False), default=None,
              help="The task waits until this file exists (checks a worker picks work up and holds it).")
@click.option("--seconds", type=WholeNumber(1, 86400), default=600, show_default=True,
              help="How long the task waits for the file before it fails.")
@with_appcontext
def jobs_probe(wait_for, seconds) -> None:
    """Queue a probe job that a worker finishes (with no broker: run here, at once); prints its id.
    `caseapp jobs show ID` then says which worker took it."""
    from caseapp.core import jobs

    app = current_app._get_current_object()
    if jobs.broker_configured(app):
        job_id = jobs.start_job(app, "core.probe", "core.probe", wait_for, seconds, started_by=None)
    else:                           # no worker: run it here, before the command ends
        from caseapp.core.job_tasks import probe
        from caseapp.core.uow import unit_of_work

        with unit_of_work(session()) as current:
            job_id = jobs.create(current, "core.probe", started_by=None).id
        probe(job_id, wait_for, seconds)
    click.echo(job_id)


def _celery():
    app = current_app._get_current_object()
    if not app.config.get("CASEAPP_BROKER_URL"):
        raise Refused(NO_BROKER)
    from caseapp.core.celery_app import celery_of, forget_engine_after_fork
    from caseapp.extensions import get_db

    celery = celery_of(app)
    get_db().session.remove()      # no connection open when the pool's processes are forked
    get_db().engine.dispose()
    forget_engine_after_fork(app)
    return celery


@click.command("worker")
@click.option("--concurrency", type=WholeNumber(1, 256), default=None,
              help="Tasks run at once (processes); default: one per core.")
@click.option("--queues", type=Text(500), default=None,
              help="Comma-separated queues to take tasks from (default: CASEAPP_BROKER_QUEUE, caseapp).")
@click.option("--loglevel", type=click.Choice(("debug", "info", "warning", "error")), default="info",
              show_default=True)
@with_appcontext
def worker_command(concurrency, queues, loglevel) -> None:
    """Run a Celery worker for this app (CASEAPP_BROKER_URL): it takes the background work (evidence
    captures, address lookups, ingests, the daily runs that `caseapp beat` queues) one task at a time
    per process. Stop it with Ctrl+C (SIGTERM): it finishes what it holds; a killed worker's task
    goes back on the queue."""
    celery = _celery()
    queues = queues or current_app.config.get("CASEAPP_BROKER_QUEUE") or "caseapp"
    argv = ["worker", f"--queues={queues}", f"--loglevel={loglevel.upper()}", "--without-gossip",
            "--without-mingle"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    celery.worker_main(argv)


@click.command("beat")
@click.option("--schedule-file", type=click.Path(dir_okay=False), default=None,
              help="Where the scheduler keeps when each entry last ran (default: <instance>/celerybeat-schedule).")
@click.option("--loglevel", type=click.Choice(("debug", "info", "warning", "error")), default="info",
              show_default=True)
@with_appcontext
def beat_command(schedule_file, loglevel) -> None:
    """Run the scheduler (one, never more): it queues the daily escalation, the take-down checks and
    the address lookups of parties due one, at the times of core.celery_app.BEAT_SCHEDULE in the
    firm's time zone. A worker runs them."""
    celery = _celery()
    from pathlib import Path

    path = schedule_file or str(Path(current_app.config["CASEAPP_INSTANCE_PATH"]) / "celerybeat-schedule")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    celery.start(["beat", f"--schedule={path}", f"--loglevel={loglevel.upper()}"])


COMMANDS = (jobs_group, worker_command, beat_command)
