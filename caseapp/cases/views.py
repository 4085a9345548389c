"""The handler's queue and the case page. Thin: parse, call a service, render."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import format_number, gettext, lazy_gettext, lazy_pgettext
from flask_appbuilder import BaseView, expose, has_access

from caseapp.cases import CASE, QUEUE, defences, lifecycle, services
from caseapp.core.filestore import FileStore
from caseapp.core.audit_trail import case_timeline
from caseapp.core.audit_words import of_app as audit_words_of
from caseapp.core.clock import day_of, today
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.formatting import amount_typed, day, day_typed
from caseapp.core.web import can, current_actor, lenient_id, record_id, run_action, shown, version_seen
from caseapp.core.page_reads import page_reads
from caseapp.extensions import get_session
from caseapp.feasibility import services as feasibility
from caseapp.feasibility import wording as feasibility_wording
from caseapp.clients.services import client_choices


# --- the keys a page offers --------------------------------------------------------------------

@dataclass(frozen=True)
class Key:
    """A key (or a pair, J/K) on a page's legend: what it does, the permission it needs, and
    whether it applies to the case shown (a closed case has nothing to edit or close)."""

    keys: tuple[str, ...]          # as keys.js names them: "j", "Enter", "/"
    does: str                      # lazy_gettext: in the reader's words where the legend is drawn
    needs: tuple[str, str] | None = None           # (action, resource) in the permission matrix
    applies: Callable[[object], bool] | None = None  # given the case shown

    @property
    def shown(self) -> tuple[str, ...]:
        return tuple(k.upper() if len(k) == 1 else k for k in self.keys)


def _is_open(case) -> bool:
    return case is not None and case.stage != lifecycle.CLOSED


def _closable(case) -> bool:
    return case is not None and lifecycle.closable(case.stage, case.held_from_stage)


PAGE_KEYS: dict[str, tuple[Key, ...]] = {
    "queue": (
        Key(("j", "k"), lazy_gettext("next/previous")),
        Key(("Enter",), lazy_pgettext("key", "open"), needs=("read", CASE)),
        Key(("t",), lazy_gettext("take next"), needs=("take", QUEUE)),
        Key(("m",), lazy_gettext("my cases")),
        Key(("u",), lazy_gettext("unassigned")),
        Key(("o",), lazy_gettext("my overdue")),
        Key(("/",), lazy_gettext("filter")),
        Key(("n",), lazy_gettext("next page")),
        Key(("?",), lazy_gettext("all keys")),
    ),
    "case": (
        Key(("n",), lazy_gettext("note"), needs=("note", CASE), applies=_is_open),
        Key(("e",), lazy_gettext("edit"), needs=("edit", CASE), applies=_is_open),
        Key(("c",), lazy_gettext("close"), needs=("change_stage", CASE), applies=_closable),
        Key(("r",), lazy_gettext("reopen"), needs=("reopen", CASE), applies=lambda case: not _is_open(case)),
        Key(("q",), lazy_gettext("back to queue"), needs=("read", QUEUE)),
        Key(("?",), lazy_gettext("all keys")),
    ),
}


def page_keys(page: str, case=None) -> list[Key]:
    """The keys the logged-in user can use on `page` (and on `case`, for the case page): the
    permission matrix decides, so a legend never offers a key its reader cannot use. The pages'
    legends list them, and keys.js binds only the keys its page's legend lists."""
    return [key for key in PAGE_KEYS[page]
            if (key.needs is None or can(*key.needs)) and (key.applies is None or key.applies(case))]


def person_name(user) -> str:
    """A user as people call them: first and last name ("Hanna Berger"); the login if the
    account has no name."""
    if user is None:
        return gettext("nobody")
    name = " ".join(part for part in (user.first_name, user.last_name) if part and part.strip())
    return name or user.username


