"""A recipient's licence defence: recorded, the case on hold; accepted, the case closes as
licence shown, the site is cleared for the work, the work's record and the client's timeline
say so; rejected, a reason is required, the case resumes where it was held from, and the
reason is kept for the next letter."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from caseapp.cases import defences, lifecycle, services
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, StaleEdit
from caseapp.core.filestore import FileStore
from caseapp.hits import services as hits
from tests.cases.factories import make_case
from tests.conftest import TODAY

ACTOR = Actor.system("test")


@pytest.fixture()
def store(tmp_path):
    return FileStore(tmp_path / "files")


def _shown(session, store, case, **kwargs):
    return defences.record_defence(session, store, ACTOR, case, data=b"%PDF-1.4 invoice", filename="invoice.pdf",
                                   statement="We bought it on Alamy in 2023", work_id=kwargs.pop("work_id", None),
                                   today=TODAY, seen_version=None)


def test_a_licence_shown_puts_the_case_on_hold(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    defence = _shown(db_session, store, case)
    assert (case.stage, case.held_from_stage, defence.status) == (lifecycle.ON_HOLD, lifecycle.OFFER_SENT, "open")
    assert store.read(defence.file_sha256) == b"%PDF-1.4 invoice"
    with pytest.raises(InvalidInput, match="not in"):
        _shown(db_session, store, case, work_id=2**31 - 1)


def test_accepted_the_case_closes_the_site_is_cleared_and_the_client_told(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    work_id = case.items[0].work_id
    defence = _shown(db_session, store, case, work_id=work_id)
    defences.accept_defence(db_session, ACTOR, case, defence.id, today=TODAY, reason="Alamy invoice matches")
    assert (case.stage, case.closure_reason, defence.status) == (lifecycle.CLOSED, "licence_shown", "accepted")
    ruled = hits.ruled_out(db_session, case.client_id, work_id, case.party.site)
    assert ruled is not None and ruled.rule == hits.BY_CLEARANCE
    work = case.items[0].work
    assert f"Licence shown by {case.party.name} on {TODAY.isoformat()}, case {case.ref}" in work.status_reason
    informed = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                           AuditEvent.action == "case.client_informed")).one()
    assert case.client.name in informed.details["text"] and case.ref in informed.details["text"]
    with pytest.raises(InvalidInput, match="accepted already"):
        defences.reject_defence(db_session, ACTOR, case, defence.id, reason="late", today=TODAY)


def test_rejected_needs_a_reason_resumes_the_case_and_is_kept_for_the_next_letter(db_session, store):
    case = make_case(db_session, lifecycle.REMINDER_SENT)
    defence = _shown(db_session, store, case)
    with pytest.raises(InvalidInput, match="required"):
        defences.reject_defence(db_session, ACTOR, case, defence.id, reason="  ", today=TODAY)
    assert case.stage == lifecycle.ON_HOLD
    defences.reject_defence(db_session, ACTOR, case, defence.id, reason="The invoice is for another photo",
                            today=TODAY)
    assert case.stage == lifecycle.REMINDER_SENT and defence.status == "rejected"
    assert [d.reason for d in defences.rejected_defences(db_session, case.id)] == ["The invoice is for another photo"]
    assert hits.ruled_out(db_session, case.client_id, case.items[0].work_id, case.party.site) is None


def test_a_stale_decision_is_refused(db_session, store):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    defence = _shown(db_session, store, case)
    with pytest.raises(StaleEdit, match="changed by someone else"):
        defences.accept_defence(db_session, ACTOR, case, defence.id, today=TODAY, seen_version=defence.version + 1)


def test_the_case_page_records_and_decides_a_defence(client_as, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    client = client_as("handler")
    from io import BytesIO
    response = client.post(f"/cases/{case.ref}/defences", data={
        "version": case.version, "work": "", "statement": "We have a licence",
        "file": (BytesIO(b"licence text"), "licence.txt")}, content_type="multipart/form-data")
    assert response.status_code == 302
    db_session.refresh(case)
    assert case.stage == lifecycle.ON_HOLD
    (defence,) = defences.defences(db_session, case.id)
    html = client.get(f"/cases/{case.ref}").get_data(as_text=True)
    assert "licence.txt" in html and "We have a licence" in html
    client.post(f"/cases/{case.ref}/defences/{defence.id}/reject",
                data={"version": defence.version, "reason": ""})
    db_session.refresh(defence)
    assert defence.status == "open"
    client.post(f"/cases/{case.ref}/defences/{defence.id}/reject",
                data={"version": defence.version, "reason": "Wrong image"})
    db_session.refresh(case)
    assert case.stage == lifecycle.OFFER_SENT


def test_a_licence_files_name_keeps_no_path_and_no_control_characters(db_session, store):
    """A recipient's file name is theirs: a path, a NUL, an escape sequence or a right-to-left
    override is not kept (the page and the client's message show the name); a statement with
    control characters is refused in one line, and nothing is recorded."""
    case = make_case(db_session, lifecycle.OFFER_SENT)
    defence = defences.record_defence(db_session, store, ACTOR, case, data=b"%PDF-1.4 invoice",
                                      filename="C:\\Users\\x\\inv\x00oice\u202e\x1b[2J.pdf\n", statement=None,
                                      work_id=None, today=TODAY, seen_version=None)
    assert defence.filename == "invoice[2J.pdf"
    with pytest.raises(InvalidInput, match="control characters"):
        defences.record_defence(db_session, store, ACTOR, case, data=b"%PDF-1.4 other", filename="b.pdf",
                                statement="We paid\x00 \x1b[31m", work_id=None, today=TODAY, seen_version=None)
    assert len(defences.defences(db_session, case.id)) == 1
