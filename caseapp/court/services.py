"""Court use cases: plain functions over a session and an actor; every change writes its audit
event on the case's timeline in the same transaction. Callers commit.

- A court case is recorded for a case with the lawyer, in court or in enforcement (or on hold
  from one): its route (jurisdictions/<CC>.toml [[routes]] of the case's country), court and its
  postal address, procedure, file number and filing date. Recording a filing date on a case with
  the lawyer moves it to "In court" through the cases' state machine (never around it).
- Costs advanced (court fee, lawyer's fee) are posted to the ledger: debit costs advanced on the
  case, credit the bank. Payments then recover them first (§ 367(1) BGB, payments.allocate).
- The decision: amount awarded and costs awarded; it sets the case's claim to what the party now
  owes besides the costs advanced (see `decided_claim`).
- `court_case_of(session, case_id)` is what other domains (filings) read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from flask_babel import gettext, lazy_gettext
from sqlalchemy import case as when, exists, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from caseapp.cases import lifecycle
from caseapp.cases import services as cases
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import IllegalTransition, InvalidInput, NotFound
from caseapp.core.money import Money
from caseapp.core.records import check_version
from caseapp.core.page_reads import remembered
from caseapp.court.models import (COST_KINDS, DEADLINE, DECIDED, ENDED, ENFORCEMENT_KINDS, ENFORCING,
                                  FILED, HEARING, LOST, OUTCOMES, PREPARING, CourtCase, CourtCost, CourtDate,
                                  EnforcementStep)
from caseapp.feasibility import rules
from caseapp.ledger import services as ledger

# The ledger's accounts this domain posts to (caseapp.ledger.models): an asset per case, and the
# account between the firm's office money and the client-money account. Court and lawyer fees are
# the firm's own outlay, paid from its office account, never from client money: so they do not
# touch the client-money bank account, and the month-end reconciliation (payouts.reconcile) is not
# disturbed by them; a party's payment that recovers them lands in the client-money account as the
# firm's own money (costs recovered), which goes to the office with the commission.
COSTS_ADVANCED, OFFICE = "costs_advanced", "office_transfers"

# Stages in which a case is the lawyer's (the desk shows them; a court case may be recorded).
COURT_STAGES = (lifecycle.LEGAL, lifecycle.COURT, lifecycle.ENFORCEMENT)

COST_WORDS = {"court_fee": lazy_gettext("Court fee"), "lawyer_fee": lazy_gettext("Lawyer's fee")}
OUTCOME_WORDS = {"won": lazy_gettext("won"), "partly": lazy_gettext("partly won"), "lost": lazy_gettext("lost")}
STATUS_WORDS = {"preparing": lazy_gettext("being prepared"), "filed": lazy_gettext("filed"),
                "decided": lazy_gettext("decided"), "enforcing": lazy_gettext("being enforced"),
                "ended": lazy_gettext("ended")}
ENFORCEMENT_WORDS = {"bailiff": lazy_gettext("Bailiff instructed"), "garnishment": lazy_gettext("Garnishment"),
                     "account_attachment": lazy_gettext("Bank account attached"),
                     "asset_disclosure": lazy_gettext("Asset disclosure"), "other": lazy_gettext("Other step")}
DATE_WORDS = {"hearing": lazy_gettext("Hearing"), "deadline": lazy_gettext("Court deadline")}

MAX_TEXT = {"court_name": 200, "procedure": 200, "file_number": 60, "court_address": 1000, "place": 300,
            "what": 2000, "note": 2000, "reason": 2000}


# --- reading ------------------------------------------------------------------------------------

@remembered
def court_case_of(session: Session, case_id: int) -> CourtCase | None:
    """The case's current court case (the latest not ended), or None. Its attributes include
    court_name, court_address (postal lines separated by "\\n"), file_number, route_id, filed_on."""
    return session.scalars(select(CourtCase).where(CourtCase.case_id == case_id, CourtCase.status != ENDED)
                           .order_by(CourtCase.id.desc()).limit(1)).first()


def court_cases_of(session: Session, case_id: int) -> list[CourtCase]:
    """Every court case of the case, newest first (ended ones too), with their costs, dates, steps."""
    return list(session.scalars(select(CourtCase).where(CourtCase.case_id == case_id)
                                .options(selectinload(CourtCase.costs), selectinload(CourtCase.dates),
                                         selectinload(CourtCase.steps))
                                .order_by(CourtCase.id.desc())))


def routes_for(case) -> list[rules.Route]:
    """The court routes the rules of the case's country name (jurisdictions/<CC>.toml [[routes]]), or
    its region's where the party's region has its own (Scotland, Northern Ireland: their courts)."""
    found = rules.jurisdiction(case.country)
    if found is None:
        return []
    party = getattr(case, "party", None)
    subdivision = party.subdivision if party is not None and party.country == case.country else None
    return list(found.for_region(subdivision).routes)


def route_of(case, route_id: str | None) -> rules.Route | None:
    return next((r for r in routes_for(case) if r.id == route_id), None)


def costs_advanced(court_case: CourtCase) -> Money:
    return Money.sum((c.amount for c in court_case.costs), court_case.currency)


def with_lawyer(case) -> bool:
    """Whether the case is with the lawyer, in court or in enforcement (or on hold from one)."""
    return (case.held_from_stage if case.stage == lifecycle.ON_HOLD else case.stage) in COURT_STAGES


def _text(value: str | None, field: str, label: str, *, required: bool = False) -> str | None:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        if required:
            raise InvalidInput(gettext("%(field)s: it is required; enter it.", field=label))
        return None
    if len(value) > MAX_TEXT[field]:
        raise InvalidInput(gettext("%(field)s: at most %(max)s characters (this has %(length)s); shorten it.",
                                   field=label, max=MAX_TEXT[field], length=len(value)))
    return value


def _not_future(day: date | None, today: date, label: str) -> None:
    if day is not None and day > today:
        raise InvalidInput(gettext("%(field)s: %(day)s is in the future; record it on or after the day.",
                                   field=label, day=day.isoformat()))


def _current(session: Session, case) -> CourtCase:
    court_case = court_case_of(session, case.id)
    if court_case is None:
        raise InvalidInput(gettext("%(ref)s has no court case yet: record the court case (court, route) first.",
                                   ref=case.ref))
    return court_case


# --- the court case -------------------------------------------------------------------------------

def record_court_case(session: Session, actor: Actor, case, *, route_id: str | None, court_name: str | None,
                      court_address: str | None, procedure: str | None = None, file_number: str | None = None,
                      filed_on: date | None = None, today: date, seen_version: int | None = None) -> CourtCase:
    """Record the case's court case, or edit the current one (version-checked). A case is taken to
    court from the lawyer's stages only. A filing date moves a case with the lawyer to "In court"."""
    if not with_lawyer(case):
        raise IllegalTransition(gettext(
            "%(ref)s is %(stage)s: a court case is recorded once the case is with the lawyer; hand it to the "
            "lawyer first.", ref=case.ref, stage=lifecycle.STAGE_LABELS[case.stage]))
    route_id = (route_id or "").strip() or None
    if route_id is not None and route_of(case, route_id) is None:
        known = ", ".join(r.id for r in routes_for(case)) or "—"
        raise InvalidInput(gettext("Route: '%(route)s' is not a court route of %(country)s; choose one of: "
                                   "%(known)s.", route=route_id, country=case.country, known=known))
    values = {
        "route_id": route_id,
        "court_name": _text(court_name, "court_name", gettext("Court")),
        "court_address": _text(court_address, "court_address", gettext("Court's address")),
        "procedure": _text(procedure, "procedure", gettext("Procedure")),
        "file_number": _text(file_number, "file_number", gettext("File number")),
        "filed_on": filed_on,
    }
    _not_future(filed_on, today, gettext("Filed on"))
    if filed_on is not None and values["court_name"] is None:
        raise InvalidInput(gettext("Court: a filing needs the court it was filed with; enter the court."))
    court_case = court_case_of(session, case.id)
    if court_case is None:
        court_case = CourtCase(case_id=case.id, currency=case.currency, recorded_by=actor.name, status=PREPARING,
                               **values)
        session.add(court_case)
        changes = {k: _plain(v) for k, v in values.items() if v is not None}
        action = "court.case_recorded"
    else:
        check_version(gettext("The court case of %(ref)s", ref=case.ref), court_case, seen_version)
        if court_case.decided_on is not None and filed_on is None:
            raise InvalidInput(gettext("Filed on: the court case is decided; its filing date stays."))
        changes = {k: [_plain(getattr(court_case, k)), _plain(v)] for k, v in values.items()
                   if getattr(court_case, k) != v}
        if not changes:
            return court_case
        for key, value in values.items():
            setattr(court_case, key, value)
        action = "court.case_edited"
    if court_case.status == PREPARING and filed_on is not None:
        court_case.status = FILED
    elif court_case.status == FILED and filed_on is None:
        court_case.status = PREPARING
    session.flush()
    audit.record(session, actor, action, "court_case", court_case.id, case_id=case.id, details=changes)
    if filed_on is not None and case.stage == lifecycle.LEGAL:
        cases.change_stage(session, actor, case, lifecycle.COURT, today=today,
                           note=gettext("Filed with %(court)s on %(day)s.", court=court_case.court_name,
                                        day=filed_on.isoformat()))
    return court_case


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def end_court_case(session: Session, actor: Actor, case, *, reason: str, today: date,
                   seen_version: int | None = None) -> CourtCase:
    """End the current court case (withdrawn, enforced in full, given up): a new one may follow."""
    court_case = _current(session, case)
    check_version(gettext("The court case of %(ref)s", ref=case.ref), court_case, seen_version)
    reason = _text(reason, "reason", gettext("Reason"), required=True)
    previous = court_case.status
    court_case.status, court_case.ended_on = ENDED, today
    session.flush()
    audit.record(session, actor, "court.case_ended", "court_case", court_case.id, case_id=case.id,
                 from_state=previous, to_state=ENDED, reason=reason)
    return court_case


