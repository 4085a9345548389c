"""The accountant's pages: the home (the open batch, unmatched payments, the trial balance), a
batch (per client: cases, collected, split, VAT, net; approve/export/confirm buttons that respect
the four-eyes rule; the SEPA file and statements to download) and the month's reconciliation."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext, lazy_gettext

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.core.web import can, current_actor, run_action, version_seen
from caseapp.extensions import get_session
from caseapp.payments import PAYMENT
from caseapp.payouts import PAYOUT, reconcile, services


# A batch's state in words (the code stays in the database and the CLI's output).
STATE_WORDS = {"draft": lazy_gettext("draft"), "approved": lazy_gettext("approved"),
               "exported": lazy_gettext("exported"), "confirmed": lazy_gettext("confirmed")}


def _store():
    from caseapp.core.views import file_store

    return file_store()


def _day(text: str | None, field: str) -> date:
    from caseapp.core.formatting import iso_day

    try:
        return iso_day(text or "")
    except InvalidInput as error:
        raise InvalidInput(f"{field}: {error}") from None


class PayoutView(BaseView):
    route_base = "/payouts"
    class_permission_name = PAYOUT
    method_permission_name = {"home": "read", "batch": "read", "download": "read", "reconciliation": "read",
                              "run": "write", "export": "write", "confirm": "write", "sign_off": "write",
                              "approve": "approve"}

    @expose("/")
    @has_access
    def home(self):
        from caseapp.ledger import services as ledger

        session = get_session()
        rows = ledger.trial_balance(session)
        return self.render_template("payouts/home.html", open_batch=services.open_batch(session),
                                    batches=services.batches(session), rows=rows, totals=ledger.totals(rows),
                                    words=ledger.ACCOUNT_WORDS, today=date.today(), can_write=can("write", PAYOUT), Money=Money,
                                    state_words=STATE_WORDS)

    @expose("/run", methods=["POST"])
    @has_access
    def run(self):
        created = {}

        def action(session):
            batch = services.draft(session, current_actor(), _day(request.form.get("until"), gettext("Until")))
            created["id"] = batch.id
            return batch

        if run_action(action, lambda b: gettext("Payout batch %(id)s drafted: a second accountant approves it.", id=b.id)):
            return redirect(url_for("PayoutView.batch", batch_id=created["id"]))
        return redirect(url_for("PayoutView.home"))

    @expose("/<int:batch_id>")
    @has_access
    def batch(self, batch_id: int):
        from caseapp.core.errors import NotFound

        try:
            batch = services.load_batch(get_session(), batch_id)
        except NotFound:
            abort(404)
        actor = current_actor()
        return self.render_template("payouts/batch.html", batch=batch, Money=Money,
                                    vat_words=services.VAT_CODE_WORDS, state_words=STATE_WORDS, own=(batch.drafted_by_id == actor.user_id),
                                    can_write=can("write", PAYOUT), can_approve=can("approve", PAYOUT))

    def _act(self, batch_id: int, use_case, message):
        typed = request.form.get("version_seen")
        run_action(lambda session: use_case(session, current_actor(), batch_id, version_seen(typed)), message)
        return redirect(url_for("PayoutView.batch", batch_id=batch_id))

    @expose("/<int:batch_id>/approve", methods=["POST"])
    @has_access
    def approve(self, batch_id: int):
        return self._act(batch_id, services.approve, lambda _: gettext("Batch approved: it can be exported."))

    @expose("/<int:batch_id>/export", methods=["POST"])
    @has_access
    def export(self, batch_id: int):
        store, settings = _store(), current_app.config
        return self._act(batch_id, lambda s, a, b, v: services.export(s, a, b, store, settings=settings,
                                                                       seen_version=v),
                         lambda _: gettext("Batch exported: download the SEPA file and upload it to the bank."))

    @expose("/<int:batch_id>/confirm", methods=["POST"])
    @has_access
    def confirm(self, batch_id: int):
        return self._act(batch_id, services.confirm, lambda _: gettext("Transfers confirmed and booked."))

    @expose("/<int:batch_id>/file/<string:what>")
    @has_access
    def download(self, batch_id: int, what: str):
        """The SEPA file, or a client's statement: rendered from its record and stored the first
        time it is asked for (`services.statement_pdf`), read from the store after."""
        import io

        from caseapp.core.errors import NotFound
        from caseapp.core.web import attempt

        try:
            batch = services.get_batch(get_session(), batch_id)
        except NotFound:
            abort(404)
        if what == "sepa":
            if not batch.sepa_sha256:
                abort(404)
            content, name, mime = _store().read(batch.sepa_sha256), batch.sepa_filename, "application/xml"
        else:
            if not (what.isascii() and what.isdecimal() and len(what) <= 10):
                abort(404)
            store, settings, client_id = _store(), current_app.config, int(what)

            def statement(session):
                found = services.get_batch(session, batch_id)
                line = services.batch_line(session, found, client_id)
                return services.statement_filename(found, line), \
                    services.statement_pdf(session, store, found, line, settings)

            ok, result = attempt(statement)
            if not ok:
                abort(404)      # no such line, or not exported (yet): there is no statement to download
            name, content = result
            mime = "application/pdf"
        return send_file(io.BytesIO(content), mimetype=mime, as_attachment=True, download_name=name)

    @expose("/reconciliation")
    @has_access
    def reconciliation(self):
        session = get_session()
        month = request.args.get("month") or date.today().strftime("%Y-%m")
        typed = request.args.get("bank_balance")
        result, error = None, None
        try:
            balance = Money.parse_plain(typed, "EUR") if typed else None
            result = reconcile.reconcile(session, month, balance, _client_money_account())
        except InvalidInput as refused:
            error = str(refused)
        return self.render_template("payouts/reconciliation.html", month=month, typed=typed or "", result=result,
                                    error=error, sign_offs=reconcile.sign_offs(session),
                                    can_write=can("write", PAYOUT), can_book=can("write", PAYMENT),
                                    account_words=reconcile.ACCOUNT_WORDS)

    @expose("/reconciliation/sign-off", methods=["POST"])
    @has_access
    def sign_off(self):
        month, typed = request.form.get("month", ""), request.form.get("bank_balance") or ""

        def action(session):
            balance = Money.parse_plain(typed, "EUR") if typed else None
            return reconcile.sign_off(session, current_actor(), month, balance, request.form.get("note"),
                                      _client_money_account())

        run_action(action, lambda _: gettext("%(month)s signed off.", month=month))
        return redirect(url_for("PayoutView.reconciliation", month=month, bank_balance=typed or None))


def _client_money_account() -> str | None:
    return current_app.config.get("CASEAPP_FIRM_IBAN") or None


def register(app, appbuilder) -> None:
    appbuilder.add_view_no_menu(PayoutView)
