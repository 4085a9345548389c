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


# --- the words a lawyer reads, and what the other screens are given --------------------------------
# (Each closed route names its reason in full: the page shows it as written, so a changed word, a
# dropped amount or a lost "where to fix it" is a regression.)

ESCP_NAME = "European Small Claims Procedure (Reg. 861/2007)"
WEDDING = "Amtsgericht Wedding – Zentrales Mahngericht Berlin-Brandenburg"


def test_as_dict_of_an_open_route_in_full():
    assert check(facts(), routes.ESCP).as_dict() == {
        "route": routes.ESCP, "name": ESCP_NAME, "open": True, "reasons": [], "missing": [],
        "limit": "5000.00 EUR", "language": "fr", "court": "Tribunal judiciaire de Paris", "notes": []}


def test_as_dict_of_a_closed_route_without_limit_or_court():
    row = check(facts(), "payment-order").as_dict()
    assert row == {"route": "payment-order", "name": "Injonction de payer (arts. 1405 ff. CPC)", "open": False,
                   "reasons": ["caseapp makes no filing for this route: prepare it by hand (Arts. 1405-1425 CPC; "
                               "fee and lawyer cost estimates)."],
                   "missing": [], "limit": None, "language": None, "court": None, "notes": []}


def test_as_dict_carries_the_notes():
    row = check(facts(), "court").as_dict()
    assert row["notes"] == ["No complaint template in fr (the court's language): the draft is in English, to be "
                            "translated before filing."]
    assert row["court"] == "Tribunal judiciaire de Paris" and row["language"] == "en"


def test_refusal_names_the_route_and_every_reason_in_order():
    c = check(facts(amount="6000.00", captures=()), routes.ESCP)
    assert c.refusal() == (
        f"{ESCP_NAME} is closed for this case: The claim of €6,000.00 (without interest and costs) is above the "
        f"limit of €5,000.00 of {ESCP_NAME}. No evidence capture on the case: capture the page in the case's "
        "Evidence section (the annex shows it).")


def test_find_gives_none_for_a_route_not_there():
    assert routes.find([], routes.ESCP) is None
    assert routes.find(routes.check_case(facts()), "no-such-route") is None


def test_a_case_without_a_country_has_no_routes():
    assert routes.check_case(facts(party_country=None)) == []
    assert routes.check_case(facts(party_country="")) == []


def test_check_route_takes_name_and_kind_from_the_country_file():
    c = check(facts(), routes.ESCP)
    assert (c.name, c.kind, c.renderer) == (ESCP_NAME, "small_claims", routes.ESCP)
    m = check(de(), routes.MAHN)
    assert (m.name, m.kind, m.renderer) == ("Mahnverfahren (court dunning procedure, §§ 688 ff. ZPO)",
                                            "payment_order", routes.MAHN)
    u = check(us([REGISTERED]), routes.CCB)
    assert (u.name, u.kind, u.renderer) == ("Copyright Claims Board (CASE Act)", "tribunal", routes.CCB)
    g = check(gb(), routes.IPEC)
    assert (g.name, g.kind, g.renderer) == ("IPEC small claims track", "small_claims", routes.IPEC)


def _route(country, route_id):
    from caseapp.feasibility.rules import jurisdiction

    rules = jurisdiction(country)
    return rules, next(r for r in rules.routes if r.id == route_id)


def test_the_escp_is_checked_as_such_by_its_id_or_by_being_cross_border_only():
    rules, escp = _route("FR", routes.ESCP)
    by_id = routes.check_route(facts(client_country="FR"), replace(escp, cross_border_only=False), rules)
    assert by_id.renderer == routes.ESCP and by_id.reasons[0].startswith("Not cross-border")
    other = replace(escp, id="small-claims-x")
    by_flag = routes.check_route(facts(client_country="FR"), other, rules)
    assert by_flag.renderer == routes.ESCP and by_flag.reasons[0].startswith("Not cross-border")


# --- Denmark and the regions ----------------------------------------------------------------------

