"""The triage page: a day's hits decided by keyboard, one at a time or thousands at once.
Thin: parse the request, call a service, render or answer the page's script in JSON."""
from __future__ import annotations

from flask import flash, jsonify, request, url_for
from flask_appbuilder import BaseView, expose, has_access

from caseapp.core.clock import today
from caseapp.core.errors import InvalidInput
from caseapp.core.web import (attempt, can, current_actor, lenient_id, record_id, redirect_back, shown,
                              wants_json)
from caseapp.extensions import get_session
from caseapp.hits import DOMAIN, HITS, services
from caseapp.hits.models import ILLEGAL, LEGAL, NO_MATCH, STATUS_LABELS, STATUSES, WHITELISTED
from caseapp.clients.services import client_choices

# What a decision made of the hits, in the handler's words.
DECISION_WORDS = {LEGAL: "legal (licensed)", ILLEGAL: "illegal", WHITELISTED: "whitelisted", NO_MATCH: "no match"}
UNDO_BY_KEY = "U undoes."
UNDO_ON_TRIAGE = "The triage page can undo it (your last decision)."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def decision_message(outcome: services.DecisionOutcome, undo_hint: str = UNDO_BY_KEY) -> str:
    """What a decision did, said to the person who made it."""
    hits = _plural(outcome.count, "hit")
    if outcome.kind == services.WHITELISTED_SITE:
        return f"Whitelisted {outcome.selection.removeprefix('whitelist ')}: {hits} whitelisted. {undo_hint}"
    if outcome.kind == services.LEFT_IN_CASES:
        left = outcome.left_in_cases
        return (f"Nothing changed: {'this hit is' if left == 1 else f'these {left} hits are'} in a case; "
                "open the case and close it (e.g. licence shown) instead.")
    if outcome.kind == services.NOTHING:
        return ("Nothing changed: these hits were decided already, perhaps by someone else. "
                "Reload the page to see them as they are.")
    message = f"{hits} marked {DECISION_WORDS[outcome.status]}"
    if outcome.cases:
        message += f"; draft case{'s' if len(outcome.cases) > 1 else ''} {', '.join(outcome.cases)}"
    message += f". {undo_hint}"
    if outcome.left_in_cases:
        message += f" {_plural(outcome.left_in_cases, 'hit')} in cases left as they are: close the case instead."
    return message


# The "Hits" permissions, the same on every view that uses them: FAB syncs a resource's
# permissions view by view and would drop what one view lacks (can_ingest is checked by the
# crawler's REST endpoint, can_undo_others inside undo).
HITS_PERMISSIONS = [p.fab_name for p in DOMAIN.permissions if p.resource == HITS]


ALL_CLIENTS = "all"   # the explicit choice of a whitelist for every client


def client_scope(value) -> int | None:
    """Whom a whitelist is for: one client's number, or "all" said explicitly (None). A missing
    or malformed value is refused, never read as every client."""
    text = str(value or "").strip()
    if text == ALL_CLIENTS:
        return None
    return record_id(text, "Client", missing="Client: choose the client the whitelist is for, or all clients.")


def _expected_status(value) -> str | None:
    """The status the page showed the hits in (a decision leaves hits someone moved meanwhile)."""
    if not value:
        return None
    if value not in STATUSES:
        raise InvalidInput(f"Expected status: {shown(value)} is not one of {', '.join(STATUSES)}.")
    return value


