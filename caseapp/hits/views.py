"""The triage page: a day's hits decided by keyboard, one at a time or thousands at once.
Thin: parse the request, call a service, render or answer the page's script in JSON."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from flask import flash, jsonify, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import format_number, gettext, lazy_gettext, ngettext

from caseapp.core.clock import today
from caseapp.core.errors import InvalidInput
from caseapp.core.web import (attempt, can, current_actor, lenient_id, record_id, redirect_back, shown,
                              wants_json)
from caseapp.extensions import get_session
from caseapp.hits import DOMAIN, HITS, services
from caseapp.hits.models import ILLEGAL, LEGAL, NO_MATCH, STATUS_LABELS, STATUSES, WHITELISTED
from caseapp.clients.services import client_choices, work_titles

# A file of sightings imported on the page: at most this many lines (a crawler's day on a site; more
# in several files). What the page says when its job is done (jobs.js fills in the job's counts).
IMPORT_MAX_LINES = 10_000
IMPORT_DONE_WORDS = lazy_gettext("%(read)s lines: %(matched)s matched (%(hits_created)s new hits to decide), "
                                 "%(duplicates)s seen before, %(errors)s with errors.")

# What a decision made of the hits, in the handler's words.
DECISION_WORDS = {LEGAL: lazy_gettext("legal (licensed)"), ILLEGAL: lazy_gettext("illegal"),
                  WHITELISTED: lazy_gettext("whitelisted"), NO_MATCH: lazy_gettext("no match")}
# The words triage.js says (triage.html hands them over as JSON; %(name)s is filled in by the script).
SCRIPT_WORDS = {
    "legal": lazy_gettext("Legal (licensed)"),
    "illegal": lazy_gettext("Illegal"),
    "whitelisted": lazy_gettext("Whitelisted"),
    "no_match": lazy_gettext("No match"),
    "new": lazy_gettext("To decide"),
    "unknown": lazy_gettext("unknown"),
    "generic_domain": lazy_gettext("(a generic domain: find the site owner's address)"),
    "cluster_sighting": lazy_gettext("this picture matches %(num)s works"),
    "cluster_site": lazy_gettext("this work on %(num)s pages of %(site)s"),
    "single": lazy_gettext("a single hit"),
    "feasible": lazy_gettext("feasible"),
    "not_feasible": lazy_gettext("not feasible"),
    "claim": lazy_gettext("claim %(amount)s"),
    "expected": lazy_gettext("expected value %(value)s"),
    "mode_side": lazy_gettext("side by side · O overlays"),
    "mode_fade": lazy_gettext("faded onto the work · O flickers"),
    "mode_flicker": lazy_gettext("flickering on the work · O side by side"),
    "server_answered": lazy_gettext("The server answered %(status)s. Reload the page and try again."),
    "unreachable": lazy_gettext("The server cannot be reached. Nothing was changed; try again."),
    "open_cases": lazy_gettext("Open %(refs)s."),
    "whitelist_one": lazy_gettext("Whitelist %(site)s for %(client)s: %(count)s hit to decide on it becomes "
                                  "whitelisted, and no new hits are made on it for this client."),
    "whitelist_many": lazy_gettext("Whitelist %(site)s for %(client)s: %(count)s hits to decide on it become "
                                   "whitelisted, and no new hits are made on it for this client."),
    "whitelist": lazy_gettext("Whitelist"),
    "cancel": lazy_gettext("Cancel"),
    "nothing_to_undo": lazy_gettext("Nothing to undo: you have made no decision on this page."),
    "key_next": lazy_gettext("next hit"),
    "key_previous": lazy_gettext("previous hit"),
    "key_overlay": lazy_gettext("overlay: side by side, faded, flickering"),
    "key_site": lazy_gettext("select by site"),
    "key_select": lazy_gettext("select or unselect this hit"),
    "key_page": lazy_gettext("select every hit on this page (again: none)"),
    "key_legal": lazy_gettext("legal: licensed (this hit, or the selected ones)"),
    "key_illegal": lazy_gettext("illegal: goes into a draft case"),
    "key_whitelist": lazy_gettext("whitelist this site for the client (asks first)"),
    "key_no_match": lazy_gettext("no match"),
    "key_undo": lazy_gettext("undo your last decision"),
    "key_confirm": lazy_gettext("confirm (when asked)"),
    "key_cancel": lazy_gettext("cancel (when asked)"),
}
UNDO_BY_KEY = lazy_gettext("U undoes.")   # said after a decision, in the person's language
UNDO_ON_TRIAGE = lazy_gettext("The triage page can undo it (your last decision).")


def hits_words(n: int) -> str:
    """"1 hit", "2 hits" (and whatever plural forms a translation has)."""
    return ngettext("%(num)d hit", "%(num)d hits", n)


def hit_words(title: str, site: str) -> str:
    """A hit as people name it: its work's title and the site it was found on."""
    return gettext("\u201c%(title)s\u201d on %(site)s", title=title, site=site)


