"""Closing keeps where the case was; reopening brings it back there, with a reason, audited and
stale-edit checked (issue 17). Both sides of every edge."""
from __future__ import annotations

import pytest

from caseapp.cases import lifecycle, services
from caseapp.core.audit import Actor
from caseapp.core.errors import IllegalTransition, InvalidInput, StaleEdit
from tests.cases.factories import case_events, make_case, refusal
from tests.conftest import TODAY

ACTOR = Actor(None, "tester")
REASON = "The bank returned the payment: the claim is owed again."


def closed_case(session, stage=lifecycle.OFFER_SENT, reason="duplicate", **kwargs):
    case = make_case(session, stage, **kwargs)
    services.change_stage(session, ACTOR, case, lifecycle.CLOSED, today=TODAY, reason=reason)
    return case




# --- closing keeps the stage it returns to --------------------------------------------------------

@pytest.mark.parametrize("stage", [lifecycle.NEW, lifecycle.OFFER_SENT, lifecycle.COURT, lifecycle.SETTLED])
def test_closing_keeps_the_stage_it_was_closed_from(db_session, stage):
    case = closed_case(db_session, stage)
    assert (case.stage, case.closed_from_stage, case.closure_reason) == (lifecycle.CLOSED, stage, "duplicate")
    assert case.closed_at is not None and case.next_due_on is None


def test_closing_while_on_hold_keeps_the_stage_it_was_held_from(db_session):
    case = closed_case(db_session, lifecycle.ON_HOLD, held_from=lifecycle.REMINDER_SENT)
    assert case.closed_from_stage == lifecycle.REMINDER_SENT and case.held_from_stage is None


