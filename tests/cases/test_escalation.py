"""The daily escalation: exactly the overdue cases move, once a day, with the right letters;
a reply or a settled/paid case stops it; a dry run changes nothing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseapp.cases import lifecycle
from caseapp.cases.escalation import DECIDE, escalate, record_reply
from caseapp.core.audit import Actor, AuditEvent
from tests.cases.factories import FakeLetters, event_count, make_case, placed
from tests.conftest import TODAY

ROBOT = Actor.system("escalation")
HANDLER = Actor(None, "handler")


def run(session, letters=None, today=TODAY, **options):
    letters = letters or FakeLetters()
    options.setdefault("status_letters", "none")
    options.setdefault("auto_offer_clients", "none")
    return escalate(session, ROBOT, today=today, issue_letter=letters.issue, send_letter=letters.send, **options)


def mine(steps, *cases):
    """The steps of these cases (the test database holds other cases too)."""
    refs = {case.ref for case in cases}
    return [step for step in steps if step.ref in refs]


def only_these_due(session, *cases) -> None:
    """Push the test database's other overdue cases past the run, so a test that renders real
    letters (about a second each) renders only its own cases'."""
    from sqlalchemy import update

    from caseapp.cases.models import Case

    session.execute(update(Case).where(Case.id.not_in([c.id for c in cases]), Case.next_due_on < TODAY + timedelta(days=30))
                    .values(next_due_on=TODAY + timedelta(days=30)))


def test_exactly_the_overdue_cases_move(db_session):
    yesterday, today = TODAY - timedelta(days=1), TODAY
    overdue_offer = placed(db_session, lifecycle.OFFER_SENT, yesterday)
    due_today = placed(db_session, lifecycle.OFFER_SENT, today)            # its last day is today: in time
    overdue_reminder = placed(db_session, lifecycle.REMINDER_SENT, yesterday)
    later = placed(db_session, lifecycle.REMINDER_SENT, today + timedelta(days=3))
    letters = FakeLetters()
    steps = mine(run(db_session, letters), overdue_offer, due_today, overdue_reminder, later)
    assert {s.ref for s in steps if s.changed} == {overdue_offer.ref, overdue_reminder.ref}
    assert overdue_offer.stage == lifecycle.REMINDER_SENT and overdue_reminder.stage == lifecycle.FINAL_DEMAND
    assert due_today.stage == lifecycle.OFFER_SENT and later.stage == lifecycle.REMINDER_SENT
    mine_issued = [(ref, kind) for ref, kind in letters.issued if ref in {overdue_offer.ref, overdue_reminder.ref}]
    assert sorted(mine_issued) == sorted([(overdue_offer.ref, "reminder"), (overdue_reminder.ref, "final_demand")])
    assert letters.sent == [f"{ref}:{kind}" for ref, kind in letters.issued]
    # the new deadline is the letter's: 14 days under German rules, after today
    assert overdue_offer.next_due_on == date(2026, 12, 3) and overdue_offer.next_step == "Final demand due"
    stage_events = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == overdue_offer.id,
                                                               AuditEvent.action == "case.stage_changed")).all()
    assert [(e.from_state, e.to_state, e.actor_name) for e in stage_events] == \
        [(lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, "escalation")]


def test_a_second_run_the_same_day_changes_nothing(db_session):
    offer = placed(db_session, lifecycle.OFFER_SENT, TODAY - timedelta(days=2))
    demand = placed(db_session, lifecycle.FINAL_DEMAND, TODAY - timedelta(days=1))
    first = mine(run(db_session), offer, demand)
    assert {s.ref for s in first if s.changed} == {offer.ref, demand.ref}
    assert demand.stage == lifecycle.FINAL_DEMAND and demand.next_step == DECIDE
    assert demand.next_due_on == TODAY - timedelta(days=1)       # kept: overdue sorts first in the queue
    before = (event_count(db_session), offer.version, demand.version, offer.next_due_on)
    letters = FakeLetters()
    second = run(db_session, letters)
    assert not [s for s in second if s.changed] and letters.issued == []
    assert (event_count(db_session), offer.version, demand.version, offer.next_due_on) == before


def test_a_reply_recorded_before_the_run_stops_it_until_a_handler_sets_the_next_step(db_session):
    case = placed(db_session, lifecycle.OFFER_SENT, TODAY - timedelta(days=1))
    record_reply(db_session, HANDLER, case, today=TODAY - timedelta(days=1), note="Says they have a licence")
    case.next_due_on = TODAY - timedelta(days=1)     # and the answer is overdue too
    db_session.flush()
    steps = mine(run(db_session), case)
    assert case.stage == lifecycle.OFFER_SENT
    assert [(s.ref, s.action) for s in steps] == [(case.ref, "skipped")]
    # the handler sets a new due date: escalation resumes once it passes
    from caseapp.cases import services

    services.edit_case(db_session, HANDLER, case, seen_version=case.version, next_due_on=TODAY)
    assert not [s for s in mine(run(db_session, today=TODAY), case) if s.changed]
    assert [s.action for s in mine(run(db_session, today=TODAY + timedelta(days=1)), case)] == ["moved"]
    assert case.stage == lifecycle.REMINDER_SENT