def test_denmark_check_in_full():
    f = facts(party_country="DK", client_country="DE", currency="DKK", amount="3000.00")
    c = check(f, routes.ESCP)
    assert (c.name, c.kind, c.limit, c.renderer, c.open) == (ESCP_NAME, "small_claims",
                                                           Money.parse("5000.00", "EUR"), routes.ESCP, False)
    assert c.reasons == ["Denmark does not take part in the European Small Claims Procedure (art. 2(3) Reg. "
                         "861/2007): a claim against a party in Denmark goes to a Danish court."]
    assert c.missing == []


def test_scotland_closes_the_english_routes_in_full_words():
    f = gb("SCT")
    instead = "Simple procedure (Sheriff Court, up to £5,000), Court of Session (intellectual property action, " \
              "partner lawyer)"
    ipec = check(f, routes.IPEC)
    assert (ipec.name, ipec.kind, ipec.limit) == ("IPEC small claims track", "small_claims",
                                                   Money.parse("10000.00", "GBP"))
    assert ipec.reasons == [f"The party is in Scotland: IPEC small claims track is not open there (it serves England "
                            f"and Wales: CPR 63.1, 63.27). File in Scotland instead: {instead}."]
    multi = check(f, "ipec")
    assert (multi.name, multi.kind, multi.limit, multi.open) == ("IPEC multi-track", "court", None, False)
    assert multi.reasons == [f"The party is in Scotland, where IPEC multi-track is not open; file there: {instead}."]


def test_northern_ireland_closes_the_english_routes_in_full_words():
    instead = "Small claims court (County Court, Northern Ireland), High Court of Northern Ireland (partner lawyer)"
    multi = check(gb("NIR"), "ipec")
    assert multi.reasons == [f"The party is in Northern Ireland, where IPEC multi-track is not open; file there: "
                             f"{instead}."]


# --- what every form needs, in words ------------------------------------------------------------

def test_a_missing_name_is_named_for_party_and_client():
    c = check(facts(party=person("FR", name=None), client=person("DE", name="   ")), routes.ESCP)
    assert c.reasons == ["The party has no name: add it on the party page.",
                         "The client has no name: add it on the client page."]
    assert c.missing == ["party.name", "client.name"]


def test_every_missing_address_field_in_order():
    c = check(facts(party=person("FR", street=" ", postal_code=None, city=""),
                    client=person("DE", street=None, postal_code=" ", city=None)), routes.ESCP)
    assert c.missing == ["party.street", "party.postal_code", "party.city",
                         "client.street", "client.postcode", "client.city"]
    assert c.reasons[0] == "The party has no street: add it on the party page."
    assert c.reasons[-1] == "The client has no city: add it on the client page."


def test_claims_nothing_in_words():
    c = check(facts(amount="0.00", lines=()), routes.ESCP)
    assert c.reasons == ["The case claims nothing: price the claim on the case page."]
    assert c.missing == ["case.claim"]


def test_other_currency_in_words():
    c = check(facts(party_country="FR", currency="USD"), routes.ESCP)
    assert c.reasons == ["The claim is in USD; this route takes claims in EUR. caseapp does not convert a claim for "
                         "a court: state the claim in EUR on the case page, or choose another route."]
    assert c.missing == ["case.currency"]


def test_above_the_limit_in_words():
    c = check(facts(amount="6000.00"), routes.ESCP)
    assert c.reasons == [f"The claim of €6,000.00 (without interest and costs) is above the limit of €5,000.00 of "
                         f"{ESCP_NAME}."]
    assert c.missing == []


def test_no_evidence_in_words():
    c = check(facts(captures=()), routes.ESCP)
    assert c.reasons == ["No evidence capture on the case: capture the page in the case's Evidence section (the annex "
                         "shows it)."]
    assert c.missing == ["evidence.capture"]


def test_form_a_language_in_words():
    c = check(facts(party_country="PL"), routes.ESCP)
    assert c.reasons == ["Form A is needed in the court's language (pl); caseapp has it in de, fr, es, it, nl, en "
                         "only: fill in the official form by hand."]
    assert c.missing == ["language"] and c.language is None


# --- the ESCP's cross-border rule in words --------------------------------------------------------

def test_danish_client_in_words():
    c = check(facts(client_country="DK"), routes.ESCP)
    assert c.reasons == ["The client is in Denmark, which is not a member state for the European Small Claims "
                         "Procedure (art. 2(3) Reg. 861/2007): the case is not cross-border in its sense (art. 3(1))."]


