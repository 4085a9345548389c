"""The daily escalation: cases whose deadline passed with no payment, agreement or reply move
one step up the ladder, with the next letter; where a person must decide, the case is raised.

- offer_sent -> reminder_sent (the reminder letter), reminder_sent -> final_demand (the final
  demand); a final demand that passed is raised: next step "Decide: collection or lawyer", its
  missed due date kept (earlier than today: the top of its handler's queue).
- A client's ready cases go out without a handler when the client allows it (its setting
  "offers without a handler"), the ownership gate is clear and the claim is feasible with a
  positive expected value: ready -> offer_sent with the offer letter.
- The client gets a status letter when escalation moves their case, and for every stage change
  a person made since the case's last status letter (its setting "status letters").
- A settled case whose instalment is unpaid a few working days after its due date is raised
  ("Instalment N missed: remind or escalate", due today), once per instalment.
- Not escalated: settled, paid, on hold, closed (payments and agreements: issue 14), and a
  case with a reply recorded (record_reply) since its last stage change or edit: a handler
  answers, then sets the next step (a stage or a due date), and escalation resumes from there.

Every move goes through services.change_stage (the state machine, audited). Idempotent: a move
sets a new due date in the future (the letter's deadline), and a raised case carries the
decide step, so a second run on the same day finds nothing to do. Each case runs in a savepoint:
a letter refused (no postal address) undoes that case's move and is reported, the others go on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caseapp.cases import lifecycle, services
from caseapp.cases.models import Case
from caseapp.clients import services as clients
from caseapp.core import audit
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, Refusal
from caseapp.deadlines import services as deadlines

# stage whose deadline passed -> (the next stage, the letter that goes with it)
NEXT = {lifecycle.OFFER_SENT: (lifecycle.REMINDER_SENT, "reminder"),
        lifecycle.REMINDER_SENT: (lifecycle.FINAL_DEMAND, "final_demand")}
DECIDE = "Decide: collection or lawyer (final demand unanswered)"
ANSWER_REPLY = "Answer the reply"
REPLY_DAYS = 2          # working days to answer a reply
# What a handler does that resumes escalation after a reply (and what escalation itself does).
RESUMES = ("case.stage_changed", "case.edited", "case.escalated")
REPLY = "case.reply_received"


@dataclass(frozen=True)
class Step:
    """What escalation did (or, in a dry run, would do) to one case."""

    ref: str
    stage: str
    to_stage: str | None
    action: str                       # moved, raised, offer sent, skipped, refused
    letters: tuple[str, ...] = ()
    note: str = ""

    @property
    def changed(self) -> bool:
        return self.action in ("moved", "raised", "offer sent", "status letter")

    def __str__(self) -> str:
        move = f"{self.stage} -> {self.to_stage}" if self.to_stage and self.to_stage != self.stage else self.stage
        letters = f"; letters: {', '.join(self.letters)}" if self.letters else ""
        return f"{self.ref}: {self.action} ({move}){letters}{'; ' + self.note if self.note else ''}"

    def as_dict(self) -> dict:
        return {"ref": self.ref, "stage": self.stage, "to_stage": self.to_stage, "action": self.action,
                "letters": list(self.letters), "note": self.note}


@dataclass
class _Letters:
    issue: object | None
    send: object | None
    sent: list[str] = field(default_factory=list)

    def __call__(self, session, actor, case, kind, today) -> None:
        if self.issue is None:
            return
        letter = self.issue(session, actor, case, kind, today=today)     # (a letter, or a refusal raised)
        sent = self.send(session, actor, letter, today=today) if self.send is not None else None
        self.sent.append(kind if sent is not None or self.send is None else f"{kind} (draft: print and post it)")


def _letter_callables(issue_letter, send_letter) -> _Letters:
    """The injected callables (tests), else caseapp.letters': the letter is issued (rendered,
    stored, on the case) and e-mailed where the addressee has an e-mail address and mail is set
    up; otherwise it stays a draft on the case, to be printed and posted (the step says so)."""
    if issue_letter is not None:
        return _Letters(issue_letter, send_letter)
    from flask import current_app

    from caseapp.core.filestore import FileStore
    from caseapp.letters import services as letters

    store = FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])
    settings = current_app.config

    def issue(session, actor, case, kind, *, today):
        return letters.issue_letter(session, actor, case, kind, today=today, store=store)

    def send(session, actor, letter, *, today):
        case = session.get(Case, letter.case_id)
        address = case.client.email if letter.recipient == letters.CLIENT else case.party.email
        if not settings.get("CASEAPP_SMTP_HOST") or not address:
            return None        # a draft: printed and posted by a person
        return letters.send_letter(session, actor, letter, channel="email", today=today, store=store,
                                   case=case)

    return _Letters(issue, send)


class _ClientPolicy:
    """Whether a client gets status letters: its own setting (clients.client_terms), unless the
    caller says "all", "none" or which client ids."""

    def __init__(self, session: Session, override=None) -> None:
        self.session, self.override, self.known = session, override, {}

    def __contains__(self, client_id: int) -> bool:
        if self.override is not None:
            return self.override == "all" or (not isinstance(self.override, str) and client_id in self.override)
        if client_id not in self.known:
            terms = clients.client_terms(self.session, [client_id]).get(client_id)
            self.known[client_id] = bool(terms and terms.status_letters)
        return self.known[client_id]


def replied(session: Session, case_ids) -> set[int]:
    """The cases whose latest event among replies and what resumes escalation is a reply."""
    ids = sorted(set(case_ids))
    if not ids:
        return set()
    rows = session.execute(select(AuditEvent.case_id, AuditEvent.action)
                           .where(AuditEvent.case_id.in_(ids), AuditEvent.action.in_((REPLY, *RESUMES)))
                           .order_by(AuditEvent.case_id, AuditEvent.occurred_at, AuditEvent.id))
    latest: dict[int, str] = {}
    for case_id, action in rows:
        latest[case_id] = action
    return {case_id for case_id, action in latest.items() if action == REPLY}


def record_reply(session: Session, actor: Actor, case: Case, *, today: date, note: str | None = None,
                 seen_version: int | None = None) -> Case:
    """The party replied (a letter, an e-mail, a call): escalation stops for the case until a
    handler sets the next step (moves the stage or edits the due date). The case is due for an
    answer in REPLY_DAYS working days; the reply is on the case timeline."""
    from caseapp.core.records import check_version

    check_version(f"Case {case.ref}", case, seen_version)
    if case.stage == lifecycle.CLOSED:
        raise InvalidInput(f"Case {case.ref} is closed; a reply to it is a note.")
    note = (note or "").strip() or None
    if note and len(note) > 2000:
        raise InvalidInput("Say what the reply was in at most 2,000 characters; attach the rest as a note.")
    case.next_step = ANSWER_REPLY
    case.next_due_on = deadlines.working_days(today, REPLY_DAYS).due_on
    session.flush()
    audit.record(session, actor, REPLY, "case", case.id, case_id=case.id, reason=note,
                 details={"stage": case.stage, "next_due_on": case.next_due_on.isoformat()})
    return case


def escalate(session: Session, actor: Actor, *, today: date, issue_letter=None, send_letter=None,
             dry_run: bool = False, status_letters=None, auto_offer_clients=None) -> list[Step]:
    """Escalate every case whose deadline passed before `today`; return what was done (or, with
    `dry_run`, what would be: nothing changes). `issue_letter(session, actor, case, kind, *,
    today)` and `send_letter(session, actor, letter, *, today)` default to caseapp.letters'.
    `status_letters`/`auto_offer_clients`: "all", "none" or client ids (default: the settings)."""
    letters = _letter_callables(issue_letter, send_letter)
    status = _ClientPolicy(session, status_letters)
    auto = (frozenset(clients.clients_offering_without_handler(session)) or "none") if auto_offer_clients is None \
        else auto_offer_clients
    steps: list[Step] = []
    overdue = list(session.scalars(select(Case).where(
        Case.stage.in_((lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, lifecycle.FINAL_DEMAND)),
        Case.next_due_on < today).order_by(Case.next_due_on, Case.id)))
    paused = replied(session, [c.id for c in overdue])
    for case in overdue:
        if case.id in paused:
            steps.append(Step(case.ref, case.stage, None, "skipped", note="reply received: a handler sets the next step"))
        elif case.stage == lifecycle.FINAL_DEMAND:
            if case.next_step != DECIDE:
                steps.append(Step(case.ref, case.stage, case.stage, "raised", note=DECIDE))
                if not dry_run:
                    _raise(session, actor, case, today)
        else:
            target, kind = NEXT[case.stage]
            steps.append(_move(session, actor, case, target, kind, today, letters, status, dry_run))
    if auto != "none":
        steps += _auto_offers(session, actor, today, letters, status, auto, dry_run)
    steps += _missed_instalments(session, actor, today, dry_run)
    steps += _status_letters(session, actor, today, letters, status, dry_run)
    return steps


STATUS_WINDOW_DAYS = 7     # stage changes this recent (a person's) get their status letter


def _status_letters(session, actor, today, letters: _Letters, status, dry_run) -> list[Step]:
    """A status letter to the client for each case whose stage a person changed in the last
    STATUS_WINDOW_DAYS days after the case's latest status letter (escalation's own moves send
    theirs at once): the client hears of every step, once."""
    from datetime import datetime, time, timedelta, timezone

    from caseapp.letters import services as letters_service

    since = datetime.combine(today - timedelta(days=STATUS_WINDOW_DAYS), time.min, tzinfo=timezone.utc)
    until = datetime.combine(today + timedelta(days=1), time.min, tzinfo=timezone.utc)
    changed = dict(session.execute(
        select(AuditEvent.case_id, func.max(AuditEvent.occurred_at))
        .where(AuditEvent.action == "case.stage_changed", AuditEvent.case_id.is_not(None),
               AuditEvent.occurred_at >= since, AuditEvent.occurred_at < until)
        .group_by(AuditEvent.case_id)).all())
    last_letter = letters_service.latest_issued(session, changed, "status_update")
    steps = []
    for case in session.scalars(select(Case).where(Case.id.in_(sorted(changed))).order_by(Case.id)):
        if case.client_id not in status or (last_letter.get(case.id) and last_letter[case.id] >= changed[case.id]):
            continue
        if dry_run:
            steps.append(Step(case.ref, case.stage, None, "status letter", ("status_update",)))
            continue
        letters.sent = []
        try:
            with session.begin_nested():
                letters(session, actor, case, "status_update", today)
        except Refusal as error:
            steps.append(Step(case.ref, case.stage, None, "refused", note=str(error)))
            continue
        steps.append(Step(case.ref, case.stage, None, "status letter", tuple(letters.sent)))
    return steps


def _raise(session: Session, actor: Actor, case: Case, today: date) -> None:
    case.next_step = DECIDE
    session.flush()
    audit.record(session, actor, "case.escalated", "case", case.id, case_id=case.id, reason=DECIDE,
                 details={"stage": case.stage, "missed": case.next_due_on.isoformat(), "on": today.isoformat()})


def _move(session, actor, case, target, kind, today, letters: _Letters, status, dry_run) -> Step:
    tell_client = case.client_id in status
    if dry_run:
        return Step(case.ref, case.stage, target, "moved", (kind,) + (("status_update",) if tell_client else ()))
    stage = case.stage
    letters.sent = []
    try:
        with session.begin_nested():
            services.change_stage(session, actor, case, target, today=today,
                                  note=f"Escalated: the deadline of {case.next_due_on.isoformat()} passed")
            letters(session, actor, case, kind, today)
    except Refusal as error:
        session.expire(case)
        return Step(case.ref, stage, target, "refused", note=str(error))
    note = ""
    if tell_client:      # the client's status letter is its own: its failure does not undo the move
        try:
            with session.begin_nested():
                letters(session, actor, case, "status_update", today)
        except Refusal as error:
            note = f"no status letter to the client: {error}"
    return Step(case.ref, stage, target, "moved", tuple(letters.sent), note)


def _auto_offers(session, actor, today, letters: _Letters, status, auto, dry_run) -> list[Step]:
    """`auto`: "all" or the ids of the clients whose cases go out without a handler."""
    if isinstance(auto, str) and auto != "all":
        raise ValueError(f"auto_offer_clients: {auto!r} is neither 'all', 'none' nor client ids")
    query = select(Case).where(Case.stage.in_(OFFER_PATH)).order_by(Case.id)
    if auto != "all":
        query = query.where(Case.client_id.in_(sorted(auto)))
    return [_offer_path(session, actor, case, today, letters, status, dry_run) for case in session.scalars(query)]


# The stages a case passes on its own to its offer, for a client who allows it.
OFFER_PATH = (lifecycle.NEW, lifecycle.CHECKING, lifecycle.READY)


def _offer_path(session, actor, case, today, letters: _Letters, status, dry_run) -> Step:
    """A case of a client who allows offers without a handler: when the ownership gate is clear
    and the claim is feasible with a positive expected value, it goes through checking and ready
    to offer sent with the offer letter, all or nothing (a refused letter leaves it where it was)."""
    from caseapp.feasibility import services as feasibility

    if services.gate_blockers(session, case):
        return Step(case.ref, case.stage, None, "skipped", note="the ownership gate is not clear")
    outlook = feasibility.assess_case(case, today)
    if not outlook.feasible or outlook.expected_value.minor <= 0:
        return Step(case.ref, case.stage, None, "skipped", note="not feasible: a handler decides")
    if dry_run:
        return Step(case.ref, case.stage, lifecycle.OFFER_SENT, "offer sent", ("offer",))
    stage = case.stage
    try:
        with session.begin_nested():
            for target in OFFER_PATH[OFFER_PATH.index(stage) + 1:]:
                services.change_stage(session, actor, case, target, today=today,
                                      note="The client allows offers without a handler: checks passed")
            step = _move(session, actor, case, lifecycle.OFFER_SENT, "offer", today, letters, status, False)
            if not step.changed:
                raise _Undo(step)
    except _Undo as undo:
        session.expire(case)
        return Step(undo.step.ref, stage, lifecycle.OFFER_SENT, undo.step.action, (), undo.step.note)
    return Step(step.ref, stage, step.to_stage, "offer sent", step.letters, step.note)


class _Undo(Exception):
    def __init__(self, step: Step) -> None:
        self.step = step


def send_offer_without_handler(session: Session, actor: Actor, case: Case, *, today: date) -> Step | None:
    """Right after a case opens (hits.drafts): if its client allows offers without a handler,
    the offer goes out now when the gate is clear and the claim feasible — minutes from hit to
    first letter, not the next daily run. None when the client does not allow it."""
    terms = clients.client_terms(session, [case.client_id]).get(case.client_id)
    if not (terms and terms.offers_without_handler) or case.stage not in OFFER_PATH:
        return None
    return _offer_path(session, actor, case, today, _letter_callables(None, None), _ClientPolicy(session), False)


MISSED_INSTALMENT = "Instalment {number} missed: remind or escalate"


def _missed_instalments(session: Session, actor: Actor, today: date, dry_run: bool) -> list[Step]:
    """A settled case whose instalment is unpaid `settlements.GRACE_DAYS` working days after its
    due date is raised: next step "Instalment N missed: remind or escalate", due today (the top of
    its handler's queue). No letter goes out on its own: the handler decides between a reminder
    and going back to collection or the lawyer. Each instalment is raised once (settlements
    marks it), so a second run finds nothing to do."""
    from caseapp.settlements import services as settlements

    steps, by_case = [], {}
    for missed in settlements.missed_instalments(session, today):   # one step a case: its latest missed
        by_case.setdefault(missed.case_id, []).append(missed)
    for case_id, all_missed in by_case.items():
        case, missed = session.get(Case, case_id), all_missed[-1]
        if case is None or case.stage != lifecycle.SETTLED:
            continue
        note = MISSED_INSTALMENT.format(number=missed.number)
        steps.append(Step(case.ref, case.stage, case.stage, "raised", note=note))
        if dry_run:
            continue
        case.next_step, case.next_due_on = note, today
        for each in all_missed:
            settlements.mark_raised(session, each.instalment_id, today)
        audit.record(session, actor, "case.escalated", "case", case.id, case_id=case.id, reason=note,
                     details={"stage": case.stage, "instalment": missed.number, "due_on": missed.due_on.isoformat(),
                              "unpaid": str(missed.unpaid), "on": today.isoformat()})
    return steps
