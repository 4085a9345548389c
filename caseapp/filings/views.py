"""The filings page of a case (`/filings/case/<ref>`): every route of the case's country with
open/closed and the reasons in words, a Generate button per open route (Filing write), the case's
filings with their files, hashes, who and when; the files' downloads; and the Filings card on the
case page (the `case_filings` Jinja global). Thin: parse, call a service, render."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext

from caseapp.core.clock import today
from caseapp.core.errors import NotFound
from caseapp.core.views import file_store
from caseapp.core.web import can, current_actor, run_action
from caseapp.extensions import get_session
from caseapp.filings import FILING, services


def _case(session, ref: str):
    from caseapp.cases.services import load_case_file

    return load_case_file(session, ref)


class FilingsView(BaseView):
    route_base = "/filings"
    class_permission_name = FILING
    method_permission_name = {"case": "read", "download": "read", "generate": "write"}

    @expose("/case/<ref>")
    @has_access
    def case(self, ref: str):
        session = get_session()
        try:
            case = _case(session, ref[:20])
        except NotFound:
            abort(404)
        checks = services.route_checks(session, case, today=today())
        return self.render_template("filings/case.html", case=case, checks=checks,
                                    route_names={c.route: c.name for c in checks},
                                    filings=services.filings_of(session, case.id), can_write=can("write", FILING))

    @expose("/case/<ref>/generate", methods=["POST"])
    @has_access
    def generate(self, ref: str):
        route_id = (request.form.get("route") or "")[:40]

        def action(session):
            return services.generate(session, current_actor(), _case(session, ref[:20]), route_id,
                                     store=file_store(), today=today())

        run_action(action, lambda filing: gettext("Filing generated: %(count)s files stored on the case.",
                                                  count=len(filing.files)))
        return redirect(url_for("FilingsView.case", ref=ref[:20]))

    @expose("/<int:filing_id>/files/<int:file_id>")
    @has_access
    def download(self, filing_id: int, file_id: int):
        try:
            found = services.file_of(get_session(), filing_id, file_id)
        except NotFound:
            abort(404)
        response = Response(file_store().read(found.file_sha256), mimetype=found.media_type)
        response.headers["Content-Disposition"] = f'attachment; filename="{found.name}"'
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        return response


def case_filings(case) -> dict:
    """What the case page's Filings card shows: the routes open, the last filings."""
    if not can("read", FILING):
        return {"visible": False}
    session = get_session()
    checks = services.route_checks(session, case, today=today())
    return {"visible": True, "open": [c for c in checks if c.open], "closed": [c for c in checks if not c.open],
            "route_names": {c.route: c.name for c in checks},
            "filings": services.filings_of(session, case.id)[:3]}


def register(app, appbuilder) -> None:
    app.jinja_env.globals["case_filings"] = case_filings
    appbuilder.add_view_no_menu(FilingsView)