@pytest.mark.parametrize("stage", [lifecycle.SETTLED, lifecycle.PAID, lifecycle.ON_HOLD])
def test_settled_paid_or_held_cases_are_not_escalated(db_session, stage):
    case = placed(db_session, stage, TODAY - timedelta(days=5))
    assert mine(run(db_session), case) == [] and case.stage == stage


def test_a_dry_run_changes_nothing(db_session):
    offer = placed(db_session, lifecycle.OFFER_SENT, TODAY - timedelta(days=1))
    demand = placed(db_session, lifecycle.FINAL_DEMAND, TODAY - timedelta(days=1))
    before = event_count(db_session)
    letters = FakeLetters()
    steps = mine(run(db_session, letters, dry_run=True), offer, demand)
    assert {(s.ref, s.action, s.to_stage) for s in steps} == {(offer.ref, "moved", lifecycle.REMINDER_SENT),
                                                               (demand.ref, "raised", lifecycle.FINAL_DEMAND)}
    assert offer.stage == lifecycle.OFFER_SENT and demand.next_step != DECIDE
    assert event_count(db_session) == before and letters.issued == []


def test_the_client_gets_a_status_letter_when_allowed(db_session):
    case = placed(db_session, lifecycle.REMINDER_SENT, TODAY - timedelta(days=1))
    other = placed(db_session, lifecycle.REMINDER_SENT, TODAY - timedelta(days=1))
    letters = FakeLetters()
    run(db_session, letters, status_letters=frozenset({case.client_id}))
    assert (case.ref, "status_update") in letters.issued and (other.ref, "status_update") not in letters.issued
    assert (other.ref, "final_demand") in letters.issued


def test_a_refused_letter_undoes_that_cases_move_only(db_session):
    refused = placed(db_session, lifecycle.OFFER_SENT, TODAY - timedelta(days=1))
    fine = placed(db_session, lifecycle.OFFER_SENT, TODAY - timedelta(days=1))
    steps = {s.ref: s for s in run(db_session, FakeLetters(refused.ref))}
    assert steps[refused.ref].action == "refused" and "no postal address" in steps[refused.ref].note
    assert refused.stage == lifecycle.OFFER_SENT and fine.stage == lifecycle.REMINDER_SENT


def test_with_the_real_letters_the_reminder_is_issued_and_left_to_post(db_session):
    """No injected callables: caseapp.letters renders and stores the reminder on the case; with
    no mail server set up it stays a draft to print and post, and the step says so."""
    from caseapp.letters.models import Letter

    case = placed(db_session, lifecycle.OFFER_SENT, TODAY - timedelta(days=1))
    only_these_due(db_session, case)
    [step] = mine(escalate(db_session, ROBOT, today=TODAY, status_letters="none", auto_offer_clients="none"), case)
    assert case.stage == lifecycle.REMINDER_SENT and step.action == "moved"
    assert step.letters == ("reminder (draft: print and post it)",)
    [letter] = db_session.scalars(select(Letter).where(Letter.case_id == case.id)).all()
    assert (letter.kind, letter.status) == ("reminder", "draft")
    assert letter.deadline_on == case.next_due_on        # the letter states the case's due date


def test_an_opted_in_clients_ready_case_gets_its_offer_only_past_the_gate(db_session):
    """A ready case whose work is not verified stays for a handler, whatever the client allows."""
    case = placed(db_session, lifecycle.READY, TODAY + timedelta(days=2), claimed="900.00")
    case.items[0].work.status = "unverified"
    db_session.flush()
    letters = FakeLetters()
    [step] = [s for s in run(db_session, letters, auto_offer_clients=frozenset({case.client_id})) if s.ref == case.ref]
    assert step.action == "skipped" and "ownership gate" in step.note
    assert case.stage == lifecycle.READY and (case.ref, "offer") not in letters.issued


def test_each_clients_own_setting_decides_its_status_letters(db_session):
    """Without an override, the client's setting (client.status_letters) decides."""
    case = placed(db_session, lifecycle.REMINDER_SENT, TODAY - timedelta(days=1))
    other = placed(db_session, lifecycle.REMINDER_SENT, TODAY - timedelta(days=1))
    other.client.status_letters = False
    db_session.flush()
    letters = FakeLetters()
    escalate(db_session, ROBOT, today=TODAY, issue_letter=letters.issue, send_letter=letters.send,
             auto_offer_clients="none")
    assert (case.ref, "status_update") in letters.issued and (other.ref, "status_update") not in letters.issued


