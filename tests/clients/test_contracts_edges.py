"""A client's contract, edge by edge: the default terms (70% out of court, 50% in court) and
when they are written down, which contract applies at a moment (two starting together: the
later one), shares in whole or half percent up to 100%, the minimum payout, the settlement
floor, a start no more than a minute in the past, a stale page refused, and the words the
client reads."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from caseapp.clients import contracts
from caseapp.clients.models import ClientContract
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.models import utcnow
from caseapp.core.money import Money
from tests.cases.factories import make_case
from tests.clients.factories import make_client

ACTOR = Actor.system("contracts")


def _contract(session, holder, starts_at, out=7000, court=5000, floor=10000, minimum=0):
    """A contract row written directly (change_contract refuses a start in the past)."""
    row = ClientContract(client_id=holder.id, starts_at=starts_at, share_out_of_court_bp=out,
                         share_in_court_bp=court, currency="EUR", minimum_payout_minor=minimum,
                         settlement_floor_bp=floor, created_by="test")
    session.add(row)
    session.flush()
    return row


def _change(session, holder, **terms):
    terms.setdefault("share_out_of_court_bp", 6000)
    terms.setdefault("share_in_court_bp", 4500)
    return contracts.change_contract(session, ACTOR, holder.id, **terms)


# -- the default terms -----------------------------------------------------------------------

def test_a_client_without_a_contract_is_shown_the_default_terms_and_nothing_is_written(db_session):
    holder = make_client(db_session)
    shown = contracts.current_contract(db_session, holder.id)
    assert (shown.share_out_of_court_bp, shown.share_in_court_bp, shown.currency, shown.minimum_payout_minor,
            shown.settlement_floor_bp, shown.note, shown.created_by, shown.client_id) == (
        7000, 5000, "EUR", 0, 10000, "The default terms.", "system", holder.id)
    assert shown.starts_at == holder.created_at           # in force since the client joined
    assert shown.id is None and shown not in db_session
    assert contracts.latest_contract_id(db_session, holder.id) == 0
    assert contracts.contract_history(db_session, holder.id) == []
    assert contracts.contract_in_words(shown) == (
        "You receive 70% of what we collect out of court, 50% in court. We pay out whatever you are owed, "
        "however small. We ask you before settling for less than the claim.")


def test_the_default_terms_are_written_down_when_a_case_is_opened_under_them(db_session):
    holder = make_client(db_session)
    recorded = contracts.current_contract(db_session, holder.id, record=True)
    assert recorded.id is not None
    assert contracts.latest_contract_id(db_session, holder.id) == recorded.id
    assert contracts.contract_history(db_session, holder.id) == [recorded]
    assert contracts.current_contract(db_session, holder.id, record=True).id == recorded.id   # not a second row


def test_the_default_terms_start_when_the_client_joined_or_at_the_moment_asked_if_earlier(db_session):
    holder = make_client(db_session)
    joined = holder.created_at
    assert contracts.current_contract(db_session, holder.id, at=joined + timedelta(days=1)).starts_at == joined
    before = joined - timedelta(days=1)
    assert contracts.current_contract(db_session, holder.id, at=before).starts_at == before
    # no such client on file: the terms start at the moment asked
    at = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    assert contracts.current_contract(db_session, 10 ** 9, at=at).starts_at == at


# -- which contract applies ------------------------------------------------------------------

def test_without_a_moment_the_contract_in_force_now_applies(db_session):
    holder = make_client(db_session)
    now = _change(db_session, holder)
    _change(db_session, holder, share_out_of_court_bp=5000, starts_at=utcnow() + timedelta(days=1))
    assert contracts.current_contract(db_session, holder.id).id == now.id
    assert contracts.current_contracts(db_session, [holder.id])[holder.id].id == now.id


def test_of_two_contracts_starting_at_the_same_moment_the_later_one_applies(db_session):
    holder = make_client(db_session)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    first = _contract(db_session, holder, start, out=6000)
    second = _contract(db_session, holder, start, out=6500)
    at = start + timedelta(days=1)
    assert contracts.current_contract(db_session, holder.id, at=at).id == second.id
    assert contracts.current_contracts(db_session, [holder.id], at=at)[holder.id].id == second.id
    assert contracts.contract_history(db_session, holder.id) == [second, first]


def test_the_latest_contract_started_applies_not_an_earlier_one(db_session):
    holder = make_client(db_session)
    older = _contract(db_session, holder, datetime(2026, 1, 1, tzinfo=timezone.utc), out=6000)
    newer = _contract(db_session, holder, datetime(2026, 3, 1, tzinfo=timezone.utc), out=6500)
    at = datetime(2026, 6, 1, tzinfo=timezone.utc)
    assert contracts.current_contract(db_session, holder.id, at=at).id == newer.id
    assert contracts.current_contracts(db_session, [holder.id, holder.id], at=at) == {holder.id: newer}
    assert contracts.current_contracts(db_session, [holder.id], at=datetime(2026, 2, 1, tzinfo=timezone.utc)) \
        == {holder.id: older}
    assert contracts.contract_history(db_session, holder.id) == [newer, older]


def test_many_clients_each_get_their_own_contract_in_force_on_the_last_day_and_the_day_after(db_session):
    """Client A's contract ends when its next starts on 1 March; client B has only a future
    contract (the default terms until then, not written down); client C has none."""
    a, b, c = make_client(db_session), make_client(db_session), make_client(db_session)
    a_old = _contract(db_session, a, datetime(2026, 1, 1, tzinfo=timezone.utc), out=6000)
    a_new = _contract(db_session, a, datetime(2026, 3, 1, tzinfo=timezone.utc), out=6500)
    b_future = _contract(db_session, b, datetime(2026, 3, 1, tzinfo=timezone.utc), out=8000)
    last_moment = datetime(2026, 3, 1, tzinfo=timezone.utc) - timedelta(microseconds=1)
    on_the_last_day = contracts.current_contracts(db_session, [c.id, b.id, a.id], at=last_moment)
    assert on_the_last_day[a.id].id == a_old.id
    assert on_the_last_day[b.id].id is None and on_the_last_day[b.id].share_out_of_court_bp == 7000
    assert on_the_last_day[c.id].id is None and on_the_last_day[c.id].client_id == c.id
    the_day_after = contracts.current_contracts(db_session, [a.id, b.id], at=datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert (the_day_after[a.id].id, the_day_after[b.id].id) == (a_new.id, b_future.id)
    assert contracts.latest_contract_id(db_session, b.id) == b_future.id


def test_a_case_opened_before_contracts_were_kept_is_worked_under_the_contract_in_force_when_it_opened(db_session):
    holder = make_client(db_session)
    then = _contract(db_session, holder, datetime(2026, 1, 1, tzinfo=timezone.utc), out=6000)
    _contract(db_session, holder, datetime(2026, 3, 1, tzinfo=timezone.utc), out=6500)
    case = make_case(db_session, holder=holder)
    case.contract_id, case.created_at = None, datetime(2026, 2, 1, tzinfo=timezone.utc)
    db_session.flush()
    assert contracts.case_terms(db_session, case).id == then.id
    opened_now = make_case(db_session, holder=holder)
    assert contracts.case_terms_by_case(db_session, [case, opened_now]) == {
        case.id: then, opened_now.id: contracts.contract_of(db_session, opened_now.contract_id)}
    assert contracts.case_terms_by_case(db_session, [opened_now])[opened_now.id].share_out_of_court_bp == 6500


def test_a_case_whose_contract_is_gone_is_refused(db_session):
    with pytest.raises(NotFound) as refused:
        contracts.contract_of(db_session, 10 ** 9)
    assert str(refused.value) == f"There is no contract {10 ** 9}."
    ghost = SimpleNamespace(id=1, contract_id=10 ** 9, client_id=1, created_at=None)
    with pytest.raises(NotFound, match="There is no contract"):
        contracts.case_terms_by_case(db_session, [ghost])


# -- percentages ----------------------------------------------------------------------------

@pytest.mark.parametrize("typed, bp", [("70 %", 7000), (" 55 ", 5500), ("0.5", 50), ("52.50", 5250),
                                       ("100.0", 10000), ("7,5", 750), (55, 5500)])
def test_more_ways_to_type_a_share(typed, bp):
    assert contracts.percent_bp(typed, "Share") == bp


@pytest.mark.parametrize("typed", ["100.5", "1000", "5.05", "50.", ".5", None])
def test_a_share_above_100_finer_than_half_a_percent_or_missing_is_refused(typed):
    with pytest.raises(InvalidInput) as refused:
        contracts.percent_bp(typed, "Share in court")
    assert str(refused.value) == (f"Share in court: '{typed}' is not a percentage from 0 to 100 in whole or half "
                                  "percent, e.g. 55 or 52.5.")


@pytest.mark.parametrize("bp, text", [(7000, "70%"), (5250, "52.5%"), (50, "0.5%"), (0, "0%"), (10000, "100%"),
                                      (9950, "99.5%"), (5005, "50.05%")])
def test_a_share_in_words(bp, text):
    assert contracts.percent_text(bp) == text


@pytest.mark.parametrize("field, value", [
    ("share_out_of_court_bp", True), ("share_out_of_court_bp", 5000.0), ("share_out_of_court_bp", "5000"),
    ("share_out_of_court_bp", -50), ("share_out_of_court_bp", 10050), ("share_out_of_court_bp", 5025),
    ("share_in_court_bp", None), ("settlement_floor_bp", 10050), ("settlement_floor_bp", -50)])
def test_a_share_out_of_range_or_not_a_whole_number_of_basis_points_is_refused_naming_it(db_session, field, value):
    holder = make_client(db_session)
    names = {"share_out_of_court_bp": "Share out of court", "share_in_court_bp": "Share in court",
             "settlement_floor_bp": "Settlement floor"}
    with pytest.raises(InvalidInput) as refused:
        _change(db_session, holder, **{field: value})
    assert str(refused.value) == (f"{names[field]}: {value!r} is not a share from 0% to 100% in whole or half "
                                  "percent.")


def test_shares_of_0_and_100_percent_are_terms_a_contract_may_state(db_session):
    holder = make_client(db_session)
    contract = _change(db_session, holder, share_out_of_court_bp=10000, share_in_court_bp=0, settlement_floor_bp=0)
    assert (contract.share_out_of_court_bp, contract.share_in_court_bp, contract.settlement_floor_bp) == (10000, 0, 0)


# -- changing the contract ------------------------------------------------------------------

def test_a_new_contract_records_its_terms_who_made_it_and_what_it_replaced(db_session):
    holder = make_client(db_session)
    start = utcnow() + timedelta(days=2)
    contract = _change(db_session, holder, minimum_payout=Money(5000, "EUR"), settlement_floor_bp=8000,
                       starts_at=start, note="  Agreed on the phone  ")
    assert (contract.client_id, contract.starts_at, contract.currency, contract.created_by, contract.note) == (
        holder.id, start, "EUR", "contracts", "Agreed on the phone")
    assert (contract.share_out_of_court_bp, contract.share_in_court_bp, contract.minimum_payout_minor,
            contract.settlement_floor_bp) == (6000, 4500, 5000, 8000)
    default = contracts.contract_history(db_session, holder.id)[-1]
    assert default.note == "The default terms." and default.id != contract.id
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "client.contract_changed",
                                                        AuditEvent.subject_id == holder.id)).one()
    assert (event.subject_type, event.actor_name) == ("client", "contracts")
    assert event.details == {
        "contract": contract.id, "from_contract": default.id, "starts_at": start.isoformat(),
        "share_out_of_court": "60%", "share_in_court": "45%", "minimum_payout": "50.00 EUR",
        "settlement_floor": "80%",
        "before": "You receive 70% of what we collect out of court, 50% in court. We pay out whatever you are owed, "
                  "however small. We ask you before settling for less than the claim."}
    assert contracts.contract_in_words(contract) == (
        "You receive 60% of what we collect out of court, 45% in court. We pay out once you are owed at least "
        "€50.00. We may settle for 80% of the claim or more without asking you.")


def test_a_change_that_does_not_name_the_minimum_or_the_floor_keeps_the_previous_ones(db_session):
    holder = make_client(db_session)
    _change(db_session, holder, minimum_payout=Money(2500, "EUR"), settlement_floor_bp=9000)
    kept = _change(db_session, holder, share_out_of_court_bp=6500)
    assert (kept.minimum_payout_minor, kept.settlement_floor_bp, kept.share_out_of_court_bp) == (2500, 9000, 6500)
    lowered = _change(db_session, holder, minimum_payout=Money(0, "EUR"), settlement_floor_bp=10000)
    assert (lowered.minimum_payout_minor, lowered.settlement_floor_bp) == (0, 10000)


def test_a_minimum_payout_must_be_an_amount_of_zero_or_more(db_session):
    holder = make_client(db_session)
    with pytest.raises(InvalidInput) as refused:
        _change(db_session, holder, minimum_payout="50.00")
    assert str(refused.value) == "Minimum payout: give an amount, e.g. 50.00."
    with pytest.raises(InvalidInput) as refused:
        _change(db_session, holder, minimum_payout=Money(-1, "EUR"))
    assert str(refused.value) == "Minimum payout: an amount of 0 or more."
    with pytest.raises(InvalidInput) as refused:
        _change(db_session, holder, minimum_payout=Money(100, "USD"))
    assert str(refused.value) == "Minimum payout: the contract pays in EUR; give the amount in EUR."
    assert _change(db_session, holder, minimum_payout=Money(1, "EUR")).minimum_payout_minor == 1


def test_a_note_of_2000_characters_is_kept_one_of_2001_is_refused(db_session):
    holder = make_client(db_session)
    assert _change(db_session, holder, note="x" * 2000).note == "x" * 2000
    with pytest.raises(InvalidInput) as refused:
        _change(db_session, holder, note="x" * 2001)
    assert str(refused.value) == "Note: at most 2000 characters."
    assert _change(db_session, holder, note="   ").note is None


def test_a_start_without_a_time_zone_is_refused(db_session):
    holder = make_client(db_session)
    with pytest.raises(InvalidInput) as refused:
        _change(db_session, holder, starts_at=datetime(2030, 1, 1, 9, 0))
    assert str(refused.value) == "Starts: give the moment with its time zone (UTC)."


def test_a_start_exactly_a_minute_ago_is_taken_a_moment_earlier_is_the_past(db_session, monkeypatch):
    """A page's 'now' reaches the server a little later: a start up to a minute ago is allowed."""
    holder = make_client(db_session)
    now = utcnow()
    monkeypatch.setattr(contracts, "utcnow", lambda: now)
    with pytest.raises(InvalidInput) as refused:
        _change(db_session, holder, starts_at=now - timedelta(minutes=1, microseconds=1))
    assert str(refused.value) == ("Starts: a contract cannot start in the past (cases opened before it keep their "
                                  "terms); leave it empty to start now, or give a later moment.")
    assert _change(db_session, holder, starts_at=now - timedelta(minutes=1)).starts_at == now - timedelta(minutes=1)
    assert _change(db_session, holder).starts_at == now       # no start given: now


