"""What a handler's changes to a case leave behind: the case opened (its ref, due date, value in
euros and audit), each stage's next due date (a letter's deadline or the firm's work period), a
move's audit and fields, assignment, notes at their length limit, edits of the claim and the due
date, the queue's counts either side of today, and the licence-shown lookup."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from caseapp.cases import lifecycle, services
from caseapp.clients import services as clients
from caseapp.core.audit import Actor
from caseapp.core.errors import IllegalTransition, StaleEdit
from caseapp.core.money import Money
from tests.cases.factories import case_events, make_case, refusal
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY
from tests.parties.factories import make_party

ACTOR = Actor(None, "tester")




# --- opening --------------------------------------------------------------------------------------------

def test_a_case_opens_new_with_its_ref_due_date_values_and_audit(db_session):
    holder = make_client(db_session)
    party = make_party(db_session, "HU")
    work = make_work(db_session, holder)
    case = services.open_case(
        db_session, ACTOR, client_id=holder.id, party_id=party.id,
        items=[services.ItemSpec(work.id, "https://x.example/a"), services.ItemSpec(work.id, "https://x.example/b")],
        claimed=Money.parse("120000.00", "HUF"), expected_value=Money.parse("81600.00", "HUF"), today=TODAY,
        claim_lines=[{"label": "Licence fee", "amount": "120000.00", "basis": "fee table"}])
    assert case.ref.startswith("C-2026-") and len(case.ref) == len("C-2026-000123")
    assert (case.stage, case.country, case.currency, case.claimed, case.client_id, case.party_id) == \
        ("new", "HU", "HUF", Money.parse("120000.00", "HUF"), holder.id, party.id)
    assert case.contract_id == clients.contract_for_new_case(db_session, holder.id).id
    assert (case.next_step, case.next_due_on) == ("Start checks", date(2026, 11, 25))   # 2 working days
    assert (case.expected_value_minor, case.expected_value_eur_minor) == (8160000, 20400)   # 400 forint a euro
    assert case.claim_lines == [{"label": "Licence fee", "amount": "120000.00", "basis": "fee table"}]
    assert [i.page_url for i in case.items] == ["https://x.example/a", "https://x.example/b"]
    [opened] = case_events(db_session, case, "case.opened")
    assert (opened.actor_name, opened.subject_type, opened.subject_id, opened.to_state, opened.details) == \
        ("tester", "case", case.id, "new", {"ref": case.ref, "items": 2, "claimed": "120000.00 HUF"})
    later = make_case(db_session, holder=holder)
    assert int(later.ref[-6:]) == int(case.ref[-6:]) + 1


def test_a_case_not_yet_valued_has_no_value_in_either_currency(db_session):
    case = make_case(db_session, expected=None)
    assert (case.expected_value_minor, case.expected_value_eur_minor, case.expected_value) == (None, None, None)


# --- due dates -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("stage,due", [
    ("offer_sent", date(2026, 12, 7)),      # the offer's 14 days
    ("reminder_sent", date(2026, 12, 3)),   # the reminder's 10 days
    ("final_demand", date(2026, 11, 30)),   # the final demand's 7 days
    ("checking", date(2026, 11, 27)),       # 4 working days of the firm
    ("collection", date(2026, 12, 21)),     # 20 working days
    ("court", date(2027, 1, 20)),           # 40 working days
])
def test_each_stage_is_due_by_its_letters_deadline_or_the_firms_work_period(stage, due):
    assert services.due_on_entering(stage, TODAY, country="DE", subdivision=None) == due


def test_a_letters_deadline_keeps_to_the_partys_region():
    """All Saints' Day (1 November) is a holiday in Bavaria, not in Berlin."""
    start = date(2027, 10, 18)
    assert services.due_on_entering("offer_sent", start, country="DE", subdivision="BY") == date(2027, 11, 2)
    assert services.due_on_entering("offer_sent", start, country="DE", subdivision="BE") == date(2027, 11, 1)


def test_a_move_sets_the_next_step_and_the_due_date_of_the_partys_region(db_session):
    case = make_case(db_session, lifecycle.READY)
    case.party.subdivision = "BY"
    db_session.flush()
    services.change_stage(db_session, ACTOR, case, "offer_sent", today=date(2027, 10, 18))
    assert (case.next_step, case.next_due_on) == ("Reminder due", date(2027, 11, 2))


