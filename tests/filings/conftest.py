"""The filings' test fixtures. The court a case is before comes from the court domain
(caseapp.filings.sources.court_of reads its court case): `court_recorded` records one through the
court's own service, as a lawyer does on the case page."""
from __future__ import annotations

from datetime import date

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
def court_recorded(db_session, showcase):
    """Every showcase case is before the 'Tribunal judiciaire de Paris' (recorded with the court
    domain's service; a court case the demo recorded keeps its route, file number and filing date)."""
    from caseapp.core.audit import Actor
    from caseapp.court import services as court

    name, address = "Tribunal judiciaire de Paris", "Parvis du Tribunal de Paris\n75017 Paris"
    for case in showcase.values():
        if not court.with_lawyer(case):
            continue
        now = court.court_case_of(db_session, case.id)
        court.record_court_case(db_session, Actor(None, "lawyer"), case, route_id=now.route_id if now else None,
                                court_name=name, court_address=address,
                                file_number=now.file_number if now else None,
                                filed_on=now.filed_on if now else None, today=TODAY)
    db_session.flush()
    return name


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
