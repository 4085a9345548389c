"""The case page's close and reopen actions, its words, and the keys each role's legend offers
(issue 17), through the Flask test client: an allowed role and a forbidden one."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from caseapp.cases import lifecycle, services
from caseapp.cases.models import Case
from caseapp.core.audit import Actor, AuditEvent
from tests.cases.factories import make_case
from tests.conftest import TODAY

REASON = "The client found the licence was for another photo."


def closed(session, stage=lifecycle.OFFER_SENT, reason="duplicate"):
    case = make_case(session, stage)
    services.change_stage(session, Actor.system("test"), case, lifecycle.CLOSED, today=TODAY, reason=reason)
    session.commit()
    return case


def legend_keys(html: str) -> set[str]:
    legend = re.search(r'<aside class="ca-legend".*?</aside>', html, re.S).group(0)
    return set(re.findall(r'data-key="([^"]+)"', legend))


def fresh(session, case) -> Case:
    session.expire_all()
    return session.get(Case, case.id)


# --- closing asks for the reason, in words ----------------------------------------------------------

def test_the_close_action_is_a_dialog_listing_the_reasons_in_words(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    db_session.commit()
    html = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    dialog = re.search(r'<dialog id="close-dialog".*?</dialog>', html, re.S).group(0)
    assert 'data-dialog="close-dialog"' in html and "dialogs.js" in html
    for code, words in lifecycle.CLOSURE_REASONS.items():
        if code == "paid_in_full":   # only a paid case closes so: not offered here
            assert f'value="{code}"' not in dialog
        else:
            assert f'value="{code}" required> {words}</label>' in dialog
    assert f'name="version" value="{case.version}"' in dialog


def test_a_paid_case_is_offered_only_paid_in_full(client_as, db_session):
    case = make_case(db_session, lifecycle.PAID)
    db_session.commit()
    html = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    dialog = re.search(r'<dialog id="close-dialog".*?</dialog>', html, re.S).group(0)
    assert re.findall(r'name="reason" value="([a-z_]+)"', dialog) == ["paid_in_full"]


def test_closing_from_the_page_names_the_case_and_the_reason_in_words(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    db_session.commit()
    answer = client_as("handler").post(f"/cases/{case.ref}/stage", follow_redirects=True, data={
        "target": "closed", "reason": "not_commercial", "version": case.version})
    html = answer.get_data(as_text=True)
    assert f"{case.ref} is closed: Not commercial use." in html
    assert "not_commercial" not in html.split('class="ca-timeline"')[0].split("alert")[1]
    assert fresh(db_session, case).stage == lifecycle.CLOSED


def test_a_refused_closure_names_the_reason_in_words_never_its_code(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    db_session.commit()
    html = client_as("handler").post(f"/cases/{case.ref}/stage", follow_redirects=True, data={
        "target": "closed", "reason": "paid_in_full", "version": case.version}).get_data(as_text=True)
    assert "Only a paid case closes as “Paid in full”" in html
    assert "paid_in_full" not in re.search(r'class="alert.*?</div>', html, re.S).group(0)
    assert fresh(db_session, case).stage == lifecycle.OFFER_SENT


# --- a closed case offers only what applies ---------------------------------------------------------

def test_a_closed_case_shows_when_and_why_and_offers_reopen_only(client_as, db_session):
    case = closed(db_session, reason="time_barred")
    html = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    assert re.search(r"Closed on \w{3} \d{1,2} \w{3} 2026 — <b>Time-barred</b>", html)
    assert 'id="reopen-open"' in html and 'id="reopen-dialog"' in html
    assert "It returns to <b>Offer sent</b>" in html
    for absent in ('id="note-text"', 'id="edit-form"', 'id="close-open"', 'id="close-dialog"', "take it", "release",
                   "Record a licence"):
        assert absent not in html, absent
    assert legend_keys(html) == {"r", "q", "?"}


def test_an_open_case_offers_notes_edit_and_close_but_no_reopen(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    db_session.commit()
    html = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    for present in ('id="note-text"', 'id="edit-form"', 'id="close-open"'):
        assert present in html, present
    assert 'id="reopen-open"' not in html
    assert legend_keys(html) == {"n", "e", "c", "q", "?"}


@pytest.mark.parametrize("login", ["accountant", "auditor"])
def test_a_role_that_may_not_reopen_sees_no_reopen_action(client_as, db_session, login):
    case = closed(db_session)
    html = client_as(login).get(f"/cases/{case.ref}").get_data(as_text=True)
    assert "Closed on" in html and 'id="reopen-open"' not in html and 'id="reopen-dialog"' not in html
    assert "r" not in legend_keys(html)


# --- reopening from the page ---------------------------------------------------------------------------

@pytest.mark.parametrize("login", ["handler", "lawyer", "admin"])
def test_an_allowed_role_reopens_from_the_page(client_as, db_session, login):
    case = closed(db_session, lifecycle.REMINDER_SENT)
    answer = client_as(login).post(f"/cases/{case.ref}/reopen", data={"reason": REASON, "version": case.version},
                                   follow_redirects=True)
    html = answer.get_data(as_text=True)
    case = fresh(db_session, case)
    assert case.stage == lifecycle.REMINDER_SENT and case.closure_reason is None
    assert f"{case.ref} is reopened: back to Reminder sent. Next: Final demand due, due " in html
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.action == "case.reopened")).one()
    assert event.actor_name == login and event.reason == REASON
    # the timeline shows both: the closure with its reason in words, the reopening with its reason
    timeline = html.split('class="ca-timeline"')[1]
    assert "Reminder sent → <b>Closed</b>" in timeline and "— Duplicate case" in timeline
    assert "Reopened: Closed → <b>Reminder sent</b>" in timeline and f"— {REASON}" in timeline


@pytest.mark.parametrize("login", ["accountant", "auditor"])
def test_a_forbidden_role_is_refused_with_403_and_a_message(client_as, db_session, login):
    case = closed(db_session)
    answer = client_as(login).post(f"/cases/{case.ref}/reopen", data={"reason": REASON, "version": case.version})
    assert answer.status_code == 403
    assert "This needs the permission “Reopen a closed case, with a reason”" in answer.get_data(as_text=True)
    assert fresh(db_session, case).stage == lifecycle.CLOSED


def test_a_reopening_without_a_reason_is_refused_and_the_dialog_opens_again(client_as, db_session):
    case = closed(db_session)
    html = client_as("handler").post(f"/cases/{case.ref}/reopen", data={"reason": "  ", "version": case.version},
                                     follow_redirects=True).get_data(as_text=True)
    assert f"Reopening {case.ref} needs a reason" in html
    assert "data-open-on-load" in html
    assert fresh(db_session, case).stage == lifecycle.CLOSED


def test_a_reason_too_long_is_refused_and_kept_for_the_user(client_as, db_session):
    case = closed(db_session)
    too_long = "why " * 500 + "x"   # 2,001 characters
    html = client_as("handler").post(f"/cases/{case.ref}/reopen", data={"reason": too_long, "version": case.version},
                                     follow_redirects=True).get_data(as_text=True)
    assert "at most 2,000 characters (this one has 2,001)" in html
    assert too_long.strip() in html   # what was typed is back in the dialog
    assert fresh(db_session, case).stage == lifecycle.CLOSED


def test_a_stale_reopening_is_refused(client_as, db_session):
    case = closed(db_session)
    seen = case.version
    client_as("handler").post(f"/cases/{case.ref}/reopen", data={"reason": REASON, "version": seen})
    services.change_stage(db_session, Actor.system("test"), fresh(db_session, case), lifecycle.CLOSED,
                          today=TODAY, reason="duplicate")
    db_session.commit()
    html = client_as("handler2").post(f"/cases/{case.ref}/reopen", data={"reason": REASON, "version": seen},
                                      follow_redirects=True).get_data(as_text=True)
    assert "changed by someone else" in html
    assert fresh(db_session, case).stage == lifecycle.CLOSED


def test_reopening_an_open_case_is_refused_in_words(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    db_session.commit()
    html = client_as("handler").post(f"/cases/{case.ref}/reopen", data={"reason": REASON, "version": case.version},
                                     follow_redirects=True).get_data(as_text=True)
    assert f"{case.ref} is not closed (it is Offer sent): only a closed case can be reopened." in html


def test_a_note_posted_to_a_closed_case_is_refused(client_as, db_session):
    case = closed(db_session)
    html = client_as("handler").post(f"/cases/{case.ref}/notes", data={"text": "late call"},
                                     follow_redirects=True).get_data(as_text=True)
    assert "is closed: reopen it (with a reason) to add notes." in html
    assert not fresh(db_session, case).notes


# --- words -----------------------------------------------------------------------------------------------

def test_the_assignee_is_named_by_first_and_last_name(client_as, db_session, users):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    case.assignee_id = users["handler2"].id
    db_session.commit()
    html = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    assert "assigned to <b>Tom Reuter</b>" in html and "assigned to <b>handler2</b>" not in html


def test_an_unassigned_case_says_nobody(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    db_session.commit()
    assert "assigned to <b>nobody</b>" in client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)


def test_the_overdue_tab_filters_the_queue_to_my_overdue_cases(client_as, db_session, users):
    from caseapp.core import clock
    from tests.clients.factories import make_client

    today = clock.today()   # the page counts from the real today
    holder = make_client(db_session, "Overdue Test Client")
    late, due_today, theirs = (make_case(db_session, lifecycle.OFFER_SENT, holder=holder) for _ in range(3))
    for case, who, due in ((late, "handler", today - timedelta(days=1)), (due_today, "handler", today),
                           (theirs, "handler2", today - timedelta(days=1))):
        case.assignee_id, case.next_due_on = users[who].id, due
    db_session.commit()
    html = client_as("handler").get(f"/queue/?scope=overdue&client={holder.id}").get_data(as_text=True)
    assert re.search(r'class="ca-overdue has active" aria-current="page"', html)
    assert 'aria-label="My overdue cases"' in html and "My overdue <b>1</b>" in html
    assert late.ref in html and due_today.ref not in html and theirs.ref not in html
    mine = client_as("handler").get(f"/queue/?scope=mine&client={holder.id}").get_data(as_text=True)
    assert late.ref in mine and due_today.ref in mine   # the tab narrows "my cases", nothing else


def test_the_queue_legend_offers_take_next_only_to_who_may_take(client_as):
    handler = client_as("handler").get("/queue/?scope=unassigned").get_data(as_text=True)
    auditor = client_as("auditor").get("/queue/?scope=unassigned").get_data(as_text=True)
    lawyer = client_as("lawyer").get("/queue/?scope=unassigned").get_data(as_text=True)
    assert "t" in legend_keys(handler) and 'id="take-next"' in handler
    assert "t" not in legend_keys(auditor) and "t" not in legend_keys(lawyer)
    assert legend_keys(auditor) == {"j", "k", "Enter", "m", "u", "o", "/", "n", "?"}


def test_the_case_legend_offers_each_role_only_its_keys(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    db_session.commit()
    keys = {login: legend_keys(client_as(login).get(f"/cases/{case.ref}").get_data(as_text=True))
            for login in ("handler", "lawyer", "accountant", "auditor", "admin")}
    assert keys["handler"] == keys["lawyer"] == keys["admin"] == {"n", "e", "c", "q", "?"}
    assert keys["accountant"] == {"n", "?"}           # notes, but no queue, no edit, no close
    assert keys["auditor"] == {"q", "?"}              # reads: the queue, nothing to change
