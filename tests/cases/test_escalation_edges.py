"""The daily escalation, edge by edge: what a step says (the run's report), a reply pausing a
case until the handler's next step (and the reply's own deadline: two working days), a final
demand raised with its missed date on record, and a missed instalment raised for the latest
one missed, once."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseapp.cases import lifecycle, services
from caseapp.cases.escalation import ANSWER_REPLY, DECIDE, Step, escalate, record_reply, replied
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, StaleEdit
from tests.cases.factories import make_case
from tests.conftest import TODAY

ROBOT = Actor.system("escalation")
HANDLER = Actor(None, "handler")


def _events(session, case, action):
    return session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == action)
                           .order_by(AuditEvent.id)).all()


def _run(session, today=TODAY, **options):
    options.setdefault("status_letters", "none")
    options.setdefault("auto_offer_clients", "none")
    return escalate(session, ROBOT, today=today, issue_letter=lambda *a, **k: "letter",
                    send_letter=lambda *a, **k: "sent", **options)


# -- what a step says ------------------------------------------------------------------------

def test_a_move_says_from_where_to_where_with_its_letters_and_note():
    step = Step("C-2026-0001", "offer_sent", "reminder_sent", "moved", ("reminder", "status_update"),
                "no status letter to the client: no address")
    assert str(step) == ("C-2026-0001: moved (offer_sent -> reminder_sent); letters: reminder, status_update; "
                         "no status letter to the client: no address")
    assert step.as_dict() == {"ref": "C-2026-0001", "stage": "offer_sent", "to_stage": "reminder_sent",
                              "action": "moved", "letters": ["reminder", "status_update"],
                              "note": "no status letter to the client: no address"}


def test_a_step_that_stays_in_its_stage_names_the_stage_once():
    assert str(Step("C-1", "final_demand", "final_demand", "raised", note=DECIDE)) == \
        f"C-1: raised (final_demand); {DECIDE}"
    assert str(Step("C-1", "offer_sent", None, "skipped")) == "C-1: skipped (offer_sent)"
    assert Step("C-1", "offer_sent", None, "skipped").as_dict() == {
        "ref": "C-1", "stage": "offer_sent", "to_stage": None, "action": "skipped", "letters": [], "note": ""}


@pytest.mark.parametrize("action, changed", [("moved", True), ("raised", True), ("offer sent", True),
                                             ("status letter", True), ("skipped", False), ("refused", False)])
def test_what_counts_as_a_change(action, changed):
    assert Step("C-1", "ready", None, action).changed is changed


# -- a reply ---------------------------------------------------------------------------------

def test_a_reply_is_due_for_an_answer_in_two_working_days_and_is_on_the_timeline(db_session):
    """Recorded on Friday 20 November 2026: answer by Tuesday 24 (Saturday and Sunday do not count)."""
    case = make_case(db_session, lifecycle.OFFER_SENT)
    record_reply(db_session, HANDLER, case, today=date(2026, 11, 20), note="  Says they have a licence  ",
                 seen_version=case.version)
    assert (case.next_step, case.next_due_on) == (ANSWER_REPLY, date(2026, 11, 24))
    assert ANSWER_REPLY == "Answer the reply"
    [event] = _events(db_session, case, "case.reply_received")
    assert (event.subject_type, event.subject_id, event.actor_name, event.reason) == (
        "case", case.id, "handler", "Says they have a licence")
    assert event.details == {"stage": lifecycle.OFFER_SENT, "next_due_on": "2026-11-24"}


def test_a_reply_to_a_closed_case_is_refused(db_session):
    case = make_case(db_session, lifecycle.CLOSED)
    with pytest.raises(InvalidInput) as refused:
        record_reply(db_session, HANDLER, case, today=TODAY)
    assert str(refused.value) == f"Case {case.ref} is closed; a reply to it is a note."
    assert _events(db_session, case, "case.reply_received") == []


def test_a_reply_recorded_on_a_stale_page_is_refused(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    with pytest.raises(StaleEdit, match=f"^Case {case.ref} was changed by someone else"):
        record_reply(db_session, HANDLER, case, today=TODAY, seen_version=case.version - 1)


def test_a_reply_note_of_2000_characters_is_kept_one_of_2001_is_refused(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    with pytest.raises(InvalidInput) as refused:
        record_reply(db_session, HANDLER, case, today=TODAY, note="x" * 2001)
    assert str(refused.value) == "Say what the reply was in at most 2,000 characters; attach the rest as a note."
    record_reply(db_session, HANDLER, case, today=TODAY, note="x" * 2000)
    record_reply(db_session, HANDLER, case, today=TODAY, note="   ")
    record_reply(db_session, HANDLER, case, today=TODAY)
    assert [e.reason for e in _events(db_session, case, "case.reply_received")] == ["x" * 2000, None, None]


def test_a_case_is_paused_while_a_reply_is_its_latest_event_and_resumes_after_the_handlers_step(db_session):
    quiet, answered, resumed = (make_case(db_session, lifecycle.OFFER_SENT) for _ in range(3))
    record_reply(db_session, HANDLER, answered, today=TODAY)
    record_reply(db_session, HANDLER, resumed, today=TODAY)
    services.change_stage(db_session, HANDLER, resumed, lifecycle.REMINDER_SENT, today=TODAY)
    assert replied(db_session, [quiet.id, answered.id, resumed.id, answered.id]) == {answered.id}
    assert replied(db_session, []) == set()
    assert replied(db_session, [quiet.id, resumed.id]) == set()          # another case's reply is not theirs


def test_a_reply_stays_the_latest_step_whatever_else_is_recorded_on_the_case(db_session):
    """A note or an assignment after the reply does not resume escalation; only a handler's
    stage change or edit does — the latest by time, not by the order the events were written."""
    from datetime import datetime, timezone

    from caseapp.core import audit

    noted, backdated = make_case(db_session, lifecycle.OFFER_SENT), make_case(db_session, lifecycle.OFFER_SENT)
    record_reply(db_session, HANDLER, noted, today=TODAY)
    audit.record(db_session, HANDLER, "case.note_added", "case", noted.id, case_id=noted.id)
    record_reply(db_session, HANDLER, backdated, today=TODAY)
    audit.record(db_session, HANDLER, "case.edited", "case", backdated.id, case_id=backdated.id)
    _events(db_session, backdated, "case.edited")[0].occurred_at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    db_session.flush()
    assert replied(db_session, [noted.id, backdated.id]) == {noted.id, backdated.id}


def test_a_case_paused_by_a_reply_is_reported_skipped_on_the_day_after_its_deadline(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    record_reply(db_session, HANDLER, case, today=TODAY - timedelta(days=5))
    [step] = [s for s in _run(db_session, today=case.next_due_on + timedelta(days=1)) if s.ref == case.ref]
    assert (step.action, step.stage, step.to_stage, step.note) == (
        "skipped", lifecycle.OFFER_SENT, None, "reply received: a handler sets the next step")
    assert case.stage == lifecycle.OFFER_SENT


# -- the final demand ------------------------------------------------------------------------

def test_a_final_demand_is_raised_the_day_after_its_last_day_not_on_it(db_session):
    case = make_case(db_session, lifecycle.FINAL_DEMAND)
    case.next_due_on, case.next_step = TODAY - timedelta(days=1), "Await payment"
    db_session.flush()
    assert [s for s in _run(db_session, today=TODAY - timedelta(days=1)) if s.ref == case.ref] == []
    [step] = [s for s in _run(db_session) if s.ref == case.ref]
    assert (step.action, step.stage, step.to_stage, step.note) == ("raised", lifecycle.FINAL_DEMAND,
                                                                   lifecycle.FINAL_DEMAND, DECIDE)
    assert (case.stage, case.next_step, case.next_due_on) == (lifecycle.FINAL_DEMAND, DECIDE, TODAY - timedelta(days=1))
    [event] = _events(db_session, case, "case.escalated")
    assert (event.actor_name, event.subject_type, event.subject_id, event.reason) == (
        "escalation", "case", case.id, DECIDE)
    assert event.details == {"stage": lifecycle.FINAL_DEMAND, "missed": "2026-11-22", "on": "2026-11-23"}
    assert DECIDE == "Decide: collection or lawyer (final demand unanswered)"


def test_a_reminder_moves_to_the_final_demand_with_its_letter_and_the_missed_date_in_the_note(db_session):
    case = make_case(db_session, lifecycle.REMINDER_SENT)
    case.next_due_on = TODAY - timedelta(days=1)
    db_session.flush()
    issued = []
    steps = escalate(db_session, ROBOT, today=TODAY, status_letters="none", auto_offer_clients="none",
                     issue_letter=lambda s, a, c, kind, *, today: issued.append((c.ref, kind, today)) or kind,
                     send_letter=lambda s, a, letter, *, today: letter)
    [step] = [s for s in steps if s.ref == case.ref]
    assert (step.action, step.stage, step.to_stage, step.letters) == (
        "moved", lifecycle.REMINDER_SENT, lifecycle.FINAL_DEMAND, ("final_demand",))
    assert (case.ref, "final_demand", TODAY) in issued
    [event] = _events(db_session, case, "case.stage_changed")
    assert event.reason == "Escalated: the deadline of 2026-11-22 passed"


def test_a_letter_issued_but_not_sent_is_a_draft_to_print_and_post(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    case.next_due_on = TODAY - timedelta(days=1)
    db_session.flush()
    steps = escalate(db_session, ROBOT, today=TODAY, status_letters="none", auto_offer_clients="none",
                     issue_letter=lambda *a, **k: "letter", send_letter=lambda *a, **k: None)
    [step] = [s for s in steps if s.ref == case.ref]
    assert step.letters == ("reminder (draft: print and post it)",)


# -- a missed instalment ---------------------------------------------------------------------

def test_only_the_latest_missed_instalment_is_raised_and_every_missed_one_is_marked(db_session):
    from tests.settlements.test_settlements import planned
    from caseapp.settlements import services as settlements

    case, settlement = planned(db_session, first_due=date(2026, 12, 1))
    second_missed = settlements.missed_from(settlement.instalments[1].due_on) + timedelta(days=1)
    [step] = [s for s in _run(db_session, today=second_missed) if s.ref == case.ref]
    note = "Instalment 2 missed: remind or escalate"
    assert (step.action, step.stage, step.to_stage, step.note) == ("raised", lifecycle.SETTLED, lifecycle.SETTLED, note)
    assert (case.next_step, case.next_due_on) == (note, second_missed)
    [event] = _events(db_session, case, "case.escalated")
    assert (event.actor_name, event.subject_type, event.subject_id, event.reason) == ("escalation", "case", case.id,
                                                                                     note)
    assert event.details == {"stage": lifecycle.SETTLED, "instalment": 2,
                             "due_on": settlement.instalments[1].due_on.isoformat(), "unpaid": "300.00 EUR",
                             "on": second_missed.isoformat()}
    assert [s for s in _run(db_session, today=second_missed + timedelta(days=1)) if s.ref == case.ref] == []


def test_a_dry_run_reports_a_missed_instalment_and_changes_nothing(db_session):
    from tests.settlements.test_settlements import planned
    from caseapp.settlements import services as settlements

    case, settlement = planned(db_session)
    day = settlements.missed_from(settlement.instalments[0].due_on) + timedelta(days=1)
    before = (case.next_step, case.next_due_on)
    [step] = [s for s in _run(db_session, today=day, dry_run=True) if s.ref == case.ref]
    assert (step.action, step.note) == ("raised", "Instalment 1 missed: remind or escalate")
    assert (case.next_step, case.next_due_on) == before and _events(db_session, case, "case.escalated") == []
    assert [s.action for s in _run(db_session, today=day) if s.ref == case.ref] == ["raised"]    # still to raise


def test_a_missed_instalment_of_a_case_no_longer_settled_is_not_raised_the_others_are(db_session):
    from tests.settlements.test_settlements import planned
    from caseapp.settlements import services as settlements

    first, settlement = planned(db_session)
    case, _ = planned(db_session)
    last, _ = planned(db_session)
    case.stage = lifecycle.COLLECTION
    db_session.flush()
    day = settlements.missed_from(settlement.instalments[0].due_on) + timedelta(days=1)
    refs = {first.ref, case.ref, last.ref}
    assert sorted(s.ref for s in _run(db_session, today=day, dry_run=True) if s.ref in refs) == \
        sorted([first.ref, last.ref])
    assert sorted(s.ref for s in _run(db_session, today=day) if s.ref in refs) == sorted([first.ref, last.ref])
    assert case.next_step != "Instalment 1 missed: remind or escalate"