def test_a_change_from_a_stale_page_is_refused(db_session):
    """The page showed the default terms (0); someone else changed the contract since."""
    holder = make_client(db_session)
    first = _change(db_session, holder, seen_contract=0)
    with pytest.raises(InvalidInput) as refused:
        _change(db_session, holder, seen_contract=0)
    assert str(refused.value) == (f"The contract of {holder.name} was changed by someone else while you were editing "
                                  "it. Reload the page to see their terms, then make your change again.")
    assert _change(db_session, holder, seen_contract=first.id, share_out_of_court_bp=5500).share_out_of_court_bp == 5500


# -- the contract in words ------------------------------------------------------------------

def test_the_words_for_a_minimum_of_one_cent_and_a_floor_just_below_the_claim(db_session):
    words = contracts.contract_in_words(ClientContract(
        share_out_of_court_bp=5250, share_in_court_bp=5000, currency="EUR", minimum_payout_minor=1,
        settlement_floor_bp=9950))
    assert words == ("You receive 52.5% of what we collect out of court, 50% in court. We pay out once you are owed "
                     "at least €0.01. We may settle for 99.5% of the claim or more without asking you.")


# -- which contract applies, whatever order the contracts were entered in ---------------------

def test_a_contract_entered_later_with_an_earlier_start_does_not_replace_the_one_started_since(db_session):
    """The March contract is entered first, the January one after it (a correction of the
    record): on 1 June the March one applies, whatever their ids say."""
    holder = make_client(db_session)
    march = _contract(db_session, holder, datetime(2026, 3, 1, tzinfo=timezone.utc), out=6500)
    january = _contract(db_session, holder, datetime(2026, 1, 1, tzinfo=timezone.utc), out=6000)
    at = datetime(2026, 6, 1, tzinfo=timezone.utc)
    assert contracts.current_contract(db_session, holder.id, at=at).id == march.id
    assert contracts.current_contracts(db_session, [holder.id], at=at)[holder.id].id == march.id
    assert contracts.contract_history(db_session, holder.id) == [march, january]


