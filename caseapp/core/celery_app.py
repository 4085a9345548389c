"""The Celery app of a Flask app: built from its config (CASEAPP_BROKER_URL; results on the same
Redis), with every domain's background tasks (`Domain.tasks`, marked @background in core.jobs)
registered as Celery tasks that run inside the Flask app's context with a session of their own.

Delivery is "at least once": a task is acknowledged only after it ran (task_acks_late), a task
whose worker died under it goes back on the queue (task_reject_on_worker_lost; with Redis, once
the broker's visibility timeout passed: CASEAPP_BROKER_VISIBILITY_TIMEOUT), and a worker takes
one task at a time (worker_prefetch_multiplier=1), so a killed worker holds no others. Every task
is idempotent (ids in, the service checks state first), so running one twice does no harm.

The periodic work (`caseapp beat`): BEAT_SCHEDULE below, in the firm's time zone."""
from __future__ import annotations

import logging
from importlib import import_module

log = logging.getLogger(__name__)

# The scheduler's table: task name -> when (hour, minute in CASEAPP_TIMEZONE). The CLI commands
# do the same by hand (`caseapp escalate`, `caseapp evidence check-due`, `caseapp parties lookup-due`).
BEAT_SCHEDULE = {
    "cases.daily_escalation": (6, 0),
    "evidence.check_due": (2, 30),
    "parties.lookup_due": (3, 30),
    "hits.fold_tally": (4, 0),
}


def import_all_tasks() -> None:
    """Every domain's tasks module, so that each @background function is in core.jobs.REGISTRY."""
    from caseapp.domains import all_domains

    for domain in all_domains():
        if domain.tasks:
            import_module(domain.tasks)


def make_celery(app):
    """A Celery app for the Flask `app` (its broker, its tasks, its schedule)."""
    from celery import Celery
    from celery.schedules import crontab

    from caseapp.core import jobs

    broker = app.config.get("CASEAPP_BROKER_URL")
    if not broker:
        raise RuntimeError("CASEAPP_BROKER_URL is not set: there is no broker to queue work on.")
    celery = Celery("caseapp", broker=broker, backend=broker, set_as_current=False)
    visibility = int(app.config.get("CASEAPP_BROKER_VISIBILITY_TIMEOUT", 3600))
    # A task whose worker died (acks late) is put back on the queue by a sweep of the unacked
    # tasks older than the visibility timeout. Kombu 5.7 sweeps every 10 s x 10 calls (100 s,
    # and only at start-up before that): here every third of the timeout, at most 10 s, so a
    # dead worker's task runs again soon after the timeout (kombu.transport.redis,
    # unacked_restore_interval and unacked_restore_throttle).
    transport = {"visibility_timeout": visibility, "unacked_restore_interval": max(1, min(10, visibility // 3)),
                 "unacked_restore_throttle": 1}
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,            # outcomes are the job table's and the services' rows
        task_serializer="json", accept_content=["json"], result_serializer="json",
        task_default_queue=app.config.get("CASEAPP_BROKER_QUEUE") or "caseapp",
        broker_transport_options=transport,
        result_backend_transport_options={"visibility_timeout": visibility},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone=app.config.get("CASEAPP_TIMEZONE", "Europe/Berlin"),
        enable_utc=True,
        beat_schedule={name: {"task": name, "schedule": crontab(hour=hour, minute=minute)}
                       for name, (hour, minute) in BEAT_SCHEDULE.items()},
    )
    import_all_tasks()
    for name, fn in sorted(jobs.REGISTRY.items()):
        _register(celery, app, name, fn)
    return celery


def _register(celery, app, name, fn) -> None:
    """`fn` as a Celery task of `celery`, run in `app`'s context. A job that a live worker is
    running (core.jobs.BUSY: this is a delivery after the broker's visibility timeout of a long
    job) is looked at again after the lease (at most half the visibility timeout): taken over then
    if that worker has died, left alone once it has finished."""
    from caseapp.core.jobs import BUSY, lease_seconds

    def run(task, *args, **kwargs):
        from caseapp.extensions import get_db

        with app.app_context():
            try:
                state = fn(*args, **kwargs)
                if state == BUSY:     # within the visibility timeout, or the broker hands the wait out again
                    visibility = int(app.config.get("CASEAPP_BROKER_VISIBILITY_TIMEOUT", 3600))
                    raise task.retry(countdown=max(1, min(lease_seconds(), visibility // 2)), max_retries=None)
                return state
            finally:
                get_db().session.remove()

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    celery.task(name=name, shared=False, bind=True)(run)   # this Celery app's own: another Flask app has its own


def celery_of(app):
    """The app's Celery app, made once per Flask app."""
    celery = app.extensions.get("caseapp_celery")
    if celery is None:
        celery = app.extensions["caseapp_celery"] = make_celery(app)
    return celery


def forget_engine_after_fork(app) -> None:
    """A forked pool process must not share the parent's database connections."""
    from celery.signals import worker_process_init

    def _dispose(**_kwargs):
        app.extensions["caseapp_db"].engine.dispose(close=False)

    worker_process_init.connect(_dispose, weak=False)
