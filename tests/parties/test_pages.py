"""The party page and the case page's address: the address with its source, candidates side by
side with "use this", the manual correction (version checked, audited), the verdict and its
reasons, the look-up button; roles as the permission matrix says."""
from __future__ import annotations

from html import unescape

from sqlalchemy import select

from caseapp.core.audit import Actor, AuditEvent
from caseapp.parties import services
from tests.parties.test_services import found

HANDLER = Actor(None, "handler")


def _party_with_lookup(db_session):
    from tests.cases.factories import make_case

    case = make_case(db_session)
    party, _ = services.lookup_site(db_session, HANDLER, "https://foto-mueller.de/", found=found(),
                                    party_id=case.party_id)
    db_session.flush()
    return case, party


def test_the_party_page_shows_address_source_candidates_and_verdict(db_session, client_as):
    _, party = _party_with_lookup(db_session)
    page = unescape(client_as("handler").get(f"/parties/{party.id}").get_data(as_text=True))
    assert "Hauptstr. 1" in page and "the site's legal notice" in page
    assert "https://foto-mueller.de/impressum" in page
    assert 'data-source="rdap"' in page and "Alte Str. 5" in page and "Use this" in page
    assert 'data-signal="vat_id"' in page and "score 110" in page
    assert 'id="correct"' in page and "Look up" in page
    # the list's show link opens this page
    assert client_as("handler").get(f"/parties/show/{party.id}").headers["Location"].endswith(f"/parties/{party.id}")


def test_use_this_and_correct_by_hand(db_session, client_as):
    _, party = _party_with_lookup(db_session)
    browser = client_as("handler")
    rdap = next(c for c in services.candidates_of(db_session, party.id) if c.source == "rdap")
    seen = party.version
    answer = browser.post(f"/parties/{party.id}/candidates/{rdap.id}/use", data={"version": seen})
    assert answer.status_code == 302
    db_session.refresh(party)
    assert party.city == "Hamburg" and party.address_source == "rdap"
    # a stale form is refused, and what was typed comes back
    stale = browser.post(f"/parties/{party.id}/address", data={
        "version": seen, "street": "Neue Str. 9", "postal_code": "10117", "city": "Berlin", "country": "DE"})
    assert "street=Neue" in stale.headers["Location"]
    db_session.refresh(party)
    assert party.street == "Alte Str. 5"
    browser.post(f"/parties/{party.id}/address", data={
        "version": party.version, "street": "Neue Str. 9", "postal_code": "10117", "city": "Berlin",
        "country": "DE", "reason": "Letter came back"})
    db_session.refresh(party)
    assert (party.street, party.address_source) == ("Neue Str. 9", "manual")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "party.address_corrected")).all()[-1]
    assert event.details["changes"]["street"] == ["Alte Str. 5", "Neue Str. 9"] and event.actor_name == "handler"


def test_the_case_page_shows_the_address_with_its_source_and_a_link_to_correct_it(db_session, client_as):
    case, party = _party_with_lookup(db_session)
    page = unescape(client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True))
    assert 'data-address-source="legal_notice"' in page and "Source: the site's legal notice" in page
    assert f"/parties/{party.id}#correct" in page


def test_in_german(db_session, client_as):
    _, party = _party_with_lookup(db_session)
    from flask_babel import refresh

    page = client_as("handler").get(f"/parties/{party.id}", headers={"Accept-Language": "de"}).get_data(as_text=True)
    refresh()
    assert "Quelle: das Impressum der Website" in page and "Gefundene Anschriften" in page


def test_an_accountant_sees_but_cannot_correct_or_look_up(db_session, client_as):
    _, party = _party_with_lookup(db_session)
    browser = client_as("accountant")
    page = browser.get(f"/parties/{party.id}").get_data(as_text=True)
    assert "Hauptstr. 1" in page and 'id="correct"' not in page and "Use this" not in page
    refused = browser.post(f"/parties/{party.id}/address", data={"version": party.version, "street": "X 1",
                                                                "postal_code": "1", "city": "Y", "country": "DE"})
    assert refused.status_code in (302, 403)
    db_session.refresh(party)
    assert party.street == "Hauptstr. 1"


def test_a_cleared_party_shows_it_on_the_case_page(db_session, client_as):
    case, party = _party_with_lookup(db_session)
    services.clear_party(db_session, HANDLER, party.id, cleared=True, note="Licence from Getty, 2024",
                         seen_version=party.version)
    db_session.flush()
    page = unescape(client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True))
    assert 'data-cleared="1"' in page and "Licence from Getty, 2024" in page


def test_duplicates_are_listed_and_merged_from_the_page(db_session, client_as):
    from tests.parties.factories import make_party

    keep, other = make_party(db_session, street="Weg 1", city="Bonn"), make_party(db_session)
    keep.vat_id = other.vat_id = "DE136695976"
    db_session.flush()
    browser = client_as("handler")
    page = unescape(browser.get(f"/parties/{keep.id}").get_data(as_text=True))
    assert f'data-duplicate="{other.id}"' in page and "same VAT ID" in page
    browser.post(f"/parties/{keep.id}/merge", data={"other_id": str(other.id)})
    db_session.refresh(other)
    assert other.merged_into_id == keep.id
    merged = unescape(browser.get(f"/parties/{other.id}").get_data(as_text=True))
    assert "Merged into" in merged and f"/parties/{keep.id}" in merged
    refused = browser.post(f"/parties/{keep.id}/merge", data={"other_id": "abc"}, follow_redirects=True)
    assert "is not a party number" in unescape(refused.get_data(as_text=True))


def test_clearing_from_the_page_needs_a_note(db_session, client_as):
    from tests.parties.factories import make_party

    party = make_party(db_session)
    db_session.flush()
    browser = client_as("handler")
    empty = browser.post(f"/parties/{party.id}/clear", data={"version": party.version, "cleared": "1", "note": ""},
                         follow_redirects=True)
    assert "say what the party showed" in unescape(empty.get_data(as_text=True))
    browser.post(f"/parties/{party.id}/clear", data={"version": party.version, "cleared": "1",
                                                     "note": "Licence from Getty, 2024"})
    db_session.refresh(party)
    assert party.cleared and party.cleared_note == "Licence from Getty, 2024"


def test_every_section_renders_in_german(db_session, client_as):
    from flask_babel import refresh

    from tests.parties.factories import make_party

    _, party = _party_with_lookup(db_session)
    twin = make_party(db_session, street="Weg 1", city="Bonn")
    twin.vat_id = party.vat_id
    services.clear_party(db_session, HANDLER, party.id, cleared=True, note="Lizenz von Getty", seen_version=party.version)
    db_session.flush()
    page = unescape(client_as("handler").get(f"/parties/{party.id}", headers={"Accept-Language": "de"})
                    .get_data(as_text=True))
    refresh()
    for words in ("Postanschrift", "Gewerblich oder privat?", "USt-IdNr. auf der Website", "Gefundene Anschriften",
                  "Diese verwenden", "Anschrift korrigieren", "Dubletten", "gleiche USt-IdNr.", "Entlastet: Lizenz von Getty",
                  "Markierung zurücknehmen", "Nachschlagen"):
        assert words in page, words


def test_the_list_says_commercial_or_private(db_session, client_as):
    _, party = _party_with_lookup(db_session)
    listed = client_as("handler").get(f"/parties/list/?_flt_0_name={party.name}").get_data(as_text=True)
    assert "Commercial or private?" in listed and "commercial" in listed