def test_many_clients_get_exactly_the_clients_asked_for(db_session):
    """Another client's contract in force is not in the answer."""
    asked, other = make_client(db_session), make_client(db_session)
    _contract(db_session, other, datetime(2026, 1, 1, tzinfo=timezone.utc))
    found = contracts.current_contracts(db_session, [asked.id], at=datetime(2026, 6, 1, tzinfo=timezone.utc))
    assert list(found) == [asked.id] and found[asked.id].id is None


def test_the_contract_keeps_the_currency_its_client_is_paid_in(db_session):
    """A client paid in US dollars (a contract on record in USD): the new contract pays in USD
    too, and a minimum in euros is refused."""
    holder = make_client(db_session)
    _contract(db_session, holder, datetime(2026, 1, 1, tzinfo=timezone.utc)).currency = "USD"
    db_session.flush()
    new = _change(db_session, holder, minimum_payout=Money(2000, "USD"))
    assert (new.currency, new.minimum_payout_minor) == ("USD", 2000)
    assert _change(db_session, holder).currency == "USD"
    with pytest.raises(InvalidInput, match="the contract pays in USD; give the amount in USD"):
        _change(db_session, holder, minimum_payout=Money(2000, "EUR"))


def test_a_change_without_a_note_has_none(db_session):
    assert _change(db_session, make_client(db_session)).note is None


