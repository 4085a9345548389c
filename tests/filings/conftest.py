"""The filings' test fixtures. The court a case is before comes from the court domain
(caseapp.filings.sources.court_of); until that domain is merged, ONE fixture here records a court
by replacing that function (after the merge: record a real court case instead, here only)."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

TODAY = date(2026, 11, 23)
SHOWCASE_PARTIES = {
    "de-foreign-client": "Bergblick Reisen GmbH", "de-german-client": "Hafenkante Immobilien GmbH",
    "fr-escp": "Maison Lumière SARL", "at-escp": "Alpenhof Hotel GmbH", "es-escp": "Viajes Sol y Mar S.L.",
    "it-escp": "Trattoria Bella Vista S.r.l.", "nl-escp": "Fietsverhuur Amstel B.V.",
    "us-ccb-registered": "Sunset Coast Realty Inc.", "us-ccb-pending": "Evergreen Outdoor Supply LLC",
    "gb-ipec": "Thames Garden Centre Ltd", "gb-scotland": "Highland Tours Ltd", "dk-no-escp": "Nordlys Design ApS",
    "de-missing-postcode": "Seeblick Pension",
}


@pytest.fixture()
def court_recorded(monkeypatch):
    """Every case is before the 'Tribunal judiciaire de Paris' (the one place a court is faked)."""
    court = SimpleNamespace(court_name="Tribunal judiciaire de Paris",
                            court_address="Parvis du Tribunal de Paris\n75017 Paris", file_number="RG 26/01234",
                            route_id="european-small-claims", filed_on=None)
    monkeypatch.setattr("caseapp.filings.sources.court_of", lambda session, case: court)
    return court


@pytest.fixture()
def showcase(db_session):
    """{key: case} of the filings' demo cases (caseapp.filings.demo, loaded with the test demo)."""
    from sqlalchemy import select

    from caseapp.cases.models import Case
    from caseapp.parties.models import Party

    found = {}
    for key, name in SHOWCASE_PARTIES.items():
        found[key] = db_session.scalars(select(Case).join(Party, Party.id == Case.party_id)
                                        .where(Party.name == name).order_by(Case.id.desc())).first()
    assert all(found.values()), found
    return found


@pytest.fixture()
def store(app):
    from caseapp.core.filestore import FileStore

    return FileStore(app.config["CASEAPP_FILESTORE_PATH"])