class QueueView(BaseView):
    """The case handler's home: my cases and unassigned ones, what is due first."""

    route_base = "/queue"
    default_view = "index"
    class_permission_name = QUEUE
    method_permission_name = {"index": "read", "take_next": "take"}

    def _filters(self, source, *, strict: bool = False) -> dict:
        """The queue's filters from its query string (a value that means nothing is ignored), or,
        `strict`, from "take next" (refused: a typo must not widen what is taken to any case)."""
        stage = source.get("stage") or None
        country = (source.get("country") or "").strip().upper() or None
        if strict and stage and stage not in lifecycle.STAGES:
            raise InvalidInput(f"Stage: {shown(stage)} is not one of {', '.join(lifecycle.OPEN_STAGES)}.")
        if strict and country and not (len(country) == 2 and country.isascii() and country.isalpha()):
            raise InvalidInput(f"Country: {shown(country)} is not a two-letter country code.")
        if stage and stage not in lifecycle.STAGES:
            stage = None
        if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
            country = None
        client = source.get("client")
        return {"stage": stage, "country": country,
                "client_id": record_id(client, gettext("Client"), required=False) if strict else lenient_id(client)}

    @expose("/")
    @has_access
    def index(self):
        from flask_login import current_user

        session = get_session()
        filters = self._filters(request.args)
        scope = request.args.get("scope", "mine")
        if scope not in services.QUEUE_SCOPES:
            scope = "mine"
        now = today()
        page_size = current_app.config["CASEAPP_QUEUE_PAGE_SIZE"]
        try:
            page = services.queue_page(session, scope=scope, user_id=current_user.id, today=now,
                                       after=request.args.get("after"), limit=page_size, **filters)
        except InvalidInput as error:
            flash(str(error), "danger")
            return redirect(url_for("QueueView.index", scope=scope))
        counts = services.queue_counts(session, current_user.id, now, **filters)
        if scope == "mine" and not page.cases and counts.unassigned and not request.args.get("after") \
                and "scope" not in request.args:
            scope = "unassigned"
            page = services.queue_page(session, scope=scope, user_id=current_user.id, limit=page_size, **filters)
        clients = client_choices(session)
        return self.render_template(
            "cases/queue.html", page=page, counts=counts, scope=scope, filters=filters,
            today=now, stages=lifecycle.OPEN_STAGES, clients=clients, can_take=can("take", QUEUE),
        )

    @expose("/take-next", methods=["POST"])
    @has_access
    def take_next(self):
        filters = self._filters(request.form)
        taken = {}

        def action(session):
            taken["case"] = services.take_next(session, current_actor(), **self._filters(request.form, strict=True))
            return taken["case"]

        if run_action(action):  # a refusal has flashed its own message
            case = taken["case"]
            if case:
                flash(gettext("%(ref)s is yours now: %(step)s.", ref=case.ref,
                              step=lifecycle.next_step_label(case.next_step) or gettext("open it")), "success")
                return redirect(url_for("CaseView.show", ref=case.ref))
            flash(gettext("No unassigned case matches these filters: nothing to take."), "info")
        return redirect(url_for("QueueView.index", scope="unassigned", **{
            "stage": filters["stage"] or "", "country": filters["country"] or "",
            "client": filters["client_id"] or ""}))


