"""Background jobs of the payments domain: a bank statement import started from the import page
when a broker is configured (the page shows the job's progress and outcome). Without a broker
the page imports while it waits, as before."""
from __future__ import annotations

from caseapp.core.jobs import background


@background("payments.import_statement")
def import_statement(job_id: int, sha256: str, filename: str, user_id: int, login: str, day: str) -> str:
    """Import the statement file `sha256` (in the file store) as `login` uploaded it on `day`, as job
    `job_id`: all or nothing (services.import_statement). Run again, a file imported before books
    nothing, and a finished job is left alone. The job's result: the import's counts, its rows and
    a link to the queue of unmatched payments."""
    from datetime import date

    from flask import current_app, url_for

    from caseapp.core import jobs
    from caseapp.core.audit import Actor
    from caseapp.core.filestore import FileStore
    from caseapp.core.uow import unit_of_work
    from caseapp.extensions import get_session
    from caseapp.payments import services

    def work(progress):
        store = FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])
        data = store.read(sha256)
        progress(0, 1, filename)
        with unit_of_work(get_session()) as session:
            result = services.import_statement(session, store, Actor(user_id, login), data, filename=filename,
                                               today=date.fromisoformat(day)).as_dict()
        with current_app.test_request_context():
            result["url"] = url_for("PaymentView.unmatched")
        return result

    return jobs.run_job(job_id, work)
