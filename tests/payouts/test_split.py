"""The split of a collection between client and firm: largest remainder, in and out of court,
the case's contract, VAT on the commission by the client's tax status, the minimum payout."""
from __future__ import annotations

from datetime import date

import pytest

from caseapp.cases import lifecycle
from caseapp.clients import contracts
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.ledger import services as ledger
from caseapp.payouts import services
from tests.cases.factories import make_case
from tests.clients.factories import make_client
from tests.payouts.factories import DAY, collect, eur

ANTON = Actor(None, "anton")


def test_largest_remainder_no_cent_lost():
    assert services.split_collection(eur("100.01"), 7000) == (eur("70.01"), eur("30.00"))
    assert services.split_collection(eur("100.01"), 5500) == (eur("55.01"), eur("45.00"))
    assert services.split_collection(eur("0.01"), 5000) == (eur("0.01"), eur("0.00"))
    assert services.vat_on(3000, 1900) == 570 and services.vat_on(3, 1900) == 1 and services.vat_on(2, 1900) == 0


def _only(batch, client_id):
    return next(line for line in batch.lines if line.client_id == client_id)


@pytest.mark.parametrize("stage, in_court, share", [
    (lifecycle.COLLECTION, False, 7000), (lifecycle.LEGAL, True, 5000), (lifecycle.COURT, True, 5000),
    (lifecycle.ENFORCEMENT, True, 5000), (lifecycle.SETTLED, False, 7000)])
def test_out_of_court_and_in_court(db_session, stage, in_court, share):
    holder = make_client(db_session)
    holder.country, holder.tax_status = "US", "standard"    # no VAT: the split alone
    case = make_case(db_session, stage, holder=holder)
    collect(db_session, case, "100.01")
    line = _only(services.draft(db_session, ANTON, DAY), holder.id)
    item = line.items[0]
    assert (item.in_court, item.share_bp) == (in_court, share)
    assert item.client_share_minor + item.commission_minor == 10001
    assert item.client_share_minor == (7001 if share == 7000 else 5001)


def test_a_55_percent_contract_is_the_case_s_own(db_session):
    holder = make_client(db_session)
    holder.country, holder.tax_status = "US", "standard"
    old = make_case(db_session, lifecycle.COLLECTION, holder=holder)     # opened under the default terms
    contracts.change_contract(db_session, ANTON, holder.id, share_out_of_court_bp=5500, share_in_court_bp=4000)
    new = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    new.contract_id = contracts.current_contract(db_session, holder.id).id
    collect(db_session, old, "100.00")
    collect(db_session, new, "100.00")
    line = _only(services.draft(db_session, ANTON, DAY), holder.id)
    assert sorted(i.client_share_minor for i in line.items) == [5500, 7000]


def test_vat_by_tax_status(db_session):
    german = make_client(db_session)                       # a private person in Germany: 19% on the commission
    french = make_client(db_session)
    french.country, french.tax_status, french.vat_id = "FR", "standard", "FR40303265045"   # reverse charge
    outside = make_client(db_session)
    outside.country, outside.tax_status = "CH", "standard"
    for holder in (german, french, outside):
        collect(db_session, make_case(db_session, lifecycle.COLLECTION, holder=holder), "100.00")
    batch = services.draft(db_session, ANTON, DAY)
    de, fr, ch = (_only(batch, h.id) for h in (german, french, outside))
    assert (de.commission_minor, de.vat_minor, de.client_share_minor - de.vat_minor) == (3000, 570, 6430)
    assert (de.vat_code, fr.vat_code, ch.vat_code) == ("private", "reverse_charge", "non_eu")
    assert fr.vat_minor == 0 and "196" in fr.vat_basis and ch.vat_minor == 0
    for line in batch.lines:
        assert line.client_share_minor - line.vat_minor + line.commission_minor + line.vat_minor == line.collected_minor


def test_minimum_payout_carries_forward(db_session):
    holder = make_client(db_session)
    holder.country, holder.tax_status = "US", "standard"
    contracts.change_contract(db_session, ANTON, holder.id, share_out_of_court_bp=7000, share_in_court_bp=5000,
                              minimum_payout=eur("50.00"))
    other = make_client(db_session)
    case = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    collect(db_session, case, "71.42")                    # 49.99 to the client: under the minimum, it waits
    collect(db_session, make_case(db_session, lifecycle.COLLECTION, holder=other), "10.00")
    first = services.draft(db_session, ANTON, DAY)
    assert [line.client_id for line in first.lines] == [other.id]
    assert ledger.balance(db_session, "collected", client_id=holder.id) == eur("-71.42")   # untouched
    collect(db_session, case, "0.02", day=date(2026, 10, 21))   # 50.00 now
    second = services.draft(db_session, ANTON, date(2026, 10, 21))
    line = _only(second, holder.id)
    assert [i.client_share_minor for i in line.items] == [4999, 1] and line.client_share_minor == 5000
    with pytest.raises(InvalidInput, match="Nothing to pay out"):
        services.draft(db_session, ANTON, date(2026, 10, 21))      # running it again pays nothing new


def test_a_reversed_payment_is_not_paid_out(db_session):
    holder = make_client(db_session)
    case = make_case(db_session, lifecycle.COLLECTION, holder=holder)
    paid = collect(db_session, case, "40.00")
    ledger.reverse(db_session, ANTON, paid.id, reason="returned by the bank", booked_on=DAY)
    with pytest.raises(InvalidInput, match="Nothing to pay out"):
        services.draft(db_session, ANTON, DAY)
