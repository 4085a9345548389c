"""Background jobs of the hits domain: an ingest of the crawler's sightings queued by the REST
endpoint when a broker is configured (POST /api/v1/sightings answers 202 with the job; the
crawler polls GET /api/v1/sightings/jobs/<id> for the per-line results)."""
from __future__ import annotations

from caseapp.core.jobs import background

PROGRESS_EVERY = 25   # lines between two commits of progress (each line is written whole anyway)


@background("hits.ingest_sightings")
def ingest_sightings(job_id: int, user_id: int, login: str, lines: list) -> str:
    """Ingest `lines` ([number, text] pairs) as `login` sent them, as job `job_id`: the same ingest
    as the synchronous endpoint, committed (with the job's progress) every PROGRESS_EVERY lines; the
    job's result holds the per-line results and their summary. Delivered again after a worker died,
    the job is taken up again: lines already written are then reported as duplicates (a sighting is
    written once, by its key), and a finished job is left alone."""
    from flask import current_app, url_for

    from caseapp.clients import works_index
    from caseapp.core import jobs
    from caseapp.core.audit import Actor
    from caseapp.core.uow import checkpoint, unit_of_work
    from caseapp.extensions import get_session
    from caseapp.hits import services

    numbered = [(int(number), str(text)) for number, text in lines]

    def work(_progress):
        config = current_app.config
        store, engine = works_index.store_and_engine(config)   # with the configured shard count
        rows: list[dict] = []
        with unit_of_work(get_session()) as session:
            works_index.index_in_step(session, store, engine)
            for row in services.ingest(session, store, engine, Actor(user_id, login), numbered, base=None,
                                       min_score=config["CASEAPP_HIT_MIN_SCORE"],
                                       private_ok=config["CASEAPP_FETCH_PRIVATE"]):
                rows.append(row)
                if len(rows) % PROGRESS_EVERY == 0:
                    jobs.advance(session, job_id, len(rows))
                    checkpoint(session)
        with unit_of_work(get_session()) as session:   # the tally's changes, in a short transaction of its own
            services.fold_tally(session)
        summary = services.summarise(rows)
        with current_app.test_request_context():     # where the page that started it sends the handler next
            url = url_for("TriageView.index", status="new")
        return {"results": rows, "summary": summary, **summary, "url": url}

    return jobs.run_job(job_id, work)


@background("hits.fold_tally")
def fold_tally() -> int:
    """Daily (caseapp beat): fold the hit tally's changes (decisions since the last ingest)."""
    from caseapp.core.uow import unit_of_work
    from caseapp.extensions import get_session
    from caseapp.hits import services

    with unit_of_work(get_session()) as session:
        return services.fold_tally(session)
