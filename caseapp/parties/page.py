"""The party page (/parties/<id>): the postal address with its source, the address candidates
side by side ("use this"), a form to correct the address by hand, the numbers found, the
commercial verdict with its reasons, duplicates to merge, the cleared flag, and "look up".
Thin: parse the form, call parties.services, render."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext, lazy_gettext, ngettext

from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.web import can, current_actor, record_id, run_action, version_seen
from caseapp.extensions import get_session
from caseapp.parties import PARTY, services

SOURCE_WORDS = {"legal_notice": lazy_gettext("the site's legal notice"),
                "structured_data": lazy_gettext("the site's structured data (schema.org)"),
                "rdap": lazy_gettext("the domain's registration (RDAP)"),
                "manual": lazy_gettext("entered by hand"), "merge": lazy_gettext("a merged duplicate"),
                "lookup": lazy_gettext("the site (address lookup)"),
                "site_name": lazy_gettext("the site's name (until the address lookup)")}
VERDICT_WORDS = {"commercial": lazy_gettext("commercial"), "private": lazy_gettext("private"),
                 "unknown": lazy_gettext("not known")}
SIGNAL_WORDS = {"vat_id": lazy_gettext("VAT ID on the site"), "register_number": lazy_gettext("company register number"),
                "legal_form": lazy_gettext("legal form in the name"), "shop": lazy_gettext("a shop (cart, prices)"),
                "business_listing": lazy_gettext("business listing (schema.org)"),
                "ads": lazy_gettext("advertising"), "affiliate": lazy_gettext("affiliate links"),
                "private_site": lazy_gettext("calls itself a private site")}
WHY_WORDS = {"vat_id": lazy_gettext("same VAT ID"), "register_number": lazy_gettext("same register number"),
             "address": lazy_gettext("same address")}


class PartyPageView(BaseView):
    route_base = "/parties"
    class_permission_name = PARTY
    method_permission_name = {"page": "read", "lookup": "lookup", "use": "write", "correct": "write",
                              "merge": "merge", "clear": "clear"}
    base_permissions = ["can_read", "can_lookup", "can_write", "can_merge", "can_clear"]

    @expose("/<int:party_id>")
    @has_access
    def page(self, party_id: int):
        session = get_session()
        try:
            party = services.get_party(session, party_id)
        except NotFound as error:
            flash(str(error), "danger")
            return abort(404)
        merged_into = services.get_party(session, party.merged_into_id) if party.merged_into_id else None
        return self.render_template(
            "parties/party.html", party=party, candidates=services.candidates_of(session, party.id),
            sources=services.field_sources(session, party.id), duplicates=services.duplicates_of(session, party.id),
            merged_into=merged_into, source_words=SOURCE_WORDS, verdict_words=VERDICT_WORDS,
            signal_words=SIGNAL_WORDS, why_words=WHY_WORDS, prefill=request.args,
            can={a: can(a, PARTY) for a in ("write", "lookup", "merge", "clear")})

    def _back(self, party_id: int, anchor: str | None = None):
        return redirect(url_for("PartyPageView.page", party_id=party_id) + (f"#{anchor}" if anchor else ""))

    @expose("/<int:party_id>/lookup", methods=["POST"])
    @has_access
    def lookup(self, party_id: int):
        from caseapp.parties.lookup.chain import lookup
        from caseapp.parties.lookup.pages import configured_fetcher

        url = (request.form.get("url") or "").strip()
        if not url:
            flash(gettext("Say which site to look up (the party has none on file)."), "danger")
            return self._back(party_id)
        try:
            found = lookup(url, fetcher=configured_fetcher(current_app.config))     # the fetching, outside the transaction
        except InvalidInput as error:
            flash(gettext("The site could not be looked up: %(error)s", error=str(error)), "danger")
            return self._back(party_id)

        def action(session):
            return services.lookup_site(session, current_actor(), url, party_id=party_id, found=found)

        run_action(action, lambda result: ngettext(
            "Looked up: %(num)d address found, verdict %(verdict)s.",
            "Looked up: %(num)d addresses found, verdict %(verdict)s.", len(result[1].candidates),
            verdict=str(VERDICT_WORDS.get(result[1].commercial.verdict, "")) if result[1].commercial else "—"))
        return self._back(party_id, "candidates")

    @expose("/<int:party_id>/candidates/<int:candidate_id>/use", methods=["POST"])
    @has_access
    def use(self, party_id: int, candidate_id: int):
        def action(session):
            return services.choose_candidate(session, current_actor(), party_id, candidate_id,
                                             seen_version=version_seen(request.form.get("version")))

        run_action(action, gettext("The party's address is now the one chosen."))
        return self._back(party_id)

    @expose("/<int:party_id>/address", methods=["POST"])
    @has_access
    def correct(self, party_id: int):
        form = request.form

        def action(session):
            return services.correct_address(
                session, current_actor(), party_id, seen_version=version_seen(form.get("version")),
                reason=form.get("reason"),
                **{field: form.get(field) for field in ("name", "street", "postal_code", "city", "country", "email",
                                                        "phone") if field in form})

        if not run_action(action, gettext("Address corrected; the change is in the audit trail.")):
            return redirect(url_for("PartyPageView.page", party_id=party_id,
                                    **{k: v for k, v in form.items() if k not in ("csrf_token", "version")})
                            + "#correct")   # the typed input is kept
        return self._back(party_id)

    @expose("/<int:party_id>/merge", methods=["POST"])
    @has_access
    def merge(self, party_id: int):
        def action(session):
            other = record_id(request.form.get("other_id"), gettext("Party"),
                              missing=gettext("Say which party to merge into this one."))
            return services.merge_parties(session, current_actor(), party_id, other)

        run_action(action, gettext("Merged: the duplicate's cases and site are now this party's."))
        return self._back(party_id)

    @expose("/<int:party_id>/clear", methods=["POST"])
    @has_access
    def clear(self, party_id: int):
        def action(session):
            return services.clear_party(session, current_actor(), party_id,
                                        cleared=request.form.get("cleared") == "1", note=request.form.get("note"),
                                        seen_version=version_seen(request.form.get("version")))

        run_action(action, gettext("Saved."))
        return self._back(party_id)
