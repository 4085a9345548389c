"""Case use cases. Plain functions over a session; every state change writes
its audit event in the same transaction. Callers commit."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

from flask_babel import gettext
from sqlalchemy import and_, func, literal_column, or_, select, tuple_, update
from sqlalchemy.orm import Session, selectinload

from caseapp.cases import lifecycle
from caseapp.cases.models import (IS_OPEN, NOT_VALUED, QUEUE_ORDER, QUEUE_VALUE_KEY, Case, CaseItem,
                                  CaseNote)
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import IllegalTransition, InvalidInput, NotFound
from caseapp.core.models import utcnow
from caseapp.core.records import check_version
from caseapp.core.money import Money
from caseapp.core.sequences import next_value
from caseapp.deadlines import services as deadlines
from caseapp.feasibility import services as feasibility
from caseapp.clients import ownership, services as clients
from caseapp.parties import services as parties


# --- references -----------------------------------------------------------------


def _number(value: int) -> str:
    """A count as the reader writes it (2,000 / 2.000); English style without an app."""
    from flask import has_app_context

    if has_app_context():
        from flask_babel import format_number

        return format_number(value)
    return f"{value:,}"

def new_case_ref(session: Session, year: int) -> str:
    return f"C-{year}-{next_value(session, 'case', str(year)):06d}"


# --- opening ----------------------------------------------------------------------

@dataclass(frozen=True)
class ItemSpec:
    work_id: int
    page_url: str
    image_url: str | None = None
    found_at: datetime | None = None
    last_seen_at: datetime | None = None     # a continuing use's latest sighting (default: found_at)


def set_expected_value(case: Case, value: Money | None) -> None:
    """The expected value in the case's currency, and in euro cents for the queue's order."""
    case.expected_value_minor = None if value is None else value.minor
    case.expected_value_eur_minor = None if value is None else feasibility.convert(value, "EUR").minor


def open_case(
    session: Session,
    actor: Actor,
    *,
    client_id: int,
    party_id: int,
    items: Sequence[ItemSpec],
    claimed: Money,
    today: date,
    expected_value: Money | None = None,
    claim_lines: list[dict] | None = None,
) -> Case:
    """Open a case in stage `new` with its items (and how its claim is made up, if priced)."""
    if not items:
        raise InvalidInput("A case needs at least one item (a work used at a URL).")
    party = parties.get_party(session, party_id)
    if expected_value is not None and expected_value.currency != claimed.currency:
        raise InvalidInput("The expected value must be in the case's currency.")
    case = Case(
        ref=new_case_ref(session, today.year),
        client_id=client_id,
        contract_id=clients.contract_for_new_case(session, client_id).id,
        party_id=party_id,
        country=party.country,
        stage=lifecycle.NEW,
        currency=claimed.currency,
        claimed_minor=claimed.minor,
        next_step=lifecycle.NEXT_STEP[lifecycle.NEW],
        next_due_on=due_on_entering(lifecycle.NEW, today, country=party.country, subdivision=party.subdivision),
        stage_changed_at=utcnow(),
    )
    set_expected_value(case, expected_value)
    case.claim_lines = claim_lines
    case.items = [
        CaseItem(work_id=i.work_id, page_url=i.page_url, image_url=i.image_url, found_at=i.found_at,
                 last_seen_at=i.last_seen_at or i.found_at)
        for i in items
    ]
    session.add(case)
    session.flush()
    audit.record(session, actor, "case.opened", "case", case.id, case_id=case.id,
                 to_state=case.stage, details={"ref": case.ref, "items": len(items),
                                               "claimed": str(claimed)})
    return case


def add_items(session: Session, actor: Actor, case: Case, items: Sequence[ItemSpec]) -> None:
    """More uses of the client's works by the same party, added to an open case."""
    if case.stage == lifecycle.CLOSED:
        raise InvalidInput(f"{case.ref} is closed; open a new case for these uses.")
    for i in items:
        case.items.append(CaseItem(work_id=i.work_id, page_url=i.page_url, image_url=i.image_url,
                                   found_at=i.found_at, last_seen_at=i.last_seen_at or i.found_at))
    session.flush()
    audit.record(session, actor, "case.items_added", "case", case.id, case_id=case.id,
                 details={"items": len(items), "urls": [i.page_url for i in items][:20]})


