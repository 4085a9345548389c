"""The lawyer's desk, the court calendar (and its .ics), and the case page's court section with its
forms. Thin: parse, call a service, redirect or render."""
from __future__ import annotations

from datetime import date, datetime

from flask import Response, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext

from caseapp.core.clock import today
from caseapp.core.errors import InvalidInput
from caseapp.core.formatting import amount_typed, current_timezone, day_typed, money
from caseapp.core.web import can, current_actor, lenient, run_action, version_seen
from caseapp.court import COURT, services
from caseapp.court.models import COST_KINDS, ENFORCEMENT_KINDS, OUTCOMES
from caseapp.extensions import get_session


def _case(session, ref: str):
    from caseapp.cases.services import load_case_file

    return load_case_file(session, ref)


def _back(ref: str):
    return redirect(url_for("CaseView.show", ref=ref) + "#court")


def _when(text: str | None, field: str) -> datetime:
    """A time typed in a datetime-local field (YYYY-MM-DDTHH:MM), in the person's time zone."""
    from zoneinfo import ZoneInfo

    text = (text or "").strip()
    try:
        local = datetime.strptime(text, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise InvalidInput(gettext("%(field)s: write the day and time as YYYY-MM-DD HH:MM, e.g. 2027-01-12 10:00.",
                                   field=field)) from None
    return local.replace(tzinfo=ZoneInfo(current_timezone()))


def _page_number(text: str | None) -> int:
    """The desk's page from its link: anything but a whole number from 1 to 100,000 is page 1."""
    return lenient(text, low=1, high=100_000) or 1


def _day_or_none(text: str | None, field: str):
    text = (text or "").strip()
    return day_typed(text, field) if text else None


class CourtView(BaseView):
    route_base = "/court"
    class_permission_name = COURT
    method_permission_name = {"desk": "desk", "calendar": "read", "calendar_ics": "read", "record": "write",
                              "cost": "write", "hearing": "write", "deadline": "write", "move": "write",
                              "cancel": "write", "decision": "write", "enforcement": "write", "end": "write"}

    @expose("/")
    @has_access
    def desk(self):
        day = today()
        page = services.desk_page(get_session(), day, page=_page_number(request.args.get("page")),
                                  per_page=services.DESK_PAGE)
        return self.render_template("court/desk.html", rows=page.rows, desk=page, today=day,
                                    hearings=page.hearings, deadlines=page.deadlines,
                                    status_words=services.STATUS_WORDS)

    @expose("/calendar")
    @has_access
    def calendar(self):
        day = today()
        try:
            start = date.fromisoformat(request.args.get("from", "")) if request.args.get("from") else None
        except ValueError:
            start = None
        page = services.calendar_page(get_session(), today=day, start=start, limit=services.CALENDAR_PAGE)
        by_day: dict = {}
        for entry in page.entries:
            by_day.setdefault(entry.court_date.due_on, []).append(entry)
        return self.render_template("court/calendar.html", by_day=by_day, calendar=page, today=day,
                                    date_words=services.DATE_WORDS)

    @expose("/calendar.ics")
    @has_access
    def calendar_ics(self):
        entries = services.calendar(get_session(), since=today())
        return Response(services.ics(entries, host=request.host.split(":")[0] or "caseapp"),
                        mimetype="text/calendar",
                        headers={"Content-Disposition": "attachment; filename=court-calendar.ics"})

    @expose("/case/<ref>/record", methods=["POST"])
    @has_access
    def record(self, ref: str):
        form = request.form

        def action(session):
            case = _case(session, ref)
            seen = version_seen(form.get("version")) if form.get("version") else None
            return services.record_court_case(
                session, current_actor(), case, route_id=form.get("route_id"), court_name=form.get("court_name"),
                court_address=form.get("court_address"), procedure=form.get("procedure"),
                file_number=form.get("file_number"), filed_on=_day_or_none(form.get("filed_on"), gettext("Filed on")),
                today=today(), seen_version=seen)

        run_action(action, gettext("Court case saved."))
        return _back(ref)

    @expose("/case/<ref>/cost", methods=["POST"])
    @has_access
    def cost(self, ref: str):
        form = request.form

        def action(session):
            case = _case(session, ref)
            return services.record_cost(session, current_actor(), case, kind=form.get("kind", ""),
                                        amount=amount_typed(form.get("amount", ""), case.currency, gettext("Amount")),
                                        paid_on=_day_or_none(form.get("paid_on"), gettext("Paid on")) or today(),
                                        today=today())

        run_action(action, lambda cost: gettext("%(amount)s posted as costs advanced; the party's next payment "
                                                "recovers it first.", amount=money(cost.amount)))
        return _back(ref)

    @expose("/case/<ref>/hearing", methods=["POST"])
    @has_access
    def hearing(self, ref: str):
        form = request.form

        def action(session):
            return services.add_hearing(session, current_actor(), _case(session, ref),
                                        at=_when(form.get("at"), gettext("When")), place=form.get("place"),
                                        note=form.get("note"))

        run_action(action, gettext("Hearing added to the court calendar."))
        return _back(ref)

    @expose("/case/<ref>/deadline", methods=["POST"])
    @has_access
    def deadline(self, ref: str):
        form = request.form

        def action(session):
            return services.add_deadline(session, current_actor(), _case(session, ref),
                                         due_on=day_typed((form.get("due_on") or "").strip(), gettext("Due on")),
                                         what=form.get("what"))

        run_action(action, gettext("Court deadline added to the court calendar."))
        return _back(ref)

    @expose("/case/<ref>/dates/<int:date_id>/move", methods=["POST"])
    @has_access
    def move(self, ref: str, date_id: int):
        form = request.form

        def action(session):
            seen = version_seen(form.get("version"))
            at = _when(form.get("at"), gettext("When")) if form.get("at") else None
            return services.move_date(session, current_actor(), _case(session, ref), date_id, at=at,
                                      due_on=_day_or_none(form.get("due_on"), gettext("Due on")), seen_version=seen)

        run_action(action, gettext("Court date moved."))
        return _back(ref)

    @expose("/case/<ref>/dates/<int:date_id>/cancel", methods=["POST"])
    @has_access
    def cancel(self, ref: str, date_id: int):
        form = request.form

        def action(session):
            return services.cancel_date(session, current_actor(), _case(session, ref), date_id,
                                        reason=form.get("reason", ""), seen_version=version_seen(form.get("version")))

        run_action(action, gettext("Court date cancelled."))
        return _back(ref)

    @expose("/case/<ref>/decision", methods=["POST"])
    @has_access
    def decision(self, ref: str):
        form = request.form

        def action(session):
            case = _case(session, ref)
            return services.record_decision(
                session, current_actor(), case,
                decided_on=day_typed((form.get("decided_on") or "").strip(), gettext("Decided on")),
                outcome=form.get("outcome", ""),
                awarded=amount_typed(form.get("awarded") or "0", case.currency, gettext("Amount awarded")),
                costs_awarded=amount_typed(form.get("costs_awarded") or "0", case.currency, gettext("Costs awarded")),
                today=today(), seen_version=version_seen(form.get("version")))

        run_action(action, gettext("Decision recorded."))
        return _back(ref)

    @expose("/case/<ref>/enforcement", methods=["POST"])
    @has_access
    def enforcement(self, ref: str):
        form = request.form

        def action(session):
            case = _case(session, ref)
            amount = (form.get("amount") or "").strip()
            return services.add_enforcement_step(
                session, current_actor(), case,
                taken_on=_day_or_none(form.get("taken_on"), gettext("Taken on")) or today(), kind=form.get("kind", ""),
                note=form.get("note"),
                amount=amount_typed(amount, case.currency, gettext("Amount")) if amount else None, today=today())

        run_action(action, gettext("Enforcement step recorded."))
        return _back(ref)

    @expose("/case/<ref>/end", methods=["POST"])
    @has_access
    def end(self, ref: str):
        form = request.form

        def action(session):
            return services.end_court_case(session, current_actor(), _case(session, ref), reason=form.get("reason", ""),
                                           today=today(), seen_version=version_seen(form.get("version")))

        run_action(action, gettext("Court case ended."))
        return _back(ref)


def case_court(case) -> dict:
    """What the case page's court section shows (a Jinja global, as settlements' case_settlement)."""
    if not can("read", COURT):
        return {"visible": False}
    session = get_session()
    court_case = services.court_case_of(session, case.id)
    history = [cc for cc in services.court_cases_of(session, case.id) if court_case is None or cc.id != court_case.id]
    route = services.route_of(case, court_case.route_id) if court_case else None
    filings = url_for("FilingsView.case", ref=case.ref) if can("read", "Filing") else None   # the routes open to it
    return {"visible": True, "can_write": can("write", COURT), "court_case": court_case, "route": route,
            "routes": services.routes_for(case), "history": history,
            "advanced": services.costs_advanced(court_case) if court_case else None,
            "may_record": services.with_lawyer(case),
            "cost_kinds": COST_KINDS, "cost_words": services.COST_WORDS, "outcomes": OUTCOMES,
            "outcome_words": services.OUTCOME_WORDS, "status_words": services.STATUS_WORDS,
            "enforcement_kinds": ENFORCEMENT_KINDS, "enforcement_words": services.ENFORCEMENT_WORDS,
            "date_words": services.DATE_WORDS, "filings_url": filings, "today": today()}


def register(app, appbuilder) -> None:
    app.jinja_env.globals["case_court"] = case_court
    appbuilder.add_view_no_menu(CourtView)