def test_the_terms_replaced_are_those_in_force_at_the_moment_of_the_change(db_session, monkeypatch):
    """A contract scheduled to start an hour from the moment of the change is not the one the
    change replaces, even if the clock has moved past its start by the time the terms are read."""
    holder = make_client(db_session)
    in_force = _change(db_session, holder, minimum_payout=Money(1000, "EUR"))
    now = utcnow()
    _change(db_session, holder, minimum_payout=Money(9900, "EUR"), starts_at=now + timedelta(hours=1))
    moments = iter([now] + [now + timedelta(hours=2)] * 10)
    monkeypatch.setattr(contracts, "utcnow", lambda: next(moments))
    new = _change(db_session, holder)
    assert new.minimum_payout_minor == 1000
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "client.contract_changed",
                                                        AuditEvent.subject_id == holder.id)
                               .order_by(AuditEvent.id.desc())).first()
    assert event.details["from_contract"] == in_force.id


def test_a_record_without_its_opening_moment_is_worked_under_the_contract_in_force_now(db_session):
    holder = make_client(db_session)
    now = _change(db_session, holder, share_out_of_court_bp=5500)
    assert contracts.case_terms(db_session, SimpleNamespace(contract_id=None, client_id=holder.id)).id == now.id


# -- many cases and clients in a few queries (a payout batch asks for thousands) ---------------

