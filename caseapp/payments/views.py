"""The accountant's pages: the queue of unmatched payments (assign with one click), the import
page (upload a statement, see what became of each entry), a refund button on the case page.
Thin: each request calls a service in one transaction."""
from __future__ import annotations

from flask import current_app, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext, lazy_gettext

from caseapp.core.clock import today
from caseapp.core.errors import InvalidInput
from caseapp.core.jobs import broker_configured
from caseapp.core.money import Money
from caseapp.core.web import attempt, can, current_actor, run_action, version_seen
from caseapp.extensions import get_session
from caseapp.payments import PAYMENT, services


# What the import page says when an import that ran as a job is done (filled in by jobs.js).
IMPORT_DONE_WORDS = lazy_gettext("%(entries)s entries: %(matched)s matched, %(unmatched)s unmatched, "
                                 "%(duplicates)s imported before.")

# How a debit is booked from the reconciliation page, in words (services.DEBIT_KINDS says it in English).
DEBIT_KIND_WORDS = {"fee": lazy_gettext("a bank fee"), "office": lazy_gettext("the firm's own money moved to its office account")}


class PaymentView(BaseView):
    route_base = "/payments"
    class_permission_name = PAYMENT
    method_permission_name = {"unmatched": "read", "assign": "write", "upload": "write", "import_file": "write",
                              "refund": "write", "book_debit": "write"}

    @expose("/unmatched")
    @has_access
    def unmatched(self):
        session = get_session()
        payments = services.unmatched_payments(session)
        count, totals = services.unmatched_summary(session)
        suggestions = services.suggestions(session, payments)
        return self.render_template("payments/unmatched.html", payments=payments, count=count, totals=totals,
                                    suggestions=suggestions, can_write=can("write", PAYMENT),
                                    imports=list(services.imports(session, limit=5)))

    @expose("/<int:payment_id>/assign", methods=["POST"])
    @has_access
    def assign(self, payment_id: int):
        ref = (request.form.get("case") or "").strip()

        def action(session):
            if not ref:
                raise InvalidInput(gettext("Case: type the case reference, e.g. C-2026-000123."))
            cased = services.normalise_ref(ref)
            services.assign(session, current_actor(), payment_id, cased, today=today(),
                            seen_version=version_seen(request.form.get("version")))
            return cased

        run_action(action, lambda cased: gettext("Payment %(id)s booked to %(case)s.", id=payment_id, case=cased))
        return redirect(url_for("PaymentView.unmatched"))

    @expose("/import")
    @has_access
    def upload(self):
        return self.render_template("payments/import.html", result=None, error=None)

    @expose("/import", methods=["POST"])
    @has_access
    def import_file(self):
        from caseapp.core.views import file_store

        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return self.render_template("payments/import.html", result=None,
                                        error=gettext("File: choose a camt.053 XML or CSV statement file.")), 400
        data = upload.read()
        if broker_configured(current_app):
            return self._import_as_job(data, upload.filename)
        ok, result = attempt(lambda session: services.import_statement(
            session, file_store(), current_actor(), data, filename=upload.filename, today=today()).as_dict())
        return self.render_template("payments/import.html", result=result if ok else None,
                                    error=None if ok else result), (200 if ok else 400)

    def _import_as_job(self, data: bytes, filename: str):
        """With workers: the file into the store, a job queued; the page shows its progress, then
        the counts and a link to the queue (static/caseapp/jobs.js)."""
        from caseapp.core.jobs import start_job
        from caseapp.core.uow import unit_of_work
        from caseapp.core.views import file_store

        actor = current_actor()
        with unit_of_work(get_session()):
            sha256 = file_store().put(data)
        job_id = start_job(current_app._get_current_object(), "payments.import", "payments.import_statement",
                           sha256, filename[:255], actor.user_id, actor.name, today().isoformat(),
                           started_by=actor.user_id, total=1)
        return self.render_template("payments/import.html", result=None, error=None, job_id=job_id,
                                    job_done_words=IMPORT_DONE_WORDS), 202

    @expose("/<int:payment_id>/book", methods=["POST"])
    @has_access
    def book_debit(self, payment_id: int):
        """A debit of the statement nobody booked, booked from the reconciliation page (as a bank
        fee, or as the firm's money moved to its office account); back to that month."""
        form = request.form
        kind = form.get("as", "")

        def action(session):   # (no version: a debit is booked once, the second click is refused as booked)
            return services.book_debit(session, current_actor(), payment_id, kind)

        run_action(action, lambda booked: gettext("Payment %(id)s booked as %(kind)s (ledger transaction %(tx)s).",
                                                  id=payment_id, kind=DEBIT_KIND_WORDS.get(kind, kind), tx=booked.id))
        month = (form.get("month") or "").strip()[:7]
        return redirect(url_for("PayoutView.reconciliation", month=month) if month else
                        url_for("PayoutView.reconciliation"))

    @expose("/refund/<ref>", methods=["POST"])
    @has_access
    def refund(self, ref: str):
        run_action(lambda session: services.refund(session, current_actor(), ref, today=today()),
                   lambda row: gettext("Refund of %(amount)s recorded: a transfer to make (%(iban)s).",
                                       amount=Money(row.amount_minor, row.currency),
                                       iban=row.payee_iban or gettext("no IBAN known")))
        return redirect(url_for("CaseView.show", ref=ref) + "#payments")


def case_payments(case) -> dict:
    """The case page's payments section (a Jinja global: the cases domain does not know payments)."""
    if not can("read", PAYMENT):
        return {"visible": False}
    session = get_session()
    return {"visible": True, "payments": services.case_payments(session, case.id),
            "refunds": services.case_refunds(session, case.id), "money": services.case_money(session, case),
            "can_write": can("write", PAYMENT)}


def register(app, appbuilder) -> None:
    from caseapp.payments.words import Words

    app.jinja_env.globals["case_payments"] = case_payments
    app.jinja_env.globals["payment_words"] = Words
    app.jinja_env.globals["payment_money"] = lambda minor, currency: Money(int(minor), currency)
    appbuilder.add_view_no_menu(PaymentView)
