"""The evidence pages as handlers, lawyers and others use them: the capture page, the case page's
Evidence section, capturing on demand and the take-down check button."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from caseapp.evidence.models import EvidenceCapture
from tests.cases.factories import make_case



@pytest.fixture()
def case(db_session, sites):
    case = make_case(db_session)
    case.items[0].page_url, case.items[0].image_url = f"{sites}/shop/", f"{sites}/shop/img/berg.jpg"
    db_session.flush()
    return case


@pytest.mark.parametrize("login", ["handler", "lawyer"])
def test_capture_on_demand_then_see_it_on_the_case_and_its_page(client_as, users, db_session, case, local_fetching,
                                                                 login):
    web = client_as(login)
    answer = web.post("/evidence/capture", data={"item": str(case.items[0].id)})
    assert answer.status_code == 302 and "/evidence/" in answer.location
    row = db_session.scalars(select(EvidenceCapture).where(EvidenceCapture.case_id == case.id)).one()
    page = web.get(f"/evidence/{row.id}").get_data(as_text=True)
    assert row.manifest_sha256 in page and row.final_url in page and "screenshot.png" in page
    shot = web.get(f"/evidence/{row.id}/files/screenshot.png")
    assert shot.status_code == 200 and shot.data.startswith(b"\x89PNG")
    assert web.get(f"/evidence/{row.id}/files/manifest.json").json["final_url"] == row.final_url
    assert web.get(f"/evidence/{row.id}/files/nothing.txt").status_code == 404
    section = web.get(f"/cases/{case.ref}").get_data(as_text=True)
    assert 'id="evidence"' in section and row.manifest_sha256[:16] in section and "capture now" in section
    # who asked for it, by name (the login is what the row keeps)
    user = users[login]
    name = f"{user.first_name} {user.last_name}"
    assert row.requested_by == login and f"on demand · {name}" in page and f"on demand · {name}" in section


def test_the_check_button_says_the_image_is_still_online(client_as, case, local_fetching):
    web = client_as("handler")
    answer = web.post("/evidence/check", data={"item": str(case.items[0].id)})
    assert answer.status_code == 302 and answer.location.endswith(f"/cases/{case.ref}#evidence")
    assert "The image is still online." in web.get(f"/cases/{case.ref}").get_data(as_text=True)


@pytest.mark.parametrize("login", ["accountant", "auditor"])
def test_who_may_not_capture_cannot(client_as, db_session, case, login):
    web = client_as(login)
    answer = web.post("/evidence/capture", data={"item": str(case.items[0].id)})
    assert answer.status_code in (302, 403) and "/evidence/" not in (answer.location or "")
    assert db_session.scalars(select(EvidenceCapture).where(EvidenceCapture.case_id == case.id)).first() is None
    assert (login == "auditor") == ('id="evidence"' in web.get(f"/cases/{case.ref}").get_data(as_text=True))


def test_a_malformed_item_is_refused_with_a_message(client_as, case):
    web = client_as("handler")
    answer = web.post("/evidence/capture", data={"item": "abc"}, headers={"Referer": f"/cases/{case.ref}"})
    assert answer.status_code == 302
    assert "is not a case item number" in web.get(f"/cases/{case.ref}").get_data(as_text=True)


def test_the_evidence_report_is_a_pdf_with_the_hashes_and_the_pictures(client_as, db_session, case, local_fetching):
    import io

    from pypdf import PdfReader

    web = client_as("lawyer")
    web.post("/evidence/capture", data={"item": str(case.items[0].id)})
    row = db_session.scalars(select(EvidenceCapture).where(EvidenceCapture.case_id == case.id)).one()
    assert f"/evidence/{row.id}/report.pdf" in web.get(f"/evidence/{row.id}").get_data(as_text=True)
    answer = web.get(f"/evidence/{row.id}/report.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.data))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert row.manifest_sha256 in text and row.screenshot_sha256 in text and case.ref in text
    assert "The work and the copy" in text and row.final_url in text
    images = sum(len(page.images) for page in reader.pages)
    assert images >= 3      # the work, the copy as served, the screenshot
    assert web.get("/evidence/999999/report.pdf").status_code == 404
    db_session.refresh(row)
    assert row.report_sha256 is not None
    assert client_as("handler").get(f"/evidence/{row.id}/report.pdf").data == answer.data   # kept: the same bytes
    # a download that rendered its own meanwhile keeps none: the first report kept is the report
    from caseapp.core.audit import Actor, AuditEvent
    from caseapp.core.filestore import FileStore
    from caseapp.evidence import services

    store = FileStore(web.application.config["CASEAPP_FILESTORE_PATH"])
    again = services.keep_report(db_session, Actor.system("tests"), store, row.id, b"%PDF-1.7 another")
    assert again.report_sha256 == row.report_sha256
    assert len(db_session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.report_made")).all()) == 1
    # the kept report gone from the store: no other one is made in its place
    import os

    path = store.path_for(row.report_sha256)
    os.chmod(path, 0o644)
    path.unlink()
    missing = web.get(f"/evidence/{row.id}/report.pdf")
    assert missing.status_code == 302 and missing.location.endswith(f"/evidence/{row.id}")
    assert "is missing from the file store" in web.get(f"/evidence/{row.id}").get_data(as_text=True)


def test_an_unreachable_page_captures_nothing_and_says_why(client_as, db_session, case, down, local_fetching):
    case.items[0].page_url = down
    db_session.flush()
    web = client_as("handler")
    answer = web.post("/evidence/capture", data={"item": str(case.items[0].id)}, headers={"Referer": f"/cases/{case.ref}"})
    assert answer.status_code == 302 and answer.location.endswith(f"/cases/{case.ref}")
    page = web.get(f"/cases/{case.ref}").get_data(as_text=True)
    assert "Nothing was captured: could not fetch" in page and "Connection refused" in page
    assert db_session.scalars(select(EvidenceCapture).where(EvidenceCapture.case_id == case.id)).first() is None
    web.post("/evidence/check", data={"item": str(case.items[0].id)})
    page = web.get(f"/cases/{case.ref}").get_data(as_text=True)
    assert "an unreachable site is not a removed image" in page and "No longer online since" not in page