# --- costs advanced -------------------------------------------------------------------------------

def record_cost(session: Session, actor: Actor, case, *, kind: str, amount: Money, paid_on: date,
                today: date) -> CourtCost:
    """A cost the firm advanced for the court case: posted to the ledger as costs advanced on the
    case (debit costs_advanced, credit office_transfers: the office account paid it), so the party's
    next payment recovers it first (§ 367(1) BGB, payments.services.allocate)."""
    court_case = _current(session, case)
    if kind not in COST_KINDS:
        raise InvalidInput(gettext("Kind: '%(kind)s' is not a cost advanced; choose court_fee or lawyer_fee.",
                                   kind=kind))
    if amount.currency != case.currency:
        raise InvalidInput(gettext("Amount: %(ref)s is in %(currency)s; enter the cost in %(currency)s.",
                                   ref=case.ref, currency=case.currency))
    if amount.minor <= 0:
        raise InvalidInput(gettext("Amount: a cost advanced is more than %(zero)s.", zero=Money.zero(case.currency)))
    _not_future(paid_on, today, gettext("Paid on"))
    transaction = ledger.post(session, actor, kind="costs_advanced",
                              description=f"{case.ref}: {kind.replace('_', ' ')} advanced"
                                          f"{' (' + court_case.court_name + ')' if court_case.court_name else ''}",
                              booked_on=paid_on, case_id=case.id, client_id=case.client_id,
                              source=f"court case {court_case.id}",
                              lines=[ledger.debit(COSTS_ADVANCED, amount, case_id=case.id),
                                     ledger.credit(OFFICE, amount)])
    cost = CourtCost(court_case_id=court_case.id, kind=kind, amount_minor=amount.minor, currency=amount.currency,
                     paid_on=paid_on, transaction_id=transaction.id, recorded_by=actor.name)
    session.add(cost)
    session.flush()
    audit.record(session, actor, "court.cost_advanced", "court_case", court_case.id, case_id=case.id,
                 details={"kind": kind, "amount": str(amount), "paid_on": paid_on.isoformat(),
                          "transaction": transaction.id})
    return cost


