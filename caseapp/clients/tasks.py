"""Background jobs of the clients domain: compacting the works' matching index once deleted works
hold a good share of its files (started by clients.works_index.compact_soon)."""
from __future__ import annotations

from caseapp.core.jobs import background

PROGRESS_STEPS = 20   # progress written at most this many times (each write is a commit)


@background("clients.compact_index")   # works_index.COMPACT_JOB
def compact_index(job_id: int) -> str:
    """Compact the works' index (matching's Engine.compact) as job `job_id`; the job's result
    is what it freed. A work added or deleted meanwhile wins: the job fails saying to run it again
    (the next deletion, or `caseapp works reindex --compact`, does)."""
    from flask import current_app

    from caseapp.clients import works_index
    from caseapp.core import jobs

    def work(progress):
        _, engine = works_index.store_and_engine(current_app.config)
        reported = [0]

        def step(done: int, total: int) -> None:
            if done < reported[0]:   # the next shard starts again from 0
                reported[0] = 0
            if total and (done == total or done - reported[0] >= total / PROGRESS_STEPS):
                reported[0] = done
                progress(done, total)

        return engine.compact(step)   # matching's Engine.compact: what it freed

    return jobs.run_job(job_id, work)
