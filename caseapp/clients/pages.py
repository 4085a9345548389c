"""The client's page (/clients/<id>): who the client is, the contract in words and its history,
the mandate, bank accounts, whitelisted sites, cases, works, and what is missing before the
client's cases can go out. Thin: parse, call a service, render. Its forms post to views by
resource (Client, Contract, BankAccount), so the permission matrix decides each."""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_appbuilder import BaseView, expose, has_access

from caseapp.clients import BANK_ACCOUNT, CLIENT, CONTRACT, DOMAIN, banking, contracts, services
from caseapp.clients.models import WORK_STATUSES
from caseapp.clients.tax import TAX_STATUS_WORDS, vat_treatment
from caseapp.core.clock import today
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.formatting import amount_input, amount_typed, day_typed
from caseapp.core.money import Money
from caseapp.core.web import can, current_actor, lenient_id, run_action, version_seen
from caseapp.extensions import get_session

WORK_STATUS_WORDS = {"unverified": lazy_gettext("Unverified: ownership not checked yet"),
                     "verified": lazy_gettext("Verified: ownership checked"),
                     "disputed": lazy_gettext("Disputed: someone else may own it")}
WORK_STATUS_SHORT = {"unverified": lazy_gettext("unverified"), "verified": lazy_gettext("verified"),
                     "disputed": lazy_gettext("disputed")}
CLIENT_PERMISSIONS = [p.fab_name for p in DOMAIN.permissions if p.resource == CLIENT]
EDITABLE = ("name", "kind", "legal_form", "contact_name", "email", "phone", "street", "postcode", "city",
            "country", "language", "tax_status", "vat_id", "licensing_evidence")
# Tick boxes of the details form (an unticked box is not sent: the form says it showed them).
EVIDENCE_WORDS = {"none": lazy_gettext("none on file: claims use the rate courts give without proof"),
                  "professional": lazy_gettext("proof of professional work (portfolio, invoices, trade registration): "
                                               "claims use what courts award professionals")}
POLICY_FLAGS = ("pursues_private_users", "status_letters", "offers_without_handler")


def _to_page(client_id: int, anchor: str = "", **prefill):
    return redirect(url_for("ClientPageView.show", client_id=client_id, **prefill) + (f"#{anchor}" if anchor else ""))


class ClientPageView(BaseView):
    """One client on one screen."""

    route_base = "/clients"
    default_view = "show"
    class_permission_name = CLIENT
    method_permission_name = {"show": "read", "edit_details": "write", "upload_mandate": "write"}
    base_permissions = CLIENT_PERMISSIONS

    @expose("/<int:client_id>")
    @has_access
    def show(self, client_id: int):
        from caseapp.cases import lifecycle, services as cases

        session = get_session()
        try:
            client = services.get_client(session, client_id)
        except NotFound:
            abort(404)
        status = request.args.get("status")
        status = status if status in WORK_STATUSES else None
        all_cases = cases.client_cases(session, client.id)
        history = contracts.contract_history(session, client.id)
        current = contracts.current_contract(session, client.id)
        by_contract: dict[int | None, list] = {}
        for case in all_cases:
            by_contract.setdefault(case.contract_id, []).append(case)
        rules = []
        if can("read", "Hits"):
            from caseapp.hits import services as hits

            rules, _next = hits.list_rules(session, kind=hits.WHITELISTS, client_id=client.id, limit=200)
        return self.render_template(
            "clients/client.html", client=client, treatment=vat_treatment(client), tax_words=TAX_STATUS_WORDS,
            evidence_words=EVIDENCE_WORDS,
            contract=current, latest_contract=contracts.latest_contract_id(session, client.id),
            contract_words=contracts.contract_in_words(current, translate=True), history=history,
            by_contract=by_contract, percent=contracts.percent_text, money_of=Money,
            open_cases=[c for c in all_cases if c.stage != lifecycle.CLOSED],
            paid_cases=[c for c in all_cases if c.stage == lifecycle.PAID or c.closure_reason == "paid_in_full"],
            accounts=banking.accounts_of(session, client.id), account_words=banking.STATUS_WORDS,
            masked=banking.iban_masked, grouped=banking.iban_grouped, rules=[rule for rule, _title in rules],
            works=services.works_of(session, client.id, status=status), status=status,
            counts=services.work_status_counts(session, client.id), status_words=WORK_STATUS_WORDS,
            work_status_words=WORK_STATUS_SHORT, account_short=banking.STATUS_SHORT,
            missing=services.missing_before_cases(session, client.id), prefill=request.args,
            kinds=services.CLIENT_KINDS, legal_forms=("person", "company"),
            me=current_actor(), minimum_input=amount_input(Money(current.minimum_payout_minor, current.currency)),
            can={"write": can("write", CLIENT), "contract": can("write", CONTRACT),
                 "request": can("request", BANK_ACCOUNT), "confirm": can("confirm", BANK_ACCOUNT),
                 "whitelist": can("decide", "Hits")})

    @expose("/<int:client_id>/details", methods=["POST"])
    @has_access
    def edit_details(self, client_id: int):
        values = {field: request.form.get(field, "") for field in EDITABLE if field in request.form}
        if request.form.get("policy_shown") == "1":
            values.update({flag: request.form.get(flag) == "on" for flag in POLICY_FLAGS})

        def action(session):
            return services.edit_client(session, current_actor(), client_id,
                                        seen_version=version_seen(request.form.get("version")), **values)

        if run_action(action, gettext("Client saved.")):
            return _to_page(client_id, "details")
        return _to_page(client_id, "details", edit="1", **{f"f_{k}": v[:300] for k, v in values.items()
                                                           if isinstance(v, str)})

    @expose("/<int:client_id>/mandate", methods=["POST"])
    @has_access
    def upload_mandate(self, client_id: int):
        from caseapp.core.views import file_store

        upload = request.files.get("file")
        signed = (request.form.get("signed_on") or "").strip()

        def action(session):
            if upload is None or not upload.filename:
                raise InvalidInput(gettext("Mandate: choose the signed mandate's file (PDF, JPEG or PNG)."))
            data = upload.read(services.MANDATE_MAX_BYTES + 1)
            return services.record_mandate(session, file_store(), current_actor(), client_id, upload.filename,
                                           data, day_typed(signed, gettext("Signed on")), today=today(),
                                           seen_version=version_seen(request.form.get("version")))

        run_action(action, gettext("Mandate kept."))
        return _to_page(client_id, "mandate")