# --- lookup -------------------------------------------------------------------------

def open_case_on_site(session: Session, client_id: int, site: str) -> Case | None:
    """The client's open case against the party behind `site`, if there is one."""
    party_ids = parties.party_ids_on_site(session, site)
    if not party_ids:
        return None
    return session.scalars(select(Case).where(Case.client_id == client_id,
                                              Case.party_id.in_(party_ids), IS_OPEN)
                           .order_by(Case.id)).first()


def licence_shown_on(session: Session, work_id: int, site: str) -> str | None:
    """The ref of a case closed because the party behind `site` showed a licence for
    the work, if there is one: that party is never contacted again for that work."""
    party_ids = parties.party_ids_on_site(session, site)
    if not party_ids:
        return None
    return session.scalars(
        select(Case.ref).join(CaseItem, CaseItem.case_id == Case.id)
        .where(Case.party_id.in_(party_ids), CaseItem.work_id == work_id,
               Case.closure_reason == "licence_shown")).first()


def refs_by_id(session: Session, case_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(case_ids))
    return dict(session.execute(select(Case.id, Case.ref).where(Case.id.in_(ids))).all()) if ids else {}


def case_refs(session: Session, case_ids: Iterable[int]) -> list[str]:
    return sorted(refs_by_id(session, case_ids).values())


def get_case(session: Session, ref: str) -> Case:
    case = session.scalar(select(Case).where(Case.ref == ref))
    if case is None:
        raise NotFound(f"There is no case {ref}. Check the reference (it looks like C-2026-000123).")
    return case


# --- the lifecycle ---------------------------------------------------------------------

def due_on_entering(stage: str, today: date, *, country: str, subdivision: str | None) -> date:
    """The next due date of a case entering `stage` today: for a letter stage the deadline the
    letter gives the party (deadlines.letter_deadline: the same date the letter states); for
    the others the firm's own work period (lifecycle.WORK_DAYS working days of its calendar)."""
    if stage in lifecycle.LETTER_STAGES:
        return deadlines.letter_deadline(country, kind=LETTER_OF_STAGE[stage], start=today,
                                         subdivision=subdivision).due_on
    return deadlines.working_days(today, lifecycle.WORK_DAYS[stage]).due_on


# The stages in which a case is "in court" for the split (the contract's in-court share): with
# the lawyer, in court, in enforcement (and on hold from one of them); reaching one sets court_since.
IN_COURT_STAGES = (lifecycle.LEGAL, lifecycle.COURT, lifecycle.ENFORCEMENT)

# The letter a letter stage sends (its deadline is the stage's due date).
LETTER_OF_STAGE = {lifecycle.OFFER_SENT: "offer", lifecycle.REMINDER_SENT: "reminder",
                   lifecycle.FINAL_DEMAND: "final_demand"}





