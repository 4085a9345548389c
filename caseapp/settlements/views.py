"""The case page's "Negotiation and settlement" section and its money card: offers (record,
accept, reject), the settlement with its instalment plan. Thin: parse, call a service, redirect."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext, lazy_gettext, ngettext

from caseapp.core.clock import today
from caseapp.core.formatting import amount_typed, day_typed, money
from caseapp.core.web import can, current_actor, record_id, run_action, version_seen, whole
from caseapp.extensions import get_session
from caseapp.settlements import SETTLEMENT, services
from caseapp.settlements.models import SIDES


# An offer's state in words (the code stays in the database and the command's output).
OFFER_STATE_WORDS = {"open": lazy_gettext("open"), "accepted": lazy_gettext("accepted"),
                     "rejected": lazy_gettext("rejected")}


def _case(session, ref: str):
    from caseapp.cases.services import load_case_file

    return load_case_file(session, ref)


def _back(ref: str):
    return redirect(url_for("CaseView.show", ref=ref) + "#settlement")


def _consent(form):
    by, how, on = form.get("consent_by"), form.get("consent_how"), (form.get("consent_on") or "").strip()
    return services.Consent.of(by, how, day_typed(on, gettext("Consent on")) if on else None)


class SettlementView(BaseView):
    route_base = "/cases"
    class_permission_name = SETTLEMENT
    method_permission_name = {"show": "read", "offer": "write", "decide": "write", "record": "write",
                              "cancel": "write"}

    @expose("/<ref>/settlement.json")
    @has_access
    def show(self, ref: str):
        """The case's offers, settlement, instalment states and money card as JSON (as the command's --json)."""
        from flask import abort, jsonify

        from caseapp.core.errors import NotFound

        session = get_session()
        try:
            return jsonify(services.show(session, _case(session, ref), today()))
        except NotFound:
            abort(404)

    @expose("/<ref>/offers", methods=["POST"])
    @has_access
    def offer(self, ref: str):
        form = request.form

        def action(session):
            case = _case(session, ref)
            return services.make_offer(session, current_actor(), case, side=form.get("side", ""),
                                       amount=amount_typed(form.get("amount", ""), case.currency, gettext("Amount")),
                                       note=form.get("note"),
                                       made_on=day_typed(form["made_on"], gettext("Made on")) if form.get("made_on") else today())

        run_action(action, lambda offer: gettext("Offer %(id)s recorded: %(amount)s.", id=offer.id,
                                                 amount=money(offer.amount)))
        return _back(ref)

    @expose("/<ref>/offers/<int:offer_id>", methods=["POST"])
    @has_access
    def decide(self, ref: str, offer_id: int):
        form = request.form

        def action(session):
            seen = version_seen(form.get("version"))
            case = _case(session, ref)
            if form.get("decision") == "reject":
                return services.reject_offer(session, current_actor(), case, offer_id, note=form.get("note"),
                                             seen_version=seen)
            return services.accept_offer(session, current_actor(), case, offer_id, consent=_consent(form),
                                         seen_version=seen)

        run_action(action, lambda offer: gettext("Offer %(id)s accepted. Record the settlement next.", id=offer.id)
                   if offer.state == "accepted" else gettext("Offer %(id)s rejected.", id=offer.id))
        return _back(ref)

    @expose("/<ref>/settlement", methods=["POST"])
    @has_access
    def record(self, ref: str):
        form = request.form

        def action(session):
            seen = version_seen(form.get("version"))
            case = _case(session, ref)
            first_due = (form.get("first_due") or "").strip()
            return services.record_settlement(
                session, current_actor(), case, amount=amount_typed(form.get("amount", ""), case.currency, gettext("Amount")),
                covers=form.get("covers", ""), today=today(),
                agreed_on=day_typed(form["agreed_on"], gettext("Agreed on")) if form.get("agreed_on") else today(),
                instalments=whole(form.get("instalments") or "1", gettext("Instalments"), low=1, high=services.MAX_INSTALMENTS),
                first_due=day_typed(first_due, gettext("First due")) if first_due else None,
                offer_id=record_id(form.get("offer"), gettext("Offer"), required=False), consent=_consent(form),
                seen_version=seen)

        run_action(action, lambda s: ngettext("Settlement recorded: %(amount)s.",
                                              "Settlement recorded: %(amount)s in %(num)d instalments.",
                                              max(len(s.instalments), 1), amount=money(s.amount)))
        return _back(ref)

    @expose("/<ref>/settlement/cancel", methods=["POST"])
    @has_access
    def cancel(self, ref: str):
        form = request.form

        def action(session):
            seen = version_seen(form.get("version"))
            case = _case(session, ref)
            return services.cancel_settlement(session, current_actor(), case, reason=form.get("reason", ""),
                                              to_stage=form.get("to_stage", ""), today=today(), seen_version=seen)

        run_action(action, lambda s: gettext("Settlement of %(amount)s cancelled; the claim less what was paid is due "
                                             "again.", amount=money(s.amount)))
        return _back(ref)


def case_settlement(case) -> dict:
    """What the case page's settlement section shows (a Jinja global, as letters' case_letters)."""
    if not can("read", SETTLEMENT):
        return {"visible": False}
    session = get_session()
    day = today()
    settlement = services.settlement_of(session, case.id)
    floor = services.floor_of(session, case)
    return {"visible": True, "can_write": can("write", SETTLEMENT), "floor": floor,
            "offers": [(o, floor.allows(o.amount)) for o in services.offers_of(session, case.id)],
            "settlement": settlement, "sides": SIDES, "side_words": services.SIDE_WORDS,
            "offer_state_words": OFFER_STATE_WORDS, "card_labels": services.CARD_LABELS,
            "instalments": services.instalment_states(session, settlement, day) if settlement else [],
            "card": services.money_card(session, case), "today": day}


def register(app, appbuilder) -> None:
    app.jinja_env.globals["case_settlement"] = case_settlement
    appbuilder.add_view_no_menu(SettlementView)
