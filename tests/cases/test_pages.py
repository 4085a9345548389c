"""The queue and case pages as a handler uses them."""
from __future__ import annotations

import re

from sqlalchemy import select

from caseapp.cases.models import Case
from caseapp.core.audit import AuditEvent
from tests.cases.factories import make_case


def test_queue_page_shows_my_cases_with_counts(client_as, db_session, users):
    case = make_case(db_session, "offer_sent")
    case.assignee_id = users["handler"].id
    db_session.commit()
    page = client_as("handler").get("/queue/?scope=mine")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert case.ref in html and "My cases" in html and "Take next" in html
    assert "Offer sent" in html  # stage chips in words


def test_take_next_assigns_and_opens_the_case(client_as, db_session, users):
    response = client_as("handler2").post("/queue/take-next", data={})
    assert response.status_code == 302
    ref = response.headers["Location"].rsplit("/", 1)[-1]
    case = db_session.scalars(select(Case).where(Case.ref == ref)).one()
    assert case.assignee_id == users["handler2"].id


def test_case_page_has_everything_to_decide(client_as, db_session):
    case = make_case(db_session, "offer_sent", expected="300.00")
    db_session.commit()
    html = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    for text in (case.ref, "Offer sent", "Record reminder sent", "Close case", "Items (1)",
                 "Case opened", "€450.00", case.party.name):
        assert text in html, text
    # The expected value is shown once, as the feasibility card works it out (not a second,
    # stored figure beside it in the money card).
    assert html.count("Expected value") == 1
    assert re.search(r'id="feasibility".*Expected value</dt><dd class="num">€', html, re.S)
    assert re.search(r'<img src="/files/[0-9a-f]{64}"', html)


def test_stage_change_from_the_page(client_as, db_session):
    case = make_case(db_session, "offer_sent")
    db_session.commit()
    response = client_as("handler").post(f"/cases/{case.ref}/stage",
                                         data={"target": "reminder_sent", "version": case.version},
                                         follow_redirects=True)
    assert "is now Reminder sent" in response.get_data(as_text=True)
    db_session.refresh(case)
    assert case.stage == "reminder_sent"


def test_illegal_move_from_the_page_says_what_is_allowed(client_as, db_session):
    case = make_case(db_session, "new")
    db_session.commit()
    response = client_as("handler").post(f"/cases/{case.ref}/stage",
                                         data={"target": "court", "version": case.version},
                                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "cannot move to" in html and "Checking (checking)" in html
    db_session.refresh(case)
    assert case.stage == "new"


def test_stale_edit_refused_and_nothing_lost(client_as, db_session):
    case = make_case(db_session, "offer_sent")
    db_session.commit()
    seen = case.version
    first = client_as("handler").post(f"/cases/{case.ref}/edit",
                                      data={"claimed": "500.00", "version": seen})
    assert first.status_code == 302
    second = client_as("lawyer").post(f"/cases/{case.ref}/edit",
                                      data={"claimed": "777.00", "version": seen},
                                      follow_redirects=True)
    html = second.get_data(as_text=True)
    assert "changed by someone else" in html
    assert 'value="777.00"' in html  # the refused input is still in the form
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    assert case.claimed_minor == 50000
    edits = db_session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "case.edited")).all()
    assert len(edits) == 1 and edits[0].actor_name == "handler"


def test_bad_amount_is_explained(client_as, db_session):
    case = make_case(db_session, "offer_sent")
    db_session.commit()
    html = client_as("handler").post(f"/cases/{case.ref}/edit",
                                     data={"claimed": "4,50.123", "version": case.version},
                                     follow_redirects=True).get_data(as_text=True)
    assert "decimal places" in html or "not an amount" in html


def test_notes_are_added_and_audited(client_as, db_session):
    case = make_case(db_session, "offer_sent")
    db_session.commit()
    html = client_as("lawyer").post(f"/cases/{case.ref}/notes", data={"text": "Called, no answer."},
                                    follow_redirects=True).get_data(as_text=True)
    assert "Called, no answer." in html and "Note added" in html
    empty = client_as("lawyer").post(f"/cases/{case.ref}/notes", data={"text": "  "},
                                     follow_redirects=True).get_data(as_text=True)
    assert "The note is empty" in empty


