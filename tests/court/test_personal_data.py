"""What the court domain holds on a party: exported with sources; the lawyer's notes go when the party's
case file is past retention, the court's record stays."""
from __future__ import annotations

from datetime import datetime, timezone

from caseapp.cases import lifecycle
from caseapp.core.personal_data import CASE_FILE, Retention
from caseapp.court import personal_data, services
from tests.conftest import TODAY
from tests.court.factories import LAWYER, make_court_case


def test_export_and_purge(db_session):
    case, court_case = make_court_case(db_session, lifecycle.LEGAL, filed_on=TODAY)
    hearing = services.add_hearing(db_session, LAWYER, case, at=datetime(2027, 1, 12, 9, tzinfo=timezone.utc),
                                   note="The party's manager Erika Muster will attend")
    data = personal_data.export(db_session, case.party_id)
    assert data["court_case"][0]["fields"]["file_number"]["value"] == "123 C 45/26"
    assert "Erika Muster" in data["court_date"][0]["fields"]["note"]["value"]
    assert "court_enforcement_step" not in data                     # nothing held: no empty kind
    assert personal_data.export(db_session, 2**31 - 1) == {}
    case.stage, case.closure_reason, case.next_due_on = lifecycle.CLOSED, "paid_in_full", None
    case.closed_at = datetime(2015, 3, 1, tzinfo=timezone.utc)
    db_session.flush()
    retention = Retention({CASE_FILE: 365})
    expired = [e for e in personal_data.expired(db_session, datetime(2026, 11, 23, tzinfo=timezone.utc), retention)
               if e.id == hearing.id]
    assert [(e.kind, e.party_id) for e in expired] == [("court_date", case.party_id)]
    personal_data.purge(db_session, LAWYER, expired)
    db_session.refresh(hearing)
    assert hearing.what is None and court_case.file_number == "123 C 45/26"