def test_a_stage_change_that_is_not_a_closure_keeps_no_closed_from_stage(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    services.change_stage(db_session, ACTOR, case, lifecycle.REMINDER_SENT, today=TODAY)
    assert case.closed_from_stage is None


# --- reopening ------------------------------------------------------------------------------------------

def test_a_reopened_case_returns_to_its_stage_with_next_step_and_due_date(db_session):
    case = closed_case(db_session, lifecycle.REMINDER_SENT)
    services.reopen_case(db_session, ACTOR, case, reason=REASON, today=TODAY)
    assert case.stage == lifecycle.REMINDER_SENT
    assert case.next_step == lifecycle.NEXT_STEP[lifecycle.REMINDER_SENT]
    # the due date as a stage change computes it: the reminder's deadline, counted from today
    assert case.next_due_on == services.due_on_entering(lifecycle.REMINDER_SENT, TODAY, country=case.country,
                                                        subdivision=case.party.subdivision)
    assert case.next_due_on > TODAY
    assert (case.closure_reason, case.closed_at, case.closed_from_stage) == (None, None, None)
    assert case.is_open


def test_reopening_is_audited_from_closed_to_the_stage_with_the_reason(db_session):
    case = closed_case(db_session, lifecycle.COLLECTION, reason="uncollectable")
    services.reopen_case(db_session, ACTOR, case, reason="  " + REASON + "\n", today=TODAY)
    (event,) = case_events(db_session, case, "case.reopened")
    assert (event.from_state, event.to_state, event.reason, event.actor_name) == \
        (lifecycle.CLOSED, lifecycle.COLLECTION, REASON, "tester")
    assert event.details == {"was_closed_as": "uncollectable"}
    (closing,) = case_events(db_session, case, "case.stage_changed")
    assert (closing.to_state, closing.reason) == (lifecycle.CLOSED, "Uncollectable")   # the reason in words


def test_a_case_closed_while_on_hold_reopens_where_it_was_held_from(db_session):
    case = closed_case(db_session, lifecycle.ON_HOLD, held_from=lifecycle.LEGAL)
    services.reopen_case(db_session, ACTOR, case, reason=REASON, today=TODAY)
    assert case.stage == lifecycle.LEGAL and case.next_step == lifecycle.NEXT_STEP[lifecycle.LEGAL]


def test_a_case_whose_earlier_stage_is_unknown_reopens_to_checking(db_session):
    case = make_case(db_session, lifecycle.CLOSED)   # placed closed, as before the stage was kept
    assert case.closed_from_stage is None
    services.reopen_case(db_session, ACTOR, case, reason=REASON, today=TODAY)
    assert case.stage == lifecycle.CHECKING and case.next_due_on is not None


def test_a_paid_case_closed_in_full_reopens_as_paid(db_session):
    case = closed_case(db_session, lifecycle.PAID, reason="paid_in_full")
    services.reopen_case(db_session, ACTOR, case, reason=REASON, today=TODAY)
    assert case.stage == lifecycle.PAID
    assert lifecycle.COLLECTION in lifecycle.allowed_targets(case.stage)   # and can be collected again


def test_a_reopened_case_can_close_again_and_reopen_again(db_session):
    case = closed_case(db_session, lifecycle.OFFER_SENT)
    services.reopen_case(db_session, ACTOR, case, reason=REASON, today=TODAY)
    services.change_stage(db_session, ACTOR, case, lifecycle.REMINDER_SENT, today=TODAY)
    services.change_stage(db_session, ACTOR, case, lifecycle.CLOSED, today=TODAY, reason="time_barred")
    services.reopen_case(db_session, ACTOR, case, reason="second thoughts", today=TODAY)
    assert case.stage == lifecycle.REMINDER_SENT
    assert [e.to_state for e in case_events(db_session, case, "case.reopened")] == \
        [lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT]


@pytest.mark.parametrize("reason", ["", "   ", "\n\t", None])
def test_reopening_without_a_reason_is_refused(db_session, reason):
    case = closed_case(db_session)
    assert refusal(services.reopen_case, db_session, ACTOR, case, reason=reason, today=TODAY) == (
        f"Reopening {case.ref} needs a reason: say why the case goes on (e.g. the payment was returned by the bank).")
    assert case.stage == lifecycle.CLOSED and not case_events(db_session, case, "case.reopened")


def test_a_reason_of_2000_characters_is_taken_2001_is_refused(db_session):
    longest, too_long = "r" * 2000, "r" * 2001
    case = closed_case(db_session)
    assert refusal(services.reopen_case, db_session, ACTOR, case, reason=too_long, today=TODAY) == (
        "The reason holds at most 2,000 characters (this one has 2,001); shorten it and add the rest as a note.")
    assert case.stage == lifecycle.CLOSED
    services.reopen_case(db_session, ACTOR, case, reason=longest, today=TODAY)
    assert case.stage == lifecycle.OFFER_SENT
    assert case_events(db_session, case, "case.reopened")[0].reason == longest


def test_the_limit_counts_the_reason_without_its_surrounding_spaces(db_session):
    case = closed_case(db_session)
    services.reopen_case(db_session, ACTOR, case, reason="  " + "r" * 2000 + "  ", today=TODAY)
    assert case.is_open


@pytest.mark.parametrize("stage", [lifecycle.NEW, lifecycle.OFFER_SENT, lifecycle.PAID, lifecycle.ON_HOLD])
def test_a_case_that_is_not_closed_is_refused(db_session, stage):
    case = make_case(db_session, stage)
    message = refusal(services.reopen_case, db_session, ACTOR, case, reason=REASON, today=TODAY,
                      error=IllegalTransition)
    assert message == (f"{case.ref} is not closed (it is {lifecycle.STAGE_LABELS[stage]}): "
                       "only a closed case can be reopened.")
    assert case.stage == stage and not case_events(db_session, case, "case.reopened")


def test_a_stale_reopening_is_refused_and_the_current_one_is_taken(db_session):
    case = closed_case(db_session)
    seen = case.version
    case.claimed_minor += 100          # someone else changed the case meanwhile
    db_session.flush()
    said = refusal(services.reopen_case, db_session, ACTOR, case, reason=REASON, today=TODAY, seen_version=seen,
                   error=StaleEdit)
    assert said.startswith(f"Case {case.ref} was changed by someone else")   # the case named
    assert case.stage == lifecycle.CLOSED
    services.reopen_case(db_session, ACTOR, case, reason=REASON, today=TODAY, seen_version=case.version)
    assert case.stage == lifecycle.OFFER_SENT


def test_a_reopened_case_is_back_in_the_queue(db_session):
    case = closed_case(db_session)
    holder = case.client_id
    assert case.id not in [c.id for c in services.queue_page(db_session, scope="unassigned", user_id=None,
                                                             client_id=holder).cases]
    services.reopen_case(db_session, ACTOR, case, reason=REASON, today=TODAY)
    assert case.id in [c.id for c in services.queue_page(db_session, scope="unassigned", user_id=None,
                                                         client_id=holder).cases]


# --- a closed case takes no notes ---------------------------------------------------------------------

def test_a_closed_case_takes_no_note_an_open_one_does(db_session):
    case = closed_case(db_session)
    assert refusal(services.add_note, db_session, ACTOR, case, "called") == \
        f"{case.ref} is closed: reopen it (with a reason) to add notes."
    services.reopen_case(db_session, ACTOR, case, reason=REASON, today=TODAY)
    assert services.add_note(db_session, ACTOR, case, "called").text == "called"


# --- the overdue tab ---------------------------------------------------------------------------------

def test_the_overdue_queue_is_my_cases_due_before_today(db_session, users):
    from datetime import timedelta

    from tests.clients.factories import make_client

    me, other = users["handler"].id, users["handler2"].id
    holder = make_client(db_session)
    late, today_, others_late, unassigned_late = (make_case(db_session, lifecycle.OFFER_SENT, holder=holder)
                                                  for _ in range(4))
    for case, who, due in ((late, me, TODAY - timedelta(days=1)), (today_, me, TODAY),
                           (others_late, other, TODAY - timedelta(days=3)),
                           (unassigned_late, None, TODAY - timedelta(days=3))):
        case.assignee_id, case.next_due_on = who, due
    closed = closed_case(db_session, holder=holder)
    closed.assignee_id = me
    db_session.flush()
    page = services.queue_page(db_session, scope="overdue", user_id=me, today=TODAY, client_id=holder.id)
    assert [c.id for c in page.cases] == [late.id]      # due yesterday: yes; due today, others', closed: no
    assert services.queue_counts(db_session, me, TODAY, client_id=holder.id).overdue == 1
    with pytest.raises(InvalidInput):
        services.queue_page(db_session, scope="overdue", user_id=me, client_id=holder.id)


def test_a_reopening_is_recorded_on_the_case_as_its_subject(db_session):
    case = closed_case(db_session)
    services.reopen_case(db_session, ACTOR, case, reason=REASON, today=TODAY)
    event, = case_events(db_session, case, "case.reopened")
    assert (event.subject_type, event.subject_id, event.reason) == ("case", case.id, REASON)


def test_the_reopened_stages_due_date_counts_the_recipients_regional_holidays(db_session):
    """A party in Bavaria, reopened on a day whose offer deadline falls differently in Bavaria than
    in Germany at large (found, not assumed): the due date is counted in the party's region, as a
    stage change counts it."""
    from datetime import timedelta

    day = next(TODAY + timedelta(days=n) for n in range(400)
               if services.due_on_entering(lifecycle.OFFER_SENT, TODAY + timedelta(days=n), country="DE",
                                           subdivision="BY")
               != services.due_on_entering(lifecycle.OFFER_SENT, TODAY + timedelta(days=n), country="DE",
                                           subdivision=None))
    case = closed_case(db_session)
    case.party.subdivision = "BY"
    db_session.flush()
    services.reopen_case(db_session, ACTOR, case, reason=REASON, today=day)
    assert case.next_due_on == services.due_on_entering(lifecycle.OFFER_SENT, day, country="DE", subdivision="BY")