def test_same_country_in_words():
    c = check(facts(client_country="FR"), routes.ESCP)
    assert c.reasons == ["Not cross-border: the client and the party are both domiciled in FR (art. 3(1) Reg. "
                         "861/2007 needs a party domiciled in another member state)."]


@pytest.mark.parametrize("client_country, shown", [("US", "US"), (None, "?")])
def test_client_outside_the_eu_in_words(client_country, shown):
    c = check(facts(client=person(client_country)), routes.ESCP)
    assert c.reasons == [f"Not cross-border in the sense of art. 3(1) Reg. 861/2007: the client is domiciled in "
                         f"{shown}, not in a member state of the EU."]


@pytest.mark.parametrize("code, member", [("DE", True), ("de", True), ("FR", True), ("DK", False), ("dk", False),
                                          ("US", False), ("GB", False), ("", False), (None, False), ("ZZ", False)])
def test_member_state(code, member):
    assert routes.member_state(code) is member


# --- the Mahngericht ----------------------------------------------------------------------------

def test_mahngericht_abroad_in_words():
    court, why = routes.mahngericht("FR", "75001")
    assert court["name"] == WEDDING
    assert why == "The client has no general venue in Germany: Amtsgericht Wedding (§ 689(2) sentence 2 ZPO)."
    assert routes.mahngericht(None, None)[0]["name"] == WEDDING


def test_mahngericht_by_postcode_in_words():
    court, why = routes.mahngericht("de", " 10115 ")
    assert court["name"] == WEDDING and court["address"] == ["Brunnenplatz 1", "13357 Berlin"]
    assert why == (f"The client's general venue is in Berlin (postal code 10115, an estimate near a Land's border): "
                   f"{WEDDING} (§ 689(2) sentence 1, (3) ZPO).")


@pytest.mark.parametrize("code, shown", [(None, "—"), ("", "—"), ("1011", "1011"), ("10A15", "10A15"),
                                         ("101150", "101150"), ("AB115", "AB115")])
def test_mahngericht_refuses_what_is_not_a_german_postcode(code, shown):
    assert routes.mahngericht("DE", code) == (
        None, f"The client's postal code {shown} is not a German postal code: the Mahngericht cannot be told from "
              f"it (§ 689(2) ZPO).")


def test_mahngericht_table_is_read_from_the_data_file_once(monkeypatch):
    monkeypatch.setattr(routes, "_TABLE", None)
    table = routes.mahngericht_table()
    assert table["abroad"] == "wedding" and table["postal_regions"]["10"] == "BE"
    assert table["courts"]["wedding"]["name"] == WEDDING
    assert routes.mahngericht_table() is table


def test_mahnverfahren_german_client_in_full():
    c = check(de(client_country="DE"), routes.MAHN)
    why = (f"The client's general venue is in Berlin (postal code 10115, an estimate near a Land's border): "
           f"{WEDDING} (§ 689(2) sentence 1, (3) ZPO).")
    assert c.open and c.court == Court(WEDDING, ("Brunnenplatz 1", "13357 Berlin"), source=why)
    assert c.notes == [why] and c.extra == {"land": "BE"}


def test_mahnverfahren_foreign_client_in_full():
    c = check(de(client=person("FR", postal_code="75001")), routes.MAHN)
    why = "The client has no general venue in Germany: Amtsgericht Wedding (§ 689(2) sentence 2 ZPO)."
    assert c.open and c.court == Court(WEDDING, ("Brunnenplatz 1", "13357 Berlin"), source=why)
    assert c.notes == [why] and c.extra == {"land": None}


def test_mahnverfahren_wrong_german_postcode_in_words():
    c = check(de(client=person("DE", postal_code="1011")), routes.MAHN)
    assert not c.open and c.court is None and c.notes == [] and c.extra == {}
    assert c.reasons == ["The client's postal code 1011 is not a German postal code: the Mahngericht cannot be told "
                         "from it (§ 689(2) ZPO). Correct it on the client page."]
    assert c.missing == ["client.postcode"]


