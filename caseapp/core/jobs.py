"""Work that runs after a page's transaction committed, so the page does not wait for it, and the
`job` table that says how far a longer piece of work got.

Where the work runs:
- no broker (CASEAPP_BROKER_URL unset: `make run`, the tests): in this process, as before. A
  thread takes the items one after another, each in the app's context with a session of its own;
  one item's failure is logged and never stops the others.
- a broker (CASEAPP_BROKER_URL=redis://...): each item is a Celery task on that broker, run by a
  `caseapp worker` (core.celery_app). The call sites do not change.

A domain's tasks module marks its background functions with `@background("domain.name")`: ids in,
a service call in its own unit of work, safe to run twice (the service checks state first). The
worker imports every domain's tasks module (`Domain.tasks`) and registers each as a Celery task.

Jobs (`Job`): a row written by the work as it goes (queued, running, done, failed; done/total; a
message; a JSON result such as a link or counts), read by `/jobs/<id>` (core.job_views), which the
page that started it polls (static/js/jobs.js), and by `caseapp jobs list|show`."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, and_, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from caseapp.core.errors import InvalidInput
from caseapp.core.models import Model, UTCDateTime, utcnow

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATES = (QUEUED, RUNNING, DONE, FAILED)
FINISHED = (DONE, FAILED)
ALREADY = "already finished"   # run_job: another delivery of the task finished the job
BUSY = "running elsewhere"      # run_job: a worker that is alive (its heartbeat is recent) runs the job

# name -> function: every @background function of every domain's tasks module imported so far.
REGISTRY: dict[str, Callable] = {}


def background(name: str):
    """Mark `fn` as a background task called `name` ("<domain>.<what>"); with a broker it runs on a
    worker as the Celery task of that name."""
    def mark(fn):
        if REGISTRY.get(name, fn) is not fn:
            raise ValueError(f"two background tasks are called {name!r}")
        REGISTRY[name] = fn
        fn.task_name = name
        return fn
    return mark


def broker_configured(app) -> bool:
    return bool(app.config.get("CASEAPP_BROKER_URL"))


def enqueue(app, name: str, *args, queue: str | None = None) -> None:
    """Queue the background task `name` with `args` on the broker (a worker runs it)."""
    from caseapp.core.celery_app import celery_of

    options = {"queue": queue} if queue else {}
    celery_of(app).send_task(name, args=list(args), **options)


def one_by_one_soon(app, name: str, items, work, *, setting: str) -> threading.Thread | None:
    """Run `work(item)` for each of `items` (sorted, each once), when the app's `setting` is on (the
    tests turn these off): with a broker, one Celery task per item (`work` is a @background
    function); without, in a thread named `name` of this process. Returns the thread, or None when
    nothing runs here."""
    items = sorted(set(items))
    if not items or not app.config.get(setting):
        return None
    if broker_configured(app):
        for item in items:
            try:
                enqueue(app, work.task_name, item)
            except Exception:  # noqa: BLE001  (the page's work is committed; the broker's trouble is logged)
                log.exception("%s: %r could not be queued", name, item)
        return None

    def run():
        from caseapp.extensions import get_db

        with app.app_context():
            for item in items:
                try:
                    work(item)
                except Exception:  # noqa: BLE001  (one item's trouble never stops the others)
                    log.exception("%s: %r failed", name, item)
                finally:
                    get_db().session.remove()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


# --- the job table -------------------------------------------------------------------------------

class Job(Model):
    """A piece of background work someone (or the scheduler) started: how far it got and how it ended."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_started_by_created", "started_by", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default=QUEUED)
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
    # Times a worker began it: more than one when a worker died under it and another took it over.
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Written by the worker running it every lease/3 seconds (run_job, advance): a delivery that
    # finds it recent leaves the job to that worker (lease_seconds).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "state": self.state, "done": self.done, "total": self.total,
                "message": self.message, "result": self.result, "attempts": self.attempts,
                "started_by": self.started_by,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "started_at": self.started_at.isoformat() if self.started_at else None,
                "finished_at": self.finished_at.isoformat() if self.finished_at else None}


def create(session: Session, kind: str, *, started_by: int | None, total: int | None = None,
           message: str | None = None) -> Job:
    job = Job(kind=kind[:60], state=QUEUED, done=0, total=total, message=message, started_by=started_by,
              attempts=0)
    session.add(job)
    session.flush()
    return job


def get(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id, populate_existing=True)   # its row, not an older copy in the session
    if job is None:
        raise InvalidInput(f"No job {job_id}.")
    return job


