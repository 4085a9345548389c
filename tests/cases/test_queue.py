"""The queue: open cases, due first, then worth most; filters; keyset pages."""
from __future__ import annotations

from datetime import timedelta

import pytest

from caseapp.cases import services
from caseapp.core.errors import InvalidInput
from tests.cases.factories import make_case
from tests.clients.factories import make_client
from tests.conftest import TODAY


@pytest.fixture()
def book(db_session):
    """Twelve unassigned cases of one client with known due dates and values."""
    holder = make_client(db_session)
    rows = [  # (days from today, expected value)
        (-3, "100.00"), (-3, None), (-3, "500.00"), (0, "50.00"), (2, "900.00"), (2, "900.00"),
        (2, None), (5, "10.00"), (9, "999.00"), (9, "1.00"), (30, None), (30, "300.00"),
    ]
    cases = []
    for days, value in rows:
        case = make_case(db_session, "offer_sent", holder=holder, expected=value)
        case.next_due_on = TODAY + timedelta(days=days)
        cases.append(case)
    make_case(db_session, "closed", holder=holder)  # never in the queue
    db_session.flush()
    return holder, cases


def expected_order(cases):
    value = lambda c: c.expected_value_eur_minor  # noqa: E731
    return sorted(cases, key=lambda c: (c.next_due_on, value(c) is None, -(value(c) or 0), c.id))


def test_due_first_then_worth_most(db_session, book):
    holder, cases = book
    page = services.queue_page(db_session, scope="unassigned", user_id=None, client_id=holder.id)
    got = [c.id for c in page.cases]
    assert got == [c.id for c in expected_order(cases)]
    # overdue first; within a day the most valuable, unvalued last
    assert page.cases[0].expected_value_minor == 50000 and page.cases[2].expected_value_minor is None
    assert all(c.stage != "closed" for c in page.cases)


def test_keyset_pages_cover_everything_once(db_session, book):
    holder, cases = book
    seen, after = [], None
    for _ in range(10):
        page = services.queue_page(db_session, scope="unassigned", user_id=None,
                                   client_id=holder.id, after=after, limit=5)
        seen += [c.id for c in page.cases]
        after = page.next_cursor
        if not after:
            break
    assert seen == [c.id for c in expected_order(cases)]


def test_mine_and_counts(db_session, book, users):
    holder, cases = book
    me = users["handler2"]
    for case in cases[:3]:  # the three overdue ones
        case.assignee_id = me.id
    cases[4].assignee_id = me.id
    db_session.flush()
    page = services.queue_page(db_session, scope="mine", user_id=me.id, client_id=holder.id)
    assert {c.id for c in page.cases} == {c.id for c in cases[:3] + [cases[4]]}
    counts = services.queue_counts(db_session, me.id, TODAY, client_id=holder.id)
    assert (counts.mine, counts.unassigned, counts.overdue) == (4, 8, 3)


def test_filters(db_session, book):
    holder, cases = book
    cases[0].stage = "reminder_sent"
    fr = make_case(db_session, "offer_sent", holder=holder, country="FR")
    db_session.flush()
    by_stage = services.queue_page(db_session, scope="unassigned", user_id=None,
                                   client_id=holder.id, stage="reminder_sent")
    assert [c.id for c in by_stage.cases] == [cases[0].id]
    by_country = services.queue_page(db_session, scope="unassigned", user_id=None,
                                     client_id=holder.id, country="fr")
    assert [c.id for c in by_country.cases] == [fr.id]


def test_broken_cursor_is_a_clear_error(db_session):
    with pytest.raises(InvalidInput, match="page link is broken"):
        services.queue_page(db_session, scope="unassigned", user_id=None, after="garbage")


def test_values_in_other_currencies_compare_in_euros(db_session):
    holder = make_client(db_session)
    forint = make_case(db_session, "offer_sent", holder=holder, country="HU", currency="HUF",
                            claimed="120000.00", expected="81600.00")     # about €204
    euro = make_case(db_session, "offer_sent", holder=holder, country="DE", expected="656.60")
    for case in (forint, euro):
        case.next_due_on = TODAY
    db_session.flush()
    page = services.queue_page(db_session, scope="unassigned", user_id=None, client_id=holder.id)
    assert [c.id for c in page.cases] == [euro.id, forint.id]
    assert forint.expected_value_eur_minor == 20400   # HUF 81,600 at 400 a euro


def test_the_unassigned_count_stops_at_its_cap_and_says_there_are_more(db_session, book, monkeypatch):
    holder, cases = book   # twelve unassigned open cases
    monkeypatch.setattr(services, "QUEUE_COUNT_CAP", 12)
    at_cap = services.queue_counts(db_session, None, TODAY, client_id=holder.id)
    assert (at_cap.unassigned, at_cap.unassigned_more) == (12, False)
    monkeypatch.setattr(services, "QUEUE_COUNT_CAP", 11)
    over = services.queue_counts(db_session, None, TODAY, client_id=holder.id)
    assert (over.unassigned, over.unassigned_more) == (11, True)


def test_the_queue_tab_shows_a_capped_count_with_a_plus(db_session, book, client_as, monkeypatch):
    holder, _cases = book
    monkeypatch.setattr(services, "QUEUE_COUNT_CAP", 11)
    page = client_as("handler").get(f"/queue/?scope=unassigned&client={holder.id}").get_data(as_text=True)
    assert "<b>11+</b>" in page
    monkeypatch.setattr(services, "QUEUE_COUNT_CAP", 12)
    page = client_as("handler").get(f"/queue/?scope=unassigned&client={holder.id}").get_data(as_text=True)
    assert "<b>12</b>" in page
