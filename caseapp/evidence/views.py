"""The evidence pages: one capture (`/evidence/<id>`: screenshot, times, hashes, manifest, files),
capturing a page on demand and checking whether an image is still online (POST), and the Evidence
section of the case page (the `case_evidence` Jinja global: the case page includes the section
without the cases domain knowing evidence). Thin: parse, call a service, render."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext, lazy_gettext

from caseapp.core.errors import NotFound
from caseapp.core.formatting import day as format_date
from caseapp.core.views import file_store
from caseapp.core.web import attempt, can, current_actor, record_id
from caseapp.evidence import EVIDENCE, services
from caseapp.evidence.manifest import MANIFEST
from caseapp.extensions import get_session

KIND_LABELS = {"hit": lazy_gettext("when the hit was decided illegal"), "on_demand": lazy_gettext("on demand"),
               "takedown_check": lazy_gettext("take-down check")}
OUTCOME_LABELS = {"captured": lazy_gettext("Image online"), "image_gone": lazy_gettext("Image gone")}
MEDIA = {".png": "image/png", ".html": "text/plain; charset=utf-8", ".json": "application/json",
         ".gz": "application/gzip", ".jpg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
         ".svg": "text/plain; charset=utf-8", ".pdf": "application/pdf"}


def _media(name: str) -> str:
    return next((m for ext, m in MEDIA.items() if name.endswith(ext)), "application/octet-stream")


def _case_page(case_id: int | None, fallback: str) -> str:
    from caseapp.cases.services import refs_by_id

    ref = refs_by_id(get_session(), [case_id]).get(case_id) if case_id else None
    return url_for("CaseView.show", ref=ref) + "#evidence" if ref else fallback


class EvidenceView(BaseView):
    route_base = "/evidence"
    class_permission_name = EVIDENCE
    method_permission_name = {"show": "read", "file": "read", "report": "read", "capture": "capture",
                              "check": "capture"}

    @expose("/<int:capture_id>")
    @has_access
    def show(self, capture_id: int):
        session, store = get_session(), file_store()
        try:
            row = services.get_capture(session, capture_id)
        except NotFound:
            abort(404)
        manifest = services.manifest_of(store, row)
        head = services.chain_head(session)
        return self.render_template(
            "evidence/capture.html", row=row, manifest=manifest, head=head, kinds=KIND_LABELS,
            outcomes=OUTCOME_LABELS, case_url=_case_page(row.case_id, ""), manifest_name=MANIFEST,
            exchanges=_exchanges(store, row), can_capture=can("capture", EVIDENCE))

    @expose("/<int:capture_id>/files/<path:name>")
    @has_access
    def file(self, capture_id: int, name: str):
        session, store = get_session(), file_store()
        try:
            data = services.file_of(store, services.get_capture(session, capture_id), name)
        except NotFound:
            abort(404)
        response = Response(data, mimetype=_media(name))
        disposition = "inline" if name.endswith((".png", ".jpg", ".gif", ".webp", ".pdf")) else "attachment"
        response.headers["Content-Disposition"] = f'{disposition}; filename="capture-{capture_id}-{name}"'
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        return response

    @expose("/<int:capture_id>/report.pdf")
    @has_access
    def report(self, capture_id: int):
        """The evidence report (PDF): made at the first download (naming the chain's head then) and
        kept, so every later download is the very same file."""
        from flask_babel import get_locale

        from caseapp.core.formatting import timestamp
        from caseapp.core.models import utcnow
        from caseapp.evidence.report import file_url, pdf

        session, store = get_session(), file_store()
        try:
            data = services.report_data(session, store, capture_id)
        except NotFound:
            abort(404)
        if data.row.purged_at:
            flash(gettext("The files of this capture were removed on %(day)s under the retention rules; "
                          "no report can be made from it any more.", day=format_date(data.row.purged_at)), "warning")
            return redirect(url_for("EvidenceView.show", capture_id=capture_id))
        if data.row.report_sha256 and not store.exists(data.row.report_sha256):
            flash(gettext("The evidence report kept for this capture (SHA-256 %(sha)s) is missing from the file "
                          "store, so no other one is made in its place. Ask an administrator to restore it from "
                          "the backup (caseapp evidence verify-store lists what is missing).",
                          sha=data.row.report_sha256[:16]), "danger")
            return redirect(url_for("EvidenceView.show", capture_id=capture_id))
        if data.row.report_sha256:   # the one made first, unchanged
            made = store.read(data.row.report_sha256)
        else:
            html = self.render_template("evidence/report.html", d=data, file_url=file_url,
                                        made=timestamp(utcnow()), lang=str(get_locale() or "en"))
            made = pdf(html, store)
            ok, kept = attempt(lambda s: services.keep_report(s, current_actor(), store, capture_id, made))
            if not ok:
                abort(409)
            made = store.read(kept.report_sha256)   # another download may have kept its report first: that one
        response = Response(made, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="evidence-report-{capture_id}.pdf"'
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @expose("/capture", methods=["POST"])
    @has_access
    def capture(self):
        """Capture a case item's page now (item) or a hit's (hit). Chromium works between two short
        transactions: where to look is read in one, what was captured is stored in the other."""
        form = request.form
        back = request.referrer or url_for("HomeView.index")
        item_id = form.get("item")

        def target(session):
            if item_id:
                found = services.item_target(session, record_id(item_id, gettext("Case item")))
                return found.item_id, found.page_url, found.image_url
            use = services.hit_target(session, record_id(form.get("hit"), gettext("Hit")))
            return use["hit_id"], use["page_url"], use["image_url"]

        ok, found = attempt(target)
        if not ok:
            flash(found, "danger")
            return redirect(back)
        key, page_url, image_url = found
        captured, error = services.take_or_error(page_url, image_url, services.Settings.of(current_app.config))
        if captured is None:
            flash(gettext("Nothing was captured: %(error)s", error=error), "danger")
            return redirect(back)
        keep = services.record_item_capture if item_id else services.record_hit_capture
        ok, row = attempt(lambda session: keep(session, current_actor(), file_store(), key, captured))
        if not ok:
            flash(row, "danger")
            return redirect(back)
        flash(gettext("Page captured: %(url)s, status %(status)s.", url=row.final_url, status=row.http_status),
              "success")
        return redirect(url_for("EvidenceView.show", capture_id=row.id))

    @expose("/check", methods=["POST"])
    @has_access
    def check(self):
        """Check now whether a case item's image is still online (the capture between two short
        transactions, as above)."""
        back = request.referrer or url_for("HomeView.index")
        words = {"gone": gettext("The image is no longer online: the case timeline says so, and the period of use "
                                 "ends today."),
                 "still_gone": gettext("The image is still not online."),
                 "back": gettext("The image is online again: the period of use goes on."),
                 "online": gettext("The image is still online."),
                 "unknown": gettext("The site answered with an error, so whether the image is still online is not "
                                    "known. Try again later."),
                 "unreachable": gettext("The site could not be reached, so nothing is known: an unreachable site "
                                        "is not a removed image. Try again later.")}
        ok, item = attempt(lambda session: services.takedown_target(
            session, record_id(request.form.get("item"), gettext("Case item"))))
        if not ok:
            flash(item, "danger")
            return redirect(back)
        captured, error = services.take_or_error(item.page_url, item.image_url, services.Settings.of(current_app.config))
        ok, result = attempt(lambda session: services.record_takedown(session, current_actor(), file_store(),
                                                                        item.item_id, captured, error=error))
        if not ok:
            flash(result, "danger")
            return redirect(back)
        flash(words[result.outcome] + (f" ({result.error})" if result.error else ""),
              "warning" if result.outcome in ("unknown", "unreachable") else "success")
        return redirect(_case_page(result.case_id, back))


def _exchanges(store, row) -> list:
    import json

    if not row.exchanges_sha256:   # purged
        return []
    try:
        return json.loads(store.read(row.exchanges_sha256))
    except (OSError, ValueError):
        return []


def case_evidence(case) -> dict:
    """What the case page's Evidence section shows."""
    if not can("read", EVIDENCE):
        return {"visible": False}
    found = services.evidence_for_case(get_session(), case.id)
    return {"visible": True, "captures": found.captures, "uses": found.items, "head": found.head,
            "can_capture": can("capture", EVIDENCE), "kinds": KIND_LABELS, "outcomes": OUTCOME_LABELS}


def register(app, appbuilder) -> None:
    app.jinja_env.globals["case_evidence"] = case_evidence
    appbuilder.add_view_no_menu(EvidenceView)