def visible_to(job: Job, user) -> bool:
    """The person who started a job sees it, and Admin; nobody else (not even that it exists)."""
    from caseapp.core.domain import ADMIN

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return job.started_by == user.id or any(role.name == ADMIN for role in user.roles)


def recent(session: Session, *, limit: int = 50, kind: str | None = None, state: str | None = None) -> list[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if kind:
        query = query.where(Job.kind == kind)
    if state:
        query = query.where(Job.state == state)
    return list(session.scalars(query))


# A job begun this many times and never finished stops whichever worker runs it (killed, out of
# memory): it fails instead of being delivered again for ever (Celery redelivers a task whose
# worker was lost, task_reject_on_worker_lost).
MAX_ATTEMPTS = 3


def lease_seconds() -> int:
    """Seconds after its last heartbeat that a running job's worker counts as gone
    (CASEAPP_JOB_LEASE_SECONDS, default 300; keep it below the broker's visibility timeout, after
    which a task whose worker died is delivered again)."""
    from flask import current_app, has_app_context

    return int(current_app.config.get("CASEAPP_JOB_LEASE_SECONDS", 300)) if has_app_context() else 300


def start(session: Session, job_id: int) -> bool:
    """A worker takes the job up: queued — or running with no heartbeat for `lease_seconds()`,
    when the worker under it died — becomes running. False when it is already done or failed (a
    task delivered again does nothing), when it runs in a worker that is alive (`busy` says
    which: a delivery after the visibility timeout of a long job neither runs it twice nor counts
    an attempt), and when it was begun MAX_ATTEMPTS times without finishing: it fails, saying so."""
    now = utcnow()
    free = or_(Job.state == QUEUED,
               and_(Job.state == RUNNING, or_(Job.heartbeat_at.is_(None),
                                              Job.heartbeat_at < now - timedelta(seconds=lease_seconds()))))
    taken = session.execute(update(Job).where(Job.id == job_id, free, Job.attempts < MAX_ATTEMPTS)
                            .values(state=RUNNING, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1)
                            .execution_options(synchronize_session=False))
    if taken.rowcount == 1:
        return True
    session.execute(update(Job).where(Job.id == job_id, free, Job.attempts >= MAX_ATTEMPTS)
                    .values(state=FAILED, finished_at=now,
                            message=f"Stopped: the work was begun {MAX_ATTEMPTS} times and its worker stopped "
                                    "each time (killed or out of memory). Check the worker's log, then start it "
                                    "again, with a smaller file if it was an import.")
                    .execution_options(synchronize_session=False))
    return False


def busy(session: Session, job_id: int, *, at: datetime | None = None) -> bool:
    """The job is running in a worker that is alive: a heartbeat within `lease_seconds()` of `at`
    (default now; run_job passes the moment before its `start`, so that a heartbeat `start` found
    recent is recent here too, however long between the two)."""
    since = (at or utcnow()) - timedelta(seconds=lease_seconds())
    return session.scalar(select(Job.id).where(Job.id == job_id, Job.state == RUNNING,
                                               Job.heartbeat_at >= since)) is not None


def beat(session: Session, job_id: int) -> None:
    """The worker running the job is still at it."""
    session.execute(update(Job).where(Job.id == job_id, Job.state == RUNNING).values(heartbeat_at=utcnow())
                    .execution_options(synchronize_session=False))


def advance(session: Session, job_id: int, done: int, total: int | None = None, message: str | None = None) -> None:
    """Progress: `done` of `total` items (and what it is doing), while the job is running."""
    values: dict = {"done": done, "heartbeat_at": utcnow()}
    if total is not None:
        values["total"] = total
    if message is not None:
        values["message"] = message
    session.execute(update(Job).where(Job.id == job_id, Job.state == RUNNING).values(**values)
                    .execution_options(synchronize_session=False))


def finish(session: Session, job_id: int, result: dict | None = None, message: str | None = None) -> bool:
    """Running becomes done, with its result and closing message (none: the progress message
    goes). True for the one call that finished it: a second
    delivery of the same task that gets here too finds it done and changes nothing."""
    values: dict = {"state": DONE, "finished_at": utcnow(), "result": result, "message": message}
    changed = session.execute(update(Job).where(Job.id == job_id, Job.state == RUNNING).values(**values)
                              .execution_options(synchronize_session=False))
    if changed.rowcount == 1:
        session.execute(update(Job).where(Job.id == job_id, Job.total.is_not(None)).values(done=Job.total)
                        .execution_options(synchronize_session=False))
    return changed.rowcount == 1


def fail(session: Session, job_id: int, message: str) -> bool:
    """Queued or running becomes failed, saying why (one line a person can act on)."""
    changed = session.execute(update(Job).where(Job.id == job_id, Job.state.in_((QUEUED, RUNNING)))
                              .values(state=FAILED, finished_at=utcnow(), message=message[:2000])
                              .execution_options(synchronize_session=False))
    return changed.rowcount == 1


class Progress:
    """What a task hands its work to report progress: each call commits on its own, so the page
    polling the job sees it at once (the work's own transactions are separate)."""

    def __init__(self, job_id: int | None) -> None:
        self.job_id = job_id

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        if self.job_id is None:
            return
        from caseapp.core.uow import unit_of_work
        from caseapp.extensions import get_session

        with unit_of_work(get_session()) as session:
            advance(session, self.job_id, done, total, message)


def _beating(job_id: int):
    """A thread that writes the job's heartbeat every lease/3 seconds until the returned event is
    set (the work may go a long time without reporting progress)."""
    from flask import current_app

    from caseapp.core.uow import unit_of_work
    from caseapp.extensions import get_db, get_session

    app, stop = current_app._get_current_object(), threading.Event()
    every = max(lease_seconds() / 3, 0.2)

    def run():
        while not stop.wait(every):
            try:
                with app.app_context():
                    try:
                        with unit_of_work(get_session()) as session:
                            beat(session, job_id)
                    finally:
                        get_db().session.remove()
            except Exception:  # noqa: BLE001  (the next beat tries again; the work goes on)
                log.warning("job %s: its heartbeat could not be written", job_id, exc_info=True)

    threading.Thread(target=run, name=f"job-{job_id}-heartbeat", daemon=True).start()
    return stop


def run_job(job_id: int, work: Callable[[Progress], dict | None]) -> str:
    """Run `work(progress)` as job `job_id` inside a task: take the job (nothing, if it is already
    finished: a task delivered twice), run it while a thread writes its heartbeat, finish it with
    what `work` returns, or fail it with the error's first line. Returns DONE or FAILED when this
    call finished the job, ALREADY when another delivery of the same task had (or has meanwhile),
    BUSY when a worker that is alive runs it (the Celery task then looks again later:
    core.celery_app)."""
    from caseapp.core.uow import unit_of_work
    from caseapp.extensions import get_session

    with unit_of_work(get_session()) as session:
        asked = utcnow()
        if not start(session, job_id):
            return BUSY if busy(session, job_id, at=asked) else ALREADY
    stop = _beating(job_id)
    try:
        result = work(Progress(job_id))
    except Exception as error:  # noqa: BLE001  (the job says why; the worker goes on)
        stop.set()
        log.exception("job %s failed", job_id)
        get_session().rollback()
        with unit_of_work(get_session()) as session:
            failed = fail(session, job_id, (str(error).splitlines() or [type(error).__name__])[0])
        return FAILED if failed else ALREADY
    finally:
        stop.set()      # whatever ended the work (even a SystemExit): no heartbeat for a job nobody runs
    with unit_of_work(get_session()) as session:
        finished = finish(session, job_id, result)
    return DONE if finished else ALREADY


def start_job(app, kind: str, task_name: str, *args, started_by: int | None, total: int | None = None,
              session: Session | None = None) -> int:
    """A new job of `kind` and its task `task_name(job_id, *args)`: queued on the broker after the
    job row is committed, or (no broker) run in a thread of this process. Returns the job's id."""
    from caseapp.core.uow import unit_of_work
    from caseapp.extensions import get_session

    with unit_of_work(session or get_session()) as current:
        job_id = create(current, kind, started_by=started_by, total=total).id
    if broker_configured(app):
        try:
            enqueue(app, task_name, job_id, *args)
        except Exception as error:  # noqa: BLE001  (the job says so; the page polling it shows it)
            log.exception("job %s (%s) could not be queued", job_id, task_name)
            with unit_of_work(session or get_session()) as current:
                fail(current, job_id, f"The job could not be queued (the broker did not answer: "
                                      f"{type(error).__name__}); try again later.")
        return job_id
    if task_name not in REGISTRY:     # the domains' tasks modules are imported by the worker; here, now
        from caseapp.core.celery_app import import_all_tasks

        import_all_tasks()
    work = REGISTRY[task_name]

    def run():
        from caseapp.extensions import get_db

        with app.app_context():
            try:
                work(job_id, *args)
            except Exception:  # noqa: BLE001
                log.exception("job %s (%s) failed", job_id, task_name)
            finally:
                get_db().session.remove()

    threading.Thread(target=run, name=f"job-{job_id}", daemon=True).start()
    return job_id