def chosen_words(names: dict[int, tuple[str, str]]) -> str:
    """The hits chosen on the page, in words: the one hit by name, else where they are."""
    if len(names) == 1:
        return hit_words(*next(iter(names.values())))
    sites = {site for _, site in names.values()}
    if len(sites) == 1:
        return gettext("the selected hits on %(site)s", site=next(iter(sites)))
    return gettext("the hits selected on the page")


_OLD_HIT_LABEL = re.compile(r"^hit (\d+)$")   # how single-hit decisions were named before they had words


def selection_words(session, selection: str) -> str:
    """A decision's stored selection, said by name (older decisions stored a hit's number)."""
    old = _OLD_HIT_LABEL.match(selection or "")
    if old:
        name = services.hit_names(session, [int(old.group(1))]).get(int(old.group(1)))
        if name:
            return hit_words(*name)
    return selection


def decision_message(outcome: services.DecisionOutcome, undo_hint=UNDO_BY_KEY) -> str:
    """What a decision did, said to the person who made it (its selection: the chosen hits in words)."""
    undo_hint = str(undo_hint)
    what = outcome.selection
    hits = hits_words(outcome.count)
    if outcome.kind == services.WHITELISTED_SITE:
        return gettext("Whitelisted %(what)s: %(hits)s whitelisted.", what=outcome.selection.removeprefix("whitelist "),
                       hits=hits) + " " + undo_hint
    if outcome.kind == services.LEFT_IN_CASES:
        return ngettext("Nothing changed: %(what)s is in a case; open the case and close it (e.g. licence shown) "
                        "instead.",
                        "Nothing changed: these %(num)d hits are in cases; open the cases and close them (e.g. "
                        "licence shown) instead.", outcome.left_in_cases, what=what)
    if outcome.kind == services.NOTHING:
        return gettext("Nothing changed: %(what)s was decided already, perhaps by someone else. Reload the page "
                       "to see the hits as they are.", what=what)
    message = gettext("Marked %(verdict)s: %(what)s (%(hits)s)", verdict=DECISION_WORDS[outcome.status], what=what,
                      hits=hits)
    if outcome.cases:
        message += "; " + ngettext("draft case %(refs)s", "draft cases %(refs)s", len(outcome.cases),
                                   refs=", ".join(outcome.cases))
    message += ". " + undo_hint
    if outcome.left_in_cases:
        message += " " + ngettext("%(num)d hit in a case was left as it is: close the case instead.",
                                  "%(num)d hits in cases were left as they are: close the cases instead.",
                                  outcome.left_in_cases)
    return message