def test_unknown_case_says_so(client_as):
    html = client_as("handler").get("/cases/C-1999-000001", follow_redirects=True).get_data(as_text=True)
    assert "There is no case C-1999-000001" in html


def test_close_needs_reason_from_page(client_as, db_session):
    case = make_case(db_session, "offer_sent")
    db_session.commit()
    html = client_as("handler").post(f"/cases/{case.ref}/stage", data={"target": "closed", "version": case.version},
                                     follow_redirects=True).get_data(as_text=True)
    assert "needs a reason" in html
    client_as("handler").post(f"/cases/{case.ref}/stage",
                              data={"target": "closed", "reason": "licence_shown", "version": case.version})
    db_session.refresh(case)
    assert (case.stage, case.closure_reason) == ("closed", "licence_shown")


# --- amounts typed on the case page, in the user's locale ----------------------------------------

import contextlib  # noqa: E402

import pytest  # noqa: E402


@contextlib.contextmanager
def locale(app, code):
    old = app.config.get("CASEAPP_LOCALE")
    app.config["CASEAPP_LOCALE"] = code
    try:
        yield
    finally:
        app.config["CASEAPP_LOCALE"] = old


def edit_claim(client_as, db_session, typed):
    case = make_case(db_session, "offer_sent", claimed="450.00")
    db_session.commit()
    html = client_as("handler").post(f"/cases/{case.ref}/edit", data={"claimed": typed, "version": case.version},
                                     follow_redirects=True).get_data(as_text=True)
    db_session.expire_all()
    return db_session.get(Case, case.id), html


@pytest.mark.parametrize("code, typed, minor", [
    ("de", "1.234,50", 123450), ("de", "1234,5", 123450), ("de", "1.234", 123400), ("de", "0,01", 1),
    ("en", "1,234.50", 123450), ("en", "1234.5", 123450), ("en", "1,234", 123400), ("en", "0.01", 1),
])
def test_claim_typed_in_the_users_locale(app, client_as, db_session, code, typed, minor):
    with locale(app, code):
        case, html = edit_claim(client_as, db_session, typed)
    saved = {"de": "Fall gespeichert.", "en": "Case saved."}[code]   # the flash speaks the page's language (issue 17)
    assert case.claimed_minor == minor and saved in html


@pytest.mark.parametrize("code, typed, example", [
    ("de", "1.23450", "1.234,50"),        # German: never 1.23450 (nor 123,450)
    ("de", "1234.50", "1.234,50"), ("de", "1,234.50", "1.234,50"), ("de", "1.234,505", "1.234,50"),
    ("en", "1,5", "1,234.50"), ("en", "1.234,50", "1,234.50"), ("en", "1234,50", "1,234.50"),
    ("en", "-450", "1,234.50"), ("de", "-450", "1.234,50"), ("en", "١٢٣", "1,234.50"), ("en", "1e5", "1,234.50"),
])
def test_claim_the_locale_does_not_write_is_refused_naming_the_field(app, client_as, db_session, code, typed,
                                                                      example):
    with locale(app, code):
        case, html = edit_claim(client_as, db_session, typed)
    assert case.claimed_minor == 45000
    said = (f"Gefordert: &#39;{typed}&#39; ist kein Betrag in EUR. Schreiben Sie ihn wie {example}" if code == "de"
            else f"Claimed: &#39;{typed}&#39; is not an amount in EUR: write it like {example}")
    assert said in html   # in the page's language
    assert f'value="{typed}"' in html   # what was typed stays in the form


def test_a_claim_of_nothing_is_refused(client_as, db_session):
    case, html = edit_claim(client_as, db_session, "0")
    assert case.claimed_minor == 45000 and "must be more than 0.00 EUR" in html