class _Queries:
    def __init__(self, session):
        from sqlalchemy import event

        self.statements: list[str] = []
        self.connection = session.connection()
        event.listen(self.connection, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def on_contracts(self) -> int:
        return sum("client_contract" in s for s in self.statements)

    def close(self):
        from sqlalchemy import event

        event.remove(self.connection, "before_cursor_execute", self._seen)


def test_the_terms_of_many_cases_are_read_in_one_query_loading_only_their_contracts(db_session):
    holder = make_client(db_session)
    rows = [_contract(db_session, holder, datetime(2026, 1, day, tzinfo=timezone.utc), out=5000 + 50 * day)
            for day in (1, 2, 3)]
    ids = [row.id for row in rows]
    db_session.expunge_all()
    cases = [SimpleNamespace(id=100 + n, contract_id=contract_id, client_id=holder.id, created_at=None)
             for n, contract_id in enumerate(ids + [ids[0]])]
    queries = _Queries(db_session)
    try:
        terms = contracts.case_terms_by_case(db_session, cases)
    finally:
        queries.close()
    assert {case_id: c.id for case_id, c in terms.items()} == {100: ids[0], 101: ids[1], 102: ids[2], 103: ids[0]}
    assert queries.on_contracts() == 1
    loaded = [o for o in db_session.identity_map.values() if isinstance(o, ClientContract)]
    assert sorted(c.id for c in loaded) == sorted(ids)


def test_the_contracts_of_many_clients_are_read_in_one_query(db_session):
    holders = [make_client(db_session) for _ in range(3)]
    expected = {h.id: _contract(db_session, h, datetime(2026, 1, 1, tzinfo=timezone.utc), out=6000).id
                for h in holders}
    queries = _Queries(db_session)
    try:
        found = contracts.current_contracts(db_session, [h.id for h in holders],
                                            at=datetime(2026, 6, 1, tzinfo=timezone.utc))
    finally:
        queries.close()
    assert {client_id: c.id for client_id, c in found.items()} == expected
    assert queries.on_contracts() == 1
