"""The filings page of a case: the lawyer sees every route and generates; the handler reads only;
the accountant is refused. The case page's Filings card links to it."""
from __future__ import annotations

from sqlalchemy import select

from caseapp.filings.models import Filing


def test_lawyer_sees_routes_and_generates(client_as, db_session, showcase, court_recorded):
    case = showcase["de-foreign-client"]
    lawyer = client_as("lawyer")
    page = lawyer.get(f"/filings/case/{case.ref}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Mahnverfahren" in html and "Amtsgericht Wedding" in html and "Generate" in html
    response = lawyer.post(f"/filings/case/{case.ref}/generate", data={"route": "mahnverfahren"})
    assert response.status_code == 302
    filing = db_session.scalars(select(Filing).where(Filing.case_id == case.id)).one()
    html = lawyer.get(f"/filings/case/{case.ref}").get_data(as_text=True)
    assert filing.files[0].file_sha256 in html and "mahnantrag.json" in html
    download = lawyer.get(f"/filings/{filing.id}/files/{filing.files[0].id}")
    assert download.status_code == 200 and download.data.startswith(b"{")


def test_closed_routes_say_why(client_as, db_session, showcase):
    html = client_as("lawyer").get(f"/filings/case/{showcase['gb-scotland'].ref}").get_data(as_text=True)
    assert "The party is in Scotland" in html and "closed" in html


def test_a_closed_route_posted_anyway_is_refused_in_words(client_as, db_session, showcase):
    case = showcase["de-missing-postcode"]
    lawyer = client_as("lawyer")
    lawyer.post(f"/filings/case/{case.ref}/generate", data={"route": "mahnverfahren"})
    html = lawyer.get(f"/filings/case/{case.ref}").get_data(as_text=True)
    assert "The party has no postal code: add it on the party page." in html
    assert db_session.scalars(select(Filing).where(Filing.case_id == case.id)).first() is None


def test_handler_reads_only(client_as, db_session, showcase):
    handler = client_as("handler")
    ref = showcase["gb-ipec"].ref
    page = handler.get(f"/filings/case/{ref}")
    assert page.status_code == 200 and "Generate" not in page.get_data(as_text=True)
    assert handler.post(f"/filings/case/{ref}/generate", data={"route": "ipec-small-claims"}).status_code in (302, 403)
    assert db_session.scalars(select(Filing).where(Filing.case_id == showcase["gb-ipec"].id)).first() is None


def test_accountant_is_refused(client_as, db_session, showcase):
    response = client_as("accountant").get(f"/filings/case/{showcase['gb-ipec'].ref}")
    assert response.status_code in (302, 403)


def test_case_page_has_the_filings_card(client_as, db_session, showcase):
    ref = showcase["gb-ipec"].ref
    html = client_as("lawyer").get(f"/cases/{ref}").get_data(as_text=True)
    assert 'id="h-filings"' in html and f"/filings/case/{ref}" in html and "IPEC small claims track" in html
    assert 'id="h-filings"' not in client_as("accountant").get(f"/cases/{ref}").get_data(as_text=True)


def test_the_german_page(client_as, db_session, showcase):
    lawyer = client_as("lawyer")
    html = lawyer.get(f"/filings/case/{showcase['gb-ipec'].ref}", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Gerichtliche Anträge zu Fall" in html and "Wege" in html