def test_a_persons_stage_change_gets_one_status_letter(db_session):
    """A handler moves a case; the next run writes the client one status letter (the real
    letters domain), and a second run none."""
    from caseapp.cases import services as cases
    from caseapp.core.clock import today as clock_today
    from caseapp.letters.models import Letter

    day = clock_today()
    case = placed(db_session, lifecycle.OFFER_SENT, day + timedelta(days=5))
    quiet = placed(db_session, lifecycle.OFFER_SENT, day + timedelta(days=5))
    case.client.street, case.client.postcode, case.client.city = "Gartenweg 2", "50667", "Köln"
    cases.change_stage(db_session, HANDLER, case, lifecycle.ON_HOLD, today=day)
    only_these_due(db_session, case, quiet)
    ours = frozenset({case.client_id, quiet.client_id})    # the demo's own recent moves are not rendered

    def status_letters_of(c):
        return db_session.scalars(select(Letter).where(Letter.case_id == c.id, Letter.kind == "status_update")).all()

    steps = mine(escalate(db_session, ROBOT, today=day, auto_offer_clients="none", status_letters=ours), case, quiet)
    assert [(s.ref, s.action) for s in steps] == [(case.ref, "status letter")]
    assert len(status_letters_of(case)) == 1 and status_letters_of(quiet) == []
    again = mine(escalate(db_session, ROBOT, today=day, auto_offer_clients="none", status_letters=ours), case, quiet)
    assert again == [] and len(status_letters_of(case)) == 1


def test_a_client_who_allows_it_gets_offers_without_a_handler(db_session):
    """client.offers_without_handler: a checked, feasible ready case gets its offer from the
    daily run; the same case of a client who did not allow it waits for a handler."""
    case = placed(db_session, lifecycle.READY, TODAY + timedelta(days=2), claimed="900.00")
    waiting = placed(db_session, lifecycle.READY, TODAY + timedelta(days=2), claimed="900.00")
    case.client.offers_without_handler = True
    db_session.flush()
    letters = FakeLetters()
    steps = mine(escalate(db_session, ROBOT, today=TODAY, issue_letter=letters.issue, send_letter=letters.send,
                          status_letters="none"), case, waiting)
    assert [(s.ref, s.action) for s in steps] == [(case.ref, "offer sent")], steps
    assert case.stage == lifecycle.OFFER_SENT and waiting.stage == lifecycle.READY
    assert (case.ref, "offer") in letters.issued and not [i for i in letters.issued if i[0] == waiting.ref]


def test_a_new_case_of_a_client_who_allows_it_gets_its_offer_at_once(db_session):
    """From a new case to offer sent without waiting for the daily run or a handler: checks,
    ready, offer (the real letters domain); a client who does not allow it is left alone."""
    from caseapp.cases.escalation import send_offer_without_handler
    from caseapp.letters.models import Letter

    case = make_case(db_session, "new", claimed="900.00")
    other = make_case(db_session, "new", claimed="900.00")
    case.client.offers_without_handler = True
    db_session.flush()
    step = send_offer_without_handler(db_session, ROBOT, case, today=TODAY)
    assert step.action == "offer sent" and case.stage == lifecycle.OFFER_SENT, step
    assert db_session.scalars(select(Letter.kind).where(Letter.case_id == case.id)).all() == ["offer"]
    assert send_offer_without_handler(db_session, ROBOT, other, today=TODAY) is None
    assert other.stage == "new"


def test_a_case_without_an_address_waits_for_a_handler(db_session):
    from caseapp.cases.escalation import send_offer_without_handler

    case = make_case(db_session, "new", claimed="900.00")
    case.client.offers_without_handler = True
    case.party.street = None                       # no postal address: no letter can go
    db_session.flush()
    step = send_offer_without_handler(db_session, ROBOT, case, today=TODAY)
    assert step.action == "skipped" and "not feasible" in step.note
    assert case.stage == "new"


def test_a_status_letter_that_cannot_go_does_not_stop_the_offer(db_session):
    """The client has no postal address: the offer goes, the step says the status letter did not."""
    from caseapp.cases.escalation import send_offer_without_handler

    case = make_case(db_session, "new", claimed="900.00")
    case.client.offers_without_handler = True
    case.client.street = None
    db_session.flush()
    step = send_offer_without_handler(db_session, ROBOT, case, today=TODAY)
    assert step.action == "offer sent" and "no status letter to the client" in step.note


def test_an_illegal_hit_of_a_client_who_allows_it_is_an_offer_sent_at_once(db_session):
    """Triage marks a hit illegal; the draft case of a client who allows offers without a
    handler goes out in the same step when the site's party is on file with an address."""
    from caseapp.cases.models import Case
    from caseapp.hits import services as hits
    from caseapp.hits.models import ILLEGAL
    from caseapp.parties.models import Party
    from tests.clients.factories import make_client, make_work
    from tests.hits.test_triage import sighting_hits

    holder = make_client(db_session)
    holder.offers_without_handler = True
    holder.street, holder.postcode, holder.city = "Gartenweg 2", "50667", "Köln"
    work = make_work(db_session, holder)
    db_session.add(Party(name="Shop GmbH", site="shop-gmbh.de", country="DE", street="Hauptstraße 1",
                         postal_code="10115", city="Berlin"))
    [hit] = sighting_hits(db_session, work, "shop-gmbh.de", 1)
    db_session.flush()
    hits.decide(db_session, Actor(None, "handler"), [hit.id], ILLEGAL, selection="hit", today=TODAY)
    case = db_session.get(Case, hit.case_id)
    assert case.stage == lifecycle.OFFER_SENT
