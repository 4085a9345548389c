"""The parties' services for issue 18: a lookup stored on its party (candidates side by side, the
best as the postal address, each field's source), choosing and correcting (version checked,
audited), the commercial verdict in feasibility, merging duplicates, clearing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, StaleEdit
from caseapp.parties import services
from caseapp.parties.lookup import candidate
from caseapp.parties.lookup.chain import Lookup
from caseapp.parties.lookup.commercial import Verdict
from tests.parties.factories import make_party

HANDLER = Actor(None, "handler")


def found(site="foto-mueller.de", *, verdict="commercial", score=110, conflict=True) -> Lookup:
    notice = candidate("legal_notice", f"https://{site}/impressum", name="Foto Müller GmbH", street="Hauptstr. 1",
                       postal_code="10115", city="Berlin", country="DE", email="info@foto-mueller.de",
                       phone="+49301234567", vat_id="DE136695976",
                       register_number="Berlin (Charlottenburg) HRB 44343")
    rdap = candidate("rdap", f"rdap:{site}", name="Foto Müller GmbH", street="Alte Str. 5", postal_code="20095",
                     city="Hamburg", country="DE")
    result = Lookup(f"https://{site}/", f"https://{site}/", site, [notice, rdap] if conflict else [notice], notice,
                    ["DE136695976"], ["Berlin (Charlottenburg) HRB 44343"], ["+49301234567"],
                    Verdict(verdict, score, [{"signal": "vat_id", "weight": 40, "detail": "DE136695976"}]))
    return result


def events(session, action):
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_lookup_sets_the_address_from_the_best_candidate_and_keeps_the_others(db_session):
    party = make_party(db_session, country="ZZ", name="foto-mueller.de", site="foto-mueller.de", street=None,
                       postal_code=None, city=None)
    party, _ = services.lookup_site(db_session, HANDLER, "https://foto-mueller.de/", found=found())
    assert (party.name, party.street, party.postal_code, party.city, party.country) == \
        ("Foto Müller GmbH", "Hauptstr. 1", "10115", "Berlin", "DE")
    assert (party.address_source, party.address_source_url) == ("legal_notice", "https://foto-mueller.de/impressum")
    assert party.vat_id == "DE136695976" and party.phone == "+49301234567"
    assert party.commercial == "commercial" and party.commercial_score == 110
    assert party.address_checked_at is not None
    candidates = services.candidates_of(db_session, party.id)
    assert [(c.source, c.city, c.chosen) for c in candidates] == [("legal_notice", "Berlin", True),
                                                                  ("rdap", "Hamburg", False)]
    sources = services.field_sources(db_session, party.id)
    assert sources["street"].source == "legal_notice" and sources["street"].actor == "handler"
    assert sources["city"].source_url == "https://foto-mueller.de/impressum"
    event = events(db_session, "party.address_found")[-1]
    assert event.details["changes"]["city"] == [None, "Berlin"]
    # looked up again: nothing doubled
    services.lookup_site(db_session, HANDLER, "https://foto-mueller.de/", found=found())
    assert len(services.candidates_of(db_session, party.id)) == 2


def test_a_lookup_of_a_new_site_makes_its_party(db_session):
    party, _ = services.lookup_site(db_session, HANDLER, "https://neu-shop.de/", found=found("neu-shop.de"))
    assert party.site == "neu-shop.de" and party.name == "Foto Müller GmbH" and party.country == "DE"


def test_choose_and_correct_are_version_checked_and_audited(db_session):
    party, _ = services.lookup_site(db_session, HANDLER, "https://foto-mueller.de/",
                                    found=found(), party_id=make_party(db_session, site="foto-mueller.de").id)
    rdap = next(c for c in services.candidates_of(db_session, party.id) if c.source == "rdap")
    seen = party.version
    services.choose_candidate(db_session, HANDLER, party.id, rdap.id, seen_version=seen)
    assert (party.street, party.city, party.address_source) == ("Alte Str. 5", "Hamburg", "rdap")
    with pytest.raises(StaleEdit):
        services.correct_address(db_session, HANDLER, party.id, seen_version=seen, street="X 1", postal_code="1",
                                 city="Y", country="DE")
    services.correct_address(db_session, HANDLER, party.id, seen_version=party.version, street="Neue Str. 9",
                             postal_code="10117", city="Berlin", country="de", phone="030 7654321",
                             reason="Phoned them")
    assert (party.street, party.country, party.phone, party.address_source) == \
        ("Neue Str. 9", "DE", "+49307654321", "manual")
    event = events(db_session, "party.address_corrected")[-1]
    assert event.details["changes"]["street"] == ["Alte Str. 5", "Neue Str. 9"] and event.reason == "Phoned them"
    assert services.field_sources(db_session, party.id)["street"].source == "manual"
    # a later lookup keeps the handler's address (its candidates still show)
    services.lookup_site(db_session, HANDLER, "https://foto-mueller.de/", found=found(), party_id=party.id)
    assert party.street == "Neue Str. 9"
    with pytest.raises(InvalidInput, match="City"):
        services.correct_address(db_session, HANDLER, party.id, seen_version=None, street="A 1", postal_code="1",
                                 city=" ", country="DE")
    with pytest.raises(InvalidInput, match="Phone"):
        services.correct_address(db_session, HANDLER, party.id, seen_version=None, street="A 1", postal_code="1",
                                 city="B", country="DE", phone="12")


@pytest.mark.parametrize("verdict, flag", [("commercial", True), ("private", False), ("unknown", None), (None, None)])
def test_the_commercial_verdict_as_feasibility_takes_it(db_session, verdict, flag):
    party = make_party(db_session)
    party.commercial = verdict
    assert services.commercial_flag(party) is flag


def test_merge_duplicates_moves_cases_and_keeps_history(db_session):
    from tests.cases.factories import make_case

    keep = make_party(db_session, street="Anderswo 2", city="Köln")
    case = make_case(db_session)
    other = case.party
    with pytest.raises(InvalidInput, match="share no VAT ID"):
        services.merge_parties(db_session, HANDLER, keep.id, other.id)
    keep.vat_id = other.vat_id = "DE136695976"
    services.merge_parties(db_session, HANDLER, keep.id, other.id)
    assert other.merged_into_id == keep.id and case.party_id == keep.id
    assert services.parties_for_sites(db_session, [other.site])[other.site].id == keep.id
    assert keep.id in services.party_ids_on_site(db_session, other.site)
    merged = events(db_session, "party.merged")[-1]
    assert merged.details["because"] == ["vat_id"] and merged.details["cases"] == [case.ref]
    assert events(db_session, "party.case_moved")[-1].case_id == case.id
    with pytest.raises(InvalidInput, match="already merged"):
        services.merge_parties(db_session, HANDLER, keep.id, other.id)
    with pytest.raises(InvalidInput, match="itself"):
        services.merge_parties(db_session, HANDLER, keep.id, keep.id)


def test_duplicates_by_register_number_or_address(db_session):
    one = make_party(db_session, street="Hauptstr. 1", city="Berlin")
    two = make_party(db_session, street="Hauptstr. 1", city="Berlin")
    three = make_party(db_session, street="Anderswo 2", city="Köln")
    four = make_party(db_session, street="Weg 3", city="Bonn")
    three.register_number = four.register_number = "München HRB 12345"
    assert [(p.id, why) for p, why in services.duplicates_of(db_session, one.id)] == [(two.id, ["address"])]
    assert [(p.id, why) for p, why in services.duplicates_of(db_session, three.id)] == [(four.id, ["register_number"])]


def test_cleared_needs_a_note_and_is_audited(db_session):
    party = make_party(db_session)
    with pytest.raises(InvalidInput, match="Note"):
        services.clear_party(db_session, HANDLER, party.id, cleared=True, note=" ", seen_version=party.version)
    services.clear_party(db_session, HANDLER, party.id, cleared=True, note="Licence from Getty, 2024",
                         seen_version=party.version)
    assert party.cleared and party.cleared_note == "Licence from Getty, 2024"
    assert events(db_session, "party.cleared")[-1].reason == "Licence from Getty, 2024"
    services.clear_party(db_session, HANDLER, party.id, cleared=False, note=None, seen_version=party.version)
    assert not party.cleared and events(db_session, "party.uncleared")


def test_parties_due_lookup(db_session):
    due = make_party(db_session)
    done = make_party(db_session)
    done.address_checked_at = due.created_at
    ids = [p.id for p in services.parties_due_lookup(db_session, limit=1000)]
    assert due.id in ids and done.id not in ids


@pytest.mark.parametrize("verdict, reason, note", [
    (None, None, "commercial_unchecked"), ("unknown", None, "commercial_unchecked"),
    ("private", "private_not_pursued", None), ("commercial", None, None)])
def test_feasibility_takes_the_verdict_instead_of_not_checked(db_session, verdict, reason, note):
    from datetime import date

    from caseapp.feasibility.services import assess_case
    from tests.cases.factories import make_case

    case = make_case(db_session)
    case.party.commercial = verdict
    outlook = assess_case(case, date(2026, 11, 23))
    codes = {f.code for f in outlook.reasons}, {f.code for f in outlook.notes}
    assert (reason in codes[0]) if reason else "private_not_pursued" not in codes[0]
    assert (note in codes[1]) if note else "commercial_unchecked" not in codes[1]
    if verdict == "private":
        assert not outlook.feasible


def test_every_personal_field_records_its_source(db_session):
    party = make_party(db_session, email="a@b.de")
    sources = services.field_sources(db_session, party.id)
    assert {f: s.source for f, s in sources.items()} == {f: "manual" for f in ("name", "email", "street",
                                                                              "postal_code", "city", "country")}
    services.edit_party(db_session, Actor(None, "anna"), party.id, seen_version=party.version, city="Potsdam")
    assert services.field_sources(db_session, party.id)["city"].actor == "anna"
    named = services.party_for_site(db_session, HANDLER, "neu.example", "ZZ")
    assert services.field_sources(db_session, named.id)["name"].source == "site_name"


def test_a_private_verdict_meets_the_clients_policy_on_private_users(db_session):
    """Now that feasibility gets the verdict, pursue_private matters in first_estimate and
    assess_case (the mutants that dropped it were equivalent only while commercial was None)."""
    from datetime import date

    from caseapp.feasibility.services import assess_case, first_estimate
    from tests.cases.factories import make_case

    day = date(2026, 3, 1)
    codes = lambda outlook: {f.code for f in outlook.reasons}   # noqa: E731
    assert "private_not_pursued" in codes(first_estimate("DE", found_on=day, today=day, commercial=False)[1])
    assert "private_not_pursued" not in codes(first_estimate("DE", found_on=day, today=day, commercial=False,
                                                             pursue_private=True)[1])
    case = make_case(db_session)
    case.party.commercial = "private"
    case.client.pursues_private_users = True
    assert "private_not_pursued" not in codes(assess_case(case, date(2026, 11, 23)))


def test_a_correction_keeps_the_numbers_and_the_name_it_does_not_ask_for(db_session):
    party, _ = services.lookup_site(db_session, HANDLER, "https://foto-mueller.de/", found=found(),
                                    party_id=make_party(db_session, site="foto-mueller.de").id)
    name = party.name
    services.correct_address(db_session, HANDLER, party.id, seen_version=party.version, name=" ",
                             street="Neue Str. 9", postal_code="10117", city="Berlin", country="DE")
    assert (party.name, party.vat_id, party.register_number) == \
        (name, "DE136695976", "Berlin (Charlottenburg) HRB 44343")
    assert party.street == "Neue Str. 9"


def test_an_address_is_one_unit_from_one_source(db_session):
    # on file from the registration; the legal notice names a street and city but no postal code
    party = make_party(db_session, site="foto-mueller.de", street="Alte Str. 5", postal_code="20095", city="Hamburg")
    notice = candidate("legal_notice", "https://foto-mueller.de/impressum", name="Foto Müller GmbH",
                       street="Hauptstr. 1", city="Berlin", country="DE")
    lookup = Lookup("https://foto-mueller.de/", "https://foto-mueller.de/", "foto-mueller.de", [notice], notice,
                    [], [], [], Verdict("unknown", 30, []))
    services.lookup_site(db_session, HANDLER, "https://foto-mueller.de/", found=lookup, party_id=party.id)
    assert (party.street, party.postal_code, party.city) == ("Hauptstr. 1", None, "Berlin")   # not "Hauptstr. 1, 20095 Berlin"
    # a candidate without a street leaves the whole address on file
    bare = candidate("structured_data", "https://foto-mueller.de/", name="Foto Müller GmbH", postal_code="99999",
                     city="Erfurt", country="DE")
    services.lookup_site(db_session, HANDLER, "https://foto-mueller.de/",
                         found=Lookup("https://foto-mueller.de/", "https://foto-mueller.de/", "foto-mueller.de",
                                      [bare], bare, [], [], [], Verdict("unknown", 0, [])), party_id=party.id)
    assert (party.street, party.postal_code, party.city) == ("Hauptstr. 1", None, "Berlin")


def test_a_merge_fills_the_address_only_when_the_kept_party_has_none(db_session):
    keep = make_party(db_session, name="A GmbH", street="Ring 1", postal_code=None, city="Köln")
    other = make_party(db_session, name="A GmbH", street="Weg 9", postal_code="80331", city="München")
    keep.vat_id = other.vat_id = "DE136695976"
    other.phone = "+49891234567"
    services.merge_parties(db_session, HANDLER, keep.id, other.id)
    assert (keep.street, keep.postal_code, keep.city, keep.phone) == ("Ring 1", None, "Köln", "+49891234567")
    empty = make_party(db_session, name="B GmbH", street=None, postal_code=None, city=None)
    full = make_party(db_session, name="B GmbH", street="Weg 9", postal_code="80331", city="München")
    empty.vat_id = full.vat_id = "DE811907980"
    services.merge_parties(db_session, HANDLER, empty.id, full.id)
    assert (empty.street, empty.postal_code, empty.city) == ("Weg 9", "80331", "München")


def test_a_merged_duplicate_is_history_its_address_and_flag_are_changed_on_the_party_it_went_into(db_session):
    keep = make_party(db_session, name="C GmbH")
    other = make_party(db_session, name="C GmbH")
    keep.vat_id = other.vat_id = "DE136695976"
    services.merge_parties(db_session, HANDLER, keep.id, other.id)
    for change in (lambda: services.correct_address(db_session, HANDLER, other.id, seen_version=None, street="A 1",
                                                    postal_code="1", city="B", country="DE"),
                   lambda: services.clear_party(db_session, HANDLER, other.id, cleared=True, note="licence shown",
                                                seen_version=None)):
        with pytest.raises(InvalidInput, match=f"merged into party #{keep.id}: change that one"):
            change()
    services.clear_party(db_session, HANDLER, keep.id, cleared=True, note="licence shown", seen_version=None)
    assert keep.cleared