def change_stage(
    session: Session,
    actor: Actor,
    case: Case,
    target: str,
    *,
    today: date,
    reason: str | None = None,
    note: str | None = None,
    seen_version: int | None = None,
) -> Case:
    """Move `case` to `target` through the state machine; audited."""
    check_version(f"Case {case.ref}", case, seen_version)
    lifecycle.check_transition(case.stage, target, reason=reason, held_from=case.held_from_stage)
    if case.stage == lifecycle.CHECKING and target == lifecycle.READY:
        blockers = gate_blockers(session, case)
        if blockers:
            raise IllegalTransition(gettext("%(ref)s cannot leave the checks stage: %(blockers)s.", ref=case.ref,
                                            blockers="; ".join(f"{b.what}: {b.why}" for b in blockers)))
    previous, held_from = case.stage, case.held_from_stage
    # (before the case changes: reading its party must not flush a half-made change)
    due_on = None if target == lifecycle.CLOSED else \
        due_on_entering(target, today, country=case.country, subdivision=case.party.subdivision)
    if target == lifecycle.ON_HOLD:
        case.held_from_stage = previous
    elif previous == lifecycle.ON_HOLD:
        case.held_from_stage = None
    case.stage = target
    case.stage_changed_at = utcnow()
    if target in IN_COURT_STAGES and case.court_since is None:   # reached court: kept for the split
        case.court_since = today
    if target == lifecycle.CLOSED:
        case.closure_reason = reason
        case.closed_at = case.stage_changed_at
        # where a reopening returns it (closed while on hold: the stage it was held from)
        case.closed_from_stage = held_from if previous == lifecycle.ON_HOLD else previous
        case.next_step = None
        case.next_due_on = None
    else:
        case.next_step = lifecycle.NEXT_STEP[target]
        case.next_due_on = due_on
    session.flush()
    audit.record(session, actor, "case.stage_changed", "case", case.id, case_id=case.id,
                 from_state=previous, to_state=target,
                 reason=(lifecycle.CLOSURE_REASONS.get(reason, reason) if reason else None)
                 if target == lifecycle.CLOSED else (note or None),
                 details={"closure_reason": reason} if target == lifecycle.CLOSED and reason else None)
    return case


def reopen_case(session: Session, actor: Actor, case: Case, *, reason: str, today: date,
                seen_version: int | None = None) -> Case:
    """Reopen a closed case (a closure made by mistake, a payment the bank took back, a client
    who changes their mind): it returns to the stage it was closed from
    (lifecycle.reopen_target), with that stage's next step and a due date counted from `today`
    as a stage change counts it; its closure reason and closing time are cleared. The reason is
    required (at most lifecycle.REOPEN_REASON_MAX characters) and goes on the audit trail with
    the move from Closed to that stage."""
    check_version(f"Case {case.ref}", case, seen_version)
    if case.stage != lifecycle.CLOSED:
        raise IllegalTransition(gettext("%(ref)s is not closed (it is %(stage)s): only a closed case can be reopened.",
                                        ref=case.ref, stage=lifecycle.STAGE_LABELS[case.stage]))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(gettext("Reopening %(ref)s needs a reason: say why the case goes on "
                                   "(e.g. the payment was returned by the bank).", ref=case.ref))
    if len(reason) > lifecycle.REOPEN_REASON_MAX:
        raise InvalidInput(gettext("The reason holds at most %(max)s characters (this one has %(length)s); "
                                   "shorten it and add the rest as a note.",
                                   max=_number(lifecycle.REOPEN_REASON_MAX), length=_number(len(reason))))
    target = lifecycle.reopen_target(case.closed_from_stage)
    was_closed_as = case.closure_reason
    # (before the case changes: reading its party must not flush a half-made change)
    due_on = due_on_entering(target, today, country=case.country, subdivision=case.party.subdivision)
    case.stage = target
    case.stage_changed_at = utcnow()
    case.closure_reason = None
    case.closed_at = None
    case.closed_from_stage = None
    case.next_step = lifecycle.NEXT_STEP[target]
    case.next_due_on = due_on
    session.flush()
    audit.record(session, actor, "case.reopened", "case", case.id, case_id=case.id,
                 from_state=lifecycle.CLOSED, to_state=target, reason=reason,
                 details={"was_closed_as": was_closed_as})
    return case


def gate_blockers(session: Session, case: Case) -> list:
    """What stops the case from leaving its checks stage (a work not verified, no mandate):
    each with what, why and the page to fix it (clients.ownership.Blocker)."""
    return ownership.case_blockers(session, case.client_id, [item.work_id for item in case.items])


# --- assignment -----------------------------------------------------------------------