# --- moves -------------------------------------------------------------------------------------------------

def test_a_move_is_audited_with_its_note_and_a_closure_with_its_reason_in_words(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    services.change_stage(db_session, ACTOR, case, "reminder_sent", today=TODAY, note="called, no answer")
    services.change_stage(db_session, ACTOR, case, "final_demand", today=TODAY, note="")
    services.change_stage(db_session, ACTOR, case, "closed", today=TODAY, reason="licence_shown", note="ignored")
    moves = case_events(db_session, case, "case.stage_changed")
    assert [(e.subject_type, e.subject_id, e.from_state, e.to_state, e.reason, e.details) for e in moves] == [
        ("case", case.id, "offer_sent", "reminder_sent", "called, no answer", None),
        ("case", case.id, "reminder_sent", "final_demand", None, None),
        ("case", case.id, "final_demand", "closed", "Licence shown", {"closure_reason": "licence_shown"}),
    ]
    assert (case.closure_reason, case.next_step, case.next_due_on) == ("licence_shown", None, None)
    assert case.closed_at == case.stage_changed_at


def test_a_move_stamps_when_the_stage_changed(db_session):
    case = make_case(db_session, lifecycle.NEW)
    case.stage_changed_at = case.stage_changed_at - timedelta(days=3)
    before = case.stage_changed_at
    services.change_stage(db_session, ACTOR, case, "checking", today=TODAY)
    assert case.stage_changed_at > before and case.closed_at is None


def test_a_hold_remembers_the_stage_and_resuming_forgets_it(db_session):
    case = make_case(db_session, lifecycle.LEGAL)
    services.change_stage(db_session, ACTOR, case, "on_hold", today=TODAY)
    assert (case.held_from_stage, case.next_step) == ("legal", "Review the hold")
    services.change_stage(db_session, ACTOR, case, "legal", today=TODAY)
    assert case.held_from_stage is None and case.next_step == "Lawyer's review due"
    services.change_stage(db_session, ACTOR, case, "court", today=TODAY)
    assert case.held_from_stage is None


def test_the_checks_gate_refusal_lists_each_blocker(db_session):
    holder = make_client(db_session, mandate=False)
    case = make_case(db_session, lifecycle.CHECKING, holder=holder)
    case.items[0].work.status = "unverified"
    db_session.flush()
    message = refusal(services.change_stage, db_session, ACTOR, case, "ready", today=TODAY, error=IllegalTransition)
    blockers = services.gate_blockers(db_session, case)
    assert len(blockers) == 2
    assert message == f"{case.ref} cannot leave the checks stage: " + "; ".join(
        f"{b.what}: {b.why}" for b in blockers) + "."


# --- assignment ------------------------------------------------------------------------------------------

def test_assigning_and_releasing_a_case_is_audited(db_session, users):
    case = make_case(db_session)
    me = users["handler"]
    services.assign(db_session, ACTOR, case, me.id, "handler", seen_version=case.version)
    assert case.assignee_id == me.id
    services.assign(db_session, ACTOR, case, me.id, "handler")                  # already: nothing to record
    services.assign(db_session, ACTOR, case, None, None)
    assert case.assignee_id is None
    got = [(e.action, e.subject_type, e.subject_id, e.details)
           for e in case_events(db_session, case, "case.assigned") + case_events(db_session, case, "case.released")]
    assert got == [("case.assigned", "case", case.id, {"assignee": "handler", "previous_assignee_id": None}),
                   ("case.released", "case", case.id, {"assignee": None, "previous_assignee_id": me.id})]


def test_a_closed_case_is_not_assigned_and_a_stale_assignment_is_refused(db_session, users):
    closed = make_case(db_session, lifecycle.CLOSED)
    assert refusal(services.assign, db_session, ACTOR, closed, users["handler"].id, "handler") == \
        f"Case {closed.ref} is closed; a closed case is not assigned."
    case = make_case(db_session)
    assert refusal(services.assign, db_session, ACTOR, case, users["handler"].id, "handler",
                   seen_version=case.version + 1, error=StaleEdit).startswith(f"Case {case.ref} was changed")
    assert case.assignee_id is None


# --- notes -------------------------------------------------------------------------------------------------

def test_a_note_holds_ten_thousand_characters_and_not_one_more(db_session, users):
    case = make_case(db_session)
    actor = Actor.of(users["handler"])
    note = services.add_note(db_session, actor, case, "  " + "n" * 10_000 + "\n")
    assert (note.text, note.case_id, note.author_id, note.author_name) == \
        ("n" * 10_000, case.id, users["handler"].id, "handler")
    [event] = case_events(db_session, case, "case.note_added")
    assert (event.subject_type, event.subject_id, event.details) == ("case", case.id, {"note_id": note.id})
    assert refusal(services.add_note, db_session, actor, case, "n" * 10_001) == \
        "A note holds at most 10,000 characters; attach a document for more."
    for empty in ("", "  \n ", None):
        assert refusal(services.add_note, db_session, actor, case, empty) == \
            "The note is empty: write something before saving."


# --- edits -------------------------------------------------------------------------------------------------

def test_a_new_claim_is_audited_priced_again_and_explained(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="450.00", expected="100.00")
    services.edit_case(db_session, ACTOR, case, seen_version=case.version, claimed=Money.parse("600.00", "EUR"),
                       today=TODAY)
    assert case.claimed == Money.parse("600.00", "EUR")
    assert case.claim_lines == [{"label": "Claim set by tester", "amount": "600.00",
                                 "basis": "edited on 2026-11-23 (was 450.00 EUR)"}]
    assert case.expected_value is not None and case.expected_value != Money.parse("100.00", "EUR")
    assert case.expected_value_eur_minor == case.expected_value_minor
    [event] = case_events(db_session, case, "case.edited")
    assert (event.subject_type, event.subject_id) == ("case", case.id)
    assert event.details == {"claimed": ["450.00 EUR", "600.00 EUR"],
                             "expected_value": ["100.00 EUR", str(case.expected_value)]}


def test_a_claim_edited_without_a_day_keeps_its_value_and_says_where(db_session):
    case = make_case(db_session, claimed="450.00", expected="100.00")
    services.edit_case(db_session, ACTOR, case, seen_version=case.version, claimed=Money.parse("0.01", "EUR"))
    assert case.claim_lines[0]["basis"] == "edited on the case page (was 450.00 EUR)"
    assert case.expected_value == Money.parse("100.00", "EUR")
    assert case_events(db_session, case, "case.edited")[0].details == {"claimed": ["450.00 EUR", "0.01 EUR"]}


def test_a_claim_of_nothing_or_in_another_currency_is_refused(db_session):
    case = make_case(db_session, claimed="450.00")
    assert refusal(services.edit_case, db_session, ACTOR, case, seen_version=case.version,
                   claimed=Money.parse("0.00", "EUR")) == \
        "The claimed amount must be more than 0.00 EUR; to claim nothing, close the case with a reason."
    assert refusal(services.edit_case, db_session, ACTOR, case, seen_version=case.version,
                   claimed=Money.parse("5.00", "USD")) == f"Case {case.ref} is in EUR; enter the amount in EUR."
    assert case.claimed == Money.parse("450.00", "EUR")


def test_an_unchanged_edit_records_nothing(db_session):
    case = make_case(db_session, claimed="450.00")
    version = case.version
    services.edit_case(db_session, ACTOR, case, seen_version=version, claimed=Money.parse("450.00", "EUR"),
                       next_due_on=case.next_due_on, today=TODAY)
    assert case_events(db_session, case, "case.edited") == [] and case.version == version


def test_the_next_due_date_is_edited_on_an_open_case_only(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    before = case.next_due_on
    services.edit_case(db_session, ACTOR, case, seen_version=case.version, next_due_on=date(2027, 1, 4))
    assert case.next_due_on == date(2027, 1, 4)
    assert case_events(db_session, case, "case.edited")[0].details == {"next_due_on": [str(before), "2027-01-04"]}
    closed = make_case(db_session, lifecycle.CLOSED)
    assert refusal(services.edit_case, db_session, ACTOR, closed, seen_version=closed.version,
                   next_due_on=date(2027, 1, 4)) == f"Case {closed.ref} is closed; it has no next due date."


# --- the queue's counts --------------------------------------------------------------------------------------

def test_counts_of_mine_unassigned_and_overdue_either_side_of_today(db_session, users):
    holder = make_client(db_session)
    me, other = users["handler"], users["handler2"]
    days = {-1: me.id, 0: me.id, 1: me.id, -2: other.id, -3: None, 5: None}
    for offset, assignee in days.items():
        case = make_case(db_session, "offer_sent", holder=holder)
        case.next_due_on, case.assignee_id = TODAY + timedelta(days=offset), assignee
    make_case(db_session, "closed", holder=holder).assignee_id = me.id
    db_session.flush()
    counts = services.queue_counts(db_session, me.id, TODAY, client_id=holder.id)
    assert (counts.mine, counts.unassigned, counts.overdue) == (3, 2, 1)      # due yesterday: overdue; today: not
    assert services.queue_counts(db_session, None, TODAY, client_id=holder.id) == services.QueueCounts(0, 2, 0)
    assert services.queue_counts(db_session, me.id, TODAY, client_id=holder.id, stage="reminder_sent") == \
        services.QueueCounts(0, 0, 0)


# --- licence shown, and the open case on a site ------------------------------------------------------------

def test_a_licence_shown_for_a_work_on_a_site_is_found_for_that_work_and_site_only(db_session):
    holder = make_client(db_session)
    party = make_party(db_session, site="shop.example")
    work, other_work = make_work(db_session, holder), make_work(db_session, holder)

    def case_of(work_id, reason):
        case = services.open_case(db_session, ACTOR, client_id=holder.id, party_id=party.id,
                                  items=[services.ItemSpec(work_id, "https://shop.example/p")],
                                  claimed=Money.parse("100", "EUR"), today=TODAY)
        if reason:
            services.change_stage(db_session, ACTOR, case, "closed", today=TODAY, reason=reason)
        return case

    assert services.licence_shown_on(db_session, work.id, "shop.example") is None
    case_of(work.id, "duplicate")                          # closed, but not for a licence
    case_of(other_work.id, "licence_shown")                # a licence for another work
    assert services.licence_shown_on(db_session, work.id, "shop.example") is None
    shown = case_of(work.id, "licence_shown")
    assert services.licence_shown_on(db_session, work.id, "shop.example") == shown.ref
    assert services.licence_shown_on(db_session, work.id, "elsewhere.example") is None
    make_party(db_session, site="elsewhere.example")
    assert services.licence_shown_on(db_session, work.id, "elsewhere.example") is None


def test_the_clients_open_case_against_a_site(db_session):
    holder = make_client(db_session)
    party = make_party(db_session, site="blog.example")
    assert services.open_case_on_site(db_session, holder.id, "blog.example") is None
    work = make_work(db_session, holder)

    def opened():
        return services.open_case(db_session, ACTOR, client_id=holder.id, party_id=party.id,
                                  items=[services.ItemSpec(work.id, "https://blog.example/p")],
                                  claimed=Money.parse("100", "EUR"), today=TODAY)

    closed = opened()
    services.change_stage(db_session, ACTOR, closed, "closed", today=TODAY, reason="duplicate")
    assert services.open_case_on_site(db_session, holder.id, "blog.example") is None
    first, _second = opened(), opened()
    assert services.open_case_on_site(db_session, holder.id, "blog.example") == first
    assert services.open_case_on_site(db_session, make_client(db_session).id, "blog.example") is None
    assert services.open_case_on_site(db_session, holder.id, "nobody.example") is None


def test_an_edit_on_a_stale_copy_is_refused_naming_the_case(db_session):
    case = make_case(db_session, claimed="450.00")
    seen = case.version
    services.edit_case(db_session, ACTOR, case, seen_version=seen, claimed=Money.parse("500.00", "EUR"))
    assert refusal(services.edit_case, db_session, ACTOR, case, seen_version=seen,
                   claimed=Money.parse("900.00", "EUR"), error=StaleEdit).startswith(f"Case {case.ref} was changed")
    assert case.claimed == Money.parse("500.00", "EUR")