def test_mahnverfahren_empty_german_postcode_is_told_once():
    c = check(de(client=person("DE", postal_code="")), routes.MAHN)
    assert c.reasons == ["The client has no postal code: add it on the client page."]
    assert c.missing == ["client.postcode"]


# --- the CCB --------------------------------------------------------------------------------------

# Registered before the use was found (1 May 2026), but published long before: timely only by § 412's
# first branch, so it needs the date the use began.
BEFORE_USE = WorkFacts("Before use", "VA0001111111", date(2026, 4, 1), None, date(2020, 1, 1))


def test_timely_edges():
    began = date(2026, 5, 1)
    assert routes.timely(BEFORE_USE, began)
    assert routes.timely(replace(BEFORE_USE, registered_on=began), began)               # the same day counts
    assert not routes.timely(replace(BEFORE_USE, registered_on=date(2026, 5, 2)), began)
    assert not routes.timely(replace(BEFORE_USE, registration_number=None), began)     # a date alone is no registration
    assert not routes.timely(replace(BEFORE_USE, registered_on=None), began)
    assert not routes.timely(BEFORE_USE, None)                                          # published long before
    late_unpublished = replace(BEFORE_USE, registered_on=date(2026, 6, 1), first_published_on=None)
    assert not routes.timely(late_unpublished, began)


@pytest.mark.parametrize("day, after", [
    (date(2026, 1, 31), date(2026, 4, 30)), (date(2026, 3, 1), date(2026, 6, 1)), (date(2026, 8, 15), date(2026, 11, 15)),
    (date(2026, 9, 30), date(2026, 12, 30)), (date(2026, 10, 15), date(2027, 1, 15)),
    (date(2026, 11, 30), date(2027, 2, 28)), (date(2026, 12, 31), date(2027, 3, 31)),
    (date(2027, 11, 30), date(2028, 2, 29))])
def test_three_months_after(day, after):
    assert routes._three_months_after(day) == after


def test_ccb_timely_by_the_date_the_use_began():
    c = check(us([BEFORE_USE], amount="10000.00"), routes.CCB)
    assert c.open and c.language == "en" and c.court == routes.CCB_COURT
    assert c.limit == Money.parse("15000.00", "USD") and c.notes == []
    assert c.extra["works"] == [{"work": BEFORE_USE, "timely": True, "cap": Money.parse("15000.00", "USD"),
                                 "sought": Money.parse("10000.00", "USD")}]


def test_ccb_without_the_date_the_use_began_nothing_is_timely():
    c = check(us([BEFORE_USE], amount="7500.01", items=()), routes.CCB)
    assert not c.open and c.limit == Money.parse("7500.00", "USD")
    c = check(us([BEFORE_USE], amount="7500.00", items=()), routes.CCB)
    assert c.open and c.extra["works"][0]["timely"] is False
    assert c.notes == ["The case does not say when the use was found: no registration counts as timely (§ 412)."]


def test_ccb_names_the_works_left_out():
    c = check(us([REGISTERED, NOTHING, replace(NOTHING, title="Draft")], amount="1000.00"), routes.CCB)
    assert c.open
    assert c.notes == ["Left out of the claim (no registration or application): Unregistered, Draft."]
    assert [row["work"] for row in c.extra["works"]] == [REGISTERED]


def test_ccb_no_registered_work_in_words():
    c = check(us([NOTHING]), routes.CCB)
    assert c.reasons == ["No work in the case has a US registration or a pending application (17 U.S.C. § 1505(a)): "
                         "add the registration number and date, or the application date, on the work's page."]
    assert c.missing == ["work.us_registration"] and c.notes == []


def test_ccb_cap_in_words():
    works = [replace(PENDING, title=f"W{n}") for n in range(3)]
    c = check(us(works, amount="15000.01"), routes.CCB)
    assert c.reasons == ["The damages of $15,000.01 are above the cap of $15,000.00 for these works (17 U.S.C. "
                         "§ 1504(e)(1): $15,000.00 a timely registered work, $7,500.00 otherwise, $15,000.00 in all "
                         "when none is timely, $30,000.00 a claim). Lower the claim on the case page or choose "
                         "another route."]
    assert c.missing == [] and c.extra == {}


