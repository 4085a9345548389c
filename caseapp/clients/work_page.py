"""The work page (/works/<id>): the image, its ownership status, evidence (with forms to add
it), every check with its reason, conflicts with another client's work side by side, licence
sales, and the verify / dispute actions. Thin: parse the form, call clients.ownership, render."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext, lazy_gettext

from caseapp.clients import WORK, ownership
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.filestore import FileStore
from caseapp.core.formatting import amount_typed, day_typed
from caseapp.core.money import currency_code
from caseapp.core.clock import today
from caseapp.core.web import can, current_actor, record_id, run_action, version_seen
from caseapp.extensions import get_session

ICONS = {ownership.OK: ("✓", lazy_gettext("OK")), ownership.WARNING: ("!", lazy_gettext("Check this")),
         ownership.PROBLEM: ("✗", lazy_gettext("Problem")), ownership.UNKNOWN: ("?", lazy_gettext("Unknown"))}
# A work's ownership status as the pages say it (ownership.STATUS_LABELS stays English: `works show --json`)
STATUS_LABELS = {ownership.UNVERIFIED: lazy_gettext("Unverified"), ownership.VERIFIED: lazy_gettext("Verified"),
                 ownership.DISPUTED: lazy_gettext("Disputed")}


def _options() -> dict:
    config = current_app.config
    return {"store": FileStore(config["CASEAPP_FILESTORE_PATH"]), "agency_sites": config["CASEAPP_STOCK_AGENCY_SITES"]}


class WorkPageView(BaseView):
    route_base = "/works"
    class_permission_name = WORK
    method_permission_name = {"page": "read", "evidence": "write", "original": "write", "sale": "write",
                              "verify": "verify", "dispute": "verify", "unverify": "verify", "resolve": "verify"}

    @expose("/<int:work_id>")
    @has_access
    def page(self, work_id: int):
        session = get_session()
        try:
            work = ownership.get_work(session, work_id)
        except NotFound as error:
            flash(str(error), "danger")
            return abort(404)
        record = ownership.work_record(session, work, **_options())
        others = {c["other_work"]: ownership.get_work(session, c["other_work"]) for c in record["conflicts"]}
        return self.render_template("clients/work.html", work=work, record=record, others=others, icons=ICONS,
                                    status_labels=STATUS_LABELS, prefill=request.args, today=today(),
                                    can={a: can(a, WORK) for a in ("write", "verify")})

    def _back(self, work_id: int):
        return redirect(url_for("WorkPageView.page", work_id=work_id))

    def _act(self, work_id: int, do, success: str):
        def action(session):
            work = ownership.get_work(session, work_id)
            return do(session, work, version_seen(request.form.get("version")))

        run_action(action, success)
        return self._back(work_id)

    @expose("/<int:work_id>/evidence", methods=["POST"])
    @has_access
    def evidence(self, work_id: int):
        form = request.form

        def day(name, label):
            text = (form.get(name) or "").strip()
            return day_typed(text, label) if text else ("" if name in form else None)

        def do(session, work, seen):
            values = {"first_published_url": form.get("first_published_url"),
                      "first_published_on": day("first_published_on", gettext("Earlier publication date")),
                      "publication_country": form.get("publication_country"),
                      "us_registration_number": form.get("us_registration_number"),
                      "us_registered_on": day("us_registered_on", gettext("US registration date")),
                      "us_applied_on": day("us_applied_on", gettext("US application date")),
                      "agencies": form.get("agencies")}
            return ownership.record_evidence(session, current_actor(), work, today=today(), seen_version=seen,
                                             **values)

        return self._act(work_id, do, gettext("Evidence saved; the checks below are computed again."))

    @expose("/<int:work_id>/original", methods=["POST"])
    @has_access
    def original(self, work_id: int):
        upload = request.files.get("file")
        limit = current_app.config["CASEAPP_ORIGINAL_MAX_BYTES"]

        def do(session, work, seen):
            if upload is None or not upload.filename:
                raise InvalidInput(gettext("Original file: choose the camera's original or RAW file."))
            return ownership.add_original(session, _options()["store"], current_actor(), work,
                                          data=upload.read(limit + 1), filename=upload.filename,
                                          seen_version=seen, max_bytes=limit)

        return self._act(work_id, do, gettext("Original file kept as evidence."))

    @expose("/<int:work_id>/sales", methods=["POST"])
    @has_access
    def sale(self, work_id: int):
        form = request.form

        def do(session, work, seen):
            currency = currency_code(form.get("currency") or "")
            return ownership.add_sale(session, current_actor(), work,
                                      sold_on=day_typed((form.get("sold_on") or "").strip(), gettext("Sold on")),
                                      licensee=form.get("licensee"), usage=form.get("usage"),
                                      price=amount_typed(form.get("price") or "", currency, gettext("Price")), today=today())

        return self._act(work_id, do, gettext("Licence sale recorded; claims for this work use the median of its sales."))

    @expose("/<int:work_id>/verify", methods=["POST"])
    @has_access
    def verify(self, work_id: int):
        return self._act(work_id, lambda session, work, seen: ownership.verify(
            session, current_actor(), work, evidence=request.form.get("evidence"),
            despite=request.form.get("despite"), seen_version=seen, **_options()), gettext("Work verified."))

    @expose("/<int:work_id>/dispute", methods=["POST"])
    @has_access
    def dispute(self, work_id: int):
        return self._act(work_id, lambda session, work, seen: ownership.dispute(
            session, current_actor(), work, reason=request.form.get("reason"), seen_version=seen),
            gettext("Work disputed: its cases stay in checks until it is verified."))

    @expose("/<int:work_id>/unverify", methods=["POST"])
    @has_access
    def unverify(self, work_id: int):
        return self._act(work_id, lambda session, work, seen: ownership.unverify(
            session, current_actor(), work, reason=request.form.get("reason"), seen_version=seen),
            gettext("Work back to unverified."))

    @expose("/<int:work_id>/conflicts/<int:conflict_id>", methods=["POST"])
    @has_access
    def resolve(self, work_id: int, conflict_id: int):
        def do(session, work, seen):
            return ownership.resolve_conflict(session, current_actor(), conflict_id,
                                              owner_work_id=record_id(request.form.get("owner"), gettext("Owner work"),
                                                                      missing=gettext("Choose whose the image is.")),
                                              reason=request.form.get("reason"))

        return self._act(work_id, do, gettext("Conflict resolved."))


def register(app, appbuilder) -> None:
    appbuilder.add_view_no_menu(WorkPageView)
