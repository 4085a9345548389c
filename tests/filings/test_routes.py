"""The route checks (caseapp.filings.routes) on both sides of every edge, on plain facts: no database."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from caseapp.core.money import Money
from caseapp.filings import routes
from caseapp.filings.facts import CaptureFacts, ClaimLine, Court, Facts, ItemFacts, Person, WorkFacts

COURT = Court("Tribunal judiciaire de Paris", ("Parvis du Tribunal de Paris", "75017 Paris"))
CAPTURE = CaptureFacts(1, "https://shop.example/p/1", datetime(2026, 5, 2, tzinfo=timezone.utc), "a" * 64)


def person(country, **kw):
    values = dict(name="Someone", street="Street 1", postal_code="10115", city="City", country=country)
    values.update(kw)
    return Person(**values)


def facts(party_country="FR", client_country="DE", amount="1000.00", currency="EUR", **kw):
    values = dict(case_id=1, ref="C-2026-000001", stage="legal", country=party_country, currency=currency,
                  claimed=Money.parse(amount, currency), lines=(ClaimLine("Licence fee", Money.parse(amount, currency)),),
                  client=person(client_country), party=person(party_country), captures=(CAPTURE,), court=COURT,
                  items=(ItemFacts("Work", "https://shop.example/p/1", date(2026, 5, 1)),), today=date(2026, 11, 23))
    values.update(kw)
    return Facts(**values)


def check(f, route):
    found = routes.find(routes.check_case(f), route)
    assert found is not None, [c.route for c in routes.check_case(f)]
    return found


# --- European Small Claims Procedure ---------------------------------------------------------------

def test_escp_open_for_a_cross_border_case_in_the_courts_language():
    c = check(facts(), routes.ESCP)
    assert c.open, c.reasons
    assert c.language == "fr" and c.court == COURT and c.limit == Money.parse("5000.00", "EUR")


@pytest.mark.parametrize("amount, ok", [("5000.00", True), ("5000.01", False), ("4999.99", True)])
def test_escp_limit_both_sides(amount, ok):
    c = check(facts(amount=amount), routes.ESCP)
    assert c.open is ok
    if not ok:
        assert "€5,000.00" in " ".join(c.reasons) and "above the limit" in " ".join(c.reasons)


def test_escp_limit_leaves_costs_out():
    """Art. 2(1): the value is without interest and costs: €4,900 damages + €200 costs is in."""
    f = facts(amount="5100.00", lines=(ClaimLine("Licence fee", Money.parse("4900.00", "EUR")),
                                       ClaimLine("Lawyer's costs", Money.parse("200.00", "EUR"), cost=True)))
    assert check(f, routes.ESCP).open


def test_escp_not_cross_border():
    c = check(facts(client_country="FR"), routes.ESCP)
    assert not c.open and "Not cross-border" in c.reasons[0]


def test_escp_client_outside_the_eu_is_not_cross_border():
    c = check(facts(client_country="US"), routes.ESCP)
    assert not c.open and "not in a member state" in c.reasons[0]


def test_escp_a_danish_client_makes_no_case_cross_border():
    c = check(facts(client_country="DK"), routes.ESCP)
    assert not c.open and "Denmark" in c.reasons[0] and "2(3)" in c.reasons[0]


def test_escp_never_against_a_party_in_denmark():
    f = facts(party_country="DK", client_country="DE", currency="DKK", amount="3000.00")
    c = check(f, routes.ESCP)
    assert not c.open and "Denmark does not take part" in c.reasons[0]


def test_escp_needs_a_court():
    c = check(facts(court=None), routes.ESCP)
    assert not c.open and "No court recorded: record the court on the case's court section." in c.reasons
    assert "court" in c.missing


def test_escp_closed_where_form_a_is_not_in_the_courts_language():
    c = check(facts(party_country="PL", client_country="DE", currency="EUR"), routes.ESCP)
    assert not c.open and "language" in c.missing


def test_escp_other_currency_refused():
    c = check(facts(party_country="FR", currency="USD"), routes.ESCP)
    assert not c.open and "case.currency" in c.missing


@pytest.mark.parametrize("field, message, code", [
    ("postal_code", "The party has no postal code: add it on the party page.", "party.postal_code"),
    ("street", "The party has no street: add it on the party page.", "party.street"),
    ("city", "The party has no city: add it on the party page.", "party.city")])
def test_missing_party_field_named(field, message, code):
    f = facts(party=person("FR", **{field: None}))
    c = check(f, routes.ESCP)
    assert not c.open and message in c.reasons and code in c.missing


def test_missing_client_address_named():
    c = check(facts(client=person("DE", postal_code="")), routes.ESCP)
    assert "The client has no postal code: add it on the client page." in c.reasons
    assert "client.postcode" in c.missing


def test_escp_needs_an_evidence_capture():
    c = check(facts(captures=()), routes.ESCP)
    assert not c.open and "evidence.capture" in c.missing


def test_no_claim_closes():
    c = check(facts(amount="0.00", lines=()), routes.ESCP)
    assert not c.open and "case.claim" in c.missing


# --- Mahnverfahren ----------------------------------------------------------------------------

def de(**kw):
    return facts(party_country="DE", **kw)


def test_mahnverfahren_foreign_client_goes_to_wedding():
    c = check(de(client_country="FR"), routes.MAHN)
    assert c.open and c.court.name.startswith("Amtsgericht Wedding") and c.language == "de"


@pytest.mark.parametrize("postcode, court", [("80331", "Coburg"), ("70173", "Stuttgart"), ("45130", "Hagen"),
                                             ("50667", "Euskirchen"), ("20095", "Hamburg"), ("18055", "Hamburg"),
                                             ("01067", "Aschersleben"), ("36037", "Hünfeld"), ("30159", "Uelzen"),
                                             ("55116", "Mayen"), ("66111", "Mayen"), ("24103", "Schleswig"),
                                             ("28195", "Bremen"), ("10115", "Wedding"), ("14467", "Wedding")])
def test_mahngericht_by_the_claimants_land(postcode, court):
    c = check(de(client_country="DE", client=person("DE", postal_code=postcode)), routes.MAHN)
    assert c.open and court in c.court.name


def test_mahnverfahren_german_client_without_a_postcode_is_told():
    c = check(de(client_country="DE", client=person("DE", postal_code=None)), routes.MAHN)
    assert not c.open and "client.postcode" in c.missing


def test_mahnverfahren_only_in_euro():
    c = check(de(currency="USD"), routes.MAHN)
    assert not c.open and "EUR" in c.reasons[0]


def test_mahnverfahren_needs_no_court_recorded_nor_capture():
    assert check(de(court=None, captures=()), routes.MAHN).open


def test_mahnverfahren_missing_party_postcode():
    c = check(de(party=person("DE", postal_code=None)), routes.MAHN)
    assert not c.open and c.refusal().endswith("The party has no postal code: add it on the party page.")


# --- Copyright Claims Board -----------------------------------------------------------------------

def us(works, amount="5000.00", **kw):
    return facts(party_country="US", client_country="US", currency="USD", amount=amount, works=tuple(works), **kw)


REGISTERED = WorkFacts("Registered", "VA0002345678", date(2026, 1, 10), None, date(2025, 12, 1))
PENDING = WorkFacts("Pending", None, None, date(2026, 10, 1), date(2026, 2, 1))
NOTHING = WorkFacts("Unregistered")


def test_ccb_needs_a_registration_or_an_application():
    c = check(us([NOTHING]), routes.CCB)
    assert not c.open and "work.us_registration" in c.missing and "1505" in c.reasons[0]
    assert check(us([PENDING]), routes.CCB).open


def test_ccb_timely_registration():
    began = date(2026, 5, 1)   # the items' found date
    assert routes.timely(REGISTERED, began)
    late = replace(REGISTERED, registered_on=date(2026, 6, 1), first_published_on=date(2025, 1, 1))
    assert not routes.timely(late, began)
    within_three_months = replace(late, first_published_on=date(2026, 3, 1))
    assert routes.timely(within_three_months, began)           # 1 June is within 3 months of 1 March
    just_after = replace(late, registered_on=date(2026, 6, 2), first_published_on=date(2026, 3, 1))
    assert not routes.timely(just_after, began)
    assert not routes.timely(PENDING, began)


@pytest.mark.parametrize("amount, ok", [("15000.00", True), ("15000.01", False)])
def test_ccb_cap_one_timely_work(amount, ok):
    c = check(us([REGISTERED], amount=amount), routes.CCB)
    assert c.open is ok and c.limit == Money.parse("15000.00", "USD")
    if not ok:
        assert "$15,000.00" in c.reasons[0]


@pytest.mark.parametrize("amount, ok", [("7500.00", True), ("7500.01", False)])
def test_ccb_cap_not_timely_work(amount, ok):
    assert check(us([PENDING], amount=amount), routes.CCB).open is ok


def test_ccb_total_cap_when_none_is_timely():
    works = [replace(PENDING, title=f"W{n}") for n in range(3)]
    assert check(us(works, amount="15000.00"), routes.CCB).open
    c = check(us(works, amount="15000.01"), routes.CCB)
    assert not c.open and c.limit == Money.parse("15000.00", "USD")


@pytest.mark.parametrize("amount, ok", [("30000.00", True), ("30000.01", False)])
def test_ccb_30000_a_claim(amount, ok):
    works = [replace(REGISTERED, title=f"W{n}") for n in range(3)]
    c = check(us(works, amount=amount), routes.CCB)
    assert c.open is ok and c.limit == Money.parse("30000.00", "USD")


def test_ccb_split_within_each_works_cap():
    c = check(us([REGISTERED, PENDING], amount="22500.00"), routes.CCB)
    assert c.open
    assert [(row["cap"], row["sought"]) for row in c.extra["works"]] == [
        (Money.parse("15000.00", "USD"), Money.parse("15000.00", "USD")),
        (Money.parse("7500.00", "USD"), Money.parse("7500.00", "USD"))]


def test_ccb_usd_only():
    c = check(facts(party_country="US", client_country="US", currency="EUR", works=(REGISTERED,)), routes.CCB)
    assert not c.open and "does not convert" in c.reasons[0]


# --- IPEC small claims ------------------------------------------------------------------------------

def gb(region="ENG", amount="1000.00", **kw):
    return facts(party_country="GB", client_country="GB", currency="GBP", amount=amount,
                 party=person("GB", subdivision=region), **kw)


@pytest.mark.parametrize("amount, ok", [("10000.00", True), ("10000.01", False)])
def test_ipec_limit(amount, ok):
    c = check(gb(amount=amount), routes.IPEC)
    assert c.open is ok
    if not ok:
        assert "£10,000.00" in c.reasons[0]


@pytest.mark.parametrize("region", ["ENG", "WLS"])
def test_ipec_open_in_england_and_wales(region):
    c = check(gb(region), routes.IPEC)
    assert c.open and c.court.name == "Intellectual Property Enterprise Court"


def test_ipec_refused_for_scotland_naming_where_to_go():
    c = check(gb("SCT"), routes.IPEC)
    assert not c.open
    assert "Scotland" in c.reasons[0] and "Simple procedure" in c.reasons[0] and "Court of Session" in c.reasons[0]


def test_ipec_refused_for_northern_ireland():
    c = check(gb("NIR"), routes.IPEC)
    assert not c.open and "Northern Ireland" in c.reasons[0]


def test_ipec_region_unknown_is_assumed_with_a_note():
    c = check(gb(None), routes.IPEC)
    assert c.open and "not recorded" in c.notes[0]


# --- the general complaint --------------------------------------------------------------------------

def test_complaint_needs_a_court_and_writes_in_german_or_english():
    assert not check(de(court=None), "court").open
    c = check(de(), "court")
    assert c.open and c.language == "de" and c.renderer == routes.COMPLAINT
    fr = check(facts(), "court")
    assert fr.open and fr.language == "en" and "translated" in fr.notes[0]


def test_routes_without_a_form_are_closed_saying_so():
    c = check(facts(), "payment-order")
    assert not c.open and "by hand" in c.reasons[0]


def test_a_country_without_rules_has_no_routes():
    assert routes.check_case(facts(party_country="ZZ")) == []


def test_as_dict_shape():
    row = check(facts(amount="6000.00"), routes.ESCP).as_dict()
    assert set(row) >= {"route", "name", "open", "reasons", "missing", "limit"}
    assert row["open"] is False and row["limit"] == "5000.00 EUR"