class ContractView(BaseView):
    """Changing a client's contract (for cases opened from now on)."""

    route_base = "/clients"
    class_permission_name = CONTRACT
    method_permission_name = {"change": "write"}

    @expose("/<int:client_id>/contract", methods=["POST"])
    @has_access
    def change(self, client_id: int):
        form = request.form
        typed = {k: (form.get(k) or "").strip() for k in ("out_of_court", "in_court", "minimum_payout", "floor",
                                                         "note")}

        def action(session):
            minimum = amount_typed(typed["minimum_payout"], "EUR", "Minimum payout") \
                if typed["minimum_payout"] else None
            return contracts.change_contract(
                session, current_actor(), client_id,
                share_out_of_court_bp=contracts.percent_bp(typed["out_of_court"], "Share out of court"),
                share_in_court_bp=contracts.percent_bp(typed["in_court"], "Share in court"),
                minimum_payout=minimum,
                settlement_floor_bp=contracts.percent_bp(typed["floor"], "Settlement floor") if typed["floor"] else None,
                note=typed["note"] or None, seen_contract=version_seen(form.get("contract")))

        if run_action(action, lambda c: gettext("Contract changed for cases opened from now on: %(terms)s",
                                         terms=contracts.contract_in_words(c, translate=True))):
            return _to_page(client_id, "contract")
        return _to_page(client_id, "contract", contract="1", **{f"c_{k}": v[:300] for k, v in typed.items()})


class BankAccountView(BaseView):
    """A client's payout account: asked for by one person, confirmed or rejected by another."""

    route_base = "/clients"
    class_permission_name = BANK_ACCOUNT
    method_permission_name = {"request_account": "request", "confirm": "confirm", "reject": "confirm"}

    @expose("/<int:client_id>/bank", methods=["POST"])
    @has_access
    def request_account(self, client_id: int):
        typed = {k: (request.form.get(k) or "").strip() for k in ("holder", "iban", "bic")}
        if run_action(lambda session: banking.request_account(session, current_actor(), client_id, typed["holder"],
                                                              typed["iban"], typed["bic"] or None),
                      gettext("Bank account asked for: a second person must confirm it before payouts go there.")):
            return _to_page(client_id, "bank")
        return _to_page(client_id, "bank", bank="1", **{f"b_{k}": v[:100] for k, v in typed.items()})

    def _decided(self, account_id: int, decide, message: str):
        result = {}

        def action(session):
            account = decide(session, banking.get_account(session, account_id))
            result["client"] = account.client_id
            return account

        run_action(action, message)
        client_id = result.get("client") or lenient_id(request.form.get("client"))
        return _to_page(client_id, "bank") if client_id else redirect(url_for("ClientView.list"))

    @expose("/bank/<int:account_id>/confirm", methods=["POST"])
    @has_access
    def confirm(self, account_id: int):
        seen = request.form.get("version")
        return self._decided(account_id, lambda session, account: banking.confirm_account(
            session, current_actor(), account.id, version_seen(seen)),
            gettext("Bank account confirmed: payouts go there from now on."))

    @expose("/bank/<int:account_id>/reject", methods=["POST"])
    @has_access
    def reject(self, account_id: int):
        seen, reason = request.form.get("version"), request.form.get("reason", "")
        return self._decided(account_id, lambda session, account: banking.reject_account(
            session, current_actor(), account.id, version_seen(seen), reason), gettext("Bank account rejected."))