class TriageView(BaseView):
    """Work and sighting side by side, one key per decision, bulk by filter, undo."""

    route_base = "/hits"
    default_view = "index"
    class_permission_name = HITS
    method_permission_name = {"index": "read", "whitelist_preview": "read", "decide": "decide",
                              "whitelist": "decide", "undo": "decide"}
    base_permissions = HITS_PERMISSIONS

    @expose("/")
    @has_access
    def index(self):
        from flask_login import current_user

        session = get_session()
        selection = services.HitFilter.from_args(request.args)
        page = services.triage_page(session, selection, today(), after=lenient_id(request.args.get("after")))
        clients = client_choices(session)
        return self.render_template(
            "hits/triage.html", page=page, selection=selection, clients=clients, client_names=dict(clients),
            counts=services.hit_counts(session, selection.client_id), statuses=STATUSES,
            status_labels=STATUS_LABELS, bands=services.BANDS, ages=services.AGES,
            last=services.last_decision(session, current_user.id, current_user.username),
            can_decide=can("decide", HITS), words=DECISION_WORDS,
            outlooks=services.outlooks(session, page.hits, today()))

    def _back(self):
        return redirect_back(request.form.get("next"), url_for("TriageView.index"))   # our own pages only

    def _answer(self, ok: bool, message: str, **data):
        """The page's script gets JSON; a plain form post gets a message and the page again."""
        if wants_json():
            return (jsonify(ok=True, message=message, **data) if ok else (jsonify(ok=False, error=message), 409))
        flash(message, "success" if ok else "danger")
        return self._back()

    @expose("/decide", methods=["POST"])
    @has_access
    def decide(self):
        status = request.form.get("verdict", "")
        by_filter = request.form.get("scope") == "filter"   # everything the filter selects, however many

        def make(session):
            if by_filter:   # a value that means nothing is refused: it would widen the selection
                selection = services.HitFilter.from_args(request.form, strict=True)
                chosen, label, expect = (services.select_hits(session, selection, today()),
                                         f"all hits {selection.describe()}", selection.status)
            else:           # hits on the page
                chosen = [record_id(value, "Hit") for value in request.form.getlist("hit")]
                if not chosen:
                    raise InvalidInput("Select at least one hit first (X selects one, A the whole page).")
                label = f"hit {chosen[0]}" if len(chosen) == 1 else f"{len(chosen)} hits selected on the page"
                expect = _expected_status(request.form.get("expect"))
            return services.decide(session, current_actor(), chosen, status, selection=label,
                                   today=today(), expect_status=expect)

        return self._decision(make)

    def _decision(self, make):
        """Make a decision in one transaction and say what it did (or why it was refused)."""
        def action(session):
            decision = make(session)
            return services.decision_outcome(session, decision)

        ok, result = attempt(action)
        if not ok:
            return self._answer(False, result)
        return self._answer(True, decision_message(result), decision=result.decision_id, status=result.status,
                            changed=result.hits, cases=result.cases, case_of=result.case_of)

    @expose("/whitelist/preview")
    @has_access
    def whitelist_preview(self):
        site = request.args.get("site", "")
        ok, result = attempt(lambda session: services.rule_preview(
            session, site=site, client_id=client_scope(request.args.get("client")), today=today()))
        if not ok:
            return jsonify(ok=False, error=result), 409
        return jsonify(ok=True, count=result, site=services.site_of(f"http://{site}"))

    @expose("/whitelist", methods=["POST"])
    @has_access
    def whitelist(self):
        return self._decision(lambda session: services.whitelist_site(
            session, current_actor(), site=request.form.get("site", ""),
            client_id=client_scope(request.form.get("client")), today=today(),
            note=f"whitelisted at triage by {current_actor().name}"))

    @expose("/undo", methods=["POST"])
    @has_access
    def undo(self):
        def action(session):
            decision_id = record_id(request.form.get("decision"), "Decision", missing=(
                "Say which decision to undo (the triage page shows your last one); nothing was undone."))
            decision = services.undo(session, current_actor(), decision_id,
                                     others_allowed=can("undo_others", HITS))
            hits = f"{decision.count} hit{'s' if decision.count != 1 else ''}"
            return f"Undone: {decision.selection} ({hits} back as they were)."

        ok, message = attempt(action)
        return self._answer(ok, message)


