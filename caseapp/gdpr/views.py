"""The administrator's personal-data page (/gdpr/): find a party, download what is held on
them (JSON, with sources); see what a purge would remove today (a dry run), and purge after
typing a confirmation. Thin: each request calls a gdpr service in one transaction."""
from __future__ import annotations

import json

from flask import Response, current_app, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext, lazy_gettext

from caseapp.core.clock import today
from caseapp.core.errors import InvalidInput
from caseapp.core.web import attempt, can, current_actor, run_action
from caseapp.extensions import get_session
from caseapp.gdpr import PERSONAL_DATA, services

# The kinds of record and the retention classes in words (a kind a new domain brings and that is
# not here yet shows its code).
KIND_WORDS = {
    "party": lazy_gettext("Parties"), "sighting": lazy_gettext("Sightings and their hits"),
    "case_item": lazy_gettext("Case items (pages of use)"), "case_note": lazy_gettext("Case notes"),
    "licence_defence": lazy_gettext("Licence defences"), "letter": lazy_gettext("Letters"),
    "payment": lazy_gettext("Payments"), "refund": lazy_gettext("Refunds"),
    "settlement_offer": lazy_gettext("Offers"), "settlement": lazy_gettext("Settlements"),
    "ledger_transaction": lazy_gettext("Ledger descriptions"),
    "evidence_capture": lazy_gettext("Captures of pages (files removed, hashes kept)"),
}
CLASS_WORDS = {
    "sighting": lazy_gettext("Sightings in no case (limitation, § 195, § 199 BGB)"),
    "party": lazy_gettext("Parties nobody claimed against (limitation, § 195, § 199 BGB)"),
    "case_file": lazy_gettext("Closed case files, letters (§ 257 HGB, § 147 AO: 6 years)"),
    "accounting": lazy_gettext("Books and accounting records (§ 257 HGB, § 147 AO: 10 years)"),
}

# What the administrator types to confirm a purge (a purge cannot be undone).
CONFIRM_WORD = "PURGE"


class PersonalDataView(BaseView):
    route_base = "/gdpr"
    class_permission_name = PERSONAL_DATA
    method_permission_name = {"index": "export", "export": "export", "plan": "purge", "purge": "purge"}

    @expose("/")
    @has_access
    def index(self):
        text = (request.args.get("q") or "").strip()[:200]
        found = services.find_parties(get_session(), text) if text else []
        return self.render_template("gdpr/index.html", q=text, found=found, can_purge=can("purge", PERSONAL_DATA))

    @expose("/export/<int:pk>")
    @has_access
    def export(self, pk: int):
        ok, result = attempt(lambda session: services.export_party(
            session, current_actor(), pk, retention_days=current_app.config["CASEAPP_RETENTION_DAYS"],
            controller=current_app.config.get("CASEAPP_FIRM_NAME", "")))
        if not ok:
            from flask import flash

            flash(result, "danger")
            return redirect(url_for("PersonalDataView.index"))
        body = json.dumps(result, ensure_ascii=False, indent=2)
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": f"attachment; filename=personal-data-party-{pk}.json",
            "Cache-Control": "no-store"})

    @expose("/purge")
    @has_access
    def plan(self):
        retention = services.retention(current_app.config["CASEAPP_RETENTION_DAYS"])
        session = get_session()
        plan = services.plan(session, today(), retention)
        session.rollback()
        return self.render_template("gdpr/purge.html", plan=plan, retention=retention.days, confirm_word=CONFIRM_WORD,
                                    kind_words=KIND_WORDS, class_words=CLASS_WORDS)

    @expose("/purge", methods=["POST"])
    @has_access
    def purge(self):
        retention = services.retention(current_app.config["CASEAPP_RETENTION_DAYS"])
        typed = (request.form.get("confirm") or "").strip()
        day = today()
        files: list[str] = []

        def action(session):
            if typed != CONFIRM_WORD:
                raise InvalidInput(gettext("Type %(word)s to confirm the purge: it cannot be undone.", word=CONFIRM_WORD))
            done, unnamed = services.purge(session, current_actor(), day, retention)
            files.extend(unnamed)
            return done

        if run_action(action, lambda done: gettext("%(records)s records purged (%(parties)s parties).",
                                                   records=len(done.all), parties=done.parties)):
            from caseapp.core.views import file_store

            services.discard_files(get_session(), file_store(), files)
        return redirect(url_for("PersonalDataView.plan"))


def register(app, appbuilder) -> None:
    appbuilder.add_view_no_menu(PersonalDataView)
    # The party page's link (one line in its template: {% include "gdpr/party_link.html" %}).
    app.jinja_env.globals["personal_data_link"] = lambda pk: (
        url_for("PersonalDataView.export", pk=pk) if pk and can("export", PERSONAL_DATA) else None)
