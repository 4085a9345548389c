"""/jobs/<id>: a background job's state, progress and outcome as JSON, for the page that started it
(static/caseapp/jobs.js polls it; templates/caseapp/_job.html shows it). Only the person who
started the job sees it, and Admin; anyone else gets 404, as if there were no such job."""
from __future__ import annotations

from flask import jsonify
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext

from caseapp.core import JOB

JOB_WORDS = {
    "queued": lazy_gettext("Waiting for a worker…"), "running": lazy_gettext("Working…"),
    "done": lazy_gettext("Done."), "failed": lazy_gettext("Failed:"),
    "progress": lazy_gettext("%(done)s of %(total)s"), "open": lazy_gettext("Open the result"),
    "lost": lazy_gettext("The job's state could not be read (%(status)s); reload the page."),
}


class JobView(BaseView):
    route_base = "/jobs"
    class_permission_name = JOB
    method_permission_name = {"status": "read"}
    default_view = "status"

    @expose("/<int:job_id>")
    @has_access
    def status(self, job_id: int):
        from flask_login import current_user

        from caseapp.core.jobs import Job, visible_to
        from caseapp.extensions import get_session

        job = get_session().get(Job, job_id, populate_existing=True)
        if job is None or not visible_to(job, current_user):
            response = jsonify(error=f"No job {job_id}.")
            response.status_code = 404
            return response
        response = jsonify(job.as_dict())
        response.headers["Cache-Control"] = "no-store"
        return response


def register(app, appbuilder) -> None:
    app.jinja_env.globals["job_words"] = JOB_WORDS
    appbuilder.add_view_no_menu(JobView)
