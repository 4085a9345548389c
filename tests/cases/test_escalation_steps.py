"""The daily escalation's report, step by step and in full: what a dry run says it would do
(and that it does nothing), what a run did, what a refused letter leaves, which stage changes
fall inside the status-letter window, and the expected-value edge of an offer without a handler.
A handler reads this report (`caseapp escalate`, its JSON) to know what went out overnight: a
step with the wrong stage, letters or note misinforms them."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from caseapp.cases import lifecycle, services
from caseapp.cases.escalation import STATUS_WINDOW_DAYS, Step, escalate
from caseapp.cases.models import Case
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.money import Money
from tests.cases.factories import FakeLetters, event_count, make_case, placed
from tests.conftest import TODAY

ROBOT = Actor.system("escalation")
HANDLER = Actor(None, "handler")
YESTERDAY = TODAY - timedelta(days=1)
CHECKS_PASSED = "The client allows offers without a handler: checks passed"


def quiet_database(session, *ours) -> None:
    """The test database's own cases stay out of the run: none overdue, no client offering
    without a handler, no recent stage change of theirs (the report is then exactly ours)."""
    from caseapp.clients.models import Client

    ids = [c.id for c in ours]
    session.execute(update(Case).where(Case.id.not_in(ids), Case.next_due_on < TODAY + timedelta(days=30))
                    .values(next_due_on=TODAY + timedelta(days=30)))
    session.execute(update(Client).where(Client.id.not_in([c.client_id for c in ours]))
                    .values(offers_without_handler=False))
    session.execute(update(AuditEvent).where(AuditEvent.action == "case.stage_changed",
                                             AuditEvent.case_id.not_in(ids))
                    .values(action="case.stage_changed.elsewhere"))


def moved_by_a_person(session, stage=lifecycle.OFFER_SENT) -> Case:
    """A case a handler put on hold today: its client is owed a status letter."""
    case = placed(session, stage, TODAY + timedelta(days=5))
    services.change_stage(session, HANDLER, case, lifecycle.ON_HOLD, today=TODAY)
    _changed_at(session, case, datetime.combine(TODAY, time(9), tzinfo=timezone.utc))   # (the clock is not TODAY)
    return case


def _world(session):
    told = placed(session, lifecycle.OFFER_SENT, YESTERDAY)
    quiet = placed(session, lifecycle.OFFER_SENT, YESTERDAY)
    fresh = make_case(session, lifecycle.NEW, claimed="900.00")        # its client allows offers
    held, held_too = moved_by_a_person(session), moved_by_a_person(session)
    quiet_database(session, told, quiet, fresh, held, held_too)
    return told, quiet, fresh, held, held_too


def test_a_dry_run_reports_every_step_in_full_and_changes_nothing(db_session):
    told, quiet, fresh, held, held_too = _world(db_session)
    before, letters = event_count(db_session), FakeLetters()
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=letters.issue, send_letter=letters.send,
                     dry_run=True, status_letters=frozenset({told.client_id, held.client_id, held_too.client_id}),
                     auto_offer_clients=frozenset({fresh.client_id}))
    assert steps == [
        Step(told.ref, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "moved", ("reminder", "status_update")),
        Step(quiet.ref, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "moved", ("reminder",)),
        Step(fresh.ref, lifecycle.NEW, lifecycle.OFFER_SENT, "offer sent", ("offer",)),
        Step(held.ref, lifecycle.ON_HOLD, None, "status letter", ("status_update",)),
        Step(held_too.ref, lifecycle.ON_HOLD, None, "status letter", ("status_update",)),
    ]
    assert (told.stage, quiet.stage, fresh.stage) == (lifecycle.OFFER_SENT, lifecycle.OFFER_SENT, lifecycle.NEW)
    assert letters.issued == [] and event_count(db_session) == before


def test_a_run_reports_every_step_in_full(db_session):
    told, quiet, fresh, held, held_too = _world(db_session)
    letters = FakeLetters()
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=letters.issue, send_letter=letters.send,
                     status_letters=frozenset({held.client_id, held_too.client_id}),
                     auto_offer_clients=frozenset({fresh.client_id}))
    assert steps == [
        Step(told.ref, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "moved", ("reminder",), ""),
        Step(quiet.ref, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "moved", ("reminder",), ""),
        Step(fresh.ref, lifecycle.NEW, lifecycle.OFFER_SENT, "offer sent", ("offer",), ""),
        Step(held.ref, lifecycle.ON_HOLD, None, "status letter", ("status_update",), ""),
        Step(held_too.ref, lifecycle.ON_HOLD, None, "status letter", ("status_update",), ""),
    ]
    assert fresh.stage == lifecycle.OFFER_SENT and letters.sent_by == {(ROBOT.name, TODAY)}
    reasons = db_session.scalars(select(AuditEvent.reason).where(
        AuditEvent.case_id == fresh.id, AuditEvent.action == "case.stage_changed").order_by(AuditEvent.id)).all()
    assert reasons[:2] == [CHECKS_PASSED, CHECKS_PASSED] and len(reasons) == 3


def test_a_move_with_the_clients_status_letter_reports_both_letters_and_no_note(db_session):
    told = placed(db_session, lifecycle.OFFER_SENT, YESTERDAY)
    quiet_database(db_session, told)
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=FakeLetters().issue, send_letter=FakeLetters().send,
                     status_letters=frozenset({told.client_id}), auto_offer_clients="none")
    assert steps[0] == Step(told.ref, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "moved",
                            ("reminder", "status_update"), "")


def test_refused_letters_are_reported_with_the_stage_the_case_keeps(db_session):
    told, quiet, fresh, held, held_too = _world(db_session)
    letters = FakeLetters(told.ref, fresh.ref, held.ref)
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=letters.issue, send_letter=letters.send,
                     status_letters=frozenset({held.client_id, held_too.client_id}),
                     auto_offer_clients=frozenset({fresh.client_id}))
    assert steps == [
        Step(told.ref, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "refused", (), f"{told.ref} has no postal address"),
        Step(quiet.ref, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "moved", ("reminder",), ""),
        Step(fresh.ref, lifecycle.NEW, lifecycle.OFFER_SENT, "refused", (), f"{fresh.ref} has no postal address"),
        Step(held.ref, lifecycle.ON_HOLD, None, "refused", (), f"{held.ref} has no postal address"),
        Step(held_too.ref, lifecycle.ON_HOLD, None, "status letter", ("status_update",), ""),
    ]
    # all or nothing: the offer path's checks and ready are undone with the refused offer
    assert (told.stage, fresh.stage) == (lifecycle.OFFER_SENT, lifecycle.NEW)
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.case_id == fresh.id, AuditEvent.action == "case.stage_changed")) == 0


def test_overdue_cases_are_taken_earliest_due_first_then_oldest(db_session):
    later = placed(db_session, lifecycle.OFFER_SENT, YESTERDAY)
    earlier = placed(db_session, lifecycle.OFFER_SENT, YESTERDAY - timedelta(days=3))
    same_day = placed(db_session, lifecycle.OFFER_SENT, YESTERDAY)
    quiet_database(db_session, later, earlier, same_day)
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=FakeLetters().issue, send_letter=FakeLetters().send,
                     status_letters="none", auto_offer_clients="none")
    assert [s.ref for s in steps] == [earlier.ref, later.ref, same_day.ref]


def test_all_clients_means_every_clients_new_case_goes_out(db_session):
    first, second = make_case(db_session, lifecycle.NEW, claimed="900.00"), make_case(db_session, lifecycle.NEW,
                                                                                      claimed="900.00")
    quiet_database(db_session, first, second)
    db_session.execute(update(Case).where(Case.id.not_in([first.id, second.id]), Case.stage.in_(
        (lifecycle.NEW, lifecycle.CHECKING, lifecycle.READY))).values(stage=lifecycle.ON_HOLD,
                                                                     held_from_stage=lifecycle.NEW))
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=FakeLetters().issue, send_letter=FakeLetters().send,
                     status_letters="none", auto_offer_clients="all")
    assert [(s.ref, s.action) for s in steps] == [(first.ref, "offer sent"), (second.ref, "offer sent")]


def test_with_no_client_offering_the_default_run_sends_no_offer(db_session):
    fresh = make_case(db_session, lifecycle.NEW, claimed="900.00")
    quiet_database(db_session)
    fresh.client.offers_without_handler = False
    db_session.flush()
    assert escalate(db_session, ROBOT, today=TODAY, issue_letter=FakeLetters().issue, send_letter=FakeLetters().send,
                    status_letters="none") == []
    assert fresh.stage == lifecycle.NEW


def test_a_word_other_than_all_or_none_is_refused(db_session):
    with pytest.raises(ValueError, match="neither 'all', 'none' nor client ids"):
        escalate(db_session, ROBOT, today=TODAY, issue_letter=FakeLetters().issue, send_letter=FakeLetters().send,
                 status_letters="none", auto_offer_clients="None")


# -- the status-letter window: stage changes from 00:00 UTC seven days back to the end of today --

def _changed_at(session, case, moment: datetime) -> None:
    session.execute(update(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "case.stage_changed")
                    .values(occurred_at=moment))


def test_the_status_letter_window_includes_its_first_and_last_moment_only(db_session):
    since = datetime.combine(TODAY - timedelta(days=STATUS_WINDOW_DAYS), time.min, tzinfo=timezone.utc)
    until = datetime.combine(TODAY + timedelta(days=1), time.min, tzinfo=timezone.utc)
    tick = timedelta(microseconds=1)
    first, before, last, after = (moved_by_a_person(db_session) for _ in range(4))
    quiet_database(db_session, first, before, last, after)
    for case, moment in ((first, since), (before, since - tick), (last, until - tick), (after, until)):
        _changed_at(db_session, case, moment)
    letters = FakeLetters()
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=letters.issue, send_letter=letters.send,
                     status_letters="all", auto_offer_clients="none")
    assert [s.ref for s in steps] == [first.ref, last.ref]


def test_a_stage_change_recorded_without_a_case_is_passed_over(db_session):
    from caseapp.core import audit

    held = moved_by_a_person(db_session)
    quiet_database(db_session, held)
    audit.record(db_session, HANDLER, "case.stage_changed", "case", 0, from_state="new", to_state="checking",
                 at=datetime.combine(TODAY, time(10), tzinfo=timezone.utc))     # inside the window, no case
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=FakeLetters().issue, send_letter=FakeLetters().send,
                     status_letters="all", auto_offer_clients="none")
    assert [s.ref for s in steps] == [held.ref]


def test_a_status_letter_issued_at_the_moment_of_the_change_covers_it(db_session):
    """The latest status letter is as recent as the stage change: nothing new to tell."""
    from caseapp.letters.models import Letter

    covered, uncovered = moved_by_a_person(db_session), moved_by_a_person(db_session)
    quiet_database(db_session, covered, uncovered)
    moment = datetime.combine(TODAY, time(9), tzinfo=timezone.utc)
    for case, issued in ((covered, moment), (uncovered, moment - timedelta(microseconds=1))):
        _changed_at(db_session, case, moment)
        db_session.add(Letter(case_id=case.id, kind="status_update", language="en", file_sha256="0" * 64,
                              filename="status.pdf", created_by="test", context={}, created_at=issued))
    db_session.flush()
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=FakeLetters().issue, send_letter=FakeLetters().send,
                     status_letters="all", auto_offer_clients="none")
    assert [s.ref for s in steps] == [uncovered.ref]


# -- an offer without a handler needs a feasible claim with a positive expected value ----------

@pytest.mark.parametrize("feasible, expected_minor, goes", [
    (True, 1, True), (True, 0, False), (True, -1, False), (False, 5000, False)])
def test_an_offer_goes_only_for_a_feasible_claim_worth_more_than_nothing(db_session, monkeypatch, feasible,
                                                                         expected_minor, goes):
    from caseapp.feasibility import services as feasibility

    fresh = make_case(db_session, lifecycle.NEW, claimed="900.00")
    quiet_database(db_session, fresh)
    monkeypatch.setattr(feasibility, "assess_case", lambda case, today: SimpleNamespace(
        feasible=feasible, expected_value=Money(expected_minor, "EUR")))
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=FakeLetters().issue, send_letter=FakeLetters().send,
                     status_letters="none", auto_offer_clients=frozenset({fresh.client_id}))
    if goes:
        assert steps == [Step(fresh.ref, lifecycle.NEW, lifecycle.OFFER_SENT, "offer sent", ("offer",), "")]
    else:
        assert steps == [Step(fresh.ref, lifecycle.NEW, None, "skipped", (), "not feasible: a handler decides")]


def test_an_offer_waits_for_the_ownership_gate_and_says_so(db_session):
    fresh = make_case(db_session, lifecycle.NEW, claimed="900.00")
    fresh.items[0].work.status = "unverified"
    quiet_database(db_session, fresh)
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=FakeLetters().issue, send_letter=FakeLetters().send,
                     status_letters="none", auto_offer_clients=frozenset({fresh.client_id}))
    assert steps == [Step(fresh.ref, lifecycle.NEW, None, "skipped", (), "the ownership gate is not clear")]


def test_letters_issued_with_nothing_to_send_them_are_reported_by_kind(db_session):
    """Issue callable only (no sending set up by the caller): the step names the letters issued."""
    told = placed(db_session, lifecycle.OFFER_SENT, YESTERDAY)
    quiet_database(db_session, told)
    letters = FakeLetters()
    steps = escalate(db_session, ROBOT, today=TODAY, issue_letter=letters.issue, send_letter=None,
                     status_letters=frozenset({told.client_id}), auto_offer_clients="none")
    assert steps == [Step(told.ref, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "moved",
                          ("reminder", "status_update"), "")]
    assert letters.issued == [(told.ref, "reminder"), (told.ref, "status_update")]


@pytest.fixture()
def mail_server(monkeypatch, smtp_server):
    """The app set up to send through a local SMTP server (tests/conftest.py: smtp_server)."""
    from flask import current_app

    for key, value in smtp_server.settings.items():
        monkeypatch.setitem(current_app.config, key, value)
    return smtp_server.received


def test_with_mail_set_up_the_real_letters_go_by_email_each_to_its_addressee(db_session, mail_server):
    """The reminder to the party's address, the status letter to the client's, sent on the run's
    day by the run; a party without an e-mail address gets hers as a draft to post."""
    from caseapp.letters.models import Letter

    emailed = placed(db_session, lifecycle.OFFER_SENT, YESTERDAY)
    posted = placed(db_session, lifecycle.OFFER_SENT, YESTERDAY)          # the party has no e-mail address
    client_posted = placed(db_session, lifecycle.OFFER_SENT, YESTERDAY)   # the client has none
    emailed.party.email, posted.party.email, client_posted.party.email = "owner@party.example", None, "x@party.example"
    emailed.client.email, posted.client.email, client_posted.client.email = ("studio@client.example",
                                                                            "photo@client.example", None)
    for case in (emailed, posted, client_posted):
        case.client.street, case.client.postcode, case.client.city = "Gartenweg 2", "50667", "Köln"
    quiet_database(db_session, emailed, posted, client_posted)
    steps = escalate(db_session, ROBOT, today=TODAY, auto_offer_clients="none",
                     status_letters=frozenset({emailed.client_id, posted.client_id, client_posted.client_id}))
    draft = "(draft: print and post it)"
    assert steps == [
        Step(emailed.ref, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "moved", ("reminder", "status_update"), ""),
        Step(posted.ref, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "moved",
             (f"reminder {draft}", "status_update"), ""),
        Step(client_posted.ref, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "moved",
             ("reminder", f"status_update {draft}"), ""),
    ]
    sent = {(letter.kind, letter.status, letter.sent_to, letter.sent_on) for letter in db_session.scalars(
        select(Letter).where(Letter.case_id == emailed.id))}
    assert sent == {("reminder", "sent", "owner@party.example", TODAY),
                    ("status_update", "sent", "studio@client.example", TODAY)}
    assert sorted(tuple(envelope.rcpt_tos) for envelope in mail_server) == [
        ("owner@party.example",), ("photo@client.example",), ("studio@client.example",), ("x@party.example",)]
    kept = {(letter.kind, letter.status) for letter in db_session.scalars(select(Letter).where(Letter.case_id == posted.id))}
    assert kept == {("reminder", "draft"), ("status_update", "sent")}
    who = set(db_session.scalars(select(AuditEvent.actor_name).where(
        AuditEvent.case_id == emailed.id, AuditEvent.action == "letter.sent")))
    assert who == {ROBOT.name}