def take_next(session: Session, actor: Actor, *, stage: str | None = None,
              country: str | None = None, client_id: int | None = None) -> Case | None:
    """Assign the top unassigned case (queue order) to `actor`, atomically.

    A compare-and-set UPDATE (`... WHERE assignee_id IS NULL`) makes two
    handlers clicking at once never get the same case: the loser's UPDATE
    matches no row and it tries the next candidate. On PostgreSQL, SKIP LOCKED
    keeps the loser from waiting on the winner's row at all."""
    if actor.user_id is None:
        raise InvalidInput("Only a person can take a case.")
    base = _filtered(select(Case.id), stage, country, client_id).where(
        Case.assignee_id.is_(None), IS_OPEN)
    tried: list[int] = []
    for _ in range(20):
        query = base.order_by(*QUEUE_ORDER).limit(1)
        if tried:
            query = query.where(Case.id.notin_(tried))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        case_id = session.scalar(query)
        if case_id is None:
            return None
        result = session.execute(
            update(Case)
            .where(Case.id == case_id, Case.assignee_id.is_(None))
            .values(assignee_id=actor.user_id, version=Case.version + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            case = session.get(Case, case_id, populate_existing=True)
            audit.record(session, actor, "case.assigned", "case", case.id, case_id=case.id,
                         reason="Taken from the queue", details={"assignee": actor.name})
            return case
        tried.append(case_id)
    return None


def assign(session: Session, actor: Actor, case: Case, user_id: int | None, user_name: str | None,
           *, seen_version: int | None = None) -> Case:
    """Assign `case` to a user (None releases it back to the unassigned queue)."""
    check_version(f"Case {case.ref}", case, seen_version)
    if case.stage == lifecycle.CLOSED:
        raise InvalidInput(gettext("Case %(ref)s is closed; a closed case is not assigned.", ref=case.ref))
    previous = case.assignee_id
    if previous == user_id:
        return case
    case.assignee_id = user_id
    session.flush()
    audit.record(session, actor, "case.assigned" if user_id else "case.released", "case", case.id,
                 case_id=case.id, details={"assignee": user_name, "previous_assignee_id": previous})
    return case


# --- notes and edits ------------------------------------------------------------------------

def add_note(session: Session, actor: Actor, case: Case, text: str) -> CaseNote:
    if case.stage == lifecycle.CLOSED:
        raise InvalidInput(gettext("%(ref)s is closed: reopen it (with a reason) to add notes.", ref=case.ref))
    text = (text or "").strip()
    if not text:
        raise InvalidInput(gettext("The note is empty: write something before saving."))
    if len(text) > 10_000:
        raise InvalidInput(gettext("A note holds at most %(max)s characters; attach a document for more.",
                                   max=_number(10_000)))
    note = CaseNote(case_id=case.id, author_id=actor.user_id, author_name=actor.name, text=text)
    session.add(note)
    session.flush()
    audit.record(session, actor, "case.note_added", "case", case.id, case_id=case.id,
                 details={"note_id": note.id})
    return note


def edit_case(session: Session, actor: Actor, case: Case, *, seen_version: int,
              claimed: Money | None = None, next_due_on: date | None = None, today: date | None = None) -> Case:
    """Edit the claimed amount or the next due date; a stale edit is refused. With `today`,
    a new claim is valued again by the country's rules."""
    check_version(f"Case {case.ref}", case, seen_version)
    changes: dict[str, list[str]] = {}
    if claimed is not None and claimed.minor != case.claimed_minor:
        if claimed.currency != case.currency:
            raise InvalidInput(gettext("Case %(ref)s is in %(currency)s; enter the amount in %(currency)s.",
                                       ref=case.ref, currency=case.currency))
        if claimed.minor <= 0:   # 0 is a typing error: a case that claims nothing is closed instead
            raise InvalidInput(gettext("The claimed amount must be more than %(zero)s; to claim nothing, close "
                                       "the case with a reason.", zero=Money.zero(case.currency)))
        changes["claimed"] = [str(case.claimed), str(claimed)]
        case.claimed_minor = claimed.minor
        case.claim_lines = [{"label": f"Claim set by {actor.name}", "amount": claimed.amount_text(),
                             "basis": f"edited on {today.isoformat() if today else 'the case page'}"
                                      f" (was {changes['claimed'][0]})"}]
        if today is not None:   # a new claim, a new expected value (the queue's order)
            value = feasibility.assess_case(case, today).expected_value
            changes["expected_value"] = [str(case.expected_value), str(value)]
            set_expected_value(case, value)
    if next_due_on is not None and next_due_on != case.next_due_on:
        if case.stage == lifecycle.CLOSED:
            raise InvalidInput(gettext("Case %(ref)s is closed; it has no next due date.", ref=case.ref))
        changes["next_due_on"] = [str(case.next_due_on), next_due_on.isoformat()]
        case.next_due_on = next_due_on
    if not changes:
        return case
    session.flush()
    audit.record(session, actor, "case.edited", "case", case.id, case_id=case.id, details=changes)
    return case


# --- the queue ---------------------------------------------------------------------------------



def _filtered(query, stage, country, client_id):
    if stage:
        query = query.where(Case.stage == stage)
    if country:
        query = query.where(Case.country == country.upper())
    if client_id:
        query = query.where(Case.client_id == client_id)
    return query


@dataclass(frozen=True)
class QueueCursor:
    """Where a queue page ends: the sort key of its last row."""

    due: date
    value_key: int  # QUEUE_VALUE_KEY: the expected value, NOT_VALUED when there is none yet
    id: int

    @classmethod
    def of(cls, case: Case) -> "QueueCursor":
        value = case.expected_value_eur_minor
        return cls(case.next_due_on, NOT_VALUED if value is None else value, case.id)

    def encode(self) -> str:
        return f"{self.due.isoformat()}_{self.value_key}_{self.id}"

    @classmethod
    def decode(cls, text: str) -> "QueueCursor":
        """A cursor from a page link: ASCII digits only, each part in the range its column
        holds (a link edited by hand is refused, never sent to the database)."""
        broken = InvalidInput("That page link is broken; start again from the first page.")
        match = _CURSOR.fullmatch(text or "")
        if match is None:
            raise broken
        due, value, case_id = match.groups()
        try:
            due_on = date.fromisoformat(due)
        except ValueError:
            raise broken from None
        if not (NOT_VALUED <= int(value) <= -NOT_VALUED and 1 <= int(case_id) <= 2**31 - 1):
            raise broken
        return cls(due_on, int(value), int(case_id))


_CURSOR = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})_(-?[0-9]{1,19})_([0-9]{1,10})")