@pytest.mark.parametrize("code, shown", [("de", 'value="1.234,50"'), ("en", 'value="1,234.50"')])
def test_the_claim_field_shows_the_amount_as_the_locale_writes_it(app, client_as, db_session, code, shown):
    """So that saving the form unchanged reads back the same amount."""
    case = make_case(db_session, "offer_sent", claimed="1234.50")
    db_session.commit()
    with locale(app, code):
        page = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
        assert shown in page
        saved = client_as("handler").post(f"/cases/{case.ref}/edit", follow_redirects=True, data={
            "claimed": re.search(r'name="claimed" id="claimed" inputmode="decimal" value="([^"]*)"', page).group(1),
            "version": case.version}).get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Case, case.id).claimed_minor == 123450 and "not an amount" not in saved


@pytest.mark.parametrize("typed, ok", [("1900-01-01", True), ("2200-12-31", True), ("2027-01-04", True),
                                       ("1899-12-31", False), ("2201-01-01", False), ("9999-06-01", False),
                                       ("04.01.2027", False), ("2027-02-30", False), ("٢٠٢٧-٠١-٠٤", False)])
def test_next_due_date_between_1900_and_2200(client_as, db_session, typed, ok):
    case = make_case(db_session, "offer_sent")
    db_session.commit()
    html = client_as("handler").post(f"/cases/{case.ref}/edit", data={"next_due_on": typed, "version": case.version},
                                     follow_redirects=True).get_data(as_text=True)
    db_session.expire_all()
    saved = db_session.get(Case, case.id).next_due_on
    assert (saved is not None and saved.isoformat() == typed) is ok
    if not ok:
        assert f"Next due: &#39;{typed}&#39; is " in html and ("YYYY-MM-DD" in html or "between 1900 and 2200" in html)


def test_take_next_with_a_malformed_filter_takes_nothing(client_as, db_session, users):
    """A typo in a filter must not widen "take next" to any case."""
    from sqlalchemy import func

    mine = lambda: db_session.scalar(select(func.count()).select_from(Case).where(   # noqa: E731
        Case.assignee_id == users["handler2"].id))
    before = mine()
    client = client_as("handler2")
    for field, value in (("client", "abc"), ("client", "١٢٣"), ("stage", "bogus"), ("country", "Germany")):
        page = client.post("/queue/take-next", data={field: value}, follow_redirects=True).get_data(as_text=True)
        assert field.capitalize() in page, (field, value)
        db_session.expire_all()
        assert mine() == before, (field, value)


def test_stage_moves_and_assignments_carry_the_version_they_showed(client_as, db_session, users):
    """Two tabs: the second's move (or assignment) was made on a stale page and is refused."""
    case = make_case(db_session, "offer_sent")
    db_session.commit()
    shown = case.version
    client = client_as("handler")
    first = client.post(f"/cases/{case.ref}/stage", data={"target": "reminder_sent", "version": shown},
                        follow_redirects=True)
    assert "is now Reminder sent" in first.get_data(as_text=True)
    for url, data in ((f"/cases/{case.ref}/stage", {"target": "on_hold"}),
                      (f"/cases/{case.ref}/assign", {"assignee": "me"})):
        stale = client.post(url, data={**data, "version": shown}, follow_redirects=True).get_data(as_text=True)
        assert f"you saw version {shown}" in stale and "Reload the page" in stale, url
        for bad in ("", "abc", "١٢٣"):
            missing = client.post(url, data={**data, "version": bad}, follow_redirects=True).get_data(as_text=True)
            assert "lacks the version" in missing, (url, bad)
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    assert case.stage == "reminder_sent" and case.assignee_id is None


def test_a_reference_edit_without_its_version_is_refused(client_as, db_session):
    from caseapp.parties.models import Party
    from tests.parties.factories import make_party

    party = make_party(db_session)
    db_session.commit()
    page = client_as("handler").post(f"/parties/edit/{party.id}", data={
        "name": "Renamed GmbH", "kind": party.kind, "country": party.country, "language": party.language,
        "version_seen": "abc"}, follow_redirects=True).get_data(as_text=True)
    assert "lacks the version" in page
    db_session.expire_all()
    assert db_session.get(Party, party.id).name != "Renamed GmbH"