def last_words(session, decision) -> str | None:
    """The person's last decision as the page names it, e.g. "“Harbour” on example.com →
    Illegal (1 hit, 2 Jun 2026 10:04)"."""
    if decision is None:
        return None
    from caseapp.core.formatting import timestamp

    return gettext("%(what)s \u2192 %(verdict)s (%(hits)s, %(when)s)",
                   what=selection_words(session, decision.selection),
                   verdict=str(STATUS_LABELS.get(decision.status, decision.status)), hits=hits_words(decision.count),
                   when=timestamp(decision.made_at))


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
    return record_id(text, gettext("Client"),
                     missing=gettext("Client: choose the client the whitelist is for, or all clients."))


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
                              "whitelist": "decide", "undo": "decide", "import_form": "import",
                              "import_file": "import"}
    base_permissions = HITS_PERMISSIONS

    @expose("/")
    @has_access
    def index(self):
        from flask_login import current_user

        session = get_session()
        selection = services.HitFilter.from_args(request.args)
        counts = services.hit_counts(session, selection.client_id)
        page = services.triage_page(session, selection, today(), after=lenient_id(request.args.get("after")),
                                    counts=counts)
        clients = client_choices(session)
        last = services.last_decision(session, current_user.id, current_user.username)
        return self.render_template(
            "hits/triage.html", page=page, selection=selection, clients=clients, client_names=dict(clients),
            described=selection.describe(services.selection_names(session, selection)),
            counts=counts, statuses=STATUSES,
            status_labels=STATUS_LABELS, bands=services.BANDS, ages=services.AGES,
            last=last, last_words=last_words(session, last),
            can_decide=can("decide", HITS), can_import=can("import", HITS), words=DECISION_WORDS,
            hit_words=hit_words, script_words=SCRIPT_WORDS,
            outlooks=services.outlooks(session, page.hits, today()))

    @expose("/import")
    @has_access
    def import_form(self):
        return self.render_template("hits/import.html", job_id=None, error=None, max_lines=format_number(IMPORT_MAX_LINES))

    @expose("/import", methods=["POST"])
    @has_access
    def import_file(self):
        """A crawler's file of sightings (JSON lines, as POST /api/v1/sightings takes them) ingested as
        a job: on a worker when a broker is configured, else in a thread of this process; this page
        shows its progress and then the counts, with a link to the hits to decide."""
        from flask import current_app
        from flask_login import current_user

        from caseapp.core.jobs import start_job
        from caseapp.hits.api import TooLarge, body_lines

        upload = request.files.get("file")
        error = None
        if upload is None or not upload.filename:
            error = gettext("File: choose a file of sightings, one JSON object a line.")
        else:
            try:
                lines = body_lines(upload.stream, max_bytes=current_app.config["MAX_CONTENT_LENGTH"] or 16 * 1024 ** 2,
                                   max_lines=IMPORT_MAX_LINES)
            except TooLarge:
                error = gettext("The file has more than %(num)s lines: split it and import the parts.",
                                num=format_number(IMPORT_MAX_LINES))
            except InvalidInput as refusal:
                error = str(refusal)
            else:
                if not any(text.strip() for _, text in lines):
                    error = gettext("The file is empty: nothing was imported.")
        if error:
            return self.render_template("hits/import.html", job_id=None, error=error,
                                        max_lines=format_number(IMPORT_MAX_LINES)), 400
        total = sum(1 for _, text in lines if text.strip())
        job_id = start_job(current_app._get_current_object(), "hits.ingest", "hits.ingest_sightings", current_user.id,
                           current_user.username, [list(line) for line in lines], started_by=current_user.id,
                           total=total)
        return self.render_template("hits/import.html", job_id=job_id, error=None, max_lines=format_number(IMPORT_MAX_LINES),
                                    job_done_words=IMPORT_DONE_WORDS), 202

    def _back(self):
        return redirect_back(request.form.get("next"), url_for("TriageView.index"))   # our own pages only

    def _answer(self, ok: bool, message: str, **data):
        """The page's script gets JSON; a plain form post gets a message and the page again."""
        if wants_json():
            if not ok:
                return jsonify(ok=False, error=message), 409
            return jsonify(ok=True, message=message, **data, **self._page_now())
        flash(message, "success" if ok else "danger")
        return self._back()

    def _page_now(self) -> dict:
        """What the page that asked shows, as it is after the change: the tabs' counts and the
        total of its selection (`view`: the page's query string), and the person's last
        decision (what U undoes now), for its script to put in place without a reload."""
        from flask_login import current_user

        session = get_session()
        view = request.form.get("view", "")
        selection = services.HitFilter.from_args(dict(parse_qsl(urlsplit(view).query or view.lstrip("?"))))
        last = services.last_decision(session, current_user.id, current_user.username)
        return {"counts": services.triage_counts(session, selection, today()),
                "last": {"id": last.id, "words": last_words(session, last)} if last else None}

    @expose("/decide", methods=["POST"])
    @has_access
    def decide(self):
        status = request.form.get("verdict", "")
        by_filter = request.form.get("scope") == "filter"   # everything the filter selects, however many

        def make(session):
            if by_filter:   # a value that means nothing is refused: it would widen the selection
                selection = services.HitFilter.from_args(request.form, strict=True)
                chosen, label, expect = (services.select_hits(session, selection, today()),
                                         gettext("all hits %(selection)s", selection=selection.describe(
                                             services.selection_names(session, selection))), selection.status)
            else:           # hits on the page
                chosen = [record_id(value, gettext("Hit")) for value in request.form.getlist("hit")]
                if not chosen:
                    raise InvalidInput(gettext("Select at least one hit first (X selects one, A the whole page)."))
                label = chosen_words(services.hit_names(session, chosen))
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
        if result.status == ILLEGAL and result.hits:   # evidence of the use, after the commit (issue 18)
            from flask import current_app

            from caseapp.evidence.tasks import capture_hits_soon

            capture_hits_soon(current_app._get_current_object(), result.hits)
            from caseapp.parties.tasks import lookup_sites_soon

            lookup_sites_soon(current_app._get_current_object(), services.sites_of_hits(get_session(), result.hits))
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
            decision_id = record_id(request.form.get("decision"), gettext("Decision"), missing=gettext(
                "Say which decision to undo (the triage page shows your last one); nothing was undone."))
            decision = services.undo(session, current_actor(), decision_id,
                                     others_allowed=can("undo_others", HITS))
            message = gettext("Undone: %(what)s (%(back)s).", what=selection_words(session, decision.selection),
                              back=ngettext("%(num)d hit back as it was", "%(num)d hits back as they were",
                                            decision.count))
            return message, decision.restored

        ok, result = attempt(action)
        if not ok:
            return self._answer(False, result)
        message, restored = result
        return self._answer(True, message, restored={str(hit): status for hit, status in restored.items()})


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
            if rule.work_id:
                title = work_titles(session, [rule.work_id]).get(rule.work_id, "")
                what = gettext("clearance of %(site)s for \u201c%(title)s\u201d", site=rule.site, title=title)
            else:
                what = gettext("whitelist of %(site)s", site=rule.site)
            return gettext("Removed the %(what)s: new hits on it are made again (hits it ruled out keep their "
                           "verdict).", what=what)

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
        flash(gettext("Rules applied to the undecided hits: %(whitelisted)d whitelisted, %(no_match)d no match "
                      "(score under %(threshold)s). Undo them on the triage page.", whitelisted=result["whitelisted"],
                      no_match=result["no_match"], threshold=f"{threshold:.2f}") if ok else result,
              "success" if ok else "danger")
        return self._to_rules()


def register(app, appbuilder) -> None:
    from caseapp.hits import api

    app.jinja_env.filters.update(hit_status=lambda s: str(STATUS_LABELS.get(s, s)))
    api.register(app)
    appbuilder.add_view_no_menu(TriageView)
    appbuilder.add_view_no_menu(RulesView)
