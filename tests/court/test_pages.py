"""The court pages as each role sees them: the lawyer's desk (the lawyer's home), the court calendar and
its .ics (parsed back), the case page's court section and its forms."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from icalendar import Calendar

from caseapp.cases import lifecycle
from caseapp.court import services
from tests.conftest import TODAY
from tests.court.factories import LAWYER, make_court_case


def test_the_lawyer_lands_on_the_desk_and_the_others_keep_their_homes(client_as):
    assert client_as("lawyer").get("/").headers["Location"].endswith("/court/")
    assert client_as("handler").get("/").headers["Location"].endswith("/queue/")
    assert client_as("accountant").get("/").headers["Location"].endswith("/payouts/")


def test_who_may_open_the_desk_and_the_calendar(client_as, db_session):
    case, _ = make_court_case(db_session, lifecycle.LEGAL)
    desk = client_as("lawyer").get("/court/")
    assert desk.status_code == 200 and case.ref in desk.get_data(as_text=True)
    assert "Filing to be made" in desk.get_data(as_text=True)
    assert client_as("handler").get("/court/").status_code == 403
    assert client_as("accountant").get("/court/").status_code == 403
    assert client_as("handler").get("/court/calendar").status_code == 200
    assert client_as("accountant").get("/court/calendar").status_code == 403


def test_the_ics_parses_back(client_as, db_session):
    case, court_case = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY)
    at = datetime.now(timezone.utc).replace(microsecond=0, second=0) + timedelta(days=3)
    hearing = services.add_hearing(db_session, LAWYER, case, at=at, place="Saal 7")
    answer = client_as("lawyer").get("/court/calendar.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    events = {str(e["UID"]): e for e in Calendar.from_ical(answer.data).walk("VEVENT")}
    event = next(e for uid, e in events.items() if uid.startswith(f"court-date-{hearing.id}@"))
    assert event.decoded("DTSTART") == at and event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert case.ref in str(event["SUMMARY"]) and "Amtsgericht Köln" in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == "Saal 7"
    assert "123 C 45/26" in str(event["DESCRIPTION"])


def test_the_case_page_s_court_section_by_role(client_as, db_session):
    case, _ = make_court_case(db_session, lifecycle.LEGAL)
    lawyer = client_as("lawyer").get(f"/cases/{case.ref}").get_data(as_text=True)
    assert 'id="court"' in lawyer and "Amtsgericht Köln" in lawyer and "Save court case" in lawyer
    handler = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    assert 'id="court"' in handler and "Save court case" not in handler
    accountant = client_as("accountant").get(f"/cases/{case.ref}").get_data(as_text=True)
    assert 'id="court"' not in accountant
    assert "FilingsView" not in lawyer   # no link to filings until that domain is there


def test_recording_through_the_page(client_as, db_session):
    case, court_case = make_court_case(db_session, lifecycle.LEGAL)
    form = {"route_id": "mahnverfahren", "court_name": "Amtsgericht Wedding",
            "court_address": "Brunnenplatz 1\r\n13357 Berlin", "file_number": "26-1234567-0-1",
            "filed_on": TODAY.isoformat(), "version": str(court_case.version)}
    assert client_as("handler").post(f"/court/case/{case.ref}/record", data=form).status_code == 403
    answer = client_as("lawyer").post(f"/court/case/{case.ref}/record", data=form)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/cases/{case.ref}#court")
    db_session.refresh(court_case)
    db_session.refresh(case)
    assert (court_case.court_address, court_case.route_id, case.stage) == \
        ("Brunnenplatz 1\n13357 Berlin", "mahnverfahren", lifecycle.COURT)
    lawyer = client_as("lawyer")
    lawyer.post(f"/court/case/{case.ref}/cost", data={"kind": "court_fee", "amount": "38.00",
                                                        "paid_on": TODAY.isoformat()})
    assert services.costs_advanced(court_case).minor == 3800
    bad = lawyer.post(f"/court/case/{case.ref}/hearing", data={"at": "tomorrow"}, follow_redirects=True)
    assert "write the day and time" in bad.get_data(as_text=True)


def test_the_court_section_links_to_the_cases_filings_for_those_who_may_see_them(client_as, db_session):
    case, _ = make_court_case(db_session, lifecycle.LEGAL)
    for role in ("lawyer", "handler"):
        page = client_as(role).get(f"/cases/{case.ref}").get_data(as_text=True)
        assert f'href="/filings/case/{case.ref}"' in page, role
    assert client_as("lawyer").get(f"/filings/case/{case.ref}").status_code == 200

def test_the_desk_shows_a_page_at_a_time_with_the_count_of_every_case(client_as, db_session, monkeypatch):
    monkeypatch.setattr(services, "DESK_PAGE", 1)
    first, _ = make_court_case(db_session, lifecycle.LEGAL)
    second, _ = make_court_case(db_session, lifecycle.LEGAL)
    total = services.desk_page(db_session, TODAY, per_page=None).total
    lawyer = client_as("lawyer")
    shown = []
    for number in range(1, total + 1):
        text = lawyer.get(f"/court/?page={number}").get_data(as_text=True)
        assert f"<b>{total}</b>" in text and f"Page {number} of {total}" in text
        assert ('id="next-page"' in text) == (number < total) and ('id="previous-page"' in text) == (number > 1)
        shown += [ref for ref in (first.ref, second.ref) if ref in text]
    assert sorted(shown) == sorted([first.ref, second.ref])   # each on exactly one page
    assert lawyer.get("/court/?page=nonsense").status_code == 200


def test_the_calendar_says_how_many_it_shows_and_where_the_next_page_starts(client_as, db_session, monkeypatch):
    monkeypatch.setattr(services, "CALENDAR_PAGE", 1)
    case, _ = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY)
    services.add_deadline(db_session, LAWYER, case, due_on=TODAY + timedelta(days=400), what="far")  # beyond six months
    from caseapp.core.clock import today
    services.add_deadline(db_session, LAWYER, case, due_on=today() + timedelta(days=1), what="Statement one")
    services.add_deadline(db_session, LAWYER, case, due_on=today() + timedelta(days=2), what="Statement two")
    lawyer = client_as("lawyer")
    text = lawyer.get("/court/calendar").get_data(as_text=True)
    assert "Statement one" in text and "Statement two" not in text and 'id="next-page"' in text
    later = lawyer.get(f"/court/calendar?from={(today() + timedelta(days=2)).isoformat()}").get_data(as_text=True)
    assert "Statement two" in later and "Statement one" not in later and 'id="first-page"' in later
    assert lawyer.get("/court/calendar?from=garbage").status_code == 200