def test_ccb_above_the_claim_limit_says_so_once():
    c = check(us([REGISTERED], amount="40000.00"), routes.CCB)
    assert c.reasons == ["The claim of $40,000.00 (without interest and costs) is above the limit of $30,000.00 of "
                         "Copyright Claims Board (CASE Act)."]
    assert c.limit == Money.parse("30000.00", "USD") and c.extra == {}


def test_ccb_claiming_nothing_stops_there():
    c = check(us([REGISTERED], amount="0.00", lines=()), routes.CCB)
    assert c.reasons == ["The case claims nothing: price the claim on the case page."]
    assert c.missing == ["case.claim"] and c.extra == {} and c.limit == Money.parse("30000.00", "USD")


def test_ccb_other_currency_stops_there():
    c = check(facts(party_country="US", client_country="US", currency="EUR", works=(NOTHING,)), routes.CCB)
    assert c.missing == ["case.currency"] and len(c.reasons) == 1


def test_ccb_missing_address_is_named():
    c = check(us([REGISTERED], party=person("US", name="")), routes.CCB)
    assert not c.open and c.reasons == ["The party has no name: add it on the party page."]


def test_ccb_the_routes_claim_limit_caps_the_total():
    rules, ccb = _route("US", routes.CCB)
    lower = replace(ccb, max_claim=Money.parse("20000.00", "USD"))
    works = [replace(REGISTERED, title=f"W{n}") for n in range(3)]
    c = routes.check_route(us(works, amount="20000.01", lines=(ClaimLine("Licence fee",
                                                                         Money.parse("20000.00", "USD")),)),
                           lower, rules)
    assert c.open and c.limit == Money.parse("20000.00", "USD")
    c = routes.check_route(us(works, amount="20000.01"), replace(lower, max_claim=Money.parse("25000.00", "USD")),
                           rules)
    assert c.open and c.limit == Money.parse("25000.00", "USD")


# --- IPEC and the complaint ------------------------------------------------------------------------

def test_ipec_in_full():
    c = check(gb(None), routes.IPEC)
    assert c.language == "en" and c.court == routes.IPEC_COURT
    assert c.notes == ["The party's region is not recorded: England or Wales is assumed. Record it on the party page "
                       "if the party is in Scotland or Northern Ireland."]
    assert check(gb("ENG"), routes.IPEC).notes == []


def test_ipec_needs_the_addresses_and_a_capture():
    c = check(replace(gb(captures=()), party=person("GB", street=None, subdivision="ENG")), routes.IPEC)
    assert not c.open and c.missing == ["party.street", "evidence.capture"]


def test_complaint_note_in_words():
    c = check(facts(party_country="PL"), "court")
    assert c.language == "en"
    assert c.notes == ["No complaint template in pl (the court's language): the draft is in English, to be translated "
                       "before filing."]
    assert check(de(), "court").notes == []


def test_ccb_total_cap_is_the_timely_one_when_a_work_is_timely_by_the_date_the_use_began():
    """§ 1504(e)(1)(A): $15,000 in all applies only when no work is timely; a work registered before
    the use began is timely even when published long before, so two of them may claim $30,000."""
    works = [BEFORE_USE, replace(BEFORE_USE, title="Also before use")]
    c = check(us(works, amount="20000.00"), routes.CCB)
    assert c.open and c.limit == Money.parse("30000.00", "USD")
    mixed = check(us([BEFORE_USE, PENDING], amount="22500.00"), routes.CCB)
    assert mixed.open and mixed.limit == Money.parse("22500.00", "USD")


def test_mahngericht_table_is_read_as_utf8_whatever_the_platforms_default(monkeypatch):
    """The Länder's court names have umlauts (Hünfeld): on a platform whose default encoding is not
    UTF-8 (Windows: cp1252) the table must still read right."""
    from pathlib import Path

    read = Path.read_text

    def platform_default(self, encoding=None, errors=None):
        return read(self, encoding=encoding or "cp1252", errors=errors)

    monkeypatch.setattr(Path, "read_text", platform_default)
    monkeypatch.setattr(routes, "_TABLE", None)
    assert routes.mahngericht_table()["courts"]["huenfeld"]["name"] == "Amtsgericht Hünfeld – Zentrales Mahngericht"
