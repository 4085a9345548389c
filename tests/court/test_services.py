"""The court's rules, each tested on both sides of its edge: when a court case may be recorded, the
route, the filing date and the stage it moves, stale edits, costs advanced in the ledger, hearings
and deadlines, the decision and enforcement; the contract `court_case_of`."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from caseapp.cases import lifecycle
from caseapp.core.audit import AuditEvent
from caseapp.core.errors import IllegalTransition, InvalidInput, StaleEdit
from caseapp.court import services
from caseapp.ledger import services as ledger
from caseapp.payments import services as payments
from tests.cases.factories import make_case
from tests.conftest import TODAY
from tests.court.factories import LAWYER, eur, make_court_case


def _record(session, case, **fields):
    values = {"route_id": "court", "court_name": "Amtsgericht Köln", "court_address": "Luxemburger Straße 101",
              "today": TODAY, **fields}
    return services.record_court_case(session, LAWYER, case, **values)


def _actions(session, case):
    return [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                              .order_by(AuditEvent.id))]


# --- recording a court case ---------------------------------------------------------------------------

def test_a_court_case_needs_the_case_with_the_lawyer(db_session):
    with pytest.raises(IllegalTransition, match="hand it to the lawyer first"):
        _record(db_session, make_case(db_session, lifecycle.COLLECTION))
    court_case = _record(db_session, make_case(db_session, lifecycle.LEGAL))
    assert court_case.status == "preparing"
    held = make_case(db_session, lifecycle.ON_HOLD, held_from=lifecycle.COURT)   # on hold from court: still the lawyer's
    assert _record(db_session, held).id
    with pytest.raises(IllegalTransition):
        _record(db_session, make_case(db_session, lifecycle.ON_HOLD, held_from=lifecycle.OFFER_SENT))


def test_the_route_is_one_the_country_names(db_session):
    case = make_case(db_session, lifecycle.LEGAL)
    with pytest.raises(InvalidInput, match="not a court route of DE.*mahnverfahren"):
        _record(db_session, case, route_id="ccb")
    assert _record(db_session, case, route_id="mahnverfahren").route_id == "mahnverfahren"


def test_filing_moves_the_case_to_court_through_the_state_machine(db_session):
    case = make_case(db_session, lifecycle.LEGAL)
    _record(db_session, case)
    assert case.stage == lifecycle.LEGAL                   # no filing date: stays with the lawyer
    with pytest.raises(InvalidInput, match="in the future"):
        _record(db_session, case, filed_on=TODAY + timedelta(days=1))
    court_case = _record(db_session, case, filed_on=TODAY, file_number="123 C 45/26")
    assert (court_case.status, case.stage, case.court_since) == ("filed", lifecycle.COURT, TODAY)
    assert _actions(db_session, case)[-3:] == ["court.case_recorded", "court.case_edited", "case.stage_changed"]


def test_a_filing_needs_the_court(db_session):
    case = make_case(db_session, lifecycle.LEGAL)
    with pytest.raises(InvalidInput, match="needs the court"):
        _record(db_session, case, court_name="", filed_on=TODAY)


def test_a_stale_edit_is_refused(db_session):
    case = make_case(db_session, lifecycle.LEGAL)
    court_case = _record(db_session, case)
    seen = court_case.version
    _record(db_session, case, file_number="1 C 1/26", seen_version=seen)
    with pytest.raises(StaleEdit):
        _record(db_session, case, file_number="2 C 2/26", seen_version=seen)
    assert court_case.file_number == "1 C 1/26"


def test_court_case_of_is_the_latest_not_ended(db_session):
    case = make_case(db_session, lifecycle.LEGAL)
    assert services.court_case_of(db_session, case.id) is None
    first = _record(db_session, case)
    found = services.court_case_of(db_session, case.id)
    assert found is first
    assert (found.court_name, found.court_address, found.route_id, found.filed_on, found.file_number) == \
        ("Amtsgericht Köln", "Luxemburger Straße 101", "court", None, None)
    services.end_court_case(db_session, LAWYER, case, reason="withdrawn", today=TODAY)
    assert services.court_case_of(db_session, case.id) is None
    second = _record(db_session, case, court_name="Landgericht Köln")
    assert services.court_case_of(db_session, case.id) is second


# --- costs advanced -------------------------------------------------------------------------------------

def test_costs_advanced_are_posted_and_a_payment_recovers_them_first(db_session, tmp_path):
    from caseapp.core.filestore import FileStore
    from caseapp.payments.models import Payment
    from caseapp.payments.statements import Line, write_camt053

    case, _ = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY, claimed="450.00")
    with pytest.raises(InvalidInput, match="more than"):
        services.record_cost(db_session, LAWYER, case, kind="court_fee", amount=eur("0.00"), paid_on=TODAY, today=TODAY)
    with pytest.raises(InvalidInput, match="in the future"):
        services.record_cost(db_session, LAWYER, case, kind="court_fee", amount=eur("38.00"),
                             paid_on=TODAY + timedelta(days=1), today=TODAY)
    bank_before = ledger.balance(db_session, "bank", "EUR")
    office_before = ledger.balance(db_session, "office_transfers", "EUR")
    services.record_cost(db_session, LAWYER, case, kind="court_fee", amount=eur("38.00"), paid_on=TODAY, today=TODAY)
    services.record_cost(db_session, LAWYER, case, kind="lawyer_fee", amount=eur("96.00"), paid_on=TODAY, today=TODAY)
    assert ledger.balance(db_session, "costs_advanced", "EUR", case_id=case.id) == eur("134.00")
    # paid from the firm's office account: the client-money bank account (and its reconciliation) is untouched
    assert ledger.balance(db_session, "bank", "EUR") == bank_before
    assert ledger.balance(db_session, "office_transfers", "EUR") == office_before - eur("134.00")
    assert payments.costs_due(db_session, case) == eur("134.00")
    # a payment of 200.00: the costs first (§ 367(1) BGB), the rest to the claim
    data = write_camt053([{"id": "S-court", "iban": "DE89370400440532013000", "currency": "EUR",
                           "opening": eur("0.00"), "closing_on": TODAY,
                           "lines": [Line(eur("200.00"), TODAY, case.party.name, "DE02120300000000202051", case.ref,
                                          "R-court", "E-court")]}])
    payments.import_statement(db_session, FileStore(tmp_path / "files"), LAWYER, data, filename="s.xml", today=TODAY)
    payment = db_session.scalars(select(Payment).where(Payment.case_id == case.id)).one()
    assert (payment.costs_minor, payment.claim_minor) == (13400, 6600)
    assert payments.costs_due(db_session, case) == eur("0.00")
    assert payments.claim_due(db_session, case) == eur("384.00")


def test_a_cost_needs_a_court_case_and_the_case_s_currency(db_session):
    case = make_case(db_session, lifecycle.LEGAL)
    with pytest.raises(InvalidInput, match="no court case yet"):
        services.record_cost(db_session, LAWYER, case, kind="court_fee", amount=eur("38.00"), paid_on=TODAY,
                             today=TODAY)
    _record(db_session, case)
    from caseapp.core.money import Money
    with pytest.raises(InvalidInput, match="in EUR"):
        services.record_cost(db_session, LAWYER, case, kind="court_fee", amount=Money.parse("38.00", "GBP"),
                             paid_on=TODAY, today=TODAY)
    with pytest.raises(InvalidInput, match="court_fee or lawyer_fee"):
        services.record_cost(db_session, LAWYER, case, kind="expert", amount=eur("38.00"), paid_on=TODAY, today=TODAY)


# --- hearings and deadlines ----------------------------------------------------------------------------------

def test_hearings_are_stored_in_utc_and_moved_and_cancelled(db_session):
    case, _ = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY)
    with pytest.raises(InvalidInput, match="time zone"):
        services.add_hearing(db_session, LAWYER, case, at=datetime(2027, 1, 12, 10))
    with pytest.raises(InvalidInput, match="before the filing"):
        services.add_hearing(db_session, LAWYER, case, at=datetime(2026, 11, 1, 10, tzinfo=timezone.utc))
    cet = timezone(timedelta(hours=1))
    hearing = services.add_hearing(db_session, LAWYER, case, at=datetime(2027, 1, 12, 10, tzinfo=cet), place="Saal 7")
    assert hearing.at == datetime(2027, 1, 12, 9, tzinfo=timezone.utc) and hearing.due_on == date(2027, 1, 12)
    seen = hearing.version
    services.move_date(db_session, LAWYER, case, hearing.id, at=datetime(2027, 1, 19, 9, tzinfo=timezone.utc),
                       seen_version=seen)
    assert hearing.due_on == date(2027, 1, 19)
    with pytest.raises(StaleEdit):
        services.cancel_date(db_session, LAWYER, case, hearing.id, reason="judge ill", seen_version=seen)
    services.cancel_date(db_session, LAWYER, case, hearing.id, reason="judge ill", seen_version=hearing.version)
    with pytest.raises(InvalidInput, match="cancelled"):
        services.move_date(db_session, LAWYER, case, hearing.id, at=datetime(2027, 2, 1, 9, tzinfo=timezone.utc))
    assert [e for e in services.calendar(db_session, since=TODAY) if e.case_ref == case.ref] == []


def test_a_deadline_needs_what_is_due(db_session):
    case, _ = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY)
    with pytest.raises(InvalidInput, match="required"):
        services.add_deadline(db_session, LAWYER, case, due_on=TODAY + timedelta(days=14), what=" ")
    deadline = services.add_deadline(db_session, LAWYER, case, due_on=TODAY + timedelta(days=14), what="Reply")
    [entry] = [e for e in services.calendar(db_session, since=TODAY) if e.case_ref == case.ref]
    assert entry.court_date is deadline and entry.case_ref == case.ref


# --- the decision and enforcement --------------------------------------------------------------------------------

def test_the_decision_sets_the_claim_to_what_is_now_owed(db_session):
    case, court_case = make_court_case(db_session, lifecycle.LEGAL, claimed="450.00")
    with pytest.raises(InvalidInput, match="filing date before the decision"):
        services.record_decision(db_session, LAWYER, case, decided_on=TODAY, outcome="won", awarded=eur("400.00"),
                                 costs_awarded=eur("0.00"), today=TODAY)
    _record(db_session, case, filed_on=TODAY - timedelta(days=30))
    services.record_cost(db_session, LAWYER, case, kind="court_fee", amount=eur("38.00"), paid_on=TODAY, today=TODAY)
    with pytest.raises(InvalidInput, match="awards nothing"):
        services.record_decision(db_session, LAWYER, case, decided_on=TODAY, outcome="lost", awarded=eur("1.00"),
                                 costs_awarded=eur("0.00"), today=TODAY)
    with pytest.raises(InvalidInput, match="in the future"):
        services.record_decision(db_session, LAWYER, case, decided_on=TODAY + timedelta(days=1), outcome="won",
                                 awarded=eur("400.00"), costs_awarded=eur("0.00"), today=TODAY)
    services.record_decision(db_session, LAWYER, case, decided_on=TODAY, outcome="partly", awarded=eur("400.00"),
                             costs_awarded=eur("138.00"), today=TODAY)
    # 400.00 awarded + the 100.00 of costs awarded beyond the 38.00 advanced (those stay costs advanced)
    assert case.claimed == eur("500.00") and court_case.status == "decided"
    assert payments.due_on(db_session, case).total == eur("538.00")
    with pytest.raises(InvalidInput, match="is recorded"):
        services.record_decision(db_session, LAWYER, case, decided_on=TODAY, outcome="won", awarded=eur("1.00"),
                                 costs_awarded=eur("0.00"), today=TODAY)


def test_decided_claim_edges():
    assert services.decided_claim(eur("100.00"), eur("50.00"), eur("50.00")) == eur("100.00")
    assert services.decided_claim(eur("100.00"), eur("50.01"), eur("50.00")) == eur("100.01")
    assert services.decided_claim(eur("100.00"), eur("10.00"), eur("50.00")) == eur("100.00")


def test_enforcement_follows_a_decision_won_and_moves_the_case(db_session):
    case, court_case = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY - timedelta(days=30))
    assert case.stage == lifecycle.COURT
    with pytest.raises(InvalidInput, match="record the decision first"):
        services.add_enforcement_step(db_session, LAWYER, case, taken_on=TODAY, kind="bailiff", today=TODAY)
    services.record_decision(db_session, LAWYER, case, decided_on=TODAY - timedelta(days=2), outcome="won",
                             awarded=case.claimed, costs_awarded=eur("0.00"), today=TODAY)
    with pytest.raises(InvalidInput, match="before the decision"):
        services.add_enforcement_step(db_session, LAWYER, case, taken_on=TODAY - timedelta(days=3), kind="bailiff",
                                      today=TODAY)
    services.add_enforcement_step(db_session, LAWYER, case, taken_on=TODAY, kind="bailiff", today=TODAY)
    assert (court_case.status, case.stage) == ("enforcing", lifecycle.ENFORCEMENT)


def test_a_lost_case_is_not_enforced(db_session):
    case, _ = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY - timedelta(days=30))
    services.record_decision(db_session, LAWYER, case, decided_on=TODAY, outcome="lost", awarded=eur("0.00"),
                             costs_awarded=eur("0.00"), today=TODAY)
    with pytest.raises(InvalidInput):
        services.add_enforcement_step(db_session, LAWYER, case, taken_on=TODAY, kind="bailiff", today=TODAY)


# --- the desk ----------------------------------------------------------------------------------------------

def test_the_desk_orders_by_the_next_court_date_and_says_what_each_waits_for(db_session):
    waiting, _ = make_court_case(db_session, lifecycle.LEGAL)                 # not filed
    heard, _ = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY)   # in court, a hearing soon
    services.add_hearing(db_session, LAWYER, heard, at=datetime(2026, 11, 24, 9, tzinfo=timezone.utc))
    bare = make_case(db_session, lifecycle.ENFORCEMENT)                        # no court case recorded
    other = make_case(db_session, lifecycle.COLLECTION)                        # not the lawyer's
    rows = {r.case.id: r for r in services.desk(db_session, TODAY)}
    assert other.id not in rows
    assert rows[waiting.id].waits_for == "Filing to be made"
    assert rows[heard.id].waits_for.startswith("Hearing on") and rows[heard.id].key_day == date(2026, 11, 24)
    assert rows[bare.id].waits_for == "Court case to be recorded"
    order = [r.case.id for r in services.desk(db_session, TODAY) if r.case.id in (heard.id, waiting.id, bare.id)]
    keys = [rows[i].key_day for i in order]
    assert keys == sorted(keys)


def test_a_party_in_scotland_goes_to_scotlands_courts_not_the_ipec(db_session):
    """The IPEC is England and Wales only (CPR 63): a Scottish party's case takes the routes of
    jurisdictions/GB.toml [regions.SCT]; the same case against a party in England takes the IPEC."""
    case = make_case(db_session, lifecycle.LEGAL, country="GB")
    case.party.subdivision = "SCT"
    db_session.flush()
    assert {r.id for r in services.routes_for(case)} == {"simple-procedure", "court-of-session"}
    with pytest.raises(InvalidInput, match="not a court route of GB; choose one of: simple-procedure"):
        _record(db_session, case, route_id="ipec-small-claims")
    assert _record(db_session, case, route_id="court-of-session").route_id == "court-of-session"
    english = make_case(db_session, lifecycle.LEGAL, country="GB")
    english.party.subdivision = "ENG"
    db_session.flush()
    assert "ipec-small-claims" in {r.id for r in services.routes_for(english)}
    assert _record(db_session, english, route_id="ipec-small-claims").route_id == "ipec-small-claims"


def test_the_desk_pages_in_sql_in_the_order_of_the_whole_list_and_counts_every_case(db_session):
    """The desk is ordered, counted and paged in the database (issue 20: thousands of cases with the
    lawyer): the pages joined are the whole list in its order, and the counts cover every page."""
    heard, _ = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY)
    services.add_hearing(db_session, LAWYER, heard, at=datetime(2026, 11, 30, 9, tzinfo=timezone.utc))
    due, _ = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY)
    services.add_deadline(db_session, LAWYER, due, due_on=date(2026, 11, 25), what="Statement of defence")
    cancelled, _ = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY)   # its only date cancelled
    gone = services.add_deadline(db_session, LAWYER, cancelled, due_on=date(2026, 11, 20), what="Costs")
    services.cancel_date(db_session, LAWYER, cancelled, gone.id, reason="withdrawn", seen_version=gone.version)
    renewed, _ = make_court_case(db_session, lifecycle.LEGAL)                      # an ended court case's date
    services.add_deadline(db_session, LAWYER, renewed, due_on=date(2026, 11, 19), what="Old")
    services.end_court_case(db_session, LAWYER, renewed, reason="refiled", today=TODAY)
    _record(db_session, renewed)                                                  # the current one: no dates
    past, _ = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY - timedelta(days=10))
    services.add_deadline(db_session, LAWYER, past, due_on=TODAY - timedelta(days=1), what="Passed")
    bare = make_case(db_session, lifecycle.ENFORCEMENT)
    held = make_case(db_session, lifecycle.ON_HOLD, held_from=lifecycle.COURT)
    every = services.desk(db_session, TODAY)
    ours = {heard.id, due.id, cancelled.id, renewed.id, past.id, bare.id, held.id}
    assert ours <= {r.case.id for r in every}
    assert [(r.key_day or date.max, r.case.id) for r in every] == sorted((r.key_day or date.max, r.case.id)
                                                                          for r in every)
    rows = {r.case.id: r for r in every}
    assert rows[heard.id].key_day == date(2026, 11, 30) and rows[heard.id].next_date.kind == "hearing"
    assert rows[due.id].key_day == date(2026, 11, 25) and rows[due.id].next_date.kind == "deadline"
    assert rows[cancelled.id].next_date is None and rows[renewed.id].next_date is None
    assert rows[past.id].next_date is None
    first = services.desk_page(db_session, TODAY, per_page=2)
    assert first.total == len(every) and first.pages == -(-len(every) // 2) and first.page == 1
    assert first.hearings == sum(1 for r in every if r.next_date is not None and r.next_date.kind == "hearing")
    assert first.deadlines == sum(1 for r in every if r.next_date is not None and r.next_date.kind == "deadline")
    assert first.hearings >= 1 and first.deadlines >= 1
    joined = []
    for number in range(1, first.pages + 1):
        page = services.desk_page(db_session, TODAY, page=number, per_page=2)
        assert len(page.rows) <= 2
        joined += [(r.case.id, r.key_day, r.waits_for) for r in page.rows]
    assert joined == [(r.case.id, r.key_day, r.waits_for) for r in every]
    assert services.desk_page(db_session, TODAY, page=999, per_page=2).page == first.pages   # past the end: the last


def test_the_calendar_pages_by_whole_days(db_session):
    case, _ = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY)
    one, two = TODAY + timedelta(days=2), TODAY + timedelta(days=5)
    for day, what in ((one, "a"), (one, "b"), (one, "c"), (two, "d"), (two + timedelta(days=1), "e")):
        services.add_deadline(db_session, LAWYER, case, due_on=day, what=what)
    mine = lambda page: [e.court_date.what for e in page.entries if e.case_ref == case.ref]  # noqa: E731
    everything = services.calendar_page(db_session, today=TODAY, limit=1000)
    assert mine(everything) == ["a", "b", "c", "d", "e"] and everything.next_day is None
    assert everything.total == len(services.calendar(db_session, since=TODAY))
    # a day holding more than a page is shown whole; the next page starts at the next day with entries
    first = services.calendar_page(db_session, today=TODAY, start=one, limit=2)
    assert mine(first) == ["a", "b", "c"] and first.next_day == two
    second = services.calendar_page(db_session, today=TODAY, start=first.next_day, limit=2)
    assert mine(second) == ["d", "e"]
    # a page never splits a day: it stops before the day it could not show whole
    cut = services.calendar_page(db_session, today=TODAY, start=one + timedelta(days=1), limit=1)
    assert mine(cut) == ["d"] and cut.next_day == two + timedelta(days=1)
    assert services.calendar_page(db_session, today=TODAY, start=TODAY - timedelta(days=30)).start == TODAY
