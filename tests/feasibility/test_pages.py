"""Feasibility where people decide: the case page and the hit on the triage page."""
from __future__ import annotations

from caseapp.core.money import Money
from tests.cases.factories import make_case
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY
from tests.hits.test_triage import sighting_hits


def test_the_case_page_shows_feasibility_with_its_figures(db_session, client_as):
    case = make_case(db_session, "offer_sent", country="DE", claimed="100.00")
    page = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    assert "Feasibility in DE" in page and "Not feasible" in page
    assert "below the minimum claim in Germany" in page and "Limitation ends" in page
    assert "The figures and their sources" in page and "§§ 195, 199(1) BGB" in page


def test_the_hit_shows_its_first_estimate(db_session, client_as, monkeypatch):
    monkeypatch.setattr("caseapp.hits.views.today", lambda: TODAY)
    holder = make_client(db_session)
    work = make_work(db_session, holder)
    sighting_hits(db_session, work, "hotel.example.fr", 1)
    page = client_as("handler").get(f"/hits/?client={holder.id}").get_data(as_text=True)
    assert 'data-feasible="yes"' in page and "European Small Claims Procedure" in page
    assert Money.parse("342.00", "EUR").format() in page      # a year's commercial web use, €360 x 0.95
    assert "originality in France" in page                    # shown, not priced (TJ Paris 22/05592)


def test_a_new_claim_is_valued_again_for_the_queue(db_session):
    from caseapp.cases import services as cases
    from caseapp.core.audit import Actor

    case = make_case(db_session, "offer_sent", country="DE", claimed="450.00")
    assert case.party.has_postal_address
    cases.edit_case(db_session, Actor(None, "handler"), case, seen_version=case.version,
                    claimed=Money.parse("1000.00", "EUR"), today=TODAY)
    assert case.expected_value == Money.parse("589.90", "EUR")   # 1,000 x 65% - 40 - (38 + 96) x 15%


def test_a_site_with_a_party_on_file_is_judged_by_that_party(db_session, client_as, monkeypatch):
    """A .com site whose party is known (a French company with an address) is not a guess."""
    from caseapp.parties.models import Party

    monkeypatch.setattr("caseapp.hits.views.today", lambda: TODAY)
    holder = make_client(db_session)
    work = make_work(db_session, holder)
    db_session.add(Party(name="Hôtel Lune SARL", site="hotel-lune.com", country="FR", street="1 Rue X",
                             postal_code="75001", city="Paris"))
    sighting_hits(db_session, work, "hotel-lune.com", 1)
    page = client_as("handler").get(f"/hits/?client={holder.id}").get_data(as_text=True)
    assert 'data-country="FR"' in page and "party on file: Hôtel Lune SARL" in page
    assert 'data-feasible="yes"' in page


def test_the_case_shows_how_its_claim_is_made_up(db_session, client_as):
    from caseapp.cases import services as cases
    from caseapp.core.audit import Actor
    from caseapp.hits import services as hits
    from caseapp.hits.models import ILLEGAL, Hit

    holder = make_client(db_session)
    work = make_work(db_session, holder)
    found = sighting_hits(db_session, work, "shop.example.de", 1)
    hits.decide(db_session, Actor(None, "handler"), [found[0].id], ILLEGAL, selection="hit", today=TODAY)
    from caseapp.cases.models import Case

    case = db_session.get(Case, db_session.get(Hit, found[0].id).case_id)
    assert case.claim_lines[0]["amount"] == "1300.00"
    page = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    assert "How the claim is made up" in page and "commercial web page" in page and "€1,300.00" in page
    cases.edit_case(db_session, Actor(None, "handler"), case, seen_version=case.version,
                    claimed=Money.parse("500.00", "EUR"), today=TODAY)
    assert case.claim_lines == [{"label": "Claim set by handler", "amount": "500.00",
                                 "basis": "edited on 2026-11-23 (was 1300.00 EUR)"}]


def test_the_hits_estimate_takes_the_works_evidence(db_session, client_as, monkeypatch):
    """A German client's work first published in the US is a US work there: the hit's first
    estimate says so (registration needed before suing, 17 U.S.C. § 411(a)); once its pending
    application is on record, the Copyright Claims Board counts it (§ 1505)."""
    from caseapp.clients.models import Work

    monkeypatch.setattr("caseapp.hits.views.today", lambda: TODAY)
    holder = make_client(db_session)            # a client in DE
    work = make_work(db_session, holder)
    sighting_hits(db_session, work, "shop.example.us", 1)

    def hit_page():
        return client_as("handler").get(f"/hits/?client={holder.id}").get_data(as_text=True)

    assert "United States work not registered" not in hit_page()    # a DE work: § 411(a) does not bind it
    db_session.get(Work, work.id).publication_country = "US"
    db_session.commit()
    page = hit_page()
    assert "United States work not registered" in page and 'data-feasible="no"' in page
    db_session.get(Work, work.id).us_applied_on = TODAY.replace(year=TODAY.year - 1)
    db_session.commit()
    page = hit_page()
    assert "a registration application is pending" in page and 'data-feasible="yes"' in page