class CaseView(BaseView):
    """One case: everything needed to decide its next step on one screen."""

    route_base = "/cases"
    default_view = "show"
    class_permission_name = CASE
    method_permission_name = {"show": "read", "change_stage": "change_stage", "record_reply": "change_stage", "assign": "assign",
                              "reopen": "reopen",
                              "edit": "edit", "add_note": "note", "record_defence": "change_stage",
                              "decide_defence": "change_stage"}

    @expose("/<ref>")
    @has_access
    def show(self, ref: str):
        with page_reads():   # the cards ask the same questions (what it owes, its evidence): once each
            return self._show(ref)

    def _show(self, ref: str):
        from flask_login import current_user

        session = get_session()
        try:
            case = services.load_case_file(session, ref)
        except NotFound as error:
            flash(str(error), "danger")
            return redirect(url_for("QueueView.index")) if can("read", QUEUE) else abort(404)
        assignee = self.appbuilder.sm.get_user_by_id(case.assignee_id) if case.assignee_id else None
        closed = case.stage == lifecycle.CLOSED
        return self.render_template(
            "cases/case.html", case=case, today=today(), assignee=assignee, assignee_name=person_name(assignee),
            events=case_timeline(session, audit_words_of(current_app), case.id),
            targets=lifecycle.allowed_targets(case.stage, case.held_from_stage),
            action_labels=lifecycle.ACTION_LABELS, closure_reasons=lifecycle.closure_reasons_for(case.stage),
            closed_on=day_of(case.closed_at) if closed else None,
            reopens_to=lifecycle.reopen_target(case.closed_from_stage) if closed else None,
            reopen_max=lifecycle.REOPEN_REASON_MAX,
            reopen_max_shown=format_number(lifecycle.REOPEN_REASON_MAX),
            me=current_user, prefill=request.args, outlook=feasibility.assess_case(case, today()),
            blockers=services.gate_blockers(session, case) if case.stage in (lifecycle.NEW, lifecycle.CHECKING) else [],
            defences=defences.defences(session, case.id),
            can={a: can(a, CASE) for a in ("change_stage", "assign", "edit", "note", "reopen")},
        )

    def _back(self, ref: str, **prefill):
        return redirect(url_for("CaseView.show", ref=ref, **prefill))

    @staticmethod
    def _seen_version() -> int:
        """The case version the page showed: every change sends it, and a stale one is refused."""
        return version_seen(request.form.get("version"))

    @expose("/<ref>/stage", methods=["POST"])
    @has_access
    def change_stage(self, ref: str):
        target = request.form.get("target", "")
        reason = request.form.get("reason") or None
        note = (request.form.get("note") or "").strip() or None

        def action(session):
            case = services.get_case(session, ref)
            return services.change_stage(session, current_actor(), case, target, today=today(),
                                         reason=reason, note=note, seen_version=self._seen_version())

        run_action(action, self._moved)
        return self._back(ref)

    @staticmethod
    def _moved(case) -> str:
        """What a stage change did, in words: a closed case names its reason."""
        if case.stage == lifecycle.CLOSED:
            return gettext("%(ref)s is closed: %(reason)s. It has left the queue; Reopen on its page brings it back.",
                           ref=case.ref, reason=lifecycle.closure_label(case.closure_reason))
        if case.next_step:
            return gettext("%(ref)s is now %(stage)s. Next: %(step)s.", ref=case.ref,
                           stage=lifecycle.STAGE_LABELS[case.stage], step=lifecycle.next_step_label(case.next_step))
        return gettext("%(ref)s is now %(stage)s.", ref=case.ref, stage=lifecycle.STAGE_LABELS[case.stage])

    @expose("/<ref>/reopen", methods=["POST"])
    @has_access
    def reopen(self, ref: str):
        reason = request.form.get("reason", "")

        def action(session):
            case = services.get_case(session, ref)
            return services.reopen_case(session, current_actor(), case, reason=reason, today=today(),
                                        seen_version=self._seen_version())

        if run_action(action, lambda case: gettext(
                "%(ref)s is reopened: back to %(stage)s. Next: %(step)s, due %(day)s.", ref=case.ref,
                stage=lifecycle.STAGE_LABELS[case.stage], step=lifecycle.next_step_label(case.next_step),
                day=day(case.next_due_on))):
            return self._back(ref)
        return self._back(ref, reopen_reason=reason[:lifecycle.REOPEN_REASON_MAX + 100])   # nothing typed is lost

    @expose("/<ref>/reply", methods=["POST"])
    @has_access
    def record_reply(self, ref: str):
        from caseapp.cases import escalation

        note = (request.form.get("note") or "").strip() or None

        def action(session):
            case = services.get_case(session, ref)
            return escalation.record_reply(session, current_actor(), case, today=today(), note=note,
                                           seen_version=self._seen_version())

        run_action(action, lambda case: gettext(
            "Reply recorded: escalation of %(ref)s waits until you set the next step (a stage, or a new due date). "
            "Answer by %(day)s.", ref=case.ref, day=case.next_due_on.isoformat()))
        return self._back(ref)

    @expose("/<ref>/assign", methods=["POST"])
    @has_access
    def assign(self, ref: str):
        from flask_login import current_user

        who = request.form.get("assignee", "me")

        def action(session):
            case = services.get_case(session, ref)
            if who == "me":
                return services.assign(session, current_actor(), case, current_user.id,
                                       current_user.username, seen_version=self._seen_version())
            if who == "nobody":
                return services.assign(session, current_actor(), case, None, None,
                                       seen_version=self._seen_version())
            raise InvalidInput(gettext("Choose to take the case or release it."))

        run_action(action, gettext("Assigned to you.") if who == "me" else gettext("Released to the unassigned queue."))
        return self._back(ref)

    @expose("/<ref>/edit", methods=["POST"])
    @has_access
    def edit(self, ref: str):
        claimed_text = (request.form.get("claimed") or "").strip()
        due_text = (request.form.get("next_due_on") or "").strip()

        def action(session):
            case = services.get_case(session, ref)
            claimed = amount_typed(claimed_text, case.currency, gettext("Claimed")) if claimed_text else None
            due = day_typed(due_text, gettext("Next due")) if due_text else None
            return services.edit_case(session, current_actor(), case, seen_version=self._seen_version(),
                                      claimed=claimed, next_due_on=due, today=today())

        if run_action(action, gettext("Case saved.")):
            return self._back(ref)
        # Refused: keep what the user typed so nothing is lost.
        return self._back(ref, claimed=claimed_text, next_due_on=due_text, edit="1")

    @expose("/<ref>/notes", methods=["POST"])
    @has_access
    def add_note(self, ref: str):
        text = request.form.get("text", "")

        def action(session):
            case = services.get_case(session, ref)
            return services.add_note(session, current_actor(), case, text)

        if run_action(action, gettext("Note added.")):
            return self._back(ref)
        return self._back(ref, note=text[:2000])


    @expose("/<ref>/defences", methods=["POST"])
    @has_access
    def record_defence(self, ref: str):
        upload = request.files.get("file")
        work = request.form.get("work") or None

        def action(session):
            case = services.get_case(session, ref)
            if upload is None or not upload.filename:
                raise InvalidInput(gettext("Licence file: choose the file the recipient sent (an invoice or licence)."))
            return defences.record_defence(
                session, FileStore(current_app.config["CASEAPP_FILESTORE_PATH"]), current_actor(), case,
                data=upload.read(defences.DEFENCE_MAX_BYTES + 1), filename=upload.filename,
                statement=request.form.get("statement"), work_id=record_id(work, gettext("Work"), required=False),
                today=today(), seen_version=self._seen_version())

        run_action(action, gettext("Licence defence recorded; the case is on hold until you accept or reject it."))
        return self._back(ref)

    @expose("/<ref>/defences/<int:defence_id>/<decision>", methods=["POST"])
    @has_access
    def decide_defence(self, ref: str, defence_id: int, decision: str):
        reason = request.form.get("reason")

        def action(session):
            case = services.get_case(session, ref)
            seen = self._seen_version()
            if decision == "accept":
                return defences.accept_defence(session, current_actor(), case, defence_id, today=today(),
                                               reason=reason, seen_version=seen)
            if decision == "reject":
                return defences.reject_defence(session, current_actor(), case, defence_id, reason=reason,
                                               today=today(), seen_version=seen)
            raise InvalidInput(gettext("Choose to accept or reject the licence."))

        run_action(action, gettext("Licence accepted: the case is closed as licence shown, the site cleared for the "
                                   "work, and the client's message is on the timeline.") if decision == "accept" else
                   gettext("Licence rejected: the case goes on; the next letter quotes your reason."))
        return self._back(ref)


def register(app, appbuilder) -> None:
    app.jinja_env.filters.update(
        stage_label=lambda s: lifecycle.STAGE_LABELS.get(s, s),
        closure_label=lifecycle.closure_label,
        next_step_label=lifecycle.next_step_label,
        feasibility_words=feasibility_wording.shown,
    )
    app.jinja_env.globals["page_keys"] = page_keys
    appbuilder.add_view_no_menu(QueueView)
    appbuilder.add_view_no_menu(CaseView)