def _after(cursor: QueueCursor):
    """Rows after `cursor` in QUEUE_ORDER (due asc, value desc, id asc)."""
    return or_(
        Case.next_due_on > cursor.due,
        and_(Case.next_due_on == cursor.due,
             or_(QUEUE_VALUE_KEY < cursor.value_key,
                 and_(QUEUE_VALUE_KEY == cursor.value_key, Case.id > cursor.id))),
    )


# The queue's tabs: my cases, the unassigned ones, and my cases whose next step is past due.
QUEUE_SCOPES = ("mine", "unassigned", "overdue")


@dataclass
class QueuePage:
    cases: list[Case]
    next_cursor: str | None


def queue_page(
    session: Session,
    *,
    scope: str,
    user_id: int | None,
    stage: str | None = None,
    country: str | None = None,
    client_id: int | None = None,
    after: str | None = None,
    limit: int = 50,
    today: date | None = None,
) -> QueuePage:
    """One page of the queue: `scope` is 'mine', 'unassigned' or 'overdue' (mine whose next
    step was due before `today`: the same cases queue_counts counts); open cases only."""
    query = select(Case).where(IS_OPEN)
    if scope == "mine":
        query = query.where(Case.assignee_id == user_id)
    elif scope == "unassigned":
        query = query.where(Case.assignee_id.is_(None))
    elif scope == "overdue":
        if today is None:
            raise InvalidInput("The overdue queue needs today's date.")
        query = query.where(Case.assignee_id == user_id, Case.next_due_on < today)
    else:
        raise InvalidInput(f"Unknown queue '{scope}': choose mine, unassigned or overdue.")
    query = _filtered(query, stage, country, client_id)
    if after:
        query = query.where(_after(QueueCursor.decode(after)))
    rows = list(session.scalars(query.order_by(*QUEUE_ORDER).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = QueueCursor.of(rows[-1]).encode()
    return QueuePage(rows, next_cursor)


@dataclass(frozen=True)
class QueueCounts:
    mine: int
    unassigned: int
    overdue: int  # of mine
    unassigned_more: bool = False   # more unassigned cases than `unassigned` says (QUEUE_COUNT_CAP)


# The unassigned tab counts up to this many cases and then says "10,000+": counting every one of
# 77,000 open unassigned cases took 11-34 ms a view at 100,000 cases (issue 20's load test), and a
# handler choosing what to take needs to know the pile is large, not its exact size (the
# dashboards count cases by stage exactly).
QUEUE_COUNT_CAP = 10_000


def queue_counts(session: Session, user_id: int | None, today: date, *, stage=None,
                 country=None, client_id=None) -> QueueCounts:
    open_ = _filtered(select(func.count()).select_from(Case).where(IS_OPEN),
                      stage, country, client_id)
    mine = session.scalar(open_.where(Case.assignee_id == user_id)) if user_id else 0
    capped = _filtered(select(Case.id).where(IS_OPEN, Case.assignee_id.is_(None)), stage, country, client_id)
    unassigned = session.scalar(select(func.count()).select_from(capped.limit(QUEUE_COUNT_CAP + 1).subquery())) or 0
    overdue = session.scalar(open_.where(Case.assignee_id == user_id,
                                         Case.next_due_on < today)) if user_id else 0
    return QueueCounts(mine or 0, min(unassigned, QUEUE_COUNT_CAP), overdue or 0, unassigned > QUEUE_COUNT_CAP)


# --- the case page -------------------------------------------------------------------------

def load_case_file(session: Session, ref: str) -> Case:
    """The case with everything its page shows, in a few queries."""
    case = session.scalar(
        select(Case).where(Case.ref == ref)
        .options(selectinload(Case.items), selectinload(Case.notes))
    )
    if case is None:
        raise NotFound(f"There is no case {ref}. Check the reference (it looks like C-2026-000123).")
    return case


def count_cases(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0


def list_cases(session: Session, *, stage: str | None = None, country: str | None = None,
               limit: int | None = None) -> Iterable[Case]:
    if stage and stage not in lifecycle.STAGES:
        raise InvalidInput(f"'{stage}' is not a stage. Stages are: {', '.join(lifecycle.STAGES)}.")
    query = _filtered(select(Case), stage, country, None).order_by(Case.id)
    if limit:
        query = query.limit(limit)
    return session.scalars(query)


def amounts_in_stages(session: Session, stages, *, ids=None, amounts=None) -> list[tuple[int, str, int, str]]:
    """(id, currency, claimed in minor units, stage) of the cases in these stages — only those
    whose id the query `ids` selects, or only those claiming one of these (currency, minor units)
    amounts, when given — in the order of `stages` then by id, without loading the cases (what is
    owed on thousands of them: payments.dues_by_case)."""
    order = {stage: i for i, stage in enumerate(stages)}
    query = select(Case.id, Case.currency, Case.claimed_minor, Case.stage).where(Case.stage.in_(tuple(stages)))
    if amounts is not None:
        pairs = sorted(set(amounts))
        if not pairs:
            return []
        query = query.where(tuple_(Case.currency, Case.claimed_minor).in_(pairs))
    if ids is not None:
        query = query.where(Case.id.in_(ids))
    return sorted((tuple(row) for row in session.execute(query)), key=lambda row: (order[row[3]], row[0]))


def ids_in_stages(stages, *, ids=None):
    """The query of the ids of the cases in these stages (of those the query `ids` selects, when
    given): to select other records by in SQL (payments.dues_by_case)."""
    query = select(Case.id).where(Case.stage.in_(tuple(stages)))
    return query.where(Case.id.in_(ids)) if ids is not None else query


def item_seen_again(session: Session, case_ids, *, page_url: str, image_url: str | None, at: datetime) -> None:
    """A use in these cases was seen online again at `at`: it goes on, and so does its claim."""
    session.execute(update(CaseItem).where(CaseItem.case_id.in_(sorted(set(case_ids))),
                                           CaseItem.page_url == page_url, CaseItem.image_url == image_url,
                                           or_(CaseItem.last_seen_at.is_(None), CaseItem.last_seen_at < at))
                    .values(last_seen_at=at).execution_options(synchronize_session=False))


def client_cases(session: Session, client_id: int) -> list[Case]:
    """Every case of a client, newest first (for the client's page: its open cases, which
    contract each was opened under, how many were paid in full)."""
    return list(session.scalars(select(Case).where(Case.client_id == client_id)
                                .order_by(Case.created_at.desc(), Case.id.desc())))


def cases_of_works(session: Session, work_ids) -> dict[int, list[str]]:
    """The cases (their refs) that name each of these works, in an item or a licence
    defence; works no case names are left out."""
    from caseapp.cases.models import LicenceDefence

    ids = sorted(set(work_ids))
    found: dict[int, set[str]] = {}
    if not ids:
        return {}
    for column, case_column in ((CaseItem.work_id, CaseItem.case_id), (LicenceDefence.work_id, LicenceDefence.case_id)):
        for work_id, ref in session.execute(select(column, Case.ref).join(Case, Case.id == case_column)
                                            .where(column.in_(ids))):
            found.setdefault(work_id, set()).add(ref)
    return {work_id: sorted(refs) for work_id, refs in found.items()}


def is_in_court(case: Case) -> bool:
    """Whether collections on the case are split at the contract's in-court share: the case is with
    the lawyer, in court or in enforcement (or on hold from one of them), or it reached one of
    those stages before (`court_since`, never cleared: a case paid after it went to court is still
    a court case; DOMAIN.md, the 70/30 and 50/50 splits)."""
    stage = case.held_from_stage if case.stage == lifecycle.ON_HOLD else case.stage
    return case.court_since is not None or stage in IN_COURT_STAGES


def _stage_literals(stages: Sequence[str]) -> list:
    """Stages as SQL literals, not bound parameters (as IS_OPEN): with prepared statements the
    planner can then match a partial index's predicate (the desk's ix_case_desk)."""
    unknown = [stage for stage in stages if stage not in lifecycle.STAGES]
    if unknown:
        raise InvalidInput(f"Unknown stage {unknown[0]!r}.")
    return [literal_column(f"'{stage}'") for stage in stages]


def _in_stages(stages: Sequence[str], held_from: Sequence[str]):
    conditions = []
    if stages:
        conditions.append(Case.stage.in_(_stage_literals(stages)))
    if held_from:
        conditions.append(and_(Case.stage == literal_column(f"'{lifecycle.ON_HOLD}'"),
                               Case.held_from_stage.in_(_stage_literals(held_from))))
    return or_(*conditions) if conditions else None


def court_cases(session: Session, *, stages: Sequence[str] = (), held_from: Sequence[str] = ()) -> list[Case]:
    """The cases in `stages`, and those on hold from one of `held_from` (the lawyer's desk)."""
    condition = _in_stages(stages, held_from)
    if condition is None:
        return []
    return list(session.scalars(select(Case).where(condition).order_by(Case.next_due_on, Case.id)))


def court_selection(*, stages: Sequence[str] = (), held_from: Sequence[str] = ()):
    """The same cases as `court_cases`, as a subquery with the columns `id` and `next_due_on`, for
    another domain to join its own rows to, order, count and page in SQL (the lawyer's desk: a page
    of 50 out of thousands, never every case loaded into Python). None when nothing is asked for."""
    condition = _in_stages(stages, held_from)
    if condition is None:
        return None
    return select(Case.id.label("id"), Case.next_due_on.label("next_due_on")).where(condition).subquery("desk_case")


def cases_by_id(session: Session, case_ids: Iterable[int]) -> dict[int, Case]:
    """The cases with these ids (for payouts: each case's client, contract, stage, reference)."""
    ids = sorted(set(case_ids))
    found: dict[int, Case] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        found.update((case.id, case) for case in session.scalars(select(Case).where(Case.id.in_(chunk))))
    return found


def move_cases_to_party(session: Session, *, from_party_id: int, to_party_id: int) -> list[tuple[int, str]]:
    """Every case against one party now names another (the parties' merge of duplicates, which
    audits it): (id, reference) of each case moved. A case keeps its jurisdiction (`country`):
    it was opened under that law, and its deadlines were set by it."""
    moved = list(session.scalars(select(Case).where(Case.party_id == from_party_id).order_by(Case.id)))
    for case in moved:
        case.party_id = to_party_id
    session.flush()
    for case in moved:
        session.expire(case, ["party"])
    return [(case.id, case.ref) for case in moved]


@dataclass(frozen=True)
class ItemInUse:
    """A case item as the evidence domain sees it: where the copy is used, the work it copies,
    whether the case is still open, and since when the image is known to be offline."""

    item_id: int
    case_id: int
    case_ref: str
    case_open: bool
    work_id: int
    work_title: str
    work_thumbnail_sha256: str | None
    page_url: str
    image_url: str | None
    offline_since: datetime | None


def _in_use(item: CaseItem) -> ItemInUse:
    return ItemInUse(item.id, item.case_id, item.case.ref, item.case.stage != lifecycle.CLOSED, item.work_id,
                     item.work.title, item.work.thumbnail_sha256, item.page_url, item.image_url, item.offline_since)


def items_in_use(session: Session, *, case_id: int | None = None, item_ids: Iterable[int] | None = None,
                 open_only: bool = False) -> list[ItemInUse]:
    """The items of one case, or these items, or (neither given) every item of an open case."""
    query = select(CaseItem).join(Case, Case.id == CaseItem.case_id).options(selectinload(CaseItem.case))
    if case_id is not None:
        query = query.where(CaseItem.case_id == case_id)
    if item_ids is not None:
        query = query.where(CaseItem.id.in_(sorted(set(item_ids))))
    if open_only or (case_id is None and item_ids is None):
        query = query.where(IS_OPEN)
    return [_in_use(item) for item in session.scalars(query.order_by(CaseItem.id))]


def seen_online(session: Session, item_id: int, when: datetime) -> ItemInUse:
    """A capture showed the image on the item's page at `when`: the use continues at least until
    then (its last sighting moves forward, never back), and an end found earlier no longer holds."""
    item = session.get(CaseItem, item_id)
    if item is None:
        raise NotFound(f"There is no case item {item_id}.")
    if item.last_seen_at is None or when > item.last_seen_at:
        item.last_seen_at = when
    session.flush()
    return _in_use(item)


def set_item_offline(session: Session, item_id: int, since: datetime | None) -> ItemInUse:
    """A take-down check found the image gone (`since`: when; the period of use ends there) or back
    online (None). The caller records the event on the case timeline (evidence.image_gone/back)."""
    item = session.get(CaseItem, item_id)
    if item is None:
        raise NotFound(f"There is no case item {item_id}.")
    item.offline_since = since
    session.flush()
    return _in_use(item)