# --- hearings and court deadlines -------------------------------------------------------------------

def _utc(at: datetime, label: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput(gettext("%(field)s: give the time with its time zone (e.g. 2027-01-12T10:00+01:00).",
                                   field=label))
    return at.astimezone(timezone.utc)


def add_hearing(session: Session, actor: Actor, case, *, at: datetime, place: str | None = None,
                note: str | None = None) -> CourtDate:
    """A hearing of the court case, at `at` (timezone-aware; stored in UTC), where, and a note."""
    court_case = _current(session, case)
    at = _utc(at, gettext("When"))
    if court_case.filed_on is not None and at.date() < court_case.filed_on:
        raise InvalidInput(gettext("When: %(day)s is before the filing (%(filed)s).", day=at.date().isoformat(),
                                   filed=court_case.filed_on.isoformat()))
    hearing = CourtDate(court_case_id=court_case.id, kind=HEARING, at=at, due_on=at.date(),
                        place=_text(place, "place", gettext("Where")), what=_text(note, "note", gettext("Note")))
    session.add(hearing)
    session.flush()
    audit.record(session, actor, "court.hearing_set", "court_date", hearing.id, case_id=case.id,
                 details={"at": at.isoformat(), "place": hearing.place})
    return hearing


def add_deadline(session: Session, actor: Actor, case, *, due_on: date, what: str) -> CourtDate:
    """A court deadline: the day, and what is due (e.g. the statement of defence, costs to pay)."""
    court_case = _current(session, case)
    deadline = CourtDate(court_case_id=court_case.id, kind=DEADLINE, due_on=due_on,
                         what=_text(what, "what", gettext("What is due"), required=True))
    session.add(deadline)
    session.flush()
    audit.record(session, actor, "court.deadline_set", "court_date", deadline.id, case_id=case.id,
                 details={"due_on": due_on.isoformat(), "what": deadline.what})
    return deadline


def _date_of(session: Session, case, date_id: int) -> CourtDate:
    found = session.get(CourtDate, date_id)
    if found is None or found.court_case.case_id != case.id:
        raise NotFound(gettext("%(ref)s has no hearing or court deadline %(id)s.", ref=case.ref, id=date_id))
    if found.cancelled:
        raise InvalidInput(gettext("That date was cancelled (%(reason)s); add a new one instead.",
                                   reason=found.cancelled_reason))
    return found


def move_date(session: Session, actor: Actor, case, date_id: int, *, at: datetime | None = None,
              due_on: date | None = None, seen_version: int | None = None) -> CourtDate:
    """Move a hearing (a new time, `at`) or a court deadline (a new day, `due_on`)."""
    found = _date_of(session, case, date_id)
    check_version(gettext("The court date"), found, seen_version)
    before = found.at.isoformat() if found.kind == HEARING else found.due_on.isoformat()
    if found.kind == HEARING:
        if at is None:
            raise InvalidInput(gettext("When: a hearing moves to a new time; enter it."))
        found.at = _utc(at, gettext("When"))
        found.due_on = found.at.date()
        after = found.at.isoformat()
    else:
        if due_on is None:
            raise InvalidInput(gettext("Due on: a court deadline moves to a new day; enter it."))
        found.due_on = due_on
        after = due_on.isoformat()
    session.flush()
    audit.record(session, actor, "court.date_moved", "court_date", found.id, case_id=case.id,
                 details={"kind": found.kind, "from": before, "to": after})
    return found


def cancel_date(session: Session, actor: Actor, case, date_id: int, *, reason: str,
                seen_version: int | None = None) -> CourtDate:
    found = _date_of(session, case, date_id)
    check_version(gettext("The court date"), found, seen_version)
    found.cancelled_reason = _text(reason, "reason", gettext("Reason"), required=True)
    session.flush()
    audit.record(session, actor, "court.date_cancelled", "court_date", found.id, case_id=case.id,
                 reason=found.cancelled_reason, details={"kind": found.kind, "due_on": found.due_on.isoformat()})
    return found


# --- the decision and enforcement --------------------------------------------------------------------

def decided_claim(awarded: Money, costs_awarded: Money, advanced: Money) -> Money:
    """What the party owes after a decision, besides the costs the firm advanced (those stay in the
    ledger as costs advanced and are recovered first, § 367(1) BGB): the amount awarded plus the
    costs awarded beyond what was advanced (costs the firm has not paid out yet, e.g. a lawyer's fee
    billed later). Costs awarded below what was advanced add nothing."""
    extra = costs_awarded - advanced
    return awarded + (extra if extra.minor > 0 else Money.zero(awarded.currency))


def record_decision(session: Session, actor: Actor, case, *, decided_on: date, outcome: str, awarded: Money,
                    costs_awarded: Money, today: date, seen_version: int | None = None) -> CourtCase:
    """The court's decision. Won or partly won: the case's claim becomes `decided_claim` (through the
    cases' service, audited there). Lost: nothing is owed; the lawyer closes the case (court lost)."""
    court_case = _current(session, case)
    check_version(gettext("The court case of %(ref)s", ref=case.ref), court_case, seen_version)
    if court_case.filed_on is None:
        raise InvalidInput(gettext("%(ref)s: record the filing date before the decision.", ref=case.ref))
    if court_case.decided_on is not None:
        raise InvalidInput(gettext("%(ref)s: the decision of %(day)s is recorded; end this court case to record "
                                   "another.", ref=case.ref, day=court_case.decided_on.isoformat()))
    if outcome not in OUTCOMES:
        raise InvalidInput(gettext("Outcome: '%(outcome)s' is not one; choose won, partly or lost.", outcome=outcome))
    _not_future(decided_on, today, gettext("Decided on"))
    if decided_on < court_case.filed_on:
        raise InvalidInput(gettext("Decided on: %(day)s is before the filing (%(filed)s).",
                                   day=decided_on.isoformat(), filed=court_case.filed_on.isoformat()))
    for money_, label in ((awarded, gettext("Amount awarded")), (costs_awarded, gettext("Costs awarded"))):
        if money_.currency != case.currency:
            raise InvalidInput(gettext("%(field)s: %(ref)s is in %(currency)s; enter it in %(currency)s.",
                                       field=label, ref=case.ref, currency=case.currency))
        if money_.minor < 0:
            raise InvalidInput(gettext("%(field)s: it cannot be negative.", field=label))
    if outcome == LOST and awarded.minor:
        raise InvalidInput(gettext("Amount awarded: a lost case awards nothing; enter 0 or choose partly."))
    if outcome != LOST and not awarded.minor:
        raise InvalidInput(gettext("Amount awarded: a won or partly won case awards more than 0."))
    court_case.decided_on, court_case.outcome = decided_on, outcome
    court_case.awarded_minor, court_case.costs_awarded_minor = awarded.minor, costs_awarded.minor
    court_case.status = DECIDED
    session.flush()
    audit.record(session, actor, "court.decided", "court_case", court_case.id, case_id=case.id, to_state=outcome,
                 details={"decided_on": decided_on.isoformat(), "outcome": outcome, "awarded": str(awarded),
                          "costs_awarded": str(costs_awarded)})
    if outcome != LOST:
        claim = decided_claim(awarded, costs_awarded, costs_advanced(court_case))
        cases.edit_case(session, actor, case, seen_version=case.version, claimed=claim, today=today)
    return court_case


def add_enforcement_step(session: Session, actor: Actor, case, *, taken_on: date, kind: str,
                         note: str | None = None, amount: Money | None = None, today: date) -> EnforcementStep:
    """A step to enforce a decision won (in part). A case in court moves to enforcement (state machine)."""
    court_case = _current(session, case)
    if court_case.decided_on is None or court_case.outcome == LOST:
        raise InvalidInput(gettext("%(ref)s: only a decision won (in full or in part) is enforced; record the "
                                   "decision first.", ref=case.ref))
    if kind not in ENFORCEMENT_KINDS:
        raise InvalidInput(gettext("Kind: '%(kind)s' is not an enforcement step; choose one of: %(known)s.",
                                   kind=kind, known=", ".join(ENFORCEMENT_KINDS)))
    _not_future(taken_on, today, gettext("Taken on"))
    if taken_on < court_case.decided_on:
        raise InvalidInput(gettext("Taken on: %(day)s is before the decision (%(decided)s).",
                                   day=taken_on.isoformat(), decided=court_case.decided_on.isoformat()))
    if amount is not None and (amount.currency != case.currency or amount.minor < 0):
        raise InvalidInput(gettext("Amount: enter what the step brought in %(currency)s, 0 or more.",
                                   currency=case.currency))
    step = EnforcementStep(court_case_id=court_case.id, taken_on=taken_on, kind=kind,
                           note=_text(note, "note", gettext("Note")), amount_minor=amount.minor if amount else None,
                           currency=case.currency, recorded_by=actor.name)
    session.add(step)
    court_case.status = ENFORCING
    session.flush()
    audit.record(session, actor, "court.enforcement_step", "court_case", court_case.id, case_id=case.id,
                 details={"kind": kind, "taken_on": taken_on.isoformat(),
                          "amount": str(amount) if amount is not None else None})
    if case.stage == lifecycle.COURT:
        cases.change_stage(session, actor, case, lifecycle.ENFORCEMENT, today=today,
                           note=gettext("Enforcement: %(step)s.", step=ENFORCEMENT_WORDS[kind]))
    return step


# --- the lawyer's desk and the calendar --------------------------------------------------------------

@dataclass(frozen=True)
class DeskRow:
    case: object
    court_case: CourtCase | None
    next_date: CourtDate | None
    waits_for: str
    key_day: date | None     # the day the row is ordered by


def _upcoming(court_case: CourtCase | None, today: date) -> CourtDate | None:
    if court_case is None:
        return None
    ahead = [d for d in court_case.dates if not d.cancelled and d.due_on >= today]
    return min(ahead, key=lambda d: (d.due_on, d.at or datetime.min.replace(tzinfo=timezone.utc)), default=None)


def waits_for(court_case: CourtCase | None, next_date: CourtDate | None) -> str:
    """What the case waits for, in the lawyer's words."""
    from caseapp.core.formatting import day, timestamp

    if court_case is None:
        return gettext("Court case to be recorded")
    if court_case.filed_on is None:
        return gettext("Filing to be made")
    if next_date is not None and next_date.kind == HEARING:
        return gettext("Hearing on %(when)s", when=timestamp(next_date.at))
    if next_date is not None:
        return gettext("Court deadline on %(day)s: %(what)s", day=day(next_date.due_on), what=next_date.what)
    if court_case.decided_on is None:
        return gettext("Decision")
    if court_case.outcome == LOST:
        return gettext("Lost: close the case")
    return gettext("Enforcement")


# The desk and the calendar show a page at a time: with thousands of cases with the lawyer, a page
# of every one of them took seconds to build and megabytes to send (issue 20's load test).
DESK_PAGE = 50
CALENDAR_PAGE = 200


def _next_dates(today: date):
    """Per case, the next hearing or court deadline (not cancelled, on or after `today`) of its
    current court case (the latest not ended): a subquery (case_id, kind, due_on). The same date
    `_upcoming` picks: the earliest day, then the earliest time (a deadline, without one, first)."""
    newer = aliased(CourtCase)    # the current court case is the case's latest not ended: none newer is open
    later_open = exists().where(newer.case_id == CourtCase.case_id, newer.id > CourtCase.id, newer.status != ENDED)
    ranked = (select(CourtCase.case_id.label("case_id"), CourtDate.kind.label("kind"),
                     CourtDate.due_on.label("due_on"),
                     func.row_number().over(partition_by=CourtDate.court_case_id,
                                            order_by=(CourtDate.due_on, CourtDate.at.is_not(None), CourtDate.at,
                                                      CourtDate.id)).label("rank"))
              .join(CourtCase, CourtCase.id == CourtDate.court_case_id)
              .where(CourtCase.status != ENDED, ~later_open, CourtDate.cancelled_reason.is_(None),
                     CourtDate.due_on >= today)
              .subquery("ranked_date"))
    return select(ranked.c.case_id, ranked.c.kind, ranked.c.due_on).where(ranked.c.rank == 1).subquery("next_date")


@dataclass(frozen=True)
class DeskPage:
    rows: list[DeskRow]
    total: int          # cases on the desk, all pages
    hearings: int       # of them, those whose next date is a hearing
    deadlines: int      # ... a court deadline
    page: int           # 1-based
    pages: int


def desk_page(session: Session, today: date, *, page: int = 1, per_page: int | None = DESK_PAGE) -> DeskPage:
    """Cases with the lawyer, in court, in enforcement (and on hold from them), ordered by their
    next hearing or court deadline, else the case's next due date (none: last), then the case:
    ordered, counted and paged in SQL; only the page's cases and court cases are loaded.
    `per_page=None`: every case on one page (`caseapp court list`)."""
    selected = cases.court_selection(stages=COURT_STAGES, held_from=COURT_STAGES)
    if selected is None:
        return DeskPage([], 0, 0, 0, 1, 1)
    upcoming = _next_dates(today)
    joined = selected.outerjoin(upcoming, upcoming.c.case_id == selected.c.id)
    key = func.coalesce(upcoming.c.due_on, selected.c.next_due_on)
    # One query: the page's cases, each with the counts over every case (window aggregates are
    # taken before the LIMIT), so the desk's join is made once a request, not once to count and
    # once to page.
    every = func.count().over()
    of_kind = lambda kind: func.sum(when((upcoming.c.kind == kind, 1), else_=0)).over()  # noqa: E731
    query = (select(selected.c.id, every, of_kind(HEARING), of_kind(DEADLINE)).select_from(joined)
             .order_by(key.is_(None), key, selected.c.id))

    def fetch(number: int):
        return session.execute(query.limit(per_page).offset((number - 1) * per_page) if per_page else query).all()

    page = max(1, page)
    found_rows = fetch(page)
    if not found_rows and page > 1:    # past the end: the last page
        total = session.scalar(select(func.count()).select_from(selected)) or 0
        page = max(1, -(-total // per_page)) if per_page else 1
        found_rows = fetch(page)
    ids = [row[0] for row in found_rows]
    total, hearings, deadlines = (found_rows[0][1], found_rows[0][2] or 0, found_rows[0][3] or 0) if found_rows \
        else (0, 0, 0)
    pages = max(1, -(-total // per_page)) if per_page else 1
    found = cases.cases_by_id(session, ids)
    current: dict[int, CourtCase] = {}
    for start in range(0, len(ids), 1000):
        for court_case in session.scalars(
                select(CourtCase).where(CourtCase.case_id.in_(ids[start:start + 1000]), CourtCase.status != ENDED)
                .options(selectinload(CourtCase.dates)).order_by(CourtCase.id)):
            current[court_case.case_id] = court_case   # the latest wins
    rows = []
    for case_id in ids:
        case, court_case = found[case_id], current.get(case_id)
        next_date = _upcoming(court_case, today)
        rows.append(DeskRow(case, court_case, next_date, waits_for(court_case, next_date),
                            next_date.due_on if next_date else case.next_due_on))
    return DeskPage(rows, total, hearings, deadlines, page, pages)


def desk(session: Session, today: date) -> list[DeskRow]:
    """Every row of the desk, in its order (`desk_page` pages it)."""
    return desk_page(session, today, per_page=None).rows


@dataclass(frozen=True)
class CalendarEntry:
    court_date: CourtDate
    case_ref: str
    court_case: CourtCase


def _calendar_query(query, *, since: date, until: date):
    return (query.join(CourtCase, CourtCase.id == CourtDate.court_case_id)
            .where(CourtDate.due_on >= since, CourtDate.due_on < until,
                   CourtDate.cancelled_reason.is_(None), CourtCase.status != ENDED))


def _entries(session: Session, query) -> list[CalendarEntry]:
    dates = list(session.scalars(query.options(selectinload(CourtDate.court_case))
                                 .order_by(CourtDate.due_on, CourtDate.at, CourtDate.id)))
    refs = cases.refs_by_id(session, {d.court_case.case_id for d in dates})
    return [CalendarEntry(d, refs.get(d.court_case.case_id, "?"), d.court_case) for d in dates]


def calendar(session: Session, *, since: date, days: int = 180) -> list[CalendarEntry]:
    """Hearings and court deadlines from `since` for `days` days, not cancelled, in time order."""
    return _entries(session, _calendar_query(select(CourtDate), since=since, until=since + timedelta(days=days)))


@dataclass(frozen=True)
class CalendarPage:
    entries: list[CalendarEntry]
    total: int                 # in the whole window, from today
    start: date                # the first day this page shows
    next_day: date | None      # the first day of the next page, if there is one


def calendar_page(session: Session, *, today: date, start: date | None = None, days: int = 180,
                  limit: int = CALENDAR_PAGE) -> CalendarPage:
    """The calendar's window (`today` for `days` days) a page at a time: whole days from `start`, up
    to `limit` entries (a single day with more is shown whole), and the next day with entries."""
    until = today + timedelta(days=days)
    start = min(max(start or today, today), until)
    # The window's days with how many entries each (at most `days` rows): the total, and where the
    # page ends — whole days, at least one — before a single entry is loaded.
    per_day = session.execute(_calendar_query(select(CourtDate.due_on, func.count(CourtDate.id)), since=today,
                                              until=until).group_by(CourtDate.due_on).order_by(CourtDate.due_on)).all()
    total, shown, last, next_day = sum(n for _, n in per_day), 0, None, None
    for day, count in per_day:
        if day < start:
            continue
        if last is not None and shown + count > limit:
            next_day = day
            break
        shown, last = shown + count, day
    entries = _entries(session, _calendar_query(select(CourtDate), since=start, until=last + timedelta(days=1))) \
        if last is not None else []
    return CalendarPage(entries, total, start, next_day)


def ics(entries: list[CalendarEntry], *, host: str = "caseapp") -> bytes:
    """The entries as an iCalendar file (RFC 5545, the `icalendar` package): one event each, with
    a stable UID, DTSTART in UTC (a deadline: the whole day), SUMMARY with the case and the court,
    LOCATION and DESCRIPTION."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//caseapp//court calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Court calendar")
    for entry in entries:
        d, cc = entry.court_date, entry.court_case
        event = Event()
        event.add("uid", f"court-date-{d.id}@{host}")
        event.add("dtstamp", d.updated_at or d.created_at)
        court = cc.court_name or "court not recorded"
        if d.kind == HEARING:
            event.add("dtstart", d.at.astimezone(timezone.utc))
            event.add("dtend", d.at.astimezone(timezone.utc) + timedelta(hours=1))
            event.add("summary", f"Hearing {entry.case_ref} · {court}")
            event.add("location", d.place or ", ".join(cc.address_lines) or court)
        else:
            event.add("dtstart", d.due_on)
            event.add("dtend", d.due_on + timedelta(days=1))
            event.add("summary", f"Court deadline {entry.case_ref} · {court}: {d.what}")
            event.add("location", ", ".join(cc.address_lines) or court)
        lines = [f"Case {entry.case_ref}", f"Court: {court}"]
        if cc.file_number:
            lines.append(f"File number: {cc.file_number}")
        if d.what:
            lines.append(d.what)
        event.add("description", "\n".join(lines))
        cal.add_component(event)
    return cal.to_ical()


def listing(session: Session, today: date) -> list[dict]:
    """The desk as data (`caseapp court list --json`)."""
    out = []
    for row in desk(session, today):
        cc = row.court_case
        out.append({"case": row.case.ref, "stage": row.case.stage, "country": row.case.country,
                    "route": cc.route_id if cc else None, "court": cc.court_name if cc else None,
                    "file_number": cc.file_number if cc else None,
                    "filed_on": cc.filed_on.isoformat() if cc and cc.filed_on else None,
                    "status": cc.status if cc else None,
                    "next": row.key_day.isoformat() if row.key_day else None, "waits_for": row.waits_for})
    return out