class RulesView(BaseView):
    """Whitelisted sites and cleared recipients: see them, add a whitelist (after seeing how
    many hits it changes), remove one, re-apply them all to the backlog."""

    route_base = "/hits/rules"
    default_view = "index"
    class_permission_name = HITS
    method_permission_name = {"index": "read", "whitelist": "decide", "remove": "decide", "apply": "decide"}
    base_permissions = HITS_PERMISSIONS

    @expose("/")
    @has_access
    def index(self):
        from flask import current_app

        session = get_session()
        kind = request.args.get("kind") if request.args.get("kind") in (services.WHITELISTS,
                                                                        services.CLEARANCES) else None
        client = request.args.get("client", "")
        site = (request.args.get("site") or "").strip()
        clients = client_choices(session)
        rows, next_before = services.list_rules(session, kind=kind, client_id=lenient_id(client), site=site or None,
                                                before=lenient_id(request.args.get("before")))
        preview = None
        if request.args.get("preview") and request.args.get("new_site"):
            ok, result = attempt(lambda s: services.rule_preview(
                s, site=request.args["new_site"], client_id=client_scope(request.args.get("new_client")),
                today=today()))
            preview = result if ok else None
            if not ok:
                flash(result, "danger")
        backlog = None
        if request.args.get("backlog") and can("decide", HITS):   # a count over every undecided hit: for deciders
            backlog = services.apply_rules(session, current_actor(), today=today(),
                                           min_score=current_app.config["CASEAPP_HIT_MIN_SCORE"], dry_run=True)
        return self.render_template(
            "hits/rules.html", rows=rows, next_before=next_before, kind=kind, client=client, site=site,
            clients=clients, client_names=dict(clients), preview=preview, backlog=backlog, can_decide=can("decide", HITS),
            may_remove={rule.id for rule, _ in rows if can("remove_others_rules", HITS)
                        or services.rule_made_by(session, current_actor(), rule)},
            min_score=current_app.config["CASEAPP_HIT_MIN_SCORE"], args=request.args)

    def _to_rules(self):
        """Back to the rules page, or to the page the form came from (a client's page)."""
        from caseapp.core.web import redirect_back

        return redirect_back(request.form.get("next"), url_for("RulesView.index"))

    @expose("/whitelist", methods=["POST"])
    @has_access
    def whitelist(self):
        note = (request.form.get("note") or "").strip() or None

        def action(session):
            decision = services.whitelist_site(session, current_actor(), site=request.form.get("site", ""),
                                               client_id=client_scope(request.form.get("client")), today=today(),
                                               note=note)
            return decision_message(services.decision_outcome(session, decision), UNDO_ON_TRIAGE)

        ok, message = attempt(action)
        flash(message, "success" if ok else "danger")
        return self._to_rules()

    @expose("/<int:rule_id>/remove", methods=["POST"])
    @has_access
    def remove(self, rule_id: int):
        def action(session):
            rule = services.remove_rule(session, current_actor(), rule_id,
                                        others_allowed=can("remove_others_rules", HITS))
            what = f"{rule.site} cleared for work {rule.work_id}" if rule.work_id else f"whitelist of {rule.site}"
            return f"Removed the {what}: new hits on it are made again (hits it ruled out keep their verdict)."

        ok, message = attempt(action)
        flash(message, "success" if ok else "danger")
        return self._to_rules()

    @expose("/apply", methods=["POST"])
    @has_access
    def apply(self):
        from flask import current_app

        threshold = current_app.config["CASEAPP_HIT_MIN_SCORE"]
        ok, result = attempt(lambda session: services.apply_rules(session, current_actor(), today=today(),
                                                                   min_score=threshold))
        flash(f"Rules applied to the undecided hits: {result['whitelisted']} whitelisted, {result['no_match']} "
              f"no match (score under {threshold:.2f}). Undo them on the triage page." if ok else result,
              "success" if ok else "danger")
        return self._to_rules()


def register(app, appbuilder) -> None:
    from caseapp.hits import api

    app.jinja_env.filters.update(hit_status=lambda s: STATUS_LABELS.get(s, s))
    api.register(app)
    appbuilder.add_view_no_menu(TriageView)
    appbuilder.add_view_no_menu(RulesView)
